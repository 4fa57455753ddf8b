//! The `cases` and `events` tables: the closed loop.

use super::outbox::NewAlert;
use super::{api_time, flag, millis, opt_text, stored, text};
use crate::error::{EdgeError, EdgeResult};
use crate::store::exec::Db;
use domain::admin_api::{AttemptView, CaseView, EventData, EventView};
use domain::case::{Action, CaseEvent, CaseState};
use domain::mail::Mail;
use domain::people::Person;
use domain::{Tier, Timestamp};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

/// A case as stored; times are epoch milliseconds.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct CaseRow {
    pub id: String,
    pub site: String,
    pub tier: String,
    pub state: String,
    pub level: String,
    pub opened_at: i64,
    pub ack_due_at: Option<i64>,
    pub updated_at: i64,
    pub owner_id: Option<String>,
    pub owner_name: Option<String>,
    pub ack_from: Option<String>,
    /// When the case entered its state (NULL on rows older than owners).
    pub state_at: Option<i64>,
    /// 1 when the answer still holds an email or phone to reach.
    pub reachable: Option<i64>,
}

pub async fn case(db: &Db, id: &str) -> EdgeResult<Option<CaseRow>> {
    Ok(db
        .prepare(
            "SELECT id, site, tier, state, level, opened_at, ack_due_at, updated_at, \
             owner_id, owner_name, ack_from, state_at, \
             (SELECT r.contact_email IS NOT NULL OR r.contact_phone IS NOT NULL FROM responses r \
              WHERE r.id = cases.id) AS reachable FROM cases WHERE id = ?1",
        )
        .bind(&[text(id)])?
        .first_row()
        .await?)
}

/// One event as stored: `data` is JSON text, `at` epoch milliseconds.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct EventRow {
    pub id: i64,
    pub r#type: String,
    pub by: Option<String>,
    pub note: Option<String>,
    pub data: Option<String>,
    pub at: i64,
}

pub async fn events(db: &Db, case_id: &str) -> EdgeResult<Vec<EventRow>> {
    Ok(db
        .prepare(
            "SELECT id, type, by, note, data, at FROM events WHERE case_id = ?1 ORDER BY at, id",
        )
        .bind(&[text(case_id)])?
        .all_rows()
        .await?
        .results()?)
}

/// The address and language of the customer behind a case: the latest of
/// its answers that still holds an email (erasure blanks it).
#[derive(Debug, Clone, Deserialize)]
pub struct Customer {
    pub contact_email: String,
    pub locale: Option<String>,
}

pub async fn customer(db: &Db, case_id: &str) -> EdgeResult<Option<Customer>> {
    Ok(db
        .prepare(
            "SELECT contact_email, locale FROM responses \
             WHERE case_id = ?1 AND contact_email IS NOT NULL \
             ORDER BY received_at DESC, id DESC LIMIT 1",
        )
        .bind(&[text(case_id)])?
        .first_row()
        .await?)
}

/// One step to record: the move, the event, the door it came through,
/// (for an acknowledgement in the dashboard) who takes the case if nobody
/// owns it yet, and the mail it sends the customer, with its outbox id.
pub struct Step<'a> {
    pub from: CaseState,
    pub to: CaseState,
    pub event: &'a CaseEvent,
    /// `dashboard`, `api` or `chat`.
    pub door: &'static str,
    pub taker: Option<&'a Person>,
    pub mail: Option<(&'a str, &'a Mail)>,
}

