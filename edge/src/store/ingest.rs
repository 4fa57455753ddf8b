//! Storing an answer: the response, its case and the case's first event, or
//! (rule 6) the response joined to its contact's open case — one batch, so
//! one transaction decides, even with many copies racing.

use super::{flag, int, millis, opt_text, text};
use crate::error::{EdgeError, EdgeResult};
use crate::store::exec::{Db, Ran, Stmt};
use crate::store::homes::Home;
use domain::alert::Reason;
use domain::fields::{Email, PageUrl, Phone};
use domain::submission::ContactKeys;
use domain::{Submission, Tier, Timestamp};
use serde::Deserialize;
use wasm_bindgen::JsValue;

/// The contact's open case a callback request would join, if any.
#[derive(Debug, Clone, Deserialize)]
pub struct OpenCase {
    pub tier: String,
    pub ack_due_at: Option<f64>,
}

impl OpenCase {
    /// Whether an answer of `tier` joining this case would raise it.
    pub fn is_below(&self, tier: Tier) -> bool {
        Tier::parse(&self.tier).is_some_and(|t| t < tier)
    }
}

/// Finds the open case of a contact (same email or phone on the same site).
/// Read before storing only to word the thank-you; the insert itself decides
/// again inside its transaction.
pub fn select_open_case(db: &Db, site: &str, keys: &ContactKeys) -> EdgeResult<Stmt> {
    Ok(db
        .prepare(format!(
            "SELECT c.tier, c.ack_due_at FROM cases c WHERE c.id = ({})",
            open_case_of_contact("?1", "?2", "?3")
        ))
        .bind(&[
            text(site),
            opt_text(keys.email.as_deref()),
            opt_text(keys.phone.as_deref()),
        ])?)
}

/// The id of the contact's oldest open case: responses of the site with the
/// same email key or phone key (either may be NULL, which matches nothing).
/// Two indexed lookups joined by UNION, so it costs the same however many
/// answers the site holds (an `OR` made SQLite walk all of the site's rows).
fn open_case_of_contact(site: &str, email: &str, phone: &str) -> String {
    format!(
        "SELECT c.id FROM cases c WHERE c.state != 'closed' AND c.id IN (\
         SELECT case_id FROM responses WHERE site = {site} AND email_key = {email} \
         UNION SELECT case_id FROM responses WHERE site = {site} AND phone_key = {phone}) \
         ORDER BY c.opened_at LIMIT 1"
    )
}

pub struct NewResponse<'a> {
    pub submission: &'a Submission,
    pub keys: &'a ContactKeys,
    /// The reply if this answer stands alone (its own case, or none).
    pub reply: &'a str,
    /// The reply if it joins the contact's open case.
    pub joined_reply: &'a str,
    pub now: Timestamp,
    pub ack_due: Option<Timestamp>,
    /// The Worker's public origin, for the alert's links.
    pub base_url: &'a str,
    /// The contact's open case, as read before storing, has a lower tier
    /// than this answer: the batch carries the raise (rule 6).
    pub may_raise: bool,
    /// The customer's thank-you mail, when they left an email: as it reads
    /// if the answer stands alone, and if it joins the open case. Written
    /// to the outbox in the same batch, so it is never lost, and once.
    pub thanks: Option<Thanks>,
    /// Where the site lived when its row was read: the answer is stored
    /// only if it still lives there ([`Home::still_here`]).
    pub home: Home,
}

/// The two versions of a customer's thank-you (see [`NewResponse::thanks`]).
pub struct Thanks {
    pub alone: domain::mail::Mail,
    pub joined: domain::mail::Mail,
}

/// The outbox id of the thank-you for the answer `response_id`: one per
/// answer, so a retried answer never mails twice.
pub fn thanks_id(response_id: &str) -> String {
    format!("thanks-{response_id}")
}

/// What storing did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    /// New; `case` is its own case id, the open case it joined, or none.
    /// `raised`: the alert to queue when joining raised the case's tier.
    Created {
        case: CaseLink,
        reply: String,
        raised: Option<String>,
    },
    /// This id was stored before: the reply given then, and its site.
    Replayed { site: String, reply: String },
    /// Nothing was stored: the site moved out of D1 since its row was
    /// read. Store it again in the site's object.
    Moved,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseLink {
    None,
    Own,
    Joined(String),
}

#[derive(Deserialize)]
struct StoredRow {
    site: String,
    reply: String,
    case_id: Option<String>,
    #[serde(default)]
    raised_alert: Option<String>,
}

