//! `/dashboard/answers`: every answer, tier `none` included, with filters,
//! a text search, paging and root-cause tags (managers and owners tag).

use super::chrome;
use crate::auth::Manager;
use crate::error::{EdgeError, EdgeResult};
use crate::store::exec::Db;
use crate::store::{answers, dashboard};
use crate::{clock, http};
use domain::answers::{tag, AnswerFilter};
use domain::fields::ResponseId;
use domain::form::form_field;
use pages::answers::{render, AnswersView};
use pages::Section;
use worker::{Env, Request, Response};

/// `GET /dashboard/answers?site=&tier=&since=&q=&tag=&cursor=`.
pub async fn page(req: &Request, env: &Env, m: &Manager) -> EdgeResult<Response> {
    let filter = AnswerFilter::parse(req.url()?.query().unwrap_or_default())?;
    if let Some(site) = &filter.site {
        m.require_site(site.as_str(), "site")?;
    }
    let db = Db::from_env(env)?;
    let scope = m.person.scope();
    // One site's answers are read in its home; every site's, in D1.
    let home = crate::store::homes::db_of_site(env, filter.site.as_ref()).await?;
    let (lines, next) = answers::page(&home, &filter, scope.as_deref()).await?;
    let sites = dashboard::site_keys(&db, scope.as_deref()).await?;
    let older = next.map(|c| filter.with_cursor(&c));
    let chrome = chrome(m, Section::Answers);
    Ok(http::page(
        200,
        render(&AnswersView {
            chrome: &chrome,
            sites: &sites,
            filter: &filter,
            answers: &lines,
            older: older.as_deref(),
        }),
    ))
}

/// The answer `id`, if it is one of the person's sites' (404 otherwise).
async fn answer_of(env: &Env, m: &Manager, id: &str) -> EdgeResult<ResponseId> {
    let id = ResponseId::try_from(id).map_err(|_| EdgeError::NotFound("response"))?;
    let site = answers::site_of(&Db::from_env(env)?, id.as_str())
        .await?
        .ok_or(EdgeError::NotFound("response"))?;
    m.require_site(&site, "response")?;
    Ok(id)
}

/// `POST /dashboard/answers/{id}/tags`: `tag=<root-cause code>`.
pub async fn add_tag(env: &Env, m: &Manager, id: &str, body: &str) -> EdgeResult<Response> {
    let id = answer_of(env, m, id).await?;
    let code = tag(&form_field(body, "tag").unwrap_or_default())?;
    answers::tag(
        &Db::from_env(env)?,
        id.as_str(),
        &code,
        m.name(),
        clock::now(),
    )
    .await?;
    Ok(http::see_other("/dashboard/answers"))
}

/// `POST /dashboard/answers/{id}/tags/{tag}/remove`.
pub async fn remove_tag(env: &Env, m: &Manager, id: &str, code: &str) -> EdgeResult<Response> {
    let id = answer_of(env, m, id).await?;
    let code = tag(code)?;
    answers::untag(&Db::from_env(env)?, id.as_str(), &code).await?;
    Ok(http::see_other("/dashboard/answers"))
}
