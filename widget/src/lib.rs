//! Candor's widget: a thin shell that draws the form in a Shadow DOM and posts
//! the answer. The product rules (tiers, wording, thank-you text) live on the
//! server side in `domain`; the widget shows what the server answers.

mod config;
mod dom;
mod locale;
mod submit;
mod view;

use wasm_bindgen::prelude::*;

/// Called once by the loader (`www/widget.js`) with the script tag's settings.
#[wasm_bindgen]
pub fn mount(settings: &JsValue) -> Result<(), JsValue> {
    let config = config::Config::from_js(settings);
    view::mount(&config)
}
