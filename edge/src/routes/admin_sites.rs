//! `PUT`/`GET /v1/admin/sites/{site}`: a site's whole configuration;
//! `GET /v1/admin/sites/{site}/recipients/{id}/url`: one recipient's URL in
//! full, for the owner only, audited; `POST /v1/admin/sites/{site}/home`:
//! where its answers live; and `POST /v1/admin/sites/{site}/move`: one step
//! of moving a site with answers.
//!
//! `GET` never shows a recipient's whole URL (a chat webhook's path is its
//! credential) or a secret; its answer is valid `PUT` input, and a `PUT`
//! leaves whatever it omits as it was (`domain::site::SiteBody`).

use crate::error::{EdgeError, EdgeResult};
use crate::store::exec::Db;
use crate::{auth, clock, http, request, store};
use domain::admin_api::RecipientUrl;
use domain::audit::{self, Action, Entry};
use domain::auth::{bearer, secrets_match};
use domain::fields::SiteKey;
use domain::recipient::RecipientId;
use domain::site::{SiteBody, SiteConfig};
use worker::{Env, Request, Response};

/// Who the audit trail names for a reveal: the bearer token is the owner's
/// one credential (there are no per-person API credentials yet).
const OWNER: &str = "admin token";

pub async fn put(mut req: Request, env: &Env, site: &str) -> EdgeResult<Response> {
    let actor = auth::require_admin(&req, env).await?;
    let key = SiteKey::try_from(site)?;
    let body: SiteBody = request::read_json(&mut req).await?;
    let db = Db::from_env(env)?;
    let stored = store::sites::stored_config(&db, key.as_str()).await?;
    let before = stored.clone().and_then(audit::stored_site_view);
    let config = SiteConfig::parse(body.resolve(&key, stored)?, auth::allow_loopback(env))?;
    let now = clock::now();
    let entry = Entry {
        actor,
        action: Action::SettingsSaved,
        target: key.as_str().to_owned(),
        before,
        after: Some(audit::site_view(&config)),
    };
    let audit = store::audit::entry(&db, &entry, now)?;
    store::sites::save_site(&db, &key, &config, audit, now).await?;
    store::homes::mirror(env, &db, key.as_str()).await?;
    Ok(http::json(
        200,
        &store::sites::site_config(&db, key.as_str()).await?,
    ))
}

pub async fn get(req: &Request, env: &Env, site: &str) -> EdgeResult<Response> {
    auth::require_admin(req, env).await?;
    let key = SiteKey::try_from(site)?;
    Ok(http::json(
        200,
        &store::sites::site_config(&Db::from_env(env)?, key.as_str()).await?,
    ))
}

/// `POST /v1/admin/sites/{site}/home` with `{"home": "object"}`: moves the
/// site into its own Durable Object (`store::homes`), answering where it
/// lives and whether this call moved it. Safe to repeat.
pub async fn move_home(mut req: Request, env: &Env, site: &str) -> EdgeResult<Response> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum To {
        Object,
    }
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Body {
        home: To,
    }
    let actor = auth::require_admin(&req, env).await?;
    let key = SiteKey::try_from(site)?;
    let Body { home: To::Object } = request::read_json(&mut req).await?;
    let entry = Entry {
        actor,
        action: Action::SiteMoved,
        target: key.as_str().to_owned(),
        before: Some(serde_json::json!({"home": "d1"})),
        after: Some(serde_json::json!({"home": "object"})),
    };
    let moved = store::homes::move_to_object(env, key.as_str(), &entry, clock::now()).await?;
    Ok(http::json(
        200,
        &serde_json::json!({
            "site": key.as_str(),
            "home": "object",
            "moved": moved == store::homes::Moved::Now,
        }),
    ))
}

/// `POST /v1/admin/sites/{site}/move` with one step of moving a site with
/// answers into its own object (`domain::site_move`; `cargo xtask
/// move-site` runs them in order): each answers where the site lives, how
/// long its answers are held off, and what the step did.
pub async fn move_step(mut req: Request, env: &Env, site: &str) -> EdgeResult<Response> {
    use domain::site_move::{MoveStep, RawMoveStep};
    use store::moving;
    let actor = auth::require_admin(&req, env).await?;
    let key = SiteKey::try_from(site)?;
    let raw: RawMoveStep = request::read_json(&mut req).await?;
    let step = MoveStep::try_from(raw)?;
    let looks_only = matches!(step, MoveStep::Status | MoveStep::Resume);
    if !looks_only {
        store::homes::require_objects(env)?;
    }
    let (key, now) = (key.as_str(), clock::now());
    let reply = match step {
        MoveStep::Status => moving::status(env, key).await?,
        MoveStep::Pause => moving::pause(env, key, now).await?,
        MoveStep::Settings => moving::settings(env, key, now).await?,
        MoveStep::Copy { after } => moving::page(env, key, after.as_ref(), true, now).await?,
        MoveStep::Compare { after } => moving::page(env, key, after.as_ref(), false, now).await?,
        MoveStep::Flip => {
            let entry = Entry {
                actor,
                action: Action::SiteMoved,
                target: key.to_owned(),
                before: Some(serde_json::json!({"home": "d1"})),
                after: Some(serde_json::json!({"home": "object"})),
            };
            moving::flip(env, key, &entry, now).await?
        }
        MoveStep::Purge => moving::purge(env, key).await?,
        MoveStep::Resume => moving::resume(env, key).await?,
    };
    Ok(http::json(200, &reply))
}

/// `GET /v1/admin/sites/{site}/recipients/{id}/url`: the one way to read a
/// recipient's URL in full. The bearer token only: a dashboard cookie reads
/// the API, but a credential it may not read. Answered `no-store`, and
/// written to `audit` in the same transaction as the read.
pub async fn reveal_url(req: &Request, env: &Env, site: &str, rid: &str) -> EdgeResult<Response> {
    require_owner(req, env)?;
    let key = SiteKey::try_from(site)?;
    let id = RecipientId::try_from(rid)?;
    let db = Db::from_env(env)?;
    let url = store::sites::reveal_url(&db, &key, &id, OWNER, clock::now())
        .await?
        .ok_or(EdgeError::NotFound("recipient"))?;
    Ok(http::json(
        200,
        &RecipientUrl {
            id: id.as_str().to_owned(),
            url,
        },
    ))
}

/// The bearer token and nothing else: 401 without it (a session cookie is
/// not a credential here, so it gets the same answer as none — which also
/// tells nobody whether a cookie is live), 403 with a wrong one.
fn require_owner(req: &Request, env: &Env) -> EdgeResult<()> {
    let header = req.headers().get("authorization")?.unwrap_or_default();
    let token = bearer(&header).ok_or(EdgeError::Unauthorized)?;
    if secrets_match(token, &auth::admin_token(env).unwrap_or_default()) {
        Ok(())
    } else {
        Err(EdgeError::Forbidden)
    }
}
