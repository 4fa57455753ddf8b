//! Every D1 query the edge runs. All statements are parameterised; multi-row
//! writes go in one `batch` (one transaction).

use crate::error::{EdgeError, EdgeResult};
use domain::origin::OriginRule;
use domain::recipient::Role;
use domain::sla::SlaPolicy;
use domain::{Submission, Tier, Timestamp};
use serde::Deserialize;
use wasm_bindgen::JsValue;
use worker::D1Database;

/// A site's configuration as the public endpoints need it.
#[derive(Debug, Clone)]
pub struct Site {
    pub key: String,
    pub origins: Vec<OriginRule>,
    pub show_score: bool,
    pub show_guarantee: bool,
    pub cooldown_days: u32,
    pub sla: SlaPolicy,
}

#[derive(Deserialize)]
struct SiteRow {
    key: String,
    origins: String,
    show_score: f64,
    show_guarantee: f64,
    cooldown_days: f64,
    sla_minutes: String,
}

fn text(s: &str) -> JsValue {
    JsValue::from_str(s)
}

fn opt_text(s: Option<&str>) -> JsValue {
    s.map_or(JsValue::NULL, JsValue::from_str)
}

#[allow(clippy::cast_precision_loss)] // epoch milliseconds fit an f64 exactly
fn millis(t: Timestamp) -> JsValue {
    JsValue::from_f64(t.millis() as f64)
}

pub async fn site(db: &D1Database, key: &str) -> EdgeResult<Site> {
    let row: Option<SiteRow> = db
        .prepare("SELECT key, origins, show_score, show_guarantee, cooldown_days, sla_minutes FROM sites WHERE key = ?1")
        .bind(&[text(key)])?
        .first(None)
        .await?;
    let row = row.ok_or(EdgeError::NotFound("site"))?;
    let origins = serde_json::from_str(&row.origins)
        .map_err(|e| EdgeError::Internal(format!("site {key} has unreadable origins: {e}")))?;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok(Site {
        key: row.key,
        origins,
        show_score: row.show_score != 0.0,
        show_guarantee: row.show_guarantee != 0.0,
        cooldown_days: row.cooldown_days.clamp(0.0, 3650.0) as u32,
        sla: SlaPolicy::from_json(&row.sla_minutes),
    })
}

/// Stores a response — and, when its tier needs a human, its case and the
/// case's first event — in one transaction. Every statement is idempotent,
/// so a retry (or a copy racing this one) changes nothing. Returns whether
/// this call created the response.
pub async fn insert_response(
    db: &D1Database,
    s: &Submission,
    reply_json: &str,
    now: Timestamp,
    ack_due: Option<Timestamp>,
) -> EdgeResult<bool> {
    let tier = s.tier();
    let mut statements = vec![db
        .prepare(
            "INSERT INTO responses (id, site, received_at, gaps, score, guarantee, tier, contact_name, \
             contact_email, contact_phone, callback, page, transaction_ref, locale, reply) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15) ON CONFLICT(id) DO NOTHING",
        )
        .bind(&[
            text(s.id.as_str()),
            text(s.site.as_str()),
            millis(now),
            text(s.gaps.as_str()),
            s.score.map_or(JsValue::NULL, |n| JsValue::from_f64(f64::from(n.get()))),
            JsValue::from_f64(f64::from(u8::from(s.guarantee))),
            text(tier.as_str()),
            opt_text(s.contact.name.as_deref()),
            opt_text(s.contact.email.as_ref().map(domain::fields::Email::as_str)),
            opt_text(s.contact.phone.as_ref().map(domain::fields::Phone::as_str)),
            JsValue::from_f64(f64::from(u8::from(s.contact.callback))),
            opt_text(s.context.page.as_ref().map(domain::fields::PageUrl::as_str)),
            opt_text(s.context.transaction.as_deref()),
            opt_text(s.context.locale.as_deref()),
            text(reply_json),
        ])?];
    if tier.opens_case() {
        statements.push(
            db.prepare(
                "INSERT INTO cases (id, site, tier, state, level, opened_at, ack_due_at, updated_at) \
                 SELECT ?1, ?2, ?3, 'open', ?3, ?4, ?5, ?4 \
                 WHERE EXISTS (SELECT 1 FROM responses WHERE id = ?1 AND site = ?2) \
                 ON CONFLICT(id) DO NOTHING",
            )
            .bind(&[
                text(s.id.as_str()),
                text(s.site.as_str()),
                text(tier.as_str()),
                millis(now),
                ack_due.map_or(JsValue::NULL, millis),
            ])?,
        );
        statements.push(
            db.prepare(
                "INSERT INTO events (case_id, type, by, note, at) \
                 SELECT ?1, 'opened', 'customer', ?3, ?4 \
                 WHERE EXISTS (SELECT 1 FROM cases WHERE id = ?1 AND site = ?2) \
                 AND NOT EXISTS (SELECT 1 FROM events WHERE case_id = ?1 AND type = 'opened')",
            )
            .bind(&[
                text(s.id.as_str()),
                text(s.site.as_str()),
                text(&format!("tier {}", tier.as_str())),
                millis(now),
            ])?,
        );
    }
    let results = db.batch(statements).await?;
    let created = results
        .first()
        .and_then(|r| r.meta().ok().flatten())
        .and_then(|m| m.changes)
        .unwrap_or(0);
    Ok(created > 0)
}

