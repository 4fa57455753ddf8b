//! `/ack/{token}`: the acknowledge link in every alert. GET only shows a
//! confirm page (chat apps fetch links to unfurl them); the POST from that
//! page records `acknowledged` with the name given. Every refusal is a page
//! a person can read, with the status that says why.

use crate::error::{EdgeError, EdgeResult, Rendering};
use crate::store::cases::{self, CaseRow};
use crate::store::exec::Db;
use crate::store::homes;
use crate::{case_steps, clock, http, request};
use domain::ack::{self, AckClaim, AckKey};
use domain::case::{Action, CaseEvent};
use domain::Tier;
use pages::ack::{self as ack_pages, CaseSummary};
use worker::{Context, Env, Request, Response};

pub async fn get(env: &Env, token: &str) -> Response {
    match open(env, token).await {
        Ok((_, case)) => http::html(200, &ack_pages::confirm(&summary(&case))),
        Err(e) => e.finish(Rendering::Ack),
    }
}

pub async fn post(mut req: Request, env: &Env, ctx: &Context, token: &str) -> Response {
    match acknowledge(&mut req, env, ctx, token).await {
        Ok(resp) => resp,
        Err(e) => e.finish(Rendering::Ack),
    }
}

async fn acknowledge(
    req: &mut Request,
    env: &Env,
    ctx: &Context,
    token: &str,
) -> EdgeResult<Response> {
    let base = req.url()?.origin().ascii_serialization();
    // The token is the capability, but a stray cross-site post must not act
    // either. The confirm page's own post passes (chat link → page →
    // button, docs/wire-contract.md#acknowledge-links), whatever `Origin`
    // its referrer policy makes the browser send.
    request::same_origin_post(req)?;
    let (db, case) = open(env, token).await?;
    let by = ack::parse_form(&request::read_form_body(req).await?)?;
    let event = CaseEvent {
        by: format!("{by} (alert link)"),
        action: Action::Acknowledged,
        tell: domain::case::Tell::Nothing,
    };
    case_steps::record(
        &db,
        env,
        ctx,
        &case,
        &event,
        case_steps::Door::Chat,
        &base,
        clock::now(),
    )
    .await?;
    let dashboard = format!(
        "{base}{}",
        domain::case_view::case_path(&case.id, db.object_site())
    );
    Ok(http::html(
        201,
        &ack_pages::acknowledged(&summary(&case), &by, &dashboard),
    ))
}

/// Checks the token and finds its case, still open.
async fn open(env: &Env, token: &str) -> EdgeResult<(Db, CaseRow)> {
    let secret = env
        .secret("ACK_SECRET")
        .map_err(|_| EdgeError::NotFound("link"))?;
    let key =
        AckKey::try_from(secret.to_string().as_str()).map_err(|_| EdgeError::NotFound("link"))?;
    let AckClaim { site, case_id, .. } = key.verify(token, clock::now())?;
    let db = homes::db_of_link(env, site.as_ref(), "case").await?;
    let case = cases::case(&db, &case_id)
        .await?
        // The signature binds the two; a case of another site is no match.
        .filter(|c| site.as_ref().is_none_or(|s| c.site == s.as_str()))
        .ok_or(EdgeError::NotFound("case"))?;
    if case.state != "open" {
        return Err(EdgeError::Conflict(
            "this case was acknowledged already; the link has done its job",
        ));
    }
    Ok((db, case))
}

fn summary(c: &CaseRow) -> CaseSummary {
    CaseSummary {
        case_id: c.id.clone(),
        tier: Tier::parse(&c.tier).unwrap_or(Tier::Service),
        level: Tier::parse(&c.level).unwrap_or(Tier::Service),
        opened_at: crate::store::ms(c.opened_at),
        ack_due_at: c.ack_due_at.map(crate::store::ms),
    }
}
