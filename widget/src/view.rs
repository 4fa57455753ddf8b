//! The widget's DOM: a launcher button and a dialog with the open question,
//! an optional neutral 1–5 score (nothing preselected), and the thank-you.

use crate::config::Config;
use crate::dom::{append, el, on};
use crate::locale::strings;
use crate::submit::{self, Answer};
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::{
    CssStyleSheet, Document, Element, HtmlTextAreaElement, ShadowRootInit, ShadowRootMode,
};

const CSS: &str = include_str!("widget.css");

/// The score the customer picked, if any; shared by the scale and the send button.
type ChosenScore = Rc<Cell<Option<u8>>>;

pub fn mount(config: &Config) -> Result<(), JsValue> {
    let window = web_sys::window().ok_or("no window")?;
    let doc = window.document().ok_or("no document")?;
    let body = doc.body().ok_or("no body")?;
    let host = doc.create_element("candor-widget")?;
    let init = ShadowRootInit::new(ShadowRootMode::Open);
    let root = host.attach_shadow(&init)?;
    // A constructed stylesheet: allowed under `style-src 'self'`, invisible
    // to the host page, and the host page's CSS cannot reach into it.
    let sheet = CssStyleSheet::new()?;
    sheet.replace_sync(CSS)?;
    root.set_adopted_style_sheets(&js_sys::Array::of1(&sheet));

    let t = strings(&config.locale);
    let launcher = el(
        &doc,
        "button",
        &[
            ("type", "button"),
            ("class", "launcher"),
            ("aria-haspopup", "dialog"),
            ("aria-expanded", "false"),
        ],
        t.launcher,
    )?;
    let dialog = el(
        &doc,
        "div",
        &[
            ("class", "dialog"),
            ("role", "dialog"),
            ("aria-modal", "false"),
            ("aria-labelledby", "candor-title"),
            ("hidden", ""),
        ],
        "",
    )?;
    let header = el(&doc, "div", &[("class", "header")], "")?;
    let title = el(&doc, "h2", &[("id", "candor-title")], t.title)?;
    let close = el(
        &doc,
        "button",
        &[
            ("type", "button"),
            ("class", "close"),
            ("aria-label", t.close),
        ],
        "×",
    )?;
    append(&header, &[&title, &close])?;
    // One live region for errors and the thank-you, present from the start
    // so screen readers announce what is written into it.
    let status = el(
        &doc,
        "p",
        &[
            ("class", "status"),
            ("role", "status"),
            ("aria-live", "polite"),
        ],
        "",
    )?;
    let form = form(&doc, config, t, &status)?;
    append(&dialog, &[&header, &form, &status])?;
    root.append_child(&launcher)?;
    root.append_child(&dialog)?;
    body.append_child(&host)?;

    let toggle = {
        let (dialog, launcher) = (dialog.clone(), launcher.clone());
        move |open: bool| {
            let _ = if open {
                dialog.remove_attribute("hidden")
            } else {
                dialog.set_attribute("hidden", "")
            };
            let _ = launcher.set_attribute("aria-expanded", if open { "true" } else { "false" });
        }
    };
    let open = toggle.clone();
    let focus_target = form.query_selector("textarea")?;
    on(&launcher, "click", move |_| {
        open(true);
        if let Some(t) = focus_target
            .as_ref()
            .and_then(|e| e.dyn_ref::<web_sys::HtmlElement>())
        {
            let _ = t.focus();
        }
    })?;
    let launcher_focus = launcher.clone();
    on(&close, "click", move |_| {
        toggle(false);
        if let Some(l) = launcher_focus.dyn_ref::<web_sys::HtmlElement>() {
            let _ = l.focus();
        }
    })?;
    Ok(())
}

