//! Erasing a customer: what identifies them goes, from every answer they
//! gave — the one named, every answer of the site that shares its email or
//! phone key (rule 6 joined those to the same case), and every answer in the
//! cases those answers belong to. The anonymous record (time, site, tier,
//! score, case) and the audit trail stay. What is erased: the words (they
//! may name people), name, email, phone, the contact keys, the page URL and
//! the transaction reference.
//!
//! Queued alerts hold no copy of any of it: the consumer renders each alert
//! from these rows when it sends, so an alert still waiting carries the
//! erasure too (see `outbox::load`).

use super::{millis, text};
use crate::error::EdgeResult;
use crate::store::exec::{Db, Ran};
use domain::submission::ContactKeys;
use domain::Timestamp;
use serde::Deserialize;

/// Whose data to erase.
pub enum Customer<'a> {
    /// The customer who gave this answer.
    Answer(&'a str),
    /// The customer with this email or phone on this site (keys as
    /// `domain::submission::Contact::keys` makes them).
    Contact {
        site: &'a str,
        keys: &'a ContactKeys,
    },
}

/// What an erasure did.
#[derive(Debug, Default)]
pub struct Erased {
    /// Answers whose personal data was erased now (not those erased before).
    pub answers: Vec<String>,
    /// The case of the answer named, for the dashboard to show.
    pub case_id: Option<String>,
    /// The site of the customer's answers (`None`: no such answer).
    pub site: Option<String>,
}

#[derive(Deserialize)]
struct Seed {
    site: String,
    email_key: Option<String>,
    phone_key: Option<String>,
    case_id: Option<String>,
}

#[derive(Deserialize, serde::Serialize)]
struct Id {
    id: String,
}

/// Erases every answer of one customer, in one transaction. A repeat finds
/// nothing left to erase and changes nothing.
pub async fn erase(db: &Db, who: &Customer<'_>, by: &str, now: Timestamp) -> EdgeResult<Erased> {
    let (site, keys, seed, case_id) = match who {
        Customer::Answer(id) => {
            let row: Option<Seed> = db
                .prepare("SELECT site, email_key, phone_key, case_id FROM responses WHERE id = ?1")
                .bind(&[text(id)])?
                .first_row()
                .await?;
            let Some(row) = row else {
                return Ok(Erased::default());
            };
            let keys: Vec<String> = row.email_key.into_iter().chain(row.phone_key).collect();
            (row.site, keys, Some((*id).to_owned()), row.case_id)
        }
        Customer::Contact { site, keys } => {
            let keys: Vec<String> = keys.email.iter().chain(&keys.phone).cloned().collect();
            ((*site).to_owned(), keys, None, None)
        }
    };
    // The customer's answers: the one named and those sharing a contact key
    // (two indexed lookups), then every answer of the cases they are in.
    // Read first, because erasing clears the keys that find them.
    let theirs = "SELECT value AS id FROM json_each(?1) \
         UNION SELECT id FROM responses WHERE site = ?2 AND email_key IN (SELECT value FROM json_each(?3)) \
         UNION SELECT id FROM responses WHERE site = ?2 AND phone_key IN (SELECT value FROM json_each(?3))";
    let ids: Vec<Id> = db
        .prepare(format!(
            "SELECT id FROM ({theirs}) \
             UNION SELECT r.id FROM responses r WHERE r.case_id IN \
             (SELECT case_id FROM responses WHERE id IN ({theirs}) AND case_id IS NOT NULL)"
        ))
        .bind(&[
            text(&super::json(&seed.iter().collect::<Vec<_>>())),
            text(&site),
            text(&super::json(&keys)),
        ])?
        .all_rows()
        .await?
        .results()?;
    let ids: Vec<String> = ids.into_iter().map(|r| r.id).collect();
    let answers = erase_answers(db, &ids, by, "on request", now).await?;
    Ok(Erased {
        answers,
        case_id,
        site: Some(site),
    })
}

/// Erases the personal data of the answers `ids` in one transaction, with
/// an audit entry and a case event for each (`why` ends their notes: "on
/// request", or the site's retention). Returns the answers erased now;
/// those erased before are left alone, so a repeat changes nothing.
pub async fn erase_answers(
    db: &Db,
    ids: &[String],
    by: &str,
    why: &str,
    now: Timestamp,
) -> EdgeResult<Vec<String>> {
    let ids = super::json(&ids);
    let these = "SELECT value FROM json_each(?3)";
    let args = [millis(now), text(by), text(&ids), text(why)];
    let results = db.batch(vec![
            db.prepare(format!(
                "UPDATE responses SET gaps = '', contact_name = NULL, contact_email = NULL, \
                 contact_phone = NULL, email_key = NULL, phone_key = NULL, page = NULL, \
                 transaction_ref = NULL, erased_at = ?1 WHERE erased_at IS NULL AND id IN ({these})"
            ))
            .bind(&args[..3])?,
            // `erased_at = ?1`: the rows the statement above erased (?1 is
            // this erasure's instant), not those erased before.
            db.prepare(format!(
                "INSERT INTO audit (at, by, action, subject, note) \
                 SELECT ?1, ?2, 'erased', r.id, 'personal data erased ' || ?4 \
                 FROM responses r WHERE r.erased_at = ?1 AND r.id IN ({these})"
            ))
            .bind(&args)?,
            // Mail to the customer forgets them too: the thank-you of each
            // answer (`thanks-<response id>`) and the report and closing
            // note of their cases lose address and words; one still queued
            // is never sent, and its log says why.
            db.prepare(format!(
                "UPDATE mails SET recipient = '', subject = '', text = '', html = '', next_at = NULL, \
                 last_error = CASE WHEN sent_at IS NULL AND failed_at IS NULL THEN 'erased ' || ?4 ELSE last_error END, \
                 failed_at = CASE WHEN sent_at IS NULL AND failed_at IS NULL THEN ?1 ELSE failed_at END \
                 WHERE recipient != '' AND (id IN (SELECT 'thanks-' || value FROM json_each(?3)) \
                 OR (kind LIKE 'customer_%' AND case_id IN \
                     (SELECT case_id FROM responses WHERE case_id IS NOT NULL AND id IN ({these}))))"
            ))
            .bind(&args)?,
            // What the customer added later through their mail's link (a
            // `message` event naming the answer) goes with the answer.
            db.prepare(
                "UPDATE events SET note = '' WHERE type = 'message' AND by = 'customer' AND note != '' \
                 AND case_id IN (SELECT case_id FROM responses WHERE case_id IS NOT NULL \
                     AND id IN (SELECT value FROM json_each(?1))) \
                 AND json_extract(data, '$.added_to') IN (SELECT value FROM json_each(?1))",
            )
            .bind(&[text(&ids)])?,
            db.prepare(format!(
                "INSERT INTO events (case_id, type, by, note, at) \
                 SELECT r.case_id, 'erased', ?2, 'personal data of response ' || r.id || ' erased ' || ?4, ?1 \
                 FROM responses r WHERE r.erased_at = ?1 AND r.case_id IS NOT NULL AND r.id IN ({these})"
            ))
            .bind(&args)?,
            db.prepare(
                "SELECT r.id FROM responses r WHERE r.erased_at = ?1 \
                 AND r.id IN (SELECT value FROM json_each(?2)) ORDER BY r.id",
            )
            .bind(&[millis(now), text(&ids)])?,
        ])
        .await?;
    Ok(results
        .last()
        .map(Ran::results::<Id>)
        .transpose()?
        .unwrap_or_default()
        .into_iter()
        .map(|r| r.id)
        .collect())
}
