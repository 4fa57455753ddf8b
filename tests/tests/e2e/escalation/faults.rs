//! Durable alert delivery against a receiver that misbehaves: 200 answers
//! across every tier, sent to four recipients in four formats, one of which
//! fails in every way a chat tool can (500, 429 with `Retry-After`, a hang
//! past the timeout, a dropped connection), one that is gone (410) and one
//! that never recovers (500 forever). Afterwards every alert that should
//! exist arrived exactly once per idempotency id, the permanent failures are
//! in the dead-letter view, and the `deliveries` log matches, attempt for
//! attempt, what the receiver saw. A short retry schedule keeps it bounded;
//! production uses the one in docs/wire-contract.md#delivery.

use crate::support::api::answer_on;
use crate::support::{call, contact, Api, Stack, ADMIN_TOKEN, INBOX_SECRET};
use domain::submission::{RawContact, RawSubmission};
use reqwest::Method as M;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Mutex;
use std::time::Duration;
use tests::receiver::{Answer, Options, Received};

/// Attempts per alert in this test's schedule (production's has 7 as well).
const SCHEDULE: &str = "0,1,1,1,1,1,1";
const ATTEMPTS: usize = 7;

fn ok() -> Answer {
    Answer {
        status: 200,
        body: "ok".into(),
        ..Answer::default()
    }
}

/// The flaky recipient's script, chosen per alert by its id: the first
/// attempt fails in one of five ways, the second succeeds.
fn flaky(id: &str, attempt: usize) -> Answer {
    if attempt > 0 {
        return ok();
    }
    let kind = id.bytes().map(usize::from).sum::<usize>() % 5;
    match kind {
        0 => ok(),
        1 => Answer {
            status: 500,
            ..Answer::default()
        },
        2 => Answer {
            status: 429,
            headers: vec![("Retry-After".into(), "2".into())],
            ..Answer::default()
        },
        3 => Answer {
            delay: Some(Duration::from_millis(3500)),
            ..ok()
        },
        _ => Answer {
            drop_connection: true,
            ..Answer::default()
        },
    }
}

fn faulty_receiver() -> Options {
    let seen: Mutex<HashMap<(String, String), usize>> = Mutex::new(HashMap::new());
    Options {
        responder: Box::new(move |r: &Received, _| {
            let id = r.header("webhook-id").unwrap_or_default().to_owned();
            let attempt = {
                let mut seen = seen.lock().unwrap();
                let n = seen.entry((r.path.clone(), id.clone())).or_insert(0);
                *n += 1;
                *n - 1
            };
            match r.path.split('?').next().unwrap_or_default() {
                "/flaky" => flaky(&id, attempt),
                "/gone" => Answer {
                    status: 410,
                    body: "channel archived".into(),
                    ..Answer::default()
                },
                "/broken" => Answer {
                    status: 500,
                    ..Answer::default()
                },
                _ => ok(),
            }
        }),
        ..Options::default()
    }
}

/// Which receiver path each role's recipient posts to, and its id.
const ROUTES: [(&str, &str, &str); 4] = [
    ("service_manager", "webhook", "/flaky"),
    ("client_manager", "slack", "/slack"),
    ("senior_management", "discord", "/gone"),
    ("president", "google_chat", "/broken"),
];

/// The id the site's recipient for `role` was given (ids are random).
fn rid(stack: &Stack, role: &str) -> String {
    stack.rows(&format!(
        "SELECT id FROM recipients WHERE site = 'faults' AND role = '{role}'"
    ))[0]["id"]
        .as_str()
        .expect("a recipient for the role")
        .to_owned()
}

fn paths_for(tier: &str) -> &'static [&'static str] {
    match tier {
        "service" => &["/flaky"],
        "account" => &["/flaky", "/slack"],
        "senior" => &["/flaky", "/slack", "/gone"],
        "president" => &["/flaky", "/slack", "/gone", "/broken"],
        _ => &[],
    }
}

