//! Candor's Cloudflare Worker: a thin shell that does IO and asks `domain`
//! for every rule. See ARCHITECTURE.md for the request's path.

mod alerts;
mod auth;
mod clock;
mod error;
mod http;
mod routes;
mod store;
mod turnstile;

use worker::{event, Context, Env, Request, Response, Result};

#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> Result<Response> {
    Ok(routes::handle(req, env, ctx)
        .await
        .unwrap_or_else(error::EdgeError::into_response))
}
