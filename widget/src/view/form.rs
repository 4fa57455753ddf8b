//! The panel: the open question first (required, with a visible count),
//! then the optional scale, a call back, the guarantee, and the thank-you
//! that takes the form's place. The answer is never cleared on an error.
//!
//! The contact fields show for a call back or the guarantee (then an email
//! or a phone is needed), and, where the site offers it, for a score of 1
//! to 3 (then nothing is needed: the offer says so, and the answer is sent
//! with or without them).

use super::{challenge, markup};
use crate::config::Config;
use crate::dom::{flag, focus, on_each, show};
use crate::locale::{Lang, Strings};
use crate::outbox;
use crate::site::Site;
use crate::store::{self, Queued};
use crate::submit::{self, Answer, Contact, Outcome};
use crate::text::number;
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::{Document, Element, HtmlInputElement, HtmlTextAreaElement};

/// Same limit as the server (docs/wire-contract.md#post-v1responses), counted like `maxlength`.
const MAX_GAPS: u32 = 4000;
const DAY_MS: f64 = 86_400_000.0;

/// The panel, in `markup`'s terms. Texts: `a` the title, `b` Close, `c`
/// the question, `d` its hint, `e` the score's question, `f`/`g` its ends,
/// `h` how to clear it, `i` call back, `j`/`k` the guarantee and its hint,
/// `l` the low score's offer, `m` the contact hint, `n`/`o`/`p` name,
/// email and phone, `q` Send. Shown when wanted: `c` the close buttons
/// (launcher mode), `s` the scale (rule 1: five equal buttons, neutral end
/// labels, none pressed), `g` the guarantee, `h` Turnstile's box.
///
/// In the dialog only `.fields` scrolls, so the title, the complaint and
/// Send stay in view (panel.css). The live region (`.next`) is there, empty,
/// from the start, so screen readers announce the thank-you written into it.
const PANEL: &str = "\
<div|class=header><h2|id=candor-title>{a}</>\
<button|?c|type=button|class=close|aria-label={b}>\u{d7}</></>\
<form|@f|novalidate|class=form><div|class=fields>\
<label|for=candor-gaps>{c}</><p|id=candor-hint|class=hint>{d}</>\
<textarea|@g|id=candor-gaps|rows=4|maxlength=4000|required|aria-required=true|aria-describedby=candor-hint candor-count></>\
<p|@k|id=candor-count|class=count>0/4000</>\
<div|?s|role=group|aria-labelledby=candor-score-q|aria-describedby=candor-score-ends candor-score-clear|class=score>\
<p|id=candor-score-q|class=legend>{e}</><div|class=scale>\
<button|type=button|class=pick|aria-pressed=false|data-score=1>1</>\
<button|type=button|class=pick|aria-pressed=false|data-score=2>2</>\
<button|type=button|class=pick|aria-pressed=false|data-score=3>3</>\
<button|type=button|class=pick|aria-pressed=false|data-score=4>4</>\
<button|type=button|class=pick|aria-pressed=false|data-score=5>5</></>\
<p|class=ends|id=candor-score-ends><span>{f}</><span>{g}</></>\
<p|class=hint|id=candor-score-clear>{h}</></>\
<label|class=check|for=candor-callback><input|@c|type=checkbox|id=candor-callback></><span>{i}</></>\
<label|?g|class=check|for=candor-guarantee><input|@u|type=checkbox|id=candor-guarantee></><span>{j}</></>\
<p|?g|class=hint>{k}</>\
<div|@t|class=contact|hidden>\
<p|@o|class=hint|id=candor-contact-offer|hidden>{l}</>\
<p|class=hint|id=candor-contact-hint>{m}</>\
<div|class=field><label|for=candor-name>{n}</>\
<input|@n|id=candor-name|autocomplete=name|maxlength=200></></>\
<div|class=field><label|for=candor-email>{o}</>\
<input|@e|id=candor-email|type=email|autocomplete=email|maxlength=254|aria-describedby=candor-contact-hint></></>\
<div|class=field><label|for=candor-phone>{p}</>\
<input|@p|id=candor-phone|type=tel|autocomplete=tel|maxlength=40|aria-describedby=candor-contact-hint></></></>\
<div|?h|@h|class=challenge></></>\
<p|@r|class=error|id=candor-error|role=alert></>\
<button|@b|type=submit|class=send>{q}</></>\
<div|@d|class=done|hidden|tabindex=-1><h3|@i></></>\
<p|@x|class=next|role=status></>\
<button|?c|@z|type=button|class=send finish|hidden>{b}</>";

