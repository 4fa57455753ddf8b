//! The `sites` and `recipients` tables: a site's configuration.

use super::{flag, int, json, millis, opt_text, text};
use crate::error::{EdgeError, EdgeResult};
use crate::store::exec::{Db, Stmt};
use crate::store::homes::Home;
use domain::admin_api::{CounterView, SiteDocument, TurnstileView};
use domain::deadlines::DeadlinePolicy;
use domain::fields::SiteKey;
use domain::origin::OriginRule;
use domain::recipient::{mask_url, RecipientId, Role};
use domain::sla::SlaPolicy;
use domain::Timestamp;
use serde::Deserialize;
use std::collections::BTreeMap;

/// A site's configuration as the public endpoints need it.
#[derive(Debug, Clone)]
pub struct Site {
    pub key: String,
    pub origins: Vec<OriginRule>,
    pub copy: BTreeMap<String, BTreeMap<String, String>>,
    pub show_score: bool,
    pub show_guarantee: bool,
    pub offer_contact: bool,
    pub cooldown_days: u32,
    pub sla: SlaPolicy,
    pub rate_per_minute: u32,
    pub deadlines: DeadlinePolicy,
    pub turnstile_sitekey: Option<String>,
    pub turnstile_secret: Option<String>,
    /// Days after an answer its personal data is erased; 0: kept.
    pub retention_days: u32,
    pub updated_at: Timestamp,
}

#[derive(Deserialize)]
pub struct SiteRow {
    key: String,
    origins: String,
    copy: String,
    show_score: i64,
    show_guarantee: i64,
    offer_contact: i64,
    cooldown_days: i64,
    sla_minutes: String,
    deadline_minutes: String,
    rate_per_minute: i64,
    turnstile_sitekey: Option<String>,
    turnstile_secret: Option<String>,
    retention_days: i64,
    updated_at: i64,
}

const SITE_COLUMNS: &str = "key, origins, copy, show_score, show_guarantee, offer_contact, cooldown_days, \
     sla_minutes, deadline_minutes, rate_per_minute, turnstile_sitekey, turnstile_secret, retention_days, updated_at";

/// What taking an answer needs of its site, read on every answer: five
/// columns, not the widget's copy in three scripts nor the deadlines.
#[derive(Debug, Clone)]
pub struct IngestSite {
    pub key: String,
    pub origins: Vec<OriginRule>,
    pub sla: SlaPolicy,
    pub rate_per_minute: u32,
    pub turnstile_secret: Option<String>,
    pub home: Home,
    /// While it moves, its answers are held off until then (epoch ms).
    pub paused_until: Option<i64>,
}

#[derive(Deserialize)]
pub struct IngestSiteRow {
    key: String,
    origins: String,
    sla_minutes: String,
    rate_per_minute: i64,
    turnstile_secret: Option<String>,
    home: String,
    paused_until: Option<i64>,
}

impl TryFrom<IngestSiteRow> for IngestSite {
    type Error = EdgeError;
    fn try_from(row: IngestSiteRow) -> EdgeResult<Self> {
        Ok(Self {
            origins: origins(&row.key, &row.origins)?,
            sla: SlaPolicy::from_json(&row.sla_minutes),
            rate_per_minute: rate_per_minute(row.rate_per_minute),
            turnstile_secret: row.turnstile_secret,
            home: Home::try_from(row.home.as_str())?,
            paused_until: row.paused_until,
            key: row.key,
        })
    }
}

/// The statement that reads what ingest needs of one site ([`IngestSite`]),
/// to run inside the answer's first batch.
pub fn select_ingest_site(db: &Db, key: &str) -> EdgeResult<Stmt> {
    Ok(db
        .prepare(
            "SELECT key, origins, sla_minutes, rate_per_minute, turnstile_secret, home, paused_until \
             FROM sites WHERE key = ?1",
        )
        .bind(&[text(key)])?)
}

/// A site's stored origin rules.
fn origins(key: &str, stored: &str) -> EdgeResult<Vec<OriginRule>> {
    serde_json::from_str(stored)
        .map_err(|e| EdgeError::Internal(format!("site {key} has unreadable origins: {e}")))
}

