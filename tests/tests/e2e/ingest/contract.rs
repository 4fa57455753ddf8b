//! `POST /v1/responses` against the real Worker: bad bodies get a 4xx JSON
//! error and store nothing; retries of one id store it once.

use crate::support::{scored, Api, Stack};
use domain::submission::RawSubmission;
use reqwest::StatusCode;

/// An ordinary answer with this id.
fn valid(id: &str) -> RawSubmission {
    RawSubmission {
        id: id.into(),
        ..scored("The invoice was wrong twice.", 3)
    }
}

async fn post(
    client: &reqwest::Client,
    url: &str,
    ctype: &str,
    body: Vec<u8>,
) -> (StatusCode, serde_json::Value) {
    let resp = client
        .post(url)
        .header("content-type", ctype)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let json = resp.json().await.unwrap_or(serde_json::Value::Null);
    (status, json)
}

/// One Worker for the whole file (starting one takes seconds); each check is
/// its own function and leaves the database as it found it or says why not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_bodies_and_foreign_origins_are_refused_and_copies_of_an_answer_store_once() {
    let stack = Stack::start("ingest");
    let api = stack.api();
    let id = uuid::Uuid::new_v4().to_string();
    bad_bodies_are_refused_and_store_nothing(&stack, &api, &id).await;
    a_foreign_origin_is_refused(&stack, &api, &id).await;
    a_retry_returns_the_same_body_and_stores_once(&stack, &api, &id).await;
    preflight_health_and_unknown_routes(&api).await;
    concurrent_copies_of_one_id_store_once(&stack, &api).await;
}

/// 50 copies of one answer at once (a widget retrying on a flaky network):
/// exactly one `201`, the rest `200` with the same body, one row, one case.
async fn concurrent_copies_of_one_id_store_once(stack: &Stack, api: &Api) {
    let raced = scored("Raced", 1);
    let id = &raced.id;
    let sends = (0..50).map(|_| {
        let request = api.request(&raced);
        async move {
            let resp = request.send().await.unwrap();
            (resp.status().as_u16(), resp.text().await.unwrap())
        }
    });
    let answers = futures_join_all(sends).await;
    let created = answers.iter().filter(|(s, _)| *s == 201).count();
    assert_eq!(created, 1, "{answers:?}");
    assert!(
        answers
            .iter()
            .all(|(s, b)| (*s == 201 || *s == 200) && *b == answers[0].1),
        "{answers:?}"
    );
    let sql = format!("SELECT (SELECT count(*) FROM responses WHERE id = '{id}') AS r, (SELECT count(*) FROM cases WHERE id = '{id}') AS c, (SELECT count(*) FROM events WHERE case_id = '{id}') AS e");
    let rows = stack.rows(&sql);
    assert_eq!(
        (
            rows[0]["r"].as_i64(),
            rows[0]["c"].as_i64(),
            rows[0]["e"].as_i64()
        ),
        (Some(1), Some(1), Some(1))
    );
}

/// Runs futures concurrently on the test's runtime and collects their outputs in order.
async fn futures_join_all<F: std::future::Future + Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> Vec<F::Output>
where
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::with_capacity(handles.len());
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

