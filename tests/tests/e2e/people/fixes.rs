//! Systemic fixes are tracked after their cases close: Insights lists the
//! open ones by return on satisfaction with an owner, a due date and a
//! status; a fix marked done reopens when another case closes with its
//! root cause, and its owner is told by mail.

use crate::support::dashboard::{email_of, HttpSession};
use crate::support::{scored, Stack};

/// Takes a fresh case through the whole loop, closing it with `code`.
async fn close_with(stack: &Stack, s: &HttpSession, gaps: &str, code: &str) {
    let answer = scored(gaps, 2);
    stack.api().submit(&answer).await;
    let path = format!("/dashboard/cases/{}/events", answer.id);
    let steps: [&[(&str, &str)]; 4] = [
        &[("type", "acknowledged")],
        &[
            ("type", "contacted"),
            ("note", "Called; the cart expired mid-payment."),
        ],
        &[
            ("type", "report_sent"),
            ("note", "Longer sessions by Friday."),
        ],
        &[
            ("type", "closed"),
            ("root_cause", code),
            ("short_fix", "Order restored."),
            ("systemic_fix", "Longer cart sessions"),
            ("effort", "1"),
        ],
    ];
    for form in steps {
        let (status, location) = s.post(stack, &path, form).await;
        assert_eq!(status, 303, "{form:?}: {location}");
    }
}

fn fix(stack: &Stack) -> serde_json::Value {
    stack.rows("SELECT status, owner_name, reopened_at FROM fixes WHERE site = 'demo' AND code = 'cart-timeout'")
        .remove(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fixes_are_owned_ranked_and_reopened() {
    let stack = Stack::start("people-fixes");
    let mia = HttpSession::sign_in_as(&stack, "Mia Manager", "manager", &["demo"]).await;
    let _vic = HttpSession::sign_in_as(&stack, "Vic Viewer", "viewer", &["demo"]).await;
    close_with(&stack, &mia, "The cart emptied itself.", "cart-timeout").await;
    assert_eq!(fix(&stack)["status"], "planned");
    let (_, insights) = mia.get(&stack, "/dashboard/insights").await;
    assert!(insights.contains("Open systemic fixes") && insights.contains("Longer cart sessions"));

    let id_of = |name: &str| {
        stack.rows(&format!("SELECT id FROM people WHERE name = '{name}'"))[0]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let path = "/dashboard/fixes/demo/cart-timeout";
    let (status, _) = mia
        .post(
            &stack,
            path,
            &[
                ("status", "in_progress"),
                ("owner", &id_of("Vic Viewer")),
                ("due", ""),
            ],
        )
        .await;
    assert_eq!(status, 400, "a viewer cannot own a fix");
    let (status, _) = mia
        .post(
            &stack,
            path,
            &[
                ("status", "done"),
                ("owner", &id_of("Mia Manager")),
                ("due", "2026-12-31"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    assert_eq!(fix(&stack)["status"], "done");
    let (_, insights) = mia.get(&stack, "/dashboard/insights").await;
    assert!(
        !insights.contains("Longer cart sessions"),
        "a done fix is not open"
    );

    // Another case with the same cause: the fix was not enough.
    let before = stack.mails_to(&email_of("Mia Manager")).len();
    close_with(&stack, &mia, "Cart lost again.", "cart-timeout").await;
    let f = fix(&stack);
    assert_eq!(f["status"], "planned");
    assert!(!f["reopened_at"].is_null());
    assert_eq!(f["owner_name"], "Mia Manager", "the owner keeps it");
    let mail = stack
        .wait_for_mail(&email_of("Mia Manager"), before + 1)
        .await;
    assert_eq!(
        mail["subject"],
        "Reopened: the systemic fix for cart-timeout"
    );
    let (_, insights) = mia.get(&stack, "/dashboard/insights").await;
    assert!(insights.contains("reopened"), "Insights says so");
}
