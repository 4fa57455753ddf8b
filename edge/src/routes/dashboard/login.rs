//! Signing in by a one-time link sent by mail, and signing out.
//!
//! `POST /dashboard/login` answers the same page for every address and does
//! the rest in the background (look the address up, mint a link, mail it),
//! so neither the page nor its timing says who has an account. The link's
//! secret rides in the URL's fragment; `POST /dashboard/login/link` uses it,
//! once. The admin token signs no one in.

use crate::auth::{self, Manager};
use crate::error::{EdgeError, EdgeResult};
use crate::store::exec::Db;
use crate::store::{people, sessions};
use crate::{access, accounts, clock, http, mail, random, request};
use domain::form::form_field;
use domain::people::Person;
use domain::rate;
use domain::session::{self, LIFETIME_MINUTES};
use domain::sign_in::{self, safe_next, LinkRequest, LinkSecret, LINK_MINUTES};
use domain::Timestamp;
use pages::login;
use worker::{Context, Env, Request, Response};

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

/// Counts this client's request to ask for (`"ask"`) or use (`"use"`) a
/// link; 429 past `limit` a minute, for every address alike.
async fn count_client(
    req: &Request,
    env: &Env,
    now: Timestamp,
    what: &str,
    limit: u32,
) -> EdgeResult<()> {
    let ip = req
        .headers()
        .get("cf-connecting-ip")?
        .unwrap_or_else(|| "unknown".into());
    let window = rate::window(now);
    let key = sign_in::client_key(&format!("{what} {ip}"));
    let n = sessions::count(&Db::from_env(env)?, &key, window).await?;
    if n > limit {
        return Err(EdgeError::RateLimited(window.retry_after_secs));
    }
    Ok(())
}

/// `POST /dashboard/login`: `email=…&next=…`.
pub async fn ask_for_link(mut req: Request, env: &Env, ctx: &Context) -> EdgeResult<Response> {
    request::same_origin_post(&req)?;
    let now = clock::now();
    count_client(
        &req,
        env,
        now,
        "ask",
        sign_in::REQUESTS_PER_CLIENT_PER_MINUTE,
    )
    .await?;
    let body = request::read_form_body(&mut req).await?;
    let asked = match LinkRequest::parse(&body) {
        Ok(asked) => asked,
        Err(e) => {
            let next = safe_next(form_field(&body, "next").as_deref()).to_owned();
            let typed = form_field(&body, "email").unwrap_or_default();
            let typed: String = typed.chars().take(254).collect();
            return Ok(http::page(
                400,
                login::render(Some(&e.to_string()), &typed, &next),
            ));
        }
    };
    let base = req.url()?.origin().ascii_serialization();
    let env = env.clone();
    ctx.wait_until(async move {
        if let Err(e) = mail_link(&env, &asked, &base, now).await {
            worker::console_error!("sign-in link not sent: {e}");
        }
    });
    Ok(http::page(200, login::link_sent(LINK_MINUTES)))
}

/// Mints and mails a link if the address has an account and has not had
/// its links for this hour. Logs neither the address nor the link.
async fn mail_link(env: &Env, asked: &LinkRequest, base: &str, now: Timestamp) -> EdgeResult<()> {
    let db = Db::from_env(env)?;
    let Some(person) = people::by_email(&db, &asked.email).await? else {
        return Ok(());
    };
    let cap = Some(sign_in::LINKS_PER_ADDRESS_PER_HOUR);
    let Some(secret) = accounts::mint_link(&db, &person.id, now, cap).await? else {
        worker::console_warn!("sign-in link not sent: this address had its links for the hour");
        return Ok(());
    };
    let url = secret.url(base, &asked.next);
    let message = pages::mail::sign_in(person.email, &url, LINK_MINUTES);
    let id = mail::queue(env, &message, now).await?;
    mail::send_one(env, &id).await
}

