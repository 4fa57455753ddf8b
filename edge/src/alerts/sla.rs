//! The cron tick (every minute): re-escalate overdue unacknowledged cases one
//! level (rule 5), then put every alert that is not on the queue yet on it.
//!
//! Overlapping or repeated ticks are harmless: the case's level moves only
//! where it still has the level the tick read (a guarded UPDATE), the event
//! and the alert are written only if that UPDATE changed the row, the alert's
//! id is its primary key, and queueing claims rows in one UPDATE … RETURNING.

use crate::error::EdgeResult;
use crate::store::outbox::{self, NewAlert};
use crate::store::{millis, text};
use domain::alert::{idempotency_id, Reason};
use domain::sla::SlaPolicy;
use domain::{Tier, Timestamp};
use serde::Deserialize;
use worker::{D1Database, Env};

/// `now` is the tick's scheduled time.
pub async fn tick(env: &Env, now: Timestamp) -> EdgeResult<()> {
    let db = env.d1("DB")?;
    let escalated = escalate_overdue(&db, now).await?;
    let ids = outbox::claim_unqueued(&db, now, super::lost_after_secs(env)).await?;
    if escalated > 0 || !ids.is_empty() {
        worker::console_log!(
            "tick: {escalated} case(s) re-escalated, {} alert(s) queued",
            ids.len()
        );
    }
    super::enqueue(env, &ids).await
}

#[derive(Deserialize)]
struct Overdue {
    id: String,
    level: String,
    ack_due_at: f64,
    sla_minutes: String,
    base_url: Option<String>,
}

/// Moves each overdue case one level up; returns how many moved.
async fn escalate_overdue(db: &D1Database, now: Timestamp) -> EdgeResult<usize> {
    let overdue: Vec<Overdue> = db
        .prepare(
            "SELECT c.id, c.level, c.ack_due_at, s.sla_minutes, \
             (SELECT a.base_url FROM alerts a WHERE a.case_id = c.id ORDER BY a.created_at LIMIT 1) AS base_url \
             FROM cases c JOIN sites s ON s.key = c.site \
             WHERE c.state = 'open' AND c.level != 'president' AND c.ack_due_at <= ?1 \
             ORDER BY c.ack_due_at LIMIT 100",
        )
        .bind(&[millis(now)])?
        .all()
        .await?
        .results()?;
    let mut moved = 0;
    for case in overdue {
        let Some(level) = Tier::parse(&case.level) else {
            continue;
        };
        let policy = SlaPolicy::from_json(&case.sla_minutes);
        let due = crate::store::ms(case.ack_due_at);
        let Some(up) = policy.escalation(level, due, now) else {
            continue;
        };
        let reason = Reason::NotAcknowledged {
            minutes: up.minutes,
        };
        let id = idempotency_id(&case.id, up.to, &reason);
        let note = format!(
            "not acknowledged within {} min; re-escalated to {}",
            up.minutes,
            up.to.audience()
        );
        let alert = NewAlert {
            id: &id,
            case_id: &case.id,
            level: up.to,
            reason: &reason,
            base_url: case.base_url.as_deref().unwrap_or_default(),
            now,
            queued: false,
        };
        let results = db
            .batch(vec![
                db.prepare(
                    "UPDATE cases SET level = ?2, ack_due_at = ?3, updated_at = ?4 \
                     WHERE id = ?1 AND level = ?5 AND state = 'open'",
                )
                .bind(&[
                    text(&case.id),
                    text(up.to.as_str()),
                    millis(up.next_due),
                    millis(now),
                    text(level.as_str()),
                ])?,
                // changes() is the UPDATE's count; then the event's.
                db.prepare(
                    "INSERT INTO events (case_id, type, by, note, at) \
                     SELECT ?1, 'escalated', 'sla', ?2, ?3 WHERE changes() = 1",
                )
                .bind(&[text(&case.id), text(&note), millis(now)])?,
                outbox::insert_if(db, &alert, "changes() = 1")?,
            ])
            .await?;
        moved += crate::store::first_changes(&results);
    }
    Ok(moved)
}
