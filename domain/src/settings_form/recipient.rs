//! The "Add a recipient" form: a role, a format, a URL and, for a signed
//! webhook, its secret, read into the [`RawRecipient`] the whole
//! configuration is checked with.

use super::fields::single_fields;
use crate::recipient::{Format, Role};
use crate::site::RawRecipient;
use crate::webhook::WebhookSecret;
use crate::DomainError;

/// Reads the "Add a recipient" form. Checks the role, the format, that a URL
/// is there, and the secret's shape (required for `webhook`, ignored for
/// chat formats). The URL's host rules are those of
/// [`SiteConfig::parse`](crate::site::SiteConfig::parse), which knows
/// whether the dev loopback flag is set.
pub fn parse_recipient(body: &str) -> Result<RawRecipient, DomainError> {
    let mut fields = single_fields(body, &["role", "format", "url", "secret"])?;
    let mut take = |name: &'static str| fields.remove(name).unwrap_or_default();
    let role = Role::try_from(take("role").as_str())?;
    let format = Format::try_from(take("format").as_str())?;
    let url = take("url").trim().to_owned();
    if url.is_empty() {
        return Err(DomainError::invalid("url", "enter the webhook URL"));
    }
    if url.len() > 2048 {
        return Err(DomainError::invalid("url", "at most 2048 characters"));
    }
    let secret = take("secret").trim().to_owned();
    let secret = match (format, secret.is_empty()) {
        (Format::Webhook, true) => {
            return Err(DomainError::invalid(
                "secret",
                "a webhook recipient needs the whsec_ secret its receiver verifies",
            ))
        }
        (Format::Webhook, false) => {
            WebhookSecret::try_from(secret.as_str())?;
            Some(secret)
        }
        (_, _) => None,
    };
    Ok(RawRecipient {
        id: None,
        role: role.as_str().to_owned(),
        format: format.as_str().to_owned(),
        url,
        secret,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings_form::testing::enc;

    #[test]
    fn recipients_parse_and_refuse() {
        let r = parse_recipient(&enc(&[
            ("csrf", "t"),
            ("role", "client_manager"),
            ("format", "teams"),
            (
                "url",
                " https://prod-01.westus.logic.azure.com/workflows/x ",
            ),
            ("secret", "ignored for chat formats"),
        ]))
        .unwrap();
        assert_eq!(
            (r.role.as_str(), r.format.as_str(), r.url.as_str()),
            (
                "client_manager",
                "teams",
                "https://prod-01.westus.logic.azure.com/workflows/x"
            )
        );
        assert_eq!(r.secret, None);
        let hook = parse_recipient(&enc(&[
            ("role", "president"),
            ("format", "webhook"),
            ("url", "https://alerts.example.com/x"),
            ("secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
        ]))
        .unwrap();
        assert_eq!(
            hook.secret.as_deref(),
            Some("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        );
        let refused =
            |pairs: &[(&str, &str)]| parse_recipient(&enc(pairs)).unwrap_err().to_string();
        assert!(refused(&[
            ("role", "ceo"),
            ("format", "slack"),
            ("url", "https://hooks.slack.com/x")
        ])
        .starts_with("role:"));
        assert!(
            refused(&[("role", "president"), ("format", "fax"), ("url", "x")])
                .starts_with("format:")
        );
        assert!(
            refused(&[("role", "president"), ("format", "slack"), ("url", "  ")])
                .starts_with("url:")
        );
        assert!(refused(&[
            ("role", "president"),
            ("format", "webhook"),
            ("url", "https://a.example.com")
        ])
        .starts_with("secret:"));
        assert!(refused(&[
            ("role", "president"),
            ("format", "webhook"),
            ("url", "https://a.example.com"),
            ("secret", "hunter2")
        ])
        .starts_with("secret:"));
        assert!(refused(&[
            ("role", "president"),
            ("role", "president"),
            ("format", "slack"),
            ("url", "https://hooks.slack.com/x")
        ])
        .contains("more than once"));
        assert!(refused(&[
            ("role", "president"),
            ("format", "slack"),
            ("url", "https://hooks.slack.com/x"),
            ("x", "1")
        ])
        .contains("unknown field"));
        assert!(parse_recipient("").is_err());
    }
}
