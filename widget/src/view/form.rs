//! The panel: the open question first (required, with a visible count),
//! then the optional scale, a call back, the guarantee, and the thank-you
//! that takes the form's place. The answer is never cleared on an error.
//!
//! The contact fields show for a call back or the guarantee (then an email
//! or a phone is needed), and, where the site offers it, for a score of 1
//! to 3 (then nothing is needed: the offer says so, and the answer is sent
//! with or without them).

use super::{challenge, score};
use crate::config::Config;
use crate::dom::{append, el, flag, focus, on, show};
use crate::locale::{Copy, Lang, Strings};
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

/// The parts of the panel the submit handler reads and changes.
struct Parts {
    form: Element,
    gaps: Element,
    chosen: Option<score::Chosen>,
    callback: Element,
    guarantee: Option<Element>,
    /// The contact block; what it holds is sent only while it shows.
    contact: Element,
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
}

fn input_value(e: &Element) -> String {
    e.dyn_ref::<HtmlInputElement>()
        .map(HtmlInputElement::value)
        .unwrap_or_default()
}

fn checked(e: Option<&Element>) -> bool {
    e.and_then(|e| e.dyn_ref::<HtmlInputElement>())
        .is_some_and(HtmlInputElement::checked)
}

/// `<label class=check><input type=checkbox id=…> text</label>`.
fn checkbox(doc: &Document, id: &str, text: &str) -> Result<(Element, Element), JsValue> {
    let label = el(doc, "label", &[("class", "check"), ("for", id)], "")?;
    let input = el(doc, "input", &[("type", "checkbox"), ("id", id)], "")?;
    let words = el(doc, "span", &[], text)?;
    append(&label, &[&input, &words])?;
    Ok((label, input))
}

fn text_field(
    doc: &Document,
    id: &str,
    label: &str,
    attrs: &[(&str, &str)],
) -> Result<(Element, Element), JsValue> {
    let wrap = el(doc, "div", &[("class", "field")], "")?;
    let l = el(doc, "label", &[("for", id)], label)?;
    let input = el(doc, "input", &[("id", id)], "")?;
    for (k, v) in attrs {
        input.set_attribute(k, v)?;
    }
    append(&wrap, &[&l, &input])?;
    Ok((wrap, input))
}

/// The contact fields, shown for a call back, the guarantee or a low score.
struct ContactFields {
    block: Element,
    /// The no-pressure line a low score shows above the fields.
    offer: Element,
    name: Element,
    email: Element,
    phone: Element,
}

fn contact_fields(
    doc: &Document,
    t: &Strings,
    prefill: &crate::config::Prefill,
) -> Result<ContactFields, JsValue> {
    let block = el(doc, "div", &[("class", "contact"), ("hidden", "")], "")?;
    let offer = el(
        doc,
        "p",
        &[
            ("class", "hint"),
            ("id", "candor-contact-offer"),
            ("hidden", ""),
        ],
        t.contact_offer,
    )?;
    let hint = el(
        doc,
        "p",
        &[("class", "hint"), ("id", "candor-contact-hint")],
        t.contact_hint,
    )?;
    let described = ("aria-describedby", "candor-contact-hint");
    let (name_row, name) = text_field(
        doc,
        "candor-name",
        t.name,
        &[("autocomplete", "name"), ("maxlength", "200")],
    )?;
    let (email_row, email) = text_field(
        doc,
        "candor-email",
        t.email,
        &[
            ("type", "email"),
            ("autocomplete", "email"),
            ("maxlength", "254"),
            described,
        ],
    )?;
    let (phone_row, phone) = text_field(
        doc,
        "candor-phone",
        t.phone,
        &[
            ("type", "tel"),
            ("autocomplete", "tel"),
            ("maxlength", "40"),
            described,
        ],
    )?;
    append(&block, &[&offer, &hint, &name_row, &email_row, &phone_row])?;
    // `Candor.identify()`: in plain sight, editable, sent only with the rest.
    for (input, value) in [(&name, &prefill.name), (&email, &prefill.email)] {
        if let Some(i) = input.dyn_ref::<HtmlInputElement>() {
            i.set_value(value);
        }
    }
    Ok(ContactFields {
        block,
        offer,
        name,
        email,
        phone,
    })
}

