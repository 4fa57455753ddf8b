//! The check after a deploy, against the live URL: the Worker answers
//! `/health` with its version and a D1 that answers, serves `/widget.js`
//! with the headers a host page needs, answers a browser's preflight for
//! `POST /v1/responses`, and hands an admin route to the back office, which
//! refuses it without a token (so the service binding works). Reads only;
//! posts nothing.

use crate::Result;
use std::time::Duration;

const ORIGIN: &str = "https://smoke-check.example";

fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(20))
        .build()
}

/// A request's status and headers; an HTTP error status is an answer too.
fn send(req: ureq::Request) -> Result<ureq::Response> {
    match req.call() {
        Ok(resp) | Err(ureq::Error::Status(_, resp)) => Ok(resp),
        Err(e) => Err(format!("no answer: {e}").into()),
    }
}

/// A response's status and its body as JSON (null when it is not JSON).
fn json_of(resp: ureq::Response) -> (u16, serde_json::Value) {
    let status = resp.status();
    let body = resp
        .into_string()
        .ok()
        .and_then(|b| serde_json::from_str(&b).ok())
        .unwrap_or_default();
    (status, body)
}

/// What failed, one line each; empty when the deployment looks right.
pub fn check(url: &str) -> Result<Vec<String>> {
    let url = url.trim_end_matches('/');
    let agent = agent();
    let mut wrong = Vec::new();

    let (status, body) = json_of(send(agent.get(&format!("{url}/health")))?);
    if status != 200 || body["ok"] != true || body["d1"] != "ok" || !body["version"].is_string() {
        wrong.push(format!(
            "/health answered {status} {body}: want 200 with a version and d1 ok"
        ));
    }

    let widget = send(agent.get(&format!("{url}/widget.js")))?;
    let kind = widget.header("content-type").unwrap_or_default().to_owned();
    let cors = widget
        .header("access-control-allow-origin")
        .unwrap_or_default()
        .to_owned();
    if widget.status() != 200 || !kind.contains("javascript") || cors != "*" {
        wrong.push(format!(
            "/widget.js answered {} ({kind}, allow-origin {cors:?}): want 200, JavaScript, *",
            widget.status()
        ));
    }

    let preflight = send(
        agent
            .request("OPTIONS", &format!("{url}/v1/responses"))
            .set("origin", ORIGIN)
            .set("access-control-request-method", "POST")
            .set("access-control-request-headers", "content-type"),
    )?;
    let allowed = preflight
        .header("access-control-allow-origin")
        .unwrap_or_default()
        .to_owned();
    if preflight.status() != 204 || allowed != ORIGIN {
        wrong.push(format!(
            "the preflight for POST /v1/responses answered {} (allow-origin {allowed:?}): want 204 allowing the page's origin",
            preflight.status()
        ));
    }
    let (status, body) = json_of(send(agent.get(&format!("{url}/v1/admin/people")))?);
    if status != 401 || body["error"]["code"] != "unauthorized" {
        wrong.push(format!(
            "/v1/admin/people without a token answered {status} {body}: want the office's 401 unauthorized (is the OFFICE binding deployed?)"
        ));
    }
    Ok(wrong)
}
