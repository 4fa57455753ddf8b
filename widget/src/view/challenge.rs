//! Cloudflare Turnstile, for a site whose settings carry a sitekey: the
//! challenge is drawn inside the form (in the shadow root), and its token
//! goes with the answer for the edge to check. Without it such a site would
//! refuse every answer.
//!
//! The page loads nothing until the form is drawn. The script comes from
//! `data-turnstile-src` (Cloudflare's `api.js?render=explicit` by default;
//! tests point it at a local stand-in), with the loader's CSP nonce; a page
//! that has Turnstile already is used as it is. Explicit rendering returns a
//! widget id, kept on the container, and the token is read from Turnstile
//! when Send is pressed: no callback has to outlive the form.

use crate::config::Config;
use crate::dom::{el, on};
use crate::locale::Lang;
use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::{Document, Element};

const ID: &str = "data-widget";

/// The page's `window.turnstile`, once its script has run.
fn turnstile() -> Option<JsValue> {
    let ts = Reflect::get(&web_sys::window()?.into(), &"turnstile".into()).ok()?;
    ts.is_object().then_some(ts)
}

/// Calls `turnstile.<name>(args…)`.
fn call(name: &str, args: &[&JsValue]) -> Option<JsValue> {
    let ts = turnstile()?;
    let f: Function = Reflect::get(&ts, &name.into()).ok()?.dyn_into().ok()?;
    let args: js_sys::Array = args.iter().copied().collect();
    f.apply(&ts, &args).ok()
}

/// Draws the challenge for `sitekey` into `target`, loading Turnstile's
/// script first if the page has none.
pub fn render(
    doc: &Document,
    target: &Element,
    sitekey: &str,
    config: &Config,
) -> Result<(), JsValue> {
    let options = Object::new();
    Reflect::set(&options, &"sitekey".into(), &sitekey.into())?;
    Reflect::set(&options, &"language".into(), &config.lang.code().into())?;
    let target = target.clone();
    let draw = move || {
        if let Some(id) = call("render", &[&target, &options]).and_then(|id| id.as_string()) {
            let _ = target.set_attribute(ID, &id);
        }
    };
    if turnstile().is_some() {
        draw();
        return Ok(());
    }
    // One script per page, however many forms wait for it.
    let script = if let Some(s) = doc.query_selector("script[data-candor-turnstile]")? {
        s
    } else {
        let attrs = [
            ("src", config.challenge_src.as_str()),
            ("async", ""),
            ("data-candor-turnstile", ""),
        ];
        let s = el(doc, "script", &attrs, "")?;
        if !config.nonce.is_empty() {
            s.set_attribute("nonce", &config.nonce)?;
        }
        let head = doc.query_selector("head")?.ok_or("no head")?;
        head.append_child(&s)?;
        s
    };
    on(&script, "load", move |_| draw())
}

/// The token, once the challenge has passed and while it is fresh.
pub fn token(target: &Element) -> Option<String> {
    let id = target.get_attribute(ID)?;
    call("getResponse", &[&id.into()])?
        .as_string()
        .filter(|t| !t.is_empty())
}

/// A new challenge: a token is spent once, and one the edge refused is
/// no use again.
pub fn reset(target: &Element) {
    if let Some(id) = target.get_attribute(ID) {
        call("reset", &[&id.into()]);
    }
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
