//! A manager's settings work in Chromium against the real Worker: copy that
//! baits a score is refused beside the field and nothing is saved; neutral
//! copy is saved and reaches the widget; a recipient is added and sent a test
//! alert; an alert it refused becomes a dead letter, is retried from the
//! page and arrives; the recipient is removed; a customer's data is erased.

use crate::support::dashboard::{assert_accessible, screenshots, sign_in};
use crate::support::{answer, contact, wait_until, Browser, Stack, INBOX_SECRET};
use domain::submission::{RawContact, RawSubmission};
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tests::receiver::{Answer, Options};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_edits_a_site_and_rescues_a_dead_letter() {
    // `/gone` refuses (410: permanent) until the test "fixes" it.
    let fixed = Arc::new(AtomicBool::new(false));
    let stack = Stack::start_with(
        "dashboard-settings",
        Options {
            responder: {
                let fixed = Arc::clone(&fixed);
                Box::new(move |r, _| Answer {
                    status: if r.path == "/gone" && !fixed.load(Ordering::SeqCst) {
                        410
                    } else {
                        200
                    },
                    ..Answer::default()
                })
            },
            ..Options::default()
        },
    );
    let b = Browser::start(&stack.dir, 1280, 900).await;
    sign_in(&b, &stack, "/dashboard/settings", "Lee Park").await;

    bait_is_refused_beside_the_field(&b, &stack).await;
    neutral_copy_is_saved(&b, &stack).await;

    let rid = add_refusing_recipient(&b, &stack).await;

    // A guarantee case alerts the president: refused, so a dead letter.
    let pricey = RawSubmission {
        guarantee: true,
        contact: Some(RawContact {
            name: Some("Kim".into()),
            ..contact("kim@example.com", false)
        }),
        ..answer("Not worth the price.")
    };
    stack.api().submit(&pricey).await;
    let case = pricey.id;
    wait_until("the refused alert is a dead letter", Duration::from_secs(30), || async {
        !stack.rows(&format!("SELECT 1 FROM dead_letters WHERE recipient_id = '{rid}' AND case_id = '{case}'")).is_empty()
    }).await;
    b.client
        .goto(&stack.worker.url("/dashboard/settings?site=demo"))
        .await
        .unwrap();
    assert!(b.text().await.contains("refused with HTTP 410"));
    screenshots(&b, "settings-dead-letter").await;

    fixed.store(true, Ordering::SeqCst);
    b.click_and_wait("form[action='/dashboard/dead-letters/retry'] button")
        .await;
    assert!(b.text().await.contains("queued again"));
    wait_until(
        "the retried alert arrives",
        Duration::from_secs(30),
        || async {
            stack
                .inbox
                .received()
                .iter()
                .any(|r| r.path == "/gone" && r.body.contains(&case))
        },
    )
    .await;
    wait_until(
        "the dead letter is gone",
        Duration::from_secs(10),
        || async {
            stack
                .rows(&format!(
                    "SELECT 1 FROM dead_letters WHERE recipient_id = '{rid}'"
                ))
                .is_empty()
        },
    )
    .await;

    b.click_and_wait(&format!("form[action$='/recipients/{rid}/delete'] button"))
        .await;
    assert!(stack
        .rows(&format!("SELECT 1 FROM recipients WHERE id = '{rid}'"))
        .is_empty());
    assert_eq!(
        stack.rows("SELECT COUNT(*) AS n FROM recipients")[0]["n"],
        4,
        "the others stay"
    );

    erasure_needs_the_confirmation(&b, &stack, &case).await;
    b.close().await;
}