pub async fn insert(db: &Db, n: &NewResponse<'_>) -> EdgeResult<Stored> {
    let s = n.submission;
    let tier = s.tier();
    let id = text(s.id.as_str());
    let site = text(s.site.as_str());
    // Only a callback request joins an open case (rule 6); any other answer
    // that needs a human opens its own.
    let may_join = s.contact.callback;
    let mut statements = vec![db
        .prepare(format!(
            "INSERT INTO responses (id, site, received_at, gaps, score, guarantee, tier, contact_name, \
             contact_email, contact_phone, callback, page, transaction_ref, locale, email_key, phone_key, \
             case_id, reply) \
             SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, \
             CASE WHEN j IS NOT NULL THEN j WHEN ?17 THEN ?1 END, \
             CASE WHEN j IS NOT NULL THEN ?19 ELSE ?18 END \
             FROM (SELECT CASE WHEN ?20 THEN ({}) END AS j) \
             WHERE {} ON CONFLICT(id) DO NOTHING",
            open_case_of_contact("?2", "?15", "?16"),
            n.home.still_here("?2", "?3"),
        ))
        .bind(&[
            id.clone(),
            site.clone(),
            millis(n.now),
            text(s.gaps.as_str()),
            s.score.map_or(JsValue::NULL, |v| int(v.get())),
            flag(s.guarantee),
            text(tier.as_str()),
            opt_text(s.contact.name.as_deref()),
            opt_text(s.contact.email.as_ref().map(Email::as_str)),
            opt_text(s.contact.phone.as_ref().map(Phone::as_str)),
            flag(s.contact.callback),
            opt_text(s.context.page.as_ref().map(PageUrl::as_str)),
            opt_text(s.context.transaction.as_deref()),
            opt_text(s.context.locale.as_deref()),
            opt_text(n.keys.email.as_deref()),
            opt_text(n.keys.phone.as_deref()),
            flag(tier.opens_case()),
            text(n.reply),
            text(n.joined_reply),
            flag(may_join),
        ])?];
    if tier.opens_case() {
        statements.extend(own_case(db, n, tier)?);
        statements.push(opened_alert(db, n, tier)?);
    }
    let raise_now = may_join && n.may_raise && tier.opens_case();
    if may_join {
        statements.push(joined_event(db, s, tier, n.now)?);
    }
    if raise_now {
        statements.extend(raise_joined_case(db, n, tier)?);
    }
    if let Some(thanks) = &n.thanks {
        statements.push(thanks_mail(db, s.id.as_str(), thanks, n.now)?);
    }
    statements.push(stored_row(db, s.id.as_str(), may_join)?);
    let results = db.batch(statements).await?;
    let created = super::first_changes(&results) > 0;
    let mut row = match last_stored_row(&results, s.id.as_str()) {
        Ok(row) => row,
        // Neither stored nor found: only the home guard refuses so.
        Err(_) if !created && n.home == Home::D1 => return Ok(Stored::Moved),
        Err(e) => return Err(e),
    };
    let joined = row.case_id.as_deref().is_some_and(|c| c != s.id.as_str());
    if created && joined && !raise_now && tier.opens_case() {
        // The open case was read before this answer joined it: another
        // answer opened or changed it in between. The raise is guarded
        // (only while the case's tier is lower), so run it now on its own.
        let mut raise = raise_joined_case(db, n, tier)?.to_vec();
        raise.push(stored_row(db, s.id.as_str(), true)?);
        row = last_stored_row(&db.batch(raise).await?, s.id.as_str())?;
    }
    Ok(if created {
        let case = match row.case_id {
            None => CaseLink::None,
            Some(c) if c == s.id.as_str() => CaseLink::Own,
            Some(c) => CaseLink::Joined(c),
        };
        Stored::Created {
            case,
            reply: row.reply,
            raised: row.raised_alert,
        }
    } else {
        Stored::Replayed {
            site: row.site,
            reply: row.reply,
        }
    })
}

/// The case an answer that needs a human opens, with its first event; both
/// only if the response row says it owns its case (it did not join one).
fn own_case(db: &Db, n: &NewResponse<'_>, tier: Tier) -> EdgeResult<[Stmt; 2]> {
    let s = n.submission;
    let (id, site) = (text(s.id.as_str()), text(s.site.as_str()));
    Ok([
        db.prepare(
            "INSERT INTO cases (id, site, tier, state, level, opened_at, ack_due_at, updated_at) \
             SELECT ?1, ?2, ?3, 'open', ?3, ?4, ?5, ?4 \
             WHERE EXISTS (SELECT 1 FROM responses WHERE id = ?1 AND site = ?2 AND case_id = ?1) \
             ON CONFLICT(id) DO NOTHING",
        )
        .bind(&[
            id.clone(),
            site.clone(),
            text(tier.as_str()),
            millis(n.now),
            n.ack_due.map_or(JsValue::NULL, millis),
        ])?,
        db.prepare(
            "INSERT INTO events (case_id, type, by, note, at) \
             SELECT ?1, 'opened', 'customer', ?3, ?4 \
             WHERE EXISTS (SELECT 1 FROM cases WHERE id = ?1 AND site = ?2) \
             AND NOT EXISTS (SELECT 1 FROM events WHERE case_id = ?1 AND type = 'opened')",
        )
        .bind(&[
            id,
            site,
            text(&format!("tier {}", tier.as_str())),
            millis(n.now),
        ])?,
    ])
}

