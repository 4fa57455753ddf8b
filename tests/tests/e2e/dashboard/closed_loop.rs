//! A manager's whole loop in real Chromium against the real Worker: sign
//! in, see a new score-1 case arrive in the inbox without reloading, open
//! it, acknowledge, record the contact and the report, close it with a root
//! cause, and find it all on the case and in the charts. axe-core checks
//! every page; each page is photographed at desktop and phone width.

use crate::support::dashboard::{assert_accessible, screenshots, sign_in};
use crate::support::{answer, contact, scored, Browser, Stack};
use domain::submission::{RawContact, RawContext, RawSubmission};
use serde_json::json;

const MANAGER: &str = "Dana Reyes";
/// What the manager tells Ana changed, at closure.
const CHANGED: &str = "From Monday, parcels leave the depot within a day.";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_closes_the_loop_in_the_browser() {
    let stack = Stack::start("dashboard-loop");
    let api = stack.api();
    // Some history, so the charts have something to draw.
    api.submit(&scored("Checkout was fine, delivery slow.", 4))
        .await;
    api.submit(&RawSubmission {
        contact: Some(contact("sam@example.com", true)),
        ..scored("The delivery was late and nobody told me.", 3)
    })
    .await;
    api.submit(&answer("Nothing to add.")).await;

    let b = Browser::start(&stack.dir, 1280, 900).await;
    sign_in(&b, &stack, "/dashboard", MANAGER).await;
    assert!(
        b.text().await.contains(MANAGER),
        "the header names who is signed in"
    );

    // A new score-1 answer arrives while the inbox is open.
    let late = the_late_parcel();
    api.submit(&late).await;
    let case = late.id;
    b.wait_js(
        "the new case appears without a reload",
        &format!("!!document.querySelector('tr[data-case=\"{case}\"]')"),
    )
    .await;
    let live = b.js("document.getElementById('live').textContent").await;
    assert_eq!(live, "1 new case", "screen readers hear about it");
    assert!(
        b.text().await.contains("2 waiting for acknowledgement"),
        "the counts refresh with the list"
    );
    let first = b
        .js("document.querySelector('#cases tbody tr').getAttribute('data-case')")
        .await;
    assert_eq!(first, json!(case), "the senior case is the most urgent");
    assert!(
        b.text().await.contains("left"),
        "time left to acknowledge is shown"
    );
    assert_accessible(&b, "inbox").await;
    screenshots(&b, "inbox").await;

    b.click_and_wait(&format!("a[href='/dashboard/cases/{case}']"))
        .await;
    let page = b.text().await;
    for fact in [
        "The parcel came a week late",
        "Score 1 of 5",
        "order-8812",
        "ana@example.com",
        "+44 20 7946 0000",
        "Thank the customer",
        "Not invoked",
    ] {
        assert!(page.contains(fact), "the case page shows {fact:?}:\n{page}");
    }
    assert_accessible(&b, "case, open").await;
    screenshots(&b, "case").await;
    walk_the_loop(&b).await;

    let page = b.text().await;
    for fact in [
        "Acknowledged",
        "Customer contacted",
        "Parcel sat at the depot",
        "Report sent",
        "Refund shipping; call back in a week",
        "late-delivery",
        "Closed",
        MANAGER,
    ] {
        assert!(page.contains(fact), "the case log shows {fact:?}:\n{page}");
    }
    assert!(
        !page.contains("Close the case"),
        "a closed case offers no more steps"
    );
    screenshots(&b, "case-closed").await;
    the_store_agrees(&stack, &case);
    the_customer_is_told_once(&b, &stack, &case).await;

    the_other_pages(&b, &stack).await;
    b.close().await;
}

/// Ana's answer: score 1, a call back, an order and the page it came from.
fn the_late_parcel() -> RawSubmission {
    RawSubmission {
        contact: Some(RawContact {
            name: Some("Ana Lima".into()),
            phone: Some("+44 20 7946 0000".into()),
            ..contact("ana@example.com", true)
        }),
        context: Some(RawContext {
            transaction: Some("order-8812".into()),
            page: Some("http://127.0.0.1/checkout".into()),
            locale: Some("en".into()),
        }),
        ..scored(
            "The parcel came a week late and support never answered my emails.",
            1,
        )
    }
}