/// Records a manager's step: moves the case from `from` to `to` and writes
/// the event, in one transaction. The update only matches while the case is
/// still in `from`, and the event is only written if the update happened, so
/// two managers acting at once cannot both move it (the loser gets 409).
/// The step's mail joins the same transaction, once per outbox id.
pub async fn record(
    db: &Db,
    case_id: &str,
    step: &Step<'_>,
    now: Timestamp,
    follow_up: Option<&NewAlert<'_>>,
) -> EdgeResult<()> {
    let (from, to, event) = (step.from, step.to, step.event);
    let (note, data) = match &event.action {
        Action::Acknowledged => (None, None),
        Action::Contacted { context } | Action::NoContact { context } => {
            (Some(context.clone()), None)
        }
        Action::ReportSent { actions } => (Some(actions.clone()), None),
        Action::Note { text } => (Some(text.clone()), None),
        Action::Closed(c) => (
            None,
            Some(serde_json::to_string(c).map_err(|e| EdgeError::Internal(e.to_string()))?),
        ),
    };
    let (taker_id, taker_name) = step.taker.map_or((JsValue::NULL, JsValue::NULL), |p| {
        (text(&p.id), text(&p.name))
    });
    let acknowledging = event.action == Action::Acknowledged;
    let mut statements = vec![
        // The state, when it began, how an acknowledgement came, and the
        // owner if nobody owns the case yet: one statement, so it happens
        // only with the step.
        db.prepare(
            "UPDATE cases SET state = ?3, updated_at = ?4, \
             state_at = CASE WHEN ?3 != ?2 THEN ?4 ELSE state_at END, \
             ack_from = CASE WHEN ?7 THEN ?8 ELSE ack_from END, \
             owner_name = CASE WHEN owner_id IS NULL AND ?5 IS NOT NULL THEN ?6 ELSE owner_name END, \
             owner_id = COALESCE(owner_id, ?5) \
             WHERE id = ?1 AND state = ?2",
        )
        .bind(&[
            text(case_id),
            text(from.as_str()),
            text(to.as_str()),
            millis(now),
            taker_id,
            taker_name,
            flag(acknowledging),
            text(step.door),
        ])?,
        // changes() is the UPDATE's row count: same connection, same batch.
        db.prepare(
            "INSERT INTO events (case_id, type, by, note, data, at) \
                 SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE changes() = 1",
        )
        .bind(&[
            text(case_id),
            text(event.action.kind()),
            text(&event.by),
            opt_text(note.as_deref()),
            data.map_or(JsValue::NULL, |d| JsValue::from_str(&d)),
            millis(now),
        ])?,
    ];
    if let Some(alert) = follow_up {
        // Only if the event was written: changes() is now the INSERT's count.
        statements.push(super::outbox::insert_if(db, alert, "changes() = 1")?);
    }
    if let Some((id, mail)) = step.mail {
        let kind = event.action.kind();
        statements.push(super::mails::insert_for_step(
            db, id, mail, case_id, kind, now,
        )?);
    }
    if let Some(p) = step.taker {
        // The owner event, once: only if the taker now owns the case and no
        // owner event was written before.
        statements.push(
            db.prepare(
                "INSERT INTO events (case_id, type, by, note, at) \
                 SELECT ?1, 'owner', ?3, ?4, ?5 WHERE (SELECT owner_id FROM cases WHERE id = ?1) = ?2 \
                 AND NOT EXISTS (SELECT 1 FROM events WHERE case_id = ?1 AND type = 'owner')",
            )
            .bind(&[
                text(case_id),
                text(&p.id),
                text(&p.name),
                text(&domain::ownership::note(p, p)),
                millis(now),
            ])?,
        );
    }
    let results = db.batch(statements).await?;
    if super::first_changes(&results) == 1 {
        Ok(())
    } else {
        Err(EdgeError::Conflict(
            "the case changed while you were acting on it; reload and try again",
        ))
    }
}

/// Events as managers read them: `data` read back into its type; data of
/// another shape is a bad stored value.
pub fn event_views(rows: Vec<EventRow>) -> EdgeResult<Vec<EventView>> {
    rows.into_iter()
        .map(|e| {
            let data = match e.data.as_deref() {
                Some(d) => Some(serde_json::from_str::<EventData>(d).map_err(|err| {
                    EdgeError::Internal(format!("event {} has unreadable data: {err}", e.id))
                })?),
                None => None,
            };
            Ok(EventView {
                r#type: e.r#type,
                by: e.by,
                note: e.note,
                data,
                at: api_time(e.at),
            })
        })
        .collect()
}

/// A case as managers read it, with its log (and, in an answer's detail,
/// its deliveries).
pub fn case_view(
    c: &CaseRow,
    events: Vec<EventView>,
    deliveries: Option<Vec<AttemptView>>,
) -> EdgeResult<CaseView> {
    let state = stored("case state", &c.state, CaseState::parse)?;
    Ok(CaseView {
        id: c.id.clone(),
        tier: stored("tier", &c.tier, Tier::parse)?,
        state,
        level: stored("level", &c.level, Tier::parse)?,
        opened_at: api_time(c.opened_at),
        ack_due_at: c.ack_due_at.map(api_time),
        updated_at: api_time(c.updated_at),
        next_step: state.next_step().map(str::to_owned),
        events,
        deliveries,
    })
}

/// Gives the case to `to`, by `by`: the owner columns and an `owner`
/// event, in one batch. The event says who took or assigned it.
pub async fn assign(
    db: &Db,
    case_id: &str,
    by: &Person,
    to: &Person,
    now: Timestamp,
) -> EdgeResult<()> {
    db.batch(vec![
        db.prepare("UPDATE cases SET owner_id = ?2, owner_name = ?3, updated_at = ?4 WHERE id = ?1")
            .bind(&[text(case_id), text(&to.id), text(&to.name), millis(now)])?,
        db.prepare(
            "INSERT INTO events (case_id, type, by, note, at) SELECT ?1, 'owner', ?2, ?3, ?4 WHERE changes() = 1",
        )
        .bind(&[text(case_id), text(&by.name), text(&domain::ownership::note(by, to)), millis(now)])?,
    ])
    .await?;
    Ok(())
}