/// The outbox row for a new case's first alert, written in the transaction
/// that opens the case: only if this batch opened it (same level, same
/// instant), so a replay or another site's id never adds one.
fn opened_alert(db: &Db, n: &NewResponse<'_>, tier: Tier) -> EdgeResult<Stmt> {
    let case_id = n.submission.id.as_str();
    super::outbox::insert_if(
        db,
        &super::outbox::NewAlert {
            id: &opened_alert_id(case_id, tier),
            case_id,
            level: tier,
            reason: &Reason::Opened,
            base_url: n.base_url,
            now: n.now,
            queued: true,
        },
        "EXISTS (SELECT 1 FROM cases WHERE id = ?2 AND level = ?3 AND opened_at = ?6)",
    )
}

/// The id of the alert a new case of `tier` sends first.
pub fn opened_alert_id(case_id: &str, tier: Tier) -> String {
    domain::alert::idempotency_id(case_id, tier, &Reason::Opened)
}

/// The thank-you, into the outbox, for an answer this batch stored (a
/// replay, stored earlier, matches no row): the joined version when the
/// answer joined an open case, as the reply does.
fn thanks_mail(db: &Db, response_id: &str, t: &Thanks, now: Timestamp) -> EdgeResult<Stmt> {
    Ok(db
        .prepare(
            "INSERT INTO mails (id, kind, recipient, subject, text, html, created_at, next_at, case_id) \
             SELECT ?1, ?2, ?3, \
             CASE WHEN j THEN ?7 ELSE ?4 END, CASE WHEN j THEN ?8 ELSE ?5 END, \
             CASE WHEN j THEN ?9 ELSE ?6 END, ?10, ?10, c \
             FROM (SELECT (r.case_id IS NOT NULL AND r.case_id != r.id) AS j, r.case_id AS c FROM responses r \
                   WHERE r.id = ?11 AND r.received_at = ?10) \
             WHERE true ON CONFLICT(id) DO NOTHING",
        )
        .bind(&[
            text(&thanks_id(response_id)),
            text(t.alone.kind.as_str()),
            text(t.alone.to.as_str()),
            text(&t.alone.subject),
            text(&t.alone.text),
            text(&t.alone.html),
            text(&t.joined.subject),
            text(&t.joined.text),
            text(&t.joined.html),
            millis(now),
            text(response_id),
        ])?)
}

/// The message event on the open case an answer joined, once.
fn joined_event(db: &Db, s: &Submission, tier: Tier, now: Timestamp) -> EdgeResult<Stmt> {
    let score = s
        .score
        .map_or_else(|| "no score".to_owned(), |v| format!("score {}", v.get()));
    Ok(db
        .prepare(
            "INSERT INTO events (case_id, type, by, note, data, at) \
             SELECT r.case_id, 'message', 'customer', ?3, json_object('response', r.id), ?4 \
             FROM responses r WHERE r.id = ?1 AND r.site = ?2 AND r.case_id IS NOT NULL AND r.case_id != r.id \
             AND NOT EXISTS (SELECT 1 FROM events e WHERE e.case_id = r.case_id AND e.type = 'message' \
             AND json_extract(e.data, '$.response') = r.id)",
        )
        .bind(&[
            text(s.id.as_str()),
            text(s.site.as_str()),
            text(&format!(
                "the customer asked again for a callback ({score}, tier {}); see response {}",
                tier.as_str(),
                s.id
            )),
            millis(now),
        ])?)
}

/// What is stored for the answer `id` now and, for an answer that may join
/// a case, the `raised` alert its raise wrote (if any).
fn stored_row(db: &Db, id: &str, may_join: bool) -> EdgeResult<Stmt> {
    let raised = if may_join {
        "(SELECT a.id FROM alerts a WHERE a.case_id = r.case_id \
         AND json_extract(a.reason, '$.response') = r.id)"
    } else {
        "NULL"
    };
    Ok(db
        .prepare(format!(
            "SELECT r.site, r.reply, r.case_id, {raised} AS raised_alert FROM responses r WHERE r.id = ?1"
        ))
        .bind(&[text(id)])?)
}

