//! The `fixes` table: systemic fixes tracked after their cases close.

use super::{millis, ms, opt_text, text};
use crate::error::EdgeResult;
use crate::store::exec::Db;
use domain::fixes::{FixLine, FixStatus, FixUpdate};
use domain::Timestamp;
use serde::Deserialize;
use wasm_bindgen::JsValue;

/// A case closed with `code` and a named systemic fix: makes the fix if
/// new; reopens it if it was done. Returns the owner's id of a fix it
/// reopened (to tell them), in one transaction.
pub async fn on_close(
    db: &Db,
    site: &str,
    code: &str,
    description: &str,
    now: Timestamp,
) -> EdgeResult<Option<Option<String>>> {
    #[derive(Deserialize)]
    struct Reopened {
        owner_id: Option<String>,
    }
    let results = db
        .batch(vec![
            db.prepare(
                "UPDATE fixes SET status = 'planned', reopened_at = ?3, updated_at = ?3 \
                 WHERE site = ?1 AND code = ?2 AND status = 'done' RETURNING owner_id",
            )
            .bind(&[text(site), text(code), millis(now)])?,
            db.prepare(
                "INSERT INTO fixes (site, code, description, created_at, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT(site, code) DO NOTHING",
            )
            .bind(&[text(site), text(code), text(description), millis(now)])?,
        ])
        .await?;
    let reopened: Vec<Reopened> = match results.first() {
        Some(r) => r.results()?,
        None => Vec::new(),
    };
    Ok(reopened.into_iter().next().map(|r| r.owner_id))
}

#[derive(Deserialize)]
struct Row {
    site: String,
    code: String,
    description: String,
    status: String,
    owner_id: Option<String>,
    owner_name: Option<String>,
    due_at: Option<i64>,
    reopened_at: Option<i64>,
}

/// The open fixes of the person's sites (`None`: every site), or of one site.
pub async fn open(
    db: &Db,
    site: Option<&str>,
    scope: Option<&[String]>,
) -> EdgeResult<Vec<FixLine>> {
    let scope = scope.map_or(JsValue::NULL, |keys| text(&super::json(&keys)));
    let rows: Vec<Row> = db
        .prepare(
            "SELECT site, code, description, status, owner_id, owner_name, due_at, reopened_at FROM fixes \
             WHERE status IN ('planned', 'in_progress') AND (?1 IS NULL OR site = ?1) \
             AND (?2 IS NULL OR site IN (SELECT value FROM json_each(?2))) ORDER BY code LIMIT 500",
        )
        .bind(&[opt_text(site), scope])?
        .all_rows()
        .await?
        .results()?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(FixLine {
                status: FixStatus::parse(&r.status)?,
                site: r.site,
                code: r.code,
                description: r.description,
                owner_id: r.owner_id,
                owner_name: r.owner_name,
                due_at: r.due_at.map(ms),
                reopened_at: r.reopened_at.map(ms),
                ros: None,
                weighted: 0,
            })
        })
        .collect())
}

/// Sets a fix's status, owner and due date; whether the fix exists.
pub async fn update(
    db: &Db,
    site: &str,
    code: &str,
    u: &FixUpdate,
    owner_name: Option<&str>,
    now: Timestamp,
) -> EdgeResult<bool> {
    let result = db
        .prepare(
            "UPDATE fixes SET status = ?3, owner_id = ?4, owner_name = ?5, due_at = ?6, updated_at = ?7 \
             WHERE site = ?1 AND code = ?2",
        )
        .bind(&[
            text(site),
            text(code),
            text(u.status.as_str()),
            opt_text(u.owner.as_deref()),
            opt_text(owner_name),
            u.due_at.map_or(JsValue::NULL, millis),
            millis(now),
        ])?
        .run_counted()
        .await?;
    Ok(super::changed(&result))
}