/// The parts of the panel the one event handler reads and changes, and
/// what it needs to know about the site.
struct Parts {
    form: Element,
    gaps: Element,
    count: Element,
    /// The score the customer picked, if any; pressing it again clears it.
    chosen: Cell<Option<u8>>,
    callback: Element,
    guarantee: Option<Element>,
    /// The contact block; what it holds is sent only while it shows.
    contact: Element,
    /// The no-pressure line a low score shows above the contact fields.
    offer: Element,
    name: Element,
    email: Element,
    phone: Element,
    /// Turnstile's box, on a site that asks for it.
    challenge: Option<Element>,
    error: Element,
    send: Element,
    done: Element,
    done_title: Element,
    next: Element,
    finish: Option<Element>,
    /// The site offers the contact fields after a score of 1 to 3.
    offered: bool,
    sending: Cell<bool>,
    config: Rc<Config>,
    thanks: String,
    cooldown_ms: f64,
    on_answered: Rc<dyn Fn()>,
}

// The casts below are unchecked: each element is one the panel's markup
// made, of the type it names; checking would cost an import per type.

fn input_value(e: &Element) -> String {
    e.unchecked_ref::<HtmlInputElement>().value()
}

fn checked(e: Option<&Element>) -> bool {
    e.is_some_and(|e| e.unchecked_ref::<HtmlInputElement>().checked())
}

/// Builds the panel. A `closable` panel (launcher mode) has a close button
/// (`.close`) in its header and one after the thank-you (`.finish`); both
/// close the dialog the panel sits in. `on_answered` runs once the answer
/// is stored or safely queued.
pub fn panel(
    doc: &Document,
    config: &Rc<Config>,
    site: &Site,
    closable: bool,
    // `dyn`: one copy of the whole builder for its two callers.
    on_answered: Rc<dyn Fn()>,
) -> Result<Element, JsValue> {
    let t = config.lang.strings();
    let copy = &site.copy;
    let panel = doc.create_element("div")?;
    panel.set_attribute("class", "panel")?;
    let text = [
        &copy.title,
        t.close,
        &copy.question,
        &copy.hint,
        &copy.score_question,
        t.score_low,
        t.score_high,
        t.score_clear,
        t.callback,
        t.guarantee,
        t.guarantee_hint,
        t.contact_offer,
        t.contact_hint,
        t.name,
        t.email,
        t.phone,
        t.send,
    ];
    let wanted = |yes: bool, x: u8| if yes { x } else { 0 };
    let shown = [
        wanted(closable, b'c'),
        wanted(site.show_score, b's'),
        wanted(site.show_guarantee, b'g'),
        wanted(site.turnstile_sitekey.is_some(), b'h'),
    ];
    let mut refs = markup::build(doc, &panel, PANEL, &text, &shown)?;
    let parts = Parts {
        form: refs.must(b'f')?,
        gaps: refs.must(b'g')?,
        count: refs.must(b'k')?,
        chosen: Cell::new(None),
        callback: refs.must(b'c')?,
        guarantee: refs.take(b'u'),
        contact: refs.must(b't')?,
        offer: refs.must(b'o')?,
        name: refs.must(b'n')?,
        email: refs.must(b'e')?,
        phone: refs.must(b'p')?,
        challenge: refs.take(b'h'),
        error: refs.must(b'r')?,
        send: refs.must(b'b')?,
        done: refs.must(b'd')?,
        done_title: refs.must(b'i')?,
        next: refs.must(b'x')?,
        finish: refs.take(b'z'),
        offered: site.offer_contact,
        sending: Cell::new(false),
        config: Rc::clone(config),
        thanks: copy.thanks.clone(),
        cooldown_ms: f64::from(site.cooldown_days) * DAY_MS,
        on_answered,
    };
    if let (Some(host), Some(key)) = (&parts.challenge, &site.turnstile_sitekey) {
        challenge::render(host, key, config);
    }
    // `Candor.identify()`: in plain sight, editable, sent only with the rest.
    let prefill = &config.prefill;
    for (input, value) in [(&parts.name, &prefill.name), (&parts.email, &prefill.email)] {
        input.unchecked_ref::<HtmlInputElement>().set_value(value);
    }
    // One handler for the whole panel: its controls' events bubble up to it.
    let parts = Rc::new(parts);
    on_each(&panel, &["input", "click", "change", "submit"], move |e| {
        // Events reach the panel from its own elements (never a text node).
        let Some(target) = e.target().map(JsCast::unchecked_into::<Element>) else {
            return;
        };
        match e.type_().as_str() {
            "input" => typed(&parts, &target),
            "click" => clicked(&parts, &target),
            "change" => reveal_contact(&parts),
            "submit" => {
                e.prevent_default();
                submit(&parts);
            }
            _ => {}
        }
    })?;
    Ok(panel)
}

