//! `POST /v1/responses`: parse, store once, thank, alert.

use crate::error::{EdgeError, EdgeResult};
use crate::{alerts, http, store};
use domain::acknowledgement::next_step;
use domain::alert::Alert;
use domain::{RawSubmission, Reply, Submission};
use worker::{Context, Env, Request, Response};

pub async fn post(mut req: Request, env: &Env, ctx: &Context) -> EdgeResult<Response> {
    let now = crate::clock::now();
    let origin = req.headers().get("origin")?;
    let body = http::read_json_body(&mut req).await?;
    let raw: RawSubmission =
        serde_json::from_slice(&body).map_err(|e| EdgeError::BadJson(e.to_string()))?;
    let honeypot = raw.honeypot_filled();
    let submission = Submission::try_from(raw)?;
    let db = env.d1("DB")?;
    let site = store::site(&db, submission.site.as_str()).await?;
    if let Some(o) = origin.as_deref() {
        if !domain::origin::allowed(&site.origins, o) {
            return Err(EdgeError::OriginNotAllowed);
        }
    }

    let tier = submission.tier();
    let ack_minutes = site.sla.ack_minutes(tier);
    let reachable = submission.contact.email.is_some() || submission.contact.phone.is_some();
    let reply = Reply {
        id: submission.id.to_string(),
        tier,
        case: tier.opens_case().then(|| "open".to_owned()),
        next: next_step(tier, reachable, ack_minutes),
    };
    let reply_json =
        serde_json::to_string(&reply).map_err(|e| EdgeError::Internal(e.to_string()))?;

    let mut resp = if honeypot {
        // Looks accepted, so a bot learns nothing; nothing is stored or sent.
        worker::console_log!("honeypot tripped on site {}", site.key);
        http::json(201, &reply)
    } else {
        let ack_due = ack_minutes.map(|m| now.plus_minutes(m));
        if store::insert_response(&db, &submission, &reply_json, now, ack_due).await? {
            if tier.opens_case() {
                let base = req.url()?.origin().ascii_serialization();
                let alert = Alert::opened(&submission, now, ack_minutes, &base);
                let allow_loopback = crate::auth::allow_loopback(env);
                ctx.wait_until(async move { alerts::deliver(&db, &alert, allow_loopback).await });
            }
            http::json(201, &reply)
        } else {
            replay(&db, &submission).await?
        }
    };
    if let Some(o) = origin.as_deref() {
        http::allow_origin(&mut resp, o);
    }
    Ok(resp)
}

/// A retry of a stored id: the identical body with `200`, nothing created.
async fn replay(db: &worker::D1Database, s: &Submission) -> EdgeResult<Response> {
    match store::stored_reply(db, s.id.as_str()).await? {
        Some((site, reply)) if site == s.site.as_str() => {
            let mut resp = Response::from_bytes(reply.into_bytes())?;
            resp.headers_mut()
                .set("content-type", "application/json; charset=utf-8")?;
            resp.headers_mut().set("cache-control", "no-store")?;
            Ok(resp.with_status(200))
        }
        Some(_) => Err(EdgeError::Conflict(
            "this id belongs to another site's response",
        )),
        None => Err(EdgeError::Internal(format!(
            "response {} neither inserted nor found",
            s.id
        ))),
    }
}
