//! The `mails` outbox. A mail is written before it is sent; a sender
//! claims it (so the fast path and the cron never send one mail at once),
//! and records how the send went: sent, due again, or failed for good.

use super::{int, millis, text};
use crate::error::EdgeResult;
use crate::store::exec::{Db, Stmt};
use domain::mail::{Mail, MailKind};
use domain::Timestamp;
use serde::Deserialize;
use wasm_bindgen::JsValue;

/// How long a claimed send may take before the cron may try it again.
const CLAIM_SECS: u32 = 120;

/// The bound values `?1`–`?7` of a new mail: id, what it is, and when.
fn row(id: &str, mail: &Mail, now: Timestamp) -> Vec<JsValue> {
    vec![
        text(id),
        text(mail.kind.as_str()),
        text(mail.to.as_str()),
        text(&mail.subject),
        text(&mail.text),
        text(&mail.html),
        millis(now),
    ]
}

pub async fn insert(db: &Db, id: &str, mail: &Mail, now: Timestamp) -> EdgeResult<()> {
    db.prepare(
        "INSERT INTO mails (id, kind, recipient, subject, text, html, created_at, next_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
    )
    .bind(&row(id, mail, now))?
    .run_counted()
    .await?;
    Ok(())
}

/// Writes a mail whose id says what it is for (one per purpose); a second
/// write of the same id changes nothing. `false`: it was there already.
pub async fn insert_once(db: &Db, id: &str, mail: &Mail, now: Timestamp) -> EdgeResult<bool> {
    let result = db
        .prepare(
            "INSERT INTO mails (id, kind, recipient, subject, text, html, created_at, next_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) ON CONFLICT(id) DO NOTHING",
        )
        .bind(&row(id, mail, now))?
        .run_counted()
        .await?;
    Ok(super::changed(&result))
}

/// A mail a case step sends the customer, for the step's own batch: written
/// only with the step's event (`event_type` at `now` on `case_id`), and once
/// per id however often the step is retried, since the id is the conflict
/// target.
pub fn insert_for_step(
    db: &Db,
    id: &str,
    mail: &Mail,
    case_id: &str,
    event_type: &str,
    now: Timestamp,
) -> EdgeResult<Stmt> {
    let mut values = row(id, mail, now);
    values.extend([text(case_id), text(event_type)]);
    Ok(db
        .prepare(
            "INSERT INTO mails (id, kind, recipient, subject, text, html, created_at, next_at, case_id) \
             SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8 \
             WHERE EXISTS (SELECT 1 FROM events WHERE case_id = ?8 AND type = ?9 AND at = ?7) \
             ON CONFLICT(id) DO NOTHING",
        )
        .bind(&values)?)
}

/// A claimed mail, ready to send.
#[derive(Deserialize)]
pub struct Claimed {
    pub id: String,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub attempts: u32,
}

/// Claims `id` if it is due: counts the attempt and holds it for
/// [`CLAIM_SECS`]. `None` when it is sent, failed, or claimed by another.
pub async fn claim(db: &Db, id: &str, now: Timestamp) -> EdgeResult<Option<Claimed>> {
    Ok(db
        .prepare(
            "UPDATE mails SET attempts = attempts + 1, next_at = ?3 \
             WHERE id = ?1 AND next_at IS NOT NULL AND next_at <= ?2 \
             RETURNING id, kind, recipient, subject, text, html, attempts",
        )
        .bind(&[text(id), millis(now), millis(now.plus_seconds(CLAIM_SECS))])?
        .first_row()
        .await?)
}

/// The ids of mails due now (never sent, or due again), oldest first.
pub async fn due(db: &Db, now: Timestamp, limit: u32) -> EdgeResult<Vec<String>> {
    #[derive(Deserialize)]
    struct Row {
        id: String,
    }
    let rows: Vec<Row> = db
        .prepare("SELECT id FROM mails WHERE next_at IS NOT NULL AND next_at <= ?1 ORDER BY next_at LIMIT ?2")
        .bind(&[millis(now), int(limit)])?
        .all_rows()
        .await?
        .results()?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// The body is forgotten once it cannot be sent again if it holds a link.
fn forget_body(kind: &str) -> &'static str {
    if MailKind::body_is_secret(kind) {
        ", text = '', html = ''"
    } else {
        ""
    }
}

pub async fn sent(db: &Db, m: &Claimed, now: Timestamp) -> EdgeResult<()> {
    db.prepare(format!(
        "UPDATE mails SET sent_at = ?2, next_at = NULL, last_error = NULL{} WHERE id = ?1",
        forget_body(&m.kind)
    ))
    .bind(&[text(&m.id), millis(now)])?
    .run_counted()
    .await?;
    Ok(())
}

/// A failed send: due again at `retry_at`, or, with `None`, failed for good.
pub async fn not_sent(
    db: &Db,
    m: &Claimed,
    error: &str,
    retry_at: Option<Timestamp>,
    now: Timestamp,
) -> EdgeResult<()> {
    let stmt = match retry_at {
        Some(at) => db
            .prepare("UPDATE mails SET next_at = ?2, last_error = ?3 WHERE id = ?1")
            .bind(&[text(&m.id), millis(at), text(error)])?,
        None => db
            .prepare(format!(
                "UPDATE mails SET next_at = NULL, failed_at = ?2, last_error = ?3{} WHERE id = ?1",
                forget_body(&m.kind)
            ))
            .bind(&[text(&m.id), millis(now), text(error)])?,
    };
    stmt.run_counted().await?;
    Ok(())
}
