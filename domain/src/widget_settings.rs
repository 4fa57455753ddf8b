//! `GET /v1/sites/{site}/widget`: the public settings the widget draws its
//! form from. No secrets: only the Turnstile *site* key.
//!
//! The fields are declared in alphabetical order on purpose. The edge once
//! built this document with `serde_json::json!`, whose map (without
//! serde_json's `preserve_order`) sorts its keys; the same order keeps the
//! bytes, and so the `ETag`s browsers and Cloudflare hold, unchanged. The
//! exact document is pinned by `domain/fixtures/wire/widget-settings.json`,
//! which the widget's own parser is tested against too.

use crate::fields::SiteKey;
use crate::site::SiteConfig;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WidgetSettings {
    /// The service tier's acknowledge deadline, in minutes.
    pub callback_sla_minutes: u32,
    /// How long the widget rests after an answer (rule 6).
    pub cooldown_days: u32,
    /// The site's own lines: locale → copy key → text.
    pub copy: BTreeMap<String, BTreeMap<String, String>>,
    /// Whether a score of 1 to 3 offers the optional contact fields.
    pub offer_contact: bool,
    pub show_guarantee: bool,
    pub show_score: bool,
    pub site: String,
    /// Cloudflare Turnstile's public key, `null` when the site has none.
    pub turnstile_sitekey: Option<String>,
}

impl WidgetSettings {
    /// The settings of a site configured as `config`: the defaults of a new
    /// site are [`SiteConfig`]'s, so they are written once, in `site.rs`.
    pub fn new(site: &SiteKey, config: &SiteConfig) -> Self {
        Self {
            callback_sla_minutes: config.sla_minutes.service,
            cooldown_days: config.cooldown_days,
            copy: config.copy.clone(),
            offer_contact: config.offer_contact,
            show_guarantee: config.guarantee,
            show_score: config.score,
            site: site.as_str().to_owned(),
            turnstile_sitekey: config.turnstile.as_ref().map(|t| t.sitekey.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::RawSiteConfig;
    use serde_json::Value;

    const SETTINGS: &str = include_str!("../fixtures/wire/widget-settings.json");
    const DEFAULTS: &str = include_str!("../fixtures/wire/widget-settings-defaults.json");

    fn lines(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn demo() -> WidgetSettings {
        let mut copy = BTreeMap::new();
        copy.insert("de".to_owned(), lines(&[("question", "Was hat gefehlt?")]));
        copy.insert(
            "en".to_owned(),
            lines(&[
                ("title", "Tell us what went wrong"),
                ("question", "Where did we fall short?"),
                ("hint", "Say it plainly; a manager reads every answer."),
                ("score_question", "How was it overall?"),
                ("thanks", "Thank you for telling us."),
            ]),
        );
        WidgetSettings {
            callback_sla_minutes: 120,
            cooldown_days: 7,
            copy,
            offer_contact: false,
            show_guarantee: true,
            show_score: false,
            site: "demo".to_owned(),
            turnstile_sitekey: Some("1x00000000000000000000AA".to_owned()),
        }
    }

    /// Pretty-printed as the fixture files are, with their closing newline.
    fn pretty(settings: &WidgetSettings) -> String {
        let mut text = serde_json::to_string_pretty(settings).unwrap();
        text.push('\n');
        text
    }

    #[test]
    fn the_settings_document_is_the_fixture() {
        let fixture: Value = serde_json::from_str(SETTINGS).unwrap();
        assert_eq!(serde_json::to_value(demo()).unwrap(), fixture);
        assert_eq!(pretty(&demo()), SETTINGS, "same keys in the same order");
        let read: WidgetSettings = crate::wire::from_object(SETTINGS.as_bytes()).unwrap();
        assert_eq!(read, demo());
    }

    /// The bytes the edge served when it built the document as a
    /// `serde_json::Value` (keys sorted): the same bytes, the same `ETag`.
    #[test]
    fn the_bytes_are_those_of_the_sorted_json_value_the_etag_was_made_from() {
        for settings in [demo(), WidgetSettings::new(&demo_key(), &new_site())] {
            let value = serde_json::to_value(&settings).unwrap();
            assert_eq!(serde_json::to_string(&settings).unwrap(), value.to_string());
        }
    }

    fn demo_key() -> SiteKey {
        SiteKey::try_from("demo").unwrap()
    }

    /// A site created with its origins alone: every other setting defaulted.
    fn new_site() -> SiteConfig {
        let raw: RawSiteConfig = crate::wire::from_object(br#"{"origins":[]}"#).unwrap();
        SiteConfig::parse(raw, false).unwrap()
    }

    /// The widget's fallback, for when this document cannot be read, is
    /// tested against the same fixture: both sides share these defaults.
    #[test]
    fn a_new_site_serves_the_defaults_fixture() {
        let settings = WidgetSettings::new(&demo_key(), &new_site());
        assert_eq!(pretty(&settings), DEFAULTS);
    }

    #[test]
    fn a_configured_site_serves_its_own_settings() {
        let raw: RawSiteConfig = crate::wire::from_object(
            br#"{"origins":["https://shop.example.com"],
                "copy":{"de":{"question":"Was hat gefehlt?"},
                        "en":{"title":"Tell us what went wrong","question":"Where did we fall short?",
                              "hint":"Say it plainly; a manager reads every answer.",
                              "score_question":"How was it overall?","thanks":"Thank you for telling us."}},
                "sla_minutes":{"service":120},"cooldown_days":7,"guarantee":true,"score":false,"offer_contact":false,
                "turnstile":{"sitekey":"1x00000000000000000000AA","secret":"1x0000000000000000000000000000000AA"}}"#,
        )
        .unwrap();
        let config = SiteConfig::parse(raw, false).unwrap();
        assert_eq!(WidgetSettings::new(&demo_key(), &config), demo());
        assert!(!pretty(&demo()).contains("1x0000000000000000000000000000000AA"));
    }
}
