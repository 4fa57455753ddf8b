use crate::error::EdgeResult;
use worker::Response;

/// `GET /health` → `{"ok": true, "version": "…"}`.
pub fn get() -> EdgeResult<Response> {
    Ok(crate::http::json(200, &serde_json::json!({"ok": true, "version": env!("CARGO_PKG_VERSION")})))
}
