use crate::store::exec::Db;
use worker::{Env, Response};

/// `GET /health` → `{"ok": true, "version": "…", "d1": "ok"}`, or 503 with
/// `"ok": false, "d1": "unreachable"` when D1 does not answer: what the
/// deploy's smoke check and an uptime monitor read.
pub async fn get(env: &Env) -> Response {
    let d1 = match Db::from_env(env) {
        Ok(db) => crate::store::health::answers(&db).await,
        Err(_) => false,
    };
    crate::http::json(
        if d1 { 200 } else { 503 },
        &serde_json::json!({
            "ok": d1,
            "version": env!("CARGO_PKG_VERSION"),
            "d1": if d1 { "ok" } else { "unreachable" },
        }),
    )
}
