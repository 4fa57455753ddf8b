//! The link between the two Workers (ARCHITECTURE.md, "Two Workers").
//!
//! The public Worker, the front, is this crate built without the `office`
//! feature: it answers the widget's routes (`/health`, `POST
//! /v1/responses`, the widget's settings) and hands every other request to
//! the back office, this crate built whole, through the `OFFICE` service
//! binding. The office has no route of its own on the internet, so its
//! internal paths below are reachable only through that binding, and the
//! front never forwards them.
//!
//! What the front hands over besides requests: the work after an answer's
//! commit (the alert's first attempt, the thank-you mail's first send) and
//! the minute's cron tick. Both stay in the office, so the module that
//! starts for every answer carries neither the senders nor the dashboard.

use serde::{Deserialize, Serialize};

/// Which build logs a line: a forwarded request is logged by both.
pub const WORKER: &str = if cfg!(feature = "office") {
    "office"
} else {
    "front"
};

/// The path of the work after an answer's commit, which the front posts
/// from its `waitUntil` and the office takes (`run_after_commit`).
const AFTER_COMMIT: &str = "/internal/after-commit";

/// Whether a request is the front's hand-over of an answer's after-commit
/// work, taken by the office. Such a request gets no access line: it is
/// part of an answer the front's own line already records, and a line per
/// answer costs (Workers Logs, and `wrangler dev`'s relay of each line,
/// BENCHMARKS.md). One refused is logged, and the front logs a failed one.
pub fn taken_hand_over(route: &str, status: u16) -> bool {
    route == AFTER_COMMIT && (200..300).contains(&status)
}

/// `POST /internal/tick`'s body: the tick's scheduled time.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tick {
    pub at_ms: i64,
}

/// `POST /internal/after-commit`'s body: what one answer's commit left to
/// send at once. Either may be absent; the outbox has both regardless.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AfterCommit {
    pub alert: Option<String>,
    pub mail: Option<String>,
    /// The site, when it lives in its own object: where both rows are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
}

impl AfterCommit {
    pub const fn is_empty(&self) -> bool {
        self.alert.is_none() && self.mail.is_none()
    }
}

#[cfg(not(feature = "office"))]
pub use front::{after_commit, forward, tick};

#[cfg(not(feature = "office"))]
mod front {
    use super::{AfterCommit, Tick, AFTER_COMMIT};
    use crate::error::{EdgeError, EdgeResult};
    use worker::{Env, Fetcher, Headers, Method, Request, RequestInit, Response};

    /// The cron tick, posted by the front's scheduled handler.
    const TICK: &str = "/internal/tick";

    fn office(env: &Env) -> EdgeResult<Fetcher> {
        env.service("OFFICE")
            .map_err(|e| EdgeError::Internal(format!("the OFFICE binding: {e}")))
    }

    /// A request for a route the front does not serve, answered by the
    /// office as it came (method, headers, body and all).
    pub async fn forward(req: Request, env: &Env) -> EdgeResult<Response> {
        office(env)?
            .fetch_request(req)
            .await
            .map_err(|e| EdgeError::Unavailable(format!("the back office: {e}")))
    }

    async fn post(env: &Env, path: &str, body: &impl serde::Serialize) -> EdgeResult<()> {
        let headers = Headers::new();
        headers.set("content-type", "application/json")?;
        let body = serde_json::to_string(body).map_err(|e| EdgeError::Internal(e.to_string()))?;
        let mut init = RequestInit::new();
        init.with_method(Method::Post)
            .with_headers(headers)
            .with_body(Some(body.into()));
        let resp = office(env)?
            .fetch(format!("https://office{path}"), Some(init))
            .await?;
        match resp.status_code() {
            200..=299 => Ok(()),
            status => Err(EdgeError::Internal(format!(
                "the back office answered {path} with {status}"
            ))),
        }
    }

    /// Hands the work after a commit to the office. If this fails, nothing
    /// is lost: the cron finds the outbox rows.
    pub async fn after_commit(env: &Env, work: &AfterCommit) -> EdgeResult<()> {
        post(env, AFTER_COMMIT, work).await
    }

    /// Runs the minute's cron tick in the office.
    pub async fn tick(env: &Env, at: domain::Timestamp) -> EdgeResult<()> {
        post(env, TICK, &Tick { at_ms: at.millis() }).await
    }
}

#[cfg(feature = "office")]
pub use back::{run_after_commit, run_tick, send_after_commit};

#[cfg(feature = "office")]
mod back {
    use super::{AfterCommit, Tick};
    use crate::error::EdgeResult;
    use crate::{alerts, http, mail, request};
    use worker::{Context, Env, Request, Response};

    /// `POST /internal/after-commit`: answered at once (202); the sends run
    /// in this invocation's `waitUntil`, as they did in the front's.
    pub async fn run_after_commit(
        mut req: Request,
        env: &Env,
        ctx: &Context,
    ) -> EdgeResult<Response> {
        let work: AfterCommit = request::read_json(&mut req).await?;
        let env = env.clone();
        ctx.wait_until(async move { send_after_commit(&env, work).await });
        Ok(http::json(202, &serde_json::json!({})))
    }

    /// The alert's first attempt, then the thank-you mail's first send;
    /// each failure is logged and left to the queue and the cron.
    pub async fn send_after_commit(env: &Env, work: AfterCommit) {
        let site = work.site.as_deref();
        let db = match crate::store::homes::db_of(env, site) {
            Ok(db) => db,
            Err(e) => {
                worker::console_error!("after the commit: no database ({e}); the cron sends");
                return;
            }
        };
        if let Some(id) = work.alert {
            let ids = std::slice::from_ref(&id);
            if let Err(e) = alerts::deliver_after_commit(env, &db, ids).await {
                worker::console_error!("alert {id}: not sent or queued yet: {e}");
            }
        }
        if let Some(id) = work.mail {
            if let Err(e) = mail::send_one_in(env, &db, &id).await {
                worker::console_error!("mail {id}: not sent yet: {e}");
            }
        }
    }

    /// `POST /internal/tick`: the cron's work, done before the answer.
    pub async fn run_tick(mut req: Request, env: &Env) -> EdgeResult<Response> {
        let tick: Tick = request::read_json(&mut req).await?;
        crate::tick(env, domain::Timestamp::from_millis(tick.at_ms)).await;
        Ok(http::json(200, &serde_json::json!({})))
    }
}
