//! The `alerts` outbox and the `dead_letters` view: what the queue delivers,
//! how far each recipient got, and what will never arrive.

use super::{int, millis, opt_text, text};
use crate::error::{EdgeError, EdgeResult};
use crate::store::exec::{Db, Stmt};
use domain::alert::{CaseFacts, Reason};
use domain::recipient::Role;
use domain::{Tier, Timestamp};
use serde::Deserialize;
use wasm_bindgen::JsValue;

/// An alert to write in the same transaction as the change that causes it.
pub struct NewAlert<'a> {
    pub id: &'a str,
    pub case_id: &'a str,
    pub level: Tier,
    pub reason: &'a Reason,
    pub base_url: &'a str,
    pub now: Timestamp,
    /// Whether the caller puts it on the queue itself right after the commit
    /// (the fast path); otherwise the cron's dispatch claims it.
    pub queued: bool,
}

/// Inserts the alert if `guard` (an SQL condition over `?1..?7`) holds;
/// an alert that exists already is left alone (its id is its identity).
pub fn insert_if(db: &Db, a: &NewAlert<'_>, guard: &str) -> EdgeResult<Stmt> {
    Ok(db
        .prepare(format!(
            "INSERT INTO alerts (id, case_id, level, reason, base_url, created_at, queued_at) \
             SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7 WHERE {guard} ON CONFLICT(id) DO NOTHING"
        ))
        .bind(&[
            text(a.id),
            text(a.case_id),
            text(a.level.as_str()),
            text(&super::json(a.reason)),
            text(a.base_url),
            millis(a.now),
            if a.queued {
                millis(a.now)
            } else {
                JsValue::NULL
            },
        ])?)
}

/// How many alerts one [`claim_unqueued`] takes (one queue batch).
pub const CLAIM_CHUNK: usize = 100;

