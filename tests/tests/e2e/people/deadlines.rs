//! Deadlines for every step after acknowledgement: with a one-minute call
//! deadline, an acknowledged case nobody called raises exactly one
//! `call_overdue` alert, however many ticks run, and shows overdue in the
//! inbox and on its page. A customer who left no contact takes the honest
//! path: context recorded, an internal report, closed.

use crate::support::dashboard::HttpSession;
use crate::support::{contact, scored, Stack};
use domain::submission::RawSubmission;
use serde_json::json;
use std::time::Duration;

async fn tick(stack: &Stack) {
    let url = stack.worker.url("/__scheduled?cron=*+*+*+*+*");
    let resp = reqwest::get(&url).await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
}

fn events_of(stack: &Stack, case: &str, kind: &str) -> usize {
    stack
        .rows(&format!(
            "SELECT id FROM events WHERE case_id = '{case}' AND type = '{kind}'"
        ))
        .len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missed_call_is_alerted_once_and_shows_overdue() {
    let stack = Stack::start("people-deadlines");
    let (status, _, body) = stack
        .api()
        .admin(
            reqwest::Method::PUT,
            "/v1/admin/sites/demo",
            Some(&json!({"deadline_minutes": {"senior": {"call_minutes": 1}}})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["deadline_minutes"],
        json!({"senior": {"call_minutes": 1}})
    );
    let (status, _, body) = stack
        .api()
        .admin(
            reqwest::Method::PUT,
            "/v1/admin/sites/demo",
            Some(&json!({"deadline_minutes": {"senior": {"call_minutes": 0}}})),
        )
        .await;
    assert_eq!(status, 400, "{body}");

    let late = RawSubmission {
        contact: Some(contact("ana@example.com", true)),
        ..scored("Nobody called back.", 2)
    };
    stack.api().submit(&late).await;
    let mia = HttpSession::sign_in_as(&stack, "Mia Manager", "manager", &["demo"]).await;
    let (status, _) = mia
        .post(
            &stack,
            &format!("/dashboard/cases/{}/events", late.id),
            &[("type", "acknowledged")],
        )
        .await;
    assert_eq!(status, 303);
    tick(&stack).await;
    assert_eq!(
        events_of(&stack, &late.id, "call_overdue"),
        0,
        "not due yet"
    );

    // Two minutes pass (the case entered its state two minutes earlier).
    stack.rows(&format!(
        "UPDATE cases SET state_at = state_at - 120000 WHERE id = '{}'",
        late.id
    ));
    for _ in 0..3 {
        tick(&stack).await;
    }
    let id = format!("msg_{}_senior_call_overdue", late.id.replace('-', ""));
    let alert = stack.wait_for_alert(&id).await;
    assert!(alert["data"]["reason"]["kind"] == "step_overdue", "{alert}");
    tokio::time::sleep(Duration::from_secs(3)).await;
    tick(&stack).await;
    assert_eq!(
        stack.alerts_with_id(&id).len(),
        1,
        "exactly one call_overdue alert"
    );
    assert_eq!(events_of(&stack, &late.id, "call_overdue"), 1);

    let (_, inbox) = mia.get(&stack, "/dashboard").await;
    assert!(
        inbox.contains("Overdue: Call the customer"),
        "the inbox marks it"
    );
    let (_, page) = mia
        .get(&stack, &format!("/dashboard/cases/{}", late.id))
        .await;
    assert!(
        page.contains("Overdue: Call the customer"),
        "the case page marks it"
    );

    let (status, _) = mia
        .post(
            &stack,
            &format!("/dashboard/cases/{}/events", late.id),
            &[("type", "no_contact"), ("note", "x")],
        )
        .await;
    assert_eq!(status, 409, "a reachable customer is called, not skipped");
    no_contact_is_an_honest_path(&stack, &mia).await;
    owners_set_deadlines_in_settings(&stack).await;
}

/// The Settings page's form sets the same overrides, checked the same way,
/// audited.
async fn owners_set_deadlines_in_settings(stack: &Stack) {
    let olu = HttpSession::sign_in(stack, "Olu Owner").await;
    let (_, page) = olu.get(stack, "/dashboard/settings?site=demo").await;
    assert!(
        page.contains("name=\"call_senior\""),
        "the form is on the page"
    );
    let path = "/dashboard/settings/demo/deadlines";
    let (status, _) = olu.post(stack, path, &[("call_senior", "0")]).await;
    assert_eq!(status, 400, "0 minutes is refused");
    let (status, location) = olu
        .post(
            stack,
            path,
            &[
                ("call_senior", "45"),
                ("close_service", "600"),
                ("report_senior", ""),
            ],
        )
        .await;
    assert_eq!(
        (status, location.as_str()),
        (303, "/dashboard/settings?site=demo&done=deadlines-saved")
    );
    let (_, _, doc) = stack
        .api()
        .admin(reqwest::Method::GET, "/v1/admin/sites/demo", None)
        .await;
    assert_eq!(
        doc["deadline_minutes"],
        json!({"senior": {"call_minutes": 45}, "service": {"close_minutes": 600}})
    );
    let audited = stack.rows("SELECT COUNT(*) AS n FROM audit WHERE action = 'settings_saved'");
    assert!(audited[0]["n"].as_i64().unwrap_or(0) >= 1);
    let (status, _) = HttpSession::sign_in_as(stack, "Mo Manager", "manager", &["demo"])
        .await
        .post(stack, path, &[("call_senior", "5")])
        .await;
    assert_eq!(status, 403, "managers do not set deadlines");
}

async fn no_contact_is_an_honest_path(stack: &Stack, mia: &HttpSession) {
    let anonymous = scored("The form lost my order.", 2);
    stack.api().submit(&anonymous).await;
    let path = format!("/dashboard/cases/{}/events", anonymous.id);
    let (status, _) = mia.post(stack, &path, &[("type", "acknowledged")]).await;
    assert_eq!(status, 303);
    let (_, page) = mia
        .get(stack, &format!("/dashboard/cases/{}", anonymous.id))
        .await;
    assert!(page.contains("No contact possible"), "the path is offered");
    let steps: [&[(&str, &str)]; 3] = [
        &[
            ("type", "no_contact"),
            ("note", "No email or phone; the order id shows a lost cart."),
        ],
        &[
            ("type", "report_sent"),
            ("note", "Internal: fix the cart timeout by Friday."),
        ],
        &[
            ("type", "closed"),
            ("root_cause", "cart-timeout"),
            ("short_fix", "Order restored."),
            ("systemic_fix", "Longer cart sessions."),
        ],
    ];
    for form in steps {
        let (status, location) = mia.post(stack, &path, form).await;
        assert_eq!(status, 303, "{form:?}: {location}");
    }
    assert_eq!(
        events_of(stack, &anonymous.id, "contacted"),
        0,
        "no contact is faked"
    );
    assert_eq!(events_of(stack, &anonymous.id, "no_contact"), 1);
    let state = stack.rows(&format!(
        "SELECT state FROM cases WHERE id = '{}'",
        anonymous.id
    ));
    assert_eq!(state[0]["state"], "closed");
}
