//! The widget on the pages web teams really have: inline mode, a
//! right-to-left page, the strict CSP page, and a hostile page on another
//! origin whose global CSS fights every widget. Each renders, passes
//! axe-core where it is ours to pass, and stores an answer.

use crate::support::{Browser, Stack};
use serde_json::Value;
use std::time::Duration;
use tests::receiver::{Answer, Options, Receiver};

/// How long any one step of the page may take.
const WAIT: Duration = Duration::from_secs(20);

/// A demo page served from another origin (a receiver on 127.0.0.1), as a
/// company's own site would be: its links and the widget's tag point at
/// the Worker at `worker`, `edit` changes the page, and `csp`, if any, is
/// sent as its Content-Security-Policy.
fn host_page(
    demo: &str,
    worker: &str,
    edit: impl Fn(String) -> String,
    csp: Option<String>,
) -> Receiver {
    let html = std::fs::read_to_string(tests::paths::root().join("www/demo").join(demo))
        .unwrap()
        .replace("href=\"/demo/", &format!("href=\"{worker}/demo/"))
        .replace("src=\"/widget.js\"", &format!("src=\"{worker}/widget.js\""));
    let html = edit(html);
    let mut headers = vec![("content-type".into(), "text/html; charset=utf-8".into())];
    headers.extend(csp.map(|csp| ("content-security-policy".into(), csp)));
    Receiver::start(Options {
        responder: Box::new(move |_, _| Answer {
            status: 200,
            headers: headers.clone(),
            body: html.clone(),
            ..Answer::default()
        }),
        ..Options::default()
    })
    .unwrap()
}

/// Types `text` into the question and sends, by script (the keyboard path
/// has its own test), then waits for the thank-you and returns it.
async fn answer(b: &Browser, text: &str) -> String {
    b.type_answer(text).await;
    b.click_send().await;
    b.wait_for_thanks(WAIT).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inline_mode_draws_the_form_in_place_and_sends() {
    let stack = Stack::start("widget-inline");
    let b = Browser::start(&stack.dir, 1000, 900).await;
    b.client
        .goto(&stack.worker.url("/demo/inline.html"))
        .await
        .unwrap();
    b.wait_in_widget(
        "the inline form shows",
        "!!(w && w.querySelector('.inline textarea'))",
        WAIT,
    )
    .await;
    let placed = b
        .js("document.querySelector('#candor-feedback > candor-widget') !== null")
        .await;
    assert_eq!(placed, true, "mounted inside data-target");
    let fetched = b
        .js("performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes('/v/'))")
        .await;
    let fetched = fetched.to_string();
    assert!(
        fetched.contains("candor_inline_bg.wasm")
            && !fetched.contains("candor_launcher")
            && !fetched.contains("candor_widget"),
        "inline mode loads the inline build only: {fetched}"
    );
    assert_eq!(
        b.in_widget("w.querySelectorAll('.launcher, dialog').length")
            .await,
        0
    );
    let axe = b.axe_violations().await;
    assert!(axe.is_empty(), "{axe:#?}");
    b.screenshot("widget-inline").await;
    let thanks = answer(&b, "The refund took three weeks and two phone calls.").await;
    assert!(thanks.starts_with("Thank you"), "{thanks}");
    b.screenshot("widget-inline-thanks").await;
    let rows = stack.rows("SELECT tier, transaction_ref, score FROM responses");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["tier"], "none");
    assert_eq!(
        rows[0]["score"],
        Value::Null,
        "no score is stored as no score"
    );
    assert_eq!(rows[0]["transaction_ref"], "return-77-310");
    b.close().await;
}

/// Inline mode whose `data-target` matches nothing on the page: the inline
/// build says so and the loader draws the launcher after all; the full
/// build comes on the click, as in launcher mode.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inline_page_without_its_target_gets_the_launcher() {
    let stack = Stack::start("widget-inline-missing");
    let worker = stack.worker.url("");
    let host = host_page(
        "inline.html",
        &worker,
        |html| {
            html.replace(
                "data-target=\"#candor-feedback\"",
                "data-target=\"#not-on-this-page\"",
            )
        },
        None,
    );
    let b = Browser::start(&stack.dir, 1000, 800).await;
    b.client.goto(&host.url("/return")).await.unwrap();
    b.wait_for_launcher(WAIT).await;
    let fetched = b
        .js("performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes('/v/'))")
        .await
        .to_string();
    assert!(
        fetched.contains("candor_inline_bg.wasm")
            && fetched.contains("candor_launcher_bg.wasm")
            && !fetched.contains("candor_widget"),
        "the inline build, then the launcher: {fetched}"
    );
    assert_eq!(
        b.js("document.querySelectorAll('candor-widget').length")
            .await,
        1
    );
    assert_eq!(
        b.in_widget("w.querySelectorAll('textarea').length").await,
        0
    );
    b.open_launcher(WAIT).await;
    assert_eq!(
        b.in_widget("w.querySelectorAll('dialog[open] textarea').length")
            .await,
        1
    );
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_right_to_left_page_gets_the_mirrored_arabic_widget() {
    let stack = Stack::start("widget-rtl");
    let b = Browser::start(&stack.dir, 1000, 800).await;
    b.client
        .goto(&stack.worker.url("/demo/rtl.html"))
        .await
        .unwrap();
    b.wait_for_launcher(WAIT).await;
    assert_eq!(
        b.in_widget("w.querySelector('.launcher').textContent")
            .await,
        "ملاحظات"
    );
    assert_eq!(b.in_widget("w.querySelector('.candor').dir").await, "rtl");
    let left = b
        .in_widget("w.querySelector('.launcher').getBoundingClientRect().left < 100")
        .await;
    assert_eq!(left, true, "the launcher sits on the left in RTL");
    b.open_launcher(WAIT).await;
    assert_eq!(
        b.in_widget("getComputedStyle(w.querySelector('textarea')).direction")
            .await,
        "rtl"
    );
    let axe = b.axe_violations().await;
    assert!(axe.is_empty(), "{axe:#?}");
    b.screenshot("widget-rtl-form").await;
    let thanks = answer(&b, "تأخر التوصيل يومين ولم يرد أحد على الهاتف.").await;
    assert!(
        thanks.contains("شكرًا"),
        "the thank-you is in Arabic: {thanks}"
    );
    b.screenshot("widget-rtl-thanks").await;
    let rows = stack.rows("SELECT locale FROM responses");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["locale"], "ar");
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_strict_csp_page_renders_styled_and_sends() {
    let stack = Stack::start("widget-csp");
    let page = stack.worker.url("/demo/strict.html");
    let resp = reqwest::get(&page).await.unwrap();
    let csp: Vec<String> = resp
        .headers()
        .get_all("content-security-policy")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert!(
        csp.iter().any(|v| v.contains(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'"
        )),
        "the page is served under the strict policy: {csp:?}"
    );
    let b = Browser::start(&stack.dir, 1000, 800).await;
    b.client.goto(&page).await.unwrap();
    b.open_launcher(WAIT).await;
    // The constructed stylesheets applied: CSP did not strip our styles.
    assert_eq!(
        b.in_widget("getComputedStyle(w.querySelector('.launcher')).backgroundColor")
            .await,
        "rgb(43, 74, 203)"
    );
    assert_eq!(
        b.in_widget("getComputedStyle(w.querySelector('dialog')).borderRadius")
            .await,
        "12px"
    );
    let thanks = answer(&b, "Checkout asked for my address three times.").await;
    assert!(thanks.starts_with("Thank you"), "{thanks}");
    assert_eq!(stack.rows("SELECT id FROM responses").len(), 1);
    b.close().await;
}