#[derive(Deserialize)]
struct StoredReply {
    site: String,
    reply: String,
}

/// The reply stored for a response id, if that id is taken, with its site.
pub async fn stored_reply(db: &D1Database, id: &str) -> EdgeResult<Option<(String, String)>> {
    let row: Option<StoredReply> = db
        .prepare("SELECT site, reply FROM responses WHERE id = ?1")
        .bind(&[text(id)])?
        .first(None)
        .await?;
    Ok(row.map(|r| (r.site, r.reply)))
}

#[derive(Debug, Clone, Deserialize)]
pub struct RecipientRow {
    pub id: String,
    pub format: String,
    pub url: String,
    pub secret: Option<String>,
}

/// The site's recipients for the roles a tier reaches.
pub async fn recipients(db: &D1Database, site: &str, tier: Tier) -> EdgeResult<Vec<RecipientRow>> {
    let roles: Vec<&str> = tier.roles().iter().map(|r: &Role| r.as_str()).collect();
    let roles_json = serde_json::to_string(&roles).unwrap_or_else(|_| "[]".into());
    let result = db
        .prepare(
            "SELECT id, format, url, secret FROM recipients \
             WHERE site = ?1 AND role IN (SELECT value FROM json_each(?2)) ORDER BY id",
        )
        .bind(&[text(site), text(&roles_json)])?
        .all()
        .await?;
    Ok(result.results()?)
}

/// One line of the delivery log.
pub struct Attempt<'a> {
    pub case_id: &'a str,
    pub recipient_id: &'a str,
    pub idempotency_id: &'a str,
    pub number: u32,
    pub status: Option<u16>,
    pub error: Option<String>,
    pub started_at: Timestamp,
    pub duration_ms: i64,
}

