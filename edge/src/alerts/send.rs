//! One HTTP call to one recipient, in its chat format. No redirects are
//! followed, every call has a timeout, and the URL is checked again against
//! today's rules right before the call (it may have been stored under older
//! ones). Cloudflare's `fetch` cannot reach private addresses from the edge,
//! which is what stops DNS rebinding there; the name rules are ours.

use crate::clock;
use domain::alert::Alert;
use domain::delivery::parse_retry_after;
use domain::recipient::{Format, RecipientUrl};
use domain::webhook::WebhookSecret;
use domain::Timestamp;
use futures_util::future::{select, Either};
use std::time::Duration;
use worker::{
    AbortController, Delay, Fetch, Headers, Method, Request, RequestInit, RequestRedirect,
};

/// Where to send, as stored.
pub struct Target<'a> {
    pub format: &'a str,
    pub url: &'a str,
    pub secret: Option<&'a str>,
}

/// What one call came to.
#[derive(Debug, Clone)]
pub struct Sent {
    pub started: Timestamp,
    pub duration_ms: i64,
    /// The receiver's status; `None` when no answer came.
    pub status: Option<u16>,
    pub retry_after: Option<u32>,
    /// Why there was no answer (timeout, network), or why nothing was sent.
    pub error: Option<String>,
    /// Nothing was sent: the stored target fails today's rules (format, URL,
    /// secret). Retrying cannot help; only a manager's edit can.
    pub refused: bool,
    /// The start of the receiver's answer, when asked for (test alerts).
    pub answer: Option<String>,
}

/// How long the answer's text may be when reported back.
const ANSWER_EXCERPT: usize = 500;

pub async fn send(
    target: &Target<'_>,
    alert: &Alert,
    allow_loopback: bool,
    timeout: Duration,
    read_answer: bool,
) -> Sent {
    let started = clock::now();
    let outcome = call(target, alert, allow_loopback, timeout, read_answer, started).await;
    let duration_ms = clock::now().millis() - started.millis();
    match outcome {
        Ok((status, retry_after, answer)) => Sent {
            started,
            duration_ms,
            status: Some(status),
            retry_after,
            error: None,
            refused: false,
            answer,
        },
        Err(Failure::Refused(why)) => Sent {
            started,
            duration_ms,
            status: None,
            retry_after: None,
            error: Some(format!("not sent: {why}")),
            refused: true,
            answer: None,
        },
        Err(Failure::NoAnswer(error)) => Sent {
            started,
            duration_ms,
            status: None,
            retry_after: None,
            error: Some(error),
            refused: false,
            answer: None,
        },
    }
}

type Answered = (u16, Option<u32>, Option<String>);

/// Why a call brought no answer.
enum Failure {
    /// Not sent: the target breaks a rule (permanent until edited).
    Refused(String),
    /// Sent, or tried to: timeout, network error (worth retrying).
    NoAnswer(String),
}

async fn call(
    target: &Target<'_>,
    alert: &Alert,
    allow_loopback: bool,
    timeout: Duration,
    read_answer: bool,
    now: Timestamp,
) -> Result<Answered, Failure> {
    let refused = |e: &dyn std::fmt::Display| Failure::Refused(e.to_string());
    let format = Format::try_from(target.format).map_err(|e| refused(&e))?;
    let url = RecipientUrl::parse(target.url, format, allow_loopback).map_err(|e| refused(&e))?;
    let body = domain::render::body(alert, format, now);
    let headers = Headers::new();
    let set = |k: &str, v: &str| {
        headers
            .set(k, v)
            .map_err(|e| Failure::NoAnswer(e.to_string()))
    };
    set("content-type", "application/json; charset=utf-8")?;
    set("user-agent", "Candor-Alerts/1")?;
    // Every format carries the idempotency id; the generic one also signs.
    set("webhook-id", &alert.idempotency_id)?;
    if format == Format::Webhook {
        let secret = target
            .secret
            .ok_or("webhook recipient has no secret")
            .and_then(|s| WebhookSecret::try_from(s).map_err(|_| "webhook secret is malformed"))
            .map_err(|e| refused(&e))?;
        let ts = now.seconds();
        set("webhook-timestamp", &ts.to_string())?;
        set(
            "webhook-signature",
            &secret.sign(&alert.idempotency_id, ts, body.as_bytes()),
        )?;
    }
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_redirect(RequestRedirect::Manual)
        .with_body(Some(body.into()));
    let target_url = domain::render::target_url(format, url.as_str());
    let request = Request::new_with_init(&target_url, &init).map_err(|e| refused(&e))?;
    let controller = AbortController::default();
    let signal = controller.signal();
    let exchange = async {
        let mut resp = Fetch::Request(request)
            .send_with_signal(&signal)
            .await
            .map_err(|e| Failure::NoAnswer(format!("network error: {e}")))?;
        let status = resp.status_code();
        let retry_after = resp
            .headers()
            .get("retry-after")
            .ok()
            .flatten()
            .and_then(|v| parse_retry_after(&v, now));
        let answer = if read_answer {
            let text = resp.text().await.unwrap_or_default();
            Some(text.chars().take(ANSWER_EXCERPT).collect())
        } else {
            None
        };
        Ok::<Answered, Failure>((status, retry_after, answer))
    };
    let timer = Delay::from(timeout);
    // Bound to a name so the race (which borrows `signal`) ends before it.
    let outcome = match select(Box::pin(exchange), Box::pin(timer)).await {
        Either::Left((outcome, _)) => outcome,
        Either::Right(((), _)) => {
            controller.abort();
            Err(Failure::NoAnswer(format!(
                "timed out after {} ms",
                timeout.as_millis()
            )))
        }
    };
    outcome
}