/// Insights reflect the closed case; settings and sign-out work; each page
/// passes axe and is photographed.
async fn the_other_pages(b: &Browser, stack: &Stack) {
    b.click_and_wait("a[href='/dashboard/insights']").await;
    let page = b.text().await;
    assert!(
        page.contains("late-delivery"),
        "the root cause ranks in insights:\n{page}"
    );
    assert!(
        page.contains("No score"),
        "the score chart counts answers without one"
    );
    let charts = b.js("[...document.querySelectorAll('svg[role=img]')].filter(s => s.querySelector('title') && s.getAttribute('aria-labelledby')).length").await;
    assert!(
        charts.as_u64().unwrap_or(0) >= 4,
        "titled SVG charts: {charts}"
    );
    let tables = b
        .js("document.querySelectorAll('details.fallback table').length")
        .await;
    assert!(
        tables.as_u64().unwrap_or(0) >= 4,
        "each chart has a table: {tables}"
    );
    assert_accessible(b, "insights").await;
    screenshots(b, "insights").await;

    b.click_and_wait("a[href='/dashboard/settings']").await;
    assert!(
        b.text().await.contains("data-site=\"demo\""),
        "the embed snippet is ready"
    );
    assert_accessible(b, "settings").await;
    screenshots(b, "settings").await;

    b.click_and_wait("form[action='/dashboard/logout'] button")
        .await;
    assert_eq!(
        b.client.current_url().await.unwrap().path(),
        "/dashboard/login"
    );
    b.client
        .goto(&stack.worker.url("/dashboard"))
        .await
        .unwrap();
    assert_eq!(
        b.client.current_url().await.unwrap().path(),
        "/dashboard/login",
        "signed out"
    );
    assert_accessible(b, "sign-in").await;
    screenshots(b, "login").await;
}

/// Acknowledge, contacted, report sent, closed: each through its form, the
/// only one the page offers at that step.
async fn walk_the_loop(b: &Browser) {
    b.click_and_wait("form input[value=acknowledged] ~ button")
        .await;
    assert!(b
        .text()
        .await
        .contains("Everyone alerted now knows you own this case"));

    b.fill(
        "#note",
        "Parcel sat at the depot for five days; the tracking page said delivered.",
    )
    .await;
    b.click_and_wait("form input[value=contacted] ~ button")
        .await;

    // Ana left an email: the report is previewed, exactly as she will get
    // it, before anything is recorded or sent.
    b.fill("#note", "Refund shipping; call back in a week")
        .await;
    b.click_and_wait("form input[value=report_sent] ~ button")
        .await;
    let preview = b.text().await;
    for fact in [
        "Exactly what the customer gets",
        "ana@example.com",
        "What we are doing about your feedback",
        "Refund shipping; call back in a week",
        "Record only, send nothing",
    ] {
        assert!(
            preview.contains(fact),
            "the preview shows {fact:?}:\n{preview}"
        );
    }
    assert_accessible(b, "report preview").await;
    screenshots(b, "report-preview").await;
    b.click_and_wait("button[name=mail][value=send]").await;
    let sent = b.text().await;
    assert!(
        sent.contains("on its way to the customer"),
        "after Send, {}:\n{sent}",
        b.client
            .current_url()
            .await
            .map_or_else(|e| e.to_string(), |u| u.to_string())
    );

    // Closing without the fixes is refused and says why.
    b.fill("#root_cause", "late-delivery").await;
    b.js(
        "document.querySelectorAll('form [required]').forEach(e => e.removeAttribute('required'))",
    )
    .await;
    b.click_and_wait("form input[value=closed] ~ button").await;
    assert!(b
        .text()
        .await
        .contains("a short-term fix is required to close"));
    assert_accessible(b, "case, refused step").await;

    b.fill("#root_cause", "late-delivery").await;
    b.fill("#short_fix", "Refunded the shipping").await;
    b.fill("#systemic_fix", "Depot scans parcels out within a day")
        .await;
    b.fill("#effort", "2").await;
    b.fill("#customer_note", CHANGED).await;
    b.click_and_wait("form input[value=closed] ~ button").await;
    assert!(b
        .text()
        .await
        .contains("The root cause now counts in Insights"));
}

