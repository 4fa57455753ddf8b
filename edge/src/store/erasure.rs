//! `DELETE /v1/admin/responses/{id}`: erase what identifies the customer,
//! keep the anonymous record (time, site, tier, score, case) and the audit
//! trail. What is erased: the words (they may name people), name, email,
//! phone, the contact keys, the page URL and the transaction reference.

use super::{millis, text};
use crate::error::EdgeResult;
use domain::Timestamp;
use worker::D1Database;

/// Returns whether anything was erased now (false: already erased).
pub async fn erase(db: &D1Database, id: &str, by: &str, now: Timestamp) -> EdgeResult<bool> {
    let results = db
        .batch(vec![
            db.prepare(
                "UPDATE responses SET gaps = '', contact_name = NULL, contact_email = NULL, \
                 contact_phone = NULL, email_key = NULL, phone_key = NULL, page = NULL, \
                 transaction_ref = NULL, erased_at = ?2 WHERE id = ?1 AND erased_at IS NULL",
            )
            .bind(&[text(id), millis(now)])?,
            db.prepare(
                "INSERT INTO audit (at, by, action, subject, note) \
                 SELECT ?2, ?3, 'erased', ?1, 'personal data erased on request' WHERE changes() = 1",
            )
            .bind(&[text(id), millis(now), text(by)])?,
            db.prepare(
                "INSERT INTO events (case_id, type, by, note, at) \
                 SELECT r.case_id, 'erased', ?3, 'personal data of response ' || r.id || ' erased on request', ?2 \
                 FROM responses r WHERE r.id = ?1 AND r.case_id IS NOT NULL AND r.erased_at = ?2 \
                 AND NOT EXISTS (SELECT 1 FROM events e WHERE e.case_id = r.case_id AND e.type = 'erased' \
                 AND e.note = 'personal data of response ' || r.id || ' erased on request')",
            )
            .bind(&[text(id), millis(now), text(by)])?,
        ])
        .await?;
    Ok(super::first_changes(&results) > 0)
}
