//! The `cases` and `events` tables: the closed loop.

use super::outbox::NewAlert;
use super::{api_time, millis, opt_text, stored, text};
use crate::error::{EdgeError, EdgeResult};
use domain::admin_api::{AttemptView, CaseView, EventData, EventView};
use domain::case::{Action, CaseEvent, CaseState};
use domain::{Tier, Timestamp};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;
use worker::D1Database;

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
}

pub async fn case(db: &D1Database, id: &str) -> EdgeResult<Option<CaseRow>> {
    Ok(db
        .prepare("SELECT id, site, tier, state, level, opened_at, ack_due_at, updated_at FROM cases WHERE id = ?1")
        .bind(&[text(id)])?
        .first(None)
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

pub async fn events(db: &D1Database, case_id: &str) -> EdgeResult<Vec<EventRow>> {
    Ok(db
        .prepare(
            "SELECT id, type, by, note, data, at FROM events WHERE case_id = ?1 ORDER BY at, id",
        )
        .bind(&[text(case_id)])?
        .all()
        .await?
        .results()?)
}

/// Records a manager's step: moves the case from `from` to `to` and writes
/// the event, in one transaction. The update only matches while the case is
/// still in `from`, and the event is only written if the update happened, so
/// two managers acting at once cannot both move it (the loser gets 409).
pub async fn record(
    db: &D1Database,
    case_id: &str,
    from: CaseState,
    to: CaseState,
    event: &CaseEvent,
    now: Timestamp,
    follow_up: Option<&NewAlert<'_>>,
) -> EdgeResult<()> {
    let (note, data) = match &event.action {
        Action::Acknowledged => (None, None),
        Action::Contacted { context } => (Some(context.clone()), None),
        Action::ReportSent { actions } => (Some(actions.clone()), None),
        Action::Note { text } => (Some(text.clone()), None),
        Action::Closed(c) => (
            None,
            Some(serde_json::to_string(c).map_err(|e| EdgeError::Internal(e.to_string()))?),
        ),
    };
    let mut statements = vec![
        db.prepare("UPDATE cases SET state = ?3, updated_at = ?4 WHERE id = ?1 AND state = ?2")
            .bind(&[
                text(case_id),
                text(from.as_str()),
                text(to.as_str()),
                millis(now),
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
