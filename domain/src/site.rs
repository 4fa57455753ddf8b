//! A site's configuration (`PUT /v1/admin/sites/{site}`), parsed whole: every
//! origin, every line of copy (wording check, rule 1) and every recipient URL
//! (DESIGN §4 URL rules) is checked before anything is saved.
//!
//! Two raw shapes: [`RawSiteConfig`] is a whole configuration (what is
//! stored, what the dashboard edits); [`SiteBody`] is what a `PUT` sends,
//! where an omitted field means "unchanged" and which
//! [`SiteBody::resolve`] turns into a whole configuration against what is
//! stored. Either way [`SiteConfig::parse`] checks the result.

use crate::deadlines::DeadlinePolicy;
use crate::fields::SiteKey;
use crate::origin::OriginRule;
use crate::recipient::{Format, RecipientId, RecipientUrl, Role};
use crate::retention::MAX_RETENTION_DAYS;
use crate::sla::SlaPolicy;
use crate::webhook::WebhookSecret;
use crate::{wording, DomainError};
use serde::de::{DeserializeOwned, IgnoredAny};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::ops::RangeInclusive;

/// The most origins a site may list.
pub const MAX_ORIGINS: usize = 50;
/// The longest line of copy, in characters, once cleaned and trimmed.
pub const MAX_COPY_CHARS: usize = 500;
/// The longest cooldown, in days: a year.
pub const MAX_COOLDOWN_DAYS: u32 = 365;
/// How long the widget stays quiet in a browser after an answer, unless
/// the site says otherwise.
pub const DEFAULT_COOLDOWN_DAYS: u32 = 30;
/// Acknowledge deadlines run from one minute to a week.
pub const SLA_MINUTES: RangeInclusive<u32> = 1..=10_080;

/// Copy keys a site may override, per locale.
pub const COPY_KEYS: [&str; 5] = ["title", "question", "hint", "score_question", "thanks"];

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRecipient {
    /// The stored recipient this is; `None` for a new one (it gets a fresh id).
    #[serde(default)]
    pub id: Option<String>,
    pub role: String,
    pub format: String,
    pub url: String,
    #[serde(default)]
    pub secret: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSiteConfig {
    pub origins: Vec<String>,
    #[serde(default)]
    pub copy: BTreeMap<String, BTreeMap<String, String>>,
    #[serde(default, deserialize_with = "crate::wire::objects")]
    pub recipients: Vec<RawRecipient>,
    #[serde(default, deserialize_with = "crate::wire::object")]
    pub sla_minutes: Option<SlaPolicy>,
    /// Deadlines of the steps after acknowledgement, per tier
    /// (`domain::deadlines`), as sent: checked by [`SiteConfig::parse`].
    #[serde(default)]
    pub deadline_minutes: Option<serde_json::Value>,
    #[serde(default = "default_cooldown")]
    pub cooldown_days: u32,
    #[serde(default)]
    pub guarantee: bool,
    #[serde(default = "yes")]
    pub score: bool,
    /// Whether a score of 1 to 3 offers the optional contact fields.
    #[serde(default = "yes")]
    pub offer_contact: bool,
    #[serde(default = "default_rate")]
    pub rate_per_minute: u32,
    #[serde(default, deserialize_with = "crate::wire::object")]
    pub turnstile: Option<RawTurnstile>,
    /// Days after an answer its personal data is erased; 0 keeps it
    /// (`crate::retention`).
    #[serde(default)]
    pub retention_days: u32,
}

/// Cloudflare Turnstile for one site: the widget shows the challenge with the
/// public sitekey; the edge checks each token with the secret.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
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
    DEFAULT_COOLDOWN_DAYS
}
const fn yes() -> bool {
    true
}
const fn default_rate() -> u32 {
    10
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recipient {
    /// `None` for a recipient not stored yet: the edge draws its id.
    pub id: Option<RecipientId>,
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
    pub deadline_minutes: DeadlinePolicy,
    pub cooldown_days: u32,
    pub guarantee: bool,
    pub score: bool,
    /// A score of 1 to 3 offers the optional contact fields (product rule 1:
    /// offered, never required).
    pub offer_contact: bool,
    pub rate_per_minute: u32,
    pub turnstile: Option<Turnstile>,
    /// Days after an answer its personal data is erased; 0: kept.
    pub retention_days: u32,
}

fn parse_copy(
    raw: BTreeMap<String, BTreeMap<String, String>>,
) -> Result<BTreeMap<String, BTreeMap<String, String>>, DomainError> {
    let mut copy = BTreeMap::new();
    for (locale, lines) in raw {
        let Some(tag) = crate::lang::copy_locale(&locale) else {
            return Err(DomainError::invalid(
                "copy",
                format!("{locale:?} is not a language tag"),
            ));
        };
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
            let text =
                crate::fields::short_text("copy", &text, MAX_COPY_CHARS)?.unwrap_or_default();
            if let Some(phrase) = wording::bait_phrase(&text) {
                return Err(DomainError::invalid(
                    "copy",
                    format!("{locale}.{key}: \"{phrase}\" nudges customers toward a high score; use neutral wording"),
                ));
            }
            checked.insert(key, text);
        }
        copy.insert(tag, checked);
    }
    Ok(copy)
}

