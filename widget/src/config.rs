//! The loader's settings: the script tag's `data-*` attributes plus the
//! origin the script came from. Invalid values are dropped with one warning.

use js_sys::Reflect;
use wasm_bindgen::JsValue;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub site: String,
    /// Origin of the Worker (where `widget.js` was loaded from).
    pub api: String,
    pub transaction: String,
    pub locale: String,
}

fn field(settings: &JsValue, name: &str) -> String {
    Reflect::get(settings, &JsValue::from_str(name))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

impl Config {
    pub fn from_js(settings: &JsValue) -> Self {
        let mut transaction = field(settings, "transaction");
        if transaction.chars().count() > 200 || transaction.chars().any(char::is_control) {
            web_sys::console::warn_1(
                &"Candor: data-transaction ignored (at most 200 plain characters)".into(),
            );
            transaction.clear();
        }
        let locale = field(settings, "locale");
        let lang = field(settings, "lang");
        Self {
            site: field(settings, "site"),
            api: field(settings, "api"),
            transaction,
            locale: if locale.is_empty() { lang } else { locale },
        }
    }
}
