//! The Worker's HTTP API as the tests call it: answers posted as a
//! customer's widget posts them, built from the domain's own wire type
//! ([`RawSubmission`], so a test cannot send a shape the widget never
//! would), and the managers' bearer-token calls. Tests whose point is a raw,
//! hostile or malformed body write that body themselves.

use super::{Stack, ADMIN_TOKEN};
use domain::submission::{RawContact, RawSubmission};
use reqwest::header::HeaderMap;
use reqwest::{Method, RequestBuilder};
use serde_json::Value;
use std::time::Duration;

/// What a call got: the status, the headers and the body parsed as JSON
/// (`Null` if it is not).
pub type Reply = (u16, HeaderMap, Value);

/// One call with an optional JSON body; `token` is the managers' bearer
/// token. Returns the status, the headers and the body as it came.
pub async fn call_text(
    client: &reqwest::Client,
    method: Method,
    url: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> (u16, HeaderMap, String) {
    let mut req = client.request(method, url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req
            .header("content-type", "application/json")
            .body(serde_json::to_vec(b).expect("json"));
    }
    send(req).await
}

/// One JSON call; `token` is the managers' bearer token. Returns the
/// status, the headers and the body parsed as JSON (`Null` if it is not).
pub async fn call(
    client: &reqwest::Client,
    method: Method,
    url: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Reply {
    parsed(call_text(client, method, url, token, body).await)
}

/// Asserts the error shape of docs/wire-contract.md#errors, with this
/// status and code.
pub fn assert_error(got: &Reply, status: u16, code: &str) {
    assert_eq!(got.0, status, "{}", got.2);
    assert_eq!(got.2["error"]["code"], code, "{}", got.2);
    assert!(
        got.2["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{}",
        got.2
    );
}

/// What wrangler's local dev proxy answers, as a plain-text 503, when it
/// lost a request on its way to workerd (it happens under load; Cloudflare's
/// edge does not do it).
pub const PROXY_LOST: &str = "Your worker restarted mid-request";

/// An answer to `site` with a fresh id, the words `gaps` and nothing else
/// set; a test adds what it needs with
/// `RawSubmission { score: Some(2), ..answer_on("acme", "…") }`.
pub fn answer_on(site: &str, gaps: &str) -> RawSubmission {
    RawSubmission {
        site: site.into(),
        id: uuid::Uuid::new_v4().to_string(),
        gaps: gaps.into(),
        ..RawSubmission::default()
    }
}

/// An answer to the demo site; see [`answer_on`].
pub fn answer(gaps: &str) -> RawSubmission {
    answer_on("demo", gaps)
}

/// An answer to the demo site with a score (1 to 5, or not, to be refused).
pub fn scored(gaps: &str, score: i64) -> RawSubmission {
    RawSubmission {
        score: Some(score),
        ..answer(gaps)
    }
}

/// Contact details by email, with or without a request to be called back;
/// a test adds a name or a phone with
/// `RawContact { name: Some(…), ..contact("…", true) }`.
pub fn contact(email: &str, callback: bool) -> RawContact {
    RawContact {
        email: Some(email.into()),
        callback,
        ..RawContact::default()
    }
}

/// What [`Api::send_despite_lost_requests`] got in the end.
pub struct Sent {
    pub status: u16,
    pub text: String,
    /// How often the dev proxy lost the answer and it was sent again.
    pub resent: u32,
}

impl Sent {
    /// The dev proxy lost even the last copy.
    pub fn lost(&self) -> bool {
        self.status == 503 && self.text.contains(PROXY_LOST)
    }
}

/// The Worker's API at one address. It owns its client and the address, so
/// a clone can go into a spawned task.
#[derive(Clone)]
pub struct Api {
    pub client: reqwest::Client,
    base: String,
}

impl Api {
    pub fn new(stack: &Stack) -> Self {
        Self {
            client: reqwest::Client::new(),
            base: stack.worker.url(""),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `POST /v1/responses` with `answer` as its JSON body, not sent yet: a
    /// test may add a header, or send copies.
    pub fn request(&self, answer: &RawSubmission) -> RequestBuilder {
        self.client
            .post(self.url("/v1/responses"))
            .header("content-type", "application/json")
            .body(serde_json::to_vec(answer).expect("an answer serialises"))
    }

    /// Sends `answer` as a server would (no `Origin`); whatever the status.
    pub async fn send(&self, answer: &RawSubmission) -> Reply {
        parsed(send(self.request(answer)).await)
    }

    /// Sends `answer` from a page on `origin`; whatever the status.
    pub async fn send_from(&self, origin: &str, answer: &RawSubmission) -> Reply {
        parsed(send(self.request(answer).header("origin", origin)).await)
    }

    /// Sends `answer`, which must be stored (`201`); returns the reply.
    pub async fn submit(&self, answer: &RawSubmission) -> Value {
        let got = self.send(answer).await;
        assert_eq!(got.0, 201, "{}", got.2);
        got.2
    }

    /// Sends `answer` as the widget does on a flaky network: an answer the
    /// dev proxy lost ([`PROXY_LOST`]) is sent again, with the same id, 200 ms
    /// later, up to six sends in all.
    pub async fn send_despite_lost_requests(&self, answer: &RawSubmission) -> Sent {
        let mut resent = 0;
        loop {
            let (status, _, text) = send_once(self.request(answer)).await;
            let sent = Sent {
                status,
                text,
                resent,
            };
            if !sent.lost() || resent == 5 {
                return sent;
            }
            resent += 1;
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// A managers' call with the bearer token.
    pub async fn admin(&self, method: Method, path: &str, body: Option<&Value>) -> Reply {
        call(
            &self.client,
            method,
            &self.url(path),
            Some(ADMIN_TOKEN),
            body,
        )
        .await
    }

    /// `PUT /v1/admin/sites/{site}`, which must succeed.
    pub async fn put_site(&self, site: &str, config: &Value) {
        let got = self
            .admin(
                Method::PUT,
                &format!("/v1/admin/sites/{site}"),
                Some(config),
            )
            .await;
        assert_eq!(got.0, 200, "{}", got.2);
    }

    /// `DELETE /v1/admin/responses/{id}`, as the privacy desk.
    pub async fn erase(&self, id: &str) -> Reply {
        self.admin(
            Method::DELETE,
            &format!("/v1/admin/responses/{id}?by=Privacy%20desk"),
            None,
        )
        .await
    }

    /// `POST /v1/admin/cases/{case}/events`: a step on a case.
    pub async fn event(&self, case: &str, body: Value) -> Reply {
        self.admin(
            Method::POST,
            &format!("/v1/admin/cases/{case}/events"),
            Some(&body),
        )
        .await
    }
}

/// Sends `request` once, whatever comes back.
async fn send_once(request: RequestBuilder) -> (u16, HeaderMap, String) {
    let resp = request.send().await.expect("request");
    let (status, headers) = (resp.status().as_u16(), resp.headers().clone());
    (status, headers, resp.text().await.unwrap_or_default())
}

/// Sends `request`; one the dev proxy lost ([`PROXY_LOST`]) is sent again,
/// 200 ms later, up to six sends in all. wrangler's proxy loses a request
/// that lands on an idle keep-alive connection to workerd as it is being
/// closed (cloudflare/workers-sdk#14641): the request never reached the
/// Worker, and Cloudflare's edge has no such hop, so the test sends it again
/// as a client does on a 503 with `Retry-After: 0`.
pub async fn send(request: RequestBuilder) -> (u16, HeaderMap, String) {
    let mut request = request;
    let mut sends = 1;
    loop {
        let again = request.try_clone();
        let (status, headers, text) = send_once(request).await;
        let lost = status == 503 && text.contains(PROXY_LOST);
        match again {
            Some(next) if lost && sends < 6 => {
                sends += 1;
                request = next;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            _ => return (status, headers, text),
        }
    }
}

fn parsed((status, headers, text): (u16, HeaderMap, String)) -> Reply {
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    (status, headers, json)
}
