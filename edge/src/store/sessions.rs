//! The `sessions` table and the sign-in attempt counter.

use super::{millis, text};
use crate::error::EdgeResult;
use domain::rate::Window;
use domain::Timestamp;
use serde::Deserialize;
use worker::D1Database;

pub async fn create(
    db: &D1Database,
    id: &str,
    manager: &str,
    now: Timestamp,
    expires_at: Timestamp,
) -> EdgeResult<()> {
    db.batch(vec![
        db.prepare(
            "INSERT INTO sessions (id, manager, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
        )
        .bind(&[text(id), text(manager), millis(now), millis(expires_at)])?,
        // Sign-ins are rare: each one sweeps the expired rows.
        db.prepare("DELETE FROM sessions WHERE expires_at <= ?1")
            .bind(&[millis(now)])?,
    ])
    .await?;
    Ok(())
}

/// The manager's name, while the session is live and not signed out.
pub async fn manager(db: &D1Database, id: &str, now: Timestamp) -> EdgeResult<Option<String>> {
    #[derive(Deserialize)]
    struct Row {
        manager: String,
    }
    let row: Option<Row> = db
        .prepare("SELECT manager FROM sessions WHERE id = ?1 AND expires_at > ?2")
        .bind(&[text(id), millis(now)])?
        .first(None)
        .await?;
    Ok(row.map(|r| r.manager))
}

pub async fn delete(db: &D1Database, id: &str) -> EdgeResult<()> {
    db.prepare("DELETE FROM sessions WHERE id = ?1")
        .bind(&[text(id)])?
        .run()
        .await?;
    Ok(())
}

/// Counts one sign-in attempt of this client in this window and returns
/// the count, in one atomic statement. It runs before the token is compared,
/// so attempts sent in parallel are each counted before any is checked.
pub async fn count_attempt(db: &D1Database, client_key: &str, window: Window) -> EdgeResult<u32> {
    #[derive(Deserialize)]
    struct Row {
        count: f64,
    }
    let row: Option<Row> = db
        .prepare(
            "INSERT INTO rate_windows (key, window, count) VALUES (?1, ?2, 1) \
             ON CONFLICT(key, window) DO UPDATE SET count = count + 1 RETURNING count",
        )
        .bind(&[text(client_key), millis(window.start)])?
        .first(None)
        .await?;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // a small count
    Ok(row.map_or(u32::MAX, |r| r.count as u32))
}

/// Takes back an attempt that compared no wrong token (the right token, or a
/// form that named no token at all), so only wrong tokens use up the limit.
pub async fn forgive_attempt(db: &D1Database, client_key: &str, window: Window) -> EdgeResult<()> {
    db.prepare(
        "UPDATE rate_windows SET count = count - 1 WHERE key = ?1 AND window = ?2 AND count > 0",
    )
    .bind(&[text(client_key), millis(window.start)])?
    .run()
    .await?;
    Ok(())
}
