//! The managers' API against the real Worker: auth, the paged list, one
//! answer with its case, the closed loop (rule 4), rule 6 (one open case per
//! contact), export and erasure.

use crate::support::dashboard::HttpSession;
use crate::support::{answer, assert_error, call, contact, Api, Stack, ADMIN_TOKEN};
use domain::submission::{RawContact, RawSubmission};
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::time::Duration;

/// An answer to the demo site with a score and contact details.
fn answer_with(gaps: &str, score: Option<i64>, contact: Option<RawContact>) -> RawSubmission {
    RawSubmission {
        score,
        contact,
        ..answer(gaps)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn managers_list_answers_close_the_loop_export_and_erase_through_the_api() {
    let stack = Stack::start("admin-api");
    let api = stack.api();
    auth_is_required(&api).await;
    let ana_case = rule_six_joins_an_open_case(&stack, &api).await;
    list_filters_and_pages(&api).await;
    the_closed_loop(&api, &ana_case).await;
    a_closed_case_is_not_joined(&stack, &api, &ana_case).await;
    export_streams_csv_and_ndjson(&stack, &api).await;
    erasure_keeps_the_anonymous_record(&stack, &api, &ana_case).await;
}

async fn auth_is_required(api: &Api) {
    let url = api.url("/v1/admin/responses");
    assert_error(
        &call(&api.client, Method::GET, &url, None, None).await,
        401,
        "unauthorized",
    );
    assert_error(
        &call(&api.client, Method::GET, &url, Some("wrong"), None).await,
        403,
        "forbidden",
    );
    assert_error(
        &call(
            &api.client,
            Method::GET,
            &api.url("/v1/admin/export?format=csv"),
            None,
            None,
        )
        .await,
        401,
        "unauthorized",
    );
    assert_error(
        &api.admin(Method::PATCH, "/v1/admin/responses", None).await,
        405,
        "method_not_allowed",
    );
}

/// Rule 6: Ana's second callback request joins her open case — one case,
/// one alert, a message event — and says who will call and when.
async fn rule_six_joins_an_open_case(stack: &Stack, api: &Api) -> String {
    let first = api
        .submit(&answer_with(
            "Billed twice for one order.",
            Some(1),
            Some(RawContact {
                name: Some("Ana".into()),
                ..contact("ana@example.com", true)
            }),
        ))
        .await;
    let case = first["id"].as_str().unwrap().to_owned();
    assert_eq!(first["tier"], "senior");
    stack.wait_for_alerts(1, Duration::from_secs(10)).await;

    let again = api
        .submit(&answer_with(
            "Still no refund, please call.",
            None,
            Some(contact("ANA@example.com", true)),
        ))
        .await;
    assert_eq!(again["case"], "open");
    let next = again["next"].as_str().unwrap();
    assert!(
        next.contains("already have open")
            && next.contains("senior management will call you back within"),
        "{next}"
    );
    let again_id = again["id"].as_str().unwrap();

    let rows = stack.rows(&format!(
        "SELECT case_id FROM responses WHERE id = '{again_id}'"
    ));
    assert_eq!(rows[0]["case_id"], case.as_str(), "joined the open case");
    let cases = stack.rows("SELECT count(*) AS n FROM cases");
    assert_eq!(cases[0]["n"], 1, "no second case");
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(stack.inbox.received().len(), 1, "no second alert");

    a_phone_match_joins_and_no_callback_opens_its_own(stack, api).await;

    let (status, _, detail) = api
        .admin(Method::GET, &format!("/v1/admin/responses/{case}"), None)
        .await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["contact"]["email"], "ana@example.com");
    assert_eq!(detail["score"].as_u64(), Some(1), "an integer: {detail}");
    let types: Vec<&str> = detail["case"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["opened", "message"]);
    assert!(detail["case"]["events"][1]["data"]["response"] == again_id);
    assert!(
        !detail["case"]["deliveries"].as_array().unwrap().is_empty(),
        "{detail}"
    );
    assert_eq!(detail["case"]["next_step"], "acknowledged");
    let (status, _, deliveries) = api
        .admin(
            Method::GET,
            &format!("/v1/admin/deliveries?response={case}"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    // Integers are JSON integers and times RFC 3339 strings
    // (docs/wire-contract.md#conventions), not D1's floats and milliseconds.
    let first = &deliveries["deliveries"][0];
    assert_eq!(
        (first["status"].as_u64(), first["attempt"].as_u64()),
        (Some(200), Some(1)),
        "{first}"
    );
    assert!(first["duration_ms"].is_u64(), "{first}");
    assert!(
        first["started_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z') && t.contains('T')),
        "{first}"
    );
    assert_error(
        &api.admin(
            Method::GET,
            "/v1/admin/responses/0f8fad5b-d9cb-469f-a165-70867728950e",
            None,
        )
        .await,
        404,
        "unknown_response",
    );
    assert_error(
        &api.admin(Method::GET, "/v1/admin/responses/not-an-id", None)
            .await,
        400,
        "invalid_id",
    );
    case
}

/// A phone match joins too; an answer without a callback opens its own.
async fn a_phone_match_joins_and_no_callback_opens_its_own(stack: &Stack, api: &Api) {
    let by_phone = api
        .submit(&answer_with(
            "Third try.",
            Some(5),
            Some(RawContact {
                phone: Some("+44 20 7946 0000".into()),
                ..contact("other@example.com", true)
            }),
        ))
        .await;
    assert_eq!(by_phone["tier"], "service");
    let own = api
        .submit(&answer_with(
            "Rude driver.",
            Some(2),
            Some(contact("ana@example.com", false)),
        ))
        .await;
    let own_id = own["id"].as_str().unwrap();
    let own_case = stack.rows(&format!(
        "SELECT case_id FROM responses WHERE id = '{own_id}'"
    ));
    assert_eq!(
        own_case[0]["case_id"], own_id,
        "no callback asked: its own case"
    );
}

async fn list_filters_and_pages(api: &Api) {
    for i in 0..7 {
        api.submit(&answer_with(&format!("Filler {i}"), Some(4), None))
            .await;
    }
    let (_, _, all) = api
        .admin(Method::GET, "/v1/admin/responses?site=demo&limit=200", None)
        .await;
    let total = all["items"].as_array().unwrap().len();
    assert_eq!(total, 11);
    assert!(all["next_cursor"].is_null());

    let mut seen = BTreeSet::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/admin/responses?site=demo&limit=3&cursor={c}"),
            None => "/v1/admin/responses?site=demo&limit=3".into(),
        };
        let (status, _, page) = api.admin(Method::GET, &path, None).await;
        assert_eq!(status, 200, "{page}");
        for item in page["items"].as_array().unwrap() {
            assert!(
                seen.insert(item["id"].as_str().unwrap().to_owned()),
                "no answer twice"
            );
        }
        pages += 1;
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!((seen.len(), pages), (total, 4));

    let (_, _, senior) = api
        .admin(Method::GET, "/v1/admin/responses?tier=senior", None)
        .await;
    assert!(senior["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["tier"] == "senior"));
    assert_eq!(senior["items"].as_array().unwrap().len(), 2);
    let (_, _, open) = api
        .admin(Method::GET, "/v1/admin/responses?state=open", None)
        .await;
    assert!(open["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["case"]["state"] == "open"));
    let (_, _, future) = api
        .admin(Method::GET, "/v1/admin/responses?since=2999-01-01", None)
        .await;
    assert!(future["items"].as_array().unwrap().is_empty());

    for (query, code) in [
        ("cursor=abc", "invalid_cursor"),
        ("tier=gold", "invalid_tier"),
        ("teir=senior", "invalid_query"),
        ("limit=0", "invalid_limit"),
        ("since=soon", "invalid_since"),
    ] {
        assert_error(
            &api.admin(Method::GET, &format!("/v1/admin/responses?{query}"), None)
                .await,
            400,
            code,
        );
    }
}

/// Rule 4: open → acknowledged → contacted → report_sent → closed, each step
/// recorded; steps out of order are 409; closing needs its three answers.
/// `mail` belongs to a report, `customer_note` to a closing; anything
/// else is refused and records nothing.
async fn mail_choices_are_checked(api: &Api, case: &str) {
    assert_error(
        &api.event(
            case,
            json!({"type": "report_sent", "by": "Sam", "note": "x", "mail": "twice"}),
        )
        .await,
        400,
        "invalid_mail",
    );
    assert_error(
        &api.event(
            case,
            json!({"type": "contacted", "by": "Sam", "note": "x", "customer_note": "y"}),
        )
        .await,
        400,
        "invalid_customer_note",
    );
}

async fn the_closed_loop(api: &Api, case: &str) {
    assert_error(
        &api.event(case, json!({"type": "contacted", "by": "Sam", "note": "x"}))
            .await,
        409,
        "illegal_transition",
    );
    assert_error(
        &api.event(case, json!({"type": "acknowledged"})).await,
        400,
        "invalid_by",
    );
    assert_error(
        &api.event(case, json!({"type": "escalated", "by": "Sam"}))
            .await,
        400,
        "invalid_type",
    );
    let extra = json!({"type": "note", "by": "Sam", "extra": 1});
    assert_error(&api.event(case, extra).await, 400, "invalid_json");
    assert_error(
        &api.event(
            "0f8fad5b-d9cb-469f-a165-70867728950e",
            json!({"type": "acknowledged", "by": "Sam"}),
        )
        .await,
        404,
        "unknown_case",
    );

    // Two managers acknowledge at once: one wins, the other hears 409.
    let (a, b) = tokio::join!(
        api.event(case, json!({"type": "acknowledged", "by": "Sam"})),
        api.event(case, json!({"type": "acknowledged", "by": "Kim"})),
    );
    let mut statuses = [a.0, b.0];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409], "{} / {}", a.2, b.2);

    let (s, _, v) = api
        .event(
            case,
            json!({"type": "contacted", "by": "Sam", "note": "Refund was stuck in review."}),
        )
        .await;
    assert_eq!((s, v["state"].as_str()), (201, Some("contacted")), "{v}");
    api.event(
        case,
        json!({"type": "note", "by": "Sam", "note": "Customer prefers email."}),
    )
    .await;
    mail_choices_are_checked(api, case).await;
    let (s, _, _) = api.event(case, json!({"type": "report_sent", "by": "Sam", "note": "Refund today; review queue alert.", "mail": "send"})).await;
    assert_eq!(s, 201);
    assert_error(
        &api.event(
            case,
            json!({"type": "closed", "by": "Sam", "short_fix": "refunded", "systemic_fix": "none"}),
        )
        .await,
        400,
        "invalid_root_cause",
    );
    assert_error(&api.event(case, json!({"type": "closed", "by": "Sam", "root_cause": "refund-queue", "short_fix": "refunded"})).await, 400, "invalid_systemic_fix");
    let (s, _, closed) = api
        .event(case, json!({"type": "closed", "by": "Sam", "root_cause": "Refund-Queue", "short_fix": "refunded", "systemic_fix": "alert on stuck refunds", "effort": 2.5, "customer_note": "Stuck refunds now alert the team."}))
        .await;
    assert_eq!(s, 201, "{closed}");
    assert_eq!(closed["state"], "closed");
    assert!(closed["next_step"].is_null());
    let types: Vec<&str> = closed["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "opened",
            "message",
            "acknowledged",
            "contacted",
            "note",
            "report_sent",
            "closed"
        ]
    );
    let last = &closed["events"][6]["data"];
    assert_eq!(
        (last["root_cause"].as_str(), last["effort"].as_f64()),
        (Some("refund-queue"), Some(2.5))
    );
    assert_error(
        &api.event(case, json!({"type": "acknowledged", "by": "Sam"}))
            .await,
        409,
        "illegal_transition",
    );
}

/// After closing, Ana's next callback request does not join the closed case.
async fn a_closed_case_is_not_joined(stack: &Stack, api: &Api, case: &str) {
    // The case is closed: Ana's next callback request does not join it (she
    // still has the "rude driver" case open, so it joins that one).
    let fresh = api
        .submit(&answer_with(
            "New problem.",
            None,
            Some(contact("ana@example.com", true)),
        ))
        .await;
    let fresh_id = fresh["id"].as_str().unwrap();
    let rows = stack.rows(&format!("SELECT r.case_id, c.state FROM responses r JOIN cases c ON c.id = r.case_id WHERE r.id = '{fresh_id}'"));
    assert_ne!(rows[0]["case_id"], case);
    assert_eq!(rows[0]["state"], "open");
}

async fn export_streams_csv_and_ndjson(stack: &Stack, api: &Api) {
    api.submit(&answer_with(
        "=HYPERLINK(\"https://evil.example\",\"x\")",
        Some(4),
        Some(RawContact {
            name: Some("+cmd|' /C calc'!A0".into()),
            ..RawContact::default()
        }),
    ))
    .await;
    let count = stack.rows("SELECT count(*) AS n FROM responses")[0]["n"]
        .as_u64()
        .unwrap();

    let resp = api
        .client
        .get(api.url("/v1/admin/export?site=demo&format=csv"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = resp.text().await.unwrap();
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert!(lines[0].starts_with("id,site,received_at,tier,score"));
    assert_eq!(
        lines.len() as u64,
        count + 1,
        "header plus one record per answer"
    );
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"https://evil.example\"\",\"\"x\"\")\""),
        "formula neutralised and quoted"
    );
    assert!(csv.contains(",'+cmd|' /C calc'!A0,"), "{csv}");
    assert!(!csv.contains(",=HYPERLINK") && !csv.contains(",+cmd"));

    let resp = api
        .client
        .get(api.url("/v1/admin/export?format=ndjson&tier=none"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/x-ndjson"));
    let text = resp.text().await.unwrap();
    let records: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!records.is_empty() && records.iter().all(|r| r["tier"] == "none"));

    assert_error(
        &api.admin(Method::GET, "/v1/admin/export?format=xlsx", None)
            .await,
        400,
        "invalid_format",
    );
    assert_error(
        &api.admin(Method::GET, "/v1/admin/export", None).await,
        400,
        "invalid_format",
    );
}

/// Erasure removes what identifies the customer, keeps the anonymous record,
/// the case and its audit trail, and is idempotent.
async fn erasure_keeps_the_anonymous_record(stack: &Stack, api: &Api, case: &str) {
    // Two thank-yous (Ana answered twice), the report and the closing note,
    // all sent; then the report is made to wait for a retry, as a mail the
    // provider refused for now would.
    let sent =
        format!("SELECT count(*) AS n FROM mails WHERE case_id = '{case}' AND sent_at IS NOT NULL");
    crate::support::wait_until(
        "the case's four mails are sent",
        Duration::from_secs(10),
        || {
            let n = stack.rows(&sent)[0]["n"].as_u64();
            async move { n == Some(4) }
        },
    )
    .await;
    stack.rows(&format!(
        "UPDATE mails SET sent_at = NULL, next_at = 99999999999999 WHERE id = 'report-{case}'"
    ));
    let (s, _, v) = api.erase(case).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["already_erased"], false);
    let row = &stack.rows(&format!("SELECT * FROM responses WHERE id = '{case}'"))[0];
    for field in [
        "contact_name",
        "contact_email",
        "contact_phone",
        "email_key",
        "phone_key",
        "page",
        "transaction_ref",
    ] {
        assert!(row[field].is_null(), "{field} kept: {row}");
    }
    assert_eq!(row["gaps"], "");
    assert_eq!(
        (row["score"].as_u64(), row["tier"].as_str()),
        (Some(1), Some("senior")),
        "anonymous record kept"
    );
    let mails = stack.rows(&format!(
        "SELECT id, recipient, subject, text, html, next_at, last_error FROM mails \
         WHERE case_id = '{case}' ORDER BY id"
    ));
    assert_eq!(mails.len(), 4, "{mails:?}");
    for m in &mails {
        for field in ["recipient", "subject", "text", "html"] {
            assert_eq!(m[field], "", "{field} kept: {m}");
        }
        assert!(m["next_at"].is_null(), "never sent again: {m}");
    }
    let queued = mails
        .iter()
        .find(|m| m["id"] == format!("report-{case}").as_str());
    assert_eq!(queued.unwrap()["last_error"], "erased on request");
    assert!(row["erased_at"].is_number());
    let audit = stack.rows(&format!(
        "SELECT by, action FROM audit WHERE subject = '{case}'"
    ));
    assert_eq!(audit, [json!({"by": "Privacy desk", "action": "erased"})]);
    let (_, _, detail) = api
        .admin(Method::GET, &format!("/v1/admin/responses/{case}"), None)
        .await;
    let types: Vec<&str> = detail["case"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    // The answer that joined the case (rule 6) was the same customer's:
    // erased with it, and logged on the case as well.
    assert_eq!(types[types.len() - 2..], ["erased", "erased"]);
    assert_eq!(types.len(), 9, "the audit trail is kept");
    assert!(detail["erased_at"].is_string());

    let (s, _, v) = api
        .admin(Method::DELETE, &format!("/v1/admin/responses/{case}"), None)
        .await;
    assert_eq!((s, v["already_erased"].as_bool()), (200, Some(true)));
    assert_eq!(
        stack.rows(&format!(
            "SELECT count(*) AS n FROM audit WHERE subject = '{case}'"
        ))[0]["n"],
        1
    );
    assert_error(
        &api.admin(
            Method::DELETE,
            "/v1/admin/responses/0f8fad5b-d9cb-469f-a165-70867728950e",
            None,
        )
        .await,
        404,
        "unknown_response",
    );
}

/// Ana's answers: the first, one that joins by email, one that joins by
/// phone only, and a second with no callback (its own record, same email);
/// then Bob's, someone else.
fn anas_answers_and_bobs() -> [RawSubmission; 5] {
    let ana = RawContact {
        name: Some("Ana Lima".into()),
        phone: Some("+44 20 7946 0958".into()),
        ..contact("ana@example.com", true)
    };
    let first = answer_with("Ana: the refund is late.", Some(2), Some(ana));
    let ana_by_email = answer_with(
        "Ana again: still late.",
        None,
        Some(contact("ANA@example.com", true)),
    );
    let by_phone = answer_with(
        "Ana from her phone.",
        None,
        Some(RawContact {
            phone: Some("+442079460958".into()),
            callback: true,
            ..RawContact::default()
        }),
    );
    let no_callback = answer_with(
        "Ana, later: fine now.",
        Some(4),
        Some(contact("ana@example.com", false)),
    );
    let bob = answer_with(
        "Bob: wrong size.",
        Some(3),
        Some(contact("bob@example.com", true)),
    );
    [first, ana_by_email, by_phone, no_callback, bob]
}

/// Defect: erasing an answer cleared that row only. The same customer's
/// other answers (joined to the case by rule 6, or not) kept name, email,
/// phone and words, and the case page still showed them. Erasing a customer
/// now covers every answer that shares a contact key, and every answer in
/// their cases; a queued alert carries the erasure too; and the dashboard
/// can erase by email or phone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn erasing_a_customer_covers_every_answer_they_gave() {
    let stack = Stack::start_full(
        "erase-customer",
        tests::receiver::Options::default(),
        vec![
            ("FAULT_SKIP_FAST_QUEUE_SENDS".into(), "true".into()),
            ("ALERT_LOST_AFTER_SECS".into(), "1".into()),
        ],
    );
    let api = stack.api();
    let answers = anas_answers_and_bobs();
    for given in &answers {
        api.submit(given).await;
    }
    let [first, by_email, by_phone, no_callback, bob] = answers.map(|a| a.id);

    let (s, _, v) = api.erase(&first).await;
    assert_eq!(s, 200, "{v}");
    let expected: BTreeSet<&str> = [&first, &by_email, &by_phone, &no_callback]
        .iter()
        .map(|s| s.as_str())
        .collect();
    // What the defect left behind: the other answers kept everything.
    for id in &expected {
        let row = &stack.rows(&format!(
            "SELECT gaps, contact_name, contact_email, contact_phone, email_key, phone_key, erased_at \
             FROM responses WHERE id = '{id}'"
        ))[0];
        assert_eq!(row["gaps"], "", "{id}: {row}");
        for field in [
            "contact_name",
            "contact_email",
            "contact_phone",
            "email_key",
            "phone_key",
        ] {
            assert!(row[field].is_null(), "{id}: {field} kept: {row}");
        }
        assert!(row["erased_at"].is_number());
        assert_eq!(
            stack.rows(&format!(
                "SELECT count(*) AS n FROM audit WHERE subject = '{id}' AND action = 'erased'"
            ))[0]["n"],
            1,
            "{id} audited"
        );
    }
    let erased: BTreeSet<&str> = v["answers_erased"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(erased, expected, "the API names every answer it erased");
    let kept = &stack.rows(&format!(
        "SELECT gaps, contact_email FROM responses WHERE id = '{bob}'"
    ))[0];
    assert_eq!(
        kept["contact_email"], "bob@example.com",
        "another customer stays"
    );

    // The case page shows none of it any more.
    let manager = HttpSession::sign_in(&stack, "Privacy desk").await;
    let (s, page) = manager
        .get(&stack, &format!("/dashboard/cases/{first}"))
        .await;
    assert_eq!(s, 200);
    for gone in [
        "Ana",
        "ana@example.com",
        "7946",
        "still late",
        "from her phone",
    ] {
        assert!(!page.contains(gone), "{gone:?} still on the case page");
    }

    erase_by_email_from_the_dashboard(&stack, &api, &manager, &bob).await;
}

/// By email from the dashboard: Gil's two answers, and the alerts still
/// waiting in the outbox, which then go out without Gil's words.
async fn erase_by_email_from_the_dashboard(
    stack: &Stack,
    api: &Api,
    manager: &HttpSession,
    bob: &str,
) {
    let gil = contact("gil@example.com", true);
    let broken = answer_with("Gil: broken on arrival.", Some(1), Some(gil.clone()));
    api.submit(&broken).await;
    let waiting = answer_with("Gil: no reply yet.", None, Some(gil));
    api.submit(&waiting).await;
    let (gil_first, gil_second) = (broken.id, waiting.id);
    let (s, location) = manager
        .post(
            stack,
            "/dashboard/erase",
            &[
                ("email", " Gil@Example.com "),
                ("site", "demo"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(s, 303);
    assert!(location.ends_with("done=erased"), "{location}");
    for id in [&gil_first, &gil_second] {
        let row = &stack.rows(&format!(
            "SELECT gaps, contact_email FROM responses WHERE id = '{id}'"
        ))[0];
        assert_eq!(
            (&row["gaps"], &row["contact_email"]),
            (&json!(""), &Value::Null),
            "{id}"
        );
    }
    // Nothing more to erase for that address.
    let (_, location) = manager
        .post(
            stack,
            "/dashboard/erase",
            &[
                ("phone", ""),
                ("email", "gil@example.com"),
                ("site", "demo"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert!(location.ends_with("done=not-erased"), "{location}");
    // The alerts were written when the answers came, but their queue sends
    // were skipped (a fault flag): they wait in the outbox until the cron
    // sends them, after the erasure, and carry none of Gil's data.
    let tick = stack.worker.url(&format!(
        "/__scheduled?cron=*+*+*+*+*&time={}",
        (crate::support::now_s() + 6 * 60) * 1000
    ));
    assert_eq!(
        api.client
            .get(&tick)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        200
    );
    let told = stack
        .wait_for_alert(&crate::support::alert_id(&gil_first, "senior", "opened"))
        .await;
    assert_eq!(
        told["data"]["gaps"],
        "(erased at the customer\u{2019}s request)"
    );
    assert!(told["data"]["contact"].is_null(), "{told}");
    let body = told.to_string();
    assert!(!body.contains("Gil") && !body.contains("gil@"), "{body}");
    let bobs = stack
        .wait_for_alert(&crate::support::alert_id(bob, "account", "opened"))
        .await;
    assert_eq!(bobs["data"]["gaps"], "Bob: wrong size.");
}
