//! Moving a site with answers from D1 into its own object: the real
//! `cargo xtask move-site` against the Worker (`edge/src/store/moving.rs`),
//! while a client keeps sending answers. Nothing is lost or stored twice:
//! answers sent while the site is paused are refused with 429 and a short
//! `Retry-After` and land once resent; afterwards D1 holds none of the
//! site's rows, the object holds every one, and what the replies and links
//! show is read there (a retry's stored reply, a case acknowledged before
//! the move, a callback joining the contact's open case). Running the
//! command again changes nothing.

use crate::support::{alert_id, answer_on, assert_error, contact, Api, Stack, ADMIN_TOKEN};
use domain::submission::RawSubmission;
use reqwest::Method;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tests::receiver::Options;

const ROUTES: &[(&str, &str)] = &[
    ("client_manager", "/inbox"),
    ("service_manager", "/inbox"),
    ("senior_management", "/inbox"),
];

/// More than two pages of answers (`domain::site_move::PAGE_ANSWERS`).
const PLAIN_ANSWERS: usize = 110;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_with_answers_moves_into_its_object_and_loses_nothing() {
    let stack = Stack::start_full(
        "ingest-moving",
        Options::default(),
        vec![("SITE_OBJECTS".into(), "true".into())],
    );
    let api = stack.api();
    let fast = json!({"rate_per_minute": 100_000});
    stack.put_site("moving", ROUTES, fast.clone()).await;
    stack.put_site("staying", ROUTES, fast).await;
    api.submit(&answer_on("staying", "Fine, mostly.")).await;
    bad_steps_change_nothing(&api).await;

    // In D1 before the move: plain answers, and a callback whose case was
    // alerted, mailed about and acknowledged by a manager.
    let mut plain = Vec::new();
    for i in 0..PLAIN_ANSWERS {
        let a = answer_on("moving", &format!("Answer {i}: the parcel came late."));
        let reply = api.submit(&a).await;
        plain.push((a, reply));
    }
    let callback = RawSubmission {
        score: Some(2),
        contact: Some(contact("ana@moving.example.com", true)),
        ..answer_on("moving", "I was charged twice.")
    };
    api.submit(&callback).await;
    let case = callback.id.clone();
    let opened = stack
        .wait_for_alert(&alert_id(&case, "senior", "opened"))
        .await;
    stack.wait_for_mail("ana@moving.example.com", 1).await;
    let ack = api
        .event(&case, json!({"type": "acknowledged", "by": "Sam"}))
        .await;
    assert_eq!(ack.0, 201, "{}", ack.2);
    let before = step(&api, "moving", json!({"step": "status"})).await;
    assert_eq!(before["home"], "d1");
    assert_eq!(
        before["counts"]["responses"],
        json!({"d1": 111, "object": 0})
    );

    // A shop keeps sending answers through the move, as the widget's outbox
    // does: a 429 is sent again after its Retry-After.
    let stop = Arc::new(AtomicBool::new(false));
    let sender = tokio::spawn(keep_sending(api.clone(), stop.clone()));
    tokio::time::sleep(Duration::from_millis(500)).await;
    let first = move_site("moving", &stack).await;
    stop.store(true, Ordering::SeqCst);
    let (sent, refused) = sender.await.unwrap();
    println!(
        "move-site printed:\n{first}\nduring it {} answers stored, {} refusals",
        sent.len(),
        refused.len()
    );
    assert!(first.contains("moving lives in its own object"), "{first}");
    assert!(
        !refused.is_empty(),
        "answers sent during the move met the pause: {first}"
    );
    assert!(
        refused.iter().all(|s| (1..=30).contains(s)),
        "Retry-After within 30 s: {refused:?}"
    );

    let after = every_row_moved(&stack, &api, &before, sent.len()).await;
    the_object_answers_from_what_moved(&stack, &api, &plain, &sent, &opened).await;

    // Again: nothing left to do, nothing changes.
    let again = move_site("moving", &stack).await;
    assert!(again.contains("already"), "{again}");
    assert!(again.contains("purged 0 rows"), "{again}");
    let last = step(&api, "moving", json!({"step": "status"})).await;
    assert_eq!(
        last["counts"]["responses"]["object"],
        after["counts"]["responses"]["object"].as_u64().unwrap() + 1,
        "only the joined callback was added since: {last}"
    );
    a_move_stopped_after_its_flip_is_finished(&stack, &api).await;
    // The other site never moved and kept its answer.
    assert_eq!(
        stack.rows("SELECT count(*) AS n FROM responses WHERE site = 'staying'"),
        vec![json!({"n": 1})]
    );
}

