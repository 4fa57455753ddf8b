//! The dashboard's Settings page for one site: the widget and SLA settings
//! (with the wording check shown next to the copy it refuses), alert
//! recipients, the embed snippet, undelivered alerts, export and erasure.
//!
//! [`render`] draws the page from a [`SettingsView`]; the `parse_*` functions
//! read its form posts. After a failed save the page is drawn again from
//! the [`GeneralForm`] the manager sent, so what they typed stays, with each
//! [`FieldError`] beside its field.

mod forms;
mod view;

pub use forms::{
    bait_in, bait_message, copy_name, copy_problems, copy_text, parse_erase, parse_general,
    parse_recipient, parse_retry, EraseRequest, GeneralForm, MAX_COOLDOWN_DAYS, MAX_COPY_CHARS,
    MAX_ORIGINS, SLA_FIELDS, SLA_MINUTES,
};
pub use view::{mask_url, render, SHIPPED_LOCALES};

use super::Chrome;
use crate::Timestamp;

/// One problem with a posted form, named by the form field it concerns
/// (`origins`, `sla_senior`, `copy.de.title`, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

/// A message at the top of the page after an action ("Settings saved.",
/// "The test alert could not be sent: …").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub ok: bool,
    pub text: String,
}

/// One alert recipient as stored (never its secret). `role` and `format`
/// are the wire names (`service_manager`, `google_chat`, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipientLine {
    pub id: String,
    pub role: String,
    pub format: String,
    /// The full URL; the page shows only its scheme and host.
    pub url: String,
}

/// An alert that will never arrive at one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetterLine {
    pub alert_id: String,
    pub recipient_id: String,
    pub case_id: String,
    pub why: String,
    /// The last HTTP status the recipient answered, if it answered at all.
    pub last_status: Option<u16>,
    pub at: Timestamp,
}

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
    /// as posted ([`parse_general`]) after a failed save.
    pub form: &'a GeneralForm,
    /// What was wrong with the posted form ([`GeneralForm::check`]).
    pub errors: &'a [FieldError],
    pub recipients: &'a [RecipientLine],
    pub dead_letters: &'a [DeadLetterLine],
    pub notice: Option<&'a Notice>,
}
