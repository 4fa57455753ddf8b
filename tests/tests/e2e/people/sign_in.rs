//! Sign-in by mailed link, as a person does it: Chromium asks for a link,
//! the mail catcher receives it, a mail scanner opens it first, the person
//! opens it and presses the button. Then what must not work: the same link
//! twice, an expired link, an unknown address (which gets the same page),
//! the admin token, and a sixth link in an hour.

use crate::support::dashboard::{
    assert_accessible, get, link_in, own_origin, post, screenshots, Post,
};
use crate::support::{wait_until, Browser, Stack, ADMIN_TOKEN};
use reqwest::header::{LOCATION, SET_COOKIE};
use std::time::Duration;

const OWNER: &str = "owner@example.com";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mailed_link_signs_in_once_in_chromium() {
    let stack = Stack::start("people-sign-in");
    let b = Browser::start(&stack.dir, 1280, 900).await;
    b.client
        .goto(&stack.worker.url("/dashboard/insights"))
        .await
        .unwrap();
    assert_eq!(
        b.client.current_url().await.unwrap().path(),
        "/dashboard/login"
    );
    assert_accessible(&b, "sign-in").await;
    b.fill("#email", "Owner@Example.com").await;
    b.click_and_wait("form[action='/dashboard/login'] button[type=submit]")
        .await;
    let sent_page = b.js("document.querySelector('main').textContent").await;
    assert!(sent_page
        .as_str()
        .unwrap()
        .contains("If that address belongs to a Candor account"));
    assert_accessible(&b, "check your mail").await;
    screenshots(&b, "login-sent").await;

    let mail = stack.wait_for_mail(OWNER, 1).await;
    assert_eq!(mail["subject"], "Your Candor sign-in link");
    let (link, token) = link_in(&mail);
    assert!(
        mail["html"].as_str().unwrap().contains(&token),
        "both parts carry the link"
    );
    assert!(link.contains("/dashboard/login/link?next=%2Fdashboard%2Finsights#t="));
    let caught = std::fs::read_to_string(stack.dir.join("mail.ndjson")).unwrap();
    let first: serde_json::Value = serde_json::from_str(caught.lines().next().unwrap()).unwrap();
    for field in ["to", "subject", "text", "html", "at_ms"] {
        assert!(!first[field].is_null(), "mail.ndjson has {field}: {first}");
    }

    // A mail scanner fetches the link first: fragments are never sent, and
    // the page changes nothing.
    let path = link
        .split_once("/dashboard")
        .map(|(_, p)| format!("/dashboard{p}"))
        .unwrap();
    let (status, headers, page) = get(&stack, path.split('#').next().unwrap(), None).await;
    assert_eq!(status, 200);
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert!(!page.contains(&token));

    b.client.goto(&link).await.unwrap();
    assert_accessible(&b, "sign-in link").await;
    screenshots(&b, "login-link").await;
    let hash = b.js("location.hash").await;
    assert_eq!(hash, "", "the secret leaves the address bar");
    b.click_and_wait("#link-sign-in button[type=submit]").await;
    assert_eq!(
        b.client.current_url().await.unwrap().path(),
        "/dashboard/insights",
        "signed in, where they were going"
    );
    let who = b.js("document.querySelector('.who').textContent").await;
    assert_eq!(who, "Dev Owner");
    b.close().await;

    the_same_link_never_works_twice(&stack, &token).await;
    an_unknown_address_gets_the_same_page_and_no_mail(&stack).await;
    an_expired_link_is_refused(&stack).await;
    the_admin_token_opens_no_dashboard(&stack).await;
    an_address_gets_five_links_an_hour(&stack).await;
    no_link_is_logged_or_kept(&stack);
}

async fn use_link(stack: &Stack, token: &str) -> (u16, bool, String) {
    let own = own_origin(stack);
    let (status, headers, page) = post(
        stack,
        "/dashboard/login/link",
        &[("token", token), ("next", "/dashboard")],
        &Post::same_origin(&own, None),
    )
    .await;
    (status, headers.get(SET_COOKIE).is_some(), page)
}

async fn ask(stack: &Stack, email: &str) -> (u16, String) {
    let own = own_origin(stack);
    let (status, _, page) = post(
        stack,
        "/dashboard/login",
        &[("email", email)],
        &Post::same_origin(&own, None),
    )
    .await;
    (status, page)
}

async fn the_same_link_never_works_twice(stack: &Stack, token: &str) {
    let (status, cookie, page) = use_link(stack, token).await;
    assert_eq!(status, 410, "{page}");
    assert!(!cookie);
    assert!(page.contains("used already or has expired"));
}

