//! Cloudflare Turnstile without the internet: a stand-in for siteverify
//! (the edge's check) and one for the browser's `api.js` (the widget's
//! challenge), both keeping the documented test keys' behaviour.

use serde_json::{json, Value};
use tests::receiver::{Answer, Options, Receiver};

/// Cloudflare's documented test secrets.
pub const ALWAYS_PASSES: &str = "1x0000000000000000000000000000000AA";
pub const ALWAYS_FAILS: &str = "2x0000000000000000000000000000000AA";
/// Cloudflare's documented test sitekeys.
pub const SITEKEY_PASSES: &str = "1x00000000000000000000AA";
pub const SITEKEY_BLOCKS: &str = "2x00000000000000000000AB";

/// The browser's side, served by a test's page server.
pub const API_JS: &str = include_str!("../../../stand-ins/turnstile.js");

/// Answers like siteverify does for Cloudflare's test secrets.
pub fn siteverify() -> Receiver {
    Receiver::start(Options {
        responder: Box::new(|req, _| {
            let body: Value = serde_json::from_str(&req.body).unwrap_or(Value::Null);
            let verdict = match body["secret"].as_str() {
                Some(ALWAYS_PASSES) if body["response"].is_string() => {
                    json!({"success": true, "error-codes": []})
                }
                _ => json!({"success": false, "error-codes": ["invalid-input-response"]}),
            };
            Answer {
                status: 200,
                body: verdict.to_string(),
                ..Answer::default()
            }
        }),
        ..Options::default()
    })
    .expect("siteverify stand-in")
}
