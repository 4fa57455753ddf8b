//! Candor's widget: a thin shell that draws the form in a Shadow DOM and posts
//! the answer. The product rules (tiers, wording, thank-you text) live on the
//! server side in `domain`; the widget shows what the server answers.

mod config;
mod dom;
mod locale;
mod outbox;
mod site;
mod store;
mod submit;
mod text;
mod timer;
mod view;

#[cfg(test)]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use js_sys::Reflect;
use wasm_bindgen::prelude::*;

fn field(settings: &JsValue, name: &str) -> String {
    Reflect::get(settings, &name.into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// Called once by the loader (`www/widget.js`) with the script tag's
/// settings. Never throws into the host page for anything the page set.
#[wasm_bindgen]
pub fn mount(settings: &JsValue) -> Result<(), JsValue> {
    let [site, api, transaction, locale, mode, target, corner, lang] = [
        "site",
        "api",
        "transaction",
        "locale",
        "mode",
        "target",
        "side",
        "lang",
    ]
    .map(|name| field(settings, name));
    let raw = config::Raw {
        site: &site,
        api: &api,
        transaction: &transaction,
        locale: &locale,
        mode: &mode,
        target: &target,
        side: &corner,
        lang: &lang,
    };
    let Some((config, ignored)) = config::Config::parse(&raw) else {
        web_sys::console::warn_1(
            &"Candor: data-site is missing or invalid; the widget is not shown".into(),
        );
        return Ok(());
    };
    if !ignored.is_empty() {
        let mut msg = String::from("Candor: ignored invalid ");
        msg.push_str(&ignored.join(", "));
        web_sys::console::warn_1(&msg.into());
    }
    // Answers an earlier page could not send go out first.
    outbox::flush(config.api.clone());
    if store::load().cooling_down(&config.site, js_sys::Date::now()) {
        return Ok(());
    }
    view::mount(config)
}
