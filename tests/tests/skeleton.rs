//! The walking skeleton, end to end with real parts only: Chromium opens the
//! demo page served by the local Worker, a customer writes an answer, picks
//! score 2 and sends it; the thank-you shows, D1 holds exactly one row, and
//! exactly one correctly signed alert reaches the receiver.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{now_s, wait_until, Browser, Stack, INBOX_SECRET};
use fantoccini::Locator::Css;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_score_two_answer_is_thanked_stored_once_and_alerted_once() {
    let stack = Stack::start("skeleton");
    let browser = Browser::start(&stack.dir, 1000, 760).await;
    let c = &browser.client;
    c.goto(&stack.worker.url("/demo/")).await.unwrap();

    let host = c
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Css("candor-widget"))
        .await
        .unwrap();
    let root = host.shadow_root().await.unwrap();
    let launcher = root.find(Css(".launcher")).await.unwrap();
    assert_eq!(launcher.text().await.unwrap(), "Feedback");
    let dialog = root.find(Css(".dialog")).await.unwrap();
    assert!(
        !dialog.is_displayed().await.unwrap(),
        "the widget never opens by itself"
    );
    browser.screenshot("skeleton-launcher").await;

    launcher.click().await.unwrap();
    // The dialog fades in (unless reduced motion is asked for), so WebDriver
    // may see it transparent for a few frames.
    wait_until("the dialog is shown", Duration::from_secs(3), || async {
        dialog.is_displayed().await.unwrap()
    })
    .await;
    let picks = root.find_all(Css(".pick")).await.unwrap();
    assert_eq!(picks.len(), 5);
    for p in &picks {
        assert_eq!(
            p.attr("aria-pressed").await.unwrap().as_deref(),
            Some("false"),
            "nothing is preselected"
        );
    }
    let gaps = "The courier left the parcel in the rain and nobody answered the phone.";
    root.find(Css("textarea"))
        .await
        .unwrap()
        .send_keys(gaps)
        .await
        .unwrap();
    root.find(Css("[data-score='2']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(
        picks[1].attr("aria-pressed").await.unwrap().as_deref(),
        Some("true")
    );
    browser.screenshot("skeleton-form").await;
    root.find(Css(".send"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    let status = root.find(Css(".status")).await.unwrap();
    wait_until(
        "the thank-you is shown",
        Duration::from_secs(15),
        || async { status.attr("class").await.unwrap().as_deref() == Some("status thanks") },
    )
    .await;
    let thanks = status.text().await.unwrap();
    assert!(thanks.starts_with("Thank you"), "{thanks}");
    assert!(
        thanks.contains("senior management"),
        "the thank-you names the next step: {thanks}"
    );
    browser.screenshot("skeleton-thanks").await;

    let rows = stack.rows("SELECT id, score, tier, gaps, transaction_ref FROM responses");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["score"], 2);
    assert_eq!(rows[0]["tier"], "senior");
    assert_eq!(rows[0]["gaps"], gaps);
    assert_eq!(rows[0]["transaction_ref"], "order-1042");

    let alerts = stack.wait_for_alerts(1, Duration::from_secs(10)).await;
    // Give a duplicate every chance to show up before counting.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let alerts = if alerts.len() == 1 {
        stack.inbox.received()
    } else {
        alerts
    };
    assert_eq!(alerts.len(), 1, "exactly one alert: {alerts:?}");
    let alert = &alerts[0];
    assert!(
        alert.signature_valid(INBOX_SECRET, now_s()),
        "signature must verify: {alert:?}"
    );
    assert!(!alert.signature_valid(
        "whsec_d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldC0xMjM0NQ==",
        now_s()
    ));
    let body: serde_json::Value = serde_json::from_str(&alert.body).unwrap();
    assert_eq!(body["data"]["tier"], "senior");
    assert_eq!(body["data"]["score"], 2);
    assert_eq!(body["data"]["case_id"], rows[0]["id"]);
    browser.close().await;
}