/// A stored count clamped into `lo..=hi` (both within `u32`), so the
/// conversion cannot fail.
fn clamped(stored: i64, lo: u32, hi: u32) -> u32 {
    u32::try_from(stored.clamp(lo.into(), hi.into())).unwrap_or(lo)
}

/// A site's stored answers-per-minute limit, clamped into range.
fn rate_per_minute(stored: i64) -> u32 {
    clamped(stored, 1, 1_000_000)
}

/// The statement that reads one site, to run alone or inside a batch.
pub fn select_site(db: &Db, key: &str) -> EdgeResult<Stmt> {
    Ok(db
        .prepare(format!("SELECT {SITE_COLUMNS} FROM sites WHERE key = ?1"))
        .bind(&[text(key)])?)
}

impl TryFrom<SiteRow> for Site {
    type Error = EdgeError;
    fn try_from(row: SiteRow) -> EdgeResult<Self> {
        let origins = origins(&row.key, &row.origins)?;
        Ok(Self {
            copy: serde_json::from_str(&row.copy).unwrap_or_default(),
            origins,
            show_score: row.show_score != 0,
            show_guarantee: row.show_guarantee != 0,
            offer_contact: row.offer_contact != 0,
            cooldown_days: clamped(row.cooldown_days, 0, 3650),
            sla: SlaPolicy::from_json(&row.sla_minutes),
            deadlines: DeadlinePolicy::from_json(&row.deadline_minutes),
            rate_per_minute: rate_per_minute(row.rate_per_minute),
            turnstile_sitekey: row.turnstile_sitekey,
            turnstile_secret: row.turnstile_secret,
            retention_days: clamped(row.retention_days, 0, 3650),
            updated_at: super::ms(row.updated_at),
            key: row.key,
        })
    }
}

pub async fn site(db: &Db, key: &str) -> EdgeResult<Site> {
    let row: Option<SiteRow> = select_site(db, key)?.first_row().await?;
    row.ok_or(EdgeError::NotFound("site"))?.try_into()
}

/// The statement that writes a site's own row (not its recipients).
fn upsert_site(
    db: &Db,
    key: &str,
    c: &domain::site::SiteConfig,
    now: Timestamp,
) -> EdgeResult<Stmt> {
    Ok(db
        .prepare(
            "INSERT INTO sites (key, origins, copy, show_score, show_guarantee, cooldown_days, sla_minutes, \
             rate_per_minute, turnstile_sitekey, turnstile_secret, updated_at, deadline_minutes, offer_contact, retention_days) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) \
             ON CONFLICT(key) DO UPDATE SET origins = excluded.origins, copy = excluded.copy, show_score = excluded.show_score, \
             show_guarantee = excluded.show_guarantee, cooldown_days = excluded.cooldown_days, sla_minutes = excluded.sla_minutes, \
             deadline_minutes = excluded.deadline_minutes, offer_contact = excluded.offer_contact, \
             retention_days = excluded.retention_days, \
             rate_per_minute = excluded.rate_per_minute, turnstile_sitekey = excluded.turnstile_sitekey, \
             turnstile_secret = excluded.turnstile_secret, updated_at = excluded.updated_at",
        )
        .bind(&[
            text(key),
            text(&json(&c.origins)),
            text(&json(&c.copy)),
            flag(c.score),
            flag(c.guarantee),
            int(c.cooldown_days),
            text(&json(&c.sla_minutes)),
            int(c.rate_per_minute),
            opt_text(c.turnstile.as_ref().map(|t| t.sitekey.as_str())),
            opt_text(c.turnstile.as_ref().map(|t| t.secret.as_str())),
            millis(now),
            text(&json(&c.deadline_minutes)),
            flag(c.offer_contact),
            int(c.retention_days),
        ])?)
}

/// Saves a site's settings from the dashboard: its own row only, so the
/// recipients — and the delivery history that names them — stay as they are.
pub async fn save_settings(
    db: &Db,
    key: &str,
    c: &domain::site::SiteConfig,
    audit: Stmt,
    now: Timestamp,
) -> EdgeResult<()> {
    db.batch(vec![upsert_site(db, key, c, now)?, audit]).await?;
    Ok(())
}

