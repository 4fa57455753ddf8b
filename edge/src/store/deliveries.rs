//! The `deliveries` log: every attempt to send an alert, as managers read it.

use super::{int, millis, opt_text, text};
use crate::error::EdgeResult;
use domain::Timestamp;
use serde::{Deserialize, Serialize};
use worker::D1Database;

/// One line of the delivery log.
pub struct Attempt<'a> {
    pub case_id: &'a str,
    pub recipient_id: &'a str,
    pub idempotency_id: &'a str,
    pub number: u32,
    pub status: Option<u16>,
    pub error: Option<String>,
    pub started_at: Timestamp,
    pub duration_ms: i64,
}

pub async fn log(db: &D1Database, a: &Attempt<'_>) -> EdgeResult<()> {
    #[allow(clippy::cast_precision_loss)]
    db.prepare(
        "INSERT INTO deliveries (case_id, recipient_id, idempotency_id, attempt, status, error, started_at, duration_ms) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )
    .bind(&[
        text(a.case_id),
        text(a.recipient_id),
        text(a.idempotency_id),
        int(a.number),
        a.status.map_or(wasm_bindgen::JsValue::NULL, int),
        opt_text(a.error.as_deref()),
        millis(a.started_at),
        int(a.duration_ms as f64),
    ])?
    .run()
    .await?;
    Ok(())
}

/// A delivery attempt as managers read it.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct DeliveryView {
    pub recipient_id: String,
    pub idempotency_id: String,
    pub attempt: f64,
    pub status: Option<f64>,
    pub error: Option<String>,
    pub started_at: f64,
    pub duration_ms: f64,
}

/// Every attempt for one case, oldest first.
pub async fn for_case(db: &D1Database, case_id: &str) -> EdgeResult<Vec<DeliveryView>> {
    Ok(db
        .prepare(
            "SELECT recipient_id, idempotency_id, attempt, status, error, started_at, duration_ms \
             FROM deliveries WHERE case_id = ?1 ORDER BY started_at, id",
        )
        .bind(&[text(case_id)])?
        .all()
        .await?
        .results()?)
}
