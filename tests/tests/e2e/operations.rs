//! Operating a deployment: the notice to operators when alerts die, and
//! each site's retention of personal data, both run by the cron.

use crate::support::api::{answer_on, contact};
use crate::support::{wait_until, Stack};
use domain::submission::RawSubmission;
use serde_json::{json, Value};
use std::time::Duration;
use tests::receiver::{Answer, Options};

const DAY_MS: i64 = 86_400_000;
const OWNER: &str = "owner@example.com";

/// Runs the cron handler as the every-minute trigger would.
async fn tick(stack: &Stack) {
    let url = stack.worker.url("/__scheduled?cron=*+*+*+*+*");
    let resp = reqwest::get(&url).await.expect("tick");
    assert_eq!(resp.status().as_u16(), 200, "the tick ran");
}

/// The notices the inbox got at `path`, as parsed bodies.
fn notices_at(stack: &Stack, path: &str) -> Vec<Value> {
    stack
        .inbox
        .received()
        .iter()
        .filter(|r| r.path == path)
        .filter_map(|r| serde_json::from_str::<Value>(&r.body).ok())
        .filter(|b| b["type"] == "site.alerts.undelivered")
        .collect()
}

fn owner_notices(stack: &Stack) -> Vec<Value> {
    stack
        .mails_to(OWNER)
        .into_iter()
        .filter(|m| {
            m["subject"]
                .as_str()
                .is_some_and(|s| s.contains("could not be delivered"))
        })
        .collect()
}

async fn dead_letters_reach(stack: &Stack, n: u64) {
    wait_until(
        &format!("{n} dead letter(s)"),
        Duration::from_secs(30),
        || {
            let got = stack.rows("SELECT COUNT(*) AS n FROM dead_letters")[0]["n"].as_u64();
            async move { got == Some(n) }
        },
    )
    .await;
}

/// A recipient that is gone (410) makes a dead letter; the next tick tells
/// the site's recipients (the live one receives it) and mails the owner,
/// once. More dead letters within the hour wait for the next notice, which
/// counts only what the first did not cover.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_letters_tell_the_operators_at_most_once_an_hour() {
    let stack = Stack::start_with(
        "operations-dead-letter-notice",
        Options {
            responder: Box::new(|req, _| Answer {
                status: if req.path == "/gone" { 410 } else { 200 },
                ..Answer::default()
            }),
            ..Options::default()
        },
    );
    stack
        .put_site(
            "ops",
            &[("service_manager", "/gone"), ("client_manager", "/ops")],
            json!({"rate_per_minute": 1000}),
        )
        .await;
    let api = stack.api();
    let score_three = || RawSubmission {
        score: Some(3),
        ..answer_on("ops", "The invoice was wrong twice.")
    };
    api.submit(&score_three()).await;
    dead_letters_reach(&stack, 1).await;

    tick(&stack).await;
    wait_until("the live recipient hears", Duration::from_secs(15), || {
        let n = notices_at(&stack, "/ops").len();
        async move { n == 1 }
    })
    .await;
    let notice = &notices_at(&stack, "/ops")[0];
    assert_eq!(notice["data"]["site"], "ops", "{notice}");
    assert_eq!(
        notice["data"]["reason"],
        json!({"kind": "undelivered", "count": 1})
    );
    assert!(
        notice["data"]["dashboard_url"]
            .as_str()
            .is_some_and(|u| u.ends_with("/dashboard/settings/ops#dead-h")),
        "{notice}"
    );
    // The broken recipient is tried too (it may have been fixed since).
    assert_eq!(notices_at(&stack, "/gone").len(), 1);
    let mail = stack.wait_for_mail(OWNER, 1).await;
    assert_eq!(mail["subject"], "1 alert on ops could not be delivered");

    // Another dead letter and more ticks within the hour: nothing more.
    api.submit(&score_three()).await;
    dead_letters_reach(&stack, 2).await;
    tick(&stack).await;
    tick(&stack).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(notices_at(&stack, "/ops").len(), 1, "one notice an hour");
    assert_eq!(owner_notices(&stack).len(), 1);

    // An hour later the next notice covers only the new dead letter.
    stack.rows("UPDATE notices SET sent_at = sent_at - 3600000");
    tick(&stack).await;
    wait_until("the second notice", Duration::from_secs(15), || {
        let n = notices_at(&stack, "/ops").len();
        async move { n == 2 }
    })
    .await;
    assert_eq!(
        notices_at(&stack, "/ops")[1]["data"]["reason"],
        json!({"kind": "undelivered", "count": 1})
    );
    wait_until("the second mail", Duration::from_secs(15), || {
        let n = owner_notices(&stack).len();
        async move { n == 2 }
    })
    .await;
    tick(&stack).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(notices_at(&stack, "/ops").len(), 2, "nothing new to tell");
}