/// `GET /dashboard/login/link?next=…#t=…`: the page whose button posts the
/// secret. Opening it changes nothing.
pub fn link_page(req: &Request) -> EdgeResult<Response> {
    let mut resp = http::page(200, login::link_page(&next_param(req)?, None));
    // The fragment never leaves the browser, but be sure no page it opens
    // learns this address either.
    resp.headers_mut().set("referrer-policy", "no-referrer")?;
    Ok(resp)
}

/// `POST /dashboard/login/link`: `token=…&next=…`. Uses the link (once)
/// and starts a session.
pub async fn use_link(mut req: Request, env: &Env) -> EdgeResult<Response> {
    request::same_origin_post(&req)?;
    let now = clock::now();
    count_client(
        &req,
        env,
        now,
        "use",
        sign_in::LINK_USES_PER_CLIENT_PER_MINUTE,
    )
    .await?;
    let body = request::read_form_body(&mut req).await?;
    let next = safe_next(form_field(&body, "next").as_deref()).to_owned();
    let refuse = |status: u16, why: &str| http::page(status, login::link_page(&next, Some(why)));
    let Ok(secret) = LinkSecret::try_from(form_field(&body, "token").unwrap_or_default().as_str())
    else {
        return Ok(refuse(
            400,
            "This sign-in link is not complete. Open it from the mail again, or ask for a new one.",
        ));
    };
    let db = Db::from_env(env)?;
    let person = match sessions::use_link(&db, &secret.hash(), now).await? {
        Some(id) => people::by_id(&db, &id).await?,
        None => None,
    };
    let Some(person) = person else {
        return Ok(refuse(
            410,
            "This sign-in link was used already or has expired. Links work once, for 15 minutes.",
        ));
    };
    start_session(&req, env, &person, &next, now).await
}

/// Starts a session for `person` (its row and the cookie that names it)
/// and sends the browser on to `next`.
async fn start_session(
    req: &Request,
    env: &Env,
    person: &Person,
    next: &str,
    now: Timestamp,
) -> EdgeResult<Response> {
    let key = auth::session_key(env).ok_or(EdgeError::Forbidden)?;
    let (session, cookie) = key.issue(&random::hex(16)?, now)?;
    sessions::create(
        &Db::from_env(env)?,
        &session.id,
        person,
        now,
        session.expires_at,
    )
    .await?;
    let mut resp = http::see_other(next);
    resp.headers_mut().append(
        "set-cookie",
        &session::set_cookie(&cookie, LIFETIME_MINUTES * 60, secure(req)?),
    )?;
    Ok(resp)
}

/// The Cloudflare Access door: a request with no session but a verified
/// Access token starts a session for the account with that address and
/// comes back to where it was going. `None` when Access is off or sent no
/// token (then the person signs in by link).
pub async fn through_access(req: &Request, env: &Env) -> EdgeResult<Option<Response>> {
    let Some(verified) = access::identity(req, env).await? else {
        return Ok(None);
    };
    let email = match verified {
        Ok(email) => email,
        Err(why) => {
            let text = format!("Your company's sign-in (Cloudflare Access) was refused: {why}. Sign in again through your company's portal.");
            return Ok(Some(http::page(
                403,
                pages::layout::message("Sign-in refused", &text, None),
            )));
        }
    };
    let db = Db::from_env(env)?;
    let Some(person) = people::by_email(&db, &email).await? else {
        return Ok(Some(http::page(403, login::no_account(email.as_str()))));
    };
    let back = safe_next(Some(&req.path())).to_owned();
    Ok(Some(
        start_session(req, env, &person, &back, clock::now()).await?,
    ))
}

pub async fn sign_out(req: &Request, env: &Env, m: &Manager) -> EdgeResult<Response> {
    sessions::delete(&Db::from_env(env)?, &m.session.id).await?;
    let mut resp = http::see_other("/dashboard/login");
    resp.headers_mut()
        .append("set-cookie", &session::clear_cookie(secure(req)?))?;
    Ok(resp)
}
