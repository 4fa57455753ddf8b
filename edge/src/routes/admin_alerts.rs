//! Managers' alert tools: send a test alert to one recipient and see the
//! platform's answer (before a real case depends on the URL), and the
//! dead-letter view of alerts that will never arrive.

use crate::alerts::send::Target;
use crate::alerts::{self, Settings};
use crate::error::{EdgeError, EdgeResult};
use crate::store::exec::Db;
use crate::store::{outbox, sites};
use crate::{auth, clock, http};
use domain::admin_api::{DeadLetters, TestAlertView};
use domain::alert::Alert;
use domain::delivery::Outcome;
use domain::fields::SiteKey;
use worker::{Env, Request, Response};

/// Sends one clearly marked test alert to one recipient of `site`, now
/// (not queued, not retried), logged like any attempt. The API answers
/// what it got back as it is; the dashboard words it.
pub async fn send_test(
    env: &Env,
    site: &SiteKey,
    rid: &str,
    base: &str,
) -> EdgeResult<TestAlertView> {
    let db = Db::from_env(env)?;
    let r = sites::sendable_recipient(&db, site.as_str(), rid)
        .await?
        .ok_or(EdgeError::NotFound("recipient"))?;
    let now = clock::now();
    let alert = Alert::test(site.as_str(), now, base, &now.millis().to_string());
    let settings = Settings::from_env(env);
    let target = Target {
        format: &r.format,
        url: &r.url,
        secret: r.secret.as_deref(),
    };
    let sent = alerts::send_logged(&db, &settings, &alert, &r.id, &target, 1, true).await?;
    let verdict = match Outcome::of(sent.status, sent.retry_after) {
        _ if sent.refused => "refused",
        Outcome::Delivered => "delivered",
        Outcome::Permanent => "refused",
        Outcome::Retry { .. } => "failed",
    };
    Ok(TestAlertView {
        recipient: r.id,
        format: r.format,
        idempotency_id: alert.idempotency_id,
        result: verdict.to_owned(),
        status: sent.status,
        answer: sent.answer,
        error: sent.error,
        duration_ms: sent.duration_ms,
    })
}

/// `POST /v1/admin/sites/{site}/recipients/{rid}/test`: a test alert, and
/// the platform's answer (before a real case depends on the URL).
pub async fn test(req: &Request, env: &Env, site: &str, rid: &str) -> EdgeResult<Response> {
    auth::require_admin(req, env).await?;
    let site = SiteKey::try_from(site)?;
    let base = req.url()?.origin().ascii_serialization();
    Ok(http::json(200, &send_test(env, &site, rid, &base).await?))
}

/// `GET /v1/admin/dead-letters?site=`: deliveries that will never happen.
pub async fn dead_letters(req: &Request, env: &Env) -> EdgeResult<Response> {
    auth::require_admin(req, env).await?;
    let site = site_param(req)?;
    let db = Db::from_env(env)?;
    let dead_letters = outbox::dead_letters(&db, site.as_ref().map(SiteKey::as_str)).await?;
    Ok(http::json(200, &DeadLetters { dead_letters }))
}

/// `GET /v1/admin/alerts?site=`: how many alerts are still being delivered
/// and how many are settled — the outbox at a glance.
pub async fn progress(req: &Request, env: &Env) -> EdgeResult<Response> {
    auth::require_admin(req, env).await?;
    let site = site_param(req)?;
    let db = Db::from_env(env)?;
    let progress = outbox::progress(&db, site.as_ref().map(SiteKey::as_str)).await?;
    Ok(http::json(200, &progress))
}

/// The one optional `site` parameter these views take; anything else is 400.
fn site_param(req: &Request) -> EdgeResult<Option<SiteKey>> {
    let mut site = None;
    for (k, v) in req.url()?.query_pairs() {
        match k.as_ref() {
            "site" => site = Some(SiteKey::try_from(v.as_ref())?),
            _ => {
                return Err(
                    domain::DomainError::invalid("query", format!("unknown parameter {k}")).into(),
                )
            }
        }
    }
    Ok(site)
}
