//! What the customer meets on a shop's receipt pages: a low score offers the
//! contact fields without asking for them, the widget rests per
//! transaction, so answering for one order leaves the next one to ask, and
//! the shop's own button opens the form through `Candor.open()`, but only
//! inside a real click.

use crate::support::{wait_until, Browser, Stack};
use serde_json::{json, Value};
use std::time::Duration;
use tests::receiver::{Answer, Options, Received, Receiver};

const WAIT: Duration = Duration::from_secs(20);

/// The shop, on its own origin: `/{site}/{transaction}` is a receipt page
/// with the launcher; `/inline/{transaction}` draws the form in place.
fn shop(worker: String) -> Receiver {
    Receiver::start(Options {
        responder: Box::new(move |r: &Received, _| {
            let mut parts = r.path.trim_start_matches('/').splitn(2, '/');
            let (first, transaction) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            let (site, mode) = match first {
                "inline" => ("demo", r##"data-mode="inline" data-target="#here""##),
                "api" => ("demo", ""),
                "de" => ("demo", r#"data-locale="de""#),
                site => (site, ""),
            };
            // The shop's own button, on `/api/…`: it names the customer and
            // opens the form for its transaction.
            let button = if first == "api" {
                format!(
                    "<button id=\"mine\" type=\"button\">Tell us</button><script>\
                     document.getElementById('mine').addEventListener('click', function () {{\
                     Candor.identify({{email: 'ana@example.com', name: 'Ana'}});\
                     Candor.open({{transaction: '{transaction}'}}); }});</script>"
                )
            } else {
                String::new()
            };
            let body = format!(
                "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Receipt</title></head>\
                 <body><h1>Receipt {transaction}</h1><div id=\"here\"></div>{button}\
                 <script src=\"{worker}/widget.js\" data-site=\"{site}\" data-transaction=\"{transaction}\" {mode} async></script>\
                 </body></html>"
            );
            Answer {
                status: 200,
                headers: vec![("content-type".into(), "text/html; charset=utf-8".into())],
                body,
                ..Answer::default()
            }
        }),
        ..Options::default()
    })
    .expect("the shop's pages")
}

async fn pick(b: &Browser, score: u8) {
    b.in_widget(&format!(
        "w.querySelector('[data-score=\"{score}\"]').click()"
    ))
    .await;
}

async fn shown(b: &Browser, css: &str) -> bool {
    b.in_widget(&format!("!w.querySelector('{css}').hidden"))
        .await
        == Value::Bool(true)
}

/// Types into a contact field by script, as the question is typed.
async fn type_into(b: &Browser, id: &str, text: &str) {
    b.in_widget(&format!(
        "(() => {{ const f = w.querySelector('#{id}'); f.value = '{text}';
           f.dispatchEvent(new Event('input', {{ bubbles: true }})); return true; }})()"
    ))
    .await;
}

/// The stored answer for `transaction`.
fn stored(stack: &Stack, transaction: &str) -> Value {
    let rows = stack.rows(&format!(
        "SELECT id, score, tier, callback, contact_name, contact_email FROM responses \
         WHERE transaction_ref = '{transaction}'"
    ));
    assert_eq!(rows.len(), 1, "{transaction}: {rows:?}");
    rows[0].clone()
}

