//! `PUT`/`GET /v1/admin/sites/{site}`: a site's whole configuration.

use crate::error::{EdgeError, EdgeResult};
use crate::{auth, http, store};
use domain::fields::SiteKey;
use domain::site::{RawSiteConfig, SiteConfig};
use worker::{Env, Request, Response};

pub async fn put(mut req: Request, env: &Env, site: &str) -> EdgeResult<Response> {
    auth::require_admin(&req, env)?;
    let key = SiteKey::try_from(site)?;
    let body = http::read_json_body(&mut req).await?;
    let raw: RawSiteConfig =
        serde_json::from_slice(&body).map_err(|e| EdgeError::BadJson(e.to_string()))?;
    let config = SiteConfig::parse(raw, auth::allow_loopback(env))?;
    let db = env.d1("DB")?;
    store::save_site(&db, key.as_str(), &config, crate::clock::now()).await?;
    Ok(http::json(
        200,
        &store::site_config(&db, key.as_str()).await?,
    ))
}

pub async fn get(req: &Request, env: &Env, site: &str) -> EdgeResult<Response> {
    auth::require_admin(req, env)?;
    let key = SiteKey::try_from(site)?;
    Ok(http::json(
        200,
        &store::site_config(&env.d1("DB")?, key.as_str()).await?,
    ))
}
