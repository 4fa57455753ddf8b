//! The `ALERTS` queue consumer and the dead-letter queue's consumer.
//!
//! A message is one alert. Each attempt sends to every recipient of the
//! alert's level that is not settled yet (delivered, or dead), logs each
//! attempt, and then either acks the message or retries it after the longest
//! wait any recipient needs (schedule or `Retry-After`). Attempts per
//! recipient are counted in D1, so a redelivered message never resends to a
//! recipient that already has the alert. Each attempt is claimed in D1
//! before its call, so two copies of one message in flight at once never
//! send it to one recipient twice; a role of the alert's level with no
//! recipient, and a stored URL today's rules refuse, are dead letters at once.

use super::send::Target;
use super::{Job, Settings};
use crate::clock;
use crate::error::EdgeResult;
use crate::store::deliveries;
use crate::store::exec::{Db, Stmt};
use crate::store::outbox::{self, Burial, Pending, Recipient};
use domain::alert::{Alert, Reason};
use domain::delivery::Outcome;
use domain::fields::SiteKey;
use futures_util::{stream, StreamExt};
use worker::{Env, Message, MessageBatch, MessageExt, QueueRetryOptionsBuilder};

/// How long to wait before the queue redelivers `message` after our own
/// storage failed: as long again as it has waited since it was sent.
fn storage_wait(message: &Message<Job>) -> u32 {
    let sent = message.timestamp().as_millis();
    let waited = clock::now()
        .millis()
        .saturating_sub(i64::try_from(sent).unwrap_or(0));
    domain::delivery::storage_retry_delay(u64::try_from(waited / 1000).unwrap_or(0))
}

/// What to do with the message once this attempt is over.
pub(super) enum Next {
    Done,
    RetryIn(u32),
}

/// A Worker invocation may hold at most six connections open at once; any
/// more wait for a free one while their timeout runs. So at most six alerts
/// are in flight, each sending to its recipients one after another.
const IN_FLIGHT: usize = 6;

pub async fn consume(batch: MessageBatch<Job>, env: Env) -> worker::Result<()> {
    let db = Db::from_env(&env)?;
    let settings = Settings::from_env(&env);
    let messages = batch.messages()?;
    stream::iter(messages.iter().map(|m| handle(&env, &db, &settings, m)))
        .buffer_unordered(IN_FLIGHT)
        .collect::<Vec<()>>()
        .await;
    Ok(())
}

async fn handle(env: &Env, d1: &Db, settings: &Settings, message: &Message<Job>) {
    let job = message.body();
    let outcome = match &job.site {
        None => deliver(d1, settings, &job.alert).await,
        Some(site) => match Db::site_object(env, site) {
            Ok(home) => deliver(&home, settings, &job.alert).await,
            Err(e) => Err(e.into()),
        },
    };
    match outcome {
        Ok(Next::Done) => message.ack(),
        Ok(Next::RetryIn(secs)) => message.retry_with_options(
            &QueueRetryOptionsBuilder::new()
                .with_delay_seconds(secs)
                .build(),
        ),
        Err(e) => {
            // Storage trouble, not the receiver's: the queue retries after
            // a growing wait (so an outage does not burn its ten retries in
            // seconds), then hands the message to the dead-letter queue.
            let secs = storage_wait(message);
            worker::console_error!("alert {}: {e}; retry in {secs} s", message.body().alert);
            message.retry_with_options(
                &QueueRetryOptionsBuilder::new()
                    .with_delay_seconds(secs)
                    .build(),
            );
        }
    }
}

/// One turn of an alert in three round trips whatever its recipients: read
/// it, claim every unsettled recipient, then (after the calls, one after
/// another) write everything the turn learned in one batch — each call's
/// log line, the dead letters, and the finish or the next due time.
pub(super) async fn deliver(db: &Db, settings: &Settings, alert_id: &str) -> EdgeResult<Next> {
    let Some(pending) = outbox::load(db, alert_id).await? else {
        worker::console_warn!("alert {alert_id}: not in the outbox; dropped");
        return Ok(Next::Done);
    };
    if pending.finished {
        return Ok(Next::Done);
    }
    let now = clock::now();
    let mut record = Vec::new();
    for role in &pending.missing_roles {
        let (recipient_id, why) = domain::delivery::no_recipient(*role);
        record.push(outbox::bury(
            db,
            &Burial {
                alert_id: &pending.id,
                recipient_id: &recipient_id,
                case_id: &pending.facts.case_id,
                why,
                last_status: None,
                at: now,
            },
        )?);
    }
    let todo: Vec<&Recipient> = pending.recipients.iter().filter(|r| !r.settled).collect();
    let mut wait: Option<u32> = None;
    if !todo.is_empty() {
        // The calls are made one after another: each claim lasts long
        // enough for every call before its own to time out.
        let lease = settings.claim_lease_secs();
        let lease_all = lease.saturating_mul(u32::try_from(todo.len()).unwrap_or(u32::MAX));
        let ids: Vec<&str> = todo.iter().map(|r| r.id.as_str()).collect();
        let claims = deliveries::claim_all(
            db,
            &pending.facts.case_id,
            &ids,
            &pending.id,
            now,
            now.plus_seconds(lease_all),
        )
        .await?;
        let alert = render(&pending, settings).in_object_of(db.object_site());
        for (r, claim) in todo.into_iter().zip(claims) {
            let secs = match claim {
                Some(claimed) => {
                    match attempt(db, settings, &pending, &alert, r, claimed, &mut record).await? {
                        Tried::Settled => continue,
                        Tried::RetryIn(secs) => secs,
                    }
                }
                // Another consumer is sending this one now: look again once
                // its claim has run out, to finish the alert (or take over).
                None => lease_all,
            };
            wait = Some(wait.map_or(secs, |w| w.max(secs)));
        }
    }
    let next = if let Some(secs) = wait {
        record.push(outbox::due_at(
            db,
            &pending.id,
            clock::now().plus_seconds(secs),
        )?);
        Next::RetryIn(secs)
    } else {
        record.push(outbox::finish(db, &pending.id, clock::now())?);
        Next::Done
    };
    write_record(db, &pending.id, record).await?;
    Ok(next)
}

