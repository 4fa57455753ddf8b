//! Builds the `POST /v1/responses` body and sends it. No serde_json in the
//! widget: the body is a JS object serialised by the browser's JSON.

use crate::config::Config;
use js_sys::{Object, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Request, RequestCredentials, RequestInit, Response};

/// A request that hangs is given up after this long and retried later;
/// the server may have stored it, which the retry's same `id` settles.
const TIMEOUT_MS: i32 = 15_000;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Contact {
    pub name: String,
    pub email: String,
    pub phone: String,
    /// The customer asked to be called back (or invoked the guarantee); a
    /// contact left after a low score's offer is not a request.
    pub callback: bool,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Answer {
    pub gaps: String,
    pub score: Option<u8>,
    pub guarantee: bool,
    /// Present when the customer asked for a call back, or left a way to
    /// reach them when a low score offered it.
    pub contact: Option<Contact>,
    /// The Turnstile token, on a site that asks for one.
    pub turnstile: Option<String>,
}

/// What became of one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Stored now or before (the same `id` again): the server's thank-you.
    Stored(String),
    /// Not reached, timed out, throttled or a server fault: try again after
    /// at least this many milliseconds.
    Retry(u32),
    /// Refused for good (the server's message); retrying cannot help.
    Rejected(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Stored,
    Retry,
    Rejected,
}

/// How a status code is handled. 408 and 429 are worth repeating, as is
/// every 5xx; any other 4xx means this exact body will never be accepted.
pub fn classify(status: u16) -> Class {
    match status {
        200..=299 => Class::Stored,
        408 | 429 | 500.. => Class::Retry,
        _ => Class::Rejected,
    }
}

/// `Retry-After` in seconds → milliseconds, within an hour.
pub fn retry_after_ms(header: Option<&str>) -> u32 {
    header
        .and_then(|v| v.trim().parse::<u32>().ok())
        .map_or(0, |s| s.min(3_600) * 1_000)
}

fn set(obj: &Object, key: &str, value: &JsValue) -> Result<(), JsValue> {
    Reflect::set(obj, &key.into(), value).map(drop)
}

fn set_text(obj: &Object, key: &str, value: &str) -> Result<(), JsValue> {
    if value.trim().is_empty() {
        Ok(())
    } else {
        set(obj, key, &value.trim().into())
    }
}

/// The wire body (DESIGN §4). `page` is the page's origin and path only:
/// query strings and fragments often carry tokens and personal data.
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
    set(&body, "guarantee", &answer.guarantee.into())?;
    if let Some(c) = &answer.contact {
        let contact = Object::new();
        set_text(&contact, "name", &c.name)?;
        set_text(&contact, "email", &c.email)?;
        set_text(&contact, "phone", &c.phone)?;
        set(&contact, "callback", &c.callback.into())?;
        set(&body, "contact", &contact)?;
    }
    let context = Object::new();
    set_text(&context, "page", page)?;
    if let Some(t) = &config.transaction {
        set(&context, "transaction", &t.as_str().into())?;
    }
    set(&context, "locale", &config.lang.code().into())?;
    set(&body, "context", &context)?;
    if let Some(token) = &answer.turnstile {
        set(&body, "turnstile", &token.as_str().into())?;
    }
    set(&body, "hp", &"".into())?;
    JSON::stringify(&body)?
        .as_string()
        .ok_or_else(|| "body did not serialise".into())
}

fn field(json: &JsValue, path: &[&str]) -> Option<String> {
    path.iter()
        .try_fold(json.clone(), |v, key| Reflect::get(&v, &(*key).into()).ok())?
        .as_string()
}

