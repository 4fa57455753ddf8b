//! The Settings page's form posts (`application/x-www-form-urlencoded`),
//! read into values the page can show again and checked before anything is
//! saved. Every parser is total: any body yields a value or an error, never
//! a panic. The `csrf` field is ignored here (the edge checks it first).

use super::FieldError;
use crate::fields::{clean_text, Email, Phone, ResponseId, SiteKey};
use crate::origin::OriginRule;
use crate::recipient::{Format, RecipientId, Role};
use crate::site::{RawRecipient, RawSiteConfig, SiteConfig, COPY_KEYS};
// The limits are [`SiteConfig::parse`]'s own, so a form that passes here
// is not refused there.
pub use crate::site::{MAX_COOLDOWN_DAYS, MAX_COPY_CHARS, MAX_ORIGINS, SLA_MINUTES};
use crate::sla::SlaPolicy;
use crate::submission::{Contact, ContactKeys};
use crate::webhook::WebhookSecret;
use crate::{wording, DomainError, Tier};
use std::collections::{BTreeMap, BTreeSet};
use url::form_urlencoded;

/// A settings form has a few fixed fields and five per locale; a body with
/// more pairs than this is not one of ours.
const MAX_PAIRS: usize = 400;
/// Field names echoed back in an error are cut to this many characters.
const NAME_ECHO: usize = 60;

/// The SLA fields of the form, each with the tier it sets.
pub const SLA_FIELDS: [(&str, Tier); 4] = [
    ("sla_service", Tier::Service),
    ("sla_account", Tier::Account),
    ("sla_senior", Tier::Senior),
    ("sla_president", Tier::President),
];

/// The "Widget & SLA" form as the manager typed it. Values stay text so that
/// a failed save shows exactly what was entered, next to what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneralForm {
    /// Allowed origins, one per line.
    pub origins: String,
    /// Whether the widget shows the optional score.
    pub score: bool,
    /// Whether the widget offers the guarantee.
    pub guarantee: bool,
    pub cooldown_days: String,
    pub sla_service: String,
    pub sla_account: String,
    pub sla_senior: String,
    pub sla_president: String,
    /// Locale (lowercase) → copy key → text as typed (empty = built-in text).
    pub copy: BTreeMap<String, BTreeMap<String, String>>,
    /// Problems with the body itself: unknown or repeated field names, bad
    /// switch values. Reported by [`GeneralForm::check`].
    pub rejected: Vec<FieldError>,
}

impl Default for GeneralForm {
    /// A new site's values: the defaults the edge would apply.
    fn default() -> Self {
        let sla = SlaPolicy::default();
        Self {
            origins: String::new(),
            score: true,
            guarantee: false,
            cooldown_days: "30".to_owned(),
            sla_service: sla.service.to_string(),
            sla_account: sla.account.to_string(),
            sla_senior: sla.senior.to_string(),
            sla_president: sla.president.to_string(),
            copy: BTreeMap::new(),
            rejected: Vec::new(),
        }
    }
}

impl GeneralForm {
    /// The form filled with a site's stored settings.
    pub fn from_config(raw: &RawSiteConfig) -> Self {
        Self::filled(
            raw.origins.join("\n"),
            raw.score,
            raw.guarantee,
            raw.cooldown_days,
            raw.sla_minutes.unwrap_or_default(),
            raw.copy.clone(),
        )
    }

    /// The form filled with a parsed configuration.
    pub fn from_site(config: &SiteConfig) -> Self {
        let origins: Vec<String> = config.origins.iter().cloned().map(String::from).collect();
        Self::filled(
            origins.join("\n"),
            config.score,
            config.guarantee,
            config.cooldown_days,
            config.sla_minutes,
            config.copy.clone(),
        )
    }

