//! The `deliveries` log: every attempt to send an alert, as managers read it.

use super::{api_time, int, millis, opt_text, text};
use crate::error::EdgeResult;
use crate::store::exec::{Db, Stmt};
use domain::admin_api::AttemptView;
use domain::Timestamp;
use serde::Deserialize;

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

/// Logs an attempt made without a claim: a manager's test alert, whose
/// idempotency id is new each time.
pub async fn log(db: &Db, a: &Attempt<'_>) -> EdgeResult<()> {
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
    .run_counted()
    .await?;
    Ok(())
}

/// A claimed attempt: the row to complete, and its number (1-based).
#[derive(Debug, Clone, Copy)]
pub struct Claimed {
    pub row: i64,
    pub attempt: u32,
}

/// Claims the next attempt of `idempotency_id` for each of `recipients`,
/// in one batch, one statement each: only while no other claim on the pair
/// is live (another consumer is sending it right now) and the pair is not
/// settled (delivered, or a dead letter). In `recipients`' order; `None`:
/// somebody else has it, or nothing is left to do.
pub async fn claim_all(
    db: &Db,
    case_id: &str,
    recipients: &[&str],
    idempotency_id: &str,
    now: Timestamp,
    lease_until: Timestamp,
) -> EdgeResult<Vec<Option<Claimed>>> {
    #[derive(Deserialize)]
    struct Row {
        id: i64,
        attempt: u32,
    }
    if recipients.is_empty() {
        return Ok(Vec::new());
    }
    let statements = recipients
        .iter()
        .map(|recipient_id| {
            db.prepare(
                "INSERT INTO deliveries (case_id, recipient_id, idempotency_id, attempt, status, error, \
                 started_at, duration_ms, claimed_until) \
                 SELECT ?1, ?2, ?3, (SELECT COUNT(*) + 1 FROM deliveries WHERE idempotency_id = ?3 AND recipient_id = ?2), \
                 NULL, 'in flight: no result recorded yet', ?4, 0, ?5 \
                 WHERE NOT EXISTS (SELECT 1 FROM deliveries WHERE idempotency_id = ?3 AND recipient_id = ?2 \
                   AND (claimed_until > ?4 OR status BETWEEN 200 AND 299)) \
                 AND NOT EXISTS (SELECT 1 FROM dead_letters WHERE alert_id = ?3 AND recipient_id = ?2) \
                 RETURNING id, attempt",
            )
            .bind(&[
                text(case_id),
                text(recipient_id),
                text(idempotency_id),
                millis(now),
                millis(lease_until),
            ])
        })
        .collect::<worker::Result<Vec<_>>>()?;
    db.batch(statements)
        .await?
        .iter()
        .map(|result| {
            let row = result.results::<Row>()?.into_iter().next();
            Ok(row.map(|r| Claimed {
                row: r.id,
                attempt: r.attempt,
            }))
        })
        .collect()
}

/// Completes a claimed attempt with what the call came to, and ends the
/// claim: a statement for the batch that ends the consumer's turn.
pub fn complete(
    db: &Db,
    claimed: Claimed,
    status: Option<u16>,
    error: Option<&str>,
    duration_ms: i64,
) -> EdgeResult<Stmt> {
    #[allow(clippy::cast_precision_loss)]
    Ok(db
        .prepare(
            "UPDATE deliveries SET status = ?2, error = ?3, duration_ms = ?4, claimed_until = NULL WHERE id = ?1",
        )
        .bind(&[
            int(claimed.row as f64),
            status.map_or(wasm_bindgen::JsValue::NULL, int),
            opt_text(error),
            int(duration_ms as f64),
        ])?)
}

/// A delivery attempt as stored; `started_at` is epoch milliseconds.
#[derive(Debug, Clone, Deserialize)]
struct AttemptRow {
    recipient_id: String,
    idempotency_id: String,
    attempt: u32,
    status: Option<u16>,
    error: Option<String>,
    started_at: i64,
    duration_ms: i64,
}

/// Every attempt for one case, oldest first, as managers read them.
pub async fn for_case(db: &Db, case_id: &str) -> EdgeResult<Vec<AttemptView>> {
    let rows: Vec<AttemptRow> = db
        .prepare(
            "SELECT recipient_id, idempotency_id, attempt, status, error, started_at, duration_ms \
             FROM deliveries WHERE case_id = ?1 ORDER BY started_at, id",
        )
        .bind(&[text(case_id)])?
        .all_rows()
        .await?
        .results()?;
    Ok(rows
        .into_iter()
        .map(|r| AttemptView {
            recipient_id: r.recipient_id,
            idempotency_id: r.idempotency_id,
            attempt: r.attempt,
            status: r.status,
            error: r.error,
            started_at: api_time(r.started_at),
            duration_ms: r.duration_ms,
        })
        .collect())
}
