//! The `ALERTS` queue consumer and the dead-letter queue's consumer.
//!
//! A message is one alert. Each attempt sends to every recipient of the
//! alert's level that is not settled yet (delivered, or dead), logs each
//! attempt, and then either acks the message or retries it after the longest
//! wait any recipient needs (schedule or `Retry-After`). Attempts per
//! recipient are counted in D1, so a redelivered message never resends to a
//! recipient that already has the alert.

use super::send::Target;
use super::{Job, Settings};
use crate::clock;
use crate::error::EdgeResult;
use crate::store::outbox::{self, DeadLetter, Pending, Recipient};
use domain::alert::{Alert, Reason};
use domain::delivery::Outcome;
use futures_util::{stream, StreamExt};
use worker::{D1Database, Env, Message, MessageBatch, MessageExt, QueueRetryOptionsBuilder};

/// What to do with the message once this attempt is over.
enum Next {
    Done,
    RetryIn(u32),
}

/// A Worker invocation may hold at most six connections open at once; any
/// more wait for a free one while their timeout runs. So at most six alerts
/// are in flight, each sending to its recipients one after another.
const IN_FLIGHT: usize = 6;

pub async fn consume(batch: MessageBatch<Job>, env: Env) -> worker::Result<()> {
    let db = env.d1("DB")?;
    let settings = Settings::from_env(&env);
    let messages = batch.messages()?;
    stream::iter(messages.iter().map(|m| handle(&db, &settings, m)))
        .buffer_unordered(IN_FLIGHT)
        .collect::<Vec<()>>()
        .await;
    Ok(())
}

async fn handle(db: &D1Database, settings: &Settings, message: &Message<Job>) {
    match deliver(db, settings, &message.body().alert).await {
        Ok(Next::Done) => message.ack(),
        Ok(Next::RetryIn(secs)) => message.retry_with_options(
            &QueueRetryOptionsBuilder::new()
                .with_delay_seconds(secs)
                .build(),
        ),
        Err(e) => {
            // Storage trouble, not the receiver's: the queue retries, and
            // after its own limit the message goes to the dead-letter queue.
            worker::console_error!("alert {}: {e}", message.body().alert);
            message.retry();
        }
    }
}

async fn deliver(db: &D1Database, settings: &Settings, alert_id: &str) -> EdgeResult<Next> {
    let Some(pending) = outbox::load(db, alert_id).await? else {
        worker::console_warn!("alert {alert_id}: not in the outbox; dropped");
        return Ok(Next::Done);
    };
    if pending.finished {
        return Ok(Next::Done);
    }
    let alert = render(&pending, settings);
    let todo: Vec<&Recipient> = pending.recipients.iter().filter(|r| !r.settled).collect();
    let mut wait: Option<u32> = None;
    for r in todo {
        let (status, retry_after) = attempt(db, settings, &alert, r).await?;
        let number = r.attempts + 1;
        let dead = |why: String| DeadLetter {
            alert_id: &pending.id,
            recipient_id: &r.id,
            case_id: &pending.facts.case_id,
            why,
            last_status: status,
            at: clock::now(),
        };
        match Outcome::of(status, retry_after) {
            Outcome::Delivered => {}
            Outcome::Permanent => {
                let why = format!(
                    "refused with HTTP {}; not retried",
                    status.unwrap_or_default()
                );
                outbox::bury(db, &dead(why)).await?;
            }
            Outcome::Retry { after_secs } => {
                if let Some(secs) = settings.schedule.next_delay(number, after_secs) {
                    wait = Some(wait.map_or(secs, |w| w.max(secs)));
                } else {
                    let why = format!("no delivery after {number} attempts");
                    outbox::bury(db, &dead(why)).await?;
                }
            }
        }
    }
    if let Some(secs) = wait {
        return Ok(Next::RetryIn(secs));
    }
    outbox::finish(db, &pending.id, clock::now()).await?;
    Ok(Next::Done)
}

/// The alert as it reads now. An open case gets a fresh acknowledge link.
fn render(p: &Pending, settings: &Settings) -> Alert {
    let wants_ack = matches!(p.reason, Reason::Opened | Reason::NotAcknowledged { .. });
    let ack_url = match (&settings.ack_key, wants_ack && p.case_open) {
        (Some(key), true) => Some(format!(
            "{}/ack/{}",
            p.base_url.trim_end_matches('/'),
            key.sign(&p.facts.case_id, clock::now())
        )),
        _ => None,
    };
    Alert::new(p.facts.clone(), p.reason.clone(), &p.base_url, ack_url)
}

/// One call, logged. Returns the status (if any) and the `Retry-After`.
async fn attempt(
    db: &D1Database,
    settings: &Settings,
    alert: &Alert,
    r: &Recipient,
) -> EdgeResult<(Option<u16>, Option<u32>)> {
    let target = Target {
        format: &r.format,
        url: &r.url,
        secret: r.secret.as_deref(),
    };
    let sent =
        super::send_logged(db, settings, alert, &r.id, &target, r.attempts + 1, false).await?;
    Ok((sent.status, sent.retry_after))
}

/// The dead-letter queue's consumer: messages the queue gave up on (the
/// consumer itself kept failing). Every recipient still unsettled gets a
/// dead letter, so the dashboard shows what never arrived.
pub async fn bury_exhausted(batch: MessageBatch<Job>, env: Env) -> worker::Result<()> {
    let db = env.d1("DB")?;
    for message in batch.messages()? {
        match bury_all(&db, &message.body().alert).await {
            Ok(()) => message.ack(),
            Err(e) => {
                worker::console_error!("dead letter {}: {e}", message.body().alert);
                message.retry();
            }
        }
    }
    Ok(())
}

async fn bury_all(db: &D1Database, alert_id: &str) -> EdgeResult<()> {
    let Some(p) = outbox::load(db, alert_id).await? else {
        return Ok(());
    };
    for r in p.recipients.iter().filter(|r| !r.settled) {
        outbox::bury(
            db,
            &DeadLetter {
                alert_id: &p.id,
                recipient_id: &r.id,
                case_id: &p.facts.case_id,
                why: format!(
                    "the queue gave up after repeated failures ({} attempts logged)",
                    r.attempts
                ),
                last_status: None,
                at: clock::now(),
            },
        )
        .await?;
    }
    outbox::finish(db, &p.id, clock::now()).await
}
