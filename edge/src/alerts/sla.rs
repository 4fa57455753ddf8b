//! The cron tick (every minute): re-escalate overdue unacknowledged cases one
//! level (rule 5), then put every alert that is not on the queue yet on it.
//!
//! Overlapping or repeated ticks are harmless: the case's level moves only
//! where it still has the level the tick read (a guarded UPDATE), the event
//! and the alert are written only if that UPDATE changed the row, the alert's
//! id is its primary key, and queueing claims rows in one UPDATE … RETURNING.

use crate::error::EdgeResult;
use crate::store::escalation::{self, Escalation};
use crate::store::exec::Db;
use crate::store::outbox::{self, NewAlert};
use domain::alert::{idempotency_id, Reason};
use domain::case::CaseState;
use domain::deadlines::{self, DeadlinePolicy};
use domain::sla::SlaPolicy;
use domain::{Tier, Timestamp};
use worker::Env;

/// The cases and outbox in `db` (D1, or a site's own object, whose queue
/// messages then name the site); `now` is the tick's scheduled time.
pub async fn tick(env: &Env, db: &Db, now: Timestamp) -> EdgeResult<()> {
    let escalated = escalate_overdue(db, now).await?;
    let steps = alert_missed_steps(db, now).await?;
    let queued = queue_unqueued(env, db, now).await?;
    if escalated > 0 || steps > 0 || queued > 0 {
        worker::console_log!(
            "tick ({}): {escalated} case(s) re-escalated, {steps} missed step(s), {queued} alert(s) queued",
            db.name()
        );
    }
    Ok(())
}

/// At most this many claims of 100 alerts per tick: a backlog (an outage's
/// worth of lost messages) drains at 2,000 alerts a minute, and a tick
/// stays well inside a cron invocation's time.
const QUEUE_ROUNDS: usize = 20;

/// Puts every alert that should be on the queue and is not (new escalation
/// alerts, messages lost or overdue) on it, 100 at a time, until none is
/// left or the tick's share is spent; returns how many.
async fn queue_unqueued(env: &Env, db: &Db, now: Timestamp) -> EdgeResult<usize> {
    let mut queued = 0;
    for _ in 0..QUEUE_ROUNDS {
        let ids = outbox::claim_unqueued(db, now, super::lost_after_secs(env)).await?;
        super::enqueue(env, db, &ids).await?;
        queued += ids.len();
        if ids.len() < outbox::CLAIM_CHUNK {
            break;
        }
    }
    Ok(queued)
}

/// Moves each overdue case one level up; returns how many moved.
async fn escalate_overdue(db: &Db, now: Timestamp) -> EdgeResult<usize> {
    let mut moved = 0;
    for case in escalation::overdue_cases(db, now).await? {
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
        let step = Escalation {
            case_id: &case.id,
            from: level,
            to: up.to,
            next_due: up.next_due,
            note: &note,
            alert: &alert,
            now,
        };
        if escalation::escalate(db, &step).await? {
            moved += 1;
        }
    }
    Ok(moved)
}

/// Raises one alert per missed step (call, report, close) to the case's
/// level, once per case and step; returns how many this tick raised.
async fn alert_missed_steps(db: &Db, now: Timestamp) -> EdgeResult<usize> {
    let mut raised = 0;
    for case in escalation::cases_in_steps(db).await? {
        let (Some(tier), Some(level), Some(state)) = (
            Tier::parse(&case.tier),
            Tier::parse(&case.level),
            CaseState::parse(&case.state),
        ) else {
            continue;
        };
        let policy = DeadlinePolicy::from_json(&case.deadline_minutes);
        let sla = SlaPolicy::from_json(&case.sla_minutes);
        let started = crate::store::ms(case.state_at.unwrap_or(case.updated_at));
        let Some((step, due)) = deadlines::due(&policy, &sla, tier, state, started) else {
            continue;
        };
        if due > now {
            continue;
        }
        let reason = Reason::StepOverdue {
            step,
            owner: case.owner_name.clone(),
        };
        let id = idempotency_id(&case.id, level, &reason);
        let note = format!(
            "{}: the deadline passed at {}",
            step.label(),
            due.to_rfc3339()
        );
        let alert = NewAlert {
            id: &id,
            case_id: &case.id,
            level,
            reason: &reason,
            base_url: case.base_url.as_deref().unwrap_or_default(),
            now,
            queued: false,
        };
        if escalation::step_overdue(db, &case.id, &case.state, step.as_str(), &note, &alert, now)
            .await?
        {
            raised += 1;
        }
    }
    Ok(raised)
}
