//! Fixtures the settings form tests share: a form body from pairs, and a
//! stored configuration to apply a form to.

use crate::site::RawSiteConfig;
use url::form_urlencoded;

pub fn enc(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

pub fn base() -> RawSiteConfig {
    serde_json::from_str(
        r#"{"origins":["https://old.example.com"],
            "copy":{"fr":{"title":"Avis"}},
            "recipients":[{"role":"president","format":"slack","url":"https://hooks.slack.com/services/T/B/X"}],
            "cooldown_days":7,"rate_per_minute":77,"guarantee":true,
            "turnstile":{"sitekey":"1x00000000000000000000AA","secret":"1x0000000000000000000000000000000AA"}}"#,
    )
    .unwrap()
}
