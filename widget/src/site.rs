//! The site's public settings (`GET /v1/sites/{site}/widget`): which parts
//! of the form to show, the cooldown, and the site's own copy.

use crate::config::Config;
use crate::locale::{Copy, Lang};
use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

pub struct Site {
    pub show_score: bool,
    pub show_guarantee: bool,
    /// A score of 1 to 3 shows the optional contact fields.
    pub offer_contact: bool,
    pub cooldown_days: u32,
    pub copy: Copy,
    /// Cloudflare Turnstile's public key: the form draws the challenge.
    pub turnstile_sitekey: Option<String>,
}

/// A new site's settings, as the server serves them (`domain::site` defines
/// them; the widget cannot link `domain`, so they are repeated here, once).
/// Used when the document cannot be read, and for any field it lacks; the
/// test `the_defaults_are_the_servers` pins them to
/// `domain/fixtures/wire/widget-settings-defaults.json`.
const SHOW_SCORE: bool = true;
const SHOW_GUARANTEE: bool = false;
const OFFER_CONTACT: bool = true;
const COOLDOWN_DAYS: u32 = 30;

impl Site {
    /// What the server's defaults are, for when it cannot be reached: the
    /// customer can still write an answer, which the outbox keeps.
    fn fallback(lang: Lang) -> Self {
        Self {
            show_score: SHOW_SCORE,
            show_guarantee: SHOW_GUARANTEE,
            offer_contact: OFFER_CONTACT,
            cooldown_days: COOLDOWN_DAYS,
            copy: Copy::new(lang, |_| None),
            // Unknown: the edge says so if the site needs it.
            turnstile_sitekey: None,
        }
    }

    fn from_json(json: &JsValue, lang: Lang) -> Self {
        let get = |v: &JsValue, k: &str| Reflect::get(v, &k.into()).unwrap_or(JsValue::UNDEFINED);
        let lines = get(&get(json, "copy"), lang.code());
        let flag = |k: &str, default: bool| get(json, k).as_bool().unwrap_or(default);
        let cooldown = get(json, "cooldown_days").as_f64();
        Self {
            show_score: flag("show_score", SHOW_SCORE),
            show_guarantee: flag("show_guarantee", SHOW_GUARANTEE),
            offer_contact: flag("offer_contact", OFFER_CONTACT),
            // A float from JSON: clamp before the cast, then it cannot wrap.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            cooldown_days: cooldown.map_or(COOLDOWN_DAYS, |d| d.clamp(0.0, 3_650.0) as u32),
            // Handed to Turnstile as it is: the server checked its shape.
            turnstile_sitekey: get(json, "turnstile_sitekey").as_string(),
            copy: Copy::new(lang, |key| {
                if lines.is_object() {
                    get(&lines, key).as_string()
                } else {
                    None
                }
            }),
        }
    }
}