/// A site that keeps personal data 30 days: the cron erases the answers
/// older than that whose case is closed (or that have none), keeps an open
/// case's and every recent one, and a second tick changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_erases_old_answers_once_their_case_is_closed() {
    let stack = Stack::start("operations-retention");
    stack
        .put_site(
            "keep",
            &[("service_manager", "/inbox"), ("client_manager", "/inbox")],
            json!({"retention_days": 30, "rate_per_minute": 1000}),
        )
        .await;
    let api = stack.api();
    let with_contact = |gaps: &str, score: Option<i64>, email: &str| RawSubmission {
        score,
        contact: Some(contact(email, false)),
        ..answer_on("keep", gaps)
    };
    let plain = with_contact("Delivery slot was missed.", None, "ana@example.com");
    let closed = with_contact("Refund was stuck in review.", Some(2), "sam@example.com");
    let open = with_contact("The parcel came a week late.", Some(3), "mia@example.com");
    let recent = with_contact("The coupon did not apply.", None, "ana@example.com");
    for a in [&plain, &closed, &open, &recent] {
        api.submit(a).await;
    }
    // Three answers arrived 31 days ago; one case was closed since.
    let old = [&plain, &closed, &open]
        .iter()
        .map(|a| format!("'{}'", a.id))
        .collect::<Vec<_>>()
        .join(",");
    stack.rows(&format!(
        "UPDATE responses SET received_at = received_at - {} WHERE id IN ({old})",
        31 * DAY_MS
    ));
    stack.rows(&format!(
        "UPDATE cases SET state = 'closed' WHERE id = '{}'",
        closed.id
    ));

    tick(&stack).await;
    let row =
        |id: &str| stack.rows(&format!("SELECT * FROM responses WHERE id = '{id}'"))[0].clone();
    wait_until(
        "the due answers are erased",
        Duration::from_secs(10),
        || {
            let done =
                row(&plain.id)["erased_at"].is_number() && row(&closed.id)["erased_at"].is_number();
            async move { done }
        },
    )
    .await;
    for id in [&plain.id, &closed.id] {
        let r = row(id);
        assert_eq!(r["gaps"], "", "{r}");
        assert!(
            r["contact_email"].is_null() && r["email_key"].is_null(),
            "{r}"
        );
        assert_eq!(r["site"], "keep", "the anonymous record stays: {r}");
    }
    for (id, email) in [
        (&open.id, "mia@example.com"),
        (&recent.id, "ana@example.com"),
    ] {
        let r = row(id);
        assert!(r["erased_at"].is_null(), "kept: {r}");
        assert_eq!(r["contact_email"], email);
    }
    let audit = stack.rows(&format!(
        "SELECT by, note FROM audit WHERE action = 'erased' AND subject = '{}'",
        closed.id
    ));
    assert_eq!(
        audit,
        [json!({"by": "retention",
                "note": "personal data erased after 30 days (the site's retention)"})]
    );
    let events = stack.rows(&format!(
        "SELECT note FROM events WHERE case_id = '{}' AND type = 'erased'",
        closed.id
    ));
    assert_eq!(events.len(), 1, "{events:?}");

    access_lines_count_d1_rows(&stack).await;
    the_front_forwards_all_but_the_internal_paths(&stack).await;

    // Nothing more is due: a second tick erases nothing and writes nothing.
    let audit_rows = stack.rows("SELECT COUNT(*) AS n FROM audit")[0]["n"].clone();
    tick(&stack).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(
        stack.rows("SELECT COUNT(*) AS n FROM audit")[0]["n"],
        audit_rows
    );
    assert!(row(&open.id)["erased_at"].is_null());
}