fn form(
    doc: &Document,
    config: &Config,
    t: &'static crate::locale::Strings,
    status: &Element,
) -> Result<Element, JsValue> {
    let form = el(doc, "div", &[("class", "form")], "")?;
    let label = el(doc, "label", &[("for", "candor-gaps")], t.gaps_label)?;
    let hint = el(
        doc,
        "p",
        &[("id", "candor-gaps-hint"), ("class", "hint")],
        t.gaps_hint,
    )?;
    let gaps = el(
        doc,
        "textarea",
        &[
            ("id", "candor-gaps"),
            ("rows", "4"),
            ("maxlength", "4000"),
            ("required", ""),
            ("aria-describedby", "candor-gaps-hint"),
        ],
        "",
    )?;

    let (group, score) = score_group(doc, t)?;

    let send = el(
        doc,
        "button",
        &[("type", "button"), ("class", "send")],
        t.submit,
    )?;
    append(&form, &[&label, &hint, &gaps, &group, &send])?;
    let status = status.clone();

    let config = config.clone();
    let sending = Rc::new(Cell::new(false));
    let form_el = form.clone();
    on(&send.clone(), "click", move |_| {
        if sending.get() {
            return;
        }
        let text = gaps
            .dyn_ref::<HtmlTextAreaElement>()
            .map(HtmlTextAreaElement::value)
            .unwrap_or_default();
        if text.trim().is_empty() {
            status.set_text_content(Some(t.need_gaps));
            let _ = gaps.set_attribute("aria-invalid", "true");
            return;
        }
        let _ = gaps.remove_attribute("aria-invalid");
        let answer = Answer {
            gaps: text,
            score: score.get(),
        };
        let Some(window) = web_sys::window() else {
            return;
        };
        let id = window.crypto().map(|c| c.random_uuid()).unwrap_or_default();
        let page = window.location().href().unwrap_or_default();
        let Ok(body) = submit::body(&config, &answer, &id, &page) else {
            return;
        };
        sending.set(true);
        send.set_text_content(Some(t.sending));
        let (config, status, send, sending, form_el) = (
            config.clone(),
            status.clone(),
            send.clone(),
            Rc::clone(&sending),
            form_el.clone(),
        );
        wasm_bindgen_futures::spawn_local(async move {
            match submit::send(&config, &body).await {
                Ok(next) => {
                    // The thank-you takes the form's place.
                    let _ = form_el.set_attribute("hidden", "");
                    let _ = status.set_attribute("class", "status thanks");
                    status.set_text_content(Some(&next));
                }
                Err(message) => {
                    status.set_text_content(Some(&format!("{} ({message})", t.failed)));
                    send.set_text_content(Some(t.submit));
                }
            }
            sending.set(false);
        });
    })?;
    Ok(form)
}

/// The optional 1–5 scale: five equal buttons, none pressed; pressing the
/// chosen one again clears it. Returns the group and the chosen score.
fn score_group(
    doc: &Document,
    t: &'static crate::locale::Strings,
) -> Result<(Element, ChosenScore), JsValue> {
    let group = el(
        doc,
        "div",
        &[
            ("role", "group"),
            ("aria-labelledby", "candor-score-legend"),
            ("class", "score"),
        ],
        "",
    )?;
    let legend = el(
        doc,
        "p",
        &[("id", "candor-score-legend"), ("class", "legend")],
        t.score_legend,
    )?;
    let buttons = el(doc, "div", &[("class", "scale")], "")?;
    let score = Rc::new(Cell::new(None::<u8>));
    let mut all = Vec::new();
    for n in 1..=5u8 {
        let b = el(
            doc,
            "button",
            &[
                ("type", "button"),
                ("class", "pick"),
                ("aria-pressed", "false"),
                ("data-score", &n.to_string()),
            ],
            &n.to_string(),
        )?;
        buttons.append_child(&b)?;
        all.push(b);
    }
    for (i, b) in all.iter().enumerate() {
        let (score, all) = (Rc::clone(&score), all.clone());
        let n = u8::try_from(i + 1).unwrap_or(1);
        on(b, "click", move |_| {
            // Pressing the chosen score again clears it: the score stays optional.
            let next = if score.get() == Some(n) {
                None
            } else {
                Some(n)
            };
            score.set(next);
            for (j, other) in all.iter().enumerate() {
                let pressed = next == u8::try_from(j + 1).ok();
                let _ = other.set_attribute("aria-pressed", if pressed { "true" } else { "false" });
            }
        })?;
    }
    let ends = el(
        doc,
        "div",
        &[("class", "ends"), ("aria-hidden", "true")],
        "",
    )?;
    append(
        &ends,
        &[
            &el(doc, "span", &[], t.score_low)?,
            &el(doc, "span", &[], t.score_high)?,
        ],
    )?;
    append(&group, &[&legend, &buttons, &ends])?;
    Ok((group, score))
}
