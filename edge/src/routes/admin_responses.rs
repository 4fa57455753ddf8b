//! Managers' answers: `GET /v1/admin/responses` (filtered, cursor-paged),
//! `GET /v1/admin/responses/{id}` (with case, events and deliveries),
//! `DELETE /v1/admin/responses/{id}` (erasure) and
//! `GET /v1/admin/deliveries?response={id}`.

use crate::error::{EdgeError, EdgeResult};
use crate::store::exec::Db;
use crate::store::{admin_view, cases, deliveries, erasure};
use crate::{auth, http};
use domain::admin_api::{DeliveriesView, Erasure, ResponseDetail, ResponsePage};
use domain::fields::ResponseId;
use domain::query::ResponseQuery;
use worker::{Env, Request, Response};

pub async fn list(req: &Request, env: &Env) -> EdgeResult<Response> {
    auth::require_admin(req, env).await?;
    let query = ResponseQuery::parse(req.url()?.query_pairs())?;
    let db = crate::store::homes::db_of_site(env, query.site.as_ref()).await?;
    let (rows, next) = admin_view::page(&db, &query).await?;
    let page = ResponsePage {
        items: rows
            .iter()
            .map(admin_view::ResponseRow::listed)
            .collect::<EdgeResult<_>>()?,
        next_cursor: next.map(|c| c.encode()),
    };
    Ok(http::json(200, &page))
}

pub async fn one(req: &Request, env: &Env, id: &str) -> EdgeResult<Response> {
    auth::require_admin(req, env).await?;
    let id = ResponseId::try_from(id)?;
    let db = Db::from_env(env)?;
    let row = admin_view::one(&db, id.as_str())
        .await?
        .ok_or(EdgeError::NotFound("response"))?;
    let case = match &row.case_id {
        Some(case_id) => {
            // The answer and its case are written in one transaction, so a
            // case id without its case is a bad stored value.
            let case = cases::case(&db, case_id).await?.ok_or_else(|| {
                EdgeError::Internal(format!("response {} names a missing case", row.id))
            })?;
            let events = cases::event_views(cases::events(&db, case_id).await?)?;
            let attempts = deliveries::for_case(&db, case_id).await?;
            Some(cases::case_view(&case, events, Some(attempts))?)
        }
        None => None,
    };
    let detail: ResponseDetail = row.with_case(case)?;
    Ok(http::json(200, &detail))
}

pub async fn erase(req: &Request, env: &Env, id: &str) -> EdgeResult<Response> {
    auth::require_admin(req, env).await?;
    let id = ResponseId::try_from(id)?;
    let by = actor(req)?;
    let db = Db::from_env(env)?;
    if admin_view::one(&db, id.as_str()).await?.is_none() {
        return Err(EdgeError::NotFound("response"));
    }
    // The customer's data goes from every answer of theirs, not only this one.
    let erased = erasure::erase(
        &db,
        &erasure::Customer::Answer(id.as_str()),
        &by,
        crate::clock::now(),
    )
    .await?;
    let already = !erased.answers.iter().any(|a| a == id.as_str());
    Ok(http::json(
        200,
        &Erasure {
            id: id.as_str().to_owned(),
            erased: true,
            already_erased: already,
            answers_erased: erased.answers,
        },
    ))
}

pub async fn deliveries(req: &Request, env: &Env) -> EdgeResult<Response> {
    auth::require_admin(req, env).await?;
    let url = req.url()?;
    let mut response = None;
    for (name, value) in url.query_pairs() {
        match name.as_ref() {
            "response" => response = Some(ResponseId::try_from(value.as_ref())?),
            _ => return Err(domain::DomainError::invalid("query", "use response=<id>").into()),
        }
    }
    let id =
        response.ok_or_else(|| domain::DomainError::invalid("response", "say which response"))?;
    let db = Db::from_env(env)?;
    let row = admin_view::one(&db, id.as_str())
        .await?
        .ok_or(EdgeError::NotFound("response"))?;
    let attempts = match &row.case_id {
        Some(case_id) => deliveries::for_case(&db, case_id).await?,
        None => Vec::new(),
    };
    Ok(http::json(
        200,
        &DeliveriesView {
            response: id.as_str().to_owned(),
            deliveries: attempts,
        },
    ))
}

/// Who acts, for the audit trail: `?by=` or "admin api".
fn actor(req: &Request) -> EdgeResult<String> {
    let by = req
        .url()?
        .query_pairs()
        .find(|(k, _)| k == "by")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    Ok(domain::fields::short_text("by", &by, 120)?.unwrap_or_else(|| "admin api".into()))
}
