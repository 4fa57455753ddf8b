//! Turnstile in the widget, in Chromium, on a shop page with a strict CSP
//! that allows only the feedback origin and the challenge's script: the
//! challenge is drawn inside the form, its token goes with the answer and
//! the edge checks it. Stand-ins for `api.js` and siteverify keep
//! Cloudflare's documented test keys' behaviour, so nothing needs the
//! internet.

use crate::support::turnstile::{
    siteverify, ALWAYS_FAILS, ALWAYS_PASSES, API_JS, SITEKEY_BLOCKS, SITEKEY_PASSES,
};
use crate::support::{Browser, Stack};
use serde_json::{json, Value};
use std::time::Duration;
use tests::receiver::{Answer, Options, Received, Receiver};

const WAIT: Duration = Duration::from_secs(20);

/// The shop: `/turnstile.js` is the stand-in, `/{site}` a page with the
/// launcher for that site, under a CSP that names both.
fn shop(worker: String) -> Receiver {
    Receiver::start(Options {
        responder: Box::new(move |r: &Received, _| {
            let origin = format!("http://{}", r.header("host").unwrap_or("127.0.0.1"));
            if r.path == "/turnstile.js" {
                return Answer {
                    status: 200,
                    headers: vec![("content-type".into(), "text/javascript".into())],
                    body: API_JS.into(),
                    ..Answer::default()
                };
            }
            let site = r.path.trim_start_matches('/');
            let csp = format!(
                "default-src 'self'; script-src {worker} {origin}/turnstile.js 'wasm-unsafe-eval'; \
                 style-src {worker}; connect-src {worker}; frame-src {origin}"
            );
            Answer {
                status: 200,
                headers: vec![
                    ("content-type".into(), "text/html; charset=utf-8".into()),
                    ("content-security-policy".into(), csp),
                ],
                body: format!(
                    "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Shop</title></head>\
                     <body><h1>Checkout</h1><script src=\"{worker}/widget.js\" data-site=\"{site}\" \
                     data-turnstile-src=\"{origin}/turnstile.js\" async></script></body></html>"
                ),
                ..Answer::default()
            }
        }),
        ..Options::default()
    })
    .expect("the shop's pages")
}

fn stored(stack: &Stack, site: &str) -> u64 {
    stack.rows(&format!(
        "SELECT count(*) AS n FROM responses WHERE site = '{site}'"
    ))[0]["n"]
        .as_u64()
        .unwrap()
}

/// Opens the form on `site`'s page and waits until the challenge says
/// `state` ("Success!" or "Verification failed").
async fn form_with_challenge(b: &Browser, shop: &Receiver, site: &str, state: &str) {
    b.client.goto(&shop.url(&format!("/{site}"))).await.unwrap();
    b.open_launcher(WAIT).await;
    b.wait_in_widget(
        &format!("the challenge says {state}"),
        &format!("(w.querySelector('form .challenge [data-stand-in]') || {{}}).textContent === '{state}'"),
        WAIT,
    )
    .await;
}

async fn error_text(b: &Browser) -> String {
    b.in_widget("w.querySelector('.error').textContent")
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_with_turnstile_takes_answers_that_pass_and_says_why_others_fail() {
    let verify = siteverify();
    let stack = Stack::start_full(
        "widget-turnstile",
        Options::default(),
        vec![("TURNSTILE_VERIFY_URL".into(), verify.url("/siteverify"))],
    );
    let shop = shop(stack.worker.url("").trim_end_matches('/').to_owned());
    let origin = shop.url("").trim_end_matches('/').to_owned();
    for (site, sitekey, secret) in [
        ("guarded", SITEKEY_PASSES, ALWAYS_PASSES),
        ("refused", SITEKEY_PASSES, ALWAYS_FAILS),
        ("blocked", SITEKEY_BLOCKS, ALWAYS_PASSES),
    ] {
        let settings =
            json!({"origins": [origin], "turnstile": {"sitekey": sitekey, "secret": secret}});
        stack.api().put_site(site, &settings).await;
    }
    let b = Browser::start(&stack.dir, 1000, 900).await;

    // Passing: the challenge is drawn in the form, in the page's language,
    // and its token reaches siteverify with the answer.
    form_with_challenge(&b, &shop, "guarded", "Success!").await;
    assert_eq!(
        b.in_widget("w.querySelector('.challenge [data-stand-in]').getAttribute('lang')")
            .await,
        "en"
    );
    b.type_answer("The checkout asked for my address twice.")
        .await;
    b.click_send().await;
    b.wait_for_thanks(WAIT).await;
    assert_eq!(stored(&stack, "guarded"), 1);
    let checks = verify.received();
    assert_eq!(checks.len(), 1, "one token checked");
    let sent: Value = serde_json::from_str(&checks[0].body).unwrap();
    assert_eq!(sent["response"], "XXXX.DUMMY.TOKEN.XXXX");
    b.screenshot("widget-turnstile-passed").await;

    // Refused by the edge: nothing is stored, the widget says why, keeps
    // the words, and draws a fresh challenge (a token is spent once).
    form_with_challenge(&b, &shop, "refused", "Success!").await;
    b.type_answer("The coupon did not apply.").await;
    b.click_send().await;
    b.wait_in_widget(
        "the widget says why",
        "w.querySelector('.error').textContent.includes('Turnstile')",
        WAIT,
    )
    .await;
    assert_eq!(stored(&stack, "refused"), 0);
    assert_eq!(
        b.in_widget("w.querySelector('textarea').value").await,
        "The coupon did not apply.",
        "the words are kept"
    );
    assert_eq!(b.js("window.turnstileStandIn.resets").await, 1);
    b.screenshot("widget-turnstile-refused").await;

    // Blocked in the browser: Send explains and sends nothing.
    form_with_challenge(&b, &shop, "blocked", "Verification failed").await;
    b.type_answer("Delivery was late.").await;
    b.click_send().await;
    let why = error_text(&b).await;
    assert!(
        why.starts_with("The security check is not done yet"),
        "{why}"
    );
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(stored(&stack, "blocked"), 0);
    assert_eq!(verify.received().len(), 2, "nothing more was checked");
    b.close().await;
}