/// A new recipient's id: random, so never one that existed before (the
/// delivery log, dead letters and alert progress of a removed recipient
/// stay keyed by its id, and a new recipient must not inherit them).
pub fn new_recipient_id(site: &SiteKey, role: Role) -> EdgeResult<RecipientId> {
    RecipientId::fresh(site, role, &crate::random::hex(8)?)
        .map_err(|e| EdgeError::Internal(format!("a fresh recipient id was refused: {e}")))
}

/// Saves a whole site configuration in one transaction: the site row and its
/// recipients, together so no reader sees half of an update. A recipient
/// with an id (checked by `SiteBody::resolve` to be one of this site's) is
/// updated in place, so its delivery progress stays its own; one without
/// gets a fresh id; recipients the configuration no longer lists go.
pub async fn save_site(
    db: &Db,
    key: &SiteKey,
    c: &domain::site::SiteConfig,
    audit: Stmt,
    now: Timestamp,
) -> EdgeResult<()> {
    let kept: Vec<&str> = c
        .recipients
        .iter()
        .filter_map(|r| r.id.as_ref().map(RecipientId::as_str))
        .collect();
    let mut statements = vec![
        upsert_site(db, key.as_str(), c, now)?,
        db.prepare(
            "DELETE FROM recipients WHERE site = ?1 AND id NOT IN (SELECT value FROM json_each(?2))",
        )
        .bind(&[text(key.as_str()), text(&json(&kept))])?,
    ];
    for r in &c.recipients {
        let (role, format, url, secret) = (
            text(r.role.as_str()),
            text(r.format.as_str()),
            text(r.url.as_str()),
            opt_text(r.secret.as_deref()),
        );
        statements.push(match &r.id {
            Some(id) => db
                .prepare(
                    "UPDATE recipients SET role = ?3, format = ?4, url = ?5, secret = ?6 \
                     WHERE id = ?1 AND site = ?2",
                )
                .bind(&[
                    text(id.as_str()),
                    text(key.as_str()),
                    role,
                    format,
                    url,
                    secret,
                ])?,
            None => db
                .prepare(
                    "INSERT INTO recipients (id, site, role, format, url, secret, created_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .bind(&[
                    text(new_recipient_id(key, r.role)?.as_str()),
                    text(key.as_str()),
                    role,
                    format,
                    url,
                    secret,
                    millis(now),
                ])?,
        });
    }
    statements.push(audit);
    db.batch(statements).await?;
    Ok(())
}

#[derive(Deserialize)]
struct RecipientView {
    id: String,
    role: String,
    format: String,
    url: String,
}

/// A site's configuration as managers read it back, with the last 30 days
/// of abuse counters. Never a secret, and never a recipient's whole URL
/// (a chat webhook's path is its credential): `url_masked` shows its scheme
/// and host as the dashboard does. The answer is valid `PUT` input
/// (`domain::site::SiteBody`), its read-only fields ignored there.
pub async fn site_config(db: &Db, key: &str) -> EdgeResult<SiteDocument> {
    let site = site(db, key).await?;
    let recipients = recipient_views(db, key)
        .await?
        .into_iter()
        .map(|r| domain::admin_api::RecipientView {
            url_masked: mask_url(&r.url),
            id: r.id,
            role: r.role,
            format: r.format,
        })
        .collect();
    let counters: Vec<CounterView> = db
        .prepare("SELECT day, name, count FROM counters WHERE site = ?1 ORDER BY day DESC, name LIMIT 90")
        .bind(&[text(key)])?
        .all_rows()
        .await?
        .results()?;
    Ok(SiteDocument {
        site: key.to_owned(),
        origins: site.origins.into_iter().map(String::from).collect(),
        copy: site.copy,
        recipients,
        sla_minutes: site.sla,
        deadline_minutes: site.deadlines,
        cooldown_days: site.cooldown_days,
        guarantee: site.show_guarantee,
        score: site.show_score,
        offer_contact: site.offer_contact,
        rate_per_minute: site.rate_per_minute,
        retention_days: site.retention_days,
        turnstile: site.turnstile_sitekey.map(|sitekey| TurnstileView {
            sitekey,
            secret_set: true,
        }),
        counters,
        updated_at: site.updated_at.into(),
    })
}

