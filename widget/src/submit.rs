//! Builds the `POST /v1/responses` body and sends it. No serde_json in the
//! widget: the body is a JS object serialised by the browser's JSON.

use crate::config::Config;
use js_sys::{Object, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestCredentials, RequestInit, Response};

pub struct Answer {
    pub gaps: String,
    pub score: Option<u8>,
}

fn set(obj: &Object, key: &str, value: &JsValue) -> Result<(), JsValue> {
    Reflect::set(obj, &JsValue::from_str(key), value).map(drop)
}

/// The wire body (DESIGN §4) for an answer with a fresh UUID v4.
pub fn body(config: &Config, answer: &Answer, id: &str, page: &str) -> Result<String, JsValue> {
    let body = Object::new();
    set(&body, "site", &config.site.as_str().into())?;
    set(&body, "id", &id.into())?;
    set(&body, "gaps", &answer.gaps.as_str().into())?;
    set(
        &body,
        "score",
        &answer.score.map_or(JsValue::NULL, JsValue::from),
    )?;
    let context = Object::new();
    set(&context, "page", &page.into())?;
    if !config.transaction.is_empty() {
        set(&context, "transaction", &config.transaction.as_str().into())?;
    }
    if !config.locale.is_empty() {
        set(&context, "locale", &config.locale.as_str().into())?;
    }
    set(&body, "context", &context)?;
    set(&body, "hp", &"".into())?;
    JSON::stringify(&body)?
        .as_string()
        .ok_or_else(|| JsValue::from_str("body did not serialise"))
}

/// Posts the body; returns the server's `next` text, or the error message.
pub async fn send(config: &Config, body: &str) -> Result<String, String> {
    let window = web_sys::window().ok_or("no window")?;
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_credentials(RequestCredentials::Omit);
    init.set_body(&JsValue::from_str(body));
    let url = format!("{}/v1/responses", config.api);
    let request = Request::new_with_str_and_init(&url, &init).map_err(|_| "bad request")?;
    request
        .headers()
        .set("content-type", "application/json")
        .map_err(|_| "bad header")?;
    let resp: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(|_| "network error")?
        .dyn_into()
        .map_err(|_| "no response")?;
    let json = JsFuture::from(resp.json().map_err(|_| "unreadable answer")?)
        .await
        .map_err(|_| "unreadable answer")?;
    if resp.ok() {
        Reflect::get(&json, &"next".into())
            .ok()
            .and_then(|v| v.as_string())
            .ok_or_else(|| "unreadable answer".into())
    } else {
        let message = Reflect::get(&json, &"error".into())
            .and_then(|e| Reflect::get(&e, &"message".into()))
            .ok()
            .and_then(|m| m.as_string());
        Err(message.unwrap_or_else(|| format!("error {}", resp.status())))
    }
}
