//! The dashboard's reads: the inbox, one case in full, the sites.

use super::{millis, ms, opt_text, text};
use crate::error::EdgeResult;
use crate::store::exec::Db;
use domain::case::{CaseState, Closure};
use domain::case_view::{AddedAnswer, DeliveryLine, EventLine, MailLine};
use domain::deadlines::{self, DeadlinePolicy};
use domain::inbox::{Filter, InboxCase, StateFilter};
use domain::ownership::{Owner, OwnerFilter};
use domain::recipient::Role;
use domain::sla::SlaPolicy;
use domain::{Tier, Timestamp};
use serde::Deserialize;
use wasm_bindgen::JsValue;

/// The inbox shows at most this many cases, the most urgent first.
pub const INBOX_LIMIT: u32 = 500;

#[derive(Deserialize)]
struct CaseLine {
    id: String,
    site: String,
    tier: String,
    level: String,
    state: String,
    opened_at: f64,
    ack_due_at: Option<f64>,
    score: Option<f64>,
    guarantee: f64,
    gaps: String,
    owner_id: Option<String>,
    owner_name: Option<String>,
    ack_from: Option<String>,
    state_at: Option<f64>,
    updated_at: f64,
    sla_minutes: Option<String>,
    deadline_minutes: Option<String>,
}

impl CaseLine {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // 1..=5
    fn into_case(self) -> Option<InboxCase> {
        let tier = Tier::parse(&self.tier)?;
        let state = CaseState::parse(&self.state)?;
        // The step's clock starts when the case entered its state (rows
        // older than that column: their last change).
        let started = ms(self.state_at.unwrap_or(self.updated_at));
        let sla = SlaPolicy::from_json(self.sla_minutes.as_deref().unwrap_or("{}"));
        let deadlines = DeadlinePolicy::from_json(self.deadline_minutes.as_deref().unwrap_or("{}"));
        Some(InboxCase {
            step_due: deadlines::due(&deadlines, &sla, tier, state, started),
            tier,
            level: Tier::parse(&self.level)?,
            state,
            opened_at: ms(self.opened_at),
            ack_due_at: self.ack_due_at.map(ms),
            score: self.score.map(|s| s as u8),
            guarantee: self.guarantee != 0.0,
            id: self.id,
            site: self.site,
            gaps: self.gaps,
            owner: Owner::from_stored(self.owner_id, self.owner_name, self.ack_from.as_deref()),
        })
    }
}

const CASE_COLUMNS: &str = "c.id, c.site, c.tier, c.level, c.state, c.opened_at, c.ack_due_at, \
     r.score, r.guarantee, r.gaps, c.owner_id, c.owner_name, c.ack_from, c.state_at, c.updated_at, \
     (SELECT s.sla_minutes FROM sites s WHERE s.key = c.site) AS sla_minutes, \
     (SELECT s.deadline_minutes FROM sites s WHERE s.key = c.site) AS deadline_minutes";

/// A case with the answer that opened it.
const CASES_JOINED: &str = "FROM cases c JOIN responses r ON r.id = c.id";

/// The inbox's filters besides the one whose index an arm of [`inbox`]
/// walks: site `?1`, tier `?2`, state `?3` (`active`, `all` or one),
/// opened since `?4`, scope `?6`, owner `?7` (`mine` is `?8`).
const INBOX_FILTERS: &str = "(?2 IS NULL OR c.tier = ?2) \
     AND (CASE ?3 WHEN 'active' THEN c.state != 'closed' WHEN 'all' THEN 1 ELSE c.state = ?3 END) \
     AND (?4 IS NULL OR c.opened_at >= ?4) \
     AND (?6 IS NULL OR c.site IN (SELECT value FROM json_each(?6))) \
     AND (CASE ?7 WHEN 'mine' THEN c.owner_id = ?8 WHEN 'unassigned' THEN c.owner_id IS NULL ELSE 1 END)";

/// Closed last, then open cases past their deadline (`?5` is now), then
/// open before acknowledged, nearest deadline first.
const INBOX_ORDER: &str =
    "ORDER BY c.state = 'closed', (c.state = 'open' AND c.ack_due_at <= ?5) DESC, \
     c.state != 'open', c.ack_due_at, c.opened_at";