impl SiteConfig {
    /// Parses a whole configuration. `allow_loopback` is the dev flag.
    pub fn parse(raw: RawSiteConfig, allow_loopback: bool) -> Result<Self, DomainError> {
        if raw.origins.len() > MAX_ORIGINS {
            return Err(DomainError::invalid(
                "origins",
                format!("at most {MAX_ORIGINS}"),
            ));
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
        let mut ids = BTreeSet::new();
        for r in raw.recipients {
            let id = r.id.as_deref().map(RecipientId::try_from).transpose()?;
            if let Some(id) = &id {
                if !ids.insert(id.clone()) {
                    return Err(DomainError::invalid(
                        "recipient_id",
                        format!("{id} is listed twice"),
                    ));
                }
            }
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
                id,
                role: Role::try_from(r.role.as_str())?,
                format,
                url,
                secret,
            });
        }
        let sla = raw.sla_minutes.unwrap_or_default();
        let sla_ok = [sla.service, sla.account, sla.senior, sla.president]
            .iter()
            .all(|m| SLA_MINUTES.contains(m));
        if !sla_ok {
            return Err(DomainError::invalid(
                "sla_minutes",
                format!(
                    "each tier's minutes must be {} to {} (a week)",
                    SLA_MINUTES.start(),
                    SLA_MINUTES.end()
                ),
            ));
        }
        let deadline_minutes = match raw.deadline_minutes {
            None | Some(serde_json::Value::Null) => DeadlinePolicy::default(),
            Some(v) => DeadlinePolicy::try_from(v)?,
        };
        if raw.cooldown_days > MAX_COOLDOWN_DAYS {
            return Err(DomainError::invalid(
                "cooldown_days",
                format!("at most {MAX_COOLDOWN_DAYS}"),
            ));
        }
        if !(1..=100_000).contains(&raw.rate_per_minute) {
            return Err(DomainError::invalid("rate_per_minute", "1 to 100000"));
        }
        if raw.retention_days > MAX_RETENTION_DAYS {
            return Err(DomainError::invalid(
                "retention_days",
                format!("0 (keep) to {MAX_RETENTION_DAYS} days"),
            ));
        }
        Ok(Self {
            origins,
            copy: parse_copy(raw.copy)?,
            recipients,
            sla_minutes: sla,
            deadline_minutes,
            cooldown_days: raw.cooldown_days,
            guarantee: raw.guarantee,
            score: raw.score,
            offer_contact: raw.offer_contact,
            rate_per_minute: raw.rate_per_minute,
            turnstile: raw.turnstile.map(Turnstile::try_from).transpose()?,
            retention_days: raw.retention_days,
        })
    }
}

