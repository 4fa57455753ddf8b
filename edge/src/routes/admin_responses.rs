//! Managers' answers: `GET /v1/admin/responses` (filtered, cursor-paged),
//! `GET /v1/admin/responses/{id}` (with case, events and deliveries),
//! `DELETE /v1/admin/responses/{id}` (erasure) and
//! `GET /v1/admin/deliveries?response={id}`.

use crate::error::{EdgeError, EdgeResult};
use crate::store::{admin_view, cases, deliveries, erasure};
use crate::{auth, http};
use domain::fields::ResponseId;
use domain::query::ResponseQuery;
use worker::{Env, Request, Response};

pub async fn list(req: &Request, env: &Env) -> EdgeResult<Response> {
    auth::require_admin(req, env).await?;
    let query = ResponseQuery::parse(req.url()?.query_pairs())?;
    let (rows, next) = admin_view::page(&env.d1("DB")?, &query).await?;
    let items: Vec<_> = rows.iter().map(admin_view::ResponseRow::view).collect();
    Ok(http::json(
        200,
        &serde_json::json!({"items": items, "next_cursor": next.map(|c| c.encode())}),
    ))
}

pub async fn one(req: &Request, env: &Env, id: &str) -> EdgeResult<Response> {
    auth::require_admin(req, env).await?;
    let id = ResponseId::try_from(id)?;
    let db = env.d1("DB")?;
    let row = admin_view::one(&db, id.as_str())
        .await?
        .ok_or(EdgeError::NotFound("response"))?;
    let mut view = row.view();
    if let Some(case_id) = &row.case_id {
        if let Some(case) = cases::case(&db, case_id).await? {
            let events = cases::events(&db, case_id).await?;
            view["case"] = cases::case_view(&case);
            view["case"]["events"] = cases::event_views(events).into();
            view["case"]["deliveries"] =
                serde_json::to_value(deliveries::for_case(&db, case_id).await?).unwrap_or_default();
        }
    }
    Ok(http::json(200, &view))
}

pub async fn erase(req: &Request, env: &Env, id: &str) -> EdgeResult<Response> {
    auth::require_admin(req, env).await?;
    let id = ResponseId::try_from(id)?;
    let by = actor(req)?;
    let db = env.d1("DB")?;
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
        &serde_json::json!({
            "id": id.as_str(),
            "erased": true,
            "already_erased": already,
            "answers_erased": erased.answers,
        }),
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
    let db = env.d1("DB")?;
    let row = admin_view::one(&db, id.as_str())
        .await?
        .ok_or(EdgeError::NotFound("response"))?;
    let attempts = match &row.case_id {
        Some(case_id) => deliveries::for_case(&db, case_id).await?,
        None => Vec::new(),
    };
    Ok(http::json(
        200,
        &serde_json::json!({"response": id.as_str(), "deliveries": attempts}),
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