/// The required open question with its hint and a visible count.
fn question(doc: &Document, fields: &Element, copy: &Copy) -> Result<Element, JsValue> {
    let label = el(doc, "label", &[("for", "candor-gaps")], &copy.question)?;
    let hint = el(
        doc,
        "p",
        &[("id", "candor-hint"), ("class", "hint")],
        &copy.hint,
    )?;
    let gaps = el(
        doc,
        "textarea",
        &[
            ("id", "candor-gaps"),
            ("rows", "4"),
            ("maxlength", "4000"),
            ("required", ""),
            ("aria-required", "true"),
            ("aria-describedby", "candor-hint candor-count"),
        ],
        "",
    )?;
    let count = el(
        doc,
        "p",
        &[("id", "candor-count"), ("class", "count")],
        "0/4000",
    )?;
    append(fields, &[&label, &hint, &gaps, &count])?;
    on(&gaps, "input", move |e| {
        let used = e
            .target()
            .and_then(|t| t.dyn_into::<HtmlTextAreaElement>().ok())
            .map_or(0, |t| t.text_length());
        let mut text = number(used);
        text.push('/');
        text.push_str(&number(MAX_GAPS));
        count.set_text_content(Some(&text));
    })?;
    Ok(gaps)
}

/// Where the thank-you (or "saved on this device") appears in place of
/// the form: a focusable heading block, the live region, and in launcher
/// mode a close button.
fn thanks_area(
    doc: &Document,
    panel: &Element,
    closable: bool,
    t: &Strings,
) -> Result<(Element, Element, Element, Option<Element>), JsValue> {
    let done = el(
        doc,
        "div",
        &[("class", "done"), ("hidden", ""), ("tabindex", "-1")],
        "",
    )?;
    let done_title = el(doc, "h3", &[], "")?;
    done.append_child(&done_title)?;
    // Present (and empty) from the start, so screen readers announce the
    // thank-you when it is written in.
    let next = el(doc, "p", &[("class", "next"), ("role", "status")], "")?;
    append(panel, &[&done, &next])?;
    let finish = if closable {
        let f = el(
            doc,
            "button",
            &[("type", "button"), ("class", "send finish"), ("hidden", "")],
            t.close,
        )?;
        panel.append_child(&f)?;
        Some(f)
    } else {
        None
    };
    Ok((done, done_title, next, finish))
}

/// Shows the contact fields while they are wanted. Both a call back and the
/// guarantee ("our president will call you") need a way to reach the
/// customer; a low score offers one, where the site does.
fn reveal_contact(
    contact: &ContactFields,
    callback: &Element,
    guarantee: Option<&Element>,
    scale: Option<&(Element, score::Chosen)>,
    offered: bool,
) -> Result<(), JsValue> {
    let refresh = {
        let (block, offer, callback, guarantee) = (
            contact.block.clone(),
            contact.offer.clone(),
            callback.clone(),
            guarantee.cloned(),
        );
        let chosen = scale.map(|(_, c)| Rc::clone(c));
        move || {
            let asked = checked(Some(&callback)) || checked(guarantee.as_ref());
            let low = offered
                && chosen
                    .as_ref()
                    .is_some_and(|c| matches!(c.get(), Some(1..=3)));
            show(&block, asked || low);
            show(&offer, low && !asked);
        }
    };
    let refresh = Rc::new(refresh);
    let triggers = std::iter::once((callback, "change"))
        .chain(guarantee.map(|g| (g, "change")))
        // The scale's buttons set the score first; the group hears the
        // click as it bubbles.
        .chain(scale.map(|(group, _)| (group, "click")));
    for (trigger, event) in triggers {
        let refresh = Rc::clone(&refresh);
        on(trigger, event, move |_| refresh())?;
    }
    Ok(())
}

/// Builds the panel. A `closable` panel (launcher mode) has a close button
/// (`.close`) in its header and one after the thank-you (`.finish`); the
/// dialog wires both. `on_answered` runs once the answer is stored or
/// safely queued.
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
    let panel = el(doc, "div", &[("class", "panel")], "")?;
    let header = el(doc, "div", &[("class", "header")], "")?;
    let title = el(doc, "h2", &[("id", "candor-title")], &copy.title)?;
    header.append_child(&title)?;
    if closable {
        let close = el(
            doc,
            "button",
            &[
                ("type", "button"),
                ("class", "close"),
                ("aria-label", t.close),
            ],
            "×",
        )?;
        header.append_child(&close)?;
    }
    let form = el(doc, "form", &[("novalidate", ""), ("class", "form")], "")?;
    // In the dialog only the fields scroll, so the title, the complaint and
    // Send stay in view (panel.css; the fields' box reaches the dialog's
    // sides, so focus rings are not clipped).
    let fields = el(doc, "div", &[("class", "fields")], "")?;
    let gaps = question(doc, &fields, copy)?;
    let scale = if site.show_score {
        let (group, chosen) = score::scale(doc, &copy.score_question, t)?;
        fields.append_child(&group)?;
        Some((group, chosen))
    } else {
        None
    };
    let chosen = scale.as_ref().map(|(_, c)| Rc::clone(c));
    let (callback_row, callback) = checkbox(doc, "candor-callback", t.callback)?;
    fields.append_child(&callback_row)?;
    let guarantee = if site.show_guarantee {
        let (row, input) = checkbox(doc, "candor-guarantee", t.guarantee)?;
        let hint = el(doc, "p", &[("class", "hint")], t.guarantee_hint)?;
        append(&fields, &[&row, &hint])?;
        Some(input)
    } else {
        None
    };
    let contact = contact_fields(doc, t, &config.prefill)?;
    fields.append_child(&contact.block)?;
    reveal_contact(
        &contact,
        &callback,
        guarantee.as_ref(),
        scale.as_ref(),
        site.offer_contact,
    )?;
    let challenge = match &site.turnstile_sitekey {
        Some(key) => {
            let host = el(doc, "div", &[("class", "challenge")], "")?;
            fields.append_child(&host)?;
            challenge::render(&host, key, config);
            Some(host)
        }
        None => None,
    };
    let error = el(
        doc,
        "p",
        &[
            ("class", "error"),
            ("id", "candor-error"),
            ("role", "alert"),
        ],
        "",
    )?;
    let send = el(
        doc,
        "button",
        &[("type", "submit"), ("class", "send")],
        t.send,
    )?;
    append(&form, &[&fields, &error, &send])?;

    append(&panel, &[&header, &form])?;
    let (done, done_title, next, finish) = thanks_area(doc, &panel, closable, t)?;
    let parts = Parts {
        form,
        gaps,
        chosen,
        callback,
        guarantee,
        contact: contact.block,
        name: contact.name,
        email: contact.email,
        phone: contact.phone,
        challenge,
        error,
        send,
        done,
        done_title,
        next,
        finish,
    };
    on_submit(Rc::new(parts), config, site, on_answered)?;
    Ok(panel)
}