/// Every row of the site is in the object, none in D1, and the pause is
/// lifted: each count in the object is D1's before the move (answers: and
/// the `sent` during it). The status after.
async fn every_row_moved(stack: &Stack, api: &Api, before: &Value, sent: usize) -> Value {
    let after = step(api, "moving", json!({"step": "status"})).await;
    assert_eq!(after["home"], "object");
    let total = 111 + sent;
    assert_eq!(
        after["counts"]["responses"],
        json!({"d1": 0, "object": total}),
        "{after}"
    );
    for (table, least) in [
        ("cases", 1),
        ("events", 2),
        ("alerts", 2),
        ("deliveries", 2),
        ("mails", 1),
    ] {
        let count = &after["counts"][table];
        assert_eq!(count["d1"], 0, "{table}: {after}");
        assert_eq!(
            count["object"], before["counts"][table]["d1"],
            "{table} moved whole: {before} → {after}"
        );
        assert!(
            count["object"].as_u64().unwrap() >= least,
            "{table}: {after}"
        );
    }
    assert_eq!(
        stack.rows("SELECT count(*) AS n FROM responses WHERE site = 'moving'"),
        vec![json!({"n": 0})]
    );
    assert_eq!(
        stack.rows("SELECT home, paused_until FROM sites WHERE key = 'moving'"),
        vec![json!({"home": "object", "paused_until": null})]
    );
    after
}