/// For `#[serde(default, deserialize_with = "given")]` on an `Option<T>`
/// field: absent is `None` (unchanged); present must be a `T` — `null` is
/// refused, so it can never be mistaken for "unchanged" or "default".
fn given<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

/// As [`given`], for a value that must be a JSON object.
fn given_object<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    match crate::wire::object(d)? {
        Some(v) => Ok(Some(v)),
        None => Err(serde::de::Error::custom("null is not allowed here")),
    }
}

/// As [`given`], for a list whose items must each be an object.
fn given_objects<'de, D, T>(d: D) -> Result<Option<Vec<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    crate::wire::objects(d).map(Some)
}

/// What a `PUT` says about Turnstile.
#[derive(Debug, Clone, Default)]
pub enum TurnstileChange {
    /// `turnstile` left out.
    #[default]
    Unchanged,
    /// `"turnstile": null`.
    Remove,
    Set(TurnstileBody),
}

fn turnstile_change<'de, D: Deserializer<'de>>(d: D) -> Result<TurnstileChange, D::Error> {
    Ok(match crate::wire::object(d)? {
        None => TurnstileChange::Remove,
        Some(t) => TurnstileChange::Set(t),
    })
}

/// The body of `PUT /v1/admin/sites/{site}`. For a site that exists, every
/// field left out keeps its stored value; for a new site `origins` is
/// required and the rest take their defaults. `null` is refused everywhere
/// but `turnstile`, where it removes Turnstile.
///
/// `GET`'s answer is valid input: the read-only fields it adds (`site`,
/// `counters`, `updated_at`, `turnstile.secret_set`, and each recipient's
/// `url_masked`) are accepted and ignored — except `site`, which must then
/// name the site in the path.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteBody {
    #[serde(default, deserialize_with = "given")]
    pub origins: Option<Vec<String>>,
    #[serde(default, deserialize_with = "given_object")]
    pub copy: Option<BTreeMap<String, BTreeMap<String, String>>>,
    /// The whole list: recipients left out are removed.
    #[serde(default, deserialize_with = "given_objects")]
    pub recipients: Option<Vec<RecipientBody>>,
    /// Tiers left out keep their minutes.
    #[serde(default, deserialize_with = "given_object")]
    pub sla_minutes: Option<SlaBody>,
    /// The whole set of step-deadline overrides; left out, they stay.
    #[serde(default, deserialize_with = "given")]
    pub deadline_minutes: Option<serde_json::Value>,
    #[serde(default, deserialize_with = "given")]
    pub cooldown_days: Option<u32>,
    #[serde(default, deserialize_with = "given")]
    pub guarantee: Option<bool>,
    #[serde(default, deserialize_with = "given")]
    pub score: Option<bool>,
    #[serde(default, deserialize_with = "given")]
    pub offer_contact: Option<bool>,
    #[serde(default, deserialize_with = "given")]
    pub rate_per_minute: Option<u32>,
    #[serde(default, deserialize_with = "given")]
    pub retention_days: Option<u32>,
    #[serde(default, deserialize_with = "turnstile_change")]
    pub turnstile: TurnstileChange,
    /// Read-only (GET): when given, the site in the path.
    #[serde(default, deserialize_with = "given")]
    pub site: Option<String>,
    /// Read-only (GET): ignored.
    #[serde(default)]
    pub counters: Option<IgnoredAny>,
    /// Read-only (GET): ignored.
    #[serde(default)]
    pub updated_at: Option<IgnoredAny>,
}

