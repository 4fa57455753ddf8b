//! `/more/{token}`: the link in a customer's thank-you mail to add to their
//! answer. GET only shows the form (mail scanners open links); the POST
//! from that form appends a `message` event, by the customer, to the case
//! following the answer up. Every refusal is a page a person can read.

use crate::error::{EdgeError, EdgeResult, Rendering};
use crate::store::exec::Db;
use crate::store::homes;
use crate::store::more as store;
use crate::{clock, http, request};
use domain::ack::{parse_more_form, AckKey};
use domain::lang::Lang;
use worker::{Env, Request, Response};

/// Room for 4000 characters of any script, percent-encoded.
const MAX_FORM: usize = 48 * 1024;

pub async fn get(env: &Env, token: &str) -> Response {
    match open(env, token).await {
        Ok((_, _, lang)) => http::html(200, &pages::more::form(lang)),
        Err(e) => e.finish(Rendering::More),
    }
}

pub async fn post(mut req: Request, env: &Env, token: &str) -> Response {
    match add(&mut req, env, token).await {
        Ok(lang) => http::html(201, &pages::more::added(lang)),
        Err(e) => e.finish(Rendering::More),
    }
}

async fn add(req: &mut Request, env: &Env, token: &str) -> EdgeResult<Lang> {
    // The token is the capability; a stray cross-site post must not act
    // either (the form's own post passes, whatever `Origin` it sends).
    request::same_origin_post(req)?;
    let (db, response_id, lang) = open(env, token).await?;
    let words = parse_more_form(&request::read_form_body_max(req, MAX_FORM).await?)?;
    if store::add(&db, &response_id, words.as_str(), clock::now()).await? {
        Ok(lang)
    } else {
        Err(EdgeError::Conflict(
            "this answer takes no more additions: its case is gone, or it has had twenty",
        ))
    }
}

/// Checks the token and finds its answer, with a case to add to, in the
/// home of its site.
async fn open(env: &Env, token: &str) -> EdgeResult<(Db, String, Lang)> {
    let secret = env
        .secret("ACK_SECRET")
        .map_err(|_| EdgeError::NotFound("link"))?;
    let key =
        AckKey::try_from(secret.to_string().as_str()).map_err(|_| EdgeError::NotFound("link"))?;
    let link = key.verify_more(token, clock::now())?;
    let db = homes::db_of_link(env, link.site.as_ref(), "answer").await?;
    let answer = store::followed_up(&db, &link.id)
        .await?
        // The signature binds the two; an answer of another site is no
        // match (a link from before homes names none).
        .filter(|a| link.site.as_ref().is_none_or(|s| a.site == s.as_str()))
        .ok_or(EdgeError::NotFound("answer"))?;
    Ok((db, link.id, Lang::from_tag(answer.locale.as_deref())))
}
