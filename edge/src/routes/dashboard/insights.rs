//! `GET /dashboard/insights?site=&weeks=`: where the gaps are, drawn on the
//! server (figures by `domain::insights`, page by `pages::insights`) from one
//! period's answers and cases.

use super::chrome;
use crate::auth::Manager;
use crate::error::{EdgeError, EdgeResult};
use crate::store::exec::Db;
use crate::store::{dashboard, fixes, people};
use crate::{clock, http};
use domain::fields::SiteKey;
use domain::fixes::FixUpdate;
use domain::insights::{self, Filter};
use domain::ownership;
use domain::people::Need;
use pages::insights::FixesView;
use pages::{insights as insights_page, Section};
use worker::{Env, Request, Response};

pub async fn page(req: &Request, env: &Env, m: &Manager) -> EdgeResult<Response> {
    let filter = Filter::parse(req.url()?.query().unwrap_or_default())?;
    let db = Db::from_env(env)?;
    let now = clock::now();
    let since = insights::period_start(now, filter.weeks);
    let site = filter.site.as_deref();
    if let Some(site) = site {
        m.require_site(site, "site")?;
    }
    let scope = m.person.scope();
    // One site's figures and fixes are read in its home; every site's, in
    // D1 (sites in their own objects are not summed in yet).
    let home = home_of(env, site).await?;
    let answers = dashboard::answer_facts(&home, site, scope.as_deref(), since).await?;
    let cases = dashboard::case_facts(&home, site, scope.as_deref(), since).await?;
    let sites = dashboard::site_keys(&db, scope.as_deref()).await?;
    let data = insights::compute(&answers, &cases, now, filter.weeks);
    let open = fixes::open(&home, site, scope.as_deref()).await?;
    let ranked = domain::fixes::rank(open, &data.ranked, &data.unmeasured);
    let assignable: Vec<(String, String)> = people::list(&db)
        .await?
        .into_iter()
        .filter(|p| p.may(Need::Work))
        .map(|p| (p.id, p.name))
        .collect();
    let view = FixesView {
        fixes: &ranked,
        assignable: &assignable,
    };
    let html = insights_page::render(&chrome(m, Section::Insights), &sites, &filter, &data, &view);
    Ok(http::page(200, html))
}

/// The home of `site` (`store::homes::db_of_site`); D1 for every site.
async fn home_of(env: &Env, site: Option<&str>) -> EdgeResult<Db> {
    let key = site.and_then(|s| SiteKey::try_from(s).ok());
    crate::store::homes::db_of_site(env, key.as_ref()).await
}

/// `POST /dashboard/fixes/{site}/{code}`: `status, owner, due`. The owner
/// must work cases of the site.
pub async fn update_fix(
    env: &Env,
    m: &Manager,
    site: &str,
    code: &str,
    body: &str,
) -> EdgeResult<Response> {
    m.require_site(site, "fix")?;
    let update = FixUpdate::parse(body)?;
    let db = Db::from_env(env)?;
    let owner = match &update.owner {
        None => None,
        Some(id) => match people::by_id(&db, id).await? {
            Some(p) if ownership::may_own(&p, site) => Some(p.name),
            _ => {
                return Err(domain::DomainError::invalid(
                    "owner",
                    "choose someone who works this site's cases",
                )
                .into())
            }
        },
    };
    let home = home_of(env, Some(site)).await?;
    if !fixes::update(&home, site, code, &update, owner.as_deref(), clock::now()).await? {
        return Err(EdgeError::NotFound("fix"));
    }
    Ok(http::see_other(&format!("/dashboard/insights?site={site}")))
}