/// The front hands every route but the widget's to the office, and none of
/// the office's internal paths: from outside, those do not exist.
async fn the_front_forwards_all_but_the_internal_paths(stack: &Stack) {
    let office_internal = || {
        json_lines(stack)
            .iter()
            .filter(|l| l["worker"] == "office")
            .filter(|l| {
                l["route"]
                    .as_str()
                    .is_some_and(|r| r.starts_with("/internal"))
            })
            .count()
    };
    let before = office_internal();
    assert!(before >= 1, "the cron's ticks reached the office");
    let http = reqwest::Client::new();
    for path in ["/internal/tick", "/internal/after-commit", "/internal"] {
        for post in [true, false] {
            let url = stack.worker.url(path);
            let req = if post {
                http.post(&url).json(&json!({"at_ms": 0}))
            } else {
                http.get(&url)
            };
            let resp = req.send().await.expect("internal path");
            assert_eq!(resp.status().as_u16(), 404, "{path}");
            let body: Value = resp.json().await.expect("a JSON error");
            assert_eq!(body["error"]["code"], "unknown_route", "{path}: {body}");
        }
    }
    // An admin route without a token: refused by the office, through the
    // front, and logged by both.
    let resp = http
        .get(stack.worker.url("/v1/admin/people"))
        .send()
        .await
        .expect("admin");
    assert_eq!(resp.status().as_u16(), 401);
    stack.wait_for_log("\"route\":\"/v1/admin/people\"").await;
    wait_until(
        "both Workers logged the admin call",
        Duration::from_secs(5),
        || async {
            let lines = json_lines(stack);
            let by = |w: &str| {
                lines.iter().any(|l| {
                    l["route"] == "/v1/admin/people" && l["status"] == 401 && l["worker"] == w
                })
            };
            by("front") && by("office")
        },
    )
    .await;
    // Logged after the probes above: had one reached the office, its line
    // would be there by now.
    assert_eq!(
        office_internal(),
        before,
        "no internal path reached the office from outside"
    );
}

/// The Workers' JSON log lines (requests, queue batches).
fn json_lines(stack: &Stack) -> Vec<Value> {
    stack
        .log()
        .lines()
        .filter_map(|l| l.find('{').map(|i| &l[i..]))
        .filter_map(|l| serde_json::from_str::<Value>(l.trim()).ok())
        .collect()
}

/// Each request's line carries D1's rows read and written and the Worker
/// that logged it: an answer writes rows, a health check reads without
/// writing (both the front's), and the erasing tick wrote (the office's).
async fn access_lines_count_d1_rows(stack: &Stack) {
    let resp = reqwest::get(stack.worker.url("/health"))
        .await
        .expect("health");
    assert_eq!(resp.status().as_u16(), 200);
    stack.wait_for_log("\"route\":\"/health\"").await;
    let lines = json_lines(stack);
    let answers: Vec<&Value> = lines
        .iter()
        .filter(|l| l["route"] == "/v1/responses" && l["status"] == 201)
        .collect();
    assert_eq!(answers.len(), 4, "{lines:?}");
    for l in &answers {
        assert!(l["rows_written"].as_u64().is_some_and(|n| n >= 1), "{l}");
        assert!(l["rows_read"].as_u64().is_some_and(|n| n >= 1), "{l}");
        assert!(
            l["request_id"].is_string() && l["duration_ms"].is_number(),
            "{l}"
        );
    }
    let health = lines.iter().rfind(|l| l["route"] == "/health").unwrap();
    assert_eq!(health["rows_written"], 0, "{health}");
    assert!(health["rows_read"].is_u64(), "{health}");
    assert_eq!(health["worker"], "front", "{health}");
    assert!(
        answers.iter().all(|l| l["worker"] == "front"),
        "{answers:?}"
    );
    // The office takes each answer's after-commit work without a line of
    // its own: the answer's line is the front's.
    assert!(
        !lines.iter().any(|l| l["route"] == "/internal/after-commit"),
        "{lines:?}"
    );
    // The front's cron trigger hands the tick to the office, which logs it.
    assert!(
        lines.iter().any(|l| l["route"] == "/internal/tick"
            && l["worker"] == "office"
            && l["rows_written"].as_u64().is_some_and(|n| n > 0)),
        "the erasing tick logged its writes: {lines:?}"
    );
}
