//! SLA re-escalation and acknowledge links against the real Worker, its
//! queue and its cron handler. Cron Triggers do not fire under `wrangler
//! dev`; the test runs the handler through `/__scheduled` (`--test-scheduled`)
//! and gives its site the shortest SLA a site may have (1 minute), so a
//! senior case is overdue a minute after it opened.

use crate::support::{answer_on, call, contact, Stack, ACK_SECRET, ADMIN_TOKEN};
use domain::ack::AckKey;
use domain::fields::SiteKey;
use domain::submission::RawSubmission;
use domain::Timestamp;
use reqwest::Method as M;
use serde_json::{json, Value};
use std::time::Duration;

fn now_ms() -> i64 {
    crate::support::now_s() * 1000
}

/// Runs the cron handler now, as the every-minute trigger would.
async fn tick(client: &reqwest::Client, stack: &Stack) {
    let url = stack.worker.url("/__scheduled?cron=*+*+*+*+*");
    let resp = client.get(&url).send().await.unwrap();
    let status = resp.status().as_u16();
    assert_eq!(status, 200, "{}", resp.text().await.unwrap_or_default());
}

/// A late delivery with this score on the `sla` site, stored; its id.
async fn submit(stack: &Stack, score: i64) -> String {
    let late = RawSubmission {
        score: Some(score),
        ..answer_on("sla", "The delivery was a week late")
    };
    stack.api().submit(&late).await;
    late.id
}

/// A callback request to the `raise` site from the same customer each time.
fn call_me_back() -> RawSubmission {
    RawSubmission {
        contact: Some(contact("ana@example.com", true)),
        ..answer_on("raise", "Nobody has called me back.")
    }
}

async fn case_of(client: &reqwest::Client, stack: &Stack, id: &str) -> Value {
    let url = stack.worker.url(&format!("/v1/admin/responses/{id}"));
    let (s, _, body) = call(client, M::GET, &url, Some(ADMIN_TOKEN), None).await;
    assert_eq!(s, 200, "{body}");
    body["case"].clone()
}

/// A form post to an acknowledge link: (status, page).
async fn post_ack(
    client: &reqwest::Client,
    url: &str,
    form: &str,
    origin: Option<&str>,
) -> (u16, String) {
    let mut req = client
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form.to_owned());
    if let Some(o) = origin {
        req = req.header("origin", o);
    }
    let resp = req.send().await.unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

async fn get_page(
    client: &reqwest::Client,
    url: &str,
) -> (u16, reqwest::header::HeaderMap, String) {
    let resp = client.get(url).send().await.unwrap();
    let (status, headers) = (resp.status().as_u16(), resp.headers().clone());
    (status, headers, resp.text().await.unwrap())
}