    fn filled(
        origins: String,
        score: bool,
        guarantee: bool,
        cooldown_days: u32,
        sla: SlaPolicy,
        copy: BTreeMap<String, BTreeMap<String, String>>,
    ) -> Self {
        Self {
            origins,
            score,
            guarantee,
            cooldown_days: cooldown_days.to_string(),
            sla_service: sla.service.to_string(),
            sla_account: sla.account.to_string(),
            sla_senior: sla.senior.to_string(),
            sla_president: sla.president.to_string(),
            copy,
            rejected: Vec::new(),
        }
    }

    /// The text typed into an SLA field, by its form name.
    pub fn sla_field(&self, name: &str) -> Option<&str> {
        match name {
            "sla_service" => Some(&self.sla_service),
            "sla_account" => Some(&self.sla_account),
            "sla_senior" => Some(&self.sla_senior),
            "sla_president" => Some(&self.sla_president),
            _ => None,
        }
    }

    fn sla_field_mut(&mut self, name: &str) -> Option<&mut String> {
        match name {
            "sla_service" => Some(&mut self.sla_service),
            "sla_account" => Some(&mut self.sla_account),
            "sla_senior" => Some(&mut self.sla_senior),
            "sla_president" => Some(&mut self.sla_president),
            _ => None,
        }
    }

    /// Every problem, each named by the form field it belongs to; empty when
    /// the form can be saved. Mirrors [`SiteConfig::parse`] so that a form
    /// that passes here is not refused there (recipients aside, which this
    /// form does not touch).
    pub fn check(&self) -> Vec<FieldError> {
        let mut errors = self.rejected.clone();
        if let Some(message) = origins_problem(&self.origins) {
            errors.push(FieldError::new("origins", message));
        }
        if let Err(message) = number(&self.cooldown_days, 0..=MAX_COOLDOWN_DAYS) {
            errors.push(FieldError::new("cooldown_days", message));
        }
        for (name, _) in SLA_FIELDS {
            let typed = self.sla_field(name).unwrap_or_default();
            if let Err(message) = number(typed, SLA_MINUTES) {
                errors.push(FieldError::new(name, message));
            }
        }
        for (locale, lines) in &self.copy {
            for (key, text) in lines {
                let name = copy_name(locale, key);
                for message in copy_problems(text) {
                    errors.push(FieldError::new(&name, message));
                }
            }
        }
        errors
    }

    /// The configuration to save: origins, copy, switches, cooldown and SLA
    /// from this form; recipients, rate limit and Turnstile from `base`.
    /// Empty copy lines are dropped (the widget's built-in text applies) and
    /// line breaks in copy become spaces. Call [`GeneralForm::check`] first:
    /// a number that does not read keeps `base`'s value here, and
    /// [`SiteConfig::parse`] still refuses anything out of range.
    pub fn apply(self, base: RawSiteConfig) -> RawSiteConfig {
        let old_sla = base.sla_minutes.unwrap_or_default();
        let minutes = |typed: &str, old: u32| typed.trim().parse().unwrap_or(old);
        let sla = SlaPolicy {
            service: minutes(&self.sla_service, old_sla.service),
            account: minutes(&self.sla_account, old_sla.account),
            senior: minutes(&self.sla_senior, old_sla.senior),
            president: minutes(&self.sla_president, old_sla.president),
        };
        let copy = self
            .copy
            .into_iter()
            .map(|(locale, lines)| {
                let kept: BTreeMap<String, String> = lines
                    .into_iter()
                    .map(|(key, text)| (key, copy_text(&text)))
                    .filter(|(_, text)| !text.is_empty())
                    .collect();
                (locale, kept)
            })
            .filter(|(_, lines)| !lines.is_empty())
            .collect();
        RawSiteConfig {
            origins: origin_lines(&self.origins).map(str::to_owned).collect(),
            copy,
            recipients: base.recipients,
            sla_minutes: Some(sla),
            cooldown_days: self
                .cooldown_days
                .trim()
                .parse()
                .unwrap_or(base.cooldown_days),
            guarantee: self.guarantee,
            score: self.score,
            rate_per_minute: base.rate_per_minute,
            turnstile: base.turnstile,
        }
    }
}