/// Keeps the count under the question up to date, and takes back the
/// complaint about the field being typed in.
fn typed(p: &Parts, field: &Element) {
    if field == &p.gaps {
        let used = field.unchecked_ref::<HtmlTextAreaElement>().text_length();
        let mut text = number(used);
        text.push('/');
        text.push_str(&number(MAX_GAPS));
        p.count.set_text_content(Some(&text));
    }
    if field.has_attribute("aria-invalid") {
        let _ = field.remove_attribute("aria-invalid");
        p.error.set_text_content(None);
    }
}

/// A score picked (or cleared: pressed again, by mouse or keyboard alike),
/// or a close button.
fn clicked(p: &Parts, target: &Element) {
    let score = target.get_attribute("data-score");
    if let Some(&[digit]) = score.as_deref().map(str::as_bytes) {
        let n = digit.wrapping_sub(b'0');
        let next = (p.chosen.get() != Some(n)).then_some(n);
        p.chosen.set(next);
        if let Some(scale) = target.parent_element() {
            let buttons = scale.children();
            for (m, i) in (1..=5u8).zip(0..buttons.length()) {
                if let Some(b) = buttons.item(i) {
                    flag(&b, "aria-pressed", next == Some(m));
                }
            }
        }
        reveal_contact(p);
    } else {
        #[cfg(feature = "dialog")]
        close_dialog(target);
    }
}

/// The close buttons of a panel in the dialog (launcher mode) close it; Esc
/// (the dialog's own `cancel`) closes it the same way.
#[cfg(feature = "dialog")]
fn close_dialog(target: &Element) {
    if target.matches(".close, .finish").unwrap_or(false) {
        if let Ok(Some(dialog)) = target.closest("dialog") {
            dialog.unchecked_ref::<web_sys::HtmlDialogElement>().close();
        }
    }
}

/// Shows the contact fields while they are wanted. Both a call back and the
/// guarantee ("our president will call you") need a way to reach the
/// customer; a low score offers one, where the site does.
fn reveal_contact(p: &Parts) {
    let asked = checked(Some(&p.callback)) || checked(p.guarantee.as_ref());
    let low = p.offered && matches!(p.chosen.get(), Some(1..=3));
    show(&p.contact, asked || low);
    show(&p.offer, low && !asked);
}