/// A move that stopped after its flip (steps run by hand here), while
/// work that set out before the flip still wrote to D1 (an event added to
/// the D1 copy of a case) and the object changed since (a new answer): the
/// command finishes it without comparing rows the object has since
/// changed, and keeps the late event, which only D1 held.
async fn a_move_stopped_after_its_flip_is_finished(stack: &Stack, api: &Api) {
    stack.put_site("halfway", ROUTES, json!({})).await;
    let late = RawSubmission {
        score: Some(2),
        ..answer_on("halfway", "Nobody called back.")
    };
    api.submit(&late).await;
    // The case's first alert may still be finishing in D1; a flip refused
    // for it is copied and tried again, as the command does.
    let mut flipped = false;
    for _ in 0..10 {
        for s in ["pause", "settings", "copy", "compare"] {
            step(api, "halfway", json!({"step": s})).await;
        }
        let path = "/v1/admin/sites/halfway/move";
        let got = api
            .admin(Method::POST, path, Some(&json!({"step": "flip"})))
            .await;
        if got.0 == 200 {
            flipped = true;
            break;
        }
        assert_error(&got, 409, "conflict");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(flipped, "the flip went through");
    stack.rows(&format!(
        "INSERT INTO events (case_id, type, by, note, at) \
         VALUES ('{}', 'note', 'Sam', 'written after the flip', 1)",
        late.id
    ));
    api.submit(&answer_on("halfway", "Taken by the object."))
        .await;
    let before = step(api, "halfway", json!({"step": "status"})).await;
    assert_eq!(
        before["counts"]["events"],
        json!({"d1": 2, "object": 1}),
        "{before}"
    );

    let out = move_site("halfway", stack).await;
    assert!(out.contains("already"), "{out}");
    let after = step(api, "halfway", json!({"step": "status"})).await;
    assert_eq!(
        after["counts"]["events"],
        json!({"d1": 0, "object": 2}),
        "{after}"
    );
    assert_eq!(
        after["counts"]["responses"],
        json!({"d1": 0, "object": 2}),
        "{after}"
    );
    assert_eq!(
        after["counts"]["cases"],
        json!({"d1": 0, "object": 1}),
        "{after}"
    );
}

/// Unsigned, unknown and out-of-order steps are refused and change nothing.
async fn bad_steps_change_nothing(api: &Api) {
    let path = "/v1/admin/sites/staying/move";
    let unsigned = crate::support::api::call(
        &api.client,
        Method::POST,
        &api.url(path),
        None,
        Some(&json!({"step": "status"})),
    )
    .await;
    assert_error(&unsigned, 401, "unauthorized");
    for bad in [
        json!({"step": "teleport"}),
        json!({"step": "pause", "after": {"received_at": 1, "id": "x"}}),
        json!({"step": "copy", "after": {"id": "x"}}),
    ] {
        let got = api.admin(Method::POST, path, Some(&bad)).await;
        assert_eq!(got.0, 400, "{bad}: {}", got.2);
    }
    // Copying needs the pause; purging needs the flip.
    for early in ["copy", "compare", "flip", "purge"] {
        let got = api
            .admin(Method::POST, path, Some(&json!({"step": early})))
            .await;
        assert_error(&got, 409, "conflict");
    }
    let unknown = api
        .admin(
            Method::POST,
            "/v1/admin/sites/no-such-site/move",
            Some(&json!({"step": "status"})),
        )
        .await;
    assert_error(&unknown, 404, "unknown_site");
    let status = step(api, "staying", json!({"step": "status"})).await;
    assert_eq!(status["home"], "d1");
    assert_eq!(status["paused_until"], Value::Null);
    assert_eq!(status["counts"]["responses"], json!({"d1": 1, "object": 0}));
}

/// What the moved rows show, read in the object: a retry's stored reply,
/// the answers sent during the move, the acknowledged case behind its
/// link, and a callback joining the contact's open case.
async fn the_object_answers_from_what_moved(
    stack: &Stack,
    api: &Api,
    plain: &[(RawSubmission, Value)],
    sent: &[(RawSubmission, Value)],
    opened: &Value,
) {
    for (answer, reply) in plain.iter().step_by(37).chain(sent) {
        let again = api.send(answer).await;
        assert_eq!(again.0, 200, "stored once, answered from storage");
        assert_eq!(&again.2, reply, "the stored reply, as first given");
    }
    let link = opened["data"]["ack_url"].as_str().unwrap();
    // Found in the object (a case the link cannot find is a 404), and
    // already acknowledged there by the manager's step before the move.
    let page = reqwest::get(link).await.unwrap();
    assert_eq!(page.status().as_u16(), 409);
    let text = page.text().await.unwrap();
    assert!(text.contains("Already acknowledged"), "{text}");

    let joined = RawSubmission {
        score: Some(3),
        contact: Some(contact("ana@moving.example.com", true)),
        ..answer_on("moving", "Still charged twice.")
    };
    let reply = api.submit(&joined).await;
    assert_eq!(reply["case"], "open", "{reply}");
    let status = step(api, "moving", json!({"step": "status"})).await;
    assert_eq!(
        status["counts"]["cases"]["object"], 1,
        "joined, no new case"
    );
    assert!(stack
        .rows("SELECT id FROM cases WHERE site = 'moving'")
        .is_empty());
}

/// Sends new answers one after another until `stop`, each until it is
/// stored; the answers with their replies, and every `Retry-After` met.
async fn keep_sending(api: Api, stop: Arc<AtomicBool>) -> (Vec<(RawSubmission, Value)>, Vec<u64>) {
    let (mut sent, mut refused) = (Vec::new(), Vec::new());
    let mut n = 0;
    while !stop.load(Ordering::SeqCst) {
        n += 1;
        let answer = answer_on("moving", &format!("Sent during the move, number {n}."));
        loop {
            let (status, headers, body) = api.send(&answer).await;
            match status {
                201 => {
                    sent.push((answer, body));
                    break;
                }
                429 => {
                    let secs = headers
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0);
                    refused.push(secs);
                    // Sooner than asked, so the test does not idle.
                    tokio::time::sleep(Duration::from_millis(300)).await;
                }
                other => panic!("answer {n} during the move: {other} {body}"),
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (sent, refused)
}

/// One step through the route, which must answer 200.
async fn step(api: &Api, site: &str, body: Value) -> Value {
    let got = api
        .admin(
            Method::POST,
            &format!("/v1/admin/sites/{site}/move"),
            Some(&body),
        )
        .await;
    assert_eq!(got.0, 200, "{body}: {}", got.2);
    got.2
}

/// `cargo xtask move-site --site SITE` against the stack, as an operator
/// runs it; it must succeed. What it printed.
async fn move_site(site: &str, stack: &Stack) -> String {
    let url = stack.worker.url("");
    let site = site.to_owned();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .current_dir(tests::paths::root())
            .args([
                "run",
                "-q",
                "-p",
                "xtask",
                "--",
                "move-site",
                "--site",
                &site,
                "--url",
                &url,
            ])
            .env("CANDOR_ADMIN_TOKEN", ADMIN_TOKEN)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "move-site failed: {text}");
    text
}
