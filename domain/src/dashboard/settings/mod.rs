//! The dashboard's Settings page for one site: the widget and SLA settings
//! (with the wording check shown next to the copy it refuses), alert
//! recipients, the embed snippet, undelivered alerts, export and erasure.
//!
//! [`render`] draws the page from a [`SettingsView`]; `domain::settings_form`
//! reads its form posts. After a failed save the page is drawn again from
//! the [`GeneralForm`] the manager sent, so what they typed stays, with each
//! [`FieldError`] beside its field.

mod view;

pub use view::{render, SHIPPED_LOCALES};

use super::Chrome;
use crate::delivery::DeadLetter;
use crate::recipient::RecipientLine;
use crate::settings_form::{FieldError, GeneralForm, Notice};

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
    /// as posted ([`crate::settings_form::parse_general`]) after a failed save.
    pub form: &'a GeneralForm,
    /// What was wrong with the posted form ([`GeneralForm::check`]).
    pub errors: &'a [FieldError],
    pub recipients: &'a [RecipientLine],
    pub dead_letters: &'a [DeadLetter],
    pub notice: Option<&'a Notice>,
}