/// Checks the answer, hands it to the outbox and shows what became of it.
fn submit(parts: &Rc<Parts>) {
    let config = &parts.config;
    let t = config.lang.strings();
    if parts.sending.get() {
        return;
    }
    let Some(answer) = read(parts, t, config.lang) else {
        return;
    };
    let Some(item) = queued(config, &answer) else {
        return;
    };
    parts.sending.set(true);
    parts.send.set_text_content(Some(t.sending));
    flag(&parts.send, "aria-disabled", true);
    let parts = Rc::clone(parts);
    wasm_bindgen_futures::spawn_local(async move {
        let id = item.id.clone();
        let outcome = outbox::deliver(item).await;
        parts.sending.set(false);
        parts.send.set_text_content(Some(t.send));
        let _ = parts.send.remove_attribute("aria-disabled");
        match outcome {
            Outcome::Stored(next) => finished(&parts, &parts.thanks, &next),
            Outcome::Retry(_) => {
                finished(&parts, t.saved, t.offline);
                // When the outbox gets it through later, say so here.
                let later = Rc::clone(&parts);
                outbox::listen(Rc::new(move |settled, outcome| {
                    if let (true, Outcome::Stored(next)) = (settled == id, outcome) {
                        later.done_title.set_text_content(Some(&later.thanks));
                        later.next.set_text_content(Some(next));
                    }
                }));
            }
            Outcome::Rejected(why) => {
                // A refused answer spent its token: draw a new challenge.
                if let Some(c) = &parts.challenge {
                    challenge::reset(c, &parts.config);
                }
                let mut text = String::from(t.failed);
                text.push_str(&why);
                parts.error.set_text_content(Some(&text));
                return;
            }
        }
        let now = js_sys::Date::now();
        let key = parts.config.cooldown_key();
        store::update(|s| s.start_cooldown(&key, now + parts.cooldown_ms, now));
        (parts.on_answered)();
    });
}

/// The answer as typed, or `None` after pointing at what is missing.
fn read(p: &Parts, t: &Strings, lang: Lang) -> Option<Answer> {
    let gaps = p.gaps.unchecked_ref::<HtmlTextAreaElement>().value();
    let _ = p.gaps.remove_attribute("aria-invalid");
    let _ = p.email.remove_attribute("aria-invalid");
    p.error.set_text_content(None);
    if gaps.trim().is_empty() {
        return complain(p, &p.gaps, t.need_gaps);
    }
    let guarantee = checked(p.guarantee.as_ref());
    let callback = checked(Some(&p.callback)) || guarantee;
    let contact = Contact {
        name: input_value(&p.name),
        email: input_value(&p.email),
        phone: input_value(&p.phone),
        callback,
    };
    let reachable = !(contact.email.trim().is_empty() && contact.phone.trim().is_empty());
    if callback && !reachable {
        return complain(p, &p.email, t.need_contact);
    }
    // Hidden fields are not sent: a score raised after typing an address
    // takes the offer, and what was typed into it, away.
    let given = reachable || !contact.name.trim().is_empty();
    let shown = !p.contact.has_attribute("hidden");
    let turnstile = p.challenge.as_ref().map(challenge::token);
    if turnstile == Some(None) {
        p.error.set_text_content(Some(challenge::not_yet(lang)));
        return None;
    }
    Some(Answer {
        gaps,
        score: p.chosen.get(),
        guarantee,
        contact: (callback || (shown && given)).then_some(contact),
        turnstile: turnstile.flatten(),
    })
}

fn complain(p: &Parts, field: &Element, message: &str) -> Option<Answer> {
    flag(field, "aria-invalid", true);
    let _ = field.set_attribute("aria-errormessage", "candor-error");
    p.error.set_text_content(Some(message));
    focus(field);
    None
}

/// The answer with a fresh UUID v4, as the outbox keeps it.
fn queued(config: &Config, answer: &Answer) -> Option<Queued> {
    let window = crate::dom::window();
    let id = window.crypto().ok()?.random_uuid();
    let location = window.location();
    let mut page = location.origin().unwrap_or_default();
    page.push_str(&location.pathname().unwrap_or_default());
    let body = submit::body(config, answer, &id, &page).ok()?;
    Some(Queued {
        id,
        api: config.api.clone(),
        body,
    })
}

fn finished(p: &Parts, title: &str, text: &str) {
    show(&p.form, false);
    p.done_title.set_text_content(Some(title));
    show(&p.done, true);
    p.next.set_text_content(Some(text));
    if let Some(f) = &p.finish {
        show(f, true);
    }
    focus(&p.done);
}
