use worker::Response;

/// `GET /health` → `{"ok": true, "version": "…"}`.
pub fn get() -> Response {
    crate::http::json(
        200,
        &serde_json::json!({"ok": true, "version": env!("CARGO_PKG_VERSION")}),
    )
}
