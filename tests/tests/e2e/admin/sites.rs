//! Managers' site configuration against the real Worker: bearer auth (401
//! without, 403 wrong), the wording check and URL rules refusing before
//! anything is saved, a saved configuration taking effect at once, GET's
//! answer being valid PUT input that keeps recipient ids, secrets and
//! settings, and recipient URLs masked unless the owner reveals one.

use crate::support::api::call_text;
use crate::support::dashboard::HttpSession;
use crate::support::{answer_on, now_s, Stack, ADMIN_TOKEN, INBOX_SECRET};
use domain::submission::{RawContact, RawSubmission};
use reqwest::Method as M;
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// One call (see [`call_text`]): the status, the body parsed as JSON
/// (`Null` if it is not) and the body as it came, to search for what must
/// never be in it.
async fn call(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> (u16, Value, String) {
    let (status, _, text) = call_text(client, method, url, token, body).await;
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    (status, json, text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn site_configuration_is_checked_before_it_is_saved_and_live_at_once() {
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
    trailing_dots_are_refused(&client, &stack, &acme, &good).await;
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

    saved_configuration_is_live(&stack).await;
}

/// The saved configuration is live: its origin may post, others may not, and
/// a callback request reaches its service manager with the phone masked.
async fn saved_configuration_is_live(stack: &Stack) {
    let api = stack.api();
    let answer = RawSubmission {
        contact: Some(RawContact {
            phone: Some("+44 20 7946 0958".into()),
            callback: true,
            ..RawContact::default()
        }),
        ..answer_on("acme", "Call me about the refund")
    };
    assert_eq!(api.send_from("https://other.example", &answer).await.0, 403);
    let (status, _, reply) = api.send_from("https://shop.acme.example", &answer).await;
    assert_eq!(status, 201);
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
        !crate::support::words_of(&alerts[0].body).contains(&"7946"),
        "phone numbers are masked in alerts: {}",
        alerts[0].body
    );
}

/// Issue 20, defect 7: `localhost.` is `localhost` (the trailing dot is the
/// DNS root), so it is refused like it, for a new site and an existing one,
/// and nothing is stored.
async fn trailing_dots_are_refused(
    client: &reqwest::Client,
    stack: &Stack,
    acme: &str,
    good: &Value,
) {
    let demo = stack.worker.url("/v1/admin/sites/demo");
    let before = stack.rows("SELECT * FROM recipients ORDER BY id");
    for url in [
        "https://localhost./x",
        "https://metadata.google.internal./x",
        "https://intranet./x",
    ] {
        let mut dotted = good.clone();
        dotted["recipients"][0]["url"] = url.into();
        for site in [acme, demo.as_str()] {
            let (s, body, _) = call(client, M::PUT, site, Some(ADMIN_TOKEN), Some(&dotted)).await;
            assert_eq!(
                (s, body["error"]["code"].as_str()),
                (400, Some("invalid_url")),
                "{url} at {site}: {body}"
            );
        }
    }
    assert_eq!(
        stack.rows("SELECT * FROM recipients ORDER BY id"),
        before,
        "nothing stored"
    );
}

/// A second signing secret, so the test can tell which one signed.
const SECOND_SECRET: &str = "whsec_c2Vjb25kLWluYm94LXNlY3JldC1mb3ItdGhlLXJvdW5kLXRyaXA=";
const TURNSTILE_SECRET: &str = "1x0000000000000000000000000000000AA";

/// The stored recipients of `site`, by role, with what GET never shows.
fn recipient_rows(stack: &Stack, site: &str) -> Vec<Value> {
    stack.rows(&format!(
        "SELECT id, role, format, url, secret FROM recipients WHERE site = '{site}' ORDER BY role"
    ))
}

fn ids(rows: &[Value]) -> BTreeSet<String> {
    rows.iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

fn id_of(rows: &[Value], role: &str) -> String {
    rows.iter().find(|r| r["role"] == role).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn site_row(stack: &Stack, site: &str) -> Value {
    stack.rows(&format!(
        "SELECT origins, copy, show_score, show_guarantee, cooldown_days, sla_minutes, \
         rate_per_minute, retention_days, turnstile_sitekey, turnstile_secret, updated_at FROM sites WHERE key = '{site}'"
    ))[0]
        .clone()
}

/// Sends a test alert to recipient `rid` of `site`; returns what arrived.
async fn test_alert(
    client: &reqwest::Client,
    stack: &Stack,
    site: &str,
    rid: &str,
) -> tests::receiver::Received {
    let before = stack.inbox.received().len();
    let url = stack
        .worker
        .url(&format!("/v1/admin/sites/{site}/recipients/{rid}/test"));
    let (s, body, text) = call(client, M::POST, &url, Some(ADMIN_TOKEN), None).await;
    assert_eq!(
        (s, body["result"].as_str()),
        (200, Some("delivered")),
        "{text}"
    );
    let got = stack.inbox.received();
    assert_eq!(got.len(), before + 1, "one test alert arrived");
    got[before].clone()
}

/// Issue 20, defect 8: GET's answer is valid PUT input; a PUT keeps the ids
/// it names (and the secrets and URLs it omits), gives new recipients new
/// ids, and leaves omitted settings as they were.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_output_is_put_input_and_keeps_ids_secrets_and_settings() {
    let stack = Stack::start("admin-sites-round-trip");
    let client = reqwest::Client::new();
    let trip = stack.worker.url("/v1/admin/sites/trip");
    let (a, b) = (stack.inbox.url("/trip-a"), stack.inbox.url("/trip-b"));
    let first = json!({
        "origins": ["https://shop.trip.example"],
        "recipients": [
            {"role": "service_manager", "format": "webhook", "url": a, "secret": INBOX_SECRET},
            {"role": "client_manager", "format": "webhook", "url": b, "secret": SECOND_SECRET}
        ],
        "rate_per_minute": 77,
        "retention_days": 400,
        "cooldown_days": 9,
        "guarantee": true,
        "sla_minutes": {"senior": 20},
        "turnstile": {"sitekey": "1x00000000000000000000AA", "secret": TURNSTILE_SECRET}
    });
    let (s, _, text) = call(&client, M::PUT, &trip, Some(ADMIN_TOKEN), Some(&first)).await;
    assert_eq!(s, 200, "{text}");
    let rows = recipient_rows(&stack, "trip");
    let site = site_row(&stack, "trip");
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (
            site["rate_per_minute"].as_u64(),
            site["retention_days"].as_u64(),
            site["turnstile_secret"].as_str()
        ),
        (Some(77), Some(400), Some(TURNSTILE_SECRET))
    );

    // GET, then PUT exactly what GET said: nothing changes but the time.
    let (s, got, text) = call(&client, M::GET, &trip, Some(ADMIN_TOKEN), None).await;
    assert_eq!(s, 200, "{text}");
    let (s, again, text) = call(&client, M::PUT, &trip, Some(ADMIN_TOKEN), Some(&got)).await;
    assert_eq!(s, 200, "GET's answer is valid PUT input: {text}");
    assert_eq!(
        recipient_rows(&stack, "trip"),
        rows,
        "ids, URLs and secrets kept"
    );
    let mut kept = site_row(&stack, "trip");
    kept["updated_at"] = site["updated_at"].clone();
    assert_eq!(kept, site, "every setting kept");
    assert_eq!(again["recipients"], got["recipients"]);
    assert_eq!(again["turnstile"], got["turnstile"]);

    old_secrets_still_sign(&client, &stack, &rows).await;

    // Omitted settings are unchanged: Turnstile, the rate, everything.
    put_ok(
        &client,
        &trip,
        &json!({"origins": ["https://shop.trip.example"]}),
    )
    .await;
    let mut kept = site_row(&stack, "trip");
    kept["updated_at"] = site["updated_at"].clone();
    assert_eq!(kept, site, "omitted means unchanged");
    assert_eq!(recipient_rows(&stack, "trip"), rows);

    ids_are_kept_added_and_never_reused(&client, &stack, &first, &got).await;
    turnstile_changes_only_when_asked(&client, &stack, &trip).await;
}

/// A PUT that must succeed; returns its answer.
async fn put_ok(client: &reqwest::Client, url: &str, body: &Value) -> Value {
    let (s, answer, text) = call(client, M::PUT, url, Some(ADMIN_TOKEN), Some(body)).await;
    assert_eq!(s, 200, "{body} → {text}");
    answer
}

/// After round trips, each webhook recipient still signs with its secret.
async fn old_secrets_still_sign(client: &reqwest::Client, stack: &Stack, rows: &[Value]) {
    let to_a = test_alert(client, stack, "trip", &id_of(rows, "service_manager")).await;
    assert_eq!(to_a.path, "/trip-a");
    assert!(
        to_a.signature_valid(INBOX_SECRET, now_s()),
        "signed with A's old secret"
    );
    let to_b = test_alert(client, stack, "trip", &id_of(rows, "client_manager")).await;
    assert_eq!(to_b.path, "/trip-b");
    assert!(
        to_b.signature_valid(SECOND_SECRET, now_s()),
        "signed with B's old secret"
    );
}

/// A recipient added by a later PUT gets a new id while the others keep
/// theirs; one left out goes; ids are never reused.
async fn ids_are_kept_added_and_never_reused(
    client: &reqwest::Client,
    stack: &Stack,
    first: &Value,
    got: &Value,
) {
    let trip = stack.worker.url("/v1/admin/sites/trip");
    let rows = recipient_rows(stack, "trip");
    let mut more = got.clone();
    more["recipients"]
        .as_array_mut()
        .unwrap()
        .push(json!({"role": "president",
        "format": "webhook", "url": stack.inbox.url("/trip-a"), "secret": SECOND_SECRET}));
    put_ok(client, &trip, &more).await;
    let now = recipient_rows(stack, "trip");
    assert_eq!(now.len(), 3);
    let added = id_of(&now, "president");
    assert!(
        !ids(&rows).contains(&added),
        "a new id, not an old one: {added}"
    );
    assert!(ids(&now).is_superset(&ids(&rows)), "the others keep theirs");
    assert_ne!(added, "trip-president-2", "not a position-based id");

    refusals_change_nothing(client, stack, &trip, got).await;

    // A recipient the body leaves out is removed; its id is never reused.
    let mut fewer = got.clone();
    fewer["recipients"].as_array_mut().unwrap().truncate(1);
    let kept_id = fewer["recipients"][0]["id"].as_str().unwrap().to_owned();
    put_ok(client, &trip, &fewer).await;
    assert_eq!(
        ids(&recipient_rows(stack, "trip")),
        BTreeSet::from([kept_id])
    );
    put_ok(client, &trip, first).await;
    let fresh = ids(&recipient_rows(stack, "trip"));
    assert_eq!(fresh.len(), 2);
    assert!(
        fresh.is_disjoint(&ids(&now)),
        "recipients without ids are new"
    );
}

/// A new sitekey without a secret keeps the stored secret; Turnstile goes
/// only when the body says `null`.
async fn turnstile_changes_only_when_asked(client: &reqwest::Client, stack: &Stack, trip: &str) {
    put_ok(
        client,
        trip,
        &json!({"turnstile": {"sitekey": "2x00000000000000000000AB"}}),
    )
    .await;
    let row = site_row(stack, "trip");
    assert_eq!(
        (
            row["turnstile_sitekey"].as_str(),
            row["turnstile_secret"].as_str()
        ),
        (Some("2x00000000000000000000AB"), Some(TURNSTILE_SECRET))
    );
    let got = put_ok(client, trip, &json!({"turnstile": null})).await;
    assert!(got["turnstile"].is_null(), "{got}");
    assert!(site_row(stack, "trip")["turnstile_secret"].is_null());
    assert_eq!(site_row(stack, "trip")["rate_per_minute"], 77);
}

/// Refused PUTs answer 400 and change nothing.
async fn refusals_change_nothing(client: &reqwest::Client, stack: &Stack, trip: &str, got: &Value) {
    let rows = recipient_rows(stack, "trip");
    let site = site_row(stack, "trip");
    let with = |f: &dyn Fn(&mut Value)| {
        let mut body = got.clone();
        f(&mut body);
        body
    };
    let cases = [
        (
            with(&|b| b["recipients"][0]["id"] = "demo-service".into()),
            "invalid_recipient_id",
        ),
        (
            with(&|b| b["recipients"][0]["id"] = "../x".into()),
            "invalid_recipient_id",
        ),
        (
            with(&|b| {
                let first = b["recipients"][0]["id"].clone();
                b["recipients"][1]["id"] = first;
            }),
            "invalid_recipient_id",
        ),
        (
            with(&|b| b["recipients"][0]["id"] = "trip-nobody-0".into()),
            "invalid_recipient_id",
        ),
        (
            with(&|b| {
                b["recipients"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!({"role": "president", "format": "webhook", "url": "https://alerts.example.com/x"}));
            }),
            "invalid_secret",
        ),
        (
            with(&|b| {
                b["recipients"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!({"role": "president", "format": "slack"}));
            }),
            "invalid_url",
        ),
        (
            with(&|b| b["recipients"][0]["url"] = "https://localhost./x".into()),
            "invalid_url",
        ),
        (with(&|b| b["site"] = "demo".into()), "invalid_site"),
        (
            with(&|b| b["rate_per_minute"] = Value::Null),
            "invalid_json",
        ),
        (
            with(&|b| b["retention_days"] = 3651.into()),
            "invalid_retention_days",
        ),
        (with(&|b| b["retention_days"] = (-1).into()), "invalid_json"),
    ];
    for (body, code) in &cases {
        let (s, answer, _) = call(client, M::PUT, trip, Some(ADMIN_TOKEN), Some(body)).await;
        assert_eq!(
            (s, answer["error"]["code"].as_str()),
            (400, Some(*code)),
            "{body}: {answer}"
        );
        assert_eq!(recipient_rows(stack, "trip"), rows, "{body}");
        assert_eq!(site_row(stack, "trip"), site, "{body}");
    }
    // A new site needs its origins, and a new Turnstile its secret.
    let fresh = stack.worker.url("/v1/admin/sites/fresh");
    for (body, code) in [
        (json!({"score": false}), "invalid_origins"),
        (
            json!({"origins": [], "turnstile": {"sitekey": "k"}}),
            "invalid_turnstile_secret",
        ),
    ] {
        let (s, answer, _) = call(client, M::PUT, &fresh, Some(ADMIN_TOKEN), Some(&body)).await;
        assert_eq!(
            (s, answer["error"]["code"].as_str()),
            (400, Some(code)),
            "{answer}"
        );
    }
    assert!(stack
        .rows("SELECT 1 FROM sites WHERE key = 'fresh'")
        .is_empty());
}

fn reveals(stack: &Stack) -> Vec<Value> {
    stack
        .rows("SELECT by, action, subject, note FROM audit WHERE action = 'recipient_url_revealed'")
}

/// Issue 20, defect 9: chat URLs are credentials. GET shows them masked as
/// the dashboard does, with the bearer token and with a dashboard cookie;
/// only the bearer token reveals one, and every reveal is audited.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recipient_urls_are_masked_and_revealed_only_with_the_bearer() {
    let stack = Stack::start("admin-sites-masked");
    let client = reqwest::Client::new();
    let demo = stack.worker.url("/v1/admin/sites/demo");
    let inbox = stack.inbox.url("/inbox");
    let masked = format!("http://127.0.0.1:{}/\u{2026}", stack.inbox.port);

    let (s, body, text) = call(&client, M::GET, &demo, Some(ADMIN_TOKEN), None).await;
    assert_eq!(s, 200, "{text}");
    assert!(
        !text.contains("/inbox"),
        "the bearer reads masked URLs: {text}"
    );
    for r in body["recipients"].as_array().unwrap() {
        assert_eq!(r["url_masked"], masked.as_str(), "{r}");
        assert!(r.get("url").is_none(), "{r}");
    }
    let dana = HttpSession::sign_in(&stack, "Dana").await;
    let (s, text) = dana.get(&stack, "/v1/admin/sites/demo").await;
    assert_eq!(s, 200, "{text}");
    assert!(
        !text.contains("/inbox"),
        "so does a dashboard cookie: {text}"
    );
    // PUT answers with the same masked view.
    let (s, _, text) = call(&client, M::PUT, &demo, Some(ADMIN_TOKEN), Some(&body)).await;
    assert_eq!(s, 200, "{text}");
    assert!(!text.contains("/inbox"), "{text}");

    // Revealing one URL takes the bearer token.
    let reveal = "/v1/admin/sites/demo/recipients/demo-service/url";
    let (s, text) = dana.get(&stack, reveal).await;
    assert_eq!(s, 401, "a dashboard cookie cannot reveal: {text}");
    assert!(!text.contains("/inbox"));
    let (s, answer, _) = call(&client, M::GET, &stack.worker.url(reveal), None, None).await;
    assert_eq!(
        (s, answer["error"]["code"].as_str()),
        (401, Some("unauthorized"))
    );
    let (s, answer, _) = call(
        &client,
        M::GET,
        &stack.worker.url(reveal),
        Some("not-the-token"),
        None,
    )
    .await;
    assert_eq!(
        (s, answer["error"]["code"].as_str()),
        (403, Some("forbidden"))
    );
    assert!(reveals(&stack).is_empty(), "refused reveals reveal nothing");

    let resp = client
        .get(stack.worker.url(reveal))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let answer: Value = resp.json().await.unwrap();
    assert_eq!(answer, json!({"id": "demo-service", "url": inbox}));
    let audit = reveals(&stack);
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(
        (audit[0]["by"].as_str(), audit[0]["subject"].as_str()),
        (Some("admin token"), Some("demo-service"))
    );

    // Only a recipient of that site; other methods are not allowed.
    for path in [
        "/v1/admin/sites/demo/recipients/nobody/url",
        "/v1/admin/sites/other/recipients/demo-service/url",
    ] {
        let (s, _, _) = call(
            &client,
            M::GET,
            &stack.worker.url(path),
            Some(ADMIN_TOKEN),
            None,
        )
        .await;
        assert_eq!(s, 404, "{path}");
    }
    let (s, _, _) = call(
        &client,
        M::POST,
        &stack.worker.url(reveal),
        Some(ADMIN_TOKEN),
        None,
    )
    .await;
    assert_eq!(s, 405);
    assert_eq!(reveals(&stack).len(), 1);
}