/// The acknowledge link of `opened` (the alert of case `acked`): GET changes
/// nothing, forged/altered/expired links are refused, the POST acknowledges
/// once, and the channel is told who took it.
async fn acknowledge_through_the_link(
    client: &reqwest::Client,
    stack: &Stack,
    acked: &str,
    opened: &Value,
) {
    let (client, stack) = (client, stack);
    // The acknowledge link: GET shows a confirm page and changes nothing.
    let link = opened["data"]["ack_url"]
        .as_str()
        .expect("ack link")
        .to_owned();
    assert!(link.starts_with(&stack.worker.url("/ack/")), "{link}");
    let (s, headers, page) = get_page(client, &link).await;
    assert_eq!(s, 200, "{page}");
    assert!(page.contains("<form method=\"post\">"), "{page}");
    assert!(
        !page.contains("The delivery was a week late"),
        "no customer words on the page"
    );
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.starts_with("default-src 'none'") && !csp.contains("unsafe"),
        "{csp}"
    );
    // The token never leaves this origin; the page's own post carries it.
    assert_eq!(headers["referrer-policy"], "same-origin");
    assert_eq!(case_of(client, stack, acked).await["state"], "open");

    // A link from before sites had homes (no site in it) still finds its
    // case in D1.
    let old = crate::support::ack_token_before_homes(acked, now_ms() / 1000);
    let (s, _, page) = get_page(client, &stack.worker.url(&format!("/ack/{old}"))).await;
    assert_eq!(s, 200, "{page}");
    assert!(page.contains("<form method=\"post\">"), "{page}");

    // Forged, altered and expired links are refused with a page and 4xx.
    let token = link.rsplit('/').next().unwrap().to_owned();
    let base = stack.worker.url("/ack/");
    let mut altered = token.clone().into_bytes();
    altered[3] = if altered[3] == b'A' { b'B' } else { b'A' };
    let altered = String::from_utf8(altered).unwrap();
    let other_key = AckKey::try_from("some-other-key-that-is-32-chars-long").unwrap();
    let sla = SiteKey::try_from("sla").unwrap();
    let forged = other_key.sign(&sla, acked, Timestamp::from_millis(now_ms()));
    let ours = AckKey::try_from(ACK_SECRET).unwrap();
    let expired = ours.sign(
        &sla,
        acked,
        Timestamp::from_millis(now_ms() - 25 * 3_600_000),
    );
    let before_homes = crate::support::ack_token_before_homes(acked, now_ms() / 1000 - 25 * 3600);
    let wrong_site = ours.sign(
        &SiteKey::try_from("demo").unwrap(),
        acked,
        Timestamp::from_millis(now_ms()),
    );
    for (bad, status, says) in [
        (altered.as_str(), 403, "This link is not valid"),
        (forged.as_str(), 403, "This link is not valid"),
        ("not-a-token", 403, "This link is not valid"),
        (expired.as_str(), 410, "This link has expired"),
        (before_homes.as_str(), 410, "This link has expired"),
        // Signed, but for another site's case: not found there.
        (wrong_site.as_str(), 404, "Nothing to acknowledge here"),
    ] {
        let (s, _, page) = get_page(client, &format!("{base}{bad}")).await;
        assert_eq!(s, status, "{bad}: {page}");
        assert!(page.contains(says), "{page}");
        let (s, page) = post_ack(client, &format!("{base}{bad}"), "by=Mallory", None).await;
        assert_eq!(s, status, "{bad}: {page}");
    }
    // A post from another site, or without a name, changes nothing.
    let (s, _) = post_ack(client, &link, "by=Mallory", Some("https://evil.example")).await;
    assert_eq!(s, 403);
    let (s, page) = post_ack(client, &link, "by=", None).await;
    assert_eq!(s, 400, "{page}");
    assert_eq!(case_of(client, stack, acked).await["state"], "open");

    // The POST acknowledges, once; the channel hears who took it.
    let (s, page) = post_ack(client, &link, "by=Ana+Lima", None).await;
    assert_eq!(s, 201, "{page}");
    assert!(page.contains("thank you, Ana Lima"), "{page}");
    let case = case_of(client, stack, acked).await;
    assert_eq!(case["state"], "acknowledged");
    let ack_event = case["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "acknowledged")
        .cloned()
        .unwrap();
    assert_eq!(ack_event["by"], "Ana Lima (alert link)");
    let (s, page) = post_ack(client, &link, "by=Bo", None).await;
    assert_eq!(s, 409, "{page}");
    assert!(page.contains("Already acknowledged"), "{page}");
    assert_eq!(get_page(client, &link).await.0, 409);
    let told = stack
        .wait_for_alert(&crate::support::alert_id(acked, "senior", "acknowledged"))
        .await;
    assert_eq!(told["data"]["reason"]["kind"], "acknowledged");
    assert_eq!(told["data"]["reason"]["by"], "Ana Lima (alert link)");
    assert!(told["data"]["ack_url"].is_null());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overdue_cases_climb_once_and_links_acknowledge_once() {
    let stack = Stack::start("escalation-sla");
    let client = reqwest::Client::new();
    stack
        .put_site(
            "sla",
            &crate::support::ALL_ROLES_TO_INBOX,
            json!({"origins": ["https://shop.sla.example"], "sla_minutes": {"senior": 1, "president": 1}}),
        )
        .await;
    let start = now_ms();
    let late = submit(&stack, 1).await;
    let acked = submit(&stack, 2).await;
    let opened = stack
        .wait_for_alert(&crate::support::alert_id(&acked, "senior", "opened"))
        .await;
    stack
        .wait_for_alert(&crate::support::alert_id(&late, "senior", "opened"))
        .await;

    acknowledge_through_the_link(&client, &stack, &acked, &opened).await;

    // Before the one-minute deadline nothing happens.
    tick(&client, &stack).await;
    // After it, the unacknowledged case climbs to the president, once, even
    // with ticks overlapping and repeating.
    let wait = (start + 62_000 - now_ms()).max(0);
    tokio::time::sleep(Duration::from_millis(u64::try_from(wait).unwrap())).await;
    tokio::join!(
        tick(&client, &stack),
        tick(&client, &stack),
        tick(&client, &stack)
    );
    let up = crate::support::alert_id(&late, "president", "overdue");
    let alert = stack.wait_for_alert(&up).await;
    assert_eq!(alert["data"]["level"], "president");
    assert_eq!(
        alert["data"]["reason"],
        json!({"kind": "not_acknowledged", "minutes": 1})
    );
    assert!(
        alert["data"]["ack_url"].is_string(),
        "still open: the link is offered again"
    );
    // The president is the top: nothing more to climb.
    tick(&client, &stack).await;
    tick(&client, &stack).await;
    tokio::time::sleep(Duration::from_secs(3)).await;

    assert_eq!(stack.alerts_with_id(&up).len(), 1);
    let late_case = case_of(&client, &stack, &late).await;
    assert_eq!(late_case["level"], "president");
    let escalations: Vec<&Value> = late_case["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "escalated")
        .collect();
    assert_eq!(escalations.len(), 1, "{late_case}");
    assert_eq!(escalations[0]["by"], "sla");
    // The acknowledged case never re-escalates; its call, due within the
    // same minute the thank-you promised (rule 5), is overdue once, however
    // many later ticks run.
    let later = stack.worker.url(&format!(
        "/__scheduled?cron=*+*+*+*+*&time={}",
        now_ms() + 5 * 60_000
    ));
    for _ in 0..2 {
        assert_eq!(
            client.get(&later).send().await.unwrap().status().as_u16(),
            200
        );
    }
    stack
        .wait_for_alert(&crate::support::alert_id(&acked, "senior", "call_overdue"))
        .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let acked_case = case_of(&client, &stack, &acked).await;
    assert_eq!(acked_case["level"], "senior");
    let acked_alerts: Vec<Value> = stack
        .inbox
        .received()
        .iter()
        .filter(|r| {
            r.header("webhook-id")
                .is_some_and(|id| id.contains(&acked.replace('-', "")))
        })
        .filter_map(|r| serde_json::from_str::<Value>(&r.body).ok())
        .collect();
    let kinds = |kind: &str| {
        acked_alerts
            .iter()
            .filter(|a| a["data"]["reason"]["kind"] == kind)
            .count()
    };
    assert_eq!(
        kinds("not_acknowledged"),
        0,
        "an acknowledged case never climbs"
    );
    assert_eq!(kinds("step_overdue"), 1, "its missed call is told once");
    // Every alert id arrived exactly once.
    let mut ids: Vec<String> = stack
        .inbox
        .received()
        .iter()
        .filter_map(|r| r.header("webhook-id").map(str::to_owned))
        .collect();
    let all = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), all, "an alert arrived twice: {ids:?}");
}

