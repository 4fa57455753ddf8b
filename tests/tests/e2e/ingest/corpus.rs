//! A corpus of over 200 bad, odd and hostile bodies against the real Worker:
//! every answer is a 4xx with the JSON error shape or a 2xx with the reply
//! shape — never a 5xx — and afterwards the database holds exactly the
//! answers that were accepted, each stored as clean text.

use crate::support::{scored, Stack};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::time::Duration;

/// What a corpus entry must get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// A 4xx: nothing stored.
    Refused,
    /// A 201: stored, sanitised.
    Accepted,
}

struct Case {
    what: String,
    content_type: &'static str,
    body: Vec<u8>,
    expect: Expect,
}

fn id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The corpus's starting point, as raw JSON on purpose (not a
/// `RawSubmission`): the entries cut it, retype it and add to it at any path,
/// into bodies the wire type cannot hold.
fn valid() -> Value {
    json!({"site": "demo", "id": id(), "gaps": "The parcel came late.", "score": 4})
}

fn case(what: impl Into<String>, body: impl Into<Vec<u8>>, expect: Expect) -> Case {
    Case {
        what: what.into(),
        content_type: "application/json",
        body: body.into(),
        expect,
    }
}

fn with(path: &[&str], value: Value) -> Vec<u8> {
    let mut body = valid();
    let mut target = &mut body;
    for (i, key) in path.iter().enumerate() {
        if i + 1 == path.len() {
            target[*key] = value;
            break;
        }
        if target.get(*key).is_none_or(Value::is_null) {
            target[*key] = json!({});
        }
        target = &mut target[*key];
    }
    serde_json::to_vec(&body).unwrap()
}

