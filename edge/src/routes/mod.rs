//! Maps (method, path) to a handler. Hand-rolled so every unknown path and
//! method gets the JSON error shape, and OPTIONS is answered where CORS needs it.

mod ack;
pub mod admin_alerts;
mod admin_cases;
mod admin_export;
mod admin_people;
mod admin_responses;
mod admin_sites;
mod dashboard;
mod health;
mod more;
mod responses;
mod widget_config;

use crate::error::{EdgeError, EdgeResult};
use worker::{Context, Env, Method, Request, Response};

/// The widget's routes, in both builds; the rest is the office's: the front
/// forwards it ([`crate::office::forward`]), the office answers it.
pub async fn handle(req: Request, env: Env, ctx: Context) -> EdgeResult<Response> {
    let path = req.path();
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (req.method(), segments.as_slice()) {
        (Method::Get | Method::Head, ["health"]) => Ok(health::get(&env).await),
        (Method::Options, ["v1", "responses"]) => Ok(crate::http::preflight(&req)?),
        (Method::Post, ["v1", "responses"]) => Ok(responses::post(req, &env, &ctx).await),
        (Method::Get | Method::Head, ["v1", "sites", site, "widget"]) => {
            widget_config::get(&req, &env, site).await
        }
        (_, ["health"] | ["v1", "responses"] | ["v1", "sites", _, "widget"]) => {
            Err(EdgeError::MethodNotAllowed)
        }
        // Only the front may call these, through the service binding.
        #[cfg(not(feature = "office"))]
        (_, ["internal", ..]) => Err(EdgeError::NotFound("route")),
        #[cfg(not(feature = "office"))]
        _ => crate::office::forward(req, &env).await,
        #[cfg(feature = "office")]
        _ => office(req, env, ctx, &segments).await,
    }
}

/// The back office's routes, and the front's internal calls.
#[cfg(feature = "office")]
async fn office(req: Request, env: Env, ctx: Context, segments: &[&str]) -> EdgeResult<Response> {
    match (req.method(), segments) {
        (Method::Post, ["internal", "tick"]) => crate::office::run_tick(req, &env).await,
        (Method::Post, ["internal", "after-commit"]) => {
            crate::office::run_after_commit(req, &env, &ctx).await
        }
        (Method::Put, ["v1", "admin", "sites", site]) => admin_sites::put(req, &env, site).await,
        (Method::Get, ["v1", "admin", "sites", site]) => admin_sites::get(&req, &env, site).await,
        (Method::Post, ["v1", "admin", "sites", site, "home"]) => {
            admin_sites::move_home(req, &env, site).await
        }
        (Method::Post, ["v1", "admin", "sites", site, "move"]) => {
            admin_sites::move_step(req, &env, site).await
        }
        (Method::Get, ["v1", "admin", "responses"]) => admin_responses::list(&req, &env).await,
        (Method::Get, ["v1", "admin", "responses", id]) => {
            admin_responses::one(&req, &env, id).await
        }
        (Method::Delete, ["v1", "admin", "responses", id]) => {
            admin_responses::erase(&req, &env, id).await
        }
        (Method::Get, ["v1", "admin", "deliveries"]) => {
            admin_responses::deliveries(&req, &env).await
        }
        (Method::Post, ["v1", "admin", "cases", id, "events"]) => {
            admin_cases::post_event(req, &env, &ctx, id).await
        }
        (Method::Post, ["v1", "admin", "sites", site, "recipients", rid, "test"]) => {
            admin_alerts::test(&req, &env, site, rid).await
        }
        (Method::Get, ["v1", "admin", "sites", site, "recipients", rid, "url"]) => {
            admin_sites::reveal_url(&req, &env, site, rid).await
        }
        (Method::Get, ["v1", "admin", "alerts"]) => admin_alerts::progress(&req, &env).await,
        (Method::Get, ["v1", "admin", "people"]) => admin_people::list(&req, &env).await,
        (Method::Post, ["v1", "admin", "people"]) => admin_people::create(req, &env).await,
        (Method::Put, ["v1", "admin", "people", id]) => admin_people::update(req, &env, id).await,
        (Method::Delete, ["v1", "admin", "people", id]) => {
            admin_people::remove(&req, &env, id).await
        }
        (Method::Get, ["v1", "admin", "dead-letters"]) => {
            admin_alerts::dead_letters(&req, &env).await
        }
        (Method::Get | Method::Head, ["ack", token]) => Ok(ack::get(&env, token).await),
        (Method::Post, ["ack", token]) => Ok(ack::post(req, &env, &ctx, token).await),
        (Method::Get | Method::Head, ["more", token]) => Ok(more::get(&env, token).await),
        (Method::Post, ["more", token]) => Ok(more::post(req, &env, token).await),
        (_, ["dashboard", ..]) => Ok(dashboard::handle(req, &env, &ctx, segments).await),
        (Method::Get, ["v1", "admin", "export"]) => admin_export::get(&req, &env).await,
        (
            _,
            ["v1", "admin", "sites" | "responses" | "people", _]
            | ["v1", "admin", "responses" | "deliveries" | "export" | "dead-letters" | "alerts" | "people"]
            | ["v1", "admin", "cases", _, "events"]
            | ["v1", "admin", "sites", _, "recipients", _, "test" | "url"]
            | ["v1", "admin", "sites", _, "home" | "move"]
            | ["ack" | "more", _],
        ) => Err(EdgeError::MethodNotAllowed),
        _ => Err(EdgeError::NotFound("route")),
    }
}