async fn an_unknown_address_gets_the_same_page_and_no_mail(stack: &Stack) {
    let known = ask(stack, OWNER).await;
    let unknown = ask(stack, "nobody@example.com").await;
    assert_eq!(
        known, unknown,
        "the page says nothing about who has an account"
    );
    stack.wait_for_mail(OWNER, 2).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(stack.mails_to("nobody@example.com").is_empty());
    let (status, page) = ask(stack, "not an address").await;
    assert_eq!(status, 400);
    assert!(page.contains("is not an email address"));
}

/// The link of the second mail, made stale in D1 as fifteen minutes would.
async fn an_expired_link_is_refused(stack: &Stack) {
    let (_, token) = link_in(&stack.mails_to(OWNER)[1]);
    stack.rows("UPDATE sign_in_links SET expires_at = 1 WHERE used_at IS NULL");
    let (status, cookie, _) = use_link(stack, &token).await;
    assert_eq!((status, cookie), (410, false));
    let (status, _, _) = use_link(stack, "0123456789abcdef").await;
    assert_eq!(status, 400, "a cut-off link is refused as incomplete");
}

async fn the_admin_token_opens_no_dashboard(stack: &Stack) {
    let resp = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(stack.worker.url("/dashboard"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 303);
    assert!(resp.headers()[LOCATION]
        .to_str()
        .unwrap()
        .starts_with("/dashboard/login"));
    let own = own_origin(stack);
    let (status, headers, _) = post(
        stack,
        "/dashboard/login",
        &[("name", "Eve"), ("token", ADMIN_TOKEN)],
        &Post::same_origin(&own, None),
    )
    .await;
    assert_eq!(status, 400, "the old token form signs no one in");
    assert!(headers.get(SET_COOKIE).is_none());
}

/// Two links were sent already this hour; four more asks bring three more
/// mails, and the sixth ask the same page but no mail.
async fn an_address_gets_five_links_an_hour(stack: &Stack) {
    for _ in 0..4 {
        assert_eq!(ask(stack, OWNER).await.0, 200);
    }
    stack.wait_for_mail(OWNER, 5).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        stack.mails_to(OWNER).len(),
        5,
        "the sixth link this hour is not sent"
    );
}

/// Only hashes are stored; sent sign-in mails keep no body; the Worker's
/// log never holds a secret.
fn no_link_is_logged_or_kept(stack: &Stack) {
    let log = stack.log();
    for mail in stack.mails_to(OWNER) {
        let (_, token) = link_in(&mail);
        assert!(
            !log.contains(&token),
            "a link secret is in the Worker's log"
        );
        let hashes = stack.rows(&format!(
            "SELECT hash FROM sign_in_links WHERE hash = '{token}'"
        ));
        assert!(hashes.is_empty(), "the secret itself is stored");
    }
    let bodies = stack.rows(
        "SELECT COUNT(*) AS n FROM mails WHERE kind = 'sign_in' AND (text != '' OR html != '')",
    );
    assert_eq!(bodies[0]["n"], 0, "sent sign-in mails keep no body");
}

/// Twelve asks at once from one client in one minute: ten are answered,
/// two wait out the minute, whatever the address.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_requests_are_limited_per_client() {
    let stack = std::sync::Arc::new(Stack::start("sign-in-burst"));
    while crate::support::now_s() % 60 > 45 {
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let mut burst = tokio::task::JoinSet::new();
    for n in 0..12 {
        let stack = stack.clone();
        burst.spawn(async move {
            let email = if n % 2 == 0 {
                OWNER.to_owned()
            } else {
                format!("x{n}@example.com")
            };
            let own = own_origin(&stack);
            let (status, headers, _) = post(
                &stack,
                "/dashboard/login",
                &[("email", &email)],
                &Post::same_origin(&own, None),
            )
            .await;
            (status, headers.get("retry-after").is_some())
        });
    }
    let mut answers = Vec::new();
    while let Some(a) = burst.join_next().await {
        answers.push(a.unwrap());
    }
    let count = |s: u16| answers.iter().filter(|a| a.0 == s).count();
    assert_eq!((count(200), count(429)), (10, 2), "{answers:?}");
    assert!(
        answers.iter().filter(|a| a.0 == 429).all(|a| a.1),
        "429 says when to retry"
    );
    wait_until("the owner's links", Duration::from_secs(30), || {
        let n = stack.mails_to(OWNER).len();
        async move { n >= 1 }
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        stack.mails_to(OWNER).len() <= 5,
        "never more than five an hour"
    );
    assert!(
        stack
            .mail
            .received()
            .iter()
            .all(|r| !r.body.contains("\"x")),
        "no mail to addresses without an account"
    );
}