async fn bad_bodies_are_refused_and_store_nothing(stack: &Stack, api: &Api, id: &str) {
    let url = api.url("/v1/responses");

    let huge = RawSubmission {
        gaps: "x".repeat(20 * 1024),
        ..valid(&uuid::Uuid::new_v4().to_string())
    };
    // Bad bodies as they come over the wire, written by hand: only the one
    // with the wrong media type and the oversized one are ordinary answers.
    let cases: Vec<(&str, &str, Vec<u8>, u16, &str)> = vec![
        (
            "not JSON",
            "application/json",
            b"gaps=slow".to_vec(),
            400,
            "invalid_json",
        ),
        (
            "wrong media type",
            "text/plain",
            serde_json::to_vec(&valid(id)).unwrap(),
            415,
            "unsupported_media_type",
        ),
        (
            "empty gaps",
            "application/json",
            serde_json::to_vec(&serde_json::json!({"site": "demo", "id": id, "gaps": "   "}))
                .unwrap(),
            400,
            "invalid_gaps",
        ),
        (
            "score 7",
            "application/json",
            serde_json::to_vec(
                &serde_json::json!({"site": "demo", "id": id, "gaps": "x", "score": 7}),
            )
            .unwrap(),
            400,
            "invalid_score",
        ),
        (
            "20 KiB",
            "application/json",
            serde_json::to_vec(&huge).unwrap(),
            413,
            "body_too_large",
        ),
        (
            "unknown field",
            "application/json",
            serde_json::to_vec(
                &serde_json::json!({"site": "demo", "id": id, "gaps": "x", "stars": 5}),
            )
            .unwrap(),
            400,
            "invalid_json",
        ),
        (
            "unknown site",
            "application/json",
            serde_json::to_vec(&serde_json::json!({"site": "nosuch", "id": id, "gaps": "x"}))
                .unwrap(),
            404,
            "unknown_site",
        ),
        (
            "invalid UTF-8",
            "application/json",
            b"{\"site\":\"demo\",\"gaps\":\"\xff\xfe\"}".to_vec(),
            400,
            "invalid_json",
        ),
    ];
    for (what, ctype, body, status, code) in cases {
        let (got, json) = post(&api.client, &url, ctype, body).await;
        assert_eq!(got.as_u16(), status, "{what}: {json}");
        assert_eq!(json["error"]["code"], code, "{what}: {json}");
        assert!(
            json["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{what}: {json}"
        );
    }
    let stored = stack.rows("SELECT count(*) AS n FROM responses");
    assert_eq!(stored[0]["n"], 0, "bad bodies store nothing");
}

async fn a_foreign_origin_is_refused(stack: &Stack, api: &Api, id: &str) {
    let (status, headers, _) = api.send_from("https://evil.example", &valid(id)).await;
    assert_eq!(status, 403);
    assert!(headers.get("access-control-allow-origin").is_none());
    assert_eq!(stack.rows("SELECT count(*) AS n FROM responses")[0]["n"], 0);
}

async fn a_retry_returns_the_same_body_and_stores_once(stack: &Stack, api: &Api, id: &str) {
    // First answer 201, a retry 200 with the identical body, one row.
    let given = valid(id);
    let first = api.request(&given).send().await.unwrap();
    assert_eq!(first.status(), 201);
    let first = first.text().await.unwrap();
    let again = api.request(&given).send().await.unwrap();
    assert_eq!(again.status(), 200);
    assert_eq!(again.text().await.unwrap(), first);
    let reply: serde_json::Value = serde_json::from_str(&first).unwrap();
    assert_eq!(reply["tier"], "account");
    assert_eq!(reply["case"], "open");
    let rows = stack.rows("SELECT (SELECT count(*) FROM responses) AS r, (SELECT count(*) FROM cases) AS c, (SELECT count(*) FROM events) AS e");
    assert_eq!(
        (
            rows[0]["r"].clone(),
            rows[0]["c"].clone(),
            rows[0]["e"].clone()
        ),
        (1.into(), 1.into(), 1.into())
    );
}

async fn preflight_health_and_unknown_routes(api: &Api) {
    let (client, url) = (&api.client, api.url("/v1/responses"));
    let pre = client
        .request(reqwest::Method::OPTIONS, &url)
        .header("origin", "http://127.0.0.1:5500")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(pre.status(), 204);
    assert_eq!(
        pre.headers()["access-control-allow-origin"],
        "http://127.0.0.1:5500"
    );
    let health: serde_json::Value = client
        .get(api.url("/health"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (health["ok"].as_bool(), health["d1"].as_str()),
        (Some(true), Some("ok"))
    );
    let missing = client.get(api.url("/v1/nothing")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
}