/// Defect (rule 6): a callback from a contact with an open `service` case
/// joined it even when the new answer invoked the guarantee, so the case
/// stayed `service` and the president was never told. Joining never lowers
/// severity: the case takes the new tier and level, an `escalated` event
/// says why, and the new level gets an alert about the new answer — once,
/// whatever the retries. A milder answer joins without changing anything.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worse_answer_joining_an_open_case_raises_it_and_tells_the_new_level() {
    let stack = Stack::start("rule-six-raise");
    let client = reqwest::Client::new();
    stack
        .put_site(
            "raise",
            &crate::support::ALL_ROLES_TO_INBOX,
            json!({"guarantee": true}),
        )
        .await;
    let api = stack.api();

    // A callback request: a service case.
    let first = call_me_back();
    let (s, _, reply) = api.send(&first).await;
    assert_eq!(s, 201, "{reply}");
    let case = first.id;
    stack
        .wait_for_alert(&crate::support::alert_id(&case, "service", "opened"))
        .await;

    // The same customer again: score 1 and the guarantee.
    let worse = RawSubmission {
        score: Some(1),
        guarantee: true,
        ..call_me_back()
    };
    let (s, _, reply) = api.send(&worse).await;
    assert_eq!(s, 201, "{reply}");
    assert_eq!(reply["tier"], "president");
    let next = reply["next"].as_str().unwrap();
    assert!(
        next.contains("added this to the request") && next.contains("president"),
        "{next}"
    );
    let raised = stack
        .wait_for_alert(&crate::support::alert_id(&case, "president", "raised"))
        .await;
    assert_eq!(
        raised["data"]["reason"],
        json!({"kind": "raised", "response": worse.id})
    );
    assert_eq!(raised["data"]["level"], "president");
    assert_eq!(raised["data"]["score"], 1, "the alert shows the new answer");
    assert_eq!(raised["data"]["guarantee"], true);
    assert!(raised["data"]["ack_url"].is_string(), "{raised}");
    let stored = case_of(&client, &stack, &case).await;
    assert_eq!(
        (&stored["tier"], &stored["level"], &stored["state"]),
        (&json!("president"), &json!("president"), &json!("open")),
        "{stored}"
    );

    // The widget retries the same answer; a milder one joins quietly.
    let (s, _, _) = api.send(&worse).await;
    assert_eq!(s, 200);
    let milder = RawSubmission {
        score: Some(3),
        ..call_me_back()
    };
    let (s, _, reply) = api.send(&milder).await;
    assert_eq!(s, 201, "{reply}");
    assert!(
        reply["next"].as_str().unwrap().contains("president"),
        "{reply}"
    );
    tokio::time::sleep(Duration::from_secs(3)).await;

    let stored = case_of(&client, &stack, &case).await;
    assert_eq!(stored["tier"], "president", "never lowered");
    let types: Vec<&str> = stored["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["type"].as_str())
        .collect();
    assert_eq!(
        types,
        ["opened", "message", "escalated", "message"],
        "{stored}"
    );
    let escalated = stored["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "escalated")
        .unwrap();
    assert_eq!(escalated["by"], "customer");
    assert_eq!(
        stack
            .alerts_with_id(&crate::support::alert_id(&case, "president", "raised"))
            .len(),
        1,
        "the raise is told once"
    );
    let alerts: Vec<String> = stack
        .inbox
        .received()
        .iter()
        .filter_map(|r| r.header("webhook-id").map(str::to_owned))
        .collect();
    assert_eq!(
        alerts.len(),
        2,
        "opened and raised, nothing else: {alerts:?}"
    );
}