/// One recipient in a `PUT`. With the `id` of a recipient of this site it
/// changes that recipient, keeping whatever it leaves out (`url` and
/// `secret` above all, which `GET` never shows); without `id` it is a new
/// recipient, which needs `role`, `format`, `url` and, for `webhook`, its
/// `secret`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecipientBody {
    #[serde(default, deserialize_with = "given")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "given")]
    pub role: Option<String>,
    #[serde(default, deserialize_with = "given")]
    pub format: Option<String>,
    #[serde(default, deserialize_with = "given")]
    pub url: Option<String>,
    #[serde(default, deserialize_with = "given")]
    pub secret: Option<String>,
    /// Read-only (GET): ignored.
    #[serde(default, deserialize_with = "given")]
    pub url_masked: Option<String>,
}

/// Acknowledge minutes per tier in a `PUT`; a tier left out keeps its value.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaBody {
    #[serde(default, deserialize_with = "given")]
    pub service: Option<u32>,
    #[serde(default, deserialize_with = "given")]
    pub account: Option<u32>,
    #[serde(default, deserialize_with = "given")]
    pub senior: Option<u32>,
    #[serde(default, deserialize_with = "given")]
    pub president: Option<u32>,
}

impl SlaBody {
    fn over(self, base: SlaPolicy) -> SlaPolicy {
        SlaPolicy {
            service: self.service.unwrap_or(base.service),
            account: self.account.unwrap_or(base.account),
            senior: self.senior.unwrap_or(base.senior),
            president: self.president.unwrap_or(base.president),
        }
    }
}

/// Turnstile in a `PUT`: the secret may be left out to keep the stored one.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TurnstileBody {
    pub sitekey: String,
    #[serde(default, deserialize_with = "given")]
    pub secret: Option<String>,
    /// Read-only (GET): ignored.
    #[serde(default, deserialize_with = "given")]
    pub secret_set: Option<bool>,
}

impl SiteBody {
    /// The whole configuration this `PUT` asks for: `stored` (the site as
    /// saved, secrets included; `None` for a new site) with this body's
    /// fields over it. Checks what only the stored site can tell — that
    /// every `id` is a recipient of this site, named once — and leaves the
    /// rest to [`SiteConfig::parse`].
    pub fn resolve(
        self,
        site: &SiteKey,
        stored: Option<RawSiteConfig>,
    ) -> Result<RawSiteConfig, DomainError> {
        if let Some(named) = &self.site {
            if named != site.as_str() {
                return Err(DomainError::invalid(
                    "site",
                    format!(
                        "the body is for {named:?}, the path for {:?}",
                        site.as_str()
                    ),
                ));
            }
        }
        let is_new = stored.is_none();
        let base = stored.unwrap_or_else(|| RawSiteConfig {
            origins: Vec::new(),
            copy: BTreeMap::new(),
            recipients: Vec::new(),
            sla_minutes: None,
            deadline_minutes: None,
            cooldown_days: default_cooldown(),
            guarantee: false,
            score: yes(),
            offer_contact: yes(),
            rate_per_minute: default_rate(),
            turnstile: None,
            retention_days: 0,
        });
        let origins = match (self.origins, is_new) {
            (Some(origins), _) => origins,
            (None, false) => base.origins,
            (None, true) => {
                return Err(DomainError::invalid(
                    "origins",
                    "a new site needs its origins (an empty list allows none)",
                ))
            }
        };
        let recipients = match self.recipients {
            None => base.recipients,
            Some(list) => resolve_recipients(list, base.recipients)?,
        };
        let turnstile = match self.turnstile {
            TurnstileChange::Unchanged => base.turnstile,
            TurnstileChange::Remove => None,
            TurnstileChange::Set(t) => {
                let secret = t
                    .secret
                    .or_else(|| base.turnstile.map(|old| old.secret))
                    .ok_or_else(|| {
                        DomainError::invalid(
                            "turnstile.secret",
                            "a site without Turnstile needs its secret with the sitekey",
                        )
                    })?;
                Some(RawTurnstile {
                    sitekey: t.sitekey,
                    secret,
                })
            }
        };
        let old_sla = base.sla_minutes.unwrap_or_default();
        Ok(RawSiteConfig {
            origins,
            copy: self.copy.unwrap_or(base.copy),
            recipients,
            sla_minutes: Some(self.sla_minutes.map_or(old_sla, |b| b.over(old_sla))),
            deadline_minutes: self.deadline_minutes.or(base.deadline_minutes),
            cooldown_days: self.cooldown_days.unwrap_or(base.cooldown_days),
            guarantee: self.guarantee.unwrap_or(base.guarantee),
            score: self.score.unwrap_or(base.score),
            offer_contact: self.offer_contact.unwrap_or(base.offer_contact),
            rate_per_minute: self.rate_per_minute.unwrap_or(base.rate_per_minute),
            turnstile,
            retention_days: self.retention_days.unwrap_or(base.retention_days),
        })
    }
}

