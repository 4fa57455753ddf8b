//! Moving a site with answers from D1 into its own object, one step per
//! request (`domain::site_move` names the steps; `cargo xtask move-site`
//! runs them in order). Every step is safe to repeat: copies are upserts,
//! compares write nothing, the flip is one guarded statement, and a purge
//! deletes from D1 only rows the object holds.
//!
//! A page is up to [`PAGE_ANSWERS`] of the site's answers in
//! `(received_at, id)` order and every row that hangs off them ([`PARTS`]),
//! read from D1 in one batch (one snapshot), written to the object in one
//! batch (one transaction) and read back there to be compared.
//!
//! What holds still while a site moves: its answers (ingest answers 429
//! while `sites.paused_until` is ahead, and an answer already on its way
//! stores nothing in D1: `homes::Home::still_here`). What does not: a
//! manager's step, an alert's delivery or a cron pass on the site's cases.
//! The flip catches those: it happens only while D1's [`FINGERPRINT`] of
//! the site equals the object's, in the statement that flips, so a change
//! after the compare fails the flip, and the command copies again.

use super::exec::{Db, Ran, Stmt};
use super::homes::{self, Home};
use super::{millis, text};
use crate::error::{EdgeError, EdgeResult};
use domain::audit::Entry;
use domain::site_move::{Count, MoveReply, PageEnd, PAGE_ANSWERS, PAUSE_LEASE_MINUTES};
use domain::Timestamp;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use wasm_bindgen::JsValue;
use worker::Env;

/// A table whose rows belong to a page: those whose `by` column names one
/// of the page's answers (an answer's id is its case's id too). In the
/// order rows are written (parents first); deleted in reverse.
pub(super) struct Part {
    table: &'static str,
    by: &'static str,
    /// The primary key: the conflict target, and the order rows are
    /// compared in.
    key: &'static str,
}

pub(super) const fn part(table: &'static str, by: &'static str, key: &'static str) -> Part {
    Part { table, by, key }
}

const PARTS: [Part; 9] = [
    part("responses", "id", "id"),
    part("cases", "id", "id"),
    part("events", "case_id", "id"),
    part("alerts", "case_id", "id"),
    part("deliveries", "case_id", "id"),
    part("dead_letters", "case_id", "alert_id, recipient_id"),
    part("step_alerts", "case_id", "case_id, step"),
    part("mails", "case_id", "id"),
    part("answer_tags", "response_id", "response_id, tag"),
];

/// The site's own rows that belong to no answer: moved with its settings.
const SITE_PARTS: [Part; 2] = [
    part("fixes", "site", "site, code"),
    part("notices", "site", "site, kind"),
];

/// The ids of one page of D1's answers of the site `?1`, after
/// `(?2, ?3)`. Every statement of a page's read repeats it, so one batch
/// reads one page.
const PAGE: &str = "SELECT id FROM responses WHERE site = ?1 AND (received_at, id) > (?2, ?3) \
    ORDER BY received_at, id LIMIT ?4";

/// The same page, named by its answers' ids (`?1`, a JSON list): how the
/// object is read back and a page is deleted.
const BY_IDS: &str = "SELECT value FROM json_each(?1)";

/// What the site's rows in a home add up to: each kind counted, and the
/// marks a change in place leaves (a case's `updated_at`, an alert
/// finished, an answer erased, a mail sent, a fix updated). Read the same
/// way in both homes; the flip runs only while D1's equals the object's.
const FINGERPRINT: &str = "SELECT json_array(\
    (SELECT count(*) FROM responses WHERE site = ?1), \
    (SELECT count(erased_at) FROM responses WHERE site = ?1), \
    (SELECT count(*) FROM cases WHERE site = ?1), \
    (SELECT max(updated_at) FROM cases WHERE site = ?1), \
    (SELECT count(*) FROM events WHERE case_id IN (SELECT id FROM cases WHERE site = ?1)), \
    (SELECT count(*) FROM alerts WHERE case_id IN (SELECT id FROM cases WHERE site = ?1)), \
    (SELECT count(finished_at) FROM alerts WHERE case_id IN (SELECT id FROM cases WHERE site = ?1)), \
    (SELECT count(*) FROM deliveries WHERE case_id IN (SELECT id FROM cases WHERE site = ?1)), \
    (SELECT count(*) FROM dead_letters WHERE case_id IN (SELECT id FROM cases WHERE site = ?1)), \
    (SELECT count(*) FROM step_alerts WHERE case_id IN (SELECT id FROM cases WHERE site = ?1)), \
    (SELECT count(*) FROM mails WHERE case_id IN (SELECT id FROM cases WHERE site = ?1)), \
    (SELECT count(sent_at) FROM mails WHERE case_id IN (SELECT id FROM cases WHERE site = ?1)), \
    (SELECT count(*) FROM answer_tags WHERE response_id IN (SELECT id FROM responses WHERE site = ?1)), \
    (SELECT count(*) FROM fixes WHERE site = ?1), \
    (SELECT max(updated_at) FROM fixes WHERE site = ?1), \
    (SELECT count(*) FROM notices WHERE site = ?1)) AS mark";