/// The form field name of one line of copy.
pub fn copy_name(locale: &str, key: &str) -> String {
    format!("copy.{locale}.{key}")
}

/// Copy as it will be saved: one line, control characters removed, NFC,
/// trimmed — what [`SiteConfig::parse`] stores.
pub fn copy_text(raw: &str) -> String {
    let one_line = raw.replace(['\r', '\n', '\t'], " ");
    clean_text(&one_line, false).trim().to_owned()
}

/// What is wrong with one line of copy: too long, or baiting a score.
pub fn copy_problems(raw: &str) -> Vec<String> {
    let text = copy_text(raw);
    let mut problems = Vec::new();
    let n = text.chars().count();
    if n > MAX_COPY_CHARS {
        problems.push(format!(
            "At most {MAX_COPY_CHARS} characters; this has {n}."
        ));
    }
    if let Some(phrase) = bait_in(raw) {
        problems.push(bait_message(phrase));
    }
    problems
}

/// The bait phrase in a line of copy, as typed or as it would be saved.
pub fn bait_in(raw: &str) -> Option<&'static str> {
    wording::bait_phrase(raw).or_else(|| wording::bait_phrase(&copy_text(raw)))
}

/// The wording check's verdict, in the page's words.
pub fn bait_message(phrase: &str) -> String {
    format!(
        "\u{201c}{phrase}\u{201d} nudges customers toward a high score. \
         Ask neutrally, for example \u{201c}Where did we fall short?\u{201d}"
    )
}

/// The non-empty, trimmed lines of the origins box.
fn origin_lines(raw: &str) -> impl Iterator<Item = &str> {
    raw.lines().map(str::trim).filter(|l| !l.is_empty())
}

fn origins_problem(raw: &str) -> Option<String> {
    let lines: Vec<&str> = origin_lines(raw).collect();
    if lines.len() > MAX_ORIGINS {
        return Some(format!(
            "At most {MAX_ORIGINS} origins; this lists {}.",
            lines.len()
        ));
    }
    let bad: Vec<String> = lines
        .iter()
        .enumerate()
        .filter(|(_, line)| OriginRule::try_from(**line).is_err())
        .map(|(i, line)| format!("line {}: \u{201c}{}\u{201d}", i + 1, echo(line)))
        .collect();
    match bad.as_slice() {
        [] => None,
        [only] => Some(format!(
            "{only} is not an origin. Write one per line, like https://shop.example.com \
             (scheme and host, an optional :port or :*, no path)."
        )),
        [first, second, rest @ ..] => {
            let more = if rest.is_empty() {
                String::new()
            } else {
                format!(" and {} more", rest.len())
            };
            Some(format!(
                "{first}, {second}{more} are not origins. Write one per line, like \
                 https://shop.example.com (scheme and host, an optional :port or :*, no path)."
            ))
        }
    }
}

/// A whole number in `range`, as typed.
fn number(typed: &str, range: std::ops::RangeInclusive<u32>) -> Result<u32, String> {
    let typed = typed.trim();
    let (lo, hi) = (range.start(), range.end());
    if typed.is_empty() {
        return Err(format!("Required: a whole number from {lo} to {hi}."));
    }
    match typed.parse::<u32>() {
        Ok(n) if range.contains(&n) => Ok(n),
        _ => Err(format!("Enter a whole number from {lo} to {hi}.")),
    }
}

/// Text cut for echoing in a message.
fn echo(raw: &str) -> String {
    let mut cut: String = raw.chars().take(NAME_ECHO).collect();
    if raw.chars().nth(NAME_ECHO).is_some() {
        cut.push('\u{2026}');
    }
    cut
}

