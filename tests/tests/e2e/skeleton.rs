//! The walking skeleton, end to end with real parts only: Chromium opens the
//! demo page served by the local Worker, a customer writes an answer, picks
//! score 2 and sends it; the thank-you shows, D1 holds exactly one row, and
//! exactly one correctly signed alert reaches the receiver.

use crate::support::{now_s, wait_until, Browser, Stack, INBOX_SECRET};
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
    assert!(
        root.find_all(Css("dialog")).await.unwrap().is_empty(),
        "the widget never opens by itself (the dialog is built on first click)"
    );
    browser.screenshot("skeleton-launcher").await;

    launcher.click().await.unwrap();
    // The click loads the full build, then the dialog fades in (unless
    // reduced motion is asked for): WebDriver may see it late or faint.
    wait_until("the dialog is shown", Duration::from_secs(15), || async {
        match root.find(Css("dialog[open]")).await {
            Ok(d) => d.is_displayed().await.unwrap_or(false),
            Err(_) => false,
        }
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
    let send = root.find(Css(".send")).await.unwrap();
    send.click().await.unwrap();

    let status = root.find(Css(".next[role='status']")).await.unwrap();
    wait_until(
        "the thank-you is shown",
        Duration::from_secs(15),
        || async { !status.text().await.unwrap().is_empty() },
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
