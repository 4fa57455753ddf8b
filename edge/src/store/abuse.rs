//! Abuse protection's tables: the sign-in rate windows' upkeep and the
//! per-day counters. (Answers are rate-limited by a Workers binding,
//! `routes::responses::within_rate`, not here.)

use super::{int, text};
use crate::error::EdgeResult;
use crate::store::exec::Db;
use domain::rate::{Window, WINDOW_MS};
use domain::Timestamp;

/// Drops windows that can no longer limit anyone. The cron runs it once a
/// minute (not the answer path: a DELETE there made nearly every answer a
/// second write), so the table holds about two minutes of clients.
pub async fn forget_old_windows(db: &Db, window: Window) -> EdgeResult<()> {
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

pub async fn bump(db: &Db, site: &str, counter: Counter, now: Timestamp) -> EdgeResult<()> {
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