/// The recipients a `PUT` lists, each with an `id` merged onto the stored
/// recipient of that id.
fn resolve_recipients(
    list: Vec<RecipientBody>,
    stored: Vec<RawRecipient>,
) -> Result<Vec<RawRecipient>, DomainError> {
    let mut stored: BTreeMap<String, RawRecipient> = stored
        .into_iter()
        .filter_map(|r| r.id.clone().map(|id| (id, r)))
        .collect();
    let mut out = Vec::with_capacity(list.len());
    for r in list {
        let Some(raw_id) = r.id else {
            out.push(RawRecipient {
                id: None,
                role: r.role.unwrap_or_default(),
                format: r.format.unwrap_or_default(),
                url: r.url.unwrap_or_default(),
                secret: r.secret,
            });
            continue;
        };
        let id = RecipientId::try_from(raw_id.as_str())?;
        let Some(old) = stored.remove(id.as_str()) else {
            return Err(DomainError::invalid(
                "recipient_id",
                format!(
                    "{id} is not a recipient of this site (or is listed twice);                      leave the id out to add a new recipient"
                ),
            ));
        };
        out.push(RawRecipient {
            id: Some(id.as_str().to_owned()),
            role: r.role.unwrap_or(old.role),
            format: r.format.unwrap_or(old.format),
            url: r.url.unwrap_or(old.url),
            secret: r.secret.or(old.secret),
        });
    }
    Ok(out)
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

    const HOOK_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    /// A stored site, as `raw_config` reads it: ids and secrets included.
    fn stored() -> RawSiteConfig {
        serde_json::from_str(&format!(
            r#"{{"origins":["https://shop.example.com"],
                "copy":{{"en":{{"question":"What let you down?"}}}},
                "recipients":[
                  {{"id":"acme-service","role":"service_manager","format":"slack","url":"https://hooks.slack.com/services/T/B/X"}},
                  {{"id":"acme-president-00ff00ff00ff00ff","role":"president","format":"webhook","url":"https://alerts.example.com/x","secret":"{HOOK_SECRET}"}}],
                "sla_minutes":{{"service":100,"account":50,"senior":20,"president":10}},
                "cooldown_days":9,"guarantee":true,"score":false,"rate_per_minute":77,
                "turnstile":{{"sitekey":"1x00000000000000000000AA","secret":"1x0000000000000000000000000000000AA"}}}}"#
        ))
        .unwrap()
    }

    fn acme() -> SiteKey {
        SiteKey::try_from("acme").unwrap()
    }

    fn body(json: &str) -> SiteBody {
        crate::wire::from_object(json.as_bytes()).unwrap()
    }

    fn resolved(json: &str, stored: Option<RawSiteConfig>) -> Result<SiteConfig, String> {
        let raw = body(json).resolve(&acme(), stored).map_err(|e| e.code())?;
        SiteConfig::parse(raw, false).map_err(|e| e.code())
    }

    /// GET's answer (masked URLs, no secrets, read-only fields) put back
    /// as it is changes nothing: ids, URLs, secrets, Turnstile, the rate.
    #[test]
    fn get_output_is_put_input_and_changes_nothing() {
        let get = r#"{"site":"acme","origins":["https://shop.example.com"],
            "copy":{"en":{"question":"What let you down?"}},
            "recipients":[
              {"id":"acme-service","role":"service_manager","format":"slack","url_masked":"https://hooks.slack.com/…"},
              {"id":"acme-president-00ff00ff00ff00ff","role":"president","format":"webhook","url_masked":"https://alerts.example.com/…"}],
            "sla_minutes":{"service":100,"account":50,"senior":20,"president":10},
            "cooldown_days":9,"guarantee":true,"score":false,"rate_per_minute":77,
            "turnstile":{"sitekey":"1x00000000000000000000AA","secret_set":true},
            "counters":[{"day":"2026-01-01","name":"honeypot","count":1.0}],
            "updated_at":"2026-01-01T00:00:00.000Z"}"#;
        assert_eq!(body(get).resolve(&acme(), Some(stored())), Ok(stored()));
        // So does a body that says nothing, or only one field.
        assert_eq!(body("{}").resolve(&acme(), Some(stored())), Ok(stored()));
        let mut rate = stored();
        rate.rate_per_minute = 5;
        assert_eq!(
            body(r#"{"rate_per_minute":5}"#).resolve(&acme(), Some(stored())),
            Ok(rate)
        );
        let parsed = resolved(get, Some(stored())).unwrap();
        assert_eq!(
            parsed.recipients[1].id.as_ref().map(RecipientId::as_str),
            Some("acme-president-00ff00ff00ff00ff")
        );
        assert_eq!(parsed.recipients[1].secret.as_deref(), Some(HOOK_SECRET));
        assert_eq!(
            parsed.turnstile.unwrap().secret,
            "1x0000000000000000000000000000000AA"
        );
    }

    #[test]
    fn a_new_site_takes_the_defaults_and_needs_its_origins() {
        let c = resolved(r#"{"origins":[],"sla_minutes":{"service":120}}"#, None).unwrap();
        assert_eq!(
            (c.cooldown_days, c.guarantee, c.score, c.rate_per_minute),
            (30, false, true, 10)
        );
        assert_eq!(c.sla_minutes.service, 120);
        assert_eq!(c.sla_minutes.president, 15);
        assert!(c.recipients.is_empty() && c.turnstile.is_none() && c.copy.is_empty());
        assert_eq!(resolved("{}", None).unwrap_err(), "invalid_origins");
        assert_eq!(
            resolved(r#"{"origins":[],"turnstile":{"sitekey":"k"}}"#, None).unwrap_err(),
            "invalid_turnstile_secret"
        );
        // An id is only ever one the site already has.
        assert_eq!(
            resolved(
                r#"{"origins":[],"recipients":[{"id":"demo-service"}]}"#,
                None
            )
            .unwrap_err(),
            "invalid_recipient_id"
        );
    }

    #[test]
    fn recipients_keep_their_ids_and_what_the_body_leaves_out() {
        let two = resolved(
            r#"{"recipients":[
                {"id":"acme-president-00ff00ff00ff00ff","role":"senior_management"},
                {"role":"client_manager","format":"discord","url":"https://discord.com/api/webhooks/1/a"}]}"#,
            Some(stored()),
        )
        .unwrap();
        assert_eq!(two.recipients.len(), 2, "left out: removed");
        let kept = &two.recipients[0];
        assert_eq!(
            kept.id.as_ref().map(RecipientId::as_str),
            Some("acme-president-00ff00ff00ff00ff")
        );
        assert_eq!(kept.role, Role::SeniorManagement);
        assert_eq!(kept.url.as_str(), "https://alerts.example.com/x");
        assert_eq!(kept.secret.as_deref(), Some(HOOK_SECRET));
        assert_eq!(two.recipients[1].id, None, "new: the edge draws its id");
        // A new URL and secret replace the old ones.
        let changed = resolved(
            r#"{"recipients":[{"id":"acme-president-00ff00ff00ff00ff","url":"https://b.example.com/y",
                 "secret":"whsec_c2Vjb25kLWluYm94LXNlY3JldC1mb3ItdGhlLXJvdW5kLXRyaXA="}]}"#,
            Some(stored()),
        )
        .unwrap();
        assert_eq!(
            changed.recipients[0].url.as_str(),
            "https://b.example.com/y"
        );
        assert_ne!(changed.recipients[0].secret.as_deref(), Some(HOOK_SECRET));
        // `[]` removes them all; leaving the list out keeps them.
        assert!(resolved(r#"{"recipients":[]}"#, Some(stored()))
            .unwrap()
            .recipients
            .is_empty());
        assert_eq!(resolved("{}", Some(stored())).unwrap().recipients.len(), 2);
    }

    #[test]
    fn refusals_name_the_field() {
        let refused = |json: &str| resolved(json, Some(stored())).unwrap_err();
        for (json, code) in [
            (
                r#"{"recipients":[{"id":"demo-service"}]}"#,
                "invalid_recipient_id",
            ),
            (r#"{"recipients":[{"id":"a/b"}]}"#, "invalid_recipient_id"),
            (
                r#"{"recipients":[{"id":"acme-service"},{"id":"acme-service"}]}"#,
                "invalid_recipient_id",
            ),
            (
                r#"{"recipients":[{"role":"president","format":"webhook","url":"https://a.example.com/x"}]}"#,
                "invalid_secret",
            ),
            (
                r#"{"recipients":[{"role":"president","format":"slack"}]}"#,
                "invalid_url",
            ),
            (
                r#"{"recipients":[{"format":"slack","url":"https://hooks.slack.com/x"}]}"#,
                "invalid_role",
            ),
            (
                r#"{"recipients":[{"id":"acme-service","format":"webhook"}]}"#,
                "invalid_secret",
            ),
            (
                r#"{"recipients":[{"id":"acme-service","url":"https://localhost./x"}]}"#,
                "invalid_url",
            ),
            (r#"{"site":"demo"}"#, "invalid_site"),
            (r#"{"sla_minutes":{"senior":0}}"#, "invalid_sla_minutes"),
        ] {
            assert_eq!(refused(json), code, "{json}");
        }
        // Nulls, unknown fields and wrong types never reach `resolve`.
        for json in [
            r#"{"rate_per_minute":null}"#,
            r#"{"origins":null}"#,
            r#"{"recipients":null}"#,
            r#"{"recipients":[{"id":"acme-service","secret":null}]}"#,
            r#"{"sla_minutes":{"senior":null}}"#,
            r#"{"sla_minutes":[1]}"#,
            r#"{"colour":"green"}"#,
            r#"{"recipients":[{"id":"acme-service","colour":"green"}]}"#,
            r#"{"turnstile":{"sitekey":"k","secret_set":true,"x":1}}"#,
        ] {
            assert!(
                crate::wire::from_object::<SiteBody>(json.as_bytes()).is_err(),
                "{json}"
            );
        }
    }

    #[test]
    fn turnstile_goes_only_when_the_body_says_null() {
        let kept = resolved(
            r#"{"turnstile":{"sitekey":"2x00000000000000000000AB"}}"#,
            Some(stored()),
        )
        .unwrap()
        .turnstile
        .unwrap();
        assert_eq!(
            (kept.sitekey.as_str(), kept.secret.as_str()),
            (
                "2x00000000000000000000AB",
                "1x0000000000000000000000000000000AA"
            )
        );
        assert!(resolved(r#"{"turnstile":null}"#, Some(stored()))
            .unwrap()
            .turnstile
            .is_none());
        assert!(resolved("{}", Some(stored())).unwrap().turnstile.is_some());
        let mut without = stored();
        without.turnstile = None;
        assert_eq!(
            resolved(r#"{"turnstile":{"sitekey":"k"}}"#, Some(without)).unwrap_err(),
            "invalid_turnstile_secret"
        );
    }

    #[test]
    fn sla_tiers_left_out_keep_their_minutes() {
        let c = resolved(r#"{"sla_minutes":{"senior":25}}"#, Some(stored())).unwrap();
        assert_eq!(
            c.sla_minutes,
            SlaPolicy {
                service: 100,
                account: 50,
                senior: 25,
                president: 10
            }
        );
    }

    proptest! {
        /// Any mix of given and left-out settings: each given one is taken,
        /// each left-out one is what was stored.
        #[test]
        fn given_settings_change_and_the_rest_stay(
            cooldown in prop::option::of(0..=365u32),
            rate in prop::option::of(1..=100_000u32),
            guarantee in prop::option::of(any::<bool>()),
            score in prop::option::of(any::<bool>()),
            president in prop::option::of(1..=10_080u32),
            keep_recipients in any::<bool>(),
        ) {
            let mut json = serde_json::Map::new();
            let mut put = |k: &str, v: Option<serde_json::Value>| {
                if let Some(v) = v { json.insert(k.to_owned(), v); }
            };
            put("cooldown_days", cooldown.map(Into::into));
            put("rate_per_minute", rate.map(Into::into));
            put("guarantee", guarantee.map(Into::into));
            put("score", score.map(Into::into));
            put("sla_minutes", president.map(|p| serde_json::json!({"president": p})));
            put("recipients", (!keep_recipients).then(|| serde_json::json!([{"id": "acme-service"}])));
            let text = serde_json::Value::Object(json).to_string();
            let old = stored();
            let got = body(&text).resolve(&acme(), Some(old.clone())).unwrap();
            prop_assert_eq!(got.cooldown_days, cooldown.unwrap_or(old.cooldown_days));
            prop_assert_eq!(got.rate_per_minute, rate.unwrap_or(old.rate_per_minute));
            prop_assert_eq!(got.guarantee, guarantee.unwrap_or(old.guarantee));
            prop_assert_eq!(got.score, score.unwrap_or(old.score));
            let old_sla = old.sla_minutes.unwrap_or_default();
            let sla = got.sla_minutes.unwrap_or_default();
            prop_assert_eq!(sla.president, president.unwrap_or(old_sla.president));
            prop_assert_eq!(sla.service, old_sla.service);
            prop_assert_eq!(got.recipients.len(), if keep_recipients { 2 } else { 1 });
            prop_assert_eq!(&got.turnstile, &old.turnstile);
            prop_assert_eq!(&got.origins, &old.origins);
            prop_assert_eq!(&got.copy, &old.copy);
            prop_assert!(SiteConfig::parse(got, false).is_ok());
        }

        /// Any JSON value in any field: refused or resolved, never a panic.
        #[test]
        fn any_body_is_read_or_refused(
            field in prop::sample::select(vec![
                "origins", "copy", "recipients", "sla_minutes", "deadline_minutes", "cooldown_days", "guarantee",
                "score", "offer_contact", "rate_per_minute", "turnstile", "site", "counters", "updated_at",
            ]),
            value in prop_oneof![
                Just(serde_json::Value::Null),
                any::<bool>().prop_map(Into::into),
                any::<i64>().prop_map(Into::into),
                "\\PC{0,12}".prop_map(Into::into),
                Just(serde_json::json!([{"id": "acme-service"}, {"role": "president"}])),
                Just(serde_json::json!({"sitekey": "k", "president": 1})),
            ],
        ) {
            let text = serde_json::json!({ field: value }).to_string();
            if let Ok(b) = crate::wire::from_object::<SiteBody>(text.as_bytes()) {
                if let Ok(raw) = b.resolve(&acme(), Some(stored())) {
                    let _ = SiteConfig::parse(raw, false);
                }
            }
        }

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