/// A site's whole stored configuration, recipients' ids and secrets
/// included (never sent anywhere): the base a dashboard edit or a `PUT`
/// changes and `SiteConfig::parse` checks again before anything is saved.
pub async fn raw_config(db: &Db, key: &str) -> EdgeResult<domain::site::RawSiteConfig> {
    stored_config(db, key)
        .await?
        .ok_or(EdgeError::NotFound("site"))
}

/// As [`raw_config`]; `None` for a site that does not exist yet. The site
/// and its recipients are read in one batch, so they agree.
pub async fn stored_config(db: &Db, key: &str) -> EdgeResult<Option<domain::site::RawSiteConfig>> {
    #[derive(Deserialize)]
    struct RecipientRow {
        id: String,
        role: String,
        format: String,
        url: String,
        secret: Option<String>,
    }
    let results = db
        .batch(vec![
            select_site(db, key)?,
            db.prepare(
                "SELECT id, role, format, url, secret FROM recipients WHERE site = ?1 \
                 ORDER BY created_at, id",
            )
            .bind(&[text(key)])?,
        ])
        .await?;
    let (Some(site), Some(recipients)) = (results.first(), results.get(1)) else {
        return Err(EdgeError::Internal(
            "a two-statement batch lost a result".into(),
        ));
    };
    let Some(site) = site.results::<SiteRow>()?.into_iter().next() else {
        return Ok(None);
    };
    let site = Site::try_from(site)?;
    let recipients: Vec<RecipientRow> = recipients.results()?;
    Ok(Some(domain::site::RawSiteConfig {
        origins: site.origins.into_iter().map(String::from).collect(),
        copy: site.copy,
        recipients: recipients
            .into_iter()
            .map(|r| domain::site::RawRecipient {
                id: Some(r.id),
                role: r.role,
                format: r.format,
                url: r.url,
                secret: r.secret,
            })
            .collect(),
        sla_minutes: Some(site.sla),
        deadline_minutes: serde_json::to_value(site.deadlines).ok(),
        cooldown_days: site.cooldown_days,
        guarantee: site.show_guarantee,
        score: site.show_score,
        offer_contact: site.offer_contact,
        rate_per_minute: site.rate_per_minute,
        retention_days: site.retention_days,
        turnstile: match (site.turnstile_sitekey, site.turnstile_secret) {
            (Some(sitekey), Some(secret)) => Some(domain::site::RawTurnstile { sitekey, secret }),
            _ => None,
        },
    }))
}

/// A site's recipients without their secrets, oldest first.
async fn recipient_views(db: &Db, key: &str) -> EdgeResult<Vec<RecipientView>> {
    Ok(db
        .prepare(
            "SELECT id, role, format, url FROM recipients WHERE site = ?1 ORDER BY created_at, id",
        )
        .bind(&[text(key)])?
        .all_rows()
        .await?
        .results()?)
}

/// Recipients as the dashboard lists them (never the secret).
pub async fn recipient_lines(
    db: &Db,
    key: &str,
) -> EdgeResult<Vec<domain::recipient::RecipientLine>> {
    Ok(recipient_views(db, key)
        .await?
        .into_iter()
        .map(|r| domain::recipient::RecipientLine {
            id: r.id,
            role: r.role,
            format: r.format,
            url: r.url,
        })
        .collect())
}

/// One recipient of a site with what sending to it takes: its format, whole
/// URL and secret. Never shown to anyone.
#[derive(Deserialize)]
pub struct SendableRecipient {
    pub id: String,
    pub format: String,
    pub url: String,
    pub secret: Option<String>,
}

