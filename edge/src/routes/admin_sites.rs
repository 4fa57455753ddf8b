//! `PUT`/`GET /v1/admin/sites/{site}`: a site's whole configuration.

use crate::error::EdgeResult;
use crate::{auth, http, store};
use domain::fields::SiteKey;
use domain::site::{RawSiteConfig, SiteConfig};
use worker::{Env, Request, Response};

pub async fn put(mut req: Request, env: &Env, site: &str) -> EdgeResult<Response> {
    auth::require_admin(&req, env).await?;
    let key = SiteKey::try_from(site)?;
    let raw: RawSiteConfig = http::read_json(&mut req).await?;
    let config = SiteConfig::parse(raw, auth::allow_loopback(env))?;
    let db = env.d1("DB")?;
    store::sites::save_site(&db, key.as_str(), &config, crate::clock::now()).await?;
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
        &store::sites::site_config(&env.d1("DB")?, key.as_str()).await?,
    ))
}