#[allow(clippy::too_many_lines)] // one flat list reads better than many builders
fn corpus() -> Vec<Case> {
    use Expect::{Accepted, Refused};
    let mut c = Vec::new();

    // Malformed JSON: every prefix of a valid body, and classic mistakes.
    let whole = serde_json::to_string(&valid()).unwrap();
    for cut in (1..whole.len()).step_by(3) {
        c.push(case(format!("truncated at {cut}"), &whole[..cut], Refused));
    }
    for bad in [
        "",
        " ",
        "{",
        "}",
        "[]",
        "null",
        "true",
        "1",
        "\"x\"",
        "{\"site\":}",
        "{'site':'demo'}",
        "{\"site\":\"demo\",}",
        "{\"gaps\":NaN}",
        "/* hi */{}",
        "\u{feff}{}",
        "{\"a\":1}{\"b\":2}",
        "{\"site\":\"demo\"\"id\":1}",
        "[{\"site\":\"demo\"}]",
        "{\"site\":\"demo\",\"site\":\"x\"}",
    ] {
        c.push(case(format!("malformed {bad:?}"), bad, Refused));
    }

    // Invalid UTF-8, raw and in strings; lone surrogates.
    for (what, bytes) in [
        ("0xff", b"\xff\xfe{}".to_vec()),
        (
            "bad continuation",
            b"{\"site\":\"demo\",\"gaps\":\"\xc3\x28\"}".to_vec(),
        ),
        ("overlong slash", b"{\"gaps\":\"\xc0\xaf\"}".to_vec()),
        ("truncated multibyte", b"{\"gaps\":\"\xe2\x82\"}".to_vec()),
        ("encoded surrogate", b"{\"gaps\":\"\xed\xa0\x80\"}".to_vec()),
    ] {
        c.push(case(format!("invalid utf-8: {what}"), bytes, Refused));
    }
    let lone = whole.replacen("The parcel", "\\ud800 parcel", 1);
    c.push(case("lone surrogate escape", lone, Refused));

    // Deep nesting, in place of a field and as the whole body.
    for depth in [64, 1000, 100_000] {
        let nested = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        c.push(case(
            format!("array nested {depth} deep"),
            nested.clone(),
            Refused,
        ));
        c.push(case(
            format!("gaps nested {depth} deep"),
            format!(
                "{{\"site\":\"demo\",\"id\":\"{}\",\"gaps\":{nested}}}",
                id()
            ),
            Refused,
        ));
    }

    // Huge, odd and wrong-typed numbers for the score.
    for score in [
        "1e400",
        "-1e400",
        "99999999999999999999999",
        "-0",
        "0",
        "6",
        "-3",
        "2.5",
        "3.0000001",
        "1.0",
        "\"3\"",
        "true",
        "[3]",
        "{}",
        "9223372036854775808",
    ] {
        let body = whole.replacen("\"score\":4", &format!("\"score\":{score}"), 1);
        c.push(case(format!("score {score}"), body, Refused));
    }
    c.push(case("score null", with(&["score"], Value::Null), Accepted));

    // Wrong types for every field.
    for path in [
        &["site"][..],
        &["id"],
        &["gaps"],
        &["guarantee"],
        &["hp"],
        &["contact"],
        &["context"],
        &["contact", "name"],
        &["contact", "email"],
        &["contact", "phone"],
        &["contact", "callback"],
        &["context", "page"],
        &["context", "transaction"],
        &["context", "locale"],
    ] {
        for value in [json!(1), json!([]), json!({"x": 1}), json!(-0.5)] {
            c.push(case(
                format!("{path:?} = {value}"),
                with(path, value),
                Refused,
            ));
        }
    }
    for path in [&["site"][..], &["id"], &["gaps"]] {
        c.push(case(
            format!("{path:?} null"),
            with(path, Value::Null),
            Refused,
        ));
        c.push(case(
            format!("{path:?} empty"),
            with(path, json!("")),
            Refused,
        ));
    }

    // Unknown fields at every level.
    for path in [
        &["stars"][..],
        &["contact", "fax"],
        &["context", "referrer"],
    ] {
        c.push(case(
            format!("unknown {path:?}"),
            with(path, json!("x")),
            Refused,
        ));
    }

    // Null bytes and control characters.
    c.push(case(
        "null byte in site",
        with(&["site"], json!("de\u{0}mo")),
        Refused,
    ));
    c.push(case(
        "null byte in id",
        with(&["id"], json!(format!("{}\u{0}", id()))),
        Refused,
    ));
    c.push(case(
        "null bytes in gaps",
        with(&["gaps"], json!("late\u{0}\u{0} again")),
        Accepted,
    ));
    c.push(case(
        "only controls in gaps",
        with(&["gaps"], json!("\u{0}\u{7}\u{1b}")),
        Refused,
    ));
    c.push(case(
        "escape sequences",
        with(&["gaps"], json!("\u{1b}[31mred\u{1b}[0m")),
        Accepted,
    ));

    // Markup, SQL, chat mentions, bidi overrides: stored as inert text.
    for text in [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "\"><svg/onload=alert(1)>",
        "javascript:alert(1)",
        "'; DROP TABLE responses; --",
        "1' OR '1'='1",
        "\" OR 1=1 --",
        "<!channel> <!here> @everyone @here <@U123> <users/all>",
        "[click](https://evil.example) **bold**",
        "=HYPERLINK(\"https://evil.example\")",
        "\u{202e}txt.exe\u{202c} evil",
        "\u{2066}isolate\u{2069}",
        "{{7*7}} ${7*7} <%= 7*7 %>",
        "../../etc/passwd",
        "%00%0d%0a",
    ] {
        c.push(case(
            format!("gaps {text:?}"),
            with(&["gaps"], json!(text)),
            Accepted,
        ));
        c.push(case(
            format!("transaction {text:?}"),
            with(&["context", "transaction"], json!(text)),
            Accepted,
        ));
        c.push(case(
            format!("name {text:?}"),
            with(&["contact", "name"], json!(text)),
            Accepted,
        ));
    }
    for site in [
        "demo'; --",
        "demo\" OR 1=1",
        "../demo",
        "<demo>",
        "DEMO",
        "nope",
    ] {
        c.push(case(
            format!("site {site:?}"),
            with(&["site"], json!(site)),
            Refused,
        ));
    }

    // Contact rules.
    for email in [
        "ana",
        "ana@",
        "@example.com",
        "ana@example",
        "a b@example.com",
        "ana@exa mple.com",
        "<ana@example.com>",
    ] {
        c.push(case(
            format!("email {email:?}"),
            with(&["contact", "email"], json!(email)),
            Refused,
        ));
    }
    for phone in [
        "12",
        "call me",
        "+44 20 7946 0000 ext 5",
        "1234567890123456789012",
        "☎ 123456",
    ] {
        c.push(case(
            format!("phone {phone:?}"),
            with(&["contact", "phone"], json!(phone)),
            Refused,
        ));
    }
    c.push(case(
        "callback without a way to call",
        with(&["contact", "callback"], json!(true)),
        Refused,
    ));

    // Pages: another scheme, another origin, a huge URL.
    for page in [
        "javascript:alert(1)",
        "data:text/html,x",
        "https://evil.example.net/",
        "ftp://127.0.0.1/",
        "not a url",
    ] {
        c.push(case(
            format!("page {page:?}"),
            with(&["context", "page"], json!(page)),
            Refused,
        ));
    }
    c.push(case(
        "page too long",
        with(
            &["context", "page"],
            json!(format!("http://127.0.0.1/{}", "a".repeat(3000))),
        ),
        Refused,
    ));
    c.push(case(
        "page on the site",
        with(
            &["context", "page"],
            json!("http://127.0.0.1:8000/order/1?x=<y>"),
        ),
        Accepted,
    ));

    // Sizes: just over 4000 characters, just over 16 KiB, 1 MiB.
    c.push(case(
        "gaps 4001 chars",
        with(&["gaps"], json!("x".repeat(4001))),
        Refused,
    ));
    c.push(case(
        "gaps 4000 chars",
        with(&["gaps"], json!("é".repeat(4000))),
        Accepted,
    ));
    c.push(case(
        "17 KiB body",
        with(&["hp"], json!(" ".repeat(17 * 1024))),
        Refused,
    ));
    c.push(case(
        "1 MiB body",
        with(&["gaps"], json!("x".repeat(1 << 20))),
        Refused,
    ));
    c.push(case("1 MiB of whitespace", " ".repeat(1 << 20), Refused));

    // Media types other than JSON.
    for ctype in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/jsonp",
        "application/json-patch+json",
    ] {
        let mut entry = case(
            format!("content-type {ctype}"),
            with(&[], Value::Null),
            Refused,
        );
        entry.body = serde_json::to_vec(&valid()).unwrap();
        entry.content_type = ctype;
        c.push(entry);
    }
    c
}