/// One attempt at storing `body` on the Worker at `api`.
pub async fn send(api: &str, body: &str) -> Outcome {
    let window = crate::dom::window();
    let Ok(abort) = AbortController::new() else {
        return Outcome::Retry(0);
    };
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_credentials(RequestCredentials::Omit);
    init.set_body(&body.into());
    init.set_signal(Some(&abort.signal()));
    let mut url = String::from(api);
    url.push_str("/v1/responses");
    let Ok(request) = Request::new_with_str_and_init(&url, &init) else {
        return Outcome::Rejected("bad request".into());
    };
    let _ = request.headers().set("content-type", "application/json");
    let timer = crate::timer::after(TIMEOUT_MS, move || abort.abort());
    let answer = JsFuture::from(window.fetch_with_request(&request)).await;
    crate::timer::cancel(timer);
    // `fetch` resolves with a `Response` or not at all.
    let Ok(resp) = answer.map(JsCast::unchecked_into::<Response>) else {
        return Outcome::Retry(0);
    };
    let status = resp.status();
    let class = classify(status);
    if class == Class::Retry {
        let after = resp.headers().get("retry-after").ok().flatten();
        return Outcome::Retry(retry_after_ms(after.as_deref()));
    }
    let json = match resp.json() {
        Ok(p) => JsFuture::from(p).await.unwrap_or(JsValue::NULL),
        Err(_) => JsValue::NULL,
    };
    match class {
        Class::Stored => Outcome::Stored(field(&json, &["next"]).unwrap_or_default()),
        _ => Outcome::Rejected(
            field(&json, &["error", "message"]).unwrap_or_else(|| crate::text::number(status)),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, Raw};
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn statuses_sort_into_stored_retry_rejected() {
        assert_eq!(classify(201), Class::Stored);
        assert_eq!(classify(200), Class::Stored);
        for s in [408, 429, 500, 502, 503] {
            assert_eq!(classify(s), Class::Retry, "{s}");
        }
        for s in [400, 401, 403, 404, 409, 413, 415, 301] {
            assert_eq!(classify(s), Class::Rejected, "{s}");
        }
    }

    #[wasm_bindgen_test]
    fn retry_after_is_bounded_seconds() {
        assert_eq!(retry_after_ms(Some("3")), 3_000);
        assert_eq!(retry_after_ms(Some(" 99999 ")), 3_600_000);
        assert_eq!(retry_after_ms(Some("Wed, 21 Oct 2015 07:28:00 GMT")), 0);
        assert_eq!(retry_after_ms(None), 0);
    }

    const FULL: &str = include_str!("../../domain/fixtures/wire/answer-full.json");
    const MINIMAL: &str = include_str!("../../domain/fixtures/wire/answer-minimal.json");

    /// `v` as JSON with every object's keys sorted: two bodies compare by
    /// what they say, whatever order their fields were set in.
    fn canonical(v: &JsValue) -> String {
        fn sorted(v: &JsValue) -> JsValue {
            if !v.is_object() || js_sys::Array::is_array(v) {
                return v.clone();
            }
            let mut keys: Vec<String> = Object::keys(v.unchecked_ref::<Object>())
                .iter()
                .filter_map(|k| k.as_string())
                .collect();
            keys.sort();
            let out = Object::new();
            for key in keys {
                let value = Reflect::get(v, &key.as_str().into()).unwrap();
                set(&out, &key, &sorted(&value)).unwrap();
            }
            out.into()
        }
        JSON::stringify(&sorted(v)).unwrap().as_string().unwrap()
    }

    /// The widget's settings for the fixture's site, page language and
    /// transaction (`""`: none).
    fn config_for(fixture: &JsValue, transaction: &str) -> Config {
        let site = field(fixture, &["site"]).unwrap_or_default();
        let locale = field(fixture, &["context", "locale"]).unwrap_or_else(|| "en".into());
        Config::parse(&Raw {
            site: &site,
            api: "https://f.example",
            transaction,
            locale: &locale,
            ..Raw::default()
        })
        .unwrap()
        .0
    }

    /// The values of `answer-full.json`, typed into the widget, give back
    /// that body: every name and every value as the server reads them
    /// (`domain::submission` parses the same file).
    #[wasm_bindgen_test]
    fn the_full_answer_is_the_full_fixture() {
        let fixture = JSON::parse(FULL).unwrap();
        let text = |path: &[&str]| field(&fixture, path).unwrap_or_default();
        let score = Reflect::get(&fixture, &"score".into()).unwrap().as_f64();
        let flag = |key: &str| Reflect::get(&fixture, &key.into()).unwrap().as_bool();
        assert_eq!(
            flag("guarantee"),
            Some(true),
            "a value that is not the default"
        );
        let answer = Answer {
            gaps: text(&["gaps"]),
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            score: score.map(|s| s as u8),
            guarantee: flag("guarantee").unwrap_or_default(),
            contact: Some(Contact {
                name: text(&["contact", "name"]),
                email: text(&["contact", "email"]),
                phone: text(&["contact", "phone"]),
                callback: Reflect::get(
                    &Reflect::get(&fixture, &"contact".into()).unwrap(),
                    &"callback".into(),
                )
                .unwrap()
                .as_bool()
                .unwrap_or_default(),
            }),
            turnstile: field(&fixture, &["turnstile"]),
        };
        let config = config_for(&fixture, &text(&["context", "transaction"]));
        let got = body(
            &config,
            &answer,
            &text(&["id"]),
            &text(&["context", "page"]),
        )
        .unwrap();
        assert_eq!(canonical(&JSON::parse(&got).unwrap()), canonical(&fixture));
    }

    /// Only the three required fields typed in: the widget's body is the
    /// minimal fixture plus what it always sends, each the server's default
    /// (no score, no guarantee, an empty honeypot) but the page's language,
    /// which it always knows.
    #[wasm_bindgen_test]
    fn the_minimal_answer_is_the_minimal_fixture_with_the_widgets_defaults() {
        let fixture = JSON::parse(MINIMAL).unwrap();
        let text = |path: &[&str]| field(&fixture, path).unwrap_or_default();
        let answer = Answer {
            gaps: text(&["gaps"]),
            ..Answer::default()
        };
        let got = body(&config_for(&fixture, ""), &answer, &text(&["id"]), "").unwrap();
        let want = JSON::parse(MINIMAL).unwrap();
        let obj: &Object = want.unchecked_ref();
        set(obj, "score", &JsValue::NULL).unwrap();
        set(obj, "guarantee", &false.into()).unwrap();
        set(obj, "context", &JSON::parse(r#"{"locale":"en"}"#).unwrap()).unwrap();
        set(obj, "hp", &"".into()).unwrap();
        assert_eq!(canonical(&JSON::parse(&got).unwrap()), canonical(&want));
    }

    #[wasm_bindgen_test]
    fn the_body_is_the_wire_format() {
        let (config, _) = Config::parse(&Raw {
            site: "demo",
            api: "https://f.example",
            transaction: "order-\"1\"",
            locale: "de",
            ..Raw::default()
        })
        .unwrap();
        let answer = Answer {
            gaps: "Late </script> \u{2028}".into(),
            score: Some(2),
            guarantee: true,
            contact: Some(Contact {
                name: " Ana ".into(),
                email: "ana@example.com".into(),
                phone: String::new(),
                callback: true,
            }),
            turnstile: None,
        };
        let json = body(&config, &answer, "id-1", "https://shop.example/x").unwrap();
        let v = JSON::parse(&json).unwrap();
        let f = |p: &[&str]| field(&v, p);
        assert_eq!(f(&["site"]).as_deref(), Some("demo"));
        assert_eq!(f(&["gaps"]).as_deref(), Some("Late </script> \u{2028}"));
        assert_eq!(f(&["contact", "name"]).as_deref(), Some("Ana"));
        assert_eq!(f(&["contact", "phone"]), None, "empty fields are left out");
        assert_eq!(
            f(&["context", "transaction"]).as_deref(),
            Some("order-\"1\"")
        );
        assert_eq!(f(&["context", "locale"]).as_deref(), Some("de"));
        let score = Reflect::get(&v, &"score".into()).unwrap();
        assert_eq!(score.as_f64(), Some(2.0));
        let none = body(&config, &Answer::default(), "id-2", "").unwrap();
        let v = JSON::parse(&none).unwrap();
        assert!(Reflect::get(&v, &"score".into()).unwrap().is_null());
        assert!(Reflect::get(&v, &"contact".into()).unwrap().is_undefined());
        assert!(Reflect::get(&v, &"turnstile".into())
            .unwrap()
            .is_undefined());
        assert_eq!(Reflect::get(&v, &"guarantee".into()).unwrap(), false);
    }
}