/// Cases matching the filter, overdue and nearest deadlines first (the
/// caller sorts the page finely with `domain::inbox::sort`).
pub async fn inbox(
    db: &Db,
    f: &Filter,
    scope: Option<&[String]>,
    me: &str,
    now: Timestamp,
) -> EdgeResult<Vec<InboxCase>> {
    // One statement per shape: the first filter that narrows most picks
    // the index (a site's or a scope's cases by site and state, a person's
    // by owner, one state's by state, the active ones from their partial
    // index); the rest filter that range. Every arm binds the same eight.
    let statement = match (&f.site, scope, f.owner, f.state) {
        (Some(_), ..) => db.prepare(format!(
            "SELECT {CASE_COLUMNS} {CASES_JOINED} WHERE c.site = ?1 \
             AND {INBOX_FILTERS} {INBOX_ORDER} LIMIT {INBOX_LIMIT}"
        )),
        (None, Some(_), ..) => db.prepare(format!(
            "SELECT {CASE_COLUMNS} {CASES_JOINED} WHERE ?1 IS NULL \
             AND c.site IN (SELECT value FROM json_each(?6)) AND {INBOX_FILTERS} {INBOX_ORDER} LIMIT {INBOX_LIMIT}"
        )),
        (None, None, OwnerFilter::Mine, _) => db.prepare(format!(
            "SELECT {CASE_COLUMNS} {CASES_JOINED} WHERE ?1 IS NULL AND c.owner_id = ?8 \
             AND {INBOX_FILTERS} {INBOX_ORDER} LIMIT {INBOX_LIMIT}"
        )),
        (None, None, OwnerFilter::Unassigned, _) => db.prepare(format!(
            "SELECT {CASE_COLUMNS} {CASES_JOINED} WHERE ?1 IS NULL AND c.owner_id IS NULL \
             AND {INBOX_FILTERS} {INBOX_ORDER} LIMIT {INBOX_LIMIT}"
        )),
        (None, None, OwnerFilter::Any, StateFilter::One(_)) => db.prepare(format!(
            "SELECT {CASE_COLUMNS} {CASES_JOINED} WHERE ?1 IS NULL AND c.state = ?3 \
             AND {INBOX_FILTERS} {INBOX_ORDER} LIMIT {INBOX_LIMIT}"
        )),
        (None, None, OwnerFilter::Any, StateFilter::Active) => db.prepare(format!(
            "SELECT {CASE_COLUMNS} {CASES_JOINED} WHERE ?1 IS NULL AND c.state != 'closed' \
             AND {INBOX_FILTERS} {INBOX_ORDER} LIMIT {INBOX_LIMIT}"
        )),
        (None, None, OwnerFilter::Any, StateFilter::All) => db.prepare(format!(
            "SELECT {CASE_COLUMNS} {CASES_JOINED} WHERE ?1 IS NULL AND ?6 IS NULL \
             AND {INBOX_FILTERS} {INBOX_ORDER} LIMIT {INBOX_LIMIT}"
        )),
    };
    let rows: Vec<CaseLine> = statement
        .bind(&[
            opt_text(f.site.as_ref().map(domain::fields::SiteKey::as_str)),
            opt_text(f.tier.map(Tier::as_str)),
            text(f.state.as_str()),
            f.since.map_or(JsValue::NULL, millis),
            millis(now),
            scope_value(scope),
            text(f.owner.as_str()),
            text(me),
        ])?
        .all_rows()
        .await?
        .results()?;
    Ok(rows.into_iter().filter_map(CaseLine::into_case).collect())
}

pub async fn case(db: &Db, id: &str) -> EdgeResult<Option<InboxCase>> {
    let row: Option<CaseLine> = db
        .prepare(format!(
            "SELECT {CASE_COLUMNS} {CASES_JOINED} WHERE c.id = ?1"
        ))
        .bind(&[text(id)])?
        .first_row()
        .await?;
    Ok(row.and_then(CaseLine::into_case))
}

/// Later answers from the same contact, added to this case (rule 6).
pub async fn added_answers(db: &Db, case_id: &str) -> EdgeResult<Vec<AddedAnswer>> {
    #[derive(Deserialize)]
    struct Row {
        received_at: f64,
        score: Option<f64>,
        gaps: String,
    }
    let rows: Vec<Row> = db
        .prepare(
            "SELECT received_at, score, gaps FROM responses WHERE case_id = ?1 AND id != ?1 \
             ORDER BY received_at LIMIT 200",
        )
        .bind(&[text(case_id)])?
        .all_rows()
        .await?
        .results()?;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // 1..=5
    Ok(rows
        .into_iter()
        .map(|r| AddedAnswer {
            at: ms(r.received_at),
            score: r.score.map(|s| s as u8),
            gaps: r.gaps,
        })
        .collect())
}

pub fn event_lines(rows: Vec<super::cases::EventRow>) -> Vec<EventLine> {
    rows.into_iter()
        .map(|e| EventLine {
            closure: e
                .data
                .as_deref()
                .and_then(|d| serde_json::from_str::<Closure>(d).ok()),
            kind: e.r#type,
            by: e.by,
            note: e.note,
            at: ms(e.at),
        })
        .collect()
}

