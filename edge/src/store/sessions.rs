//! The `sessions` table, one-time sign-in links and the sign-in counters.

use super::people::{Row as PersonRow, COLUMNS};
use super::{millis, text};
use crate::error::EdgeResult;
use crate::store::exec::Db;
use domain::people::Person;
use domain::rate::Window;
use domain::Timestamp;
use serde::Deserialize;
use wasm_bindgen::JsValue;

pub async fn create(
    db: &Db,
    id: &str,
    person: &Person,
    now: Timestamp,
    expires_at: Timestamp,
) -> EdgeResult<()> {
    db.batch(vec![
        db.prepare(
            "INSERT INTO sessions (id, manager, person_id, created_at, expires_at) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .bind(&[
            text(id),
            text(&person.name),
            text(&person.id),
            millis(now),
            millis(expires_at),
        ])?,
        // Sign-ins are rare: each one sweeps the expired rows.
        db.prepare("DELETE FROM sessions WHERE expires_at <= ?1")
            .bind(&[millis(now)])?,
        // Links are kept an hour (not only while they work) so each
        // address's links of the last hour can be counted.
        db.prepare("DELETE FROM sign_in_links WHERE created_at <= ?1")
            .bind(&[millis(Timestamp::from_millis(now.millis() - 3_600_000))])?,
    ])
    .await?;
    Ok(())
}

/// The person signed in by this session, while it is live and not signed
/// out, as the account is now (a changed role counts at once).
pub async fn person(db: &Db, id: &str, now: Timestamp) -> EdgeResult<Option<Person>> {
    let row: Option<PersonRow> = db
        .prepare(format!(
            "SELECT {COLUMNS} FROM sessions s JOIN people p ON p.id = s.person_id \
             WHERE s.id = ?1 AND s.expires_at > ?2"
        ))
        .bind(&[text(id), millis(now)])?
        .first_row()
        .await?;
    row.map(PersonRow::person).transpose()
}

pub async fn delete(db: &Db, id: &str) -> EdgeResult<()> {
    db.prepare("DELETE FROM sessions WHERE id = ?1")
        .bind(&[text(id)])?
        .run_counted()
        .await?;
    Ok(())
}

/// Stores a new sign-in link (its hash only) for `person_id`.
/// Stores a link's hash. With `per_hour`, only while `person_id` has had
/// fewer links than that in the hour before `now`: the count and the
/// insert are one statement, so requests at once cannot all slip under the
/// cap. `false` when the cap held.
pub async fn create_link(
    db: &Db,
    hash: &str,
    person_id: &str,
    now: Timestamp,
    expires_at: Timestamp,
    per_hour: Option<u32>,
) -> EdgeResult<bool> {
    let mut values = vec![text(hash), text(person_id), millis(now), millis(expires_at)];
    let stmt = match per_hour {
        None => db.prepare(
            "INSERT INTO sign_in_links (hash, person_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
        ),
        Some(cap) => {
            values.extend([millis(Timestamp::from_millis(now.millis() - 3_600_000)), JsValue::from(cap)]);
            db.prepare(
                "INSERT INTO sign_in_links (hash, person_id, created_at, expires_at) \
                 SELECT ?1, ?2, ?3, ?4 WHERE (SELECT COUNT(*) FROM sign_in_links \
                 WHERE person_id = ?2 AND created_at > ?5) < ?6",
            )
        }
    };
    let results = db.batch(vec![stmt.bind(&values)?]).await?;
    Ok(super::first_changes(&results) == 1)
}

/// Uses a link: in one statement, so of two clicks at once only one wins.
/// The person it signs in, or `None` if the link is unknown, used or expired.
pub async fn use_link(db: &Db, hash: &str, now: Timestamp) -> EdgeResult<Option<String>> {
    #[derive(Deserialize)]
    struct Row {
        person_id: String,
    }
    let row: Option<Row> = db
        .prepare(
            "UPDATE sign_in_links SET used_at = ?2 \
             WHERE hash = ?1 AND used_at IS NULL AND expires_at > ?2 RETURNING person_id",
        )
        .bind(&[text(hash), millis(now)])?
        .first_row()
        .await?;
    Ok(row.map(|r| r.person_id))
}

/// Counts one request under `key` in this window and returns the count, in
/// one atomic statement, so requests sent in parallel are each counted.
pub async fn count(db: &Db, key: &str, window: Window) -> EdgeResult<u32> {
    #[derive(Deserialize)]
    struct Row {
        count: f64,
    }
    let row: Option<Row> = db
        .prepare(
            "INSERT INTO rate_windows (key, window, count) VALUES (?1, ?2, 1) \
             ON CONFLICT(key, window) DO UPDATE SET count = count + 1 RETURNING count",
        )
        .bind(&[text(key), millis(window.start)])?
        .first_row()
        .await?;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // a small count
    Ok(row.map_or(u32::MAX, |r| r.count as u32))
}