/// Checks the answer, hands it to the outbox and shows what became of it.
fn on_submit(
    parts: Rc<Parts>,
    config: &Rc<Config>,
    site: &Site,
    on_answered: Rc<dyn Fn()>,
) -> Result<(), JsValue> {
    let t = config.lang.strings();
    let sending = Rc::new(Cell::new(false));
    let config = Rc::clone(config);
    let cooldown_ms = f64::from(site.cooldown_days) * DAY_MS;
    let thanks = site.copy.thanks.clone();
    let form = parts.form.clone();
    // Typing again clears the complaint about the field being typed in.
    let error = parts.error.clone();
    on(&form, "input", move |e| {
        if let Some(field) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) {
            if field.has_attribute("aria-invalid") {
                let _ = field.remove_attribute("aria-invalid");
                error.set_text_content(None);
            }
        }
    })?;
    on(&form, "submit", move |e| {
        e.prevent_default();
        if sending.get() {
            return;
        }
        let Some(answer) = read(&parts, t, config.lang) else {
            return;
        };
        let Some(item) = queued(&config, &answer) else {
            return;
        };
        sending.set(true);
        parts.send.set_text_content(Some(t.sending));
        flag(&parts.send, "aria-disabled", true);
        let (parts, sending, config, thanks, on_answered) = (
            Rc::clone(&parts),
            Rc::clone(&sending),
            Rc::clone(&config),
            thanks.clone(),
            Rc::clone(&on_answered),
        );
        wasm_bindgen_futures::spawn_local(async move {
            let id = item.id.clone();
            let outcome = outbox::deliver(item).await;
            sending.set(false);
            parts.send.set_text_content(Some(t.send));
            let _ = parts.send.remove_attribute("aria-disabled");
            match outcome {
                Outcome::Stored(next) => finished(&parts, &thanks, &next),
                Outcome::Retry(_) => {
                    finished(&parts, t.saved, t.offline);
                    // When the outbox gets it through later, say so here.
                    let later = Rc::clone(&parts);
                    outbox::listen(Rc::new(move |settled, outcome| {
                        if let (true, Outcome::Stored(next)) = (settled == id, outcome) {
                            later.done_title.set_text_content(Some(&thanks));
                            later.next.set_text_content(Some(next));
                        }
                    }));
                }
                Outcome::Rejected(why) => {
                    // A refused answer spent its token: draw a new challenge.
                    if let Some(c) = &parts.challenge {
                        challenge::reset(c, &config);
                    }
                    let mut text = String::from(t.failed);
                    text.push_str(&why);
                    parts.error.set_text_content(Some(&text));
                    return;
                }
            }
            let now = js_sys::Date::now();
            store::update(|s| s.start_cooldown(&config.cooldown_key(), now + cooldown_ms, now));
            on_answered();
        });
    })
}

/// The answer as typed, or `None` after pointing at what is missing.
fn read(p: &Parts, t: &Strings, lang: Lang) -> Option<Answer> {
    let gaps = p
        .gaps
        .dyn_ref::<HtmlTextAreaElement>()
        .map(HtmlTextAreaElement::value)
        .unwrap_or_default();
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
        score: p.chosen.as_ref().and_then(|c| c.get()),
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