/// The names of [`FINGERPRINT`]'s counts, in its order, for `status`.
const COUNTED: [(&str, usize); 11] = [
    ("responses", 0),
    ("cases", 2),
    ("events", 4),
    ("alerts", 5),
    ("deliveries", 7),
    ("dead_letters", 8),
    ("step_alerts", 9),
    ("mails", 10),
    ("answer_tags", 12),
    ("fixes", 13),
    ("notices", 15),
];

/// The registry's row of the site, as the move reads it.
#[derive(Deserialize)]
struct Registry {
    home: String,
    paused_until: Option<i64>,
}

async fn registry(d1: &Db, key: &str) -> EdgeResult<(Home, Option<i64>)> {
    let row: Registry = d1
        .prepare("SELECT home, paused_until FROM sites WHERE key = ?1")
        .bind(&[text(key)])?
        .first_row()
        .await?
        .ok_or(EdgeError::NotFound("site"))?;
    Ok((Home::try_from(row.home.as_str())?, row.paused_until))
}

fn reply(key: &str, home: Home, paused_until: Option<i64>) -> MoveReply {
    MoveReply {
        site: key.to_owned(),
        home: match home {
            Home::D1 => "d1",
            Home::Object => "object",
        }
        .to_owned(),
        paused_until,
        rows: 0,
        next: None,
        counts: BTreeMap::new(),
    }
}

/// `status`: where the site lives, and its rows counted in both homes.
pub async fn status(env: &Env, key: &str) -> EdgeResult<MoveReply> {
    let d1 = Db::from_env(env)?;
    let (home, paused) = registry(&d1, key).await?;
    let object = Db::site_object(env, key)?;
    let (in_d1, in_object) = (
        fingerprint(&d1, key).await?,
        fingerprint(&object, key).await?,
    );
    let mut out = reply(key, home, paused);
    for (table, at) in COUNTED {
        let n = |mark: &[Value]| mark.get(at).and_then(Value::as_u64).unwrap_or(0);
        out.counts.insert(
            table.to_owned(),
            Count {
                d1: n(&in_d1),
                object: n(&in_object),
            },
        );
    }
    Ok(out)
}

/// `pause`: the site's answers are held off for the lease, from now.
pub async fn pause(env: &Env, key: &str, now: Timestamp) -> EdgeResult<MoveReply> {
    let d1 = Db::from_env(env)?;
    let until = now.plus_minutes(PAUSE_LEASE_MINUTES);
    d1.prepare("UPDATE sites SET paused_until = ?2 WHERE key = ?1 AND home = 'd1'")
        .bind(&[text(key), millis(until)])?
        .run_counted()
        .await?;
    let (home, paused) = registry(&d1, key).await?;
    Ok(reply(key, home, paused))
}

/// `resume`: the pause lifted, wherever the site lives.
pub async fn resume(env: &Env, key: &str) -> EdgeResult<MoveReply> {
    let d1 = Db::from_env(env)?;
    d1.prepare("UPDATE sites SET paused_until = NULL WHERE key = ?1")
        .bind(&[text(key)])?
        .run_counted()
        .await?;
    let (home, paused) = registry(&d1, key).await?;
    Ok(reply(key, home, paused))
}

/// The site in D1 and paused at `now`, or why a step that copies may not
/// run: it moved already, or its answers are not held off.
async fn paused_in_d1(d1: &Db, key: &str, now: Timestamp) -> EdgeResult<Option<i64>> {
    match registry(d1, key).await? {
        (Home::Object, _) => Err(EdgeError::Conflict(
            "this site lives in its own object already: only `purge` and `status` are left",
        )),
        (Home::D1, Some(until)) if until > now.millis() => Ok(Some(until)),
        (Home::D1, _) => Err(EdgeError::Conflict(
            "pause the site first: its answers must be held off while it is copied",
        )),
    }
}

