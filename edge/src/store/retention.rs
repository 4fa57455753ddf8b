//! What the cron's retention pass reads: the sites that erase personal data
//! after some days, and each one's answers now due (`domain::retention`).
//! The erasure itself is `erasure::erase_answers`.

use super::{int, millis, text};
use crate::error::EdgeResult;
use crate::store::exec::Db;
use domain::Timestamp;
use serde::Deserialize;

/// A site with retention on.
#[derive(Deserialize)]
pub struct Keeping {
    pub key: String,
    pub retention_days: u32,
}

pub async fn sites(db: &Db) -> EdgeResult<Vec<Keeping>> {
    Ok(db
        .prepare("SELECT key, retention_days FROM sites WHERE retention_days > 0 ORDER BY key")
        .all_rows()
        .await?
        .results()?)
}

/// Up to `limit` answers of `site` received before `before` whose personal
/// data is still there, oldest first — except those whose case is not
/// closed yet (managers still owe that customer a call and a report).
pub async fn due(db: &Db, site: &str, before: Timestamp, limit: u32) -> EdgeResult<Vec<String>> {
    #[derive(Deserialize)]
    struct Row {
        id: String,
    }
    let rows: Vec<Row> = db
        .prepare(
            "SELECT r.id FROM responses r WHERE r.site = ?1 AND r.erased_at IS NULL AND r.received_at < ?2 \
             AND (r.case_id IS NULL OR EXISTS \
                  (SELECT 1 FROM cases c WHERE c.id = r.case_id AND c.state = 'closed')) \
             ORDER BY r.received_at LIMIT ?3",
        )
        .bind(&[text(site), millis(before), int(limit)])?
        .all_rows()
        .await?
        .results()?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}
