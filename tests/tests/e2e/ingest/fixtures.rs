//! The wire fixtures of `domain/fixtures/wire/` against the real Worker: the
//! answer bodies are stored as sent, and a site configured like the settings
//! fixture is served exactly as that fixture reads. The domain and widget
//! tests read the same files, so a field renamed on any side fails somewhere
//! fast and here.

use crate::support::{call, Stack};
use reqwest::Method;
use serde_json::{json, Value};

const FULL: &str = include_str!("../../../../domain/fixtures/wire/answer-full.json");
const MINIMAL: &str = include_str!("../../../../domain/fixtures/wire/answer-minimal.json");
const SETTINGS: &str = include_str!("../../../../domain/fixtures/wire/widget-settings.json");

fn fixture(text: &str) -> Value {
    serde_json::from_str(text).expect("a fixture is JSON")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worker_stores_the_answer_fixtures_and_serves_the_settings_fixture() {
    let stack = Stack::start("fixtures");
    let settings = fixture(SETTINGS);
    // Turnstile comes last: with it on, an answer would need a real token.
    configure_like(&stack, &settings, false).await;
    the_answer_fixtures_are_stored(&stack).await;
    configure_like(&stack, &settings, true).await;
    the_settings_fixture_is_what_the_worker_serves(&stack, &settings).await;
}

/// Saves the fixture's site with the settings the fixture shows, on the
/// origin the answer fixtures' pages are on.
async fn configure_like(stack: &Stack, want: &Value, turnstile: bool) {
    let mut config = json!({
        "origins": ["https://shop.example.com"],
        "copy": want["copy"],
        "sla_minutes": {"service": want["callback_sla_minutes"]},
        "cooldown_days": want["cooldown_days"],
        "guarantee": want["show_guarantee"],
        "score": want["show_score"],
        "offer_contact": want["offer_contact"],
    });
    if turnstile {
        config["turnstile"] = json!({
            "sitekey": want["turnstile_sitekey"],
            "secret": "1x0000000000000000000000000000000AA"
        });
    }
    let site = want["site"].as_str().unwrap();
    stack.api().put_site(site, &config).await;
}

async fn the_answer_fixtures_are_stored(stack: &Stack) {
    let api = stack.api();
    // Both fixtures share one id; the minimal one gets its own here so it is
    // a new answer, not a retry of the full one.
    let mut minimal = fixture(MINIMAL);
    minimal["id"] = json!(uuid::Uuid::new_v4().to_string());
    for body in [fixture(FULL), minimal] {
        let (status, _, reply) = call(
            &api.client,
            Method::POST,
            &api.url("/v1/responses"),
            None,
            Some(&body),
        )
        .await;
        assert_eq!(status, 201, "{reply}");
        let id = body["id"].as_str().unwrap();
        let row = &stack.rows(&format!(
            "SELECT gaps, score, guarantee, contact_email, transaction_ref, locale \
             FROM responses WHERE id = '{id}'"
        ))[0];
        assert_eq!(row["gaps"], body["gaps"]);
        assert_eq!(row["score"], body["score"]);
        assert_eq!(row["guarantee"], i64::from(body["guarantee"] == true));
        assert_eq!(row["contact_email"], body["contact"]["email"]);
        assert_eq!(row["transaction_ref"], body["context"]["transaction"]);
        assert_eq!(row["locale"], body["context"]["locale"]);
    }
}

async fn the_settings_fixture_is_what_the_worker_serves(stack: &Stack, want: &Value) {
    let site = want["site"].as_str().unwrap();
    let api = stack.api();
    let url = api.url(&format!("/v1/sites/{site}/widget"));
    let (status, _, got) = call(&api.client, Method::GET, &url, None, None).await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(&got, want);
}