/// A language tag as [`SiteConfig::parse`] accepts it, lowercased.
fn locale_tag(raw: &str) -> Option<String> {
    let ok =
        (2..=35).contains(&raw.len()) && raw.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    ok.then(|| raw.to_ascii_lowercase())
}

/// `copy.<locale>.<key>` → (locale, key), when both are acceptable.
fn copy_field(name: &str) -> Option<(String, &'static str)> {
    let (locale, key) = name.strip_prefix("copy.")?.split_once('.')?;
    let key = COPY_KEYS.iter().copied().find(|k| *k == key)?;
    Some((locale_tag(locale)?, key))
}

/// The pairs of a form body, at most [`MAX_PAIRS`] of them.
fn pairs(body: &str) -> impl Iterator<Item = (String, String)> + '_ {
    form_urlencoded::parse(body.as_bytes())
        .take(MAX_PAIRS + 1)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
}

/// Reads the "Widget & SLA" form. Never fails: whatever cannot be read is
/// kept in [`GeneralForm::rejected`] and reported by [`GeneralForm::check`].
pub fn parse_general(body: &str) -> GeneralForm {
    let mut form = GeneralForm {
        origins: String::new(),
        score: false,
        guarantee: false,
        cooldown_days: String::new(),
        sla_service: String::new(),
        sla_account: String::new(),
        sla_senior: String::new(),
        sla_president: String::new(),
        copy: BTreeMap::new(),
        rejected: Vec::new(),
    };
    let mut seen = BTreeSet::new();
    for (n, (name, value)) in pairs(body).enumerate() {
        if n >= MAX_PAIRS {
            form.rejected.push(FieldError::new(
                "form",
                "Too many fields: this is not the settings form.",
            ));
            break;
        }
        if name == "csrf" {
            continue;
        }
        if name.is_empty() {
            form.rejected
                .push(FieldError::new("form", "A field without a name was sent."));
            continue;
        }
        let copy = copy_field(&name);
        let canonical = copy
            .as_ref()
            .map_or_else(|| name.clone(), |(locale, key)| copy_name(locale, key));
        if !seen.insert(canonical.clone()) {
            form.rejected.push(FieldError::new(
                &echo(&canonical),
                "Was sent more than once.",
            ));
            continue;
        }
        if let Some((locale, key)) = copy {
            form.copy
                .entry(locale)
                .or_default()
                .insert(key.to_owned(), value);
            continue;
        }
        match name.as_str() {
            "origins" => form.origins = value,
            "cooldown_days" => form.cooldown_days = value,
            "score" | "guarantee" => {
                let on = value == "on";
                if !on {
                    form.rejected
                        .push(FieldError::new(&name, "A switch is either sent as \u{201c}on\u{201d} or not sent."));
                }
                if name == "score" {
                    form.score = on;
                } else {
                    form.guarantee = on;
                }
            }
            other => match form.sla_field_mut(other) {
                Some(slot) => *slot = value,
                None => form.rejected.push(FieldError::new(
                    &echo(other),
                    "Is not a field of this form (copy fields are copy.<locale>.<key>, \
                     with a language tag and one of title, question, hint, score_question, thanks).",
                )),
            },
        }
    }
    form
}

/// The single values of a small form, refusing unknown and repeated names.
fn single_fields(
    body: &str,
    known: &[&'static str],
) -> Result<BTreeMap<&'static str, String>, DomainError> {
    let mut out = BTreeMap::new();
    for (n, (name, value)) in pairs(body).enumerate() {
        if n >= MAX_PAIRS {
            return Err(DomainError::invalid("form", "too many fields"));
        }
        if name == "csrf" {
            continue;
        }
        let Some(field) = known.iter().copied().find(|k| *k == name) else {
            return Err(DomainError::invalid(
                "form",
                format!("unknown field \u{201c}{}\u{201d}", echo(&name)),
            ));
        };
        if out.insert(field, value).is_some() {
            return Err(DomainError::invalid(field, "was sent more than once"));
        }
    }
    Ok(out)
}