fn assert_shape(status: u16, body: &Value, what: &str) {
    assert!(status < 500, "{what}: got {status} {body}");
    if status >= 400 {
        let code = body["error"]["code"].as_str().unwrap_or_default();
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(
            !code.is_empty() && !message.is_empty(),
            "{what}: error shape {body}"
        );
    } else {
        assert!(
            body["id"].is_string() && body["tier"].is_string() && body["next"].is_string(),
            "{what}: reply shape {body}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_corpus_gets_4xx_or_clean_2xx_and_stores_exactly_the_accepted() {
    let stack = Stack::start("ingest-corpus");
    let client = reqwest::Client::new();
    let url = stack.worker.url("/v1/responses");
    let corpus = corpus();
    assert!(corpus.len() >= 200, "corpus has {} cases", corpus.len());
    let mut accepted = BTreeSet::new();
    for entry in &corpus {
        let resp = client
            .post(&url)
            .header("content-type", entry.content_type)
            .body(entry.body.clone())
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        assert_shape(status, &body, &entry.what);
        match entry.expect {
            Expect::Refused => assert!(
                (400..500).contains(&status),
                "{}: expected 4xx, got {status} {body}",
                entry.what
            ),
            Expect::Accepted => {
                assert_eq!(status, 201, "{}: {body}", entry.what);
                accepted.insert(body["id"].as_str().unwrap().to_owned());
            }
        }
    }
    raw_http_tricks(&stack);

    let rows = stack.rows("SELECT id, gaps, contact_name, transaction_ref FROM responses");
    let stored: BTreeSet<String> = rows
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        stored, accepted,
        "the database holds exactly the accepted answers"
    );
    for r in &rows {
        for field in ["gaps", "contact_name", "transaction_ref"] {
            let text = r[field].as_str().unwrap_or_default();
            assert!(
                !text
                    .chars()
                    .any(|ch| (ch.is_control() && ch != '\n' && ch != '\t')
                        || ('\u{202a}'..='\u{202e}').contains(&ch)
                        || ('\u{2066}'..='\u{2069}').contains(&ch)),
                "{field} stored with control or bidi characters: {text:?}"
            );
        }
    }
    // Markup is kept as the customer wrote it (escaping is the renderer's
    // job, per output format), never executed or dropped silently.
    assert!(rows
        .iter()
        .any(|r| r["gaps"] == "<script>alert(1)</script>"));
    assert!(
        rows.iter().any(|r| r["gaps"] == "txt.exe evil"),
        "bidi overrides stripped"
    );
    println!(
        "corpus: {} cases, {} accepted",
        corpus.len(),
        accepted.len()
    );
}

/// Raw HTTP a client library will not send: a `Content-Length` smaller than
/// the body, a huge one, and a chunked body with no length at all.
fn raw_http_tricks(stack: &Stack) {
    let big = format!(
        "{{\"site\":\"demo\",\"id\":\"{}\",\"gaps\":\"{}\"}}",
        id(),
        "x".repeat(1 << 20)
    );
    let small = serde_json::to_string(&valid()).unwrap();
    let cases: [(&str, String, &[u16]); 3] = [
        (
            "Content-Length smaller than the body",
            format!("Content-Length: 20\r\n\r\n{big}"),
            &[400],
        ),
        // A length larger than the bytes that follow cannot be answered by
        // any HTTP server before the client gives up (wrangler's local proxy
        // waits for the body), so the large claim is sent in full: refused
        // on the header alone, before the body is read.
        (
            "Content-Length of 5 MB",
            format!(
                "Content-Length: {}\r\n\r\n{small}{}",
                small.len() + 5_000_000,
                " ".repeat(5_000_000)
            ),
            &[413],
        ),
        (
            "chunked 1 MiB with no Content-Length",
            format!(
                "Transfer-Encoding: chunked\r\n\r\n{:x}\r\n{big}\r\n0\r\n\r\n",
                big.len()
            ),
            &[413],
        ),
    ];
    for (what, rest, allowed) in cases {
        let head = format!(
            "POST /v1/responses HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nConnection: close\r\n{rest}"
        );
        // When the Worker answers 413 without reading a streamed body to its
        // end, wrangler's local proxy sometimes fails to drain the rest and
        // replaces the answer with its plain-text "restarted mid-request"
        // 503 (Cloudflare's edge does not). Try again, as a client would; the
        // Worker's own answer must still be one of `allowed`.
        let mut attempts = 0;
        let (status, text) = loop {
            let (status, text) = raw_post(stack.worker.port, &head, what);
            attempts += 1;
            if status == 503 && text.contains("restarted mid-request") && attempts < 5 {
                continue;
            }
            break (status, text);
        };
        assert!(allowed.contains(&status), "{what}: got {status}: {text}");
    }
}

/// Sends `head` (request line, headers and body) on a fresh connection and
/// returns the status and the whole answer.
fn raw_post(port: u16, head: &str, what: &str) -> (u16, String) {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    // The server may answer and close before reading everything. The write
    // side stays open: a client that promised more bytes is still sending,
    // as far as the server knows.
    let _ = stream.write_all(head.as_bytes());
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status: u16 = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{what}: no status in {text:?}"));
    (status, text)
}

/// Defect: workerd hands a POST with neither `Content-Length` nor
/// `Transfer-Encoding` to the Worker with a null body, and reading it failed
/// inside the Worker: a 500 on every form and JSON post. wrangler's local
/// proxy supplies an empty body instead, so the requests go to workerd's own
/// entry port as well as through the proxy. Every one must be a 4xx in its
/// route's error shape (JSON, or a page), and change nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_with_no_body_at_all_is_a_4xx_on_every_route() {
    let stack = Stack::start("no-body");
    let direct = stack
        .worker
        .workerd_port()
        .expect("workerd's own entry port, behind wrangler's proxy");
    let case = {
        let late = scored("The parcel came late.", 1);
        let (status, _, _) = stack.api().send(&late).await;
        assert_eq!(status, 201);
        late.id
    };
    let token = crate::support::ack_token("demo", &case);
    let bearer = format!("Authorization: Bearer {}\r\n", crate::support::ADMIN_TOKEN);
    let json = "application/json";
    let form = "application/x-www-form-urlencoded";
    let routes: [(&str, String, &str, String, bool); 5] = [
        ("POST", "/v1/responses".into(), json, String::new(), true),
        (
            "POST",
            format!("/v1/admin/cases/{case}/events"),
            json,
            bearer.clone(),
            true,
        ),
        ("PUT", "/v1/admin/sites/nobody".into(), json, bearer, true),
        (
            "POST",
            "/dashboard/login".into(),
            form,
            "Sec-Fetch-Site: same-origin\r\n".into(),
            false,
        ),
        (
            "POST",
            format!("/ack/{token}"),
            form,
            "Sec-Fetch-Site: same-origin\r\n".into(),
            false,
        ),
    ];
    for port in [direct, stack.worker.port] {
        for (method, path, ctype, extra, is_json) in &routes {
            let what = format!("{method} {path} with no body on port {port}");
            let head = format!(
                "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: {ctype}\r\n\
                 {extra}Connection: close\r\n\r\n"
            );
            let (status, text) = raw_post(port, &head, &what);
            assert!((400..500).contains(&status), "{what}: got {status}: {text}");
            let body = text.split_once("\r\n\r\n").map_or("", |(_, b)| b);
            if *is_json {
                let start = body.find('{').unwrap_or(0);
                let end = body.rfind('}').map_or(body.len(), |e| e + 1);
                let parsed: Value = serde_json::from_str(&body[start..end]).unwrap_or(Value::Null);
                assert_shape(status, &parsed, &what);
            } else {
                assert!(
                    text.contains("text/html") && body.contains("</html>"),
                    "{what}: {text}"
                );
            }
        }
    }
    // Nothing changed: the case is still open, no site was made.
    let state = stack.rows(&format!("SELECT state FROM cases WHERE id = '{case}'"));
    assert_eq!(state[0]["state"], "open");
    assert!(stack
        .rows("SELECT key FROM sites WHERE key = 'nobody'")
        .is_empty());
}