/// Claims, in one statement (so two cron runs never both take a row), the
/// alerts to put on the queue: never queued, or whose message is overdue by
/// more than `grace_secs` — it was due (queued, or retried with a delay) and no
/// consumer has touched it since, so it was lost: a failed send after the
/// commit, a dead letter revived while the queue was unreachable, a retry
/// the queue dropped. Every unfinished alert is thus sent or buried in the
/// end, whatever happened to its messages.
pub async fn claim_unqueued(db: &Db, now: Timestamp, grace_secs: u32) -> EdgeResult<Vec<String>> {
    #[derive(Deserialize)]
    struct Row {
        id: String,
    }
    let overdue = Timestamp::from_millis(now.millis() - i64::from(grace_secs) * 1000);
    let rows: Vec<Row> = db
        .prepare(format!(
            "UPDATE alerts SET queued_at = ?1, due_at = ?1 WHERE id IN (\
             SELECT a.id FROM alerts a WHERE a.finished_at IS NULL \
             AND (a.queued_at IS NULL OR COALESCE(a.due_at, a.queued_at) < ?2) \
             LIMIT {CLAIM_CHUNK}) RETURNING id"
        ))
        .bind(&[millis(now), millis(overdue)])?
        .all_rows()
        .await?
        .results()?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// The consumer retries the alert's message with a delay: it is due then,
/// and only overdue (lost) some minutes after that.
pub fn due_at(db: &Db, alert_id: &str, due: Timestamp) -> EdgeResult<Stmt> {
    Ok(db
        .prepare("UPDATE alerts SET due_at = ?2 WHERE id = ?1 AND finished_at IS NULL")
        .bind(&[text(alert_id), millis(due)])?)
}

/// Everything the consumer needs about one alert, read in one round trip.
pub struct Pending {
    pub id: String,
    pub finished: bool,
    pub reason: Reason,
    pub base_url: String,
    pub case_open: bool,
    pub facts: CaseFacts,
    pub recipients: Vec<Recipient>,
    /// Roles of the alert's level with no recipient at all on the site.
    pub missing_roles: Vec<Role>,
}

/// A recipient of the alert's level, with its progress on this alert.
pub struct Recipient {
    pub id: String,
    pub format: String,
    pub url: String,
    pub secret: Option<String>,
    /// Attempts already made for this alert.
    pub attempts: u32,
    /// Delivered, or in the dead letters: nothing more to do.
    pub settled: bool,
}

#[derive(Deserialize)]
struct FactsRow {
    id: String,
    finished_at: Option<f64>,
    reason: String,
    base_url: String,
    level: String,
    case_id: String,
    site: String,
    tier: String,
    state: String,
    opened_at: f64,
    ack_due_at: Option<f64>,
    gaps: String,
    score: Option<f64>,
    guarantee: f64,
    transaction_ref: Option<String>,
    contact_email: Option<String>,
    contact_phone: Option<String>,
    callback: f64,
    erased_at: Option<f64>,
}

#[derive(Deserialize)]
struct RecipientRow {
    id: String,
    role: String,
    format: String,
    url: String,
    secret: Option<String>,
    attempts: f64,
    settled: f64,
}

pub async fn load(db: &Db, alert_id: &str) -> EdgeResult<Option<Pending>> {
    let results = db.batch(vec![
            db.prepare(
                "SELECT a.id, a.finished_at, a.reason, a.base_url, a.level, a.case_id, \
                 c.site, c.tier, c.state, c.opened_at, c.ack_due_at, \
                 r.gaps, r.score, r.guarantee, r.transaction_ref, r.contact_email, r.contact_phone, r.callback, \
                 r.erased_at \
                 FROM alerts a JOIN cases c ON c.id = a.case_id \
                 JOIN responses r ON r.id = COALESCE(json_extract(a.reason, '$.response'), a.case_id) \
                 WHERE a.id = ?1",
            )
            .bind(&[text(alert_id)])?,
            // Each recipient of the case's site, with its attempts on this
            // alert and whether it is settled (a 2xx, or a dead letter).
            db.prepare(
                "SELECT p.id, p.role, p.format, p.url, p.secret, \
                 (SELECT COUNT(*) FROM deliveries d WHERE d.idempotency_id = ?1 AND d.recipient_id = p.id) AS attempts, \
                 (EXISTS (SELECT 1 FROM deliveries d WHERE d.idempotency_id = ?1 AND d.recipient_id = p.id \
                   AND d.status BETWEEN 200 AND 299) \
                  OR EXISTS (SELECT 1 FROM dead_letters l WHERE l.alert_id = ?1 AND l.recipient_id = p.id)) AS settled \
                 FROM recipients p WHERE p.site = (SELECT c.site FROM alerts a JOIN cases c ON c.id = a.case_id WHERE a.id = ?1) \
                 ORDER BY p.id",
            )
            .bind(&[text(alert_id)])?,
        ])
        .await?;
    let (Some(facts), Some(recipients)) = (results.first(), results.get(1)) else {
        return Err(EdgeError::Internal(
            "a two-statement batch lost a result".into(),
        ));
    };
    let Some(row) = facts.results::<FactsRow>()?.into_iter().next() else {
        return Ok(None);
    };
    let bad =
        |what: &str| EdgeError::Internal(format!("alert {}: stored {what} is unreadable", row.id));
    let level = Tier::parse(&row.level).ok_or_else(|| bad("level"))?;
    let reason: Reason = serde_json::from_str(&row.reason).map_err(|_| bad("reason"))?;
    let rows: Vec<RecipientRow> = recipients
        .results::<RecipientRow>()?
        .into_iter()
        .filter(|p| level.roles().iter().any(|r| r.as_str() == p.role))
        .collect();
    let missing_roles = if reason == Reason::Test {
        Vec::new()
    } else {
        level
            .roles()
            .iter()
            .copied()
            .filter(|role| !rows.iter().any(|p| p.role == role.as_str()))
            .collect()
    };
    // A channel shared by several roles gets one message, not one per role.
    let mut seen = std::collections::HashSet::new();
    let recipients = rows
        .into_iter()
        .filter(|p| seen.insert(p.url.clone()))
        .map(|p| Recipient {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            attempts: p.attempts as u32,
            settled: p.settled != 0.0,
            id: p.id,
            format: p.format,
            url: p.url,
            secret: p.secret,
        })
        .collect();
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let facts = CaseFacts {
        site: row.site,
        case_id: row.case_id,
        tier: Tier::parse(&row.tier).ok_or_else(|| bad("tier"))?,
        level,
        score: row.score.map(|s| s as u8),
        guarantee: row.guarantee != 0.0,
        // Erased since the alert was written: it carries the erasure too.
        gaps: if row.erased_at.is_some() {
            domain::alert::ERASED_WORDS.to_owned()
        } else {
            row.gaps
        },
        transaction: row.transaction_ref,
        email: row.contact_email,
        phone: row.contact_phone,
        callback: row.callback != 0.0,
        opened_at: super::ms(row.opened_at),
        ack_due_at: row.ack_due_at.map(super::ms),
    };
    Ok(Some(Pending {
        id: row.id,
        finished: row.finished_at.is_some(),
        reason,
        base_url: row.base_url,
        case_open: row.state == "open",
        facts,
        recipients,
        missing_roles,
    }))
}

/// Every recipient is settled: the cron stops looking at this alert.
pub fn finish(db: &Db, alert_id: &str, now: Timestamp) -> EdgeResult<Stmt> {
    Ok(db
        .prepare("UPDATE alerts SET finished_at = ?2 WHERE id = ?1 AND finished_at IS NULL")
        .bind(&[text(alert_id), millis(now)])?)
}

/// A dead letter to write: a delivery that will never happen, once per
/// alert and recipient (read back as `domain::delivery::DeadLetter`).
pub struct Burial<'a> {
    pub alert_id: &'a str,
    pub recipient_id: &'a str,
    pub case_id: &'a str,
    pub why: String,
    pub last_status: Option<u16>,
    pub at: Timestamp,
}