/// The calls happened: their record is written in one batch, tried twice.
/// If it is lost, the claims expire and the attempts count as ones with no
/// answer (at least once, same id).
async fn write_record(db: &Db, alert_id: &str, record: Vec<Stmt>) -> EdgeResult<()> {
    // A prepared statement is consumed by a batch; keep a copy for the retry.
    let again = record.clone();
    if let Err(first) = db.batch(record).await {
        worker::console_warn!("alert {alert_id}: recording the attempt failed once: {first}");
        db.batch(again).await?;
    }
    Ok(())
}

/// The alert as it reads now. An open case gets a fresh acknowledge link.
fn render(p: &Pending, settings: &Settings) -> Alert {
    let wants_ack = matches!(
        p.reason,
        Reason::Opened | Reason::NotAcknowledged { .. } | Reason::Raised { .. }
    );
    // Stored site keys were parsed on the way in; one that no longer
    // parses gets no link rather than a link that finds nothing.
    let site = SiteKey::try_from(p.facts.site.as_str()).ok();
    let ack_url = match (&settings.ack_key, site, wants_ack && p.case_open) {
        (Some(key), Some(site), true) => Some(format!(
            "{}/ack/{}",
            p.base_url.trim_end_matches('/'),
            key.sign(&site, &p.facts.case_id, clock::now())
        )),
        _ => None,
    };
    Alert::new(p.facts.clone(), p.reason.clone(), &p.base_url, ack_url)
}

/// What one recipient's turn came to.
enum Tried {
    /// Delivered, or buried as a dead letter: nothing more to do.
    Settled,
    /// Failed, worth another attempt after this many seconds.
    RetryIn(u32),
}

/// Makes the claimed call and adds its record to the turn's batch: the log
/// line, and a dead letter if the delivery can never succeed.
async fn attempt(
    db: &Db,
    settings: &Settings,
    pending: &Pending,
    alert: &Alert,
    r: &Recipient,
    claimed: deliveries::Claimed,
    record: &mut Vec<Stmt>,
) -> EdgeResult<Tried> {
    let target = Target {
        format: &r.format,
        url: &r.url,
        secret: r.secret.as_deref(),
    };
    let sent = settings.send(&target, alert).await;
    record.push(deliveries::complete(
        db,
        claimed,
        sent.status,
        sent.error.as_deref(),
        sent.duration_ms,
    )?);
    let why = match Outcome::of(sent.status, sent.retry_after) {
        // Nothing was sent: the stored URL breaks today's rules. Only a
        // manager's edit can help, so it is a dead letter at once.
        _ if sent.refused => sent.error.clone().unwrap_or_default(),
        Outcome::Delivered => return Ok(Tried::Settled),
        Outcome::Permanent => format!(
            "refused with HTTP {}; not retried",
            sent.status.unwrap_or_default()
        ),
        Outcome::Retry { after_secs } => {
            match settings.schedule.next_delay(claimed.attempt, after_secs) {
                Some(secs) => return Ok(Tried::RetryIn(secs)),
                None => format!("no delivery after {} attempts", claimed.attempt),
            }
        }
    };
    record.push(outbox::bury(
        db,
        &Burial {
            alert_id: &pending.id,
            recipient_id: &r.id,
            case_id: &pending.facts.case_id,
            why,
            last_status: sent.status,
            at: clock::now(),
        },
    )?);
    Ok(Tried::Settled)
}

/// The dead-letter queue's consumer: messages the queue gave up on (the
/// consumer itself kept failing). Every recipient still unsettled gets a
/// dead letter, so the dashboard shows what never arrived.
pub async fn bury_exhausted(batch: MessageBatch<Job>, env: Env) -> worker::Result<()> {
    let db = Db::from_env(&env)?;
    for message in batch.messages()? {
        match bury_all(&db, &message.body().alert).await {
            Ok(()) => message.ack(),
            Err(e) => {
                let secs = storage_wait(&message);
                worker::console_error!(
                    "dead letter {}: {e}; retry in {secs} s",
                    message.body().alert
                );
                message.retry_with_options(
                    &QueueRetryOptionsBuilder::new()
                        .with_delay_seconds(secs)
                        .build(),
                );
            }
        }
    }
    Ok(())
}

async fn bury_all(db: &Db, alert_id: &str) -> EdgeResult<()> {
    let Some(p) = outbox::load(db, alert_id).await? else {
        return Ok(());
    };
    let now = clock::now();
    let mut record = Vec::new();
    for r in p.recipients.iter().filter(|r| !r.settled) {
        record.push(outbox::bury(
            db,
            &Burial {
                alert_id: &p.id,
                recipient_id: &r.id,
                case_id: &p.facts.case_id,
                why: format!(
                    "the queue gave up after repeated failures ({} attempts logged)",
                    r.attempts
                ),
                last_status: None,
                at: now,
            },
        )?);
    }
    record.push(outbox::finish(db, &p.id, now)?);
    db.batch(record).await?;
    Ok(())
}