/// `settings`: its settings and recipients (`homes::copy_settings`), fixes
/// and notices copied into the object and compared.
pub async fn settings(env: &Env, key: &str, now: Timestamp) -> EdgeResult<MoveReply> {
    let d1 = Db::from_env(env)?;
    let paused = paused_in_d1(&d1, key, now).await?;
    let object = Db::site_object(env, key)?;
    homes::copy_settings(&d1, &object, key).await?;
    let source = tables(&d1.batch(site_reads(&d1, key)?).await?, &SITE_PARTS)?;
    let copied = write_and_read(&object, &SITE_PARTS, &source, site_reads(&object, key)?).await?;
    let mut out = reply(key, Home::D1, paused);
    out.rows = same(&source, &copied)?;
    Ok(out)
}

/// `copy` (`write`) or `compare`: the page after `after`.
pub async fn page(
    env: &Env,
    key: &str,
    after: Option<&PageEnd>,
    write: bool,
    now: Timestamp,
) -> EdgeResult<MoveReply> {
    let d1 = Db::from_env(env)?;
    let paused = paused_in_d1(&d1, key, now).await?;
    let object = Db::site_object(env, key)?;
    let (source, ids, last) = read_page(&d1, key, after).await?;
    let there = if write {
        write_and_read(&object, &PARTS, &source, read_by_ids(&object, &ids)?).await?
    } else {
        tables(&object.batch(read_by_ids(&object, &ids)?).await?, &PARTS)?
    };
    let mut out = reply(key, Home::D1, paused);
    out.rows = same(&source, &there)?;
    // A short page is the last one.
    out.next = last.and_then(|(end, full)| full.then_some(end));
    Ok(out)
}

/// `flip`: the site lives in its object from now on, if D1's fingerprint
/// of it, read in the flipping statement, equals the object's. On record
/// in the same transaction.
pub async fn flip(env: &Env, key: &str, audit: &Entry, now: Timestamp) -> EdgeResult<MoveReply> {
    let d1 = Db::from_env(env)?;
    if registry(&d1, key).await?.0 == Home::Object {
        return status(env, key).await;
    }
    paused_in_d1(&d1, key, now).await?;
    let object = Db::site_object(env, key)?;
    let mark = Value::Array(fingerprint(&object, key).await?).to_string();
    let flip = d1
        .prepare(format!(
            "UPDATE sites SET home = 'object', paused_until = NULL \
             WHERE key = ?1 AND home = 'd1' AND paused_until > ?2 AND ({FINGERPRINT}) = ?3"
        ))
        .bind(&[text(key), millis(now), text(&mark)])?;
    let flipped = d1
        .batch(vec![flip, super::audit::entry_if_changed(&d1, audit, now)?])
        .await?;
    if super::first_changes(&flipped) == 0 {
        return Err(EdgeError::Conflict(
            "the site's rows in D1 differ from its object's (something changed after the \
             compare, or a page was not copied): copy and compare again, then flip",
        ));
    }
    status(env, key).await
}

/// `purge`: after the flip, the first page still in D1 deleted. The object
/// is the truth by now (links, the cron and new answers change it), so a
/// row is never compared: each of the page's rows the object lacks is
/// inserted there first (one written to D1 after the flip by work that
/// set out before it), one it holds is left as it is, and then exactly
/// the rows read are deleted from D1. The site's fixes and notices go
/// last, the same way. `next` is `Some` while pages may be left.
pub async fn purge(env: &Env, key: &str) -> EdgeResult<MoveReply> {
    let d1 = Db::from_env(env)?;
    let (home, paused) = registry(&d1, key).await?;
    if home != Home::Object {
        return Err(EdgeError::Conflict(
            "the site still lives in D1: flip it before its rows there are deleted",
        ));
    }
    let object = Db::site_object(env, key)?;
    let mut out = reply(key, home, paused);
    let (source, _, last) = read_page(&d1, key, None).await?;
    let (parts, source): (&[Part], Page) = if last.is_some() {
        (&PARTS, source)
    } else {
        let reads = site_reads(&d1, key)?;
        (&SITE_PARTS, tables(&d1.batch(reads).await?, &SITE_PARTS)?)
    };
    let mut kept = Vec::new();
    for (p, rows) in parts.iter().zip(&source) {
        if let Some(first) = rows.first() {
            kept.push(upsert_all(&object, p, first, rows, false)?);
        }
    }
    if !kept.is_empty() {
        object.batch(kept).await?;
    }
    let deletes = parts
        .iter()
        .zip(&source)
        .rev()
        .filter(|(_, rows)| !rows.is_empty())
        .map(|(p, rows)| delete_rows(&d1, p, rows))
        .collect::<EdgeResult<Vec<_>>>()?;
    if !deletes.is_empty() {
        d1.batch(deletes).await?;
    }
    out.rows = source.iter().map(|rows| rows.len() as u64).sum();
    // A page was deleted: more may be left, even after a short one (an
    // answer stored meanwhile), so the command asks again.
    out.next = last.map(|(end, _)| end);
    Ok(out)
}

