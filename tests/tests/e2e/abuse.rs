//! Abuse protection against the real Worker: the per-client rate limit
//! (429 + Retry-After), the honeypot, Turnstile (checked against a local
//! stand-in for siteverify: the real endpoint is not reachable from here),
//! CORS on refusals, and the cacheable widget configuration.

use crate::support::turnstile::{siteverify, ALWAYS_FAILS, ALWAYS_PASSES};
use crate::support::{answer_on, assert_error, call, Api, Stack};
use domain::submission::RawSubmission;
use reqwest::Method;
use serde_json::{json, Value};
use std::sync::Arc;
use tests::receiver::{Options, Receiver};

fn slow_checkout(site: &str) -> RawSubmission {
    RawSubmission {
        score: Some(4),
        ..answer_on(site, "Slow checkout.")
    }
}

struct Ctx {
    stack: Stack,
    api: Api,
    verify: Arc<Receiver>,
}

impl Ctx {
    fn stored(&self, id: &str) -> u64 {
        self.stack.rows(&format!(
            "SELECT count(*) AS n FROM responses WHERE id = '{id}'"
        ))[0]["n"]
            .as_u64()
            .unwrap()
    }

    /// Counters are written after the answer (`wait_until`): poll for them.
    async fn wait_for_counter(&self, site: &str, name: &str, n: u64) {
        crate::support::wait_until(
            &format!("the {name} counter of {site} reaches {n}"),
            std::time::Duration::from_secs(5),
            || async { self.counter(site, name) == n },
        )
        .await;
    }

