//! The site registry: where each site's answers, cases and alerts live
//! (`sites.home` in D1), and the one way a site changes home.
//!
//! Every site began in D1. A site may live in its own SQLite Durable
//! Object ([`super::object`]) instead; its `sites` row stays in D1 (the
//! registry, and what the widget's settings and the dashboard read), and a
//! copy of it and of its recipients lives in the object, kept equal by
//! [`mirror`] after every settings write, because the object's tables
//! refer to them.
//!
//! What reaches a site's object so far: ingest (the answer, its case and
//! outbox rows), the alert's first attempt and its queued retries (the
//! queue message carries the site key), the thank-you mail, acknowledge and
//! "add more" links (the site is signed into them: [`db_of_link`]), the
//! cron's passes ([`every_home`]), the case page (its path names the site)
//! and a list, export or insights of one site ([`db_of_site`]). The inbox,
//! views across sites and erasure read D1 only (ARCHITECTURE.md, "Growing past one D1 database"),
//! so a site moves only where `SITE_OBJECTS=true`, which no deploy sets:
//! here while it has no answers ([`move_to_object`]), with its answers by
//! [`super::moving`].

use super::exec::{Db, Ran};
use super::moving::{part, upsert_all};
use super::text;
use crate::error::{EdgeError, EdgeResult};
use domain::audit::Entry;
use domain::fields::SiteKey;
use domain::Timestamp;
use serde::Deserialize;
use serde_json::{Map, Value};
use wasm_bindgen::JsValue;
use worker::Env;

/// Where a site's data lives: `sites.home`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Home {
    D1,
    Object,
}

impl TryFrom<&str> for Home {
    type Error = EdgeError;
    fn try_from(stored: &str) -> EdgeResult<Self> {
        match stored {
            "d1" => Ok(Self::D1),
            "object" => Ok(Self::Object),
            other => Err(EdgeError::Internal(format!("unknown site home {other:?}"))),
        }
    }
}

impl Home {
    /// SQL that is true while the site in `{site}` still lives where this
    /// statement runs and takes answers at `{now}` (epoch ms): an answer is
    /// stored only in its site's current home, and not in D1 while the site
    /// is paused to move ([`super::moving`]), checked in the transaction
    /// that stores it. (An object holds one site, which never moves back.)
    pub fn still_here(self, site: &str, now: &str) -> String {
        match self {
            Self::D1 => format!(
                "EXISTS (SELECT 1 FROM sites WHERE key = {site} AND home = 'd1' \
                 AND (paused_until IS NULL OR paused_until <= {now}))"
            ),
            Self::Object => "true".to_owned(),
        }
    }
}

/// The database of a site that lives in its own object (`Some(key)`), or
/// D1 (`None`): how work handed on with a site key finds its rows.
pub fn db_of(env: &Env, site_in_object: Option<&str>) -> worker::Result<Db> {
    match site_in_object {
        Some(key) => Db::site_object(env, key),
        None => Db::from_env(env),
    }
}

/// Where the rows a signed link points at are: in the home of the site it
/// names, or in D1 for a link signed before sites had homes (every site
/// lived there then). A site that is gone is `NotFound(what)`.
pub async fn db_of_link(env: &Env, site: Option<&SiteKey>, what: &'static str) -> EdgeResult<Db> {
    let d1 = Db::from_env(env)?;
    let Some(site) = site else {
        return Ok(d1);
    };
    match home_of(&d1, site.as_str()).await? {
        Some(Home::D1) => Ok(d1),
        Some(Home::Object) => Ok(Db::site_object(env, site.as_str())?),
        None => Err(EdgeError::NotFound(what)),
    }
}

/// The database a request about one site reads (`?site=` of a list or an
/// export): the site's home, or D1 for no site (every site in D1) and for
/// a site the registry does not know, which holds nothing anywhere.
pub async fn db_of_site(env: &Env, site: Option<&SiteKey>) -> EdgeResult<Db> {
    let d1 = Db::from_env(env)?;
    let Some(site) = site else {
        return Ok(d1);
    };
    match home_of(&d1, site.as_str()).await? {
        Some(Home::Object) => Ok(Db::site_object(env, site.as_str())?),
        Some(Home::D1) | None => Ok(d1),
    }
}

/// Every place the cron's per-site passes must run: D1 first, then the
/// object of each site that lives in one. If the registry cannot be read,
/// D1 alone (logged): the other homes wait for the next tick.
pub async fn every_home(env: &Env, d1: &Db) -> Vec<Db> {
    #[derive(Deserialize)]
    struct Row {
        key: String,
    }
    let mut homes = vec![d1.clone()];
    let keys = d1
        .prepare("SELECT key FROM sites WHERE home = 'object' ORDER BY key")
        .all_rows()
        .await
        .and_then(|r| r.results::<Row>());
    match keys {
        Ok(rows) => {
            for Row { key } in rows {
                match Db::site_object(env, &key) {
                    Ok(db) => homes.push(db),
                    Err(e) => worker::console_error!("tick: site {key}'s object: {e}"),
                }
            }
        }
        Err(e) => worker::console_error!("tick: the sites in objects were not read: {e}"),
    }
    homes
}

/// Refuses (409) unless this deployment may move sites into objects.
pub fn require_objects(env: &Env) -> EdgeResult<()> {
    if env
        .var("SITE_OBJECTS")
        .is_ok_and(|v| v.to_string() == "true")
    {
        return Ok(());
    }
    Err(EdgeError::Conflict(
        "sites live in D1 on this deployment: the inbox, views across sites and erasure \
         do not reach a site's own object yet (SITE_OBJECTS)",
    ))
}

