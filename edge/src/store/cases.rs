//! The `cases` and `events` tables: the closed loop.

use super::outbox::NewAlert;
use super::{millis, opt_text, text};
use crate::error::{EdgeError, EdgeResult};
use domain::case::{Action, CaseEvent, CaseState};
use domain::Timestamp;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;
use worker::D1Database;

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct CaseRow {
    pub id: String,
    pub site: String,
    pub tier: String,
    pub state: String,
    pub level: String,
    pub opened_at: f64,
    pub ack_due_at: Option<f64>,
    pub updated_at: f64,
}

pub async fn case(db: &D1Database, id: &str) -> EdgeResult<Option<CaseRow>> {
    Ok(db
        .prepare("SELECT id, site, tier, state, level, opened_at, ack_due_at, updated_at FROM cases WHERE id = ?1")
        .bind(&[text(id)])?
        .first(None)
        .await?)
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct EventRow {
    pub id: f64,
    pub r#type: String,
    pub by: Option<String>,
    pub note: Option<String>,
    pub data: Option<String>,
    pub at: f64,
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

/// Events as managers read them: `data` parsed back into JSON.
pub fn event_views(rows: Vec<EventRow>) -> Vec<serde_json::Value> {
    rows.into_iter()
        .map(|e| {
            serde_json::json!({
                "type": e.r#type,
                "by": e.by,
                "note": e.note,
                "data": e.data.and_then(|d| serde_json::from_str::<serde_json::Value>(&d).ok()),
                "at": super::ms(e.at).to_rfc3339(),
            })
        })
        .collect()
}

pub fn case_view(c: &CaseRow) -> serde_json::Value {
    serde_json::json!({
        "id": c.id,
        "tier": c.tier,
        "state": c.state,
        "level": c.level,
        "opened_at": super::ms(c.opened_at).to_rfc3339(),
        "ack_due_at": c.ack_due_at.map(|t| super::ms(t).to_rfc3339()),
        "updated_at": super::ms(c.updated_at).to_rfc3339(),
        "next_step": CaseState::parse(&c.state).and_then(CaseState::next_step),
    })
}