/// Reads the "Add a recipient" form. Checks the role, the format, that a URL
/// is there, and the secret's shape (required for `webhook`, ignored for
/// chat formats). The URL's host rules are [`SiteConfig::parse`]'s, which
/// knows whether the dev loopback flag is set.
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

/// Whose personal data the "Erase a customer's data" form names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EraseRequest {
    /// The customer who gave this answer (and so every answer of theirs).
    Answer(ResponseId),
    /// The customer with this email and/or phone on `site`, found by the
    /// same hashed keys rule 6 matches with.
    Contact { site: SiteKey, keys: ContactKeys },
}

/// Reads the "Erase a customer's data" form: a response id, or the
/// customer's email or phone (with the site, a hidden field), once the
/// manager ticked the confirmation.
pub fn parse_erase(body: &str) -> Result<EraseRequest, DomainError> {
    let mut fields = single_fields(body, &["id", "email", "phone", "site", "confirm"])?;
    if fields.remove("confirm").as_deref() != Some("yes") {
        return Err(DomainError::invalid(
            "confirm",
            "tick the box to confirm the erasure",
        ));
    }
    let mut given = |name| fields.remove(name).filter(|v| !v.trim().is_empty());
    let (id, email, phone, site) = (given("id"), given("email"), given("phone"), given("site"));
    match (id, email.is_some() || phone.is_some()) {
        (Some(id), false) => Ok(EraseRequest::Answer(ResponseId::try_from(id.trim())?)),
        (Some(_), true) => Err(DomainError::invalid(
            "id",
            "give either a response id or an email or phone, not both",
        )),
        (None, false) => Err(DomainError::invalid(
            "id",
            "give the response id, or the customer\u{2019}s email or phone",
        )),
        (None, true) => {
            let site = SiteKey::try_from(site.unwrap_or_default().trim())?;
            let contact = Contact {
                email: email.as_deref().map(Email::try_from).transpose()?,
                phone: phone.as_deref().map(Phone::try_from).transpose()?,
                ..Contact::default()
            };
            let keys = contact.keys(&site);
            Ok(EraseRequest::Contact { site, keys })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::RawTurnstile;
    use proptest::prelude::*;

    fn enc(pairs: &[(&str, &str)]) -> String {
        form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish()
    }

    fn good() -> String {
        enc(&[
            ("csrf", "tok"),
            (
                "origins",
                "https://shop.example.com\r\n\r\n  http://127.0.0.1:*  \n",
            ),
            ("score", "on"),
            ("cooldown_days", " 14 "),
            ("sla_service", "120"),
            ("sla_account", "60"),
            ("sla_senior", "30"),
            ("sla_president", "10"),
            ("copy.en.question", "Where did we fall short?"),
            ("copy.en.title", ""),
            ("copy.DE.question", "Wo haben wir\r\nSie enttäuscht?"),
            ("copy.ar.thanks", "شكراً لك"),
        ])
    }

    fn base() -> RawSiteConfig {
        serde_json::from_str(
            r#"{"origins":["https://old.example.com"],
                "copy":{"fr":{"title":"Avis"}},
                "recipients":[{"role":"president","format":"slack","url":"https://hooks.slack.com/services/T/B/X"}],
                "cooldown_days":7,"rate_per_minute":77,"guarantee":true,
                "turnstile":{"sitekey":"1x00000000000000000000AA","secret":"1x0000000000000000000000000000000AA"}}"#,
        )
        .unwrap()
    }

    #[test]
    fn a_good_body_reads_checks_and_applies() {
        let form = parse_general(&good());
        assert_eq!(form.check(), vec![]);
        assert!(form.score && !form.guarantee);
        assert_eq!(form.cooldown_days, " 14 ");
        assert_eq!(
            form.copy["de"]["question"],
            "Wo haben wir\r\nSie enttäuscht?"
        );
        let saved = form.apply(base());
        assert_eq!(
            saved.origins,
            ["https://shop.example.com", "http://127.0.0.1:*"]
        );
        assert_eq!(saved.cooldown_days, 14);
        assert!(saved.score && !saved.guarantee);
        let sla = saved.sla_minutes.unwrap();
        assert_eq!((sla.service, sla.president), (120, 10));
        // Empty lines are dropped, line breaks folded, the old locale gone.
        assert!(!saved.copy["en"].contains_key("title"));
        assert_eq!(
            saved.copy["de"]["question"],
            "Wo haben wir  Sie enttäuscht?"
        );
        assert!(!saved.copy.contains_key("fr"));
        // Recipients, rate and Turnstile are the base's.
        assert_eq!(saved.recipients.len(), 1);
        assert_eq!(saved.recipients[0].role, "president");
        assert_eq!(saved.rate_per_minute, 77);
        assert_eq!(
            saved.turnstile.as_ref().map(|t| t.sitekey.as_str()),
            Some("1x00000000000000000000AA")
        );
        // And the edge accepts what the form made.
        let parsed = SiteConfig::parse(saved, false).unwrap();
        assert_eq!(parsed.recipients.len(), 1);
        assert_eq!(parsed.copy["ar"]["thanks"], "شكراً لك");
    }

    #[test]
    fn stored_settings_round_trip_through_the_form() {
        let mut raw = base();
        raw.sla_minutes = Some(SlaPolicy {
            president: 5,
            ..SlaPolicy::default()
        });
        let form = GeneralForm::from_config(&raw);
        assert_eq!(form.origins, "https://old.example.com");
        assert_eq!(
            (form.sla_president.as_str(), form.sla_senior.as_str()),
            ("5", "30")
        );
        assert_eq!(form.cooldown_days, "7");
        assert!(form.guarantee && form.score);
        assert!(form.check().is_empty());
        let again = form.apply(base());
        assert_eq!(again.copy["fr"]["title"], "Avis");
        assert_eq!(again.origins, ["https://old.example.com"]);
        let parsed = SiteConfig::parse(again, false).unwrap();
        assert_eq!(
            GeneralForm::from_site(&parsed),
            GeneralForm::from_config(&raw)
        );
        let fresh = GeneralForm::default();
        assert!(fresh.check().is_empty(), "{:?}", fresh.check());
    }

    #[test]
    fn apply_keeps_recipients_and_secrets_of_the_base() {
        let mut b = base();
        b.recipients.push(RawRecipient {
            id: Some("demo-service".into()),
            role: "service_manager".into(),
            format: "webhook".into(),
            url: "https://alerts.example.com/x".into(),
            secret: Some("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into()),
        });
        b.turnstile = Some(RawTurnstile {
            sitekey: "k".into(),
            secret: "s".into(),
        });
        let saved = parse_general(
            "origins=&cooldown_days=0&sla_service=1&sla_account=1&sla_senior=1&sla_president=1",
        )
        .apply(b);
        assert_eq!(saved.recipients.len(), 2);
        assert_eq!(
            saved.recipients[1].secret.as_deref(),
            Some("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        );
        assert_eq!(saved.turnstile.unwrap().secret, "s");
        assert!(saved.origins.is_empty() && saved.copy.is_empty());
        assert!(!saved.score && !saved.guarantee, "unticked boxes are off");
    }

    fn fields_of(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn the_wording_check_names_the_field_and_the_phrase() {
        let body = enc(&[
            ("origins", ""),
            ("cooldown_days", "30"),
            ("sla_service", "240"),
            ("sla_account", "60"),
            ("sla_senior", "30"),
            ("sla_president", "15"),
            ("copy.de.title", "Geben Sie uns 5 stars!"),
            ("copy.de.question", "Waren wir ausgezeichnet?"),
            ("copy.ar.question", "هل كانت الخدمة ممتازة؟"),
            ("copy.en.hint", "Would\nyou give us a ten?"),
            ("copy.en.thanks", "Thank you."),
        ]);
        let errors = parse_general(&body).check();
        assert_eq!(
            fields_of(&errors),
            [
                "copy.ar.question",
                "copy.de.question",
                "copy.de.title",
                "copy.en.hint"
            ]
        );
        assert!(errors[0].message.contains("\u{201c}ممتاز\u{201d}"));
        assert!(errors[1].message.contains("ausgezeichnet"));
        assert!(errors[2]
            .message
            .contains("\u{201c}5 stars\u{201d} nudges customers toward a high score"));
        assert!(errors[3].message.contains("would you give us"));
    }

    #[test]
    fn bad_values_are_each_reported_once() {
        let long = "a".repeat(MAX_COPY_CHARS + 1);
        let many: Vec<String> = (0..=MAX_ORIGINS)
            .map(|i| format!("https://s{i}.example.com"))
            .collect();
        let many = many.join("\n");
        let body = enc(&[
            (
                "origins",
                "https://ok.example.com\nftp://x\nhttps://a.example.com/path",
            ),
            ("cooldown_days", "366"),
            ("sla_service", "0"),
            ("sla_account", "abc"),
            ("sla_senior", ""),
            ("sla_president", "10081"),
            ("copy.en.title", &long),
            ("copy.en.footer", "x"),
            ("copy.e n.title", "x"),
            ("copy.x.title", "x"),
            ("colour", "green"),
            ("score", "yes"),
            ("cooldown_days", "3"),
        ]);
        let form = parse_general(&body);
        let errors = form.check();
        assert_eq!(
            fields_of(&errors),
            [
                "copy.en.footer",
                "copy.e n.title",
                "copy.x.title",
                "colour",
                "score",
                "cooldown_days",
                "origins",
                "cooldown_days",
                "sla_service",
                "sla_account",
                "sla_senior",
                "sla_president",
                "copy.en.title",
            ]
        );
        assert!(errors[4].message.contains("on"));
        assert!(errors[5].message.contains("more than once"));
        let origins = &errors[6].message;
        assert!(
            origins.contains("line 2: \u{201c}ftp://x\u{201d}, line 3"),
            "{origins}"
        );
        assert!(errors[7].message.contains("0 to 365"));
        assert!(errors[10].message.starts_with("Required"));
        assert!(errors[12].message.contains("501"));
        // The first value stays; the repeat is refused.
        assert_eq!(form.cooldown_days, "366");
        let too_many = parse_general(&enc(&[("origins", &many)])).check();
        assert!(too_many[0]
            .message
            .contains("At most 50 origins; this lists 51"));
    }

    #[test]
    fn odd_bodies_never_panic() {
        for body in [
            "",
            "&&&",
            "=",
            "%",
            "%zz=%ff",
            "copy.=x",
            "copy..=x",
            "copy.en.=x",
            "copy.en.title.x=y",
            "origins=%E2%82",
            "sla_service=99999999999999999999",
            "cooldown_days=-1",
        ] {
            let form = parse_general(body);
            let _ = form.check();
            let _ = form.apply(base());
        }
        let flood = "a=1&".repeat(MAX_PAIRS + 5);
        let errors = parse_general(&flood).check();
        assert!(errors.iter().any(|e| e.field == "form"));
        assert!(errors.len() < MAX_PAIRS + 20);
    }

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

    #[test]
    fn erasure_needs_an_id_and_the_confirmation() {
        let id = "0F8FAD5B-D9CB-469F-A165-70867728950E";
        let ok = parse_erase(&enc(&[
            ("csrf", "t"),
            ("id", &format!(" {id} ")),
            ("email", ""),
            ("phone", " "),
            ("site", "demo"),
            ("confirm", "yes"),
        ]))
        .unwrap();
        let EraseRequest::Answer(got) = ok else {
            panic!("{ok:?}")
        };
        assert_eq!(got.as_str(), "0f8fad5b-d9cb-469f-a165-70867728950e");
        let no_confirm = parse_erase(&enc(&[("id", id)])).unwrap_err();
        assert!(no_confirm.to_string().starts_with("confirm:"));
        assert!(parse_erase(&enc(&[("id", id), ("confirm", "on")])).is_err());
        assert!(
            parse_erase(&enc(&[("id", "not-a-uuid"), ("confirm", "yes")]))
                .unwrap_err()
                .to_string()
                .starts_with("id:")
        );
        assert!(parse_erase(&enc(&[("id", id), ("confirm", "yes"), ("all", "1")])).is_err());
        assert!(parse_erase(&enc(&[("confirm", "yes"), ("site", "demo")])).is_err());
    }

    #[test]
    fn erasure_by_email_or_phone_finds_the_keys_rule_six_matches_with() {
        let site = SiteKey::try_from("demo").unwrap();
        let by_contact = |pairs: &[(&str, &str)]| {
            let mut all = vec![("site", "demo"), ("confirm", "yes")];
            all.extend_from_slice(pairs);
            parse_erase(&enc(&all))
        };
        // The same keys an answer with that contact was stored under.
        let answered = Contact {
            email: Some(Email::try_from("Ana.Lima@Example.com").unwrap()),
            phone: Some(Phone::try_from("+44 20 7946 0958").unwrap()),
            ..Contact::default()
        }
        .keys(&site);
        let got = by_contact(&[("email", " ana.lima@example.com ")]).unwrap();
        assert_eq!(
            got,
            EraseRequest::Contact {
                site: site.clone(),
                keys: ContactKeys {
                    email: answered.email.clone(),
                    phone: None
                }
            }
        );
        let got = by_contact(&[("phone", "+44 (20) 7946-0958")]).unwrap();
        let EraseRequest::Contact { keys, .. } = got else {
            panic!("{got:?}")
        };
        assert_eq!(keys.phone, answered.phone);
        assert!(by_contact(&[("email", "not an email")])
            .unwrap_err()
            .to_string()
            .contains("email"));
        let both = by_contact(&[
            ("id", "0f8fad5b-d9cb-469f-a165-70867728950e"),
            ("email", "a@example.com"),
        ]);
        assert!(both.is_err());
        // The site is needed to find the keys, and must be a site key.
        assert!(parse_erase(&enc(&[("email", "a@example.com"), ("confirm", "yes")])).is_err());
        assert!(parse_erase(&enc(&[
            ("email", "a@example.com"),
            ("site", "no such/site"),
            ("confirm", "yes")
        ]))
        .is_err());
    }

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

        #[test]
        fn any_value_in_any_field_is_kept_or_refused(
            field in prop::sample::select(vec![
                "origins", "cooldown_days", "sla_service", "sla_president",
                "copy.en.title", "copy.de.question", "copy.ar.thanks", "copy.fr-ca.hint",
            ]),
            value in any::<String>(),
        ) {
            let body = enc(&[(field, value.as_str())]);
            let form = parse_general(&body);
            prop_assert!(form.rejected.is_empty());
            let errors = form.check();
            if let Some(phrase) = bait_in(&value) {
                if field.starts_with("copy.") {
                    prop_assert!(errors.iter().any(|e| e.field == field && e.message.contains(phrase)));
                }
            }
            if field.starts_with("copy.") && errors.iter().all(|e| e.field != field) {
                // What passes here passes the edge's own check.
                let saved = form.apply(base());
                let mut only_copy = base();
                only_copy.copy = saved.copy;
                only_copy.recipients.clear();
                prop_assert!(SiteConfig::parse(only_copy, false).is_ok());
            }
        }
    }
}
