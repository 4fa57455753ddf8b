//! Cloudflare Access, the second door into the dashboard. When
//! `ACCESS_TEAM_DOMAIN` and `ACCESS_AUD` are set, a request carrying
//! `Cf-Access-Jwt-Assertion` is checked here: `domain::access` parses the
//! token and checks its claims; the RSA signature is verified with the
//! runtime's WebCrypto against the team's published keys (fetched from
//! `…/cdn-cgi/access/certs`, kept for ten minutes, fetched again once when
//! a token names a key we do not have: Access rotates its keys).
//!
//! A refused token is logged by reason code only, never the token.

use crate::error::{EdgeError, EdgeResult};
use crate::{auth, clock};
use domain::access::{self, AccessConfig, AccessRefusal, Jwk, Jwks};
use domain::fields::Email;
use js_sys::{Array, Object, Reflect, Uint8Array};
use std::cell::RefCell;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use worker::{Env, Fetch, Request};

/// How long fetched keys are trusted before they are fetched again.
const KEYS_FRESH_MS: i64 = 10 * 60_000;

thread_local! {
    /// The team's keys as last fetched, with when: one isolate serves many
    /// requests, and each need not fetch them again.
    static KEYS: RefCell<Option<(String, i64, Jwks)>> = const { RefCell::new(None) };
}

/// The configuration, when both variables are set. A malformed one is an
/// operator's mistake: logged, and the door stays shut.
pub fn config(env: &Env) -> Option<AccessConfig> {
    let var = |n: &str| {
        env.var(n)
            .ok()
            .map(|v| v.to_string())
            .filter(|v| !v.is_empty())
    };
    let (team, aud) = (var("ACCESS_TEAM_DOMAIN")?, var("ACCESS_AUD")?);
    match AccessConfig::new(&team, &aud, auth::allow_loopback(env)) {
        Ok(c) => Some(c),
        Err(e) => {
            worker::console_error!("Cloudflare Access is misconfigured: {e}");
            None
        }
    }
}

/// The address an Access token vouches for: `Ok(None)` when Access is off
/// or the request carries no token; `Err` with the reason when the token
/// is refused.
pub async fn identity(
    req: &Request,
    env: &Env,
) -> EdgeResult<Option<Result<Email, AccessRefusal>>> {
    let Some(config) = config(env) else {
        return Ok(None);
    };
    let Some(token) = req.headers().get("cf-access-jwt-assertion")? else {
        return Ok(None);
    };
    let verified = verify(&config, &token).await?;
    if let Err(why) = &verified {
        worker::console_warn!("Access token refused: {}", why.code());
    }
    Ok(Some(verified))
}

async fn verify(config: &AccessConfig, token: &str) -> EdgeResult<Result<Email, AccessRefusal>> {
    let unverified = match access::parse(token) {
        Ok(u) => u,
        Err(why) => return Ok(Err(why)),
    };
    let Some(key) = key(config, unverified.kid()).await? else {
        return Ok(Err(AccessRefusal::UnknownKey));
    };
    if !rsa_verify(
        &key,
        unverified.signing_input().as_bytes(),
        unverified.signature(),
    )
    .await?
    {
        return Ok(Err(AccessRefusal::BadSignature));
    }
    Ok(unverified.claims(config, clock::now()).map(|id| id.email))
}

/// The key `kid` of the team: from the cache while fresh, else fetched.
async fn key(config: &AccessConfig, kid: &str) -> EdgeResult<Option<Jwk>> {
    let url = config.certs_url();
    let now = clock::now().millis();
    let cached = KEYS.with(|k| {
        k.borrow().as_ref().and_then(|(u, at, keys)| {
            (u == &url && now - at < KEYS_FRESH_MS).then(|| keys.key(kid).cloned())
        })
    });
    if let Some(Some(key)) = cached {
        return Ok(Some(key));
    }
    let keys = fetch_keys(&url).await?;
    let found = keys.key(kid).cloned();
    KEYS.with(|k| *k.borrow_mut() = Some((url, now, keys)));
    Ok(found)
}

async fn fetch_keys(url: &str) -> EdgeResult<Jwks> {
    let mut resp = Fetch::Url(
        url.parse()
            .map_err(|_| EdgeError::Internal("bad certs URL".into()))?,
    )
    .send()
    .await?;
    if resp.status_code() != 200 {
        return Err(EdgeError::Internal(format!(
            "Access keys: {} from {url}",
            resp.status_code()
        )));
    }
    let body = resp.text().await?;
    Jwks::parse(&body).map_err(|e| EdgeError::Internal(format!("Access keys: {}", e.code())))
}

#[allow(clippy::needless_pass_by_value)] // the shape `map_err` hands over
fn js(e: JsValue) -> EdgeError {
    EdgeError::Internal(format!("WebCrypto: {e:?}"))
}

/// RSASSA-PKCS1-v1_5 with SHA-256 over `data`, by the runtime's WebCrypto.
async fn rsa_verify(key: &Jwk, data: &[u8], signature: &[u8]) -> EdgeResult<bool> {
    let crypto = Reflect::get(&js_sys::global(), &"crypto".into()).map_err(js)?;
    let subtle = Reflect::get(&crypto, &"subtle".into()).map_err(js)?;
    let call = |name: &str, args: &Array| -> EdgeResult<js_sys::Promise> {
        let f: js_sys::Function = Reflect::get(&subtle, &name.into())
            .map_err(js)?
            .dyn_into()
            .map_err(js)?;
        f.apply(&subtle, args).map_err(js)?.dyn_into().map_err(js)
    };
    let jwk = Object::new();
    for (k, v) in [
        ("kty", "RSA"),
        ("n", key.n()),
        ("e", key.e()),
        ("alg", "RS256"),
    ] {
        Reflect::set(&jwk, &k.into(), &v.into()).map_err(js)?;
    }
    let algorithm = Object::new();
    Reflect::set(&algorithm, &"name".into(), &"RSASSA-PKCS1-v1_5".into()).map_err(js)?;
    Reflect::set(&algorithm, &"hash".into(), &"SHA-256".into()).map_err(js)?;
    let usages = Array::of1(&"verify".into());
    let import = Array::of5(&"jwk".into(), &jwk, &algorithm, &false.into(), &usages);
    let imported = JsFuture::from(call("importKey", &import)?)
        .await
        .map_err(js)?;
    let args = Array::of4(
        &algorithm,
        &imported,
        &Uint8Array::from(signature),
        &Uint8Array::from(data),
    );
    let ok = JsFuture::from(call("verify", &args)?).await.map_err(js)?;
    Ok(ok.as_bool().unwrap_or(false))
}
