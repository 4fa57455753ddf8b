//! Sends an alert to the recipients of a case's tier. The skeleton sends the
//! generic Standard Webhooks format directly after the response is stored;
//! every attempt is logged in `deliveries`.

use crate::clock;
use crate::store::deliveries::{self, Attempt, RecipientRow};
use domain::alert::Alert;
use domain::recipient::{Format, RecipientUrl};
use domain::webhook::WebhookSecret;
use futures_util::future::{select, Either};
use std::collections::HashSet;
use std::time::Duration;
use worker::{
    AbortController, D1Database, Delay, Fetch, Headers, Method, Request, RequestInit,
    RequestRedirect,
};

/// How long one call to a chat tool may take.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// Delivers `alert` once to each distinct recipient URL (a channel shared by
/// several roles gets one message, not one per role).
pub async fn deliver(db: &D1Database, alert: &Alert, allow_loopback: bool) {
    let recipients = match deliveries::recipients(db, &alert.site, alert.tier).await {
        Ok(r) => r,
        Err(e) => {
            worker::console_error!(
                "alert {}: cannot load recipients: {e}",
                alert.idempotency_id
            );
            return;
        }
    };
    let mut seen = HashSet::new();
    for r in recipients
        .into_iter()
        .filter(|r| seen.insert(r.url.clone()))
    {
        let started = clock::now();
        let outcome = send(&r, alert, allow_loopback).await;
        let (status, error) = match outcome {
            Ok(status) => (Some(status), None),
            Err(e) => (None, Some(e)),
        };
        let attempt = Attempt {
            case_id: &alert.case_id,
            recipient_id: &r.id,
            idempotency_id: &alert.idempotency_id,
            number: 1,
            status,
            error,
            started_at: started,
            duration_ms: clock::now().millis() - started.millis(),
        };
        if let Err(e) = deliveries::log(db, &attempt).await {
            worker::console_error!("alert {}: cannot log delivery: {e}", alert.idempotency_id);
        }
    }
}

/// One HTTP call. Returns the receiver's status, or why there was none.
async fn send(r: &RecipientRow, alert: &Alert, allow_loopback: bool) -> Result<u16, String> {
    let format = Format::try_from(r.format.as_str()).map_err(|e| e.to_string())?;
    // Checked again at send time: the stored URL may predate today's rules.
    let url = RecipientUrl::parse(&r.url, format, allow_loopback).map_err(|e| e.to_string())?;
    if format != Format::Webhook {
        return Err(format!(
            "{} alerts arrive with the escalation work",
            format.as_str()
        ));
    }
    let secret = r
        .secret
        .as_deref()
        .ok_or("webhook recipient has no secret")
        .and_then(|s| WebhookSecret::try_from(s).map_err(|_| "webhook secret is malformed"))?;
    let body = alert.webhook_body();
    let ts = clock::now().seconds();
    let headers = Headers::new();
    let set = |k: &str, v: &str| headers.set(k, v).map_err(|e| e.to_string());
    set("content-type", "application/json")?;
    set("user-agent", "Candor-Alerts/1")?;
    set("webhook-id", &alert.idempotency_id)?;
    set("webhook-timestamp", &ts.to_string())?;
    set(
        "webhook-signature",
        &secret.sign(&alert.idempotency_id, ts, body.as_bytes()),
    )?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_redirect(RequestRedirect::Manual)
        .with_body(Some(body.into()));
    let request = Request::new_with_init(url.as_str(), &init).map_err(|e| e.to_string())?;
    let controller = AbortController::default();
    let signal = controller.signal();
    let call = Fetch::Request(request);
    let fetch = Box::pin(call.send_with_signal(&signal));
    let timeout = Box::pin(Delay::from(SEND_TIMEOUT));
    let outcome = match select(fetch, timeout).await {
        Either::Left((Ok(resp), _)) => Ok(resp.status_code()),
        Either::Left((Err(e), _)) => Err(format!("network error: {e}")),
        Either::Right(((), _)) => {
            controller.abort();
            Err(format!("timed out after {}s", SEND_TIMEOUT.as_secs()))
        }
    };
    outcome
}
