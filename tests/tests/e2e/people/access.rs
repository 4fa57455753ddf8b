//! Cloudflare Access, tested with a local key server and tokens we sign
//! ourselves: the Worker fetches the keys from
//! `{ACCESS_TEAM_DOMAIN}/cdn-cgi/access/certs`, verifies the signature with
//! WebCrypto and checks `aud`, `iss` and `exp`. A good token for an
//! account starts a session; every bad one is refused; an address with no
//! account gets a page saying to ask an owner.

use crate::support::dashboard::get;
use crate::support::Stack;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine as _;
use reqwest::header::{LOCATION, SET_COOKIE};
use rsa::pkcs1v15::SigningKey;
use rsa::signature::{SignatureEncoding, Signer};
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use serde_json::{json, Value};
use tests::receiver::{Answer, Options, Receiver};

const AUD: &str = "candor-e2e-access-aud";

fn key() -> RsaPrivateKey {
    RsaPrivateKey::new(&mut rand_core::OsRng, 2048).expect("an RSA key")
}

/// The certs document Cloudflare publishes, with `keys` as (kid, key).
fn certs(keys: &[(&str, &RsaPrivateKey)]) -> String {
    let keys: Vec<Value> = keys
        .iter()
        .map(|(kid, k)| {
            json!({"kid": kid, "kty": "RSA", "alg": "RS256", "use": "sig",
                "n": B64.encode(k.n().to_bytes_be()), "e": B64.encode(k.e().to_bytes_be())})
        })
        .collect();
    json!({"keys": keys, "public_cert": {"kid": "x", "cert": "-----BEGIN CERTIFICATE-----"},
        "public_certs": []})
    .to_string()
}

/// A compact JWS of `header` and `claims`, signed RS256 by `key` (or with
/// no signature at all).
fn token(header: &Value, claims: &Value, key: Option<&RsaPrivateKey>) -> String {
    let input = format!(
        "{}.{}",
        B64.encode(header.to_string()),
        B64.encode(claims.to_string())
    );
    let signature = key.map_or_else(Vec::new, |k| {
        SigningKey::<rsa::sha2::Sha256>::new(k.clone())
            .sign(input.as_bytes())
            .to_vec()
    });
    format!("{input}.{}", B64.encode(signature))
}

async fn open_with(stack: &Stack, jwt: &str) -> (u16, reqwest::header::HeaderMap, String) {
    let resp = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(stack.worker.url("/dashboard"))
        .header("cf-access-jwt-assertion", jwt)
        .send()
        .await
        .unwrap();
    let (status, headers) = (resp.status().as_u16(), resp.headers().clone());
    (status, headers, resp.text().await.unwrap())
}

/// A key server on 127.0.0.1 publishing `document` where Access does.
fn key_server(document: String) -> Receiver {
    Receiver::start(Options {
        responder: Box::new(move |r, _| Answer {
            status: if r.path == "/cdn-cgi/access/certs" {
                200
            } else {
                404
            },
            headers: vec![("content-type".into(), "application/json".into())],
            body: document.clone(),
            ..Answer::default()
        }),
        ..Options::default()
    })
    .unwrap()
}

/// Every kind of bad token, named: wrong claims signed by our key, our
/// claims signed wrongly, and junk.
fn bad_tokens(
    claims: &dyn Fn(&str) -> Value,
    ours: &RsaPrivateKey,
    other: &RsaPrivateKey,
    now: i64,
) -> Vec<(&'static str, String)> {
    let rs256 = json!({"alg": "RS256", "kid": "kid-1", "typ": "JWT"});
    let owner = || claims("owner@example.com");
    let with = |k: &str, v: Value| {
        let mut c = owner();
        c[k] = v;
        c
    };
    vec![
        (
            "expired",
            token(&rs256, &with("exp", json!(now - 120)), Some(ours)),
        ),
        (
            "wrong audience",
            token(
                &rs256,
                &with("aud", json!(["someone-elses-app"])),
                Some(ours),
            ),
        ),
        (
            "wrong issuer",
            token(
                &rs256,
                &with("iss", json!("https://evil.cloudflareaccess.com")),
                Some(ours),
            ),
        ),
        ("wrong key", token(&rs256, &owner(), Some(other))),
        (
            "alg none",
            token(&json!({"alg": "none", "kid": "kid-1"}), &owner(), None),
        ),
        (
            "alg HS256",
            token(
                &json!({"alg": "HS256", "kid": "kid-1"}),
                &owner(),
                Some(ours),
            ),
        ),
        (
            "unknown key id",
            token(
                &json!({"alg": "RS256", "kid": "kid-9"}),
                &owner(),
                Some(ours),
            ),
        ),
        ("not a token", "not.a.token".to_owned()),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_tokens_are_verified_and_bad_ones_refused() {
    let (ours, other) = (key(), key());
    let keys = key_server(certs(&[("kid-1", &ours)]));
    let team = keys.url("");
    let stack = Stack::start_full(
        "people-access",
        Options::default(),
        vec![
            ("ACCESS_TEAM_DOMAIN".into(), team.clone()),
            ("ACCESS_AUD".into(), AUD.into()),
        ],
    );
    let now = crate::support::now_s();
    let claims = |email: &str| {
        json!({"aud": [AUD], "iss": team, "email": email,
        "exp": now + 600, "iat": now, "nbf": now, "sub": "u1", "type": "app"})
    };
    let rs256 = json!({"alg": "RS256", "kid": "kid-1", "typ": "JWT"});

    let good = token(&rs256, &claims("Owner@example.com"), Some(&ours));
    let (status, headers, _) = open_with(&stack, &good).await;
    assert_eq!(status, 303, "a good token starts a session");
    assert_eq!(headers[LOCATION], "/dashboard");
    let cookie = headers[SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let (status, _, page) = get(&stack, "/dashboard", Some(&cookie)).await;
    assert_eq!(status, 200);
    assert!(page.contains("Dev Owner"));

    let refused = bad_tokens(&claims, &ours, &other, now);
    for (what, jwt) in &refused {
        let (status, headers, page) = open_with(&stack, jwt).await;
        assert_eq!(status, 403, "{what}: {page}");
        assert!(headers.get(SET_COOKIE).is_none(), "{what}");
        assert!(page.contains("was refused"), "{what}: {page}");
    }

    let stranger = token(&rs256, &claims("stranger@example.com"), Some(&ours));
    let (status, _, page) = open_with(&stack, &stranger).await;
    assert_eq!(status, 403);
    assert!(page.contains("No Candor account") && page.contains("Ask an owner"));

    let (status, headers, _) = get(&stack, "/dashboard", None).await;
    assert_eq!(status, 303, "without a token, the mailed link is the door");
    assert!(headers[LOCATION]
        .to_str()
        .unwrap()
        .starts_with("/dashboard/login"));

    // Refusals are logged by reason; the wrong key fails WebCrypto.
    stack.wait_for_log("Access token refused: expired").await;
    let log = stack
        .wait_for_log("Access token refused: bad_signature")
        .await;
    for (_, jwt) in &refused[..7] {
        let signature = jwt.rsplit('.').next().unwrap();
        assert!(
            signature.is_empty() || !log.contains(signature),
            "a token is in the log"
        );
    }
}
