//! Signing in and out. A wrong token is counted per client and refused for
//! the rest of the minute after five; the token itself is compared in
//! constant time and never stored or logged.

use crate::auth::{self, Manager};
use crate::error::{EdgeError, EdgeResult};
use crate::store::sessions;
use crate::{clock, http, random, request};
use domain::auth::secrets_match;
use domain::form::form_field;
use domain::rate;
use domain::session::{self, LIFETIME_MINUTES};
use domain::sign_in::{self, safe_next};
use pages::login;
use worker::{Env, Request, Response};

fn next_param(req: &Request) -> EdgeResult<String> {
    let url = req.url()?;
    let next = url
        .query_pairs()
        .find(|(k, _)| k == "next")
        .map(|(_, v)| v.into_owned());
    Ok(safe_next(next.as_deref()).to_owned())
}

/// Whether the cookie must be `Secure`: always, except over plain http on
/// this machine (local dev), where browsers would drop it.
fn secure(req: &Request) -> EdgeResult<bool> {
    let url = req.url()?;
    Ok(!session::plain_loopback(
        url.scheme(),
        url.host_str().unwrap_or_default(),
    ))
}

pub async fn page(req: &Request, env: &Env) -> EdgeResult<Response> {
    let next = next_param(req)?;
    if auth::manager(req, env).await?.is_some() {
        return Ok(http::see_other(&next));
    }
    Ok(http::page(200, login::render(None, "", &next)))
}

pub async fn sign_in(mut req: Request, env: &Env) -> EdgeResult<Response> {
    request::same_origin_post(&req)?;
    let key = auth::session_key(env).ok_or(EdgeError::Forbidden)?;
    let db = env.d1("DB")?;
    let now = clock::now();
    let window = rate::window(now);
    let ip = req
        .headers()
        .get("cf-connecting-ip")?
        .unwrap_or_else(|| "unknown".into());
    let client = rate::sign_in_key(&ip);
    // Counted before anything is compared, in one atomic step: a burst of
    // parallel guesses is counted whole, and all past the limit are refused
    // unread. Attempts that compared no wrong token are given back below.
    let attempt = sessions::count_attempt(&db, &client, window).await?;
    if attempt > rate::SIGN_IN_FAILURES_PER_WINDOW {
        return Err(EdgeError::RateLimited(window.retry_after_secs));
    }
    let body = request::read_form_body(&mut req).await?;
    let next = safe_next(form_field(&body, "next").as_deref()).to_owned();
    let name = form_field(&body, "name").unwrap_or_default();
    let form = match sign_in::parse(&body) {
        Ok(form) => form,
        Err(e) => {
            sessions::forgive_attempt(&db, &client, window).await?;
            return Ok(http::page(
                400,
                login::render(Some(&e.to_string()), &name, &next),
            ));
        }
    };
    if !secrets_match(&form.token, &auth::admin_token(env).unwrap_or_default()) {
        let why = "That token is not right. After five wrong tries, sign-in pauses for a minute.";
        return Ok(http::page(401, login::render(Some(why), &form.name, &next)));
    }
    sessions::forgive_attempt(&db, &client, window).await?;
    let (session, cookie) = key.issue(&random::hex(16)?, now)?;
    sessions::create(&db, &session.id, &form.name, now, session.expires_at).await?;
    let mut resp = http::see_other(&next);
    resp.headers_mut().append(
        "set-cookie",
        &session::set_cookie(&cookie, LIFETIME_MINUTES * 60, secure(&req)?),
    )?;
    Ok(resp)
}

pub async fn sign_out(req: &Request, env: &Env, m: &Manager) -> EdgeResult<Response> {
    sessions::delete(&env.d1("DB")?, &m.session.id).await?;
    let mut resp = http::see_other("/dashboard/login");
    resp.headers_mut()
        .append("set-cookie", &session::clear_cookie(secure(req)?))?;
    Ok(resp)
}