/// A dead letter, once per alert and recipient: a statement for the batch
/// that ends the consumer's turn.
pub fn bury(db: &Db, d: &Burial<'_>) -> EdgeResult<Stmt> {
    Ok(db
        .prepare(
            "INSERT INTO dead_letters (alert_id, recipient_id, case_id, why, last_status, at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
        )
        .bind(&[
            text(d.alert_id),
            text(d.recipient_id),
            text(d.case_id),
            text(&d.why),
            d.last_status.map_or(JsValue::NULL, int),
            millis(d.at),
        ])?)
}

/// The dead-letter view, newest first, optionally for one site.
pub async fn dead_letters(
    db: &Db,
    site: Option<&str>,
) -> EdgeResult<Vec<domain::admin_api::DeadLetterView>> {
    Ok(dead_letter_rows(db, site, 500)
        .await?
        .into_iter()
        .map(|(site, l)| domain::admin_api::DeadLetterView {
            alert: l.alert_id,
            recipient: l.recipient_id,
            case: l.case_id,
            site,
            why: l.why,
            last_status: l.last_status,
            at: l.at.into(),
        })
        .collect())
}

/// Unfinished and finished alerts, optionally for one site.
pub async fn progress(db: &Db, site: Option<&str>) -> EdgeResult<domain::admin_api::AlertProgress> {
    #[derive(Deserialize)]
    struct Row {
        unfinished: Option<u64>,
        finished: Option<u64>,
    }
    let row: Option<Row> = db
        .prepare(
            "SELECT SUM(a.finished_at IS NULL) AS unfinished, SUM(a.finished_at IS NOT NULL) AS finished \
             FROM alerts a JOIN cases c ON c.id = a.case_id WHERE ?1 IS NULL OR c.site = ?1",
        )
        .bind(&[opt_text(site)])?
        .first_row()
        .await?;
    // SUM over no rows is NULL: nothing unfinished, nothing finished.
    Ok(domain::admin_api::AlertProgress {
        unfinished: row.as_ref().and_then(|r| r.unfinished).unwrap_or(0),
        finished: row.as_ref().and_then(|r| r.finished).unwrap_or(0),
    })
}

/// Dead letters of one site, as the settings page lists them.
pub async fn dead_letter_lines(
    db: &Db,
    site: &str,
) -> EdgeResult<Vec<domain::delivery::DeadLetter>> {
    Ok(dead_letter_rows(db, Some(site), 200)
        .await?
        .into_iter()
        .map(|(_, l)| l)
        .collect())
}

/// Dead letters, newest first, with their case's site (`None` once the
/// case is gone), optionally for one site.
async fn dead_letter_rows(
    db: &Db,
    site: Option<&str>,
    limit: u32,
) -> EdgeResult<Vec<(Option<String>, domain::delivery::DeadLetter)>> {
    #[derive(Deserialize)]
    struct Row {
        alert_id: String,
        recipient_id: String,
        case_id: String,
        why: String,
        last_status: Option<u16>,
        at: i64,
        site: Option<String>,
    }
    let rows: Vec<Row> = db
        .prepare(format!(
            "SELECT l.alert_id, l.recipient_id, l.case_id, l.why, l.last_status, l.at, c.site \
             FROM dead_letters l LEFT JOIN cases c ON c.id = l.case_id \
             WHERE ?1 IS NULL OR c.site = ?1 ORDER BY l.at DESC LIMIT {limit}"
        ))
        .bind(&[opt_text(site)])?
        .all_rows()
        .await?
        .results()?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let line = domain::delivery::DeadLetter {
                alert_id: r.alert_id,
                recipient_id: r.recipient_id,
                case_id: r.case_id,
                why: r.why,
                last_status: r.last_status,
                at: super::ms(r.at),
            };
            (r.site, line)
        })
        .collect())
}

/// Gives a dead letter one more try: forgets it and reopens its alert, in
/// one transaction, only if it belongs to `site`. The caller queues the
/// alert; should that fail, the cron finds it unfinished and queues it.
/// Returns whether there was such a dead letter.
pub async fn revive(
    db: &Db,
    site: &str,
    alert_id: &str,
    recipient_id: &str,
    now: Timestamp,
) -> EdgeResult<bool> {
    let results = db.batch(vec![
            db.prepare(
                "DELETE FROM dead_letters WHERE alert_id = ?1 AND recipient_id = ?2 \
                 AND case_id IN (SELECT id FROM cases WHERE site = ?3)",
            )
            .bind(&[text(alert_id), text(recipient_id), text(site)])?,
            db.prepare(
                "UPDATE alerts SET finished_at = NULL, queued_at = ?2, due_at = ?2 WHERE id = ?1 AND changes() = 1",
            )
            .bind(&[text(alert_id), millis(now)])?,
        ])
        .await?;
    Ok(super::first_changes(&results) == 1)
}
