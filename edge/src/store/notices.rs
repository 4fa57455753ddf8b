//! Operator notices: when a site's alerts become dead letters, its
//! recipients and the owners hear about it, at most once an hour. The
//! `notices` row per site remembers when the last notice went out and the
//! newest dead letter it covered.

use super::{int, millis, text};
use crate::error::EdgeResult;
use crate::store::exec::Db;
use domain::Timestamp;
use serde::Deserialize;

/// Dead letters of one site that no notice has covered yet.
#[derive(Deserialize)]
pub struct Uncovered {
    pub site: String,
    pub count: u32,
    /// The newest of them (`dead_letters.at`).
    pub newest: i64,
    /// The Worker's public origin, as their alerts recorded it (the cron
    /// has no request to read it from).
    pub base_url: Option<String>,
}

/// Sites with dead letters newer than both `since` and their last notice,
/// whose last notice is older than `quiet_since` (or that never had one).
pub async fn uncovered_dead_letters(
    db: &Db,
    since: Timestamp,
    quiet_since: Timestamp,
) -> EdgeResult<Vec<Uncovered>> {
    Ok(db
        .prepare(
            "SELECT c.site AS site, COUNT(*) AS count, MAX(d.at) AS newest, MAX(a.base_url) AS base_url \
             FROM dead_letters d JOIN cases c ON c.id = d.case_id LEFT JOIN alerts a ON a.id = d.alert_id \
             LEFT JOIN notices n ON n.site = c.site AND n.kind = 'dead_letters' \
             WHERE d.at > ?1 AND d.at > COALESCE(n.seen_to, 0) AND COALESCE(n.sent_at, 0) <= ?2 \
             GROUP BY c.site ORDER BY c.site LIMIT 50",
        )
        .bind(&[millis(since), millis(quiet_since)])?
        .all_rows()
        .await?
        .results()?)
}

/// Takes the right to send the site's notice now, in one statement: only
/// if its last notice is older than `quiet_since`, so two cron runs never
/// both send one. `false`: somebody else just did.
pub async fn claim(
    db: &Db,
    u: &Uncovered,
    now: Timestamp,
    quiet_since: Timestamp,
) -> EdgeResult<bool> {
    #[allow(clippy::cast_precision_loss)] // epoch milliseconds fit an f64 exactly
    let newest = int(u.newest as f64);
    let result = db
        .prepare(
            "INSERT INTO notices (site, kind, sent_at, seen_to) VALUES (?1, 'dead_letters', ?2, ?3) \
             ON CONFLICT(site, kind) DO UPDATE SET sent_at = excluded.sent_at, seen_to = excluded.seen_to \
             WHERE notices.sent_at <= ?4",
        )
        .bind(&[text(&u.site), millis(now), newest, millis(quiet_since)])?
        .run_counted()
        .await?;
    Ok(super::changed(&result))
}
