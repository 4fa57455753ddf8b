//! The optional 1–5 scale (rule 1): five equal buttons with neutral end
//! labels, none pressed, no stars and no colour that rewards a 5. Pressing
//! the chosen one again clears it, by mouse or keyboard alike.

use crate::dom::{append, el, flag, on};
use crate::text::number;
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::{Document, Element};

/// The score the customer picked, if any.
pub type Chosen = Rc<Cell<Option<u8>>>;

pub fn scale(
    doc: &Document,
    question: &str,
    t: &crate::locale::Strings,
) -> Result<(Element, Chosen), JsValue> {
    let group = el(
        doc,
        "div",
        &[
            ("role", "group"),
            ("aria-labelledby", "candor-score-q"),
            ("aria-describedby", "candor-score-ends candor-score-clear"),
            ("class", "score"),
        ],
        "",
    )?;
    let legend = el(
        doc,
        "p",
        &[("id", "candor-score-q"), ("class", "legend")],
        question,
    )?;
    let buttons = el(doc, "div", &[("class", "scale")], "")?;
    let chosen: Chosen = Rc::new(Cell::new(None));
    let mut all = Vec::new();
    for n in 1..=5u8 {
        let label = number(n);
        let b = el(
            doc,
            "button",
            &[
                ("type", "button"),
                ("class", "pick"),
                ("aria-pressed", "false"),
                ("data-score", &label),
            ],
            &label,
        )?;
        buttons.append_child(&b)?;
        all.push(b);
    }
    for (n, b) in (1..=5u8).zip(&all) {
        let (chosen, all) = (Rc::clone(&chosen), all.clone());
        on(b, "click", move |_| {
            let next = if chosen.get() == Some(n) {
                None
            } else {
                Some(n)
            };
            chosen.set(next);
            for (m, other) in (1..=5u8).zip(&all) {
                flag(other, "aria-pressed", next == Some(m));
            }
        })?;
    }
    let ends = el(
        doc,
        "p",
        &[("class", "ends"), ("id", "candor-score-ends")],
        "",
    )?;
    append(
        &ends,
        &[
            &el(doc, "span", &[], t.score_low)?,
            &el(doc, "span", &[], t.score_high)?,
        ],
    )?;
    let clear = el(
        doc,
        "p",
        &[("class", "hint"), ("id", "candor-score-clear")],
        t.score_clear,
    )?;
    append(&group, &[&legend, &buttons, &ends, &clear])?;
    Ok((group, chosen))
}
