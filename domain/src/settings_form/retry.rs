//! A dead letter's "Retry" form: which alert to send again to which
//! recipient (or to the role that had nobody to reach).

use super::fields::single_fields;
use crate::fields::SiteKey;
use crate::recipient::{RecipientId, Role};
use crate::DomainError;

fn id_like(raw: &str) -> bool {
    (1..=200).contains(&raw.len())
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Reads a dead letter's "Retry" form: `(alert_id, recipient_id)`. The
/// hidden `site` field, when sent, must look like a site key; it is not
/// returned, because the site to act on is the dead letter's own.
pub fn parse_retry(body: &str) -> Result<(String, String), DomainError> {
    let mut fields = single_fields(body, &["alert_id", "recipient_id", "site"])?;
    let alert = fields.remove("alert_id").unwrap_or_default();
    if !(alert.starts_with("msg_") && id_like(&alert)) {
        return Err(DomainError::invalid(
            "alert_id",
            "must be an alert id like msg_…",
        ));
    }
    let recipient = fields.remove("recipient_id").unwrap_or_default();
    // A real recipient, or the dead letter of a role that had none.
    let for_a_role = Role::ALL
        .iter()
        .any(|r| recipient == crate::delivery::no_recipient(*r).0);
    if !for_a_role {
        RecipientId::try_from(recipient.as_str())?;
    }
    if let Some(site) = fields.remove("site") {
        SiteKey::try_from(site.as_str())?;
    }
    Ok((alert, recipient))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings_form::testing::enc;

    #[test]
    fn retries_parse_and_refuse() {
        let (alert, recipient) = parse_retry(&enc(&[
            ("csrf", "t"),
            (
                "alert_id",
                "msg_0f8fad5bd9cb469fa16570867728950e_senior_opened",
            ),
            ("recipient_id", "demo-president-0"),
            ("site", "demo"),
        ]))
        .unwrap();
        assert_eq!(alert, "msg_0f8fad5bd9cb469fa16570867728950e_senior_opened");
        assert_eq!(recipient, "demo-president-0");
        // The dead letter of a level with nobody for senior management.
        let (_, recipient) = parse_retry(&enc(&[
            ("alert_id", "msg_x_senior_opened"),
            ("recipient_id", "no-recipient-senior_management"),
        ]))
        .unwrap();
        assert_eq!(recipient, "no-recipient-senior_management");
        let long = format!("msg_{}", "a".repeat(200));
        for bad in [
            vec![("alert_id", "0f8f_senior"), ("recipient_id", "r")],
            vec![("alert_id", long.as_str()), ("recipient_id", "r")],
            vec![("alert_id", "msg_x y"), ("recipient_id", "r")],
            vec![("alert_id", "msg_x"), ("recipient_id", "")],
            vec![("alert_id", "msg_x"), ("recipient_id", "a/b")],
            vec![
                ("alert_id", "msg_x"),
                ("recipient_id", "r"),
                ("site", "Not A Site"),
            ],
            vec![("alert_id", "msg_x"), ("recipient_id", "r"), ("case", "c")],
            vec![("recipient_id", "r")],
        ] {
            assert!(parse_retry(&enc(&bad)).is_err(), "{bad:?}");
        }
    }
}
