//! A labelled form control: its label, hint and errors, each tied to the
//! control by id (`aria-describedby`, `aria-invalid`), so a screen reader
//! reads a field's problem with the field.

use domain::settings_form::FieldError;
use maud::{html, Markup};

/// An element id for a form field name: `copy.de.title` → `f-copy-de-title`.
pub(super) fn field_id(name: &str) -> String {
    let mut id = String::from("f-");
    id.extend(name.chars().map(|c| {
        if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
            c
        } else {
            '-'
        }
    }));
    id
}

/// What a field shows and how it is described.
pub(super) struct Field<'a> {
    pub(super) name: &'a str,
    pub(super) label: &'a str,
    pub(super) hint: Option<&'a str>,
    /// Ids of hints shared with other fields (a fieldset's).
    pub(super) shared: &'a [&'a str],
    pub(super) errors: Vec<String>,
}

/// The attributes a control needs to point at its label, hint and errors.
pub(super) struct Control {
    pub(super) id: String,
    pub(super) described: Option<String>,
    pub(super) invalid: Option<&'static str>,
}

/// A labelled field: label, hint, errors (each described on the control),
/// then the control `draw` makes.
pub(super) fn field(f: &Field, draw: impl FnOnce(&Control) -> Markup) -> Markup {
    let id = field_id(f.name);
    let hint_id = format!("{id}-hint");
    let errors: Vec<(String, &String)> = f
        .errors
        .iter()
        .enumerate()
        .map(|(i, e)| (format!("{id}-error-{i}"), e))
        .collect();
    let mut refs: Vec<&str> = Vec::new();
    if f.hint.is_some() {
        refs.push(&hint_id);
    }
    refs.extend(f.shared.iter().copied());
    refs.extend(errors.iter().map(|(eid, _)| eid.as_str()));
    let control = Control {
        described: (!refs.is_empty()).then(|| refs.join(" ")),
        invalid: (!errors.is_empty()).then_some("true"),
        id,
    };
    html! {
        div.field {
            label for=(control.id) { (f.label) }
            @if let Some(hint) = f.hint { p.hint id=(hint_id) { (hint) } }
            @for (eid, message) in &errors { p.field-error id=(eid) { (message) } }
            (draw(&control))
        }
    }
}

pub(super) fn errors_for(errors: &[FieldError], name: &str) -> Vec<String> {
    errors
        .iter()
        .filter(|e| e.field == name)
        .map(|e| e.message.clone())
        .collect()
}

pub(super) fn number_input(c: &Control, name: &str, value: &str, min: u32, max: u32) -> Markup {
    html! {
        input type="number" id=(c.id) name=(name) value=(value) min=(min) max=(max) step="1"
            inputmode="numeric" required aria-describedby=[c.described.as_deref()]
            aria-invalid=[c.invalid];
    }
}