/// The report and the closing note reach Ana once each, by their
/// idempotency ids; a repeated step, the API's retry and the cron's sweep
/// send nothing more, and the case page's mail log says what was sent.
async fn the_customer_is_told_once(b: &Browser, stack: &Stack, case: &str) {
    // The thank-you at once, then the report and the closing note.
    stack.wait_for_mail("ana@example.com", 3).await;
    let with_id = |id: String| {
        let mails: Vec<_> = stack
            .mails_to("ana@example.com")
            .into_iter()
            .filter(|m| m["id"] == id.as_str())
            .collect();
        mails
    };
    let report = with_id(format!("report-{case}"));
    assert_eq!(report.len(), 1, "one report: {report:?}");
    let text = report[0]["text"].as_str().unwrap();
    assert!(
        text.contains("Refund shipping; call back in a week"),
        "{text}"
    );
    assert!(
        text.contains(&case[..8].to_uppercase()),
        "the reference: {text}"
    );
    assert!(
        !report[0]["html"].as_str().unwrap().contains("<img"),
        "no pixels"
    );
    let changed = with_id(format!("changed-{case}"));
    assert_eq!(changed.len(), 1, "one closing note: {changed:?}");
    assert!(changed[0]["text"].as_str().unwrap().contains(CHANGED));

    // Again, through every door: nothing more is sent.
    let again = stack
        .api()
        .event(
            case,
            json!({"type": "report_sent", "by": MANAGER, "note": "x", "mail": "send"}),
        )
        .await;
    assert_eq!(again.0, 409, "{}", again.2);
    let client = reqwest::Client::new();
    for _ in 0..2 {
        let tick = client
            .get(stack.worker.url("/__scheduled?cron=*+*+*+*+*"))
            .send()
            .await
            .unwrap();
        assert_eq!(tick.status().as_u16(), 200);
    }
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert_eq!(
        with_id(format!("report-{case}")).len(),
        1,
        "still one report"
    );
    assert_eq!(
        with_id(format!("changed-{case}")).len(),
        1,
        "still one note"
    );
    let rows = stack.rows(&format!(
        "SELECT id, attempts, sent_at IS NOT NULL AS sent FROM mails WHERE case_id = '{case}' ORDER BY created_at"
    ));
    let ids: Vec<&str> = rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            format!("thanks-{case}"),
            format!("report-{case}"),
            format!("changed-{case}")
        ]
    );
    assert!(
        rows.iter().all(|r| r["sent"] == 1 && r["attempts"] == 1),
        "{rows:?}"
    );

    b.client.refresh().await.unwrap();
    let page = b.text().await;
    for fact in [
        "Mail to the customer",
        "Thank-you",
        "Report",
        "What changed",
        "Sent ",
    ] {
        assert!(page.contains(fact), "the mail log shows {fact:?}:\n{page}");
    }
}

fn the_store_agrees(stack: &Stack, case: &str) {
    let rows = stack.rows(&format!("SELECT state FROM cases WHERE id = '{case}'"));
    assert_eq!(rows[0]["state"], "closed");
    let events = stack.rows(&format!(
        "SELECT type, by FROM events WHERE case_id = '{case}' ORDER BY id"
    ));
    let steps: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(
        steps,
        [
            "opened",
            "acknowledged",
            "owner",
            "contacted",
            "report_sent",
            "closed"
        ]
    );
    let owner = stack.rows(&format!(
        "SELECT c.owner_name, e.note FROM cases c JOIN events e ON e.case_id = c.id \
         WHERE c.id = '{case}' AND e.type = 'owner'"
    ));
    assert_eq!(
        owner[0]["owner_name"], MANAGER,
        "who acknowledged owns the case"
    );
    assert_eq!(owner[0]["note"], format!("{MANAGER} took the case"));
    let fix = stack.rows("SELECT status, description FROM fixes WHERE code = 'late-delivery'");
    assert_eq!(fix[0]["status"], "planned", "the systemic fix is tracked");
    assert!(
        events.iter().skip(1).all(|e| e["by"] == MANAGER),
        "every step names who took it: {events:?}"
    );
}
