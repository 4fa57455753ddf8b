//! Alert delivery: the outbox row is written with the change that causes it,
//! a queue message carries its id, the consumer sends it to each recipient
//! and retries on the schedule of docs/wire-contract.md#delivery, and the
//! cron re-escalates overdue cases and re-queues anything whose message
//! went missing.

mod consume;
pub mod notice;
pub mod send;
pub mod sla;

pub use consume::{bury_exhausted, consume};

use crate::store::deliveries::{self, Attempt};
use crate::store::exec::Db;
use domain::alert::Alert;
use send::{Sent, Target};

use crate::error::EdgeResult;
use domain::ack::AckKey;
use domain::delivery::Schedule;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use worker::{BatchMessageBuilder, Env, MessageBuilder};

/// The body of a message on the `ALERTS` queue: just the outbox row's id,
/// so a message is small and always renders what the store says now, and
/// the site's key when the site lives in its own object (where the row is;
/// `store::homes`). Absent, as in every message sent before homes, the row
/// is in D1.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Job {
    pub alert: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
}

/// Puts alerts whose outbox rows are in `db` on the queue, up to 100 per
/// call (the Queues batch limit); each message names the site when `db` is
/// a site's own object.
pub async fn enqueue(env: &Env, db: &Db, ids: &[String]) -> EdgeResult<()> {
    let site = db.object_site();
    let queue = env.queue("ALERTS")?;
    for chunk in ids.chunks(100) {
        let batch = BatchMessageBuilder::new()
            .messages(chunk.iter().map(|id| Job {
                alert: id.clone(),
                site: site.map(str::to_owned),
            }))
            .build();
        queue.send_batch(batch).await?;
    }
    Ok(())
}

/// The fast path, right after the commit that wrote the alerts' outbox
/// rows: each alert's first attempt is made here, from the request's
/// `waitUntil`, claimed in D1 like the consumer's (so the queue never sends
/// it twice). Only an alert that needs another attempt, or whose attempt
/// could not run, goes on the queue. If this is cut short, nothing is lost:
/// the cron finds the unfinished rows and queues them
/// (`outbox::claim_unqueued`).
///
/// `FAULT_SKIP_FAST_QUEUE_SENDS=true` skips the fast path, as if the Worker
/// had stopped right after the commit: the end-to-end suite passes it (with
/// `--var`, like the loopback flag) to prove the cron alone delivers. No
/// deploy configuration sets it.
/// `db` is the alerts' home: D1, or a site's own object, which the queue
/// messages then name.
pub async fn deliver_after_commit(env: &Env, db: &Db, ids: &[String]) -> EdgeResult<()> {
    let skip = env
        .var("FAULT_SKIP_FAST_QUEUE_SENDS")
        .is_ok_and(|v| v.to_string() == "true");
    if skip {
        worker::console_warn!("fault injection: {} fast send(s) skipped", ids.len());
        return Ok(());
    }
    let settings = Settings::from_env(env);
    for id in ids {
        let delay = match consume::deliver(db, &settings, id).await {
            Ok(consume::Next::Done) => continue,
            Ok(consume::Next::RetryIn(secs)) => secs,
            Err(e) => {
                worker::console_warn!("alert {id}: first attempt failed ({e}); queued");
                0
            }
        };
        enqueue_one(env, id, db.object_site(), delay).await?;
    }
    Ok(())
}

/// Puts one alert on the queue, to be consumed after `delay_secs`.
async fn enqueue_one(env: &Env, id: &str, site: Option<&str>, delay_secs: u32) -> EdgeResult<()> {
    let message = MessageBuilder::new(Job {
        alert: id.to_owned(),
        site: site.map(str::to_owned),
    })
    .delay_seconds(delay_secs)
    .build();
    env.queue("ALERTS")?.send(message).await?;
    Ok(())
}

/// How long past its due time an unfinished alert's message may be before
/// the cron assumes it was lost and queues the alert again: 5 minutes, or
/// `ALERT_LOST_AFTER_SECS` (0 to 3600), which tests shorten the way they
/// shorten the retry schedule (0: every tick queues every unfinished alert
/// again, to put two copies of one message in flight at once).
pub fn lost_after_secs(env: &Env) -> u32 {
    env.var("ALERT_LOST_AFTER_SECS")
        .ok()
        .and_then(|v| v.to_string().parse::<u32>().ok())
        .filter(|s| *s <= 3600)
        .unwrap_or(300)
}

/// Delivery settings. Production uses the documented schedule and a 10 s
/// timeout; tests and `cargo xtask dev` may shorten both with variables.
pub struct Settings {
    pub schedule: Schedule,
    pub timeout: Duration,
    pub allow_loopback: bool,
    pub ack_key: Option<AckKey>,
}

impl Settings {
    /// How long a consumer's claim on one delivery lasts (its call's timeout
    /// and a margin).
    pub fn claim_lease_secs(&self) -> u32 {
        let timeout = u32::try_from(self.timeout.as_secs().max(1)).unwrap_or(u32::MAX);
        domain::delivery::claim_lease_secs(timeout)
    }

    /// One call to `target` with these settings (no answer read back).
    pub async fn send(&self, target: &Target<'_>, alert: &Alert) -> Sent {
        send::send(target, alert, self.allow_loopback, self.timeout, false).await
    }

    pub fn from_env(env: &Env) -> Self {
        let var = |name: &str| env.var(name).ok().map(|v| v.to_string());
        let schedule = var("ALERT_SCHEDULE")
            .and_then(|raw| Schedule::try_from(raw.as_str()).ok())
            .unwrap_or_default();
        let timeout_ms = var("ALERT_TIMEOUT_MS")
            .and_then(|raw| raw.parse::<u64>().ok())
            .filter(|ms| (100..=30_000).contains(ms))
            .unwrap_or(10_000);
        let ack_key = env
            .secret("ACK_SECRET")
            .ok()
            .and_then(|s| AckKey::try_from(s.to_string().as_str()).ok());
        if ack_key.is_none() {
            worker::console_warn!("ACK_SECRET is missing or shorter than 32 characters: alerts carry no acknowledge link");
        }
        Self {
            schedule,
            timeout: Duration::from_millis(timeout_ms),
            allow_loopback: crate::auth::allow_loopback(env),
            ack_key,
        }
    }
}

/// One call to one recipient, logged in `deliveries` as attempt `number`,
/// whether a queued delivery or a manager's test alert.
pub async fn send_logged(
    db: &Db,
    settings: &Settings,
    alert: &Alert,
    recipient_id: &str,
    target: &Target<'_>,
    number: u32,
    read_answer: bool,
) -> EdgeResult<Sent> {
    let sent = send::send(
        target,
        alert,
        settings.allow_loopback,
        settings.timeout,
        read_answer,
    )
    .await;
    let attempt = Attempt {
        case_id: &alert.case_id,
        recipient_id,
        idempotency_id: &alert.idempotency_id,
        number,
        status: sent.status,
        error: sent.error.clone(),
        started_at: sent.started,
        duration_ms: sent.duration_ms,
    };
    // The call happened: if its record is lost, the retry would send again.
    // One more try covers a storage hiccup; a second failure goes up and the
    // message is retried (at least once, same idempotency id).
    if let Err(first) = deliveries::log(db, &attempt).await {
        worker::console_warn!(
            "alert {}: logging attempt {number} failed once: {first}",
            alert.idempotency_id
        );
        deliveries::log(db, &attempt).await?;
    }
    Ok(sent)
}