/// The mail sent to the customer about the case: the thank-you, the report
/// and the closing note, with how each send went.
pub async fn mails(db: &Db, case_id: &str) -> EdgeResult<Vec<MailLine>> {
    #[derive(Deserialize)]
    struct Row {
        kind: String,
        recipient: String,
        attempts: f64,
        created_at: f64,
        sent_at: Option<f64>,
        failed_at: Option<f64>,
        next_at: Option<f64>,
        last_error: Option<String>,
    }
    let rows: Vec<Row> = db
        .prepare(
            "SELECT kind, recipient, attempts, created_at, sent_at, failed_at, next_at, last_error \
             FROM mails WHERE case_id = ?1 ORDER BY created_at, id LIMIT 50",
        )
        .bind(&[text(case_id)])?
        .all_rows()
        .await?
        .results()?;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // counts, ms
    Ok(rows
        .into_iter()
        .map(|r| MailLine {
            kind: r.kind,
            recipient: r.recipient,
            attempts: r.attempts as u32,
            created_at: ms(r.created_at),
            sent_at: r.sent_at.map(ms),
            failed_at: r.failed_at.map(ms),
            next_at: r.next_at.map(ms),
            last_error: r.last_error,
        })
        .collect())
}

/// Every delivery attempt for the case, with the recipient named by role
/// and format (or its id, if it was removed since).
pub async fn deliveries(db: &Db, case_id: &str) -> EdgeResult<Vec<DeliveryLine>> {
    #[derive(Deserialize)]
    struct Row {
        idempotency_id: String,
        recipient_id: String,
        role: Option<String>,
        format: Option<String>,
        attempt: f64,
        status: Option<f64>,
        error: Option<String>,
        started_at: f64,
        duration_ms: f64,
    }
    let rows: Vec<Row> = db
        .prepare(
            "SELECT d.idempotency_id, d.recipient_id, p.role, p.format, d.attempt, d.status, d.error, \
             d.started_at, d.duration_ms FROM deliveries d LEFT JOIN recipients p ON p.id = d.recipient_id \
             WHERE d.case_id = ?1 ORDER BY d.started_at, d.id LIMIT 500",
        )
        .bind(&[text(case_id)])?
        .all_rows()
        .await?
        .results()?;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // counts, statuses, ms
    Ok(rows
        .into_iter()
        .map(|r| DeliveryLine {
            recipient: match (
                r.role.as_deref().and_then(|x| Role::try_from(x).ok()),
                r.format,
            ) {
                (Some(role), Some(format)) => format!("{} · {format}", role.label()),
                _ => r.recipient_id,
            },
            alert_id: r.idempotency_id,
            attempt: r.attempt as u32,
            status: r.status.map(|s| s as u16),
            error: r.error,
            at: ms(r.started_at),
            duration_ms: r.duration_ms as i64,
        })
        .collect())
}

/// A person's sites as one bound value: `NULL` for every site, else a JSON
/// list that the queries read with `json_each`.
fn scope_value(scope: Option<&[String]>) -> JsValue {
    scope.map_or(JsValue::NULL, |keys| text(&super::json(&keys)))
}

/// When any case last changed (`MAX(updated_at)`, read from the index on
/// it): the inbox poll's version.
pub async fn cases_changed_at(db: &Db) -> EdgeResult<i64> {
    #[derive(Deserialize)]
    struct Row {
        at: Option<i64>,
    }
    let row: Option<Row> = db
        .prepare("SELECT MAX(updated_at) AS at FROM cases")
        .first_row()
        .await?;
    Ok(row.and_then(|r| r.at).unwrap_or(0))
}

/// The site keys a person may see (`None`: every site), for the filters.
pub async fn site_keys(db: &Db, scope: Option<&[String]>) -> EdgeResult<Vec<String>> {
    #[derive(Deserialize)]
    struct Row {
        key: String,
    }
    let rows: Vec<Row> = db
        .prepare(
            "SELECT key FROM sites WHERE (?1 IS NULL OR key IN (SELECT value FROM json_each(?1))) \
             ORDER BY key LIMIT 1000",
        )
        .bind(&[scope_value(scope)])?
        .all_rows()
        .await?
        .results()?;
    Ok(rows.into_iter().map(|r| r.key).collect())
}

