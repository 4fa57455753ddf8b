//! What the customer's "add more" link reads and writes: the answer's case,
//! and a `message` event on it.

use super::{millis, text};
use crate::error::EdgeResult;
use crate::store::exec::Db;
use domain::Timestamp;
use serde::Deserialize;

/// The most additions one answer takes through its link.
const MAX_ADDITIONS: u32 = 20;

/// An answer a case follows up, as its "add more" link finds it.
#[derive(Deserialize)]
pub struct FollowedUp {
    pub site: String,
    pub locale: Option<String>,
}

/// The answer, when it exists, is not erased, and a case follows it up.
pub async fn followed_up(db: &Db, response_id: &str) -> EdgeResult<Option<FollowedUp>> {
    Ok(db
        .prepare(
            "SELECT site, locale FROM responses WHERE id = ?1 AND case_id IS NOT NULL AND erased_at IS NULL",
        )
        .bind(&[text(response_id)])?
        .first_row()
        .await?)
}

/// Appends the customer's `words` to the case of `response_id`; `false`
/// when nothing was added (no case, erased, or the limit reached).
pub async fn add(db: &Db, response_id: &str, words: &str, now: Timestamp) -> EdgeResult<bool> {
    let result = db
        .prepare(
            "INSERT INTO events (case_id, type, by, note, data, at) \
             SELECT r.case_id, 'message', 'customer', ?2, json_object('added_to', r.id), ?3 \
             FROM responses r WHERE r.id = ?1 AND r.case_id IS NOT NULL AND r.erased_at IS NULL \
             AND (SELECT COUNT(*) FROM events e WHERE e.case_id = r.case_id AND e.type = 'message' \
                  AND json_extract(e.data, '$.added_to') = r.id) < ?4",
        )
        .bind(&[
            text(response_id),
            text(words),
            millis(now),
            super::int(MAX_ADDITIONS),
        ])?
        .run_counted()
        .await?;
    Ok(super::changed(&result))
}
