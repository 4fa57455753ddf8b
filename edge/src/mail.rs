//! Sending mail: the one seam every mail goes through. A mail is written to
//! the `mails` outbox first (`queue`), sent at once in the background, and
//! tried again by the cron (`send_due`) on `domain::mail::next_try`'s
//! schedule until it is sent or marked failed — never dropped silently.
//!
//! Backends, chosen by configuration:
//! - `RESEND_API_KEY` (a secret) and `MAIL_FROM`: Resend's HTTP API, with
//!   the outbox id as its `Idempotency-Key`, so a retry never sends twice;
//! - `MAIL_URL`: the local mail catcher of `cargo xtask dev` and the tests
//!   (a loopback URL, only with `ALLOW_LOOPBACK_WEBHOOKS`), which gets the
//!   mail as one JSON object.
//!
//! Nothing here logs a mail's text: a sign-in link is a key.

use crate::error::EdgeResult;
use crate::store::exec::Db;
use crate::store::mails::{self, Claimed};
use crate::{auth, clock, random};
use domain::mail::{next_try, Mail};
use domain::Timestamp;
use futures_util::future::{select, Either};
use std::time::Duration;
use worker::{AbortController, Delay, Env, Fetch, Headers, Method, Request, RequestInit};

const TIMEOUT: Duration = Duration::from_secs(10);
const RESEND_URL: &str = "https://api.resend.com/emails";

/// Writes `mail` to the outbox and returns its id; the caller sends it
/// with [`send_one`] (in the background) — the cron sends it otherwise.
pub async fn queue(env: &Env, mail: &Mail, now: Timestamp) -> EdgeResult<String> {
    let id = random::hex(16)?;
    mails::insert(&Db::from_env(env)?, &id, mail, now).await?;
    Ok(id)
}

/// The cron's part: every due mail of the outbox in `db` (D1, or a site's
/// own object), a few at a time.
pub async fn send_due(env: &Env, db: &Db, now: Timestamp) -> EdgeResult<()> {
    for id in mails::due(db, now, 20).await? {
        send_one_in(env, db, &id).await?;
    }
    Ok(())
}

/// Sends one mail of D1's outbox if it is due and nobody else is sending it.
pub async fn send_one(env: &Env, id: &str) -> EdgeResult<()> {
    send_one_in(env, &Db::from_env(env)?, id).await
}

/// As [`send_one`], from the outbox in `db` (a site's own object).
pub async fn send_one_in(env: &Env, db: &Db, id: &str) -> EdgeResult<()> {
    let Some(m) = mails::claim(db, id, clock::now()).await? else {
        return Ok(());
    };
    let outcome = deliver(env, &m).await;
    let now = clock::now();
    match outcome {
        Ok(()) => mails::sent(db, &m, now).await,
        Err(Failure { why, permanent }) => {
            let retry = if permanent {
                None
            } else {
                next_try(m.attempts, now)
            };
            if retry.is_none() {
                worker::console_error!("mail {} ({}) failed for good: {why}", m.id, m.kind);
            } else {
                worker::console_warn!("mail {} ({}) not sent yet: {why}", m.id, m.kind);
            }
            mails::not_sent(db, &m, &why, retry, now).await
        }
    }
}

struct Failure {
    why: String,
    /// Retrying cannot help (no backend, a refused address).
    permanent: bool,
}

fn var(env: &Env, name: &str) -> Option<String> {
    env.secret(name)
        .or_else(|_| env.var(name))
        .ok()
        .map(|v| v.to_string())
        .filter(|v| !v.is_empty())
}

async fn deliver(env: &Env, m: &Claimed) -> Result<(), Failure> {
    let fail = |why: &str| Failure {
        why: why.to_owned(),
        permanent: true,
    };
    if let (Some(key), Some(from)) = (var(env, "RESEND_API_KEY"), var(env, "MAIL_FROM")) {
        let body = serde_json::json!({"from": from, "to": [m.recipient], "subject": m.subject,
            "text": m.text, "html": m.html});
        return post(RESEND_URL, Some(&key), &m.id, &body).await;
    }
    if let Some(url) = var(env, "MAIL_URL") {
        let loopback = url::Url::parse(&url).is_ok_and(|u| {
            u.scheme() == "http" && matches!(u.host_str(), Some("127.0.0.1" | "localhost"))
        });
        if !(loopback && auth::allow_loopback(env)) {
            return Err(fail("MAIL_URL is for the local mail catcher only"));
        }
        let body = serde_json::json!({"id": m.id, "to": m.recipient, "subject": m.subject,
            "text": m.text, "html": m.html});
        return post(&url, None, &m.id, &body).await;
    }
    Err(fail(
        "no mail backend is configured (RESEND_API_KEY and MAIL_FROM)",
    ))
}

async fn post(
    url: &str,
    bearer: Option<&str>,
    id: &str,
    body: &serde_json::Value,
) -> Result<(), Failure> {
    let retry = |why: String| Failure {
        why,
        permanent: false,
    };
    let headers = Headers::new();
    let set = |k: &str, v: &str| headers.set(k, v).map_err(|e| retry(e.to_string()));
    set("content-type", "application/json")?;
    set("idempotency-key", id)?;
    if let Some(key) = bearer {
        set("authorization", &format!("Bearer {key}"))?;
    }
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_body(Some(body.to_string().into()));
    let request = Request::new_with_init(url, &init).map_err(|e| retry(e.to_string()))?;
    let controller = AbortController::default();
    let signal = controller.signal();
    let exchange = async {
        Fetch::Request(request)
            .send_with_signal(&signal)
            .await
            .map(|r| r.status_code())
            .map_err(|e| retry(format!("network error: {e}")))
    };
    let outcome = match select(Box::pin(exchange), Box::pin(Delay::from(TIMEOUT))).await {
        Either::Left((outcome, _)) => outcome,
        Either::Right(((), _)) => {
            controller.abort();
            Err(retry(format!("timed out after {} s", TIMEOUT.as_secs())))
        }
    };
    match outcome? {
        200..=299 => Ok(()),
        s @ (408 | 429 | 500..=599) => Err(retry(format!("the mail service answered {s}"))),
        s => Err(Failure {
            why: format!("the mail service refused the mail ({s})"),
            permanent: true,
        }),
    }
}