/// The i-th answer: every tier, and a contact per callback so none joins
/// another's case.
fn answer(i: usize) -> (RawSubmission, &'static str) {
    let (score, guarantee, callback, tier) = match i % 8 {
        0 => (None, false, false, "none"),
        1 => (Some(5), false, true, "service"),
        2 => (Some(3), false, false, "account"),
        3 => (Some(2), false, false, "senior"),
        4 => (Some(1), false, true, "senior"),
        5 => (None, true, false, "president"),
        6 => (Some(4), false, false, "none"),
        _ => (None, false, true, "service"),
    };
    let contact = callback.then(|| contact(&format!("c{i}@example.com"), true));
    let body = RawSubmission {
        score,
        guarantee,
        contact,
        ..answer_on("faults", &format!("answer {i} <!channel> @everyone"))
    };
    (body, tier)
}

/// Sends `answer` through the dev proxy's losses (see
/// [`Api::send_despite_lost_requests`]); the Worker's own status.
async fn submit(api: &Api, answer: &RawSubmission) -> u16 {
    let sent = api.send_despite_lost_requests(answer).await;
    assert!(
        !sent.lost(),
        "the dev proxy lost the same request six times"
    );
    let (status, text) = (sent.status, &sent.text);
    assert!(status < 500, "the Worker answered {status}: {text}");
    status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_alert_arrives_once_through_receiver_faults() {
    let stack = Stack::start_full(
        "escalation-faults",
        faulty_receiver(),
        vec![
            ("ALERT_SCHEDULE".into(), SCHEDULE.into()),
            ("ALERT_TIMEOUT_MS".into(), "2000".into()),
        ],
    );
    let api = stack.api();
    let client = api.client.clone();
    let recipients: Vec<Value> = ROUTES
        .iter()
        .map(|(role, format, path)| {
            json!({"role": role, "format": format, "url": stack.inbox.url(path), "secret": INBOX_SECRET})
        })
        .collect();
    let site = json!({"origins": ["https://shop.faults.example"], "recipients": recipients,
        "rate_per_minute": 100_000, "guarantee": true});
    let (s, _, body) = call(
        &client,
        M::PUT,
        &stack.worker.url("/v1/admin/sites/faults"),
        Some(ADMIN_TOKEN),
        Some(&site),
    )
    .await;
    assert_eq!(s, 200, "{body}");

    let answers = send_answers(&api).await;
    let expected = expected_alerts(&answers);
    let alerts: usize = answers.iter().filter(|(_, _, t)| *t != "none").count();
    wait_until_settled(&stack, &client, alerts).await;
    let received = stack.inbox.received();
    let mut seen: BTreeMap<(String, String), Vec<&Received>> = BTreeMap::new();
    for r in &received {
        let id = r.header("webhook-id").expect("every alert has an id");
        let path = r.path.split('?').next().unwrap_or_default().to_owned();
        seen.entry((path, id.to_owned())).or_default().push(r);
    }
    // Nothing lost, nothing extra: per path, exactly the expected ids.
    for (path, ids) in &expected {
        let got: BTreeSet<String> = seen
            .keys()
            .filter(|(p, _)| p == path)
            .map(|(_, id)| id.clone())
            .collect();
        assert_eq!(&got, ids, "alerts at {path}");
    }
    assert_eq!(
        seen.keys()
            .map(|(p, _)| p.as_str())
            .collect::<BTreeSet<_>>(),
        expected.keys().copied().collect::<BTreeSet<_>>()
    );
    check_log_matches(&stack, &seen);
    check_dead_letters(&stack, &client, &expected).await;
    // Stored once each, retries included.
    let stored = stack.rows("SELECT COUNT(*) AS n FROM responses WHERE site = 'faults'");
    assert_eq!(stored[0]["n"], 200);

    check_formats(&seen);
    check_test_alerts(&stack, &client).await;
}

type Seen<'a> = BTreeMap<(String, String), Vec<&'a Received>>;

/// 200 answers, 16 at a time; every tenth is sent twice (a client retry).
async fn send_answers(api: &Api) -> Vec<(String, RawSubmission, &'static str)> {
    let answers: Vec<(String, RawSubmission, &'static str)> = (0..200)
        .map(|i| {
            let (body, tier) = answer(i);
            (body.id.clone(), body, tier)
        })
        .collect();
    for chunk in answers.chunks(16) {
        let mut sends = tokio::task::JoinSet::new();
        for (i, (_, body, _)) in chunk.iter().enumerate() {
            let copies = if i % 10 == 0 { 2 } else { 1 };
            for _ in 0..copies {
                let (api, body) = (api.clone(), body.clone());
                sends.spawn(async move { submit(&api, &body).await });
            }
        }
        while let Some(status) = sends.join_next().await {
            let status = status.unwrap();
            assert!(status == 201 || status == 200, "{status}");
        }
    }
    answers
}

/// One alert per case, to each path its tier reaches.
fn expected_alerts(
    answers: &[(String, RawSubmission, &'static str)],
) -> BTreeMap<&'static str, BTreeSet<String>> {
    let mut expected: BTreeMap<&'static str, BTreeSet<String>> = BTreeMap::new();
    for (id, _, tier) in answers {
        for path in paths_for(tier) {
            let alert = format!("msg_{}_{tier}_opened", id.replace('-', ""));
            expected.entry(path).or_default().insert(alert);
        }
    }
    expected
}

/// Done when every outbox row is finished (delivered or dead). Asked through
/// the managers' API: a second process reading the Worker's SQLite file while
/// it writes would make the Worker's own writes fail (SQLITE_BUSY).
async fn wait_until_settled(stack: &Stack, client: &reqwest::Client, alerts: usize) {
    let url = stack.worker.url("/v1/admin/alerts?site=faults");
    let start = std::time::Instant::now();
    loop {
        let (s, _, body) = call(client, M::GET, &url, Some(ADMIN_TOKEN), None).await;
        assert_eq!(s, 200, "{body}");
        if body["unfinished"] == 0 && body["finished"] == alerts {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_mins(3),
            "alerts not settled after 3 minutes: {body}"
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    // Answers still hanging in the receiver settle, then nothing more comes.
    tokio::time::sleep(Duration::from_secs(3)).await;
}

fn check_log_matches(stack: &Stack, seen: &Seen<'_>) {
    // The deliveries log matches the receiver, attempt for attempt.
    let logged = stack.rows(
        "SELECT idempotency_id AS id, recipient_id AS r, status FROM deliveries \
         WHERE case_id NOT LIKE 'test-%' ORDER BY idempotency_id, recipient_id, attempt",
    );
    let path_of: HashMap<String, &str> = ROUTES
        .iter()
        .map(|(role, _, path)| (rid(stack, role), *path))
        .collect();
    let mut statuses: BTreeMap<(String, String), Vec<Option<u64>>> = BTreeMap::new();
    for row in &logged {
        let path = path_of[row["r"].as_str().unwrap()];
        statuses
            .entry((path.to_owned(), row["id"].as_str().unwrap().to_owned()))
            .or_default()
            .push(row["status"].as_u64());
    }
    let from_log: BTreeMap<_, _> = statuses.iter().map(|(k, v)| (k.clone(), v.len())).collect();
    let from_receiver: BTreeMap<_, _> = seen.iter().map(|(k, v)| (k.clone(), v.len())).collect();
    let differ: Vec<_> = from_log
        .keys()
        .chain(from_receiver.keys())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .filter(|k| from_log.get(*k) != from_receiver.get(*k))
        .map(|k| (k, from_log.get(k), from_receiver.get(k), statuses.get(k)))
        .collect();
    assert!(
        differ.is_empty(),
        "log vs receiver (key, logged, received, statuses): {differ:?}"
    );

    // Per recipient: nothing is sent after a success; 410 is never retried;
    // a recipient that never recovers gets every attempt of the schedule.
    // (Any attempt may also time out on a busy machine: that is a failure
    // the log shows, followed by a retry, never a lost or doubled alert.)
    let is_ok = |s: &Option<u64>| s.is_some_and(|s| (200..300).contains(&s));
    for ((path, id), attempts) in &statuses {
        match path.as_str() {
            "/gone" => assert_eq!(attempts, &[Some(410)], "{id}"),
            "/broken" => {
                assert_eq!(attempts.len(), ATTEMPTS, "{id}");
                assert!(!attempts.iter().any(is_ok), "{id}: {attempts:?}");
            }
            _ => {
                assert_eq!(
                    attempts.iter().filter(|s| is_ok(s)).count(),
                    1,
                    "{path} {id}: {attempts:?}"
                );
                assert!(
                    attempts.last().is_some_and(is_ok),
                    "{path} {id}: {attempts:?}"
                );
                let scripted = flaky(id, 0);
                if path == "/flaky" && (scripted.status != 200 || scripted.delay.is_some()) {
                    assert!(
                        attempts.len() >= 2,
                        "{id}: first attempt should have failed: {attempts:?}"
                    );
                }
            }
        }
    }
    // Retry-After: 2 was honoured.
    for ((path, id), calls) in seen {
        if path == "/flaky" && flaky(id, 0).status == 429 {
            let gap = calls[1].at_ms - calls[0].at_ms;
            assert!(
                gap >= 1_900,
                "{id}: retried after {gap} ms despite Retry-After: 2"
            );
        }
    }
}

async fn check_dead_letters(
    stack: &Stack,
    client: &reqwest::Client,
    expected: &BTreeMap<&'static str, BTreeSet<String>>,
) {
    let client = client.clone();
    // Dead letters: every alert to /gone (refused at once) and to /broken
    // (attempts used up), and nothing else.
    let (s, _, dead) = call(
        &client,
        M::GET,
        &stack.worker.url("/v1/admin/dead-letters?site=faults"),
        Some(ADMIN_TOKEN),
        None,
    )
    .await;
    assert_eq!(s, 200, "{dead}");
    let dead = dead["dead_letters"].as_array().unwrap();
    let (gone, broken) = (rid(stack, "senior_management"), rid(stack, "president"));
    let dead_gone = dead.iter().filter(|d| d["recipient"] == gone.as_str());
    assert!(dead_gone
        .clone()
        .all(|d| d["why"].as_str().unwrap().contains("410")));
    assert_eq!(dead_gone.count(), expected["/gone"].len());
    let dead_broken = dead.iter().filter(|d| d["recipient"] == broken.as_str());
    assert!(dead_broken
        .clone()
        .all(|d| d["why"] == format!("no delivery after {ATTEMPTS} attempts")));
    assert_eq!(dead_broken.count(), expected["/broken"].len());
    assert_eq!(
        dead.len(),
        expected["/gone"].len() + expected["/broken"].len()
    );
}

fn check_formats(seen: &Seen<'_>) {
    // Each format as its platform expects it, customer text inert.
    for ((path, _), calls) in seen {
        let r = calls[0];
        let body: Value = serde_json::from_str(&r.body).expect("JSON body");
        match path.as_str() {
            "/flaky" => assert!(r.signature_valid(INBOX_SECRET, crate::support::now_s())),
            "/slack" => {
                assert!(body["blocks"].as_array().is_some_and(|b| !b.is_empty()));
                assert!(!r.body.contains("<!channel>"), "{}", r.body);
            }
            "/gone" => assert_eq!(body["allowed_mentions"], json!({"parse": []})),
            _ => {
                assert!(r
                    .path
                    .contains("messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD"));
                assert!(body["thread"]["threadKey"].is_string());
                assert!(!r.body.contains("<!channel>"), "{}", r.body);
            }
        }
    }
}

async fn check_test_alerts(stack: &Stack, client: &reqwest::Client) {
    let client = client.clone();
    // A manager's test alert reports the platform's answer.
    let test = |rid: &str| {
        stack
            .worker
            .url(&format!("/v1/admin/sites/faults/recipients/{rid}/test"))
    };
    let (s, _, ok) = call(
        &client,
        M::POST,
        &test(&rid(stack, "client_manager")),
        Some(ADMIN_TOKEN),
        None,
    )
    .await;
    assert_eq!(s, 200, "{ok}");
    assert_eq!(
        (ok["result"].as_str(), ok["status"].as_u64()),
        (Some("delivered"), Some(200)),
        "{ok}"
    );
    assert_eq!(ok["answer"], "ok");
    let (s, _, gone) = call(
        &client,
        M::POST,
        &test(&rid(stack, "senior_management")),
        Some(ADMIN_TOKEN),
        None,
    )
    .await;
    assert_eq!(s, 200, "{gone}");
    assert_eq!(
        (gone["result"].as_str(), gone["status"].as_u64()),
        (Some("refused"), Some(410)),
        "{gone}"
    );
    assert_eq!(gone["answer"], "channel archived");
    let marked = stack
        .inbox
        .received()
        .into_iter()
        .filter(|r| r.path == "/slack" && r.body.contains("Test alert"))
        .count();
    assert_eq!(marked, 1);
    let unknown = call(
        &client,
        M::POST,
        &test("faults-nobody-9"),
        Some(ADMIN_TOKEN),
        None,
    )
    .await;
    crate::support::assert_error(&unknown, 404, "unknown_recipient");
    let anonymous = call(
        &client,
        M::POST,
        &test(&rid(stack, "client_manager")),
        None,
        None,
    )
    .await;
    crate::support::assert_error(&anonymous, 401, "unauthorized");
}

/// How long past due an alert's message may be before the cron queues it
/// again: 2 s here (5 minutes in production), so a test waits 3 s.
const LOST_AFTER: (&str, &str) = ("ALERT_LOST_AFTER_SECS", "2");

/// Lets a message become overdue, then runs the cron handler as the
/// every-minute trigger would.
async fn tick_after_grace(client: &reqwest::Client, stack: &Stack) {
    tokio::time::sleep(Duration::from_secs(3)).await;
    let url = stack.worker.url("/__scheduled?cron=*+*+*+*+*");
    let resp = client.get(&url).send().await.expect("tick");
    assert_eq!(resp.status().as_u16(), 200, "the tick ran");
}

/// An answer to `site` that the parcel never came.
fn never_came(site: &str) -> RawSubmission {
    answer_on(site, "The parcel never came.")
}

/// Posts `answer`, which must be stored (through the dev proxy's losses);
/// returns its id.
async fn open_case(api: &Api, answer: RawSubmission) -> String {
    let status = submit(api, &answer).await;
    assert_eq!(status, 201);
    answer.id
}

/// Polls a SQL query until its first row's `n` is `want`.
async fn wait_for_count(stack: &Stack, what: &str, sql: &str, want: i64) {
    crate::support::wait_until(what, Duration::from_secs(30), || {
        let n = stack.rows(sql).first().and_then(|r| r["n"].as_i64());
        async move { n == Some(want) }
    })
    .await;
}

/// Defect: a dead letter's Retry reopened its alert and then queued it; if
/// that queue send was lost, the cron never queued it again, because the
/// alert already had attempts. Every unfinished alert is now sent or buried
/// in the end. The fast path's sends are skipped here (a fault flag), so
/// only the cron can deliver.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_dead_letter_whose_queue_send_was_lost_is_sent_by_the_cron() {
    let fixed = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let receiver_fixed = fixed.clone();
    let inbox = Options {
        responder: Box::new(move |_: &Received, _| {
            let ok = receiver_fixed.load(std::sync::atomic::Ordering::SeqCst);
            Answer {
                status: if ok { 200 } else { 500 },
                ..Answer::default()
            }
        }),
        ..Options::default()
    };
    let stack = Stack::start_full(
        "lost-queue-send",
        inbox,
        vec![
            ("ALERT_SCHEDULE".into(), "0,1".into()),
            ("FAULT_SKIP_FAST_QUEUE_SENDS".into(), "true".into()),
            (LOST_AFTER.0.into(), LOST_AFTER.1.into()),
        ],
    );
    let client = reqwest::Client::new();
    stack
        .put_site("lost", &[("service_manager", "/inbox")], json!({}))
        .await;
    let case = open_case(
        &stack.api(),
        RawSubmission {
            contact: Some(contact("ana@example.com", true)),
            ..never_came("lost")
        },
    )
    .await;
    let alert = crate::support::alert_id(&case, "service", "opened");

    // Its fast-path send was skipped: the cron finds it, two attempts fail,
    // and it is a dead letter.
    tick_after_grace(&client, &stack).await;
    let dead = format!("SELECT COUNT(*) AS n FROM dead_letters WHERE alert_id = '{alert}'");
    wait_for_count(&stack, "the alert is a dead letter", &dead, 1).await;

    // The receiver is fixed and a manager presses Retry; that queue send is
    // lost too.
    fixed.store(true, std::sync::atomic::Ordering::SeqCst);
    let recipient = stack.rows(&format!(
        "SELECT recipient_id FROM dead_letters WHERE alert_id = '{alert}'"
    ))[0]["recipient_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let manager = crate::support::dashboard::HttpSession::sign_in(&stack, "Dana Reyes").await;
    let (status, location) = manager
        .post(
            &stack,
            "/dashboard/dead-letters/retry",
            &[
                ("alert_id", &alert),
                ("recipient_id", &recipient),
                ("site", "lost"),
            ],
        )
        .await;
    assert_eq!(
        (status, location.contains("done=retried")),
        (303, true),
        "{location}"
    );
    wait_for_count(&stack, "the dead letter is gone", &dead, 0).await;

    // The cron finds the reopened alert overdue and queues it.
    tick_after_grace(&client, &stack).await;
    let delivered = format!(
        "SELECT COUNT(*) AS n FROM deliveries WHERE idempotency_id = '{alert}' AND status = 200"
    );
    wait_for_count(&stack, "the retried alert is delivered", &delivered, 1).await;
    let finished = format!(
        "SELECT COUNT(*) AS n FROM alerts WHERE id = '{alert}' AND finished_at IS NOT NULL"
    );
    wait_for_count(&stack, "the alert is finished", &finished, 1).await;
    wait_for_count(&stack, "no dead letter is left", &dead, 0).await;
}

/// Defects: an alert whose level had no recipient was marked finished with
/// nobody told, and a stored URL that today's rules refuse (here a host with
/// a trailing dot, `localhost.`, which older rules let through) was retried
/// for hours. Both are dead letters at once, with the reason, and the rest
/// of the level still gets the alert.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_level_without_recipients_and_a_refused_url_are_dead_letters_at_once() {
    let stack = Stack::start_full(
        "no-recipient",
        Options::default(),
        // A long second step: a retry would not end inside this test.
        vec![("ALERT_SCHEDULE".into(), "0,600".into())],
    );
    let client = reqwest::Client::new();
    // Service and client managers only: nobody for senior management.
    stack
        .put_site(
            "thin",
            &[("service_manager", "/inbox"), ("client_manager", "/inbox")],
            json!({}),
        )
        .await;
    // A president stored under older rules, straight into D1.
    stack.rows(&format!(
        "INSERT INTO recipients (id, site, role, format, url, secret, created_at) \
         VALUES ('thin-legacy-president', 'thin', 'president', 'webhook', \
         'https://localhost./inbox', '{INBOX_SECRET}', 0)"
    ));
    let case = open_case(
        &stack.api(),
        RawSubmission {
            score: Some(1),
            guarantee: true,
            ..never_came("thin")
        },
    )
    .await;
    let alert = crate::support::alert_id(&case, "president", "opened");
    stack.wait_for_alert(&alert).await;
    let finished = format!(
        "SELECT COUNT(*) AS n FROM alerts WHERE id = '{alert}' AND finished_at IS NOT NULL"
    );
    wait_for_count(&stack, "the alert is finished", &finished, 1).await;
    let dead: BTreeMap<String, String> = stack
        .rows(&format!(
            "SELECT recipient_id, why FROM dead_letters WHERE alert_id = '{alert}'"
        ))
        .iter()
        .map(|r| {
            (
                r["recipient_id"].as_str().unwrap().to_owned(),
                r["why"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        dead.get("no-recipient-senior_management")
            .map(String::as_str),
        Some("no recipient for senior management"),
        "{dead:?}"
    );
    let refused = dead
        .get("thin-legacy-president")
        .expect("the refused URL is a dead letter");
    assert!(refused.starts_with("not sent: url:"), "{refused}");
    assert_eq!(dead.len(), 2, "{dead:?}");
    // One attempt was logged for the refused URL, and none was sent.
    let tries = stack.rows(&format!(
        "SELECT COUNT(*) AS n FROM deliveries WHERE idempotency_id = '{alert}' \
         AND recipient_id = 'thin-legacy-president'"
    ));
    assert_eq!(tries[0]["n"], 1);
    // The managers' dead-letter view lists both, with the reasons.
    let (s, _, view) = call(
        &client,
        M::GET,
        &stack.worker.url("/v1/admin/dead-letters"),
        Some(ADMIN_TOKEN),
        None,
    )
    .await;
    assert_eq!(s, 200);
    let whys: BTreeSet<&str> = view
        .as_array()
        .or_else(|| view["dead_letters"].as_array())
        .expect("a list")
        .iter()
        .filter(|l| l["alert"] == alert.as_str())
        .filter_map(|l| l["why"].as_str())
        .collect();
    assert!(
        whys.contains("no recipient for senior management"),
        "{view}"
    );
    retry_once_senior_management_exists(&client, &stack, &alert, &finished).await;
}

/// A manager adds senior management and presses Retry on the "no recipient"
/// dead letter: the alert reaches the new recipient, and nobody else again.
async fn retry_once_senior_management_exists(
    client: &reqwest::Client,
    stack: &Stack,
    alert: &str,
    finished: &str,
) {
    let before = stack.alerts_with_id(alert).len();
    let site = stack.worker.url("/v1/admin/sites/thin");
    let (s, _, saved) = call(client, M::GET, &site, Some(ADMIN_TOKEN), None).await;
    assert_eq!(s, 200);
    // The president stored under older rules goes (a PUT checks every URL
    // it keeps against today's rules); senior management comes.
    let mut recipients: Vec<Value> = saved["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["id"] != "thin-legacy-president")
        .cloned()
        .collect();
    recipients.push(json!({"role": "senior_management", "format": "webhook",
        "url": stack.inbox.url("/senior"), "secret": INBOX_SECRET}));
    let body = json!({"recipients": recipients});
    let (s, _, saved) = call(client, M::PUT, &site, Some(ADMIN_TOKEN), Some(&body)).await;
    assert_eq!(s, 200, "{saved}");
    let manager = crate::support::dashboard::HttpSession::sign_in(stack, "Dana Reyes").await;
    let (status, location) = manager
        .post(
            stack,
            "/dashboard/dead-letters/retry",
            &[
                ("alert_id", alert),
                ("recipient_id", "no-recipient-senior_management"),
                ("site", "thin"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    assert!(location.contains("done=retried"), "{location}");
    crate::support::wait_until(
        "the alert reaches senior management",
        Duration::from_secs(30),
        || {
            let senior = stack
                .inbox
                .received()
                .iter()
                .filter(|r| r.path == "/senior" && r.header("webhook-id") == Some(alert))
                .count();
            async move { senior == 1 }
        },
    )
    .await;
    wait_for_count(stack, "the alert is finished again", finished, 1).await;
    assert_eq!(
        stack.alerts_with_id(alert).len(),
        before + 1,
        "nobody else got it twice"
    );
}

/// Defect: when the cron queued an alert again while its first message was
/// still being handled (a slow receiver, a backlog), two consumers sent it
/// twice. Here two copies of one alert's message land in one batch (the
/// fast path's, and the cron's with no grace at all), and the consumer
/// handles them at once. Each send is now claimed first: the second copy
/// finds the claim and leaves the recipient to the first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_copies_of_one_alert_in_flight_reach_the_recipient_once() {
    let inbox = Options {
        responder: Box::new(|_: &Received, _| Answer {
            status: 200,
            delay: Some(Duration::from_secs(2)),
            ..Answer::default()
        }),
        ..Options::default()
    };
    let stack = Stack::start_full(
        "claimed-send",
        inbox,
        vec![
            ("ALERT_TIMEOUT_MS".into(), "15000".into()),
            ("ALERT_LOST_AFTER_SECS".into(), "0".into()),
        ],
    );
    let client = reqwest::Client::new();
    stack
        .put_site("slow", &[("service_manager", "/inbox")], json!({}))
        .await;
    let case = open_case(
        &stack.api(),
        RawSubmission {
            contact: Some(RawContact {
                phone: Some("+44 20 7946 0958".into()),
                callback: true,
                ..RawContact::default()
            }),
            ..never_came("slow")
        },
    )
    .await;
    // Within the queue's one-second batch window: the cron queues the same
    // alert again, so the batch holds both copies.
    let url = stack.worker.url("/__scheduled?cron=*+*+*+*+*");
    let resp = client.get(&url).send().await.expect("tick");
    assert_eq!(resp.status().as_u16(), 200);
    let alert = crate::support::alert_id(&case, "service", "opened");
    let delivered = format!(
        "SELECT MIN(COUNT(*), 1) AS n FROM deliveries WHERE idempotency_id = '{alert}' AND status = 200"
    );
    wait_for_count(&stack, "a send is recorded", &delivered, 1).await;
    // Long enough for a second send to arrive and be answered.
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(
        stack.alerts_with_id(&alert).len(),
        1,
        "the receiver got the alert once"
    );
    let attempts = stack.rows(&format!(
        "SELECT COUNT(*) AS n FROM deliveries WHERE idempotency_id = '{alert}'"
    ));
    assert_eq!(attempts[0]["n"], 1, "one attempt logged");
}

/// The back office away (not deployed yet, down, restarting) while the
/// front takes answers: the answer is stored and thanked, its alert waits
/// in the outbox (the front's hand-over fails and is logged), and once the
/// office is back the cron sends it, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_taken_while_the_office_is_away_is_alerted_once_it_is_back() {
    let mut stack = Stack::start_full(
        "office-away",
        Options {
            responder: Box::new(|_: &Received, _| ok()),
            ..Options::default()
        },
        vec![(LOST_AFTER.0.into(), LOST_AFTER.1.into())],
    );
    stack
        .put_site("away", &[("service_manager", "/inbox")], json!({}))
        .await;
    stack.restart(true);
    let client = reqwest::Client::new();
    let office_route = client
        .get(stack.worker.url("/v1/admin/people"))
        .send()
        .await
        .expect("an admin route");
    assert_eq!(office_route.status().as_u16(), 503, "the office is away");

    let case = open_case(
        &stack.api(),
        RawSubmission {
            contact: Some(contact("ana@example.com", true)),
            ..never_came("away")
        },
    )
    .await;
    let stored = format!("SELECT COUNT(*) AS n FROM responses WHERE id = '{case}'");
    wait_for_count(&stack, "the answer is stored", &stored, 1).await;
    let alert = crate::support::alert_id(&case, "service", "opened");
    let waiting =
        format!("SELECT COUNT(*) AS n FROM alerts WHERE id = '{alert}' AND finished_at IS NULL");
    wait_for_count(&stack, "its alert waits in the outbox", &waiting, 1).await;
    stack.wait_for_log("not handed to the office").await;
    assert!(
        stack.inbox.received().is_empty(),
        "nothing was sent while the office was away"
    );

    stack.restart(false);
    tick_after_grace(&client, &stack).await;
    crate::support::wait_until("the alert arrives", Duration::from_secs(30), || {
        let n = stack.inbox.received().len();
        async move { n >= 1 }
    })
    .await;
    // Another tick sends nothing more.
    tick_after_grace(&client, &stack).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let got = stack.inbox.received();
    assert_eq!(
        got.len(),
        1,
        "the alert arrived once: {:?}",
        got.iter().map(|r| &r.path).collect::<Vec<_>>()
    );
    assert_eq!(got[0].path, "/inbox");
    let finished = format!(
        "SELECT COUNT(*) AS n FROM alerts WHERE id = '{alert}' AND finished_at IS NOT NULL"
    );
    wait_for_count(&stack, "the alert is finished", &finished, 1).await;
}