/// After a write to the site's settings in D1: the same rows in its
/// object, if it lives in one.
pub async fn mirror(env: &Env, d1: &Db, key: &str) -> EdgeResult<()> {
    match home_of(d1, key).await? {
        Some(Home::Object) => copy_settings(d1, &Db::site_object(env, key)?, key).await,
        Some(Home::D1) | None => Ok(()),
    }
}

/// Where the site `key` lives, read from the registry (`d1`); `None`: no
/// such site.
pub async fn home_of(d1: &Db, key: &str) -> EdgeResult<Option<Home>> {
    #[derive(Deserialize)]
    struct Row {
        home: String,
    }
    let row: Option<Row> = d1
        .prepare("SELECT home FROM sites WHERE key = ?1")
        .bind(&[text(key)])?
        .first_row()
        .await?;
    row.map(|r| Home::try_from(r.home.as_str())).transpose()
}

/// What [`move_to_object`] did.
#[derive(Debug, PartialEq, Eq)]
pub enum Moved {
    /// The site lived there already: nothing was done.
    Already,
    /// The site lives there now.
    Now,
}

/// Moves the site `key` into its own object: its settings copied and
/// compared, then the registry flipped in one guarded statement. Safe to
/// run again at any point: the copy is an upsert, and a site already moved
/// is left as it is.
pub async fn move_to_object(
    env: &Env,
    key: &str,
    audit: &Entry,
    now: Timestamp,
) -> EdgeResult<Moved> {
    #[derive(Deserialize)]
    struct State {
        home: String,
        updated_at: f64,
        answers: i64,
    }
    require_objects(env)?;
    let d1 = Db::from_env(env)?;
    let state: State = d1
        .prepare(
            "SELECT home, updated_at, EXISTS (SELECT 1 FROM responses WHERE site = ?1) AS answers \
             FROM sites WHERE key = ?1",
        )
        .bind(&[text(key)])?
        .first_row()
        .await?
        .ok_or(EdgeError::NotFound("site"))?;
    if Home::try_from(state.home.as_str())? == Home::Object {
        return Ok(Moved::Already);
    }
    if state.answers != 0 {
        return Err(EdgeError::Conflict(
            "this site has answers in D1: move it with `cargo xtask move-site`, which \
             pauses its answers, copies and compares them, then flips",
        ));
    }
    copy_settings(&d1, &Db::site_object(env, key)?, key).await?;
    // Flipped only if nothing changed since the copy: no new settings (the
    // copy would be stale) and no answer stored in D1 meanwhile. On record
    // in the same transaction, only if it flipped.
    let flip = d1
        .prepare(
            "UPDATE sites SET home = 'object' WHERE key = ?1 AND home = 'd1' AND updated_at = ?2 \
             AND NOT EXISTS (SELECT 1 FROM responses WHERE site = ?1)",
        )
        .bind(&[text(key), JsValue::from_f64(state.updated_at)])?;
    let flipped = d1
        .batch(vec![flip, super::audit::entry_if_changed(&d1, audit, now)?])
        .await?;
    if super::first_changes(&flipped) == 0 {
        return Err(EdgeError::Conflict(
            "the site changed during the move (new settings or a first answer): run it again",
        ));
    }
    Ok(Moved::Now)
}

/// The site's row and its recipients, as D1 holds them, written into
/// `object` and read back: the two must be equal, column for column.
pub(super) async fn copy_settings(d1: &Db, object: &Db, key: &str) -> EdgeResult<()> {
    let read = |db: &Db| {
        Ok::<_, EdgeError>(vec![
            db.prepare("SELECT * FROM sites WHERE key = ?1")
                .bind(&[text(key)])?,
            db.prepare("SELECT * FROM recipients WHERE site = ?1 ORDER BY id")
                .bind(&[text(key)])?,
        ])
    };
    let source = d1.batch(read(d1)?).await?;
    let (site, recipients) = (rows(&source, 0)?, rows(&source, 1)?);
    let site_row = site.first().ok_or(EdgeError::NotFound("site"))?;
    let ids: Vec<Value> = recipients
        .iter()
        .filter_map(|r| r.get("id"))
        .cloned()
        .collect();
    let mut write = vec![upsert_all(
        object,
        &part("sites", "key", "key"),
        site_row,
        std::slice::from_ref(site_row),
        true,
    )?];
    write.push(
        object
            .prepare(
                "DELETE FROM recipients WHERE site = ?1 \
                 AND id NOT IN (SELECT value FROM json_each(?2))",
            )
            .bind(&[text(key), text(&Value::Array(ids).to_string())])?,
    );
    if let Some(first) = recipients.first() {
        let by_id = part("recipients", "site", "id");
        write.push(upsert_all(object, &by_id, first, &recipients, true)?);
    }
    write.extend(read(object)?);
    let copied = object.batch(write).await?;
    let n = copied.len();
    let (site_there, recipients_there) = (rows(&copied, n - 2)?, rows(&copied, n - 1)?);
    if site_there != site || recipients_there != recipients {
        return Err(EdgeError::Internal(format!(
            "site {key}: its settings read back from its object differ from D1's"
        )));
    }
    Ok(())
}

/// The rows of the `i`th result, as JSON objects.
fn rows(results: &[Ran], i: usize) -> EdgeResult<Vec<Map<String, Value>>> {
    results
        .get(i)
        .ok_or_else(|| EdgeError::Internal("a batch answered too few results".into()))?
        .results::<Map<String, Value>>()
        .map_err(EdgeError::from)
}