/// Adds a recipient for the president that refuses everything (for now),
/// and sends it a test alert; returns its id.
async fn add_refusing_recipient(b: &Browser, stack: &Stack) -> String {
    b.js("document.querySelector('select[name=role]').value = 'president'")
        .await;
    b.js("document.querySelector('select[name=format]').value = 'webhook'")
        .await;
    b.fill("input[name=url]", &stack.inbox.url("/gone")).await;
    b.fill("input[name=secret]", INBOX_SECRET).await;
    b.click_and_wait("form[action$='/recipients'] button[type=submit]")
        .await;
    assert!(b.text().await.contains("Recipient added"));
    let rid = stack.rows("SELECT id FROM recipients WHERE url LIKE '%/gone'")[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // A fresh random id (16 hex digits), like a recipient added through the API.
    let random = rid.strip_prefix("demo-president-").unwrap_or_default();
    assert!(
        random.len() == 16 && random.bytes().all(|c| c.is_ascii_hexdigit()),
        "{rid}"
    );
    // The page masks the URL exactly as the API does.
    let (status, _, site) = stack
        .api()
        .admin(reqwest::Method::GET, "/v1/admin/sites/demo", None)
        .await;
    assert_eq!(status, 200);
    let masked = site["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == rid.as_str())
        .map(|r| r["url_masked"].as_str().unwrap().to_owned())
        .unwrap();
    assert!(!masked.contains("/gone"), "{masked}");
    let cells = b
        .js("[...document.querySelectorAll('td[data-label=URL] code')].map(c => c.textContent)")
        .await;
    assert!(
        cells
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == masked.as_str()),
        "{cells} shows {masked}"
    );

    b.click_and_wait(&format!("form[action$='/recipients/{rid}/test'] button"))
        .await;
    let page = b.text().await;
    assert!(page.contains("Test alert refused: HTTP 410"), "{page}");
    rid
}

/// Erasure: refused without the confirmation (by the server too), done with it.
async fn erasure_needs_the_confirmation(b: &Browser, stack: &Stack, case: &str) {
    b.fill("input[name=id]", case).await;
    // The browser already insists on the box; the server must too.
    b.js("document.querySelector('input[name=confirm]').removeAttribute('required')")
        .await;
    b.click_and_wait("form[action='/dashboard/erase'] button")
        .await;
    assert!(b.text().await.contains("Nothing was changed"));
    assert!(stack.rows(&format!(
        "SELECT erased_at FROM responses WHERE id = '{case}'"
    ))[0]["erased_at"]
        .is_null());
    b.client
        .goto(&stack.worker.url("/dashboard/settings?site=demo"))
        .await
        .unwrap();
    b.fill("input[name=id]", case).await;
    b.js("document.querySelector('input[name=confirm]').click()")
        .await;
    b.click_and_wait("form[action='/dashboard/erase'] button")
        .await;
    let page = b.text().await;
    assert!(page.contains("personal data is erased"), "{page}");
    assert!(!page.contains("kim@example.com") && !page.contains("Not worth the price"));
    let row = &stack.rows(&format!(
        "SELECT erased_at, contact_email, gaps FROM responses WHERE id = '{case}'"
    ))[0];
    assert!(!row["erased_at"].is_null() && row["contact_email"].is_null() && row["gaps"] == "");
}

async fn bait_is_refused_beside_the_field(b: &Browser, stack: &Stack) {
    let before = stack.rows("SELECT copy, updated_at FROM sites WHERE key = 'demo'");
    b.fill("[name='copy.de.title']", "Bewerten Sie uns mit 5 Sternen")
        .await;
    b.fill("[name='copy.en.question']", "Would you give us five stars?")
        .await;
    b.click_and_wait("form[action='/dashboard/settings/demo'] button[type=submit]")
        .await;
    let invalid = b
        .js("[...document.querySelectorAll('[aria-invalid=true]')].map(e => e.name)")
        .await;
    assert_eq!(
        invalid,
        json!(["copy.en.question", "copy.de.title"]),
        "each refused line is marked"
    );
    let described = b.js("document.getElementById(document.querySelector('[name=\"copy.de.title\"]').getAttribute('aria-describedby').split(' ').find(id => document.getElementById(id).classList.contains('field-error'))).textContent").await;
    assert!(
        described
            .as_str()
            .unwrap_or_default()
            .contains("nudges customers toward a high score"),
        "{described}"
    );
    let kept = b
        .js("document.querySelector('[name=\"copy.de.title\"]').value")
        .await;
    assert_eq!(
        kept, "Bewerten Sie uns mit 5 Sternen",
        "what was typed stays"
    );
    assert_eq!(
        stack.rows("SELECT copy, updated_at FROM sites WHERE key = 'demo'"),
        before,
        "nothing saved"
    );
    assert_accessible(b, "settings with errors").await;
    screenshots(b, "settings-wording-check").await;
}

async fn neutral_copy_is_saved(b: &Browser, stack: &Stack) {
    let recipients = stack.rows("SELECT id, url, secret FROM recipients ORDER BY id");
    b.fill("[name='copy.de.title']", "Ihre Rückmeldung").await;
    b.fill(
        "[name='copy.en.question']",
        "What should we have done better?",
    )
    .await;
    b.fill("[name=cooldown_days]", "14").await;
    b.click_and_wait("form[action='/dashboard/settings/demo'] button[type=submit]")
        .await;
    assert!(b.text().await.contains("Settings saved"));
    assert_eq!(
        stack.rows("SELECT id, url, secret FROM recipients ORDER BY id"),
        recipients,
        "saving settings keeps every recipient, its id and its secret"
    );
    let row = &stack.rows("SELECT copy, cooldown_days FROM sites WHERE key = 'demo'")[0];
    assert_eq!(row["cooldown_days"], 14);
    let copy: serde_json::Value = serde_json::from_str(row["copy"].as_str().unwrap()).unwrap();
    assert_eq!(copy["de"]["title"], "Ihre Rückmeldung");
    assert_eq!(copy["en"]["question"], "What should we have done better?");
    let widget: serde_json::Value = reqwest::get(stack.worker.url("/v1/sites/demo/widget"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(widget["cooldown_days"], 14, "{widget}");
}
