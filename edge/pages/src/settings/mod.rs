//! The dashboard's Settings page for one site: the widget and SLA settings
//! (with the wording check shown next to the copy it refuses), alert
//! recipients, the embed snippet, undelivered alerts, export and erasure.
//!
//! [`render`] draws the page from a [`SettingsView`], one module per
//! section; `domain::settings_form` reads its form posts. Every value goes
//! through maud, which escapes it; URLs built here percent-encode their
//! parts. The limits the page states are `domain::site`'s. After a failed save the page is drawn again from
//! the [`GeneralForm`] the manager sent, so what they typed stays, with each
//! [`FieldError`] beside its field.

mod controls;
mod data;
mod dead_letters;
mod deadlines;
mod general;
mod labels;
mod recipients;
#[cfg(test)]
mod tests;

use crate::Chrome;
use domain::deadlines::DeadlineRow;
use domain::delivery::DeadLetter;
use domain::recipient::RecipientLine;
use domain::settings_form::{FieldError, GeneralForm, Notice};
use maud::{html, Markup};
use std::fmt::Write as _;

/// Everything the Settings page shows.
#[derive(Debug, Clone, Copy)]
pub struct SettingsView<'a> {
    pub chrome: &'a Chrome,
    /// The site being edited.
    pub site: &'a str,
    /// Every site, for the picker.
    pub sites: &'a [String],
    /// The Worker's origin, e.g. `https://feedback.example.com` (for the snippet).
    pub base_url: &'a str,
    /// The "Widget & SLA" values: stored ([`GeneralForm::from_config`]) or
    /// as posted ([`domain::settings_form::parse_general`]) after a failed save.
    pub form: &'a GeneralForm,
    /// What was wrong with the posted form ([`GeneralForm::check`]).
    pub errors: &'a [FieldError],
    pub recipients: &'a [RecipientLine],
    pub dead_letters: &'a [DeadLetter],
    pub notice: Option<&'a Notice>,
    /// The step deadlines form's lines (`domain::deadlines::rows`).
    pub deadlines: &'a [DeadlineRow],
}

/// The locales the widget ships, always offered for copy.
pub const SHIPPED_LOCALES: [&str; 3] = ["en", "de", "ar"];

/// The whole page.
pub fn render(v: &SettingsView) -> String {
    let body = html! {
        h1 { "Settings" }
        (site_picker(v.site, v.sites))
        (general::notices(v.notice, v.errors, v.form))
        (general::general(v))
        (recipients::recipients(v))
        (deadlines::deadlines(v))
        (embed(v.site, v.base_url))
        (dead_letters::dead_letters(v))
        (data::export(v.site))
        (data::erase(v))
    };
    crate::page("Settings", Some(v.chrome), &body)
}

/// A path segment, percent-encoded (site keys and ids are plain already;
/// this keeps a stray `/`, `?` or `#` from changing where a form posts).
fn segment(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for b in raw.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

pub(super) fn settings_path(site: &str) -> String {
    format!("/dashboard/settings/{}", segment(site))
}

fn site_picker(site: &str, sites: &[String]) -> Markup {
    let listed = sites.iter().any(|s| s == site);
    html! {
        form.row method="get" action="/dashboard/settings" {
            div.field {
                label for="site-picker" { "Site" }
                select #site-picker name="site" {
                    @if !listed { option value=(site) selected { (site) } }
                    @for s in sites { option value=(s) selected[s == site] { (s) } }
                }
            }
            div.field { button.quiet type="submit" { "Open" } }
        }
    }
}

fn embed(site: &str, base_url: &str) -> Markup {
    let snippet = format!(
        "<script src=\"{}/widget.js\" data-site=\"{site}\" async></script>",
        base_url.trim_end_matches('/')
    );
    html! {
        section.card aria-labelledby="embed-h" {
            h2 #embed-h { "Embed snippet" }
            p { "Paste this tag into the pages where customers should find the widget. \
                 Their origin must be listed under Allowed origins." }
            pre.snippet #embed-snippet { code { (snippet) } }
            button.quiet type="button" data-copy="embed-snippet" { "Copy" }
            p.hint {
                "Add " code { "data-transaction=\"order-123\"" } " to link an order or ticket id to the \
                 answer, or " code { "data-mode=\"inline\" data-target=\"#feedback\"" }
                " to draw the form inside that element instead of a launcher button."
            }
        }
    }
}
