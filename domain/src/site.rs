//! A site's configuration (`PUT /v1/admin/sites/{site}`), parsed whole: every
//! origin, every line of copy (wording check, rule 1) and every recipient URL
//! (DESIGN §4 URL rules) is checked before anything is saved.

use crate::origin::OriginRule;
use crate::recipient::{Format, RecipientUrl, Role};
use crate::sla::SlaPolicy;
use crate::webhook::WebhookSecret;
use crate::{wording, DomainError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Copy keys a site may override, per locale.
pub const COPY_KEYS: [&str; 5] = ["title", "question", "hint", "score_question", "thanks"];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRecipient {
    pub role: String,
    pub format: String,
    pub url: String,
    #[serde(default)]
    pub secret: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSiteConfig {
    pub origins: Vec<String>,
    #[serde(default)]
    pub copy: BTreeMap<String, BTreeMap<String, String>>,
    #[serde(default, deserialize_with = "crate::wire::objects")]
    pub recipients: Vec<RawRecipient>,
    #[serde(default, deserialize_with = "crate::wire::object")]
    pub sla_minutes: Option<SlaPolicy>,
    #[serde(default = "default_cooldown")]
    pub cooldown_days: u32,
    #[serde(default)]
    pub guarantee: bool,
    #[serde(default = "yes")]
    pub score: bool,
    #[serde(default = "default_rate")]
    pub rate_per_minute: u32,
    #[serde(default, deserialize_with = "crate::wire::object")]
    pub turnstile: Option<RawTurnstile>,
}

/// Cloudflare Turnstile for one site: the widget shows the challenge with the
/// public sitekey; the edge checks each token with the secret.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTurnstile {
    pub sitekey: String,
    pub secret: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Turnstile {
    pub sitekey: String,
    /// Never serialised back to clients.
    #[serde(skip)]
    pub secret: String,
}

impl TryFrom<RawTurnstile> for Turnstile {
    type Error = DomainError;
    fn try_from(raw: RawTurnstile) -> Result<Self, Self::Error> {
        let key_like = |field: &'static str, v: &str| {
            let ok = (1..=200).contains(&v.len())
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.');
            if ok {
                Ok(v.to_owned())
            } else {
                Err(DomainError::invalid(
                    field,
                    "is not a Turnstile key (letters, digits, - _ .)",
                ))
            }
        };
        Ok(Self {
            sitekey: key_like("turnstile.sitekey", &raw.sitekey)?,
            secret: key_like("turnstile.secret", &raw.secret)?,
        })
    }
}

const fn default_cooldown() -> u32 {
    30
}
const fn yes() -> bool {
    true
}
const fn default_rate() -> u32 {
    10
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recipient {
    pub role: Role,
    pub format: Format,
    pub url: RecipientUrl,
    /// Only for the generic format; never serialised back to clients.
    #[serde(skip)]
    pub secret: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteConfig {
    pub origins: Vec<OriginRule>,
    pub copy: BTreeMap<String, BTreeMap<String, String>>,
    pub recipients: Vec<Recipient>,
    pub sla_minutes: SlaPolicy,
    pub cooldown_days: u32,
    pub guarantee: bool,
    pub score: bool,
    pub rate_per_minute: u32,
    pub turnstile: Option<Turnstile>,
}

fn parse_copy(
    raw: BTreeMap<String, BTreeMap<String, String>>,
) -> Result<BTreeMap<String, BTreeMap<String, String>>, DomainError> {
    let mut copy = BTreeMap::new();
    for (locale, lines) in raw {
        let tag_ok = (2..=35).contains(&locale.len())
            && locale
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !tag_ok {
            return Err(DomainError::invalid(
                "copy",
                format!("{locale:?} is not a language tag"),
            ));
        }
        let mut checked = BTreeMap::new();
        for (key, text) in lines {
            if !COPY_KEYS.contains(&key.as_str()) {
                return Err(DomainError::invalid(
                    "copy",
                    format!(
                        "unknown copy key {key:?}; use one of {}",
                        COPY_KEYS.join(", ")
                    ),
                ));
            }
            let text = crate::fields::short_text("copy", &text, 500)?.unwrap_or_default();
            if let Some(phrase) = wording::bait_phrase(&text) {
                return Err(DomainError::invalid(
                    "copy",
                    format!("{locale}.{key}: \"{phrase}\" nudges customers toward a high score; use neutral wording"),
                ));
            }
            checked.insert(key, text);
        }
        copy.insert(locale.to_ascii_lowercase(), checked);
    }
    Ok(copy)
}

impl SiteConfig {
    /// Parses a whole configuration. `allow_loopback` is the dev flag.
    pub fn parse(raw: RawSiteConfig, allow_loopback: bool) -> Result<Self, DomainError> {
        if raw.origins.len() > 50 {
            return Err(DomainError::invalid("origins", "at most 50"));
        }
        let origins = raw
            .origins
            .iter()
            .map(|o| OriginRule::try_from(o.as_str()))
            .collect::<Result<_, _>>()?;
        if raw.recipients.len() > 40 {
            return Err(DomainError::invalid("recipients", "at most 40"));
        }
        let mut recipients = Vec::with_capacity(raw.recipients.len());
        for r in raw.recipients {
            let format = Format::try_from(r.format.as_str())?;
            let url = RecipientUrl::parse(&r.url, format, allow_loopback)?;
            let secret = match (format, r.secret.as_deref()) {
                (Format::Webhook, Some(s)) => Some(WebhookSecret::try_from(s)?.to_whsec()),
                (Format::Webhook, None) => {
                    return Err(DomainError::invalid(
                        "secret",
                        "a webhook recipient needs a whsec_ secret",
                    ))
                }
                (_, _) => None,
            };
            recipients.push(Recipient {
                role: Role::try_from(r.role.as_str())?,
                format,
                url,
                secret,
            });
        }
        let sla = raw.sla_minutes.unwrap_or_default();
        let sla_ok = [sla.service, sla.account, sla.senior, sla.president]
            .iter()
            .all(|m| (1..=10_080).contains(m));
        if !sla_ok {
            return Err(DomainError::invalid(
                "sla_minutes",
                "each tier's minutes must be 1 to 10080 (a week)",
            ));
        }
        if raw.cooldown_days > 365 {
            return Err(DomainError::invalid("cooldown_days", "at most 365"));
        }
        if !(1..=100_000).contains(&raw.rate_per_minute) {
            return Err(DomainError::invalid("rate_per_minute", "1 to 100000"));
        }
        Ok(Self {
            origins,
            copy: parse_copy(raw.copy)?,
            recipients,
            sla_minutes: sla,
            cooldown_days: raw.cooldown_days,
            guarantee: raw.guarantee,
            score: raw.score,
            rate_per_minute: raw.rate_per_minute,
            turnstile: raw.turnstile.map(Turnstile::try_from).transpose()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse(json: &str) -> Result<SiteConfig, String> {
        let raw: RawSiteConfig = serde_json::from_str(json).map_err(|e| e.to_string())?;
        SiteConfig::parse(raw, false).map_err(|e| e.to_string())
    }

    #[test]
    fn a_full_configuration_parses() {
        let c = parse(
            r#"{"origins":["https://shop.example.com"],
                "copy":{"en":{"question":"Where did we fall short?"},"de":{"question":"Wo haben wir Sie enttäuscht?"}},
                "recipients":[{"role":"service_manager","format":"slack","url":"https://hooks.slack.com/services/T/B/X"},
                              {"role":"president","format":"webhook","url":"https://alerts.example.com/x","secret":"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}],
                "sla_minutes":{"president":10},"guarantee":true,
                "turnstile":{"sitekey":"1x00000000000000000000AA","secret":"1x0000000000000000000000000000000AA"}}"#,
        )
        .unwrap();
        assert_eq!(c.recipients.len(), 2);
        assert_eq!(c.sla_minutes.president, 10);
        assert_eq!(c.sla_minutes.senior, 30);
        assert!(c.score && c.guarantee);
        assert_eq!(c.cooldown_days, 30);
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(
            c.turnstile.as_ref().unwrap().sitekey,
            "1x00000000000000000000AA"
        );
        assert!(
            !json.contains("1x0000000000000000000000000000000AA"),
            "{json}"
        );
        assert!(
            !json.contains("whsec_"),
            "secrets are never sent back: {json}"
        );
    }

    #[test]
    fn refusals_say_what_is_wrong() {
        let bait =
            parse(r#"{"origins":[],"copy":{"en":{"question":"Was it excellent?"}}}"#).unwrap_err();
        assert!(
            bait.contains("\"excellent\"") && bait.contains("en.question"),
            "{bait}"
        );
        let loopback = parse(r#"{"origins":[],"recipients":[{"role":"president","format":"webhook","url":"http://127.0.0.1:9/x","secret":"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}]}"#).unwrap_err();
        assert!(loopback.starts_with("url:"), "{loopback}");
        assert!(parse(r#"{"origins":[],"recipients":[{"role":"president","format":"webhook","url":"https://a.example.com/x"}]}"#).unwrap_err().starts_with("secret:"));
        assert!(parse(r#"{"origins":["*"]}"#)
            .unwrap_err()
            .starts_with("origins:"));
        assert!(parse(r#"{"origins":[],"copy":{"en":{"footer":"x"}}}"#)
            .unwrap_err()
            .contains("unknown copy key"));
        assert!(parse(r#"{"origins":[],"sla_minutes":{"senior":0}}"#)
            .unwrap_err()
            .starts_with("sla_minutes:"));
        assert!(parse(r#"{"origins":[],"colour":"green"}"#).is_err());
        assert!(
            parse(r#"{"origins":[],"turnstile":{"sitekey":"a b","secret":"x"}}"#)
                .unwrap_err()
                .starts_with("turnstile.sitekey:")
        );
    }

    proptest! {
        #[test]
        fn arbitrary_copy_never_panics(locale in "\\PC{0,10}", key in "[a-z_]{0,15}", text in any::<String>()) {
            let mut lines = BTreeMap::new();
            lines.insert(key, text);
            let mut copy = BTreeMap::new();
            copy.insert(locale, lines);
            if let Ok(c) = parse_copy(copy) {
                for lines in c.values() {
                    for t in lines.values() {
                        prop_assert!(wording::bait_phrase(t).is_none());
                    }
                }
            }
        }
    }
}
