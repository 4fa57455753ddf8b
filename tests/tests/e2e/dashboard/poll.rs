//! The inbox poll: open tabs ask every 10 s, and an unchanged inbox answers
//! 304 with no body, so a poll costs one indexed read instead of the whole
//! query and page.

use crate::support::api::scored;
use crate::support::dashboard::{get, sign_in, HttpSession};
use crate::support::{wait_until, Browser, Stack};
use reqwest::header::{COOKIE, IF_NONE_MATCH};
use reqwest::StatusCode;
use std::time::Duration;

/// A poll of the inbox with the version the tab holds.
async fn poll(stack: &Stack, session: &HttpSession, tag: &str) -> (StatusCode, String, String) {
    let resp = reqwest::Client::new()
        .get(stack.worker.url("/dashboard"))
        .header(COOKIE, &session.cookie)
        .header(IF_NONE_MATCH, tag)
        .send()
        .await
        .expect("poll");
    let status = resp.status();
    let etag = resp
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, etag, resp.text().await.expect("body"))
}

/// The inbox's current version, as a full load gives it.
async fn current(stack: &Stack, session: &HttpSession) -> String {
    let (status, headers, _) = get(stack, "/dashboard", Some(&session.cookie)).await;
    assert_eq!(status, 200);
    let tag = headers["etag"].to_str().unwrap().to_owned();
    assert!(tag.starts_with("W/\"inbox-"), "{tag}");
    tag
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unchanged_inbox_answers_a_poll_with_304() {
    let stack = Stack::start("dashboard-poll");
    let session = HttpSession::sign_in(&stack, "Dana").await;
    // The version includes the minute: should one turn between the two
    // requests, the next pair cannot cross another.
    let mut tag = current(&stack, &session).await;
    let mut answer = poll(&stack, &session, &tag).await;
    if answer.0 != StatusCode::NOT_MODIFIED {
        tag = current(&stack, &session).await;
        answer = poll(&stack, &session, &tag).await;
    }
    let (status, etag, body) = answer;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert_eq!(etag, tag);
    assert!(body.is_empty(), "{body}");

    // A new case changes the version: the poll gets the page with it.
    let late = scored("The parcel came a week late.", 2);
    stack.api().submit(&late).await;
    let (status, etag, body) = poll(&stack, &session, &tag).await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(etag, tag);
    assert!(body.contains(&late.id), "the new case is listed");

    // Without a session the poll is no way around signing in.
    let resp = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(stack.worker.url("/dashboard"))
        .header(IF_NONE_MATCH, &etag)
        .send()
        .await
        .unwrap();
    assert_ne!(resp.status(), StatusCode::NOT_MODIFIED);
}

/// Chromium's own poll sends the version it got and takes the 304: the
/// page stays as it is, and a new case still appears.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inbox_page_polls_with_its_version() {
    let stack = Stack::start("dashboard-poll-browser");
    let b = Browser::start(&stack.dir, 1280, 900).await;
    sign_in(&b, &stack, "/dashboard", "Dana").await;
    let polls_answered = |status: u16| {
        let line = format!("\"route\":\"/dashboard\",\"status\":{status}");
        stack.log().matches(&line).count()
    };
    // The first poll (10 s) learns the version; the next ones get 304.
    wait_until("a poll answered 304", Duration::from_secs(45), || {
        let n = polls_answered(304);
        async move { n >= 1 }
    })
    .await;
    let late = scored("The parcel came a week late.", 2);
    stack.api().submit(&late).await;
    b.wait_js(
        "the new case appears after 304s",
        &format!("!!document.querySelector('tr[data-case=\"{}\"]')", late.id),
    )
    .await;
}
