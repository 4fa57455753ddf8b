//! Managers' site configuration against the real Worker: bearer auth (401
//! without, 403 wrong), the wording check and URL rules refusing before
//! anything is saved, and a saved configuration taking effect at once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Stack, ADMIN_TOKEN, INBOX_SECRET};
use reqwest::Method as M;
use serde_json::{json, Value};

async fn call(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> (u16, Value, String) {
    let mut req = client.request(method, url);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    if let Some(b) = body {
        req = req
            .header("content-type", "application/json")
            .body(b.to_string());
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::Null),
        text,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn site_configuration_contract() {
    let stack = Stack::start("admin-sites");
    let client = reqwest::Client::new();
    let demo = stack.worker.url("/v1/admin/sites/demo");
    let acme = stack.worker.url("/v1/admin/sites/acme");

    let (s, body, _) = call(&client, M::GET, &demo, None, None).await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (401, Some("unauthorized"))
    );
    let (s, body, _) = call(&client, M::GET, &demo, Some("not-the-token"), None).await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (403, Some("forbidden"))
    );
    let (s, body, text) = call(&client, M::GET, &demo, Some(ADMIN_TOKEN), None).await;
    assert_eq!(s, 200, "{text}");
    assert_eq!(body["recipients"].as_array().map(Vec::len), Some(4));
    assert!(
        !text.contains("whsec_"),
        "secrets are never read back: {text}"
    );

    let inbox = stack.inbox.url("/inbox");
    let good = json!({
        "origins": ["https://shop.acme.example"],
        "copy": {"en": {"question": "What let you down today?"}},
        "recipients": [{"role": "service_manager", "format": "webhook", "url": inbox, "secret": INBOX_SECRET}],
        "sla_minutes": {"service": 120},
        "guarantee": false
    });
    let mut bait = good.clone();
    bait["copy"]["en"]["question"] = "Was everything excellent?".into();
    let (s, body, _) = call(&client, M::PUT, &acme, Some(ADMIN_TOKEN), Some(&bait)).await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (400, Some("invalid_copy"))
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("\"excellent\""),
        "{body}"
    );
    let mut private = good.clone();
    private["recipients"][0]["url"] = "https://10.0.0.7/hook".into();
    let (s, body, _) = call(&client, M::PUT, &acme, Some(ADMIN_TOKEN), Some(&private)).await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (400, Some("invalid_url"))
    );
    let mut unknown = good.clone();
    unknown["colour"] = "green".into();
    assert_eq!(
        call(&client, M::PUT, &acme, Some(ADMIN_TOKEN), Some(&unknown))
            .await
            .0,
        400
    );
    assert_eq!(call(&client, M::PUT, &acme, None, Some(&good)).await.0, 401);
    let (s, _, _) = call(&client, M::GET, &acme, Some(ADMIN_TOKEN), None).await;
    assert_eq!(s, 404, "refused configurations save nothing");

    let (s, body, text) = call(&client, M::PUT, &acme, Some(ADMIN_TOKEN), Some(&good)).await;
    assert_eq!(s, 200, "{text}");
    assert_eq!(body["origins"], json!(["https://shop.acme.example"]));
    assert_eq!(body["sla_minutes"]["service"], 120);
    assert_eq!(body["sla_minutes"]["president"], 15);
    assert!(!text.contains("whsec_"), "{text}");
    assert_eq!(
        call(&client, M::PATCH, &acme, Some(ADMIN_TOKEN), None)
            .await
            .0,
        405
    );

    saved_configuration_is_live(&stack, &client).await;
}

/// The saved configuration is live: its origin may post, others may not, and
/// a callback request reaches its service manager with the phone masked.
async fn saved_configuration_is_live(stack: &Stack, client: &reqwest::Client) {
    let answer = json!({"site": "acme", "id": uuid::Uuid::new_v4().to_string(), "gaps": "Call me about the refund",
                        "contact": {"phone": "+44 20 7946 0958", "callback": true}});
    let post = |origin: &'static str| {
        client
            .post(stack.worker.url("/v1/responses"))
            .header("content-type", "application/json")
            .header("origin", origin)
            .body(answer.to_string())
    };
    assert_eq!(
        post("https://other.example").send().await.unwrap().status(),
        403
    );
    let created = post("https://shop.acme.example").send().await.unwrap();
    assert_eq!(created.status(), 201);
    let reply: Value = created.json().await.unwrap();
    assert_eq!(reply["tier"], "service");
    assert!(
        reply["next"].as_str().unwrap().contains("within 2 hours"),
        "{reply}"
    );
    let alerts = stack
        .wait_for_alerts(1, std::time::Duration::from_secs(10))
        .await;
    assert_eq!(alerts.len(), 1);
    assert!(
        !alerts[0].body.contains("7946"),
        "phone numbers are masked in alerts: {}",
        alerts[0].body
    );
}
