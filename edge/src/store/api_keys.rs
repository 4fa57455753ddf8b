//! The `api_keys` table: integrations' keys, stored as hashes.

use super::{millis, ms, text};
use crate::error::EdgeResult;
use crate::store::exec::{Db, Stmt};
use domain::api_keys::{KeyLine, NewKey, PresentedKey, Scope};
use domain::Timestamp;
use serde::Deserialize;

#[derive(Deserialize)]
struct Row {
    id: String,
    name: String,
    scope: String,
    hash: String,
    created_at: i64,
    created_by: String,
    revoked_at: Option<i64>,
}

impl Row {
    fn line(self) -> KeyLine {
        KeyLine {
            id: self.id,
            name: self.name,
            scope: self.scope,
            created_at: ms(self.created_at),
            created_by: self.created_by,
            revoked_at: self.revoked_at.map(ms),
        }
    }
}

const COLUMNS: &str = "id, name, scope, hash, created_at, created_by, revoked_at";

/// The key a bearer presents, if it exists, is not revoked and its secret
/// matches: its id, name and scope.
pub async fn check(db: &Db, k: &PresentedKey) -> EdgeResult<Option<(String, String, Scope)>> {
    let row: Option<Row> = db
        .prepare(format!(
            "SELECT {COLUMNS} FROM api_keys WHERE id = ?1 AND revoked_at IS NULL"
        ))
        .bind(&[text(&k.id)])?
        .first_row()
        .await?;
    Ok(row.and_then(|r| {
        let scope = Scope::try_from(r.scope.as_str()).ok()?;
        k.matches(&r.hash).then_some((r.id, r.name, scope))
    }))
}

pub fn insert(
    db: &Db,
    k: &PresentedKey,
    new: &NewKey,
    by: &str,
    now: Timestamp,
) -> EdgeResult<Stmt> {
    Ok(db
        .prepare(
            "INSERT INTO api_keys (id, name, scope, hash, created_at, created_by) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .bind(&[
            text(&k.id),
            text(&new.name),
            text(new.scope.as_str()),
            text(&k.hash()),
            millis(now),
            text(by),
        ])?)
}

pub async fn list(db: &Db) -> EdgeResult<Vec<KeyLine>> {
    let rows: Vec<Row> = db
        .prepare(format!("SELECT {COLUMNS} FROM api_keys ORDER BY revoked_at IS NOT NULL, created_at DESC LIMIT 200"))
        .all_rows()
        .await?
        .results()?;
    Ok(rows.into_iter().map(Row::line).collect())
}

pub async fn live(db: &Db, id: &str) -> EdgeResult<Option<KeyLine>> {
    let row: Option<Row> = db
        .prepare(format!(
            "SELECT {COLUMNS} FROM api_keys WHERE id = ?1 AND revoked_at IS NULL"
        ))
        .bind(&[text(id)])?
        .first_row()
        .await?;
    Ok(row.map(Row::line))
}

pub fn revoke(db: &Db, id: &str, now: Timestamp) -> EdgeResult<Stmt> {
    Ok(db
        .prepare("UPDATE api_keys SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL")
        .bind(&[text(id), millis(now)])?)
}
