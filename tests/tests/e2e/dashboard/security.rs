//! The dashboard's defences against the real Worker: sessions (cookie
//! attributes, expiry by sign-out, tampering), CSRF and cross-site posts,
//! illegal steps, and an XSS corpus typed
//! into every field a customer or editor controls, rendered in real Chromium
//! with its CSP switched off so that only escaping stands between a payload
//! and the page.

use crate::support::dashboard::{csrf_of, get, own_origin, post, sign_in, HttpSession, Post};
use crate::support::{contact, scored, Browser, Stack};
use domain::submission::{RawContact, RawContext, RawSubmission};
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use serde_json::json;

fn state(stack: &Stack, case: &str) -> String {
    stack.rows(&format!("SELECT state FROM cases WHERE id = '{case}'"))[0]["state"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_csrf_and_rate_limits_hold() {
    let stack = Stack::start("dashboard-security");
    let own = own_origin(&stack);
    let slow = scored("Slow refund.", 2);
    stack.api().submit(&slow).await;
    let case = slow.id;

    not_signed_in_is_sent_to_sign_in(&stack, &case).await;

    // Signing in from another site's page is refused.
    for how in [
        Post {
            cookie: None,
            origin: Some("http://evil.example"),
            fetch_site: None,
        },
        Post {
            cookie: None,
            origin: None,
            fetch_site: Some("cross-site"),
        },
    ] {
        let (status, headers, _) = post(
            &stack,
            "/dashboard/login",
            &[("email", "owner@example.com")],
            &how,
        )
        .await;
        assert_eq!(status, 403);
        assert!(headers.get(SET_COOKIE).is_none());
    }

    let dana = HttpSession::sign_in(&stack, "Dana").await;
    let (cookie, attributes) = (dana.cookie, dana.set_cookie);
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200"] {
        assert!(attributes.contains(attr), "{attributes}");
    }
    assert!(
        !attributes.contains("Secure"),
        "plain http on loopback only: {attributes}"
    );
    let (status, _, page) = get(&stack, &format!("/dashboard/cases/{case}"), Some(&cookie)).await;
    assert_eq!(status, 200);
    let token = csrf_of(&page);
    forged_posts_change_nothing(&stack, &case, &cookie, &token, &own).await;

    // The real form acts, once; a step out of order is refused (409) and the
    // page says why.
    let ours = Post::same_origin(&own, Some(&cookie));
    let path = format!("/dashboard/cases/{case}/events");
    let (status, headers, _) = post(
        &stack,
        &path,
        &[("csrf", &token), ("type", "acknowledged")],
        &ours,
    )
    .await;
    assert_eq!(
        (status, headers[LOCATION].to_str().unwrap()),
        (
            303,
            format!("/dashboard/cases/{case}?done=acknowledged").as_str()
        )
    );
    assert_eq!(state(&stack, &case), "acknowledged");
    let (status, _, page) = post(
        &stack,
        &path,
        &[("csrf", &token), ("type", "acknowledged")],
        &ours,
    )
    .await;
    assert_eq!(status, 409, "{page}");
    assert!(page.contains("role=\"alert\""));
    let (status, _, _) = post(
        &stack,
        &path,
        &[
            ("csrf", &token),
            ("type", "closed"),
            ("root_cause", "x"),
            ("short_fix", "y"),
            ("systemic_fix", "none"),
        ],
        &ours,
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(state(&stack, &case), "acknowledged");

    the_cookie_reads_but_never_writes_the_api(&stack, &case, &cookie).await;

    // Signing out ends the session server-side: the old cookie is dead.
    let (status, headers, _) = post(&stack, "/dashboard/logout", &[("csrf", &token)], &ours).await;
    assert_eq!(status, 303);
    assert!(headers[SET_COOKIE].to_str().unwrap().contains("Max-Age=0"));
    let (status, _, _) = get(&stack, "/dashboard", Some(&cookie)).await;
    assert_eq!(status, 303, "a copied cookie stops working after sign-out");
}

/// Not signed in: sent to sign in, and back afterwards; the sign-in page
/// carries the dashboard's headers.
async fn not_signed_in_is_sent_to_sign_in(stack: &Stack, case: &str) {
    let (status, headers, _) = get(stack, &format!("/dashboard/cases/{case}"), None).await;
    assert_eq!(status, 303);
    assert_eq!(
        headers[LOCATION],
        format!("/dashboard/login?next=%2Fdashboard%2Fcases%2F{case}")
    );
    let (status, headers, _) = get(stack, "/dashboard/login", None).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-security-policy"], "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["cache-control"], "no-store");
}

/// What a forged post tried, its form, how it was sent, the status it must get.
type Forgery<'a> = (&'a str, Vec<(&'a str, &'a str)>, Post<'a>, u16);

async fn forged_posts_change_nothing(
    stack: &Stack,
    case: &str,
    cookie: &str,
    token: &str,
    own: &str,
) {
    let path = format!("/dashboard/cases/{case}/events");
    let other_token = HttpSession::sign_in(stack, "Eve").await.csrf;
    let tampered = format!("{cookie}x");
    let cases: [Forgery; 6] = [
        (
            "no CSRF token",
            vec![("type", "acknowledged")],
            Post {
                cookie: Some(cookie),
                origin: Some(own),
                fetch_site: Some("same-origin"),
            },
            403,
        ),
        (
            "another session's token",
            vec![("csrf", &other_token), ("type", "acknowledged")],
            Post {
                cookie: Some(cookie),
                origin: Some(own),
                fetch_site: Some("same-origin"),
            },
            403,
        ),
        (
            "a cross-site page (Origin)",
            vec![("csrf", token), ("type", "acknowledged")],
            Post {
                cookie: Some(cookie),
                origin: Some("http://evil.example"),
                fetch_site: None,
            },
            403,
        ),
        (
            "a cross-site page (Sec-Fetch-Site)",
            vec![("csrf", token), ("type", "acknowledged")],
            Post {
                cookie: Some(cookie),
                origin: None,
                fetch_site: Some("cross-site"),
            },
            403,
        ),
        (
            "no session",
            vec![("csrf", token), ("type", "acknowledged")],
            Post {
                cookie: None,
                origin: Some(own),
                fetch_site: Some("same-origin"),
            },
            401,
        ),
        (
            "a tampered cookie",
            vec![("csrf", token), ("type", "acknowledged")],
            Post {
                cookie: Some(&tampered),
                origin: Some(own),
                fetch_site: Some("same-origin"),
            },
            401,
        ),
    ];
    for (what, form, how, want) in &cases {
        let (status, _, page) = post(stack, &path, form, how).await;
        assert_eq!(status, *want, "{what}: {page}");
        assert!(
            page.contains("Nothing was changed") || page.contains("nothing was changed"),
            "{what}: {page}"
        );
        assert_eq!(state(stack, case), "open", "{what} changed the case");
    }
    let events = stack.rows(&format!(
        "SELECT COUNT(*) AS n FROM events WHERE case_id = '{case}'"
    ));
    assert_eq!(events[0]["n"], 1, "only the opening event");
}

async fn the_cookie_reads_but_never_writes_the_api(stack: &Stack, case: &str, cookie: &str) {
    let (status, _, body) = get(stack, "/v1/admin/responses?site=demo", Some(cookie)).await;
    assert_eq!(status, 200, "{body}");
    let (status, headers, _) =
        get(stack, "/v1/admin/export?site=demo&format=csv", Some(cookie)).await;
    assert_eq!(status, 200);
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let client = reqwest::Client::new();
    let resp = client
        .delete(stack.worker.url(&format!("/v1/admin/responses/{case}")))
        .header(COOKIE, cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status().as_u16(),
        403,
        "a cookie alone cannot erase through the API"
    );
    let rows = stack.rows(&format!(
        "SELECT erased_at FROM responses WHERE id = '{case}'"
    ));
    assert!(rows[0]["erased_at"].is_null());
}

/// Payloads that would run or add markup if any value were pasted into the
/// page unescaped.
const XSS: [&str; 8] = [
    "<script>window.__pwned=1</script>",
    "<img src=x onerror=\"window.__pwned=1\">",
    "\"><svg onload=window.__pwned=1>",
    "'><iframe srcdoc=\"<script>parent.__pwned=1</script>\"></iframe>",
    "</textarea><script>window.__pwned=1</script>",
    "<a href=\"javascript:window.__pwned=1\">click</a>",
    "</title><style>*{display:none}</style>",
    "{{constructor.constructor('window.__pwned=1')()}}",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_xss_corpus_renders_as_text_everywhere() {
    let stack = Stack::start("dashboard-xss");
    let api = stack.api();
    let mut cases = Vec::new();
    for (n, payload) in XSS.iter().enumerate() {
        let hostile = RawSubmission {
            contact: Some(RawContact {
                name: Some((*payload).into()),
                ..contact(&format!("x{n}@example.com"), true)
            }),
            context: Some(RawContext {
                transaction: Some((*payload).into()),
                locale: Some("en".into()),
                ..RawContext::default()
            }),
            ..scored(&format!("{payload} gap {n}"), 1)
        };
        api.submit(&hostile).await;
        cases.push(hostile.id);
    }
    put_hostile_copy(&stack).await;
    let b = Browser::start(&stack.dir, 1280, 900).await;
    // Only escaping may stop the payloads: the page's CSP is off.
    b.cdp("Page.setBypassCSP", json!({"enabled": true})).await;
    sign_in(&b, &stack, "/dashboard", XSS[1]).await;
    let mut pages = vec![
        "/dashboard".to_owned(),
        "/dashboard/insights".into(),
        "/dashboard/settings?site=demo".into(),
    ];
    pages.extend(cases.iter().map(|c| format!("/dashboard/cases/{c}")));
    for page in &pages {
        b.client.goto(&stack.worker.url(page)).await.unwrap();
        let injected = b.js("document.querySelectorAll('script:not([src=\"/assets/dashboard.js\"]), iframe, img, style, svg:not([role=img]), [onerror], [onload], a[href^=\"javascript\"]').length").await;
        assert_eq!(injected, json!(0), "{page}: markup from a payload");
        assert_eq!(
            b.js("window.__pwned === undefined").await,
            json!(true),
            "{page}: a payload ran"
        );
        assert_eq!(
            b.js("document.title.endsWith('· Candor')").await,
            json!(true),
            "{page}: title intact"
        );
    }
    // The words survive as text: the case page shows exactly what was typed.
    b.client
        .goto(&stack.worker.url(&format!("/dashboard/cases/{}", cases[0])))
        .await
        .unwrap();
    assert!(b
        .text()
        .await
        .contains("<script>window.__pwned=1</script> gap 0"));
    b.client
        .goto(&stack.worker.url("/dashboard/settings?site=demo"))
        .await
        .unwrap();
    let title = b
        .js("document.querySelector('[name=\"copy.en.title\"]').value")
        .await;
    assert_eq!(title, json!(XSS[0]), "site copy round-trips as text");
    b.close().await;
}

async fn put_hostile_copy(stack: &Stack) {
    let api = stack.api();
    let (status, _, config) = api
        .admin(reqwest::Method::GET, "/v1/admin/sites/demo", None)
        .await;
    assert_eq!(status, 200);
    let body = json!({
        "origins": config["origins"],
        "copy": {"en": {"title": XSS[0], "question": XSS[2], "thanks": XSS[4]}},
        "score": true, "guarantee": true,
        "recipients": [],
    });
    api.put_site("demo", &body).await;
}

/// Defect: the acknowledge link from a chat alert, clicked through in
/// Chromium. The confirm page's own form post must acknowledge, whatever
/// `Origin` the page's referrer policy makes Chromium send (it sent
/// `Origin: null` under `no-referrer`, and the post was refused), while the
/// same post from another site's page (an opaque origin: `Origin: null`,
/// `Sec-Fetch-Site: cross-site`) still changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chat_link_acknowledges_in_chromium_and_another_sites_page_cannot() {
    let stack = Stack::start("ack-in-chromium");
    let api = stack.api();
    let taken = scored("Nobody called back.", 1);
    let targeted = scored("Still waiting.", 2);
    api.submit(&taken).await;
    api.submit(&targeted).await;
    let (taken, targeted) = (taken.id, targeted.id);
    let link = |case: &str| {
        let id = crate::support::alert_id(case, "senior", "opened");
        let stack = &stack;
        async move {
            stack.wait_for_alert(&id).await["data"]["ack_url"]
                .as_str()
                .expect("the alert carries an acknowledge link")
                .to_owned()
        }
    };
    let state = |case: &str| {
        stack.rows(&format!("SELECT state FROM cases WHERE id = '{case}'"))[0]["state"].clone()
    };
    let b = Browser::start(&stack.dir, 1280, 800).await;

    // Another site's page posts the form to a valid link by itself.
    let victim = link(&targeted).await;
    b.client.goto("about:blank").await.unwrap();
    b.js(&format!(
        "(() => {{ const f = document.createElement('form'); f.method = 'post'; \
             f.action = {victim:?}; const i = document.createElement('input'); i.name = 'by'; \
             i.value = 'Mallory'; f.appendChild(i); document.body.appendChild(f); f.submit(); \
             return true; }})()"
    ))
    .await;
    b.wait_js(
        "the refusal page loads",
        "location.href.includes('/ack/') && document.readyState === 'complete'",
    )
    .await;
    let refused = b.text().await;
    assert!(
        refused.contains("This link cannot be used right now"),
        "{refused}"
    );
    assert_eq!(
        state(&targeted),
        "open",
        "a cross-site post acts on nothing"
    );

    // The chat link itself: a confirm page, a name, the button.
    let ours = link(&taken).await;
    b.client.goto(&ours).await.unwrap();
    assert_eq!(state(&taken), "open", "opening the link changes nothing");
    b.screenshot("ack-confirm").await;
    b.fill("#by", "Dana Reyes").await;
    b.click_and_wait("form button[type=submit]").await;
    let done = b.text().await;
    b.screenshot("ack-done").await;
    assert!(done.contains("thank you, Dana Reyes"), "{done}");
    assert_eq!(state(&taken), "acknowledged");
    let by = stack.rows(&format!(
        "SELECT by FROM events WHERE case_id = '{taken}' AND type = 'acknowledged'"
    ));
    assert_eq!(by.len(), 1, "{by:?}");
    assert_eq!(by[0]["by"], "Dana Reyes (alert link)");
    assert_eq!(state(&targeted), "open");
    b.close().await;
}
