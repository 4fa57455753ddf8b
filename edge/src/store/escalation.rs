//! The cron's re-escalation (docs/product-rules.md#rule-5): which open cases
//! are past their acknowledge deadline, and moving one of them a level up
//! together with its `escalated` event and its alert.

use super::outbox::{self, NewAlert};
use super::{millis, text};
use crate::error::EdgeResult;
use crate::store::exec::Db;
use domain::{Tier, Timestamp};
use serde::Deserialize;

/// How many overdue cases one tick moves at most; the rest wait a minute.
const PER_TICK: u32 = 100;

/// An open case past its deadline, with what moving it up needs: its site's
/// SLA minutes (JSON text) and the dashboard base URL its first alert used.
#[derive(Debug, Deserialize)]
pub struct OverdueCase {
    pub id: String,
    pub level: String,
    /// Epoch milliseconds.
    pub ack_due_at: i64,
    pub sla_minutes: String,
    pub base_url: Option<String>,
}

/// Open cases below the top level whose deadline is at or before `now`,
/// most overdue first.
pub async fn overdue_cases(db: &Db, now: Timestamp) -> EdgeResult<Vec<OverdueCase>> {
    Ok(db
        .prepare(format!(
            "SELECT c.id, c.level, c.ack_due_at, s.sla_minutes, \
             (SELECT a.base_url FROM alerts a WHERE a.case_id = c.id ORDER BY a.created_at LIMIT 1) AS base_url \
             FROM cases c JOIN sites s ON s.key = c.site \
             WHERE c.state = 'open' AND c.level != 'president' AND c.ack_due_at <= ?1 \
             ORDER BY c.ack_due_at LIMIT {PER_TICK}"
        ))
        .bind(&[millis(now)])?
        .all_rows()
        .await?
        .results()?)
}

/// One step up for one case.
pub struct Escalation<'a> {
    pub case_id: &'a str,
    /// The level the tick read; the case moves only if it still has it.
    pub from: Tier,
    pub to: Tier,
    pub next_due: Timestamp,
    /// The `escalated` event's note.
    pub note: &'a str,
    pub alert: &'a NewAlert<'a>,
    pub now: Timestamp,
}

/// Moves the case up, writes the event and the alert, in one transaction,
/// and only while the case is still open at the level the tick read — so
/// overlapping ticks move it once. Returns whether it moved.
pub async fn escalate(db: &Db, e: &Escalation<'_>) -> EdgeResult<bool> {
    let results = db
        .batch(vec![
            db.prepare(
                "UPDATE cases SET level = ?2, ack_due_at = ?3, updated_at = ?4 \
                 WHERE id = ?1 AND level = ?5 AND state = 'open'",
            )
            .bind(&[
                text(e.case_id),
                text(e.to.as_str()),
                millis(e.next_due),
                millis(e.now),
                text(e.from.as_str()),
            ])?,
            // changes() is the UPDATE's count; then the event's.
            db.prepare(
                "INSERT INTO events (case_id, type, by, note, at) \
                 SELECT ?1, 'escalated', 'sla', ?2, ?3 WHERE changes() = 1",
            )
            .bind(&[text(e.case_id), text(e.note), millis(e.now)])?,
            outbox::insert_if(db, e.alert, "changes() = 1")?,
        ])
        .await?;
    Ok(super::first_changes(&results) == 1)
}

/// A case waiting on a step after acknowledgement whose step has not been
/// alerted yet, with what checking its deadline needs.
#[derive(Debug, Deserialize)]
pub struct StepCase {
    pub id: String,
    pub tier: String,
    pub level: String,
    pub state: String,
    /// Epoch milliseconds; NULL on rows older than the column.
    pub state_at: Option<i64>,
    pub updated_at: i64,
    pub owner_name: Option<String>,
    pub sla_minutes: String,
    pub deadline_minutes: String,
    pub base_url: Option<String>,
}

/// Cases in a step with a deadline (acknowledged, contacted, report sent)
/// not yet alerted for that step, longest in their state first. The
/// deadline itself is `domain::deadlines`' to judge.
pub async fn cases_in_steps(db: &Db) -> EdgeResult<Vec<StepCase>> {
    Ok(db
        .prepare(format!(
            "SELECT c.id, c.tier, c.level, c.state, c.state_at, c.updated_at, c.owner_name, \
             s.sla_minutes, s.deadline_minutes, \
             (SELECT a.base_url FROM alerts a WHERE a.case_id = c.id ORDER BY a.created_at LIMIT 1) AS base_url \
             FROM cases c JOIN sites s ON s.key = c.site \
             WHERE c.state IN ('acknowledged', 'contacted', 'report_sent') \
             AND NOT EXISTS (SELECT 1 FROM step_alerts a WHERE a.case_id = c.id AND a.step = \
               CASE c.state WHEN 'acknowledged' THEN 'call' WHEN 'contacted' THEN 'report' ELSE 'close' END) \
             ORDER BY COALESCE(c.state_at, c.updated_at) LIMIT {}",
            PER_TICK * 5
        ))
        .all_rows()
        .await?
        .results()?)
}

/// One missed step: marks it alerted (once per case and step), writes the
/// event and the alert, in one transaction, and only while the case is
/// still in `state`. Returns whether this tick raised it.
pub async fn step_overdue(
    db: &Db,
    case_id: &str,
    state: &str,
    step: &str,
    note: &str,
    alert: &NewAlert<'_>,
    now: Timestamp,
) -> EdgeResult<bool> {
    let results = db
        .batch(vec![
            db.prepare(
                "INSERT INTO step_alerts (case_id, step, at) \
                 SELECT ?1, ?2, ?3 WHERE (SELECT state FROM cases WHERE id = ?1) = ?4 \
                 ON CONFLICT(case_id, step) DO NOTHING",
            )
            .bind(&[text(case_id), text(step), millis(now), text(state)])?,
            db.prepare(
                "INSERT INTO events (case_id, type, by, note, at) \
                 SELECT ?1, ?2, 'sla', ?3, ?4 WHERE changes() = 1",
            )
            .bind(&[
                text(case_id),
                text(alert.reason.slug()),
                text(note),
                millis(now),
            ])?,
            outbox::insert_if(db, alert, "changes() = 1")?,
        ])
        .await?;
    Ok(super::first_changes(&results) == 1)
}