/// `None` when the server does not know the site: the widget then stays
/// away rather than collect answers nobody can store.
pub async fn fetch(config: &Config) -> Option<Site> {
    let fallback = || Some(Site::fallback(config.lang));
    let window = crate::dom::window();
    let mut url = config.api.clone();
    url.push_str("/v1/sites/");
    url.push_str(&config.site);
    url.push_str("/widget");
    let Ok(resp) = JsFuture::from(window.fetch_with_str(&url))
        .await
        // `fetch` resolves with a `Response` or not at all.
        .map(JsCast::unchecked_into::<web_sys::Response>)
    else {
        return fallback();
    };
    if resp.status() == 404 {
        web_sys::console::warn_1(&"Candor: unknown data-site; the widget is not shown".into());
        return None;
    }
    if !resp.ok() {
        return fallback();
    }
    let json = match resp.json() {
        Ok(p) => JsFuture::from(p).await.unwrap_or(JsValue::NULL),
        Err(_) => return fallback(),
    };
    Some(Site::from_json(&json, config.lang))
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn reads_the_public_config_and_the_copy_for_the_language() {
        let json = js_sys::JSON::parse(
            r#"{"site":"demo","show_score":false,"show_guarantee":true,"cooldown_days":7,
                "copy":{"de":{"question":"Was hat gefehlt?"},"en":{"question":"What went wrong?"}}}"#,
        )
        .unwrap();
        let site = Site::from_json(&json, Lang::De);
        assert!(!site.show_score && site.show_guarantee);
        assert_eq!(site.cooldown_days, 7);
        assert_eq!(site.copy.question, "Was hat gefehlt?");
        let ar = Site::from_json(&json, Lang::Ar);
        assert_eq!(ar.copy.question, crate::locale::AR.question);
    }

    const SETTINGS: &str = include_str!("../../domain/fixtures/wire/widget-settings.json");
    const DEFAULTS: &str = include_str!("../../domain/fixtures/wire/widget-settings-defaults.json");

    /// The document the server serves (pinned on the server's side by
    /// `domain::widget_settings`), read by this parser. Every value in the
    /// fixture differs from the fallback, so a field the parser names
    /// differently from the server falls back and fails here.
    #[wasm_bindgen_test]
    fn reads_the_servers_settings_fixture() {
        let json = js_sys::JSON::parse(SETTINGS).unwrap();
        let en = Site::from_json(&json, Lang::En);
        assert_eq!(
            (
                en.show_score,
                en.show_guarantee,
                en.offer_contact,
                en.cooldown_days
            ),
            (false, true, false, 7)
        );
        assert_eq!(en.copy.title, "Tell us what went wrong");
        assert_eq!(en.copy.question, "Where did we fall short?");
        assert_eq!(
            en.copy.hint,
            "Say it plainly; a manager reads every answer."
        );
        assert_eq!(en.copy.score_question, "How was it overall?");
        assert_eq!(en.copy.thanks, "Thank you for telling us.");
        assert_eq!(
            en.turnstile_sitekey.as_deref(),
            Some("1x00000000000000000000AA")
        );
        let de = Site::from_json(&json, Lang::De);
        assert_eq!(de.copy.question, "Was hat gefehlt?");
        assert_eq!(de.copy.title, crate::locale::DE.title);
    }

    /// The fallback, and what a document without a field reads as, are
    /// the settings the server gives a new site.
    #[wasm_bindgen_test]
    fn the_defaults_are_the_servers() {
        let json = js_sys::JSON::parse(DEFAULTS).unwrap();
        let served = Site::from_json(&json, Lang::En);
        let empty = Site::from_json(&js_sys::Object::new(), Lang::En);
        for site in [Site::fallback(Lang::En), empty] {
            assert_eq!(site.turnstile_sitekey, served.turnstile_sitekey);
            assert_eq!(
                (
                    site.show_score,
                    site.show_guarantee,
                    site.offer_contact,
                    site.cooldown_days
                ),
                (
                    served.show_score,
                    served.show_guarantee,
                    served.offer_contact,
                    served.cooldown_days
                )
            );
        }
        // Read from the fixture, not fallen back to for want of it.
        for key in [
            "show_score",
            "show_guarantee",
            "offer_contact",
            "cooldown_days",
        ] {
            assert!(Reflect::has(&json, &key.into()).unwrap(), "{key}");
        }
    }

    #[wasm_bindgen_test]
    fn odd_values_fall_back_to_the_defaults() {
        let json = js_sys::JSON::parse(
            r#"{"show_score":"no","cooldown_days":-5,"copy":[1],"turnstile_sitekey":7}"#,
        )
        .unwrap();
        let site = Site::from_json(&json, Lang::En);
        assert_eq!(site.turnstile_sitekey, None, "not a string");
        assert!(site.show_score && !site.show_guarantee);
        assert_eq!(site.cooldown_days, 0);
        assert_eq!(site.copy.title, crate::locale::EN.title);
    }
}