/// Every recipient of `site`, ready to send to, one per URL (a channel
/// that serves several roles hears an operator notice once).
pub async fn sendable_recipients(db: &Db, site: &str) -> EdgeResult<Vec<SendableRecipient>> {
    Ok(db
        .prepare(
            "SELECT MIN(id) AS id, format, url, secret FROM recipients WHERE site = ?1 \
             GROUP BY format, url, secret ORDER BY id",
        )
        .bind(&[text(site)])?
        .all_rows()
        .await?
        .results()?)
}

/// The recipient `id` of `site`, ready to send to; `None` if the site has
/// no such recipient.
pub async fn sendable_recipient(
    db: &Db,
    site: &str,
    id: &str,
) -> EdgeResult<Option<SendableRecipient>> {
    Ok(db
        .prepare("SELECT id, format, url, secret FROM recipients WHERE id = ?1 AND site = ?2")
        .bind(&[text(id), text(site)])?
        .first_row()
        .await?)
}

/// Adds one recipient (already checked as part of the whole configuration)
/// under a fresh id, leaving the others' ids — and their delivery history —
/// as they are.
pub async fn insert_recipient(
    db: &Db,
    key: &str,
    id: &RecipientId,
    r: &domain::site::Recipient,
    audit: Stmt,
    now: Timestamp,
) -> EdgeResult<()> {
    let insert = db
        .prepare(
            "INSERT INTO recipients (id, site, role, format, url, secret, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .bind(&[
            text(id.as_str()),
            text(key),
            text(r.role.as_str()),
            text(r.format.as_str()),
            text(r.url.as_str()),
            opt_text(r.secret.as_deref()),
            millis(now),
        ])?;
    db.batch(vec![insert, audit]).await?;
    Ok(())
}

/// Removes a recipient, with an audit row (its role, format and host;
/// never its URL's path or secret) in the same transaction. Returns whether
/// it existed; nothing is written when it did not.
pub async fn delete_recipient(
    db: &Db,
    key: &str,
    id: &str,
    actor: &domain::audit::Actor,
    now: Timestamp,
) -> EdgeResult<bool> {
    let (actor, by) = actor.stored();
    let results = db
        .batch(vec![
            db.prepare(
                "INSERT INTO audit (at, actor, by, action, subject, before) \
                 SELECT ?3, ?4, ?5, 'recipient_removed', site, \
                 json_object('id', id, 'role', role, 'format', format) FROM recipients \
                 WHERE id = ?1 AND site = ?2",
            )
            .bind(&[text(id), text(key), millis(now), text(&actor), text(&by)])?,
            db.prepare("DELETE FROM recipients WHERE id = ?1 AND site = ?2")
                .bind(&[text(id), text(key)])?,
        ])
        .await?;
    Ok(super::first_changes(&results) > 0)
}

/// One recipient's whole URL, for its owner, with an `audit` row saying who
/// read it and when, written in the same transaction (no row, no URL).
/// `None` when `site` has no such recipient (and nothing is written).
pub async fn reveal_url(
    db: &Db,
    site: &SiteKey,
    id: &RecipientId,
    by: &str,
    now: Timestamp,
) -> EdgeResult<Option<String>> {
    #[derive(Deserialize)]
    struct UrlRow {
        url: String,
    }
    let results = db
        .batch(vec![
            db.prepare(
                "INSERT INTO audit (at, by, action, subject, note) \
                 SELECT ?3, ?4, 'recipient_url_revealed', id, \
                 'the full URL of this ' || format || ' recipient of site ' || site || ' was read' \
                 FROM recipients WHERE id = ?1 AND site = ?2",
            )
            .bind(&[
                text(id.as_str()),
                text(site.as_str()),
                millis(now),
                text(by),
            ])?,
            db.prepare("SELECT url FROM recipients WHERE id = ?1 AND site = ?2")
                .bind(&[text(id.as_str()), text(site.as_str())])?,
        ])
        .await?;
    if super::first_changes(&results) == 0 {
        return Ok(None);
    }
    let rows: Vec<UrlRow> = match results.get(1) {
        Some(r) => r.results()?,
        None => Vec::new(),
    };
    Ok(rows.into_iter().next().map(|r| r.url))
}
