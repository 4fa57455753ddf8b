//! `POST /v1/admin/cases/{id}/events`: a manager's step on the closed loop,
//! checked by the `domain` state machine (illegal steps are 409).

use crate::error::{EdgeError, EdgeResult};
use crate::store::cases;
use crate::store::exec::Db;
use crate::{auth, case_steps, http, request};
use domain::case::{CaseEvent, RawEvent};
use domain::fields::ResponseId;
use worker::{Context, Env, Request, Response};

pub async fn post_event(
    mut req: Request,
    env: &Env,
    ctx: &Context,
    id: &str,
) -> EdgeResult<Response> {
    auth::require_admin(&req, env).await?;
    let id = ResponseId::try_from(id)?;
    let raw: RawEvent = request::read_json(&mut req).await?;
    let event = CaseEvent::try_from(raw)?;
    let db = Db::from_env(env)?;
    let case = cases::case(&db, id.as_str())
        .await?
        .ok_or(EdgeError::NotFound("case"))?;
    let base = req.url()?.origin().ascii_serialization();
    case_steps::record(
        &db,
        env,
        ctx,
        &case,
        &event,
        case_steps::Door::Api,
        &base,
        crate::clock::now(),
    )
    .await?;
    let case = cases::case(&db, id.as_str())
        .await?
        .ok_or(EdgeError::NotFound("case"))?;
    let events = cases::event_views(cases::events(&db, &case.id).await?)?;
    Ok(http::json(201, &cases::case_view(&case, events, None)?))
}