/// No widget appears on the page within two seconds.
async fn stays_away(b: &Browser, what: &str) {
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        b.js("document.querySelectorAll('candor-widget').length")
            .await,
        0,
        "{what}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_low_score_offers_contact_and_each_transaction_is_asked_once() {
    let stack = Stack::start("widget-customer");
    let shop = shop(stack.worker.url("").trim_end_matches('/').to_owned());
    let origin = shop.url("").trim_end_matches('/').to_owned();
    stack
        .api()
        .put_site(
            "quiet",
            &json!({"origins": [origin], "offer_contact": false}),
        )
        .await;
    let b = Browser::start(&stack.dir, 1000, 900).await;

    // A score of 2 shows the contact fields with the no-pressure line;
    // nothing is ticked or required, and the answer goes without them.
    b.client.goto(&shop.url("/demo/order-1")).await.unwrap();
    b.open_launcher(WAIT).await;
    assert!(
        !shown(&b, ".contact").await,
        "no contact fields before a score"
    );
    b.type_answer("The parcel was two days late.").await;
    pick(&b, 2).await;
    b.wait_in_widget(
        "the offer shows",
        "!w.querySelector('.contact').hidden",
        WAIT,
    )
    .await;
    assert!(shown(&b, "#candor-contact-offer").await);
    let offer = b
        .in_widget("w.querySelector('#candor-contact-offer').textContent")
        .await;
    assert!(
        offer
            .as_str()
            .is_some_and(|o| o.contains("You don\u{2019}t have to")),
        "{offer}"
    );
    let pressure = b
        .in_widget(
            "[...w.querySelectorAll('.contact input')].some(i => i.required || i.getAttribute('aria-required'))
             || [...w.querySelectorAll('input[type=checkbox]')].some(c => c.checked)",
        )
        .await;
    assert_eq!(pressure, false, "nothing required, nothing ticked");
    let axe = b.axe_violations().await;
    assert!(axe.is_empty(), "{axe:#?}");
    b.screenshot("widget-low-score-offer").await;
    b.click_send().await;
    let next = b.wait_for_thanks(WAIT).await;
    assert!(!next.is_empty());
    let first = stored(&stack, "order-1");
    assert_eq!(
        (
            &first["score"],
            &first["tier"],
            &first["contact_email"],
            &first["callback"]
        ),
        (&json!(2), &json!("senior"), &Value::Null, &json!(0)),
    );
    let id = first["id"].as_str().unwrap();
    let cases = stack.rows(&format!(
        "SELECT COUNT(*) AS n FROM cases WHERE id = (SELECT case_id FROM responses WHERE id = '{id}')"
    ));
    assert_eq!(
        cases[0]["n"], 1,
        "an anonymous low score still opens a case"
    );

    // order-1 is answered: neither its launcher nor its inline form shows.
    b.client.goto(&shop.url("/demo/order-1")).await.unwrap();
    stays_away(&b, "order-1 was answered").await;
    b.client.goto(&shop.url("/inline/order-1")).await.unwrap();
    stays_away(&b, "order-1 was answered, inline too").await;

    a_higher_score_takes_the_offer_away(&b, &stack, &shop).await;
    a_low_score_sends_a_contact_that_is_not_a_callback(&b, &stack, &shop).await;

    // A site that turned the offer off: a 2 shows no contact fields.
    b.client.goto(&shop.url("/quiet/order-9")).await.unwrap();
    b.open_launcher(WAIT).await;
    b.type_answer("Late again.").await;
    pick(&b, 2).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !shown(&b, ".contact").await,
        "the site turned the offer off"
    );
    wait_until("the score is chosen", WAIT, || async {
        b.in_widget("w.querySelector('[data-score=\"2\"]').getAttribute('aria-pressed')")
            .await
            == "true"
    })
    .await;
    b.close().await;
}

/// order-2 asks. An address typed after a 3, then a 5: the offer and
/// what was typed into it go away, and nothing of it is sent.
async fn a_higher_score_takes_the_offer_away(b: &Browser, stack: &Stack, shop: &Receiver) {
    b.client.goto(&shop.url("/demo/order-2")).await.unwrap();
    b.open_launcher(WAIT).await;
    b.type_answer("Fine in the end, but slow.").await;
    pick(b, 3).await;
    b.wait_in_widget(
        "the offer shows",
        "!w.querySelector('.contact').hidden",
        WAIT,
    )
    .await;
    type_into(b, "candor-email", "ana@example.com").await;
    pick(b, 5).await;
    assert!(!shown(b, ".contact").await, "a 5 takes the offer away");
    b.click_send().await;
    b.wait_for_thanks(WAIT).await;
    let second = stored(stack, "order-2");
    assert_eq!(
        (&second["score"], &second["contact_email"]),
        (&json!(5), &Value::Null)
    );
}

