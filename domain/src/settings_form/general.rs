//! The "Widget & SLA" form as the manager typed it: read from its post,
//! checked field by field (each problem named by its field), and applied
//! to the stored configuration.

use super::copy::{copy_field, copy_name, copy_problems, copy_text};
use super::fields::{echo, pairs, MAX_PAIRS};
use super::FieldError;
use crate::origin::OriginRule;
use crate::retention::MAX_RETENTION_DAYS;
use crate::site::{
    RawSiteConfig, SiteConfig, DEFAULT_COOLDOWN_DAYS, MAX_COOLDOWN_DAYS, MAX_ORIGINS, SLA_MINUTES,
};
use crate::sla::SlaPolicy;
use crate::Tier;
use std::collections::{BTreeMap, BTreeSet};

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
    /// Whether a score of 1 to 3 offers the optional contact fields.
    pub offer_contact: bool,
    pub cooldown_days: String,
    /// Days after an answer its personal data is erased; empty or 0 keeps it.
    pub retention_days: String,
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
            offer_contact: true,
            cooldown_days: DEFAULT_COOLDOWN_DAYS.to_string(),
            retention_days: String::new(),
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
            [raw.score, raw.guarantee, raw.offer_contact],
            [raw.cooldown_days, raw.retention_days],
            raw.sla_minutes.unwrap_or_default(),
            raw.copy.clone(),
        )
    }

    /// The form filled with a parsed configuration.
    pub fn from_site(config: &SiteConfig) -> Self {
        let origins: Vec<String> = config.origins.iter().cloned().map(String::from).collect();
        Self::filled(
            origins.join("\n"),
            [config.score, config.guarantee, config.offer_contact],
            [config.cooldown_days, config.retention_days],
            config.sla_minutes,
            config.copy.clone(),
        )
    }

    /// `switches` are the score, the guarantee and the contact offer; the
    /// days are the cooldown and the retention (0: off, shown empty).
    fn filled(
        origins: String,
        [score, guarantee, offer_contact]: [bool; 3],
        [cooldown_days, retention_days]: [u32; 2],
        sla: SlaPolicy,
        copy: BTreeMap<String, BTreeMap<String, String>>,
    ) -> Self {
        Self {
            origins,
            score,
            guarantee,
            offer_contact,
            cooldown_days: cooldown_days.to_string(),
            retention_days: if retention_days == 0 {
                String::new()
            } else {
                retention_days.to_string()
            },
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
        if !self.retention_days.trim().is_empty() {
            if let Err(message) = number(&self.retention_days, 0..=MAX_RETENTION_DAYS) {
                errors.push(FieldError::new("retention_days", message));
            }
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
            deadline_minutes: base.deadline_minutes,
            cooldown_days: self
                .cooldown_days
                .trim()
                .parse()
                .unwrap_or(base.cooldown_days),
            guarantee: self.guarantee,
            score: self.score,
            offer_contact: self.offer_contact,
            rate_per_minute: base.rate_per_minute,
            turnstile: base.turnstile,
            retention_days: match self.retention_days.trim() {
                "" => 0,
                typed => typed.parse().unwrap_or(base.retention_days),
            },
        }
    }
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

/// Reads the "Widget & SLA" form. Never fails: whatever cannot be read is
/// kept in [`GeneralForm::rejected`] and reported by [`GeneralForm::check`].
pub fn parse_general(body: &str) -> GeneralForm {
    let mut form = GeneralForm {
        origins: String::new(),
        score: false,
        guarantee: false,
        offer_contact: false,
        cooldown_days: String::new(),
        retention_days: String::new(),
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
            "retention_days" => form.retention_days = value,
            "score" | "guarantee" | "offer_contact" => {
                let on = value == "on";
                if !on {
                    form.rejected
                        .push(FieldError::new(&name, "A switch is either sent as \u{201c}on\u{201d} or not sent."));
                }
                match name.as_str() {
                    "score" => form.score = on,
                    "guarantee" => form.guarantee = on,
                    _ => form.offer_contact = on,
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

#[cfg(test)]
mod tests {
    use super::super::copy::bait_in;
    use super::*;
    use crate::settings_form::testing::{base, enc};
    use crate::site::{RawRecipient, RawTurnstile, MAX_COPY_CHARS};
    use proptest::prelude::*;

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

    proptest! {
        #[test]
        fn any_value_in_any_field_is_kept_or_refused(
            field in prop::sample::select(vec![
                "origins", "cooldown_days", "retention_days", "sla_service", "sla_president",
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
