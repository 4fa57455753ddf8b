//! The All answers page's reads and the answers' tags.

use super::{int, millis, ms, opt_text, text};
use crate::error::EdgeResult;
use crate::store::exec::Db;
use domain::answers::{AnswerFilter, AnswerLine, PAGE};
use domain::fields::ResponseId;
use domain::query::Cursor;
use domain::{Tier, Timestamp};
use serde::Deserialize;
use wasm_bindgen::JsValue;

#[derive(Deserialize)]
struct Row {
    id: String,
    site: String,
    received_at: i64,
    tier: String,
    score: Option<f64>,
    gaps: String,
    case_id: Option<String>,
    tags: Option<String>,
}

/// What the page shows of an answer: an erased answer's words are gone.
const COLUMNS: &str = "r.id, r.site, r.received_at, r.tier, r.score, \
     CASE WHEN r.erased_at IS NULL THEN r.gaps ELSE '' END AS gaps, r.case_id, \
     (SELECT group_concat(t.tag, ',') FROM answer_tags t WHERE t.response_id = r.id) AS tags";

/// One page of answers, newest first, and the cursor of the next.
pub async fn page(
    db: &Db,
    f: &AnswerFilter,
    scope: Option<&[String]>,
) -> EdgeResult<(Vec<AnswerLine>, Option<Cursor>)> {
    let (after_ms, after_id) = f
        .cursor
        .as_ref()
        .map_or((JsValue::NULL, JsValue::NULL), |c| {
            (millis(c.received_at), text(c.id.as_str()))
        });
    // One statement per shape, so SQLite walks an index newest first and
    // stops at the page: a site's answers from (site, received_at), a
    // scope's the same per site, every site's from received_at. The
    // cursor is also a plain bound on received_at, so a later page starts
    // where the last ended instead of walking past it. A filter that
    // matches few answers still walks further to fill the page.
    let filters = "(?2 IS NULL OR r.tier = ?2) AND (?3 IS NULL OR r.received_at >= ?3) \
         AND (?4 IS NULL OR (r.erased_at IS NULL AND r.gaps LIKE ?4 ESCAPE '\\')) \
         AND (?5 IS NULL OR EXISTS (SELECT 1 FROM answer_tags t WHERE t.response_id = r.id AND t.tag = ?5)) \
         AND r.received_at <= COALESCE(?6, 9007199254740991) \
         AND (?6 IS NULL OR r.received_at < ?6 OR (r.received_at = ?6 AND r.id < ?7)) \
         AND (?8 IS NULL OR r.site IN (SELECT value FROM json_each(?8)))";
    let statement = match (&f.site, scope) {
        (Some(_), _) => db.prepare(format!(
            "SELECT {COLUMNS} FROM responses r WHERE r.site = ?1 AND {filters} \
             ORDER BY r.received_at DESC, r.id DESC LIMIT ?9"
        )),
        (None, Some(_)) => db.prepare(format!(
            "SELECT {COLUMNS} FROM responses r WHERE ?1 IS NULL \
             AND r.site IN (SELECT value FROM json_each(?8)) AND {filters} \
             ORDER BY r.received_at DESC, r.id DESC LIMIT ?9"
        )),
        (None, None) => db.prepare(format!(
            "SELECT {COLUMNS} FROM responses r WHERE ?1 IS NULL AND ?8 IS NULL AND {filters} \
             ORDER BY r.received_at DESC, r.id DESC LIMIT ?9"
        )),
    };
    let mut rows: Vec<Row> = statement
        .bind(&[
            opt_text(f.site.as_ref().map(domain::fields::SiteKey::as_str)),
            opt_text(f.tier.map(Tier::as_str)),
            f.since.map_or(JsValue::NULL, millis),
            opt_text(f.like_pattern().as_deref()),
            opt_text(f.tag.as_deref()),
            after_ms,
            after_id,
            scope.map_or(JsValue::NULL, |keys| text(&super::json(&keys))),
            int(PAGE + 1),
        ])?
        .all_rows()
        .await?
        .results()?;
    let more = rows.len() > PAGE as usize;
    rows.truncate(PAGE as usize);
    let next = if more {
        rows.last().and_then(|r| {
            Some(Cursor {
                received_at: ms(r.received_at),
                id: ResponseId::try_from(r.id.as_str()).ok()?,
            })
        })
    } else {
        None
    };
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // 1..=5
    let lines = rows
        .into_iter()
        .filter_map(|r| {
            Some(AnswerLine {
                tier: Tier::parse(&r.tier)?,
                received_at: ms(r.received_at),
                score: r.score.map(|s| s as u8),
                tags: r
                    .tags
                    .map(|t| t.split(',').map(str::to_owned).collect())
                    .unwrap_or_default(),
                id: r.id,
                site: r.site,
                gaps: r.gaps,
                case_id: r.case_id,
            })
        })
        .collect();
    Ok((lines, next))
}

/// The site of an answer, if it exists.
pub async fn site_of(db: &Db, id: &str) -> EdgeResult<Option<String>> {
    #[derive(Deserialize)]
    struct Site {
        site: String,
    }
    let row: Option<Site> = db
        .prepare("SELECT site FROM responses WHERE id = ?1")
        .bind(&[text(id)])?
        .first_row()
        .await?;
    Ok(row.map(|r| r.site))
}

pub async fn tag(db: &Db, id: &str, tag: &str, by: &str, now: Timestamp) -> EdgeResult<()> {
    db.prepare(
        "INSERT INTO answer_tags (response_id, tag, by, at) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT(response_id, tag) DO NOTHING",
    )
    .bind(&[text(id), text(tag), text(by), millis(now)])?
    .run_counted()
    .await?;
    Ok(())
}

pub async fn untag(db: &Db, id: &str, tag: &str) -> EdgeResult<()> {
    db.prepare("DELETE FROM answer_tags WHERE response_id = ?1 AND tag = ?2")
        .bind(&[text(id), text(tag)])?
        .run_counted()
        .await?;
    Ok(())
}
