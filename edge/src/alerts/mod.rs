//! Alert delivery: the outbox row is written with the change that causes it,
//! a queue message carries its id, the consumer sends it to each recipient
//! and retries on the DESIGN §4 schedule, and the cron re-escalates overdue
//! cases and re-queues anything whose message went missing.

mod consume;
pub mod send;
pub mod sla;

pub use consume::{bury_exhausted, consume};

use crate::store::deliveries::{self, Attempt};
use domain::alert::Alert;
use send::{Sent, Target};
use worker::D1Database;

use crate::error::EdgeResult;
use domain::ack::AckKey;
use domain::delivery::Schedule;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use worker::{BatchMessageBuilder, Env};

/// The body of a message on the `ALERTS` queue: just the outbox row's id,
/// so a message is small and always renders what the store says now.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Job {
    pub alert: String,
}

/// Puts alerts on the queue, up to 100 per call (the Queues batch limit).
pub async fn enqueue(env: &Env, ids: &[String]) -> EdgeResult<()> {
    let queue = env.queue("ALERTS")?;
    for chunk in ids.chunks(100) {
        let batch = BatchMessageBuilder::new()
            .messages(chunk.iter().map(|id| Job { alert: id.clone() }))
            .build();
        queue.send_batch(batch).await?;
    }
    Ok(())
}

/// Delivery settings. Production uses the DESIGN schedule and a 10 s
/// timeout; tests and `cargo xtask dev` may shorten both with variables.
pub struct Settings {
    pub schedule: Schedule,
    pub timeout: Duration,
    pub allow_loopback: bool,
    pub ack_key: Option<AckKey>,
}

impl Settings {
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
    db: &D1Database,
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