    fn counter(&self, site: &str, name: &str) -> u64 {
        self.stack
            .rows(&format!("SELECT coalesce(sum(count), 0) AS n FROM counters WHERE site = '{site}' AND name = '{name}'"))[0]["n"]
            .as_u64()
            .unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn floods_bots_and_failed_challenges_are_stopped_and_the_config_is_cacheable() {
    let verify = Arc::new(siteverify());
    let stack = Stack::start_full(
        "abuse",
        Options::default(),
        vec![("TURNSTILE_VERIFY_URL".into(), verify.url("/siteverify"))],
    );
    let ctx = Ctx {
        api: stack.api(),
        stack,
        verify,
    };
    rate_limit_answers_429_with_retry_after(&ctx).await;
    honeypot_looks_accepted_stores_nothing_and_counts(&ctx).await;
    turnstile_passes_fails_and_spares_retries(&ctx).await;
    refusals_are_readable_by_allowed_pages_only(&ctx).await;
    widget_config_is_cacheable(&ctx).await;
}

async fn rate_limit_answers_429_with_retry_after(ctx: &Ctx) {
    ctx.api
        .put_site(
            "tiny",
            &json!({"origins": ["http://127.0.0.1:*"], "rate_per_minute": 3}),
        )
        .await;
    let mut statuses = Vec::new();
    let mut limited = None;
    for _ in 0..10 {
        let got = ctx.api.send(&slow_checkout("tiny")).await;
        statuses.push(got.0);
        if got.0 == 429 && limited.is_none() {
            limited = Some(got);
        }
    }
    let accepted = statuses.iter().filter(|&&s| s == 201).count();
    // 3 per minute; a minute boundary during the loop allows 3 more.
    assert!((3..=6).contains(&accepted), "{statuses:?}");
    assert!(
        statuses.iter().all(|&s| s == 201 || s == 429),
        "{statuses:?}"
    );
    let limited = limited.expect("a 429");
    assert_error(&limited, 429, "rate_limited");
    let retry: u32 = limited.1["retry-after"].to_str().unwrap().parse().unwrap();
    assert_eq!(retry, 60, "the limiter's period: try again within a minute");
    let stored = ctx
        .stack
        .rows("SELECT count(*) AS n FROM responses WHERE site = 'tiny'")[0]["n"]
        .as_u64()
        .unwrap();
    assert_eq!(stored, accepted as u64, "refused answers are not stored");
    ctx.wait_for_counter("tiny", "rate_limited", (10 - accepted) as u64)
        .await;
    // The limit is the Workers binding's: answering wrote no rate row.
    let windows = ctx.stack.rows("SELECT count(*) AS n FROM rate_windows");
    assert_eq!(windows[0]["n"], 0, "no D1 write counts an answer's rate");
}

async fn honeypot_looks_accepted_stores_nothing_and_counts(ctx: &Ctx) {
    let body = RawSubmission {
        hp: "https://spam.example".into(),
        ..slow_checkout("demo")
    };
    let (status, _, reply) = ctx.api.send(&body).await;
    assert_eq!(status, 201);
    assert!(
        reply["next"]
            .as_str()
            .is_some_and(|n| n.starts_with("Thank you")),
        "{reply}"
    );
    assert_eq!(ctx.stored(&body.id), 0, "nothing stored");
    ctx.wait_for_counter("demo", "honeypot", 1).await;
    let (_, _, site) = ctx
        .api
        .admin(Method::GET, "/v1/admin/sites/demo", None)
        .await;
    assert!(
        site["counters"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "honeypot" && c["count"] == 1.0),
        "{site}"
    );
}

async fn turnstile_passes_fails_and_spares_retries(ctx: &Ctx) {
    let guarded = |secret: &str| json!({"origins": ["http://127.0.0.1:*"], "turnstile": {"sitekey": "1x00000000000000000000AA", "secret": secret}});
    ctx.api.put_site("guarded", &guarded(ALWAYS_PASSES)).await;
    ctx.api.put_site("blocked", &guarded(ALWAYS_FAILS)).await;

    assert_error(
        &ctx.api.send(&slow_checkout("guarded")).await,
        403,
        "turnstile_failed",
    );
    let body = RawSubmission {
        turnstile: Some("XXXX.DUMMY.TOKEN.XXXX".into()),
        ..slow_checkout("guarded")
    };
    let before = ctx.verify.received().len();
    let first = ctx.api.send(&body).await;
    assert_eq!(first.0, 201, "{}", first.2);
    let calls = ctx.verify.received();
    assert_eq!(calls.len(), before + 1);
    let sent: Value = serde_json::from_str(&calls[before].body).unwrap();
    assert_eq!(
        (sent["response"].as_str(), sent["idempotency_key"].as_str()),
        (Some("XXXX.DUMMY.TOKEN.XXXX"), Some(body.id.as_str()))
    );
    // The widget retrying after a lost answer spends no second token.
    let retry = ctx.api.send(&body).await;
    assert_eq!((retry.0, &retry.2), (200, &first.2));
    assert_eq!(ctx.verify.received().len(), before + 1);

    let refused = RawSubmission {
        turnstile: Some("XXXX.DUMMY.TOKEN.XXXX".into()),
        ..slow_checkout("blocked")
    };
    assert_error(&ctx.api.send(&refused).await, 403, "turnstile_failed");
    assert_eq!(ctx.stored(&refused.id), 0, "nothing stored");
    ctx.wait_for_counter("blocked", "turnstile_failed", 1).await;
    // The public config names the sitekey, never the secret.
    let (_, _, config) = call(
        &ctx.api.client,
        Method::GET,
        &ctx.api.url("/v1/sites/guarded/widget"),
        None,
        None,
    )
    .await;
    assert_eq!(config["turnstile_sitekey"], "1x00000000000000000000AA");
    assert!(!config.to_string().contains(ALWAYS_PASSES));
}

async fn refusals_are_readable_by_allowed_pages_only(ctx: &Ctx) {
    let bad = RawSubmission {
        score: Some(9),
        ..slow_checkout("demo")
    };
    let (status, headers, _) = ctx.api.send_from("http://127.0.0.1:5000", &bad).await;
    assert_eq!(status, 400);
    assert_eq!(
        headers["access-control-allow-origin"],
        "http://127.0.0.1:5000"
    );
    let (status, headers, _) = ctx
        .api
        .send_from("https://evil.example", &slow_checkout("demo"))
        .await;
    assert_eq!(status, 403);
    assert!(headers.get("access-control-allow-origin").is_none());
}

async fn widget_config_is_cacheable(ctx: &Ctx) {
    let url = ctx.api.url("/v1/sites/demo/widget");
    let first = ctx.api.client.get(&url).send().await.unwrap();
    assert_eq!(first.status(), 200);
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    assert!(first.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("max-age="));
    let again = ctx
        .api
        .client
        .get(&url)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
    assert!(again.text().await.unwrap().is_empty());

    ctx.api.put_site("demo", &json!({"origins": ["http://127.0.0.1:*"], "copy": {"en": {"question": "What could we have done better?"}}})).await;
    let changed = ctx
        .api
        .client
        .get(&url)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 200);
    assert_ne!(changed.headers()["etag"].to_str().unwrap(), etag);
    let body: Value = changed.json().await.unwrap();
    assert_eq!(
        body["copy"]["en"]["question"],
        "What could we have done better?"
    );
    assert_error(
        &call(
            &ctx.api.client,
            Method::GET,
            &ctx.api.url("/v1/sites/nope/widget"),
            None,
            None,
        )
        .await,
        404,
        "unknown_site",
    );
}
