//! Never lose an answer: the network is cut in the browser while the
//! customer sends; the widget says it is saved on this device; when the
//! network returns the outbox sends it and the thank-you replaces the
//! notice. A retry of an answer whose response was lost (the same id sent
//! again on the next page load) is recognised: exactly one stored row.

use crate::support::{wait_until, Browser, Stack};
use serde_json::Value;
use std::time::Duration;

/// How long any one step of the page may take.
const WAIT: Duration = Duration::from_secs(30);

async fn local_storage(b: &Browser) -> Value {
    let raw = b.js("localStorage.getItem('candor')").await;
    raw.as_str()
        .map_or(Value::Null, |s| serde_json::from_str(s).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_then_online_stores_exactly_one_answer() {
    let stack = Stack::start("widget-offline");
    let b = Browser::start(&stack.dir, 1000, 800).await;
    b.client.goto(&stack.worker.url("/demo/")).await.unwrap();
    b.open_launcher(WAIT).await;
    b.type_answer("The tracking link never worked.").await;

    b.offline(true).await;
    b.click_send().await;
    b.wait_in_widget(
        "the saved notice shows",
        "w.querySelector('.next').textContent.includes('offline')",
        WAIT,
    )
    .await;
    b.screenshot("widget-offline").await;
    let saved = local_storage(&b).await;
    let queue = saved["q"].as_array().expect("the outbox").clone();
    assert_eq!(
        queue.len(),
        1,
        "written to localStorage before sending: {saved}"
    );
    assert!(
        stack.rows("SELECT id FROM responses").is_empty(),
        "nothing reached the server"
    );

    b.offline(false).await;
    b.wait_in_widget(
        "the thank-you replaces the notice",
        "w.querySelector('.next').textContent.startsWith('Thank you')",
        WAIT,
    )
    .await;
    assert_eq!(
        b.in_widget("w.querySelector('.done h3').textContent").await,
        "Thank you"
    );
    let rows = stack.rows("SELECT id, gaps FROM responses");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(
        rows[0]["id"], queue[0]["id"],
        "the id made before sending is the stored id"
    );
    assert_eq!(
        local_storage(&b).await["q"],
        serde_json::json!([]),
        "the outbox is empty"
    );

    // The response to a send can be lost after the server stored it: put
    // the same answer back in the outbox, as if it had never been
    // confirmed, and load a page. It is sent again and recognised.
    let replay = serde_json::json!({"q": queue, "cd": {}}).to_string();
    b.client
        .execute(
            "localStorage.setItem('candor', arguments[0]); return true;",
            vec![Value::String(replay)],
        )
        .await
        .unwrap();
    b.client.goto(&stack.worker.url("/demo/")).await.unwrap();
    wait_until("the outbox drains", Duration::from_secs(30), || async {
        local_storage(&b).await["q"] == serde_json::json!([])
    })
    .await;
    assert_eq!(
        stack.rows("SELECT id FROM responses").len(),
        1,
        "stored once, never twice"
    );
    b.close().await;
}
