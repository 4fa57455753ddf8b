//! Managers' reads of answers: the filtered, cursor-paged list (also the
//! export's source) and one answer in full.

use super::{api_time, int, millis, opt_text, stored, text};
use crate::error::EdgeResult;
use crate::store::exec::Db;
use domain::admin_api::{AnswerView, CaseRef, ContactView, ContextView};
use domain::case::CaseState;
use domain::query::{Cursor, ResponseQuery};
use domain::Tier;
use serde::Deserialize;
use wasm_bindgen::JsValue;

/// One answer with its case's state, as stored. Times are epoch
/// milliseconds; `guarantee` and `callback` are 0/1 flags.
#[derive(Debug, Clone, Deserialize)]
pub struct ResponseRow {
    pub id: String,
    pub site: String,
    pub received_at: i64,
    pub gaps: String,
    pub score: Option<u8>,
    pub guarantee: f64,
    pub tier: String,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub callback: f64,
    pub page: Option<String>,
    pub transaction_ref: Option<String>,
    pub locale: Option<String>,
    pub case_id: Option<String>,
    pub erased_at: Option<i64>,
    pub case_state: Option<String>,
}

const COLUMNS: &str = "r.id, r.site, r.received_at, r.gaps, r.score, r.guarantee, r.tier, \
     r.contact_name, r.contact_email, r.contact_phone, r.callback, r.page, r.transaction_ref, \
     r.locale, r.case_id, r.erased_at, c.state AS case_state";

/// One page, newest first. Fetches one row more than asked to know whether
/// another page follows; returns the rows and the next page's cursor.
pub async fn page(db: &Db, q: &ResponseQuery) -> EdgeResult<(Vec<ResponseRow>, Option<Cursor>)> {
    let (after_ms, after_id) = q
        .cursor
        .as_ref()
        .map_or((JsValue::NULL, JsValue::NULL), |c| {
            (millis(c.received_at), text(c.id.as_str()))
        });
    // One statement per shape, so SQLite can use an index: a site's
    // answers come from (site, received_at); the list across every site
    // walks received_at newest first and stops at the page. The cursor is
    // also a plain bound on received_at: a later page starts where the
    // last ended instead of walking past it. A tier or state filter that
    // matches few answers still walks further to fill the page.
    let filters = "(?2 IS NULL OR r.tier = ?2) AND (?3 IS NULL OR c.state = ?3) \
         AND (?4 IS NULL OR r.received_at >= ?4) \
         AND r.received_at <= COALESCE(?5, 9007199254740991) \
         AND (?5 IS NULL OR r.received_at < ?5 OR (r.received_at = ?5 AND r.id < ?6))";
    let statement = match q.site {
        Some(_) => db.prepare(format!(
            "SELECT {COLUMNS} FROM responses r LEFT JOIN cases c ON c.id = r.case_id \
             WHERE r.site = ?1 AND {filters} ORDER BY r.received_at DESC, r.id DESC LIMIT ?7"
        )),
        None => db.prepare(format!(
            "SELECT {COLUMNS} FROM responses r LEFT JOIN cases c ON c.id = r.case_id \
             WHERE ?1 IS NULL AND {filters} ORDER BY r.received_at DESC, r.id DESC LIMIT ?7"
        )),
    };
    let mut rows: Vec<ResponseRow> = statement
        .bind(&[
            opt_text(q.site.as_ref().map(domain::fields::SiteKey::as_str)),
            opt_text(q.tier.map(domain::Tier::as_str)),
            opt_text(q.state.map(domain::case::CaseState::as_str)),
            q.since.map_or(JsValue::NULL, millis),
            after_ms,
            after_id,
            int(q.limit + 1),
        ])?
        .all_rows()
        .await?
        .results()?;
    let more = rows.len() > q.limit as usize;
    rows.truncate(q.limit as usize);
    let next = if more {
        rows.last().and_then(|r| {
            Some(Cursor {
                received_at: super::ms(r.received_at),
                id: domain::fields::ResponseId::try_from(r.id.as_str()).ok()?,
            })
        })
    } else {
        None
    };
    Ok((rows, next))
}

pub async fn one(db: &Db, id: &str) -> EdgeResult<Option<ResponseRow>> {
    Ok(db
        .prepare(format!(
            "SELECT {COLUMNS} FROM responses r LEFT JOIN cases c ON c.id = r.case_id WHERE r.id = ?1"
        ))
        .bind(&[text(id)])?
        .first_row()
        .await?)
}

fn rfc3339(ms: i64) -> String {
    super::ms(ms).to_rfc3339()
}

impl ResponseRow {
    /// The answer as the managers' list and export show it, its case by id
    /// and state (contact details included: this is behind the admin token,
    /// unlike chat alerts).
    pub fn listed(&self) -> EdgeResult<AnswerView<CaseRef>> {
        let case = match &self.case_id {
            Some(id) => Some(CaseRef {
                id: id.clone(),
                state: stored(
                    "case state",
                    self.case_state.as_deref().unwrap_or_default(),
                    CaseState::parse,
                )?,
            }),
            None => None,
        };
        self.with_case(case)
    }

    /// The answer with its case shown as `C`.
    pub fn with_case<C>(&self, case: Option<C>) -> EdgeResult<AnswerView<C>> {
        Ok(AnswerView {
            id: self.id.clone(),
            site: self.site.clone(),
            received_at: api_time(self.received_at),
            tier: stored("tier", &self.tier, Tier::parse)?,
            score: self.score,
            guarantee: self.guarantee != 0.0,
            gaps: self.gaps.clone(),
            contact: ContactView {
                name: self.contact_name.clone(),
                email: self.contact_email.clone(),
                phone: self.contact_phone.clone(),
                callback: self.callback != 0.0,
            },
            context: ContextView {
                page: self.page.clone(),
                transaction: self.transaction_ref.clone(),
                locale: self.locale.clone(),
            },
            case,
            erased_at: self.erased_at.map(api_time),
        })
    }

    /// Export columns, in `EXPORT_HEADER` order.
    pub fn cells(&self) -> Vec<String> {
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        vec![
            self.id.clone(),
            self.site.clone(),
            rfc3339(self.received_at),
            self.tier.clone(),
            self.score.map_or_else(String::new, |s| s.to_string()),
            (self.guarantee != 0.0).to_string(),
            self.gaps.clone(),
            opt(&self.contact_name),
            opt(&self.contact_email),
            opt(&self.contact_phone),
            (self.callback != 0.0).to_string(),
            opt(&self.page),
            opt(&self.transaction_ref),
            opt(&self.locale),
            opt(&self.case_id),
            opt(&self.case_state),
            self.erased_at.map(rfc3339).unwrap_or_default(),
        ]
    }
}

pub const EXPORT_HEADER: [&str; 17] = [
    "id",
    "site",
    "received_at",
    "tier",
    "score",
    "guarantee",
    "gaps",
    "contact_name",
    "contact_email",
    "contact_phone",
    "callback",
    "page",
    "transaction",
    "locale",
    "case_id",
    "case_state",
    "erased_at",
];
