//! `/dashboard/people` and `/dashboard/audit`, for owners: people (invite,
//! change, remove — `accounts`' steps), API keys (made and shown once,
//! revoked) and the audit log.

use super::chrome;
use crate::auth::Manager;
use crate::error::{EdgeError, EdgeResult};
use crate::store::exec::Db;
use crate::store::{api_keys, audit, dashboard, people};
use crate::{accounts, clock, http, random};
use domain::api_keys::{NewKey, PresentedKey};
use domain::audit::{Action, Entry};
use domain::form::form_field;
use domain::people::NewPerson;
use domain::settings_form::Notice;
use pages::people::{self as people_page, PeopleView};
use pages::Section;
use worker::{Env, Request, Response};

/// How many audit lines the page shows, newest first.
const AUDIT_LINES: u32 = 500;

fn done_notice(code: &str) -> Option<Notice> {
    let text = match code {
        "invited" => "Invited: they have a mail with a sign-in link.",
        "changed" => "Saved. If they lost a role or a site, they were signed out.",
        "removed" => "Removed, and signed out everywhere.",
        "revoked" => "The key is revoked: it opens nothing from now on.",
        _ => return None,
    };
    Some(Notice {
        ok: true,
        text: text.to_owned(),
    })
}

async fn render(
    env: &Env,
    m: &Manager,
    notice: Option<Notice>,
    new_key: Option<&str>,
) -> EdgeResult<String> {
    let db = Db::from_env(env)?;
    let everyone = people::list(&db).await?;
    let keys = api_keys::list(&db).await?;
    let sites = dashboard::site_keys(&db, None).await?;
    let chrome = chrome(m, Section::People);
    Ok(people_page::render(&PeopleView {
        chrome: &chrome,
        people: &everyone,
        keys: &keys,
        sites: &sites,
        notice: notice.as_ref(),
        new_key,
    }))
}

/// The page again with what went wrong (nothing was changed).
async fn refused(env: &Env, m: &Manager, e: &EdgeError) -> EdgeResult<Response> {
    let notice = Notice {
        ok: false,
        text: format!("Nothing was changed: {e}."),
    };
    Ok(http::page(
        e.status(),
        render(env, m, Some(notice), None).await?,
    ))
}

/// `GET /dashboard/people`; `?done=` confirms what was just done.
pub async fn page(req: &Request, env: &Env, m: &Manager) -> EdgeResult<Response> {
    let url = req.url()?;
    let done = url
        .query_pairs()
        .find(|(k, _)| k == "done")
        .and_then(|(_, v)| done_notice(&v));
    Ok(http::page(200, render(env, m, done, None).await?))
}

fn field(body: &str, name: &str) -> String {
    form_field(body, name).unwrap_or_default()
}

/// `POST /dashboard/people`: `email, name, role, sites`.
pub async fn invite(env: &Env, m: &Manager, body: &str, base: &str) -> EdgeResult<Response> {
    let outcome = match NewPerson::from_parts(
        &field(body, "email"),
        &field(body, "name"),
        &field(body, "role"),
        &field(body, "sites"),
    ) {
        Ok(new) => accounts::invite(env, &m.actor(), &new, base, clock::now())
            .await
            .map(|_| ()),
        Err(e) => Err(e.into()),
    };
    match outcome {
        Ok(()) => Ok(http::see_other("/dashboard/people?done=invited")),
        Err(e @ (EdgeError::Domain(_) | EdgeError::Conflict(_))) => refused(env, m, &e).await,
        Err(e) => Err(e),
    }
}

/// `POST /dashboard/people/{id}`: `role, sites` (the name and address stay).
pub async fn change(env: &Env, m: &Manager, id: &str, body: &str) -> EdgeResult<Response> {
    let db = Db::from_env(env)?;
    let before = people::by_id(&db, id)
        .await?
        .ok_or(EdgeError::NotFound("person"))?;
    let sites = field(body, "sites");
    let outcome = match NewPerson::from_parts(
        before.email.as_str(),
        &before.name,
        &field(body, "role"),
        &sites,
    ) {
        Ok(new) => accounts::change(env, &m.actor(), id, &new, clock::now())
            .await
            .map(|_| ()),
        Err(e) => Err(e.into()),
    };
    match outcome {
        Ok(()) => Ok(http::see_other("/dashboard/people?done=changed")),
        Err(e @ (EdgeError::Domain(_) | EdgeError::Conflict(_))) => refused(env, m, &e).await,
        Err(e) => Err(e),
    }
}

/// `POST /dashboard/people/{id}/remove`.
pub async fn remove(env: &Env, m: &Manager, id: &str) -> EdgeResult<Response> {
    match accounts::remove(env, &m.actor(), id, clock::now()).await {
        Ok(_) => Ok(http::see_other("/dashboard/people?done=removed")),
        Err(e @ EdgeError::Conflict(_)) => refused(env, m, &e).await,
        Err(e) => Err(e),
    }
}

/// `POST /dashboard/keys`: `name, scope`. The key is shown on the page this
/// answer draws (200, not a redirect: it never travels in a URL), once.
pub async fn make_key(env: &Env, m: &Manager, body: &str) -> EdgeResult<Response> {
    let new = match NewKey::parse(body) {
        Ok(new) => new,
        Err(e) => return refused(env, m, &e.into()).await,
    };
    let (key, presented) = PresentedKey::mint(&random::hex(8)?, &random::hex(32)?)?;
    let db = Db::from_env(env)?;
    let now = clock::now();
    let entry = Entry {
        actor: m.actor(),
        action: Action::KeyCreated,
        target: new.name.clone(),
        before: None,
        after: Some(
            serde_json::json!({"id": presented.id, "name": new.name, "scope": new.scope.as_str()}),
        ),
    };
    db.batch(vec![
        api_keys::insert(&db, &presented, &new, m.name(), now)?,
        audit::entry(&db, &entry, now)?,
    ])
    .await?;
    let notice = Notice {
        ok: true,
        text: format!("Key “{}” made.", new.name),
    };
    Ok(http::page(
        200,
        render(env, m, Some(notice), Some(&key)).await?,
    ))
}

/// `POST /dashboard/keys/{id}/revoke`.
pub async fn revoke_key(env: &Env, m: &Manager, id: &str) -> EdgeResult<Response> {
    let db = Db::from_env(env)?;
    let key = api_keys::live(&db, id)
        .await?
        .ok_or(EdgeError::NotFound("key"))?;
    let now = clock::now();
    let entry = Entry {
        actor: m.actor(),
        action: Action::KeyRevoked,
        target: key.name.clone(),
        before: Some(serde_json::json!({"id": key.id, "name": key.name, "scope": key.scope})),
        after: None,
    };
    db.batch(vec![
        api_keys::revoke(&db, id, now)?,
        audit::entry_if_changed(&db, &entry, now)?,
    ])
    .await?;
    Ok(http::see_other("/dashboard/people?done=revoked"))
}

/// `GET /dashboard/audit`.
pub async fn audit_page(env: &Env, m: &Manager) -> EdgeResult<Response> {
    let lines = audit::lines(&Db::from_env(env)?, AUDIT_LINES).await?;
    Ok(http::page(
        200,
        pages::audit::render(&chrome(m, Section::Audit), &lines),
    ))
}