/// The answers of a period for the insights charts, newest first, at most
/// `domain::insights::MAX_ANSWERS`.
pub async fn answer_facts(
    db: &Db,
    site: Option<&str>,
    scope: Option<&[String]>,
    since: Timestamp,
) -> EdgeResult<Vec<domain::insights::AnswerFact>> {
    #[derive(Deserialize)]
    struct Row {
        received_at: f64,
        tier: String,
        score: Option<f64>,
        gaps: String,
        tags: Option<String>,
    }
    // Tags, less the code the answer's own case closed with: that customer
    // is counted once, by the case.
    let rows: Vec<Row> = db
        .prepare(format!(
            "SELECT received_at, tier, score, gaps, \
             (SELECT group_concat(t.tag, ',') FROM answer_tags t WHERE t.response_id = responses.id \
              AND t.tag NOT IN (SELECT json_extract(e.data, '$.root_cause') FROM events e \
                WHERE e.case_id = responses.case_id AND e.type = 'closed' AND e.data IS NOT NULL)) AS tags \
             FROM responses \
             WHERE (?1 IS NULL OR site = ?1) AND received_at >= ?2 \
             AND (?3 IS NULL OR site IN (SELECT value FROM json_each(?3))) \
             ORDER BY received_at DESC LIMIT {}",
            domain::insights::MAX_ANSWERS
        ))
        .bind(&[opt_text(site), millis(since), scope_value(scope)])?
        .all_rows()
        .await?
        .results()?;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // 1..=5
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(domain::insights::AnswerFact {
                received_at: ms(r.received_at),
                tier: Tier::parse(&r.tier)?,
                score: r.score.map(|s| s as u8),
                gaps: r.gaps,
                tags: r
                    .tags
                    .map(|t| t.split(',').map(str::to_owned).collect())
                    .unwrap_or_default(),
            })
        })
        .collect())
}

/// What insights reads of a case; each `case_facts` arm adds its filter.
const CASE_FACTS: &str = "SELECT c.tier, c.opened_at, s.sla_minutes, \
     (SELECT MIN(e.at) FROM events e WHERE e.case_id = c.id AND e.type = 'acknowledged') AS acked_at, \
     (SELECT MIN(e.at) FROM events e WHERE e.case_id = c.id AND e.type = 'closed') AS closed_at, \
     (SELECT e.data FROM events e WHERE e.case_id = c.id AND e.type = 'closed' ORDER BY e.at DESC LIMIT 1) AS closure \
     FROM cases c LEFT JOIN sites s ON s.key = c.site";

/// The cases opened in a period, with when they were acknowledged and
/// closed and what closing recorded. The deadline is the tier's first one
/// (from the site's SLA): a re-escalated case stores its next level's.
pub async fn case_facts(
    db: &Db,
    site: Option<&str>,
    scope: Option<&[String]>,
    since: Timestamp,
) -> EdgeResult<Vec<domain::insights::CaseFact>> {
    #[derive(Deserialize)]
    struct Row {
        tier: String,
        opened_at: f64,
        sla_minutes: Option<String>,
        acked_at: Option<f64>,
        closed_at: Option<f64>,
        closure: Option<String>,
    }
    // One statement per shape, so each is a range search: one site's cases
    // from (site, opened_at), a scope's the same per site, all sites' from
    // (opened_at). Every arm binds the same three parameters.
    let statement = match (site, scope) {
        (Some(_), _) => db.prepare(format!(
            "{CASE_FACTS} WHERE c.site = ?1 AND c.opened_at >= ?2 \
             AND (?3 IS NULL OR c.site IN (SELECT value FROM json_each(?3))) \
             ORDER BY c.opened_at LIMIT 5000"
        )),
        (None, Some(_)) => db.prepare(format!(
            "{CASE_FACTS} WHERE ?1 IS NULL AND c.site IN (SELECT value FROM json_each(?3)) \
             AND c.opened_at >= ?2 ORDER BY c.opened_at LIMIT 5000"
        )),
        (None, None) => db.prepare(format!(
            "{CASE_FACTS} WHERE ?1 IS NULL AND ?3 IS NULL AND c.opened_at >= ?2 \
             ORDER BY c.opened_at LIMIT 5000"
        )),
    };
    let rows: Vec<Row> = statement
        .bind(&[opt_text(site), millis(since), scope_value(scope)])?
        .all_rows()
        .await?
        .results()?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let tier = Tier::parse(&r.tier)?;
            let policy =
                domain::sla::SlaPolicy::from_json(r.sla_minutes.as_deref().unwrap_or("{}"));
            let opened_at = ms(r.opened_at);
            let closure = r
                .closure
                .as_deref()
                .and_then(|d| serde_json::from_str::<Closure>(d).ok());
            Some(domain::insights::CaseFact {
                tier,
                opened_at,
                ack_due_at: policy.ack_minutes(tier).map(|m| opened_at.plus_minutes(m)),
                acknowledged_at: r.acked_at.map(ms),
                closed_at: r.closed_at.map(ms),
                root_cause: closure.as_ref().map(|c| c.root_cause.clone()),
                effort: closure.and_then(|c| c.effort),
            })
        })
        .collect())
}
