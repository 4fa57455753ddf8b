//! The `audit` table: who changed what, when, before and after. (Erasures
//! and revealed recipient URLs write their own rows in their batches, in
//! `erasure.rs` and `sites.rs`.)

use super::{millis, ms, opt_text, text};
use crate::error::EdgeResult;
use crate::store::exec::{Db, Stmt};
use domain::audit::{AuditLine, Entry};
use domain::Timestamp;
use serde::Deserialize;

/// The statement that writes `e`, to run in the same batch as the change.
pub fn entry(db: &Db, e: &Entry, now: Timestamp) -> EdgeResult<Stmt> {
    insert(db, e, now, "1")
}

/// As [`entry`], written only if the statement just before it in the batch
/// changed a row (SQLite's `changes()`): a guarded write that did nothing
/// leaves no audit row.
pub fn entry_if_changed(db: &Db, e: &Entry, now: Timestamp) -> EdgeResult<Stmt> {
    insert(db, e, now, "changes() > 0")
}

/// The insert itself, written only where `condition` holds (fixed SQL).
fn insert(db: &Db, e: &Entry, now: Timestamp, condition: &str) -> EdgeResult<Stmt> {
    let (actor, actor_name) = e.actor.stored();
    let json = |v: &Option<serde_json::Value>| v.as_ref().map(super::json);
    Ok(db
        .prepare(format!(
            "INSERT INTO audit (at, actor, by, action, subject, before, after) \
             SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7 WHERE {condition}"
        ))
        .bind(&[
            millis(now),
            text(&actor),
            text(&actor_name),
            text(e.action.as_str()),
            text(&e.target),
            opt_text(json(&e.before).as_deref()),
            opt_text(json(&e.after).as_deref()),
        ])?)
}

/// Writes `e` on its own, for changes made by a statement of their own.
pub async fn record(db: &Db, e: &Entry, now: Timestamp) -> EdgeResult<()> {
    entry(db, e, now)?.run_counted().await?;
    Ok(())
}

/// The newest entries, at most `limit`.
pub async fn lines(db: &Db, limit: u32) -> EdgeResult<Vec<AuditLine>> {
    #[derive(Deserialize)]
    struct Row {
        at: i64,
        by: String,
        action: String,
        subject: String,
        note: Option<String>,
        before: Option<String>,
        after: Option<String>,
    }
    let rows: Vec<Row> = db
        .prepare("SELECT at, by, action, subject, note, before, after FROM audit ORDER BY id DESC LIMIT ?1")
        .bind(&[super::int(limit)])?
        .all_rows()
        .await?
        .results()?;
    Ok(rows
        .into_iter()
        .map(|r| AuditLine {
            at: ms(r.at),
            actor_name: r.by,
            action: r.action,
            target: r.subject,
            note: r.note,
            before: r.before,
            after: r.after,
        })
        .collect())
}