fn last_stored_row(results: &[Ran], id: &str) -> EdgeResult<StoredRow> {
    results
        .last()
        .map(Ran::results::<StoredRow>)
        .transpose()?
        .and_then(|rows| rows.into_iter().next())
        .ok_or_else(|| EdgeError::Internal(format!("response {id} neither stored nor found")))
}

/// SQL for a tier's rank in the order of [`Tier`]: `none` 0 … `president` 4.
fn tier_rank(expr: &str) -> String {
    use std::fmt::Write;
    let mut sql = format!("(CASE {expr}");
    for (rank, t) in Tier::ALL.iter().enumerate() {
        let _ = write!(sql, " WHEN '{}' THEN {rank}", t.as_str());
    }
    sql.push_str(" ELSE 0 END)");
    sql
}

/// Rule 6 never lowers severity: when the answer that joined an open case
/// has a higher tier than the case, the case takes that tier (and that
/// level, if it is higher than the level already alerted), an `escalated`
/// event says why, and the new level's people get a `raised` alert about
/// the new answer — all in the ingest transaction, each step only if the
/// one before it changed a row. A replay changes nothing: the tier is no
/// longer lower.
///
/// The case is the one the response row joined inside this transaction, so
/// the alert's id is built here in SQL, in the exact form of
/// `domain::alert::idempotency_id` (`msg_<case without dashes>_<level>_raised`).
fn raise_joined_case(db: &Db, n: &NewResponse<'_>, tier: Tier) -> EdgeResult<[Stmt; 3]> {
    let s = n.submission;
    let joined = "(SELECT case_id FROM responses WHERE id = ?1 AND site = ?2 \
                  AND case_id IS NOT NULL AND case_id != id)";
    let (new_rank, level_rank, tier_rank_now) =
        (tier_rank("?3"), tier_rank("level"), tier_rank("tier"));
    let slug = Reason::Raised {
        response: String::new(),
    }
    .slug();
    Ok([
        db.prepare(format!(
            "UPDATE cases SET tier = ?3, \
             level = CASE WHEN {level_rank} < {new_rank} THEN ?3 ELSE level END, \
             ack_due_at = CASE WHEN state = 'open' AND {level_rank} < {new_rank} AND ?5 IS NOT NULL \
               THEN MIN(COALESCE(ack_due_at, ?5), ?5) ELSE ack_due_at END, \
             updated_at = ?4 \
             WHERE id = {joined} AND state != 'closed' AND {tier_rank_now} < {new_rank}"
        ))
        .bind(&[
            text(s.id.as_str()),
            text(s.site.as_str()),
            text(tier.as_str()),
            millis(n.now),
            n.ack_due.map_or(JsValue::NULL, millis),
        ])?,
        db.prepare(format!(
            "INSERT INTO events (case_id, type, by, note, data, at) \
             SELECT c.id, 'escalated', 'customer', \
             'a later answer from the customer (response ' || ?1 || ') raised the case to tier ' || c.tier \
             || '; alerted: level ' || c.level, json_object('response', ?1), ?3 \
             FROM cases c WHERE c.id = {joined} AND changes() = 1"
        ))
        .bind(&[text(s.id.as_str()), text(s.site.as_str()), millis(n.now)])?,
        db.prepare(format!(
            "INSERT INTO alerts (id, case_id, level, reason, base_url, created_at, queued_at) \
             SELECT 'msg_' || replace(c.id, '-', '') || '_' || c.level || '_{slug}', c.id, c.level, \
             json_object('kind', '{slug}', 'response', ?1), ?3, ?4, ?4 \
             FROM cases c WHERE c.id = {joined} AND changes() = 1 \
             ON CONFLICT(id) DO NOTHING"
        ))
        .bind(&[
            text(s.id.as_str()),
            text(s.site.as_str()),
            text(n.base_url),
            millis(n.now),
        ])?,
    ])
}

/// The reply stored for an id, if taken, with its site (for Turnstile sites,
/// whose retries must not spend a second token).
pub async fn stored_reply(db: &Db, id: &str) -> EdgeResult<Option<(String, String)>> {
    let row: Option<StoredRow> = db
        .prepare("SELECT site, reply, case_id FROM responses WHERE id = ?1")
        .bind(&[text(id)])?
        .first_row()
        .await?;
    Ok(row.map(|r| (r.site, r.reply)))
}