/// order-3, inline: a 1 and an address, sent as a way to reach the
/// customer, not as a request for a call.
async fn a_low_score_sends_a_contact_that_is_not_a_callback(
    b: &Browser,
    stack: &Stack,
    shop: &Receiver,
) {
    b.client.goto(&shop.url("/inline/order-3")).await.unwrap();
    b.wait_in_widget(
        "the inline form shows",
        "!!(w && w.querySelector('.inline textarea'))",
        WAIT,
    )
    .await;
    b.type_answer("Nobody answered the phone.").await;
    pick(b, 1).await;
    b.wait_in_widget(
        "the offer shows",
        "!w.querySelector('.contact').hidden",
        WAIT,
    )
    .await;
    type_into(b, "candor-name", "Ana").await;
    type_into(b, "candor-email", "ana@example.com").await;
    b.click_send().await;
    b.wait_for_thanks(WAIT).await;
    let third = stored(stack, "order-3");
    assert_eq!(
        (
            &third["contact_email"],
            &third["contact_name"],
            &third["callback"]
        ),
        (&json!("ana@example.com"), &json!("Ana"), &json!(0))
    );
}

/// Evaluates `expr` with `w` bound to the shadow root of the widget that
/// `Candor.open()` made (or null).
async fn in_page_widget(b: &Browser, expr: &str) -> Value {
    b.js(&format!(
        "(() => {{ const h = document.querySelector('candor-widget[data-mode=\"page\"]'); \
           const w = h && h.shadowRoot; return ({expr}); }})()"
    ))
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shops_button_opens_the_form_only_inside_a_click() {
    let stack = Stack::start("widget-page-api");
    let shop = shop(stack.worker.url("").trim_end_matches('/').to_owned());
    let b = Browser::start(&stack.dir, 1000, 900).await;
    b.client.goto(&shop.url("/api/order-7")).await.unwrap();
    b.wait_for_launcher(WAIT).await;

    // Called by script, with no click under way: nothing opens.
    b.js("(Candor.open({transaction: 'order-7'}), true)").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        in_page_widget(&b, "!!w").await,
        false,
        "Candor.open() without a user gesture does nothing"
    );

    // The shop's button, clicked: the form opens for order-7, with the
    // name and address the shop gave filled in, still hidden.
    b.client
        .find(fantoccini::Locator::Css("#mine"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_until("the form opens from the shop's button", WAIT, || async {
        in_page_widget(&b, "!!(w && w.querySelector('dialog[open] textarea'))").await
            == Value::Bool(true)
    })
    .await;
    let filled = in_page_widget(
        &b,
        "[w.querySelector('#candor-email').value, w.querySelector('#candor-name').value,
          w.querySelector('.contact').hidden]",
    )
    .await;
    assert_eq!(filled, json!(["ana@example.com", "Ana", true]));
    in_page_widget(
        &b,
        "(() => { const t = w.querySelector('textarea'); t.value = 'The courier never rang.';
           t.dispatchEvent(new Event('input', { bubbles: true }));
           w.querySelector('[data-score=\"2\"]').click(); return true; })()",
    )
    .await;
    assert_eq!(
        in_page_widget(&b, "!w.querySelector('.contact').hidden").await,
        true,
        "the score shows the filled-in fields to the customer"
    );
    b.screenshot("widget-page-api").await;
    in_page_widget(&b, "(w.querySelector('.send').click(), true)").await;
    wait_until("the thank-you shows", WAIT, || async {
        in_page_widget(&b, "!w.querySelector('.done').hidden").await == Value::Bool(true)
    })
    .await;
    let row = stored(&stack, "order-7");
    assert_eq!(
        (
            &row["contact_email"],
            &row["contact_name"],
            &row["callback"]
        ),
        (&json!("ana@example.com"), &json!("Ana"), &json!(0))
    );

    // Closed, and clicked again: order-7 was answered, nothing opens.
    in_page_widget(&b, "(w.querySelector('.finish').click(), true)").await;
    b.client
        .find(fantoccini::Locator::Css("#mine"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        in_page_widget(&b, "!!w").await,
        false,
        "order-7 was answered"
    );
    b.close().await;
}