pub async fn log_delivery(db: &D1Database, a: &Attempt<'_>) -> EdgeResult<()> {
    #[allow(clippy::cast_precision_loss)]
    db.prepare(
        "INSERT INTO deliveries (case_id, recipient_id, idempotency_id, attempt, status, error, started_at, duration_ms) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )
    .bind(&[
        text(a.case_id),
        text(a.recipient_id),
        text(a.idempotency_id),
        JsValue::from_f64(f64::from(a.number)),
        a.status.map_or(JsValue::NULL, |s| JsValue::from_f64(f64::from(s))),
        opt_text(a.error.as_deref()),
        millis(a.started_at),
        JsValue::from_f64(a.duration_ms as f64),
    ])?
    .run()
    .await?;
    Ok(())
}

/// Saves a whole site configuration in one transaction: the site row and its
/// recipients, replaced together so no reader sees half of an update.
pub async fn save_site(
    db: &D1Database,
    key: &str,
    c: &domain::site::SiteConfig,
    now: Timestamp,
) -> EdgeResult<()> {
    let mut statements = vec![db
        .prepare(
            "INSERT INTO sites (key, origins, copy, show_score, show_guarantee, cooldown_days, sla_minutes, rate_per_minute, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
             ON CONFLICT(key) DO UPDATE SET origins = excluded.origins, copy = excluded.copy, show_score = excluded.show_score, \
             show_guarantee = excluded.show_guarantee, cooldown_days = excluded.cooldown_days, sla_minutes = excluded.sla_minutes, \
             rate_per_minute = excluded.rate_per_minute, updated_at = excluded.updated_at",
        )
        .bind(&[
            text(key),
            text(&json(&c.origins)),
            text(&json(&c.copy)),
            JsValue::from_f64(f64::from(u8::from(c.score))),
            JsValue::from_f64(f64::from(u8::from(c.guarantee))),
            JsValue::from_f64(f64::from(c.cooldown_days)),
            text(&json(&c.sla_minutes)),
            JsValue::from_f64(f64::from(c.rate_per_minute)),
            millis(now),
        ])?];
    statements.push(
        db.prepare("DELETE FROM recipients WHERE site = ?1")
            .bind(&[text(key)])?,
    );
    for (n, r) in c.recipients.iter().enumerate() {
        statements.push(
            db.prepare(
                "INSERT INTO recipients (id, site, role, format, url, secret, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .bind(&[
                text(&format!("{key}-{}-{n}", r.role.as_str())),
                text(key),
                text(r.role.as_str()),
                text(r.format.as_str()),
                text(r.url.as_str()),
                opt_text(r.secret.as_deref()),
                millis(now),
            ])?,
        );
    }
    db.batch(statements).await?;
    Ok(())
}

/// A JSON column's text. Serialising plain maps, lists and numbers cannot fail.
fn json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

#[derive(Deserialize)]
struct SiteConfigRow {
    origins: String,
    copy: String,
    show_score: f64,
    show_guarantee: f64,
    cooldown_days: f64,
    sla_minutes: String,
    rate_per_minute: f64,
    updated_at: f64,
}

#[derive(Deserialize, serde::Serialize)]
struct RecipientView {
    id: String,
    role: String,
    format: String,
    url: String,
}

/// A site's configuration as managers read it back (never with secrets).
pub async fn site_config(db: &D1Database, key: &str) -> EdgeResult<serde_json::Value> {
    let row: Option<SiteConfigRow> = db
        .prepare(
            "SELECT origins, copy, show_score, show_guarantee, cooldown_days, sla_minutes, rate_per_minute, updated_at \
             FROM sites WHERE key = ?1",
        )
        .bind(&[text(key)])?
        .first(None)
        .await?;
    let row = row.ok_or(EdgeError::NotFound("site"))?;
    let recipients: Vec<RecipientView> = db
        .prepare("SELECT id, role, format, url FROM recipients WHERE site = ?1 ORDER BY id")
        .bind(&[text(key)])?
        .all()
        .await?
        .results()?;
    let parse =
        |s: &str| serde_json::from_str::<serde_json::Value>(s).unwrap_or(serde_json::Value::Null);
    Ok(serde_json::json!({
        "site": key,
        "origins": parse(&row.origins),
        "copy": parse(&row.copy),
        "recipients": recipients,
        "sla_minutes": SlaPolicy::from_json(&row.sla_minutes),
        "cooldown_days": row.cooldown_days,
        "guarantee": row.show_guarantee != 0.0,
        "score": row.show_score != 0.0,
        "rate_per_minute": row.rate_per_minute,
        "updated_at": row.updated_at,
    }))
}
