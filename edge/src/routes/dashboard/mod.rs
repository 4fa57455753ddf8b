//! `/dashboard/…`: the managers' pages, rendered by `pages` from what
//! `domain` reads and decides.
//!
//! Every GET needs a live session (else: the sign-in page, then back).
//! Every POST must come from our own origin, carry a live session and the
//! form's CSRF token; anything else is refused before it is read further.
//! Every route is listed in `domain::permissions` with what it needs: a
//! path not listed there is 404 before dispatch, and a role that lacks the
//! need gets 403. Errors are pages a person can read, with the status that
//! says why.

mod answers;
mod case;
mod insights;
mod login;
mod people;
mod settings;

use crate::auth::{self, Manager};
use crate::error::{EdgeError, EdgeResult, Rendering};
use crate::{http, request};
use domain::form::form_field;
use domain::permissions;
use domain::sign_in::safe_next;
use pages::{Chrome, Section};
use worker::{Context, Env, Method, Request, Response};

/// The largest dashboard form: the settings page's copy, in every locale,
/// percent-encoded (Arabic triples in size).
const FORM_LIMIT: usize = 128 * 1024;

pub async fn handle(req: Request, env: &Env, ctx: &Context, path: &[&str]) -> Response {
    route(req, env, ctx, path)
        .await
        .unwrap_or_else(|e| e.finish(Rendering::Dashboard))
}

async fn route(mut req: Request, env: &Env, ctx: &Context, path: &[&str]) -> EdgeResult<Response> {
    let method = req.method();
    match (method, path) {
        (Method::Get | Method::Head, ["dashboard", "login"]) => login::page(&req, env).await,
        (Method::Post, ["dashboard", "login"]) => login::ask_for_link(req, env, ctx).await,
        (Method::Get | Method::Head, ["dashboard", "login", "link"]) => Ok(login::link_page(&req)?),
        (Method::Post, ["dashboard", "login", "link"]) => login::use_link(req, env).await,
        (Method::Get | Method::Head, rest) => {
            let need = permissions::need("GET", rest).ok_or(EdgeError::NotFound("page"))?;
            let Some(m) = auth::manager(&req, env).await? else {
                if let Some(answer) = login::through_access(&req, env).await? {
                    return Ok(answer);
                }
                let next = req.path();
                return Ok(http::see_other(&format!(
                    "/dashboard/login?next={}",
                    url_encode(safe_next(Some(&next)))
                )));
            };
            m.require(need)?;
            match rest {
                ["dashboard"] => case::inbox(&req, env, &m).await,
                ["dashboard", "cases", id] => case::get(&req, env, &m, None, id).await,
                ["dashboard", "sites", site, "cases", id] => {
                    case::get(&req, env, &m, Some(site), id).await
                }
                ["dashboard", "insights"] => insights::page(&req, env, &m).await,
                ["dashboard", "answers"] => answers::page(&req, env, &m).await,
                ["dashboard", "settings"] => settings::page(&req, env, &m).await,
                ["dashboard", "people"] => people::page(&req, env, &m).await,
                ["dashboard", "audit"] => people::audit_page(env, &m).await,
                _ => Err(EdgeError::NotFound("page")),
            }
        }
        (Method::Post, rest) => {
            let need = permissions::need("POST", rest).ok_or(EdgeError::NotFound("page"))?;
            let (m, body) = signed_post(&mut req, env).await?;
            m.require(need)?;
            let base = req.url()?.origin().ascii_serialization();
            match rest {
                ["dashboard", "logout"] => login::sign_out(&req, env, &m).await,
                ["dashboard", "cases", id, "events"] => {
                    case::step(env, ctx, &m, (None, id), &body, &base).await
                }
                ["dashboard", "cases", id, "owner"] => {
                    case::assign(env, &m, (None, id), &body).await
                }
                ["dashboard", "sites", site, "cases", id, "events"] => {
                    case::step(env, ctx, &m, (Some(site), id), &body, &base).await
                }
                ["dashboard", "sites", site, "cases", id, "owner"] => {
                    case::assign(env, &m, (Some(site), id), &body).await
                }
                ["dashboard", "fixes", site, code] => {
                    insights::update_fix(env, &m, site, code, &body).await
                }
                ["dashboard", "answers", id, "tags"] => answers::add_tag(env, &m, id, &body).await,
                ["dashboard", "answers", id, "tags", tag, "remove"] => {
                    answers::remove_tag(env, &m, id, tag).await
                }
                ["dashboard", "erase"] => settings::erase(env, &m, &body).await,
                ["dashboard", "people"] => people::invite(env, &m, &body, &base).await,
                ["dashboard", "people", id] => people::change(env, &m, id, &body).await,
                ["dashboard", "people", id, "remove"] => people::remove(env, &m, id).await,
                ["dashboard", "keys"] => people::make_key(env, &m, &body).await,
                ["dashboard", "keys", id, "revoke"] => people::revoke_key(env, &m, id).await,
                ["dashboard", "dead-letters", "retry"] => settings::retry(env, &body).await,
                ["dashboard", "settings", site] => {
                    settings::save(env, &m, site, &body, &base).await
                }
                ["dashboard", "settings", site, "deadlines"] => {
                    settings::save_deadlines(env, &m, site, &body, &base).await
                }
                ["dashboard", "settings", site, "recipients"] => {
                    settings::add_recipient(env, &m, site, &body, &base).await
                }
                ["dashboard", "settings", site, "recipients", rid, "delete"] => {
                    settings::remove_recipient(env, &m, site, rid).await
                }
                ["dashboard", "settings", site, "recipients", rid, "test"] => {
                    settings::test_recipient(env, &m, site, rid, &base).await
                }
                _ => Err(EdgeError::NotFound("page")),
            }
        }
        _ => Err(EdgeError::MethodNotAllowed),
    }
}

/// Checks a state-changing post before anything acts on it: same origin
/// (the browser's `Origin`, or `Sec-Fetch-Site` when it sends no Origin),
/// a live session, and the CSRF token of that session in the form.
async fn signed_post(req: &mut Request, env: &Env) -> EdgeResult<(Manager, String)> {
    request::same_origin_post(req)?;
    let m = auth::manager(req, env)
        .await?
        .ok_or(EdgeError::Unauthorized)?;
    let body = request::read_form_body_max(req, FORM_LIMIT).await?;
    let token = form_field(&body, "csrf").unwrap_or_default();
    if !m.key.csrf_ok(&m.session, &token) {
        return Err(EdgeError::StaleForm);
    }
    Ok((m, body))
}

pub fn chrome(m: &Manager, section: Section) -> Chrome {
    Chrome {
        manager: m.name().to_owned(),
        owner: m.person.may(domain::people::Need::Own),
        works: m.person.may(domain::people::Need::Work),
        csrf: m.csrf(),
        section,
    }
}

fn url_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