/// A score-2 answer with an email, in German: one thank-you mail reaches
/// the catcher within 5 s, in German, naming the next step exactly as the
/// page did, with a reference and a link that adds to the case.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_who_leaves_an_email_is_thanked_by_mail_once() {
    let stack = Stack::start("widget-thanks-mail");
    let shop = shop(stack.worker.url("").trim_end_matches('/').to_owned());
    let b = Browser::start(&stack.dir, 1000, 900).await;
    b.client.goto(&shop.url("/de/order-5")).await.unwrap();
    b.open_launcher(WAIT).await;
    b.type_answer("Das Paket kam beschädigt an.").await;
    pick(&b, 2).await;
    b.wait_in_widget(
        "the offer shows",
        "!w.querySelector('.contact').hidden",
        WAIT,
    )
    .await;
    type_into(&b, "candor-email", "ana@example.com").await;
    let sent = std::time::Instant::now();
    b.click_send().await;
    let next = b.wait_for_thanks(WAIT).await;
    let mail = stack.wait_for_mail("ana@example.com", 1).await;
    assert!(
        sent.elapsed() < Duration::from_secs(5),
        "the thank-you mail took {:?}",
        sent.elapsed()
    );
    let row = stored(&stack, "order-5");
    let id = row["id"].as_str().unwrap();
    let reference = id[..8].to_uppercase();
    let text = mail["text"].as_str().unwrap();
    assert!(
        mail["subject"].as_str().unwrap().starts_with("Danke") && text.starts_with(&next),
        "in German, with the page's next step ({next}): {text}"
    );
    assert!(text.contains(&reference), "{text}");
    assert!(
        !mail["html"].as_str().unwrap().contains("<img"),
        "no pixels"
    );
    let link = text
        .split_whitespace()
        .find(|w| w.contains("/more/"))
        .expect("a link to add more")
        .to_owned();
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        stack.mails_to("ana@example.com").len(),
        1,
        "exactly one mail"
    );

    // The link: GET shows the form and changes nothing; the form adds.
    b.client.goto(&link).await.unwrap();
    let events = format!(
        "SELECT COUNT(*) AS n FROM events WHERE case_id = '{id}' AND type = 'message' AND by = 'customer'"
    );
    assert_eq!(
        stack.rows(&events)[0]["n"],
        0,
        "opening the link adds nothing"
    );
    assert!(b.text().await.contains("Was möchten Sie ergänzen?"));
    b.fill("#message", "Und der Karton war nass.").await;
    b.click_and_wait("button[type=submit]").await;
    assert!(b.text().await.contains("Ergänzt"), "{}", b.text().await);
    let added = stack.rows(&format!(
        "SELECT note FROM events WHERE case_id = '{id}' AND type = 'message' AND by = 'customer'"
    ));
    assert_eq!(added.len(), 1, "{added:?}");
    assert_eq!(added[0]["note"], "Und der Karton war nass.");
    b.close().await;

    // The same answer under a link signed for another site, which lives in
    // the same D1: not found there, and nothing is added.
    stack
        .api()
        .put_site(
            "elsewhere",
            &json!({"origins": ["https://shop.example.com"], "recipients": []}),
        )
        .await;
    let elsewhere = domain::ack::AckKey::try_from(crate::support::ACK_SECRET)
        .unwrap()
        .sign_more(
            &domain::fields::SiteKey::try_from("elsewhere").unwrap(),
            id,
            domain::Timestamp::from_millis(crate::support::now_s() * 1000),
        );
    let url = stack.worker.url(&format!("/more/{elsewhere}"));
    let client = reqwest::Client::new();
    let got = client.get(&url).send().await.unwrap();
    assert_eq!(got.status().as_u16(), 404);
    let posted = client
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("message=Mallory+was+here")
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status().as_u16(), 404);
    assert_eq!(stack.rows(&events)[0]["n"], 1, "nothing added");
}
