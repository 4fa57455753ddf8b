//! `GET /dashboard/insights?site=&weeks=`: where the gaps are, drawn on the
//! server (figures by `domain::insights`, page by `pages::insights`) from one
//! period's answers and cases.

use super::chrome;
use crate::auth::Manager;
use crate::error::EdgeResult;
use crate::store::dashboard;
use crate::{clock, http};
use domain::insights::{self, Filter};
use pages::{insights as insights_page, Section};
use worker::{Env, Request, Response};

pub async fn page(req: &Request, env: &Env, m: &Manager) -> EdgeResult<Response> {
    let filter = Filter::parse(req.url()?.query().unwrap_or_default())?;
    let db = env.d1("DB")?;
    let now = clock::now();
    let since = insights::period_start(now, filter.weeks);
    let site = filter.site.as_deref();
    if let Some(site) = site {
        m.require_site(site, "site")?;
    }
    let scope = m.person.scope();
    let answers = dashboard::answer_facts(&db, site, scope.as_deref(), since).await?;
    let cases = dashboard::case_facts(&db, site, scope.as_deref(), since).await?;
    let sites = dashboard::site_keys(&db, scope.as_deref()).await?;
    let data = insights::compute(&answers, &cases, now, filter.weeks);
    let html = insights_page::render(&chrome(m, Section::Insights), &sites, &filter, &data);
    Ok(http::page(200, html))
}
