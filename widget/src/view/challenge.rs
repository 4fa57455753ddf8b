//! Cloudflare Turnstile, for a site whose settings carry a sitekey: the
//! challenge is drawn in a box inside the form (in the shadow root), and its
//! token goes with the answer for the edge to check. Without it such a site
//! would refuse every answer.
//!
//! Turnstile is a JS API, so the loader (`www/widget.js`) holds the few
//! lines that load its script and render into the box; the widget hands it
//! the box and reads the token the loader leaves on it (`data-token`) when
//! Send is pressed.

use crate::config::Config;
use crate::locale::Lang;
use wasm_bindgen::prelude::*;
use web_sys::Element;

/// Draws the challenge for `sitekey` into `host`.
pub fn render(host: &Element, sitekey: &str, config: &Config) {
    let _ = host.set_attribute("data-sitekey", sitekey);
    reset(host, config);
}

/// A fresh challenge in `host` (the loader draws the first one): a token is
/// spent once, and one the edge refused is no use again.
pub fn reset(host: &Element, config: &Config) {
    if let (Some(challenge), Some(sitekey)) =
        (&config.challenge, host.get_attribute("data-sitekey"))
    {
        let lang = JsValue::from(config.lang.code());
        let _ = challenge.call3(&JsValue::NULL, host, &sitekey.into(), &lang);
    }
}

/// The token, once the challenge has passed and while it is fresh.
pub fn token(host: &Element) -> Option<String> {
    host.get_attribute("data-token").filter(|t| !t.is_empty())
}

/// What the customer reads when Send is pressed before the check passed.
pub const fn not_yet(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "The security check is not done yet. Wait a moment, then press Send again.",
        Lang::De => {
            "Die Sicherheitsprüfung läuft noch. Warten Sie kurz und drücken Sie dann erneut Senden."
        }
        Lang::Ar => "لم يكتمل التحقق الأمني بعد. انتظروا قليلًا ثم اضغطوا إرسال مجددًا.",
    }
}
