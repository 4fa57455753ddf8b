//! Candor's Cloudflare Worker: a thin shell that does IO and asks `domain`
//! for every rule. See ARCHITECTURE.md for the request's path.
//!
//! Built twice (ARCHITECTURE.md, "Two Workers"): whole, with the `office`
//! feature (the default), it is the back office; without it, the public
//! front, which serves the widget's routes and hands the rest to the office
//! (`office.rs`). The front leaves most of the crate unused on purpose.
#![cfg_attr(not(feature = "office"), allow(dead_code, unused_imports))]

mod access;
mod accounts;
mod alerts;
mod auth;
mod case_steps;
mod clock;
mod error;
mod http;
mod mail;
mod office;
mod random;
mod request;
mod retention;
mod routes;
mod store;
mod turnstile;

use crate::store::exec::Db;
use worker::{event, Context, Env, MessageBatch, Request, Response, Result};
#[cfg(not(feature = "office"))]
use worker::{ScheduleContext, ScheduledEvent};

#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> Result<Response> {
    let started = clock::now();
    let method = req.method().to_string();
    let route = domain::access_log::route(&req.path());
    let request_id = req
        .headers()
        .get("cf-ray")
        .ok()
        .flatten()
        .or_else(|| random::hex(8).ok())
        .unwrap_or_default();
    let (resp, rows) = store::meter::metered(routes::handle(req, env, ctx)).await;
    let resp = resp.unwrap_or_else(error::EdgeError::into_response);
    // One JSON line per request for Workers Logs: the route, never the
    // path (links carry tokens), and nothing from the body.
    #[allow(clippy::cast_precision_loss)] // milliseconds of one request
    let line = domain::access_log::Line {
        request_id: &request_id,
        method: &method,
        route,
        status: resp.status_code(),
        duration_ms: (clock::now().millis() - started.millis()) as f64,
        rows_read: rows.read,
        rows_written: rows.written,
        worker: office::WORKER,
    };
    if !office::taken_hand_over(&line.route, line.status) {
        if let Ok(json) = serde_json::to_string(&line) {
            worker::console_log!("{json}");
        }
    }
    Ok(resp)
}

/// Alert delivery (`ALERTS`) and its dead letters (`ALERTS_DLQ`): the
/// office's.
#[cfg(feature = "office")]
#[event(queue)]
async fn queue(batch: MessageBatch<alerts::Job>, env: Env, _ctx: Context) -> Result<()> {
    let dead = batch.queue().ends_with("-dlq");
    // The count only: the consumer deserialises the bodies once, itself.
    let size = batch.raw_iter().len();
    let (result, rows) = store::meter::metered(async move {
        if dead {
            alerts::bury_exhausted(batch, env).await
        } else {
            alerts::consume(batch, env).await
        }
    })
    .await;
    worker::console_log!(
        "{{\"queue\":\"{}\",\"messages\":{size},\"rows_read\":{},\"rows_written\":{}}}",
        if dead { "dead_letters" } else { "alerts" },
        rows.read,
        rows.written
    );
    result
}

/// The SLA tick, every minute: the front's cron trigger, whose work the
/// office does (`POST /internal/tick`, `office::run_tick`).
#[cfg(not(feature = "office"))]
#[event(scheduled)]
async fn scheduled(event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    #[allow(clippy::cast_possible_truncation)] // epoch milliseconds
    let now = domain::Timestamp::from_millis(event.schedule() as i64);
    if let Err(e) = office::tick(&env, now).await {
        worker::console_error!("tick: not handed to the office: {e}");
    }
}

/// Every pass of the cron, each on its own: one failing stops no other.
/// The per-site passes run in every home: D1 (its sites, and the control
/// data's mail), then each site that lives in its own object, one after
/// another.
pub(crate) async fn tick(env: &Env, now: domain::Timestamp) {
    let d1 = match Db::from_env(env) {
        Ok(d1) => d1,
        Err(e) => return worker::console_error!("tick: no database: {e}"),
    };
    let homes = store::homes::every_home(env, &d1).await;
    for home in &homes {
        let name = home.name();
        if let Err(e) = alerts::sla::tick(env, home, now).await {
            worker::console_error!("tick ({name}): {e}");
        }
        if let Err(e) = alerts::notice::send_due(env, &d1, home, now).await {
            worker::console_error!("notice tick ({name}): {e}");
        }
        if let Err(e) = retention::erase_due(home, now).await {
            worker::console_error!("retention tick ({name}): {e}");
        }
    }
    if let Err(e) = store::abuse::forget_old_windows(&d1, domain::rate::window(now)).await {
        worker::console_error!("rate windows tick: {e}");
    }
    // Last, so the owners' notices written above go out in this tick.
    for home in &homes {
        if let Err(e) = mail::send_due(env, home, now).await {
            worker::console_error!("mail tick ({}): {e}", home.name());
        }
    }
}