/// The site's fixes and notices in `db`, one statement per part.
fn site_reads(db: &Db, key: &str) -> EdgeResult<Vec<Stmt>> {
    SITE_PARTS
        .iter()
        .map(|sp| {
            Ok(db
                .prepare(format!(
                    "SELECT * FROM {} WHERE site = ?1 ORDER BY {}",
                    sp.table, sp.key
                ))
                .bind(&[text(key)])?)
        })
        .collect()
}

/// Deletes exactly `rows` of the part, by their primary keys.
fn delete_rows(db: &Db, p: &Part, rows: &[Map<String, Value>]) -> EdgeResult<Stmt> {
    let columns: Vec<&str> = p.key.split(", ").collect();
    let keys: Vec<Value> = rows
        .iter()
        .map(|r| {
            Value::Array(
                columns
                    .iter()
                    .map(|c| r.get(*c).cloned().unwrap_or(Value::Null))
                    .collect(),
            )
        })
        .collect();
    let picks: Vec<String> = (0..columns.len())
        .map(|i| format!("json_extract(value, '$[{i}]')"))
        .collect();
    Ok(db
        .prepare(format!(
            "DELETE FROM {} WHERE ({}) IN (SELECT {} FROM json_each(?1))",
            p.table,
            p.key,
            picks.join(", ")
        ))
        .bind(&[text(&Value::Array(keys).to_string())])?)
}

/// One page's rows, one list per part.
type Page = Vec<Vec<Map<String, Value>>>;

/// D1's page after `after`: each part's rows, the page's answer ids, and
/// its last answer with whether the page was full (`None`: no answers).
async fn read_page(
    d1: &Db,
    key: &str,
    after: Option<&PageEnd>,
) -> EdgeResult<(Page, Vec<String>, Option<(PageEnd, bool)>)> {
    let (from_at, from_id) = after.map_or((-1.0, ""), |p| {
        #[allow(clippy::cast_precision_loss)] // epoch milliseconds fit an f64
        let at = p.received_at as f64;
        (at, p.id.as_str())
    });
    let args = [
        text(key),
        JsValue::from_f64(from_at),
        text(from_id),
        JsValue::from(PAGE_ANSWERS),
    ];
    let reads = PARTS
        .iter()
        .map(|p| {
            Ok(d1
                .prepare(format!(
                    "SELECT * FROM {} WHERE {} IN ({PAGE}) ORDER BY {}",
                    p.table, p.by, p.key
                ))
                .bind(&args)?)
        })
        .collect::<EdgeResult<Vec<_>>>()?;
    let source = tables(&d1.batch(reads).await?, &PARTS)?;
    let answers = source.first().map(Vec::as_slice).unwrap_or_default();
    let ids: Vec<String> = answers
        .iter()
        .filter_map(|r| r.get("id").and_then(Value::as_str).map(str::to_owned))
        .collect();
    // Ordered by key, not time: the page's end is its latest answer.
    let last = answers
        .iter()
        .filter_map(|r| {
            let at = r.get("received_at")?;
            #[allow(clippy::cast_possible_truncation)] // epoch milliseconds are integral
            let at = at.as_i64().or_else(|| at.as_f64().map(|f| f as i64))?;
            Some(PageEnd {
                received_at: at,
                id: r.get("id")?.as_str()?.to_owned(),
            })
        })
        .max_by(|a, b| (a.received_at, &a.id).cmp(&(b.received_at, &b.id)));
    if last.is_none() && !ids.is_empty() {
        return Err(EdgeError::Internal(
            "a page's answers without time or id".into(),
        ));
    }
    let full = u32::try_from(ids.len()).is_ok_and(|n| n >= PAGE_ANSWERS);
    Ok((source, ids, last.map(|end| (end, full))))
}

