//! The "Widget & SLA" section: what was wrong with the last save, the
//! origins, the widget's switches and cooldown, the acknowledge deadlines
//! and the copy per locale, with the wording check beside each line.

use super::controls::{errors_for, field, field_id, number_input, Field};
use super::labels::{capitalised, copy_label, general_label, human_minutes, is_rtl, locale_name};
use super::{settings_path, SettingsView, SHIPPED_LOCALES};
use crate::layout::csrf_field;
use domain::retention::MAX_RETENTION_DAYS;
use domain::settings_form::{
    bait_in, bait_message, copy_name, FieldError, GeneralForm, Notice, SLA_FIELDS,
};
use domain::site::{
    COPY_KEYS, DEFAULT_COOLDOWN_DAYS, MAX_COOLDOWN_DAYS, MAX_COPY_CHARS, MAX_ORIGINS, SLA_MINUTES,
};
use maud::{html, Markup};
use std::fmt::Write as _;

pub(super) fn notices(
    notice: Option<&Notice>,
    errors: &[FieldError],
    form: &GeneralForm,
) -> Markup {
    let locales = locales(form);
    html! {
        @if let Some(n) = notice {
            @if n.ok {
                div.notice.ok role="status" { p { (n.text) } }
            } @else {
                div.notice.error role="alert" { p { (n.text) } }
            }
        }
        @if !errors.is_empty() {
            div.notice.error role="alert" {
                p { strong { "Nothing was saved. " }
                    @if errors.len() == 1 { "One field needs a change:" }
                    @else { (errors.len()) " fields need a change:" } }
                ul {
                    @for e in errors {
                        li {
                            @if let Some(label) = general_label(&e.field, &locales) {
                                a href={ "#" (field_id(&e.field)) } { (label) } ": " (e.message)
                            } @else {
                                "\u{201c}" (e.field) "\u{201d}: " (e.message)
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The locales the copy section offers: the shipped ones, then any other
/// the site already has copy for.
pub(super) fn locales(form: &GeneralForm) -> Vec<String> {
    let mut out: Vec<String> = SHIPPED_LOCALES.iter().map(|l| (*l).to_owned()).collect();
    for l in form.copy.keys() {
        if !out.contains(l) {
            out.push(l.clone());
        }
    }
    out
}

const RETENTION_HINT: &str = "Each answer\u{2019}s words, name, email, phone, page and \
    transaction reference are erased this many days after it arrived (once its case is \
    closed); the anonymous record and the audit trail stay. Empty keeps them.";

pub(super) fn general(v: &SettingsView) -> Markup {
    let f = v.form;
    let origins_hint = format!(
        "One per line, like https://shop.example.com (add :* for any port). \
         Only pages on these origins can show the widget and send answers. At most {MAX_ORIGINS}."
    );
    let cooldown_hint = format!(
        "After an answer, the widget does not offer itself again in that \
         browser for this many days. Default {DEFAULT_COOLDOWN_DAYS}; 0 offers it again at once."
    );
    html! {
        section.card aria-labelledby="general-h" {
            h2 #general-h { "Widget & SLA" }
            form method="post" action=(settings_path(v.site)) {
                (csrf_field(v.chrome))
                div.grid {
                    (field(&Field {
                        name: "origins",
                        label: "Allowed origins",
                        hint: Some(&origins_hint),
                        shared: &[],
                        errors: errors_for(v.errors, "origins"),
                    }, |c| html! {
                        textarea id=(c.id) name="origins" rows="4" spellcheck="false" autocapitalize="off"
                            aria-describedby=[c.described.as_deref()] aria-invalid=[c.invalid] { (f.origins) }
                    }))
                    div {
                        (switches(f, v.errors))
                        (field(&Field {
                            name: "cooldown_days",
                            label: "Cooldown (days)",
                            hint: Some(&cooldown_hint),
                            shared: &[],
                            errors: errors_for(v.errors, "cooldown_days"),
                        }, |c| number_input(c, "cooldown_days", &f.cooldown_days, 0, MAX_COOLDOWN_DAYS)))
                        (field(&Field {
                            name: "retention_days",
                            label: "Erase personal data after (days)",
                            hint: Some(RETENTION_HINT),
                            shared: &[],
                            errors: errors_for(v.errors, "retention_days"),
                        }, |c| html! {
                            // Optional: empty keeps personal data (the default).
                            input type="number" id=(c.id) name="retention_days" value=(f.retention_days)
                                min="0" max=(MAX_RETENTION_DAYS) step="1" inputmode="numeric" placeholder="Keep"
                                aria-describedby=[c.described.as_deref()] aria-invalid=[c.invalid];
                        }))
                    }
                }
                (sla(f, v.errors))
                h3 { "Wording" }
                p.hint { "The widget asks for the gaps, not the score. Wording that nudges customers \
                          toward a high score (\u{201c}excellent\u{201d}, \u{201c}5 stars\u{201d}, \
                          \u{201c}would you give us\u{201d}) is refused in every language." }
                div.grid {
                    @for locale in locales(f) { (copy_fieldset(f, &locale, v.errors)) }
                }
                button type="submit" { "Save settings" }
            }
        }
    }
}

pub(super) fn switches(f: &GeneralForm, errors: &[FieldError]) -> Markup {
    let switch = |name: &str, label: &str, hint: &str, on: bool| {
        let id = field_id(name);
        let hint_id = format!("{id}-hint");
        let errs = errors_for(errors, name);
        let mut described = hint_id.clone();
        for i in 0..errs.len() {
            let _ = write!(described, " {id}-error-{i}");
        }
        html! {
            div.field {
                label.check for=(id) {
                    input type="checkbox" id=(id) name=(name) value="on" checked[on]
                        aria-describedby=(described) aria-invalid=[(!errs.is_empty()).then_some("true")];
                    (label)
                }
                p.hint id=(hint_id) { (hint) }
                @for (i, e) in errs.iter().enumerate() {
                    p.field-error id={ (id) "-error-" (i) } { (e) }
                }
            }
        }
    };
    html! {
        fieldset {
            legend { "What the widget offers" }
            (switch("score", "Show the score",
                "An optional, neutral 1\u{2013}5 score after the customer\u{2019}s own words. \
                 Below 4 it alerts people (see Recipients).", f.score))
            (switch("guarantee", "Offer the guarantee",
                "\u{201c}Not worth what you paid? Pay what you think it was worth \u{2014} talk to the \
                 president.\u{201d} Invoking it alerts everyone up to the president.", f.guarantee))
            (switch("offer_contact", "Offer contact on a low score",
                "A score of 1 to 3 shows the optional contact fields, worded without pressure: \
                 leave a way to reach you if you\u{2019}re willing. Nothing is required.", f.offer_contact))
        }
    }
}

pub(super) fn sla(f: &GeneralForm, errors: &[FieldError]) -> Markup {
    html! {
        fieldset {
            legend { "Acknowledge deadlines (minutes)" }
            p.hint id="sla-hint" { "A case nobody acknowledges in time is re-escalated one level \
                                    up, once per level. " (SLA_MINUTES.start()) " to "
                                    (SLA_MINUTES.end()) " minutes (a week)." }
            div.row {
                @for (name, tier) in SLA_FIELDS {
                    @let hint = tier.default_ack_minutes()
                        .map(|m| format!("{}. Default {}.", capitalised(tier.audience()), human_minutes(m)));
                    (field(&Field {
                        name,
                        label: tier.label(),
                        hint: hint.as_deref(),
                        shared: &["sla-hint"],
                        errors: errors_for(errors, name),
                    }, |c| number_input(c, name, f.sla_field(name).unwrap_or_default(),
                        *SLA_MINUTES.start(), *SLA_MINUTES.end())))
                }
            }
        }
    }
}

/// A copy field's errors; the wording check shows even when the caller did
/// not run [`GeneralForm::check`] (copy stored before the check existed).
pub(super) fn copy_errors(errors: &[FieldError], name: &str, value: &str) -> Vec<String> {
    let mut found = errors_for(errors, name);
    if found.is_empty() {
        found.extend(bait_in(value).map(bait_message));
    }
    found
}

pub(super) fn copy_fieldset(f: &GeneralForm, locale: &str, errors: &[FieldError]) -> Markup {
    let dir = if is_rtl(locale) { "rtl" } else { "ltr" };
    // Not `…-hint`: `copy.<locale>.hint` is a field, and its id ends so.
    let hint_id = format!("note-{}", field_id(&format!("copy.{locale}")));
    let lines = f.copy.get(locale);
    html! {
        fieldset {
            legend { (locale_name(locale)) " (" (locale) ")" }
            p.hint id=(hint_id) {
                "Leave a line empty to use the widget\u{2019}s built-in " (locale_name(locale))
                " text. At most " (MAX_COPY_CHARS) " characters; line breaks become spaces."
            }
            @for key in COPY_KEYS {
                @let name = copy_name(locale, key);
                @let value = lines.and_then(|l| l.get(key)).map_or("", String::as_str);
                (field(&Field {
                    name: &name,
                    label: copy_label(key),
                    hint: None,
                    shared: &[hint_id.as_str()],
                    errors: copy_errors(errors, &name, value),
                }, |c| html! {
                    @if matches!(key, "title" | "score_question") {
                        input type="text" id=(c.id) name=(name) value=(value) lang=(locale) dir=(dir)
                            aria-describedby=[c.described.as_deref()] aria-invalid=[c.invalid];
                    } @else {
                        textarea id=(c.id) name=(name) rows="2" lang=(locale) dir=(dir)
                            aria-describedby=[c.described.as_deref()] aria-invalid=[c.invalid] { (value) }
                    }
                }))
            }
        }
    }
}