/// The loader is cached briefly, the versioned builds forever, all of them
/// readable from any origin, with the right types (docs/embedding.md#cross-origin-files).
async fn assert_asset_headers(stack: &Stack) {
    let header = |r: &reqwest::Response, name: &str| {
        r.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    let loader = reqwest::get(stack.worker.url("/widget.js")).await.unwrap();
    assert_eq!(header(&loader, "cache-control"), "public, max-age=300");
    assert_eq!(header(&loader, "access-control-allow-origin"), "*");
    assert!(header(&loader, "content-type").contains("javascript"));
    let text = loader.text().await.unwrap();
    let start = text.find("v/").expect("a versioned path") + 2;
    let version: String = text[start..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    assert_eq!(version.len(), 12, "{text}");
    for (file, kind) in [
        ("candor_launcher_bg.wasm", "application/wasm"),
        ("candor_widget_bg.wasm", "application/wasm"),
        ("candor_inline_bg.wasm", "application/wasm"),
        ("candor_launcher.js", "javascript"),
        ("candor_inline.js", "javascript"),
        ("candor_widget.js", "javascript"),
    ] {
        let r = reqwest::get(stack.worker.url(&format!("/v/{version}/{file}")))
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{file}");
        assert!(header(&r, "content-type").contains(kind), "{file}");
        assert_eq!(
            header(&r, "cache-control"),
            "public, max-age=31536000, immutable",
            "{file}"
        );
        assert_eq!(header(&r, "access-control-allow-origin"), "*", "{file}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_page_on_another_origin_cannot_touch_the_widget() {
    let stack = Stack::start("widget-hostile");
    let worker = stack.worker.url("");
    // The company's own site: another origin, its own strict CSP that
    // allows the feedback origin, and global CSS at war with widgets.
    let csp = format!(
        "default-src 'self'; script-src {worker} 'wasm-unsafe-eval'; style-src {worker}; connect-src {worker}"
    );
    let host = host_page("hostile.html", &worker, |html| html, Some(csp));
    assert_asset_headers(&stack).await;
    let b = Browser::start(&stack.dir, 1000, 800).await;
    b.client.goto(&host.url("/shop/checkout")).await.unwrap();
    b.wait_for_launcher(WAIT).await;
    let looks = b
        .in_widget(
            "(() => { const l = w.querySelector('.launcher'); const s = getComputedStyle(l);
               const r = l.getBoundingClientRect(); const hs = getComputedStyle(h);
               return [s.fontSize, s.backgroundColor, r.height >= 44 && r.height < 60,
                       hs.opacity, hs.transform, hs.position, innerHeight - r.bottom]; })()",
        )
        .await;
    assert_eq!(
        looks,
        serde_json::json!(["15px", "rgb(43, 74, 203)", true, "1", "none", "fixed", 16]),
        "the page's !important resets do not reach the widget"
    );
    let on_top = b
        .in_widget("(() => { const r = w.querySelector('.launcher').getBoundingClientRect(); return document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) === h; })()")
        .await;
    assert_eq!(on_top, true, "no z-index war covers the launcher");
    b.screenshot("widget-hostile-launcher").await;
    b.open_launcher(WAIT).await;
    assert_eq!(
        b.in_widget("getComputedStyle(w.querySelector('textarea')).fontSize")
            .await,
        "15px"
    );
    b.screenshot("widget-hostile-form").await;
    let thanks = answer(&b, "Your site's CSS is loud, but my order was late.").await;
    assert!(thanks.starts_with("Thank you"), "{thanks}");
    let rows = stack.rows("SELECT page FROM responses");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["page"], host.url("/shop/checkout"));
    b.close().await;
}