/// Each part's rows of the answers `ids`, in the object.
fn read_by_ids(db: &Db, ids: &[String]) -> EdgeResult<Vec<Stmt>> {
    let ids = text(&Value::Array(ids.iter().cloned().map(Value::String).collect()).to_string());
    PARTS
        .iter()
        .map(|p| {
            Ok(db
                .prepare(format!(
                    "SELECT * FROM {} WHERE {} IN ({BY_IDS}) ORDER BY {}",
                    p.table, p.by, p.key
                ))
                .bind(std::slice::from_ref(&ids))?)
        })
        .collect()
}

/// `rows` (one list per part) upserted into `db`, then `reads` run in the
/// same transaction; what they read.
async fn write_and_read(
    db: &Db,
    parts: &[Part],
    rows: &Page,
    reads: Vec<Stmt>,
) -> EdgeResult<Page> {
    let mut batch = Vec::new();
    for (p, rows) in parts.iter().zip(rows) {
        if let Some(first) = rows.first() {
            batch.push(upsert_all(db, p, first, rows, true)?);
        }
    }
    let writes = batch.len();
    batch.extend(reads);
    let ran = db.batch(batch).await?;
    tables(ran.get(writes..).unwrap_or_default(), parts)
}

/// One statement that writes every row of `rows` (all with `first`'s
/// columns, as `SELECT *` reads them) by the part's key: a row already
/// there is replaced if `overwrite`, else left as it is.
pub(super) fn upsert_all(
    db: &Db,
    p: &Part,
    first: &Map<String, Value>,
    rows: &[Map<String, Value>],
    overwrite: bool,
) -> EdgeResult<Stmt> {
    // Quoted: `events.by` is a column named like a keyword.
    let columns: Vec<&str> = first.keys().map(String::as_str).collect();
    if columns
        .iter()
        .any(|c| !c.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
    {
        return Err(EdgeError::Internal(format!(
            "{}: a column name to quote",
            p.table
        )));
    }
    let values: Vec<String> = columns
        .iter()
        .map(|c| format!("json_extract(value, '$.{c}')"))
        .collect();
    let keys: Vec<&str> = p.key.split(", ").collect();
    let updates: Vec<String> = columns
        .iter()
        .filter(|c| !keys.contains(c))
        .map(|c| format!("\"{c}\" = excluded.\"{c}\""))
        .collect();
    let on_conflict = if updates.is_empty() || !overwrite {
        "NOTHING".to_owned()
    } else {
        format!("UPDATE SET {}", updates.join(", "))
    };
    Ok(db
        .prepare(format!(
            "INSERT INTO {} ({}) SELECT {} FROM json_each(?1) WHERE true \
             ON CONFLICT({}) DO {on_conflict}",
            p.table,
            columns
                .iter()
                .map(|c| format!("\"{c}\""))
                .collect::<Vec<_>>()
                .join(", "),
            values.join(", "),
            p.key,
        ))
        .bind(&[text(
            &Value::Array(rows.iter().cloned().map(Value::Object).collect()).to_string(),
        )])?)
}

/// The site's [`FINGERPRINT`] in `db`.
async fn fingerprint(db: &Db, key: &str) -> EdgeResult<Vec<Value>> {
    #[derive(Deserialize)]
    struct Row {
        mark: String,
    }
    let row: Row = db
        .prepare(FINGERPRINT)
        .bind(&[text(key)])?
        .first_row()
        .await?
        .ok_or_else(|| EdgeError::Internal("a fingerprint with no row".into()))?;
    serde_json::from_str(&row.mark).map_err(|e| EdgeError::Internal(e.to_string()))
}

/// The rows of each result, one list per part.
fn tables(results: &[Ran], parts: &[Part]) -> EdgeResult<Page> {
    if results.len() != parts.len() {
        return Err(EdgeError::Internal(
            "a batch answered too few results".into(),
        ));
    }
    results
        .iter()
        .map(|r| r.results::<Map<String, Value>>().map_err(EdgeError::from))
        .collect()
}

/// How many rows both homes hold alike, or a 409 naming nothing secret.
fn same(d1: &Page, object: &Page) -> EdgeResult<u64> {
    if d1 != object {
        worker::console_error!(
            "move: a page differs between D1 ({:?} rows) and the object ({:?} rows)",
            d1.iter().map(Vec::len).collect::<Vec<_>>(),
            object.iter().map(Vec::len).collect::<Vec<_>>(),
        );
        return Err(EdgeError::Conflict(
            "a page differs between D1 and the site's object: copy it again",
        ));
    }
    Ok(d1.iter().map(|rows| rows.len() as u64).sum())
}
