//! Abuse protection's tables: rate-limit windows and per-day counters.

use super::meter::Counted as _;
use super::{int, millis, text};
use crate::error::EdgeResult;
use domain::rate::{Window, WINDOW_MS};
use domain::Timestamp;
use worker::{D1Database, D1PreparedStatement};

/// Counts one request in the client's current window and returns the count
/// (`RETURNING`), atomically. Only for sites that exist, so junk site keys
/// leave no rows behind.
pub fn count_request(
    db: &D1Database,
    site: &str,
    client_key: &str,
    window: Window,
) -> EdgeResult<D1PreparedStatement> {
    Ok(db
        .prepare(
            "INSERT INTO rate_windows (key, window, count) SELECT ?1, ?2, 1 \
             WHERE EXISTS (SELECT 1 FROM sites WHERE key = ?3) \
             ON CONFLICT(key, window) DO UPDATE SET count = count + 1 RETURNING count",
        )
        .bind(&[text(client_key), millis(window.start), text(site)])?)
}

/// Drops windows that can no longer limit anyone. The cron runs it once a
/// minute (not the answer path: a DELETE there made nearly every answer a
/// second write), so the table holds about two minutes of clients.
pub async fn forget_old_windows(db: &D1Database, window: Window) -> EdgeResult<()> {
    db.prepare("DELETE FROM rate_windows WHERE window < ?1")
        .bind(&[int(
            // Precision: epoch milliseconds fit an f64 exactly.
            #[allow(clippy::cast_precision_loss)]
            {
                (window.start.millis() - WINDOW_MS) as f64
            },
        )])?
        .run_counted()
        .await?;
    Ok(())
}

/// What the counters table counts.
#[derive(Debug, Clone, Copy)]
pub enum Counter {
    Honeypot,
    RateLimited,
    TurnstileFailed,
}

impl Counter {
    const fn name(self) -> &'static str {
        match self {
            Self::Honeypot => "honeypot",
            Self::RateLimited => "rate_limited",
            Self::TurnstileFailed => "turnstile_failed",
        }
    }
}

pub async fn bump(db: &D1Database, site: &str, counter: Counter, now: Timestamp) -> EdgeResult<()> {
    let day = now.to_rfc3339();
    db.prepare(
        "INSERT INTO counters (site, day, name, count) VALUES (?1, ?2, ?3, 1) \
         ON CONFLICT(site, day, name) DO UPDATE SET count = count + 1",
    )
    .bind(&[
        text(site),
        text(day.get(..10).unwrap_or_default()),
        text(counter.name()),
    ])?
    .run_counted()
    .await?;
    Ok(())
}
