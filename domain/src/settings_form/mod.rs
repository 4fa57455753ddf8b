//! The dashboard's Settings forms, read from their posts
//! (`application/x-www-form-urlencoded`) into values the page can show
//! again and domain types the edge saves: the "Widget & SLA" form
//! ([`GeneralForm`]), a new recipient, a dead letter's retry, an erasure.
//!
//! Every parser is total: any body yields a value or an error, never a
//! panic. The `csrf` field is ignored here (the edge checks it first). The
//! limits are [`crate::site`]'s, so a form that passes here is not refused
//! by [`crate::site::SiteConfig::parse`]. No markup: the page that shows
//! these forms and their errors is `pages::settings`.

mod copy;
mod erase;
mod fields;
mod general;
mod recipient;
mod retry;
#[cfg(test)]
mod testing;

pub use copy::{bait_in, bait_message, copy_name, copy_problems, copy_text};
pub use erase::{parse_erase, EraseRequest};
pub use general::{parse_general, GeneralForm, SLA_FIELDS};
pub use recipient::parse_recipient;
pub use retry::parse_retry;

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

#[cfg(test)]
mod tests {
    use super::testing::base;
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_body_parses_without_panic(body in "\\PC{0,300}") {
            let form = parse_general(&body);
            for e in form.check() {
                prop_assert!(!e.field.is_empty() && !e.message.is_empty());
            }
            let _ = form.apply(base());
            let _ = parse_recipient(&body);
            let _ = parse_retry(&body);
            let _ = parse_erase(&body);
        }
    }
}
