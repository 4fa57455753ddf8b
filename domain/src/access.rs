//! Cloudflare Access sign-in: every check of the `Cf-Access-Jwt-Assertion`
//! token except the RSA signature itself.
//!
//! Why the split: verifying RS256 needs big-number arithmetic, which this
//! crate has no dependency for and the Worker should not carry in its wasm
//! either, while the Worker's runtime already has it natively (WebCrypto's
//! `RSASSA-PKCS1-v1_5` with SHA-256). Everything else a token must pass —
//! its shape, its algorithm, which key signed it, its issuer, audience,
//! lifetime and email — is a product rule, so it lives here and is tested
//! natively. The Worker's sequence is:
//!
//! 1. `AccessConfig::new(team_domain, aud, allow_loopback)` once, from its
//!    settings;
//! 2. [`parse`] the header value into an [`Unverified`] token;
//! 3. [`Jwks::key`] for the token's [`kid`](Unverified::kid), from the
//!    [`certs_url`](AccessConfig::certs_url) document it caches (`None`:
//!    refetch once, Cloudflare rotates keys; still `None`:
//!    [`AccessRefusal::UnknownKey`]);
//! 4. verify [`signature`](Unverified::signature) over
//!    [`signing_input`](Unverified::signing_input) with that key (`false`:
//!    [`AccessRefusal::BadSignature`]);
//! 5. only then [`Unverified::claims`], which yields the [`AccessIdentity`].
//!
//! A refusal says why (for the Worker's log) but never repeats the token or
//! any part of it: a token is a bearer credential, and logs are not secret.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine as _;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde::Deserialize;
use serde_json::Value;
use std::net::Ipv4Addr;
use thiserror::Error;

use crate::fields::Email;
use crate::{DomainError, Timestamp};

/// The only signing algorithm accepted: the one Cloudflare Access uses.
/// Anything else (`none`, `HS256` with the public key as the secret, a
/// different case) is the classic way to forge a JWT.
pub const ALG: &str = "RS256";

/// How far the Worker's clock and Cloudflare's may disagree, in seconds:
/// a token is still accepted this long after its `exp`, and its `nbf` and
/// `iat` may lie this far in the future. A minute absorbs ordinary skew;
/// more would let a token outlive the session Access meant to grant.
pub const LEEWAY_SECONDS: i64 = 60;

/// The largest token considered. Access tokens are one to two KiB; the cap
/// bounds the work an anonymous request can cause before any signature check.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// The largest key-set document considered. Cloudflare's, with its
/// certificates, is a few KiB.
pub const MAX_JWKS_BYTES: usize = 64 * 1024;

/// The most entries a key set may list. Cloudflare publishes two (the
/// current key and the previous one, during rotation).
pub const MAX_KEYS: usize = 16;

/// Key ids and the audience tag are short identifiers; the cap keeps a
/// hostile value from being large.
const MAX_ID_BYTES: usize = 256;

/// RSA moduli accepted, in bytes: 2048 to 4096 bits. Smaller keys are
/// breakable; larger ones are not what Access publishes and cost CPU.
const MODULUS_BYTES: std::ops::RangeInclusive<usize> = 256..=512;

/// Why a token (or the key set it is checked against) was refused. Each
/// message names the reason only, never the token's content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum AccessRefusal {
    /// Not a compact JWS of the expected shape, or a claim of the wrong type.
    #[error("the access token is malformed: {0}")]
    Malformed(&'static str),
    /// The header's `alg` is not exactly `RS256`.
    #[error("the access token is not signed with RS256")]
    BadAlgorithm,
    /// The key set holds no key with the token's `kid`.
    #[error("the access token is signed with a key the key set does not hold")]
    UnknownKey,
    /// WebCrypto said the signature does not verify (the Worker's verdict).
    #[error("the access token's signature does not verify")]
    BadSignature,
    /// `iss` is not the configured team domain's origin.
    #[error("the access token was issued by another team domain")]
    WrongIssuer,
    /// `aud` does not contain the configured application audience.
    #[error("the access token is for another application")]
    WrongAudience,
    /// `exp` is past, beyond the leeway.
    #[error("the access token has expired")]
    Expired,
    /// `nbf` or `iat` is in the future, beyond the leeway.
    #[error("the access token is not valid yet")]
    NotYetValid,
    /// No `email` claim, or one that is not an email address (a service
    /// token's, for instance: those name a client id, not a person).
    #[error("the access token carries no valid email")]
    NoEmail,
    /// The key set document itself is unusable.
    #[error("the access key set is unusable: {0}")]
    KeySet(&'static str),
}

impl AccessRefusal {
    /// A stable snake_case code for structured logs, e.g. `wrong_audience`.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Malformed(_) => "malformed",
            Self::BadAlgorithm => "bad_algorithm",
            Self::UnknownKey => "unknown_key",
            Self::BadSignature => "bad_signature",
            Self::WrongIssuer => "wrong_issuer",
            Self::WrongAudience => "wrong_audience",
            Self::Expired => "expired",
            Self::NotYetValid => "not_yet_valid",
            Self::NoEmail => "no_email",
            Self::KeySet(_) => "key_set",
        }
    }
}

/// Which Access team and application a token must come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessConfig {
    /// The team domain's origin, e.g. `https://candor.cloudflareaccess.com`:
    /// exactly the `iss` Access writes.
    issuer: String,
    /// The application's audience tag.
    aud: String,
}

impl AccessConfig {
    /// `team_domain` is `candor.cloudflareaccess.com`, optionally written
    /// `https://candor.cloudflareaccess.com/`; it is lowercased and reduced
    /// to its origin. A path, query, fragment, credentials, port, IP address
    /// or plain `http` is refused — except, when `allow_loopback` (the dev
    /// flag) is set, `http://127.0.0.1:PORT` or `http://localhost:PORT`, so
    /// tests can serve keys locally; the issuer is then that origin.
    pub fn new(team_domain: &str, aud: &str, allow_loopback: bool) -> Result<Self, DomainError> {
        Ok(Self {
            issuer: issuer_origin(team_domain, allow_loopback)?,
            aud: checked_aud(aud)?,
        })
    }

    /// The `iss` a token must carry.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The audience tag a token's `aud` must contain.
    pub fn aud(&self) -> &str {
        &self.aud
    }

    /// Where the team's signing keys are published (see [`Jwks::parse`]).
    pub fn certs_url(&self) -> String {
        format!("{}/cdn-cgi/access/certs", self.issuer)
    }
}

fn issuer_origin(raw: &str, allow_loopback: bool) -> Result<String, DomainError> {
    let err = |why: &'static str| DomainError::invalid("access_team_domain", why);
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(err("is empty"));
    }
    // The URL parser silently drops tabs and newlines inside its input:
    // refuse them rather than accept a spelling nobody meant.
    if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(err("must not contain spaces or control characters"));
    }
    let with_scheme = if raw.contains("://") {
        raw.to_owned()
    } else {
        format!("https://{raw}")
    };
    let url = url::Url::parse(&with_scheme)
        .map_err(|_| err(crate::ascii_hosts::why_unparsed(raw, "is not a host name")))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(err("must not carry credentials"));
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(err(
            "must be a bare host, without a path, query or fragment",
        ));
    }
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip == Ipv4Addr::LOCALHOST,
        Some(url::Host::Domain(name)) => name == "localhost",
        _ => false,
    };
    match url.scheme() {
        "http" if allow_loopback && loopback => return Ok(url.origin().ascii_serialization()),
        "https" => {}
        _ => return Err(err("must be https")),
    }
    let Some(url::Host::Domain(name)) = url.host() else {
        return Err(err("must name a host, not an IP address"));
    };
    if loopback || !name.contains('.') || name.split('.').any(str::is_empty) {
        return Err(err(
            "must be a public host like <team>.cloudflareaccess.com",
        ));
    }
    // `:443` is already gone (the parser drops a scheme's default port);
    // any other port would make an issuer Access never writes.
    if url.port().is_some() {
        return Err(err("must use the standard https port"));
    }
    Ok(format!("https://{name}"))
}

fn checked_aud(raw: &str) -> Result<String, DomainError> {
    let aud = raw.trim();
    if aud.is_empty() || aud.len() > MAX_ID_BYTES || !aud.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(DomainError::invalid(
            "access_aud",
            "must be the application's audience tag (printable ASCII, no spaces)",
        ));
    }
    Ok(aud.to_owned())
}

/// One RSA signing key, as the Worker imports it into WebCrypto
/// (`{kty: "RSA", n, e, alg: "RS256"}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jwk {
    kid: String,
    n: String,
    e: String,
}

impl Jwk {
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The modulus, base64url without padding, as the document gave it.
    pub fn n(&self) -> &str {
        &self.n
    }

    /// The public exponent, base64url without padding (usually `AQAB`).
    pub fn e(&self) -> &str {
        &self.e
    }
}

/// The usable keys of a team's certs document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jwks {
    keys: Vec<Jwk>,
}

#[derive(Deserialize)]
struct KeySetDocument {
    // `public_cert` and `public_certs` repeat the keys as PEM certificates;
    // the JWK form is the one WebCrypto imports, so the rest is ignored.
    keys: Vec<Value>,
}

impl Jwks {
    /// The keys of the document at [`AccessConfig::certs_url`]. Entries that
    /// are not RS256 signing keys of a sane size are skipped (a set may
    /// carry other kinds); if a `kid` repeats, the first entry wins. A set
    /// with no usable key is refused, since it could verify nothing.
    pub fn parse(body: &str) -> Result<Self, AccessRefusal> {
        if body.len() > MAX_JWKS_BYTES {
            return Err(AccessRefusal::KeySet("the document is too large"));
        }
        let doc: KeySetDocument = json_object(body.as_bytes())
            .ok_or(AccessRefusal::KeySet("not a JSON object with a keys array"))?;
        if doc.keys.len() > MAX_KEYS {
            return Err(AccessRefusal::KeySet("too many keys"));
        }
        let mut keys: Vec<Jwk> = Vec::with_capacity(doc.keys.len());
        for jwk in doc.keys.iter().filter_map(usable_key) {
            if !keys.iter().any(|k| k.kid == jwk.kid) {
                keys.push(jwk);
            }
        }
        if keys.is_empty() {
            return Err(AccessRefusal::KeySet("no usable RS256 signing key"));
        }
        Ok(Self { keys })
    }

    /// The key a token names, if the set holds it.
    pub fn key(&self, kid: &str) -> Option<&Jwk> {
        self.keys.iter().find(|k| k.kid == kid)
    }

    /// The usable keys, in the document's order.
    pub fn keys(&self) -> &[Jwk] {
        &self.keys
    }
}

/// An entry of a key set as a [`Jwk`], if it is an RSA key for RS256
/// signatures: `use` and `alg`, when present, must say so.
fn usable_key(entry: &Value) -> Option<Jwk> {
    let text = |name: &str| entry.get(name).and_then(Value::as_str);
    let absent_or =
        |name: &str, wanted: &str| entry.get(name).is_none() || text(name) == Some(wanted);
    if text("kty") != Some("RSA") || !absent_or("use", "sig") || !absent_or("alg", ALG) {
        return None;
    }
    let kid = text("kid").filter(|k| valid_id(k))?;
    let (n, e) = (text("n")?, text("e")?);
    let modulus = B64.decode(n).ok()?;
    // A leading zero octet adds no bits; some encoders write one.
    let first = modulus.iter().position(|&b| b != 0)?;
    let exponent = B64.decode(e).ok()?;
    let exponent_ok = (1..=8).contains(&exponent.len()) && exponent.iter().any(|&b| b != 0);
    (MODULUS_BYTES.contains(&(modulus.len() - first)) && exponent_ok).then(|| Jwk {
        kid: kid.to_owned(),
        n: n.to_owned(),
        e: e.to_owned(),
    })
}

fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= MAX_ID_BYTES && id.bytes().all(|b| b.is_ascii_graphic())
}

/// `bytes` as `T`, only if they are a JSON object. Derived structs would
/// also take an array, matching fields by position; and they refuse a
/// repeated member, so two `aud`s cannot be read two ways.
fn json_object<T: DeserializeOwned>(bytes: &[u8]) -> Option<T> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace())?;
    if *first != b'{' {
        return None;
    }
    serde_json::from_slice(bytes).ok()
}

/// A token whose shape and header passed, and whose signature the Worker
/// has yet to verify. Its claims are only reachable through
/// [`claims`](Self::claims), to be called once the signature verified.
pub struct Unverified<'a> {
    signing_input: &'a str,
    kid: String,
    payload: Vec<u8>,
    signature: Vec<u8>,
}

/// By hand: the token is a credential, so nothing of it but the key id
/// (which names a public key) may reach a log through `{:?}`.
impl std::fmt::Debug for Unverified<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Unverified")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct Header {
    /// Any JSON, so that a non-string `alg` is a bad algorithm like any other.
    alg: Option<Value>,
    kid: Option<String>,
    /// RFC 7515 §4.1.11: extensions a verifier must understand. This one
    /// understands none.
    crit: Option<IgnoredAny>,
}

/// The `Cf-Access-Jwt-Assertion` header value as an [`Unverified`] token:
/// exactly three non-empty base64url parts (no padding), a JSON header with
/// `alg` exactly `RS256` and a `kid`, and a signature of an RSA size.
pub fn parse(token: &str) -> Result<Unverified<'_>, AccessRefusal> {
    use AccessRefusal::Malformed;
    if token.is_empty() {
        return Err(Malformed("it is empty"));
    }
    if token.len() > MAX_TOKEN_BYTES {
        return Err(Malformed("it is too large"));
    }
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Malformed("it is not three dot-separated parts"));
    };
    let header_bytes = B64
        .decode(header)
        .map_err(|_| Malformed("its header is not base64url"))?;
    let head: Header =
        json_object(&header_bytes).ok_or(Malformed("its header is not a JSON object"))?;
    if head.alg.as_ref().and_then(Value::as_str) != Some(ALG) {
        return Err(AccessRefusal::BadAlgorithm);
    }
    if head.crit.is_some() {
        return Err(Malformed("its header has critical extensions"));
    }
    let kid = head
        .kid
        .filter(|k| valid_id(k))
        .ok_or(Malformed("its header names no key id"))?;
    let payload_bytes = B64
        .decode(payload)
        .map_err(|_| Malformed("its payload is not base64url"))?;
    let signature = B64
        .decode(signature)
        .map_err(|_| Malformed("its signature is not base64url"))?;
    // An RS256 signature is exactly as long as the key's modulus.
    if !MODULUS_BYTES.contains(&signature.len()) {
        return Err(Malformed("its signature is not of an RSA key's size"));
    }
    Ok(Unverified {
        signing_input: &token[..header.len() + 1 + payload.len()],
        kid,
        payload: payload_bytes,
        signature,
    })
}

/// Who Access says is signing in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessIdentity {
    /// Lowercased, as account emails are stored.
    pub email: Email,
}

/// `aud` is a string or an array of strings (RFC 7519 §4.1.3).
#[derive(Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Audience {
    fn contains(&self, aud: &str) -> bool {
        match self {
            Self::One(one) => one == aud,
            Self::Many(many) => many.iter().any(|a| a == aud),
        }
    }
}

/// The claims checked. Times are whole seconds: Access writes integers,
/// and a fractional time is refused as malformed rather than rounded.
#[derive(Deserialize)]
struct Claims {
    iss: Option<String>,
    aud: Option<Audience>,
    exp: Option<i64>,
    nbf: Option<i64>,
    iat: Option<i64>,
    email: Option<String>,
}

impl<'a> Unverified<'a> {
    /// The header's key id, to pick the key from [`Jwks::key`].
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// `header.payload` as sent (ASCII): the bytes the signature covers.
    pub fn signing_input(&self) -> &'a str {
        self.signing_input
    }

    /// The signature, decoded.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// The signed-in identity. Call only after the Worker verified
    /// [`signature`](Self::signature) with the token's key: until then every
    /// claim is whatever the sender wrote.
    ///
    /// `iss` must equal the configured issuer and `aud` contain the
    /// configured audience, both exactly. `exp` is required, and the token is
    /// refused from `exp + LEEWAY_SECONDS` on; `nbf` and `iat`, when present,
    /// may not be more than [`LEEWAY_SECONDS`] ahead of `now`. `email` must
    /// be an email address, and is lowercased.
    pub fn claims(
        self,
        config: &AccessConfig,
        now: Timestamp,
    ) -> Result<AccessIdentity, AccessRefusal> {
        let claims: Claims = json_object(&self.payload).ok_or(AccessRefusal::Malformed(
            "its payload is not a JSON object of the expected claims",
        ))?;
        if claims.iss.as_deref() != Some(config.issuer()) {
            return Err(AccessRefusal::WrongIssuer);
        }
        if !claims.aud.is_some_and(|a| a.contains(config.aud())) {
            return Err(AccessRefusal::WrongAudience);
        }
        let exp = claims
            .exp
            .ok_or(AccessRefusal::Malformed("it has no expiry"))?;
        // Compared in milliseconds, so a token is not granted up to a second
        // more by rounding `now` down.
        let leeway = LEEWAY_SECONDS * 1000;
        let now = now.millis();
        if now >= exp.saturating_mul(1000).saturating_add(leeway) {
            return Err(AccessRefusal::Expired);
        }
        let future = |t: i64| t.saturating_mul(1000) > now.saturating_add(leeway);
        if claims.nbf.is_some_and(future) || claims.iat.is_some_and(future) {
            return Err(AccessRefusal::NotYetValid);
        }
        let email = claims
            .email
            .and_then(|raw| Email::try_from(raw.trim().to_lowercase().as_str()).ok())
            .ok_or(AccessRefusal::NoEmail)?;
        Ok(AccessIdentity { email })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    const TEAM: &str = "candor.cloudflareaccess.com";
    const ISS: &str = "https://candor.cloudflareaccess.com";
    const AUD: &str = "acdda6c650986365adf427bc990016397c81b6ec09cad3e015faa5376df43d28";
    const KID: &str = "32258efcdbc98aa4a803b71770de4e15c0dbef86c2a00a523d2bc5e2ddc6a073";
    const OTHER_KID: &str = "8ece3c525e4161ce8e91487b9c9f2397fa6c525e1669f4c092a23735353cb10a";
    /// 2026-12-05T08:00:00Z.
    const NOW_S: i64 = 1_796_457_600;

    fn now() -> Timestamp {
        Timestamp::from_millis(NOW_S * 1000)
    }

    fn config() -> AccessConfig {
        AccessConfig::new(TEAM, AUD, false).unwrap()
    }

    fn b64(bytes: &[u8]) -> String {
        B64.encode(bytes)
    }

    fn header() -> Value {
        json!({ "alg": "RS256", "kid": KID, "typ": "JWT" })
    }

    /// What Access puts in an application token for a person.
    fn claims() -> Value {
        json!({
            "aud": [AUD],
            "email": "Ana.Silva@Example.com",
            "exp": NOW_S + 3600,
            "iat": NOW_S - 20,
            "nbf": NOW_S - 20,
            "iss": ISS,
            "type": "app",
            "identity_nonce": "6ei69kawdKzMIAPF",
            "sub": "7335d417-61da-459d-899c-0a01c76a2f94",
            "country": "PT"
        })
    }

    fn token(header: &Value, claims: &Value) -> String {
        format!(
            "{}.{}.{}",
            b64(header.to_string().as_bytes()),
            b64(claims.to_string().as_bytes()),
            b64(&[0xA5; 256])
        )
    }

    fn check(claims: &Value) -> Result<AccessIdentity, AccessRefusal> {
        let t = token(&header(), claims);
        parse(&t)?.claims(&config(), now())
    }

    fn with(key: &str, value: Value) -> Value {
        let mut c = claims();
        c[key] = value;
        c
    }

    fn without(key: &str) -> Value {
        let mut c = claims();
        c.as_object_mut().unwrap().remove(key);
        c
    }

    fn parse_err(token: &str) -> AccessRefusal {
        parse(token).unwrap_err()
    }

    #[test]
    fn a_good_token_gives_the_lowercased_email() {
        let t = token(&header(), &claims());
        let unverified = parse(&t).unwrap();
        assert_eq!(unverified.kid(), KID);
        let (input, _) = t.rsplit_once('.').unwrap();
        assert_eq!(unverified.signing_input(), input);
        assert_eq!(unverified.signature(), [0xA5; 256]);
        let identity = unverified.claims(&config(), now()).unwrap();
        assert_eq!(identity.email.as_str(), "ana.silva@example.com");
    }

    #[test]
    fn expiry_allows_a_minute_of_skew_and_no_more() {
        assert_eq!(
            check(&with("exp", json!(NOW_S - 61))),
            Err(AccessRefusal::Expired)
        );
        assert_eq!(
            check(&with("exp", json!(NOW_S - 60))),
            Err(AccessRefusal::Expired)
        );
        assert!(check(&with("exp", json!(NOW_S - 59))).is_ok());
        assert_eq!(check(&with("exp", json!(0))), Err(AccessRefusal::Expired));
        assert_eq!(
            check(&with("exp", json!(i64::MIN))),
            Err(AccessRefusal::Expired)
        );
        assert!(check(&with("exp", json!(i64::MAX))).is_ok());
    }

    #[test]
    fn expiry_must_be_a_whole_number_that_is_there() {
        let malformed = |c: &Value| matches!(check(c), Err(AccessRefusal::Malformed(_)));
        assert!(malformed(&without("exp")));
        assert!(malformed(&with("exp", Value::Null)));
        assert!(malformed(&with("exp", json!(1.8e9))));
        assert!(malformed(&with("exp", json!("1796461200"))));
    }

    #[test]
    fn not_before_and_issued_at_may_not_be_in_the_future() {
        for claim in ["nbf", "iat"] {
            let future = check(&with(claim, json!(NOW_S + 61)));
            assert_eq!(future, Err(AccessRefusal::NotYetValid), "{claim}");
            assert!(check(&with(claim, json!(NOW_S + 60))).is_ok(), "{claim}");
            assert!(check(&without(claim)).is_ok(), "{claim} is optional");
        }
    }

    #[test]
    fn the_audience_must_contain_ours_exactly() {
        let wrong = Err(AccessRefusal::WrongAudience);
        assert!(check(&with("aud", json!(AUD))).is_ok());
        assert!(check(&with("aud", json!(["other", AUD]))).is_ok());
        assert_eq!(check(&with("aud", json!("other"))), wrong);
        assert_eq!(check(&with("aud", json!(["other", "another"]))), wrong);
        assert_eq!(check(&with("aud", json!([]))), wrong);
        assert_eq!(check(&with("aud", json!(AUD.to_uppercase()))), wrong);
        assert_eq!(check(&with("aud", json!(format!("{AUD} ")))), wrong);
        assert_eq!(check(&without("aud")), wrong);
        assert!(matches!(
            check(&with("aud", json!([AUD, 7]))),
            Err(AccessRefusal::Malformed(_))
        ));
    }

    #[test]
    fn the_issuer_must_be_our_team_exactly() {
        let wrong = Err(AccessRefusal::WrongIssuer);
        assert_eq!(
            check(&with("iss", json!("https://evil.cloudflareaccess.com"))),
            wrong
        );
        assert_eq!(check(&with("iss", json!(format!("{ISS}/")))), wrong);
        assert_eq!(check(&with("iss", json!(TEAM))), wrong);
        assert_eq!(check(&without("iss")), wrong);
    }

    #[test]
    fn only_rs256_is_accepted() {
        for alg in [
            json!("none"),
            json!("HS256"),
            json!("rs256"),
            json!("RS512"),
            json!(256),
        ] {
            let t = token(&json!({ "alg": alg, "kid": KID }), &claims());
            assert_eq!(parse_err(&t), AccessRefusal::BadAlgorithm, "{alg}");
        }
        let t = token(&json!({ "kid": KID }), &claims());
        assert_eq!(parse_err(&t), AccessRefusal::BadAlgorithm);
        let unsigned = format!(
            "{}.",
            token(&json!({ "alg": "none" }), &claims())
                .rsplit_once('.')
                .unwrap()
                .0
        );
        assert!(parse(&unsigned).is_err());
    }

    #[test]
    fn the_header_must_name_a_key_and_nothing_critical() {
        for head in [
            json!({ "alg": "RS256" }),
            json!({ "alg": "RS256", "kid": "" }),
            json!({ "alg": "RS256", "kid": "a b" }),
            json!({ "alg": "RS256", "kid": 7 }),
            json!({ "alg": "RS256", "kid": KID, "crit": ["exp"] }),
            json!(["RS256", KID]),
        ] {
            let t = token(&head, &claims());
            assert!(
                matches!(parse_err(&t), AccessRefusal::Malformed(_)),
                "{head}"
            );
        }
        let repeated = format!(r#"{{"alg":"RS256","kid":"{KID}","kid":"{OTHER_KID}"}}"#);
        let t = format!(
            "{}.{}.{}",
            b64(repeated.as_bytes()),
            b64(b"{}"),
            b64(&[1; 256])
        );
        assert!(matches!(parse_err(&t), AccessRefusal::Malformed(_)));
    }

    #[test]
    fn the_shape_must_be_three_base64url_parts() {
        let good = token(&header(), &claims());
        let (h, rest) = good.split_once('.').unwrap();
        let (p, s) = rest.split_once('.').unwrap();
        for bad in [
            String::new(),
            format!("{h}.{p}"),
            format!("{h}.{p}.{s}.{s}"),
            format!("{h}.{p}."),
            format!(".{p}.{s}"),
            format!("{h}..{s}"),
            format!("{good}."),
            format!("{h}.{p}.{}", B64.encode([1; 100])),
            format!("{h}.{p}.{}", B64.encode([1; 600])),
            format!(
                "{h}.{p}.{}",
                base64::engine::general_purpose::STANDARD.encode([0xFB; 256])
            ),
            format!("{h}=.{p}.{s}"),
            format!("{h}.{p}*.{s}"),
            format!(" {good}"),
            format!("{h}.{}.{s}", b64(b"not json")),
            format!("{h}.{}.{s}", b64(b"[1,2]")),
        ] {
            let refusal = parse(&bad).and_then(|u| u.claims(&config(), now()));
            assert!(matches!(refusal, Err(AccessRefusal::Malformed(_))), "{bad}");
        }
    }

    #[test]
    fn oversize_tokens_are_refused_before_decoding() {
        let padding = "x".repeat(MAX_TOKEN_BYTES);
        let big = token(&header(), &with("pad", json!(padding)));
        assert_eq!(parse_err(&big), AccessRefusal::Malformed("it is too large"));
    }

    #[test]
    fn a_token_without_a_valid_email_is_refused() {
        assert_eq!(check(&without("email")), Err(AccessRefusal::NoEmail));
        for bad in [
            json!(""),
            json!("ana"),
            json!("ana@localhost"),
            json!("a b@example.com"),
        ] {
            assert_eq!(
                check(&with("email", bad.clone())),
                Err(AccessRefusal::NoEmail),
                "{bad}"
            );
        }
        // A service token: Access names the client, not a person.
        let service = with("common_name", json!("2a1e3a3c.access"));
        let service = {
            let mut s = service;
            s.as_object_mut().unwrap().remove("email");
            s
        };
        assert_eq!(check(&service), Err(AccessRefusal::NoEmail));
        assert!(matches!(
            check(&with("email", json!(["ana@example.com"]))),
            Err(AccessRefusal::Malformed(_))
        ));
    }

    #[test]
    fn refusals_never_repeat_the_token() {
        let t = token(&json!({ "alg": "HS256", "kid": KID }), &claims());
        let (h, rest) = t.split_once('.').unwrap();
        let refusals = [
            parse_err(&t),
            parse_err(&format!("{h}.{rest}.x")),
            check(&with("aud", json!("x"))).unwrap_err(),
        ];
        for refusal in refusals {
            let text = refusal.to_string();
            assert!(
                !text.contains(h) && !text.contains(KID) && !text.contains(AUD),
                "{text}"
            );
        }
        let unverified = parse(&token(&header(), &claims()))
            .map(|u| format!("{u:?}"))
            .unwrap();
        assert!(!unverified.contains("ey"), "{unverified}");
    }

    #[test]
    fn refusal_codes_are_snake_case() {
        assert_eq!(AccessRefusal::WrongAudience.code(), "wrong_audience");
        assert_eq!(AccessRefusal::Malformed("x").code(), "malformed");
        assert_eq!(AccessRefusal::KeySet("x").code(), "key_set");
    }

    #[test]
    fn team_domains_are_normalised_to_their_origin() {
        for raw in [
            TEAM,
            "https://candor.cloudflareaccess.com",
            "https://candor.cloudflareaccess.com/",
            "  Candor.CloudflareAccess.com ",
            "HTTPS://CANDOR.CLOUDFLAREACCESS.COM/",
            "candor.cloudflareaccess.com:443",
        ] {
            let c = AccessConfig::new(raw, AUD, false).unwrap();
            assert_eq!(c.issuer(), ISS, "{raw}");
            assert_eq!(c.certs_url(), format!("{ISS}/cdn-cgi/access/certs"));
            assert_eq!(c.aud(), AUD);
        }
        // The dev flag changes nothing for a real team domain.
        assert_eq!(AccessConfig::new(TEAM, AUD, true).unwrap().issuer(), ISS);
    }

    #[test]
    fn team_domains_that_are_not_bare_public_https_hosts_are_refused() {
        for raw in [
            "",
            "   ",
            "https://",
            "https://candor.cloudflareaccess.com/cdn-cgi/access/certs",
            "candor.cloudflareaccess.com/x",
            "candor.cloudflareaccess.com//",
            "candor.cloudflareaccess.com?x=1",
            "candor.cloudflareaccess.com?",
            "candor.cloudflareaccess.com#x",
            "ana@candor.cloudflareaccess.com",
            "https://ana:pw@candor.cloudflareaccess.com",
            "http://candor.cloudflareaccess.com",
            "ftp://candor.cloudflareaccess.com",
            "wss://candor.cloudflareaccess.com",
            "candor.cloudflareaccess.com:8443",
            "https://1.2.3.4",
            "https://[2001:db8::1]",
            "candor",
            "localhost",
            "https://localhost:8443",
            "candor..cloudflareaccess.com",
            "candor.cloudflareaccess.com.",
            "cand or.cloudflareaccess.com",
            "candor.cloudflare\naccess.com",
            "candor.cloudflare\taccess.com",
        ] {
            let refused = AccessConfig::new(raw, AUD, false);
            assert!(refused.is_err(), "{raw:?}");
            assert_eq!(refused.unwrap_err().code(), "invalid_access_team_domain");
        }
    }

    #[test]
    fn a_unicode_team_domain_is_refused_with_the_form_to_write() {
        let refused = AccessConfig::new("cändor.cloudflareaccess.com", AUD, false).unwrap_err();
        assert!(refused.to_string().contains("xn--"), "{refused}");
    }

    #[test]
    fn loopback_key_servers_only_with_the_dev_flag() {
        for (raw, issuer) in [
            ("http://127.0.0.1:8787", "http://127.0.0.1:8787"),
            ("http://127.0.0.1:8787/", "http://127.0.0.1:8787"),
            ("http://localhost:9000", "http://localhost:9000"),
            ("http://LOCALHOST:9000/", "http://localhost:9000"),
        ] {
            let c = AccessConfig::new(raw, AUD, true).unwrap();
            assert_eq!(c.issuer(), issuer);
            assert_eq!(c.certs_url(), format!("{issuer}/cdn-cgi/access/certs"));
            assert!(AccessConfig::new(raw, AUD, false).is_err(), "{raw}");
        }
        for raw in [
            "http://127.0.0.2:8787",
            "http://[::1]:8787",
            "http://127.0.0.1:8787/x",
            "http://127.0.0.1:8787?x",
            "http://u@127.0.0.1:8787",
            "http://evil.example.com:8787",
            "http://localhost.evil.com:8787",
            "https://127.0.0.1:8787",
            "127.0.0.1:8787",
        ] {
            assert!(AccessConfig::new(raw, AUD, true).is_err(), "{raw}");
        }
    }

    #[test]
    fn the_audience_tag_must_be_one_printable_word() {
        assert_eq!(
            AccessConfig::new(TEAM, &format!(" {AUD}\n"), false)
                .unwrap()
                .aud(),
            AUD
        );
        for bad in ["", "  ", "a b", "tag\u{7f}", "étiquette"] {
            let refused = AccessConfig::new(TEAM, bad, false).unwrap_err();
            assert_eq!(refused.code(), "invalid_access_aud", "{bad:?}");
        }
        assert!(AccessConfig::new(TEAM, &"a".repeat(MAX_ID_BYTES + 1), false).is_err());
    }

    /// What `https://<team>/cdn-cgi/access/certs` answers: two RSA keys
    /// (current and previous) and the same keys again as certificates.
    const CERTS: &str = r#"{
  "keys": [
    {
      "kid": "32258efcdbc98aa4a803b71770de4e15c0dbef86c2a00a523d2bc5e2ddc6a073",
      "kty": "RSA",
      "alg": "RS256",
      "use": "sig",
      "e": "AQAB",
      "n": "omCtO0xdmdY3rWzEFLGLDOFlFCPu5akuo2qnGzETgOXdITxNZIdR1GeoNXthZaJ-TRrGnp-YaiOC0bWnu1lauF5M0bCRmF9Dadm4CtPkp0nx3u_BcM25d2sSbJTcVYewmXyRCTsrYM3raELGzo-goR_cGeRE4mF_GfdqWVP1RH-sacXlabtfmGdCnC6dnOvIja6xcWczjo0oz8t8gvfDCwuTnU26YFayABU5PQmAw0PfZ9GwDhYa-fnGy2nC0I-RAnfDNYTvR2LaQngO4BSORc-7nhv1u-Dc61HXd-4XXCSeAmonRFBv_2rkRXnTr0kqGYC7EEaM81S_MGeWRpyNRQ"
    },
    {
      "kid": "8ece3c525e4161ce8e91487b9c9f2397fa6c525e1669f4c092a23735353cb10a",
      "kty": "RSA",
      "alg": "RS256",
      "use": "sig",
      "e": "AQAB",
      "n": "v7h7gArRTIQh90bpfeNg2FYIWERQixgqaXIyXnwXiGx7d3ipMC6kui-a3MtyAeMCnyo4H_iO258rbFd2vmgmhYjB89qSrQ2S2tq5NCARdQM-tVvF9dpaJYPLihxNPPbFPUHsINc-_98AB7cItsEEYp5qZDpMyBJt3bvlL3FDDpz3tX5co91Rp0gjxa0TDkVikqGX3mxrxm8oLojgbKttqxDV-5FUMk317lMxK721OpzRGJZqzqqtZlz30PIJjUXdI7lqKW1X4gmZO1SIDoOVPAVB4eCqRwzFPJJckr6wWYa0o5tcUWbEI2k5MwSBDP8dMCeZNC3w_gxJEfJkQ4B3bQ"
    }
  ],
  "public_cert": {
    "kid": "32258efcdbc98aa4a803b71770de4e15c0dbef86c2a00a523d2bc5e2ddc6a073",
    "cert": "-----BEGIN CERTIFICATE-----\nMIIDLTCCAhWgAwIBAgIUf2vdp8BYq4m4p22TY0kYthXP/MswDQYJKoZIhvcNAQEL\nBQAwJjEkMCIGA1UEAwwbY2FuZG9yLmNsb3VkZmxhcmVhY2Nlc3MuY29tMB4XDTI2\nMTIwNTA4MDcxNloXDTI3MTIwNTA4MDcxNlowJjEkMCIGA1UEAwwbY2FuZG9yLmNs\nb3VkZmxhcmVhY2Nlc3MuY29tMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKC\nAQEAomCtO0xdmdY3rWzEFLGLDOFlFCPu5akuo2qnGzETgOXdITxNZIdR1GeoNXth\nZaJ+TRrGnp+YaiOC0bWnu1lauF5M0bCRmF9Dadm4CtPkp0nx3u/BcM25d2sSbJTc\nVYewmXyRCTsrYM3raELGzo+goR/cGeRE4mF/GfdqWVP1RH+sacXlabtfmGdCnC6d\nnOvIja6xcWczjo0oz8t8gvfDCwuTnU26YFayABU5PQmAw0PfZ9GwDhYa+fnGy2nC\n0I+RAnfDNYTvR2LaQngO4BSORc+7nhv1u+Dc61HXd+4XXCSeAmonRFBv/2rkRXnT\nr0kqGYC7EEaM81S/MGeWRpyNRQIDAQABo1MwUTAdBgNVHQ4EFgQUIK70nTweQvED\naPYAbugiJqc8EXowHwYDVR0jBBgwFoAUIK70nTweQvEDaPYAbugiJqc8EXowDwYD\nVR0TAQH/BAUwAwEB/zANBgkqhkiG9w0BAQsFAAOCAQEAn42T16odedjXP1v6TrFt\nZGTmSvsmJjzVt5XlGO4c3z4VqucUYyBGbA1dV+ZemWwUGpVoA4IXVGqRJ4Jnnjn8\n2VUhknfqOLJko1TAHwYMihXRG9fvZoLmvb9DaquzotkVnWD4sejTeURyPRprDOS0\nbLa/GFw/WSoQz+8cnC1APJWJ8Q1EctoV/xZsQaidI4O6oICqiAmrAONGhqKG18pl\nT9s8XN9Pgo9gR+fKBOEdImPVI3253KecR3X7Fy2gDnh1UVMRDw5Aj0M6Ur6ia/HX\nzdzo6+6BYm85r+FxoP6ezJBTViksSm4FlLPgckuI3tZH3RGZYB2arwjGEz65bh8B\n/g==\n-----END CERTIFICATE-----\n"
  },
  "public_certs": [
    {
      "kid": "32258efcdbc98aa4a803b71770de4e15c0dbef86c2a00a523d2bc5e2ddc6a073",
      "cert": "-----BEGIN CERTIFICATE-----\nMIIDLTCCAhWgAwIBAgIUf2vdp8BYq4m4p22TY0kYthXP/MswDQYJKoZIhvcNAQEL\nBQAwJjEkMCIGA1UEAwwbY2FuZG9yLmNsb3VkZmxhcmVhY2Nlc3MuY29tMB4XDTI2\nMTIwNTA4MDcxNloXDTI3MTIwNTA4MDcxNlowJjEkMCIGA1UEAwwbY2FuZG9yLmNs\nb3VkZmxhcmVhY2Nlc3MuY29tMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKC\nAQEAomCtO0xdmdY3rWzEFLGLDOFlFCPu5akuo2qnGzETgOXdITxNZIdR1GeoNXth\nZaJ+TRrGnp+YaiOC0bWnu1lauF5M0bCRmF9Dadm4CtPkp0nx3u/BcM25d2sSbJTc\nVYewmXyRCTsrYM3raELGzo+goR/cGeRE4mF/GfdqWVP1RH+sacXlabtfmGdCnC6d\nnOvIja6xcWczjo0oz8t8gvfDCwuTnU26YFayABU5PQmAw0PfZ9GwDhYa+fnGy2nC\n0I+RAnfDNYTvR2LaQngO4BSORc+7nhv1u+Dc61HXd+4XXCSeAmonRFBv/2rkRXnT\nr0kqGYC7EEaM81S/MGeWRpyNRQIDAQABo1MwUTAdBgNVHQ4EFgQUIK70nTweQvED\naPYAbugiJqc8EXowHwYDVR0jBBgwFoAUIK70nTweQvEDaPYAbugiJqc8EXowDwYD\nVR0TAQH/BAUwAwEB/zANBgkqhkiG9w0BAQsFAAOCAQEAn42T16odedjXP1v6TrFt\nZGTmSvsmJjzVt5XlGO4c3z4VqucUYyBGbA1dV+ZemWwUGpVoA4IXVGqRJ4Jnnjn8\n2VUhknfqOLJko1TAHwYMihXRG9fvZoLmvb9DaquzotkVnWD4sejTeURyPRprDOS0\nbLa/GFw/WSoQz+8cnC1APJWJ8Q1EctoV/xZsQaidI4O6oICqiAmrAONGhqKG18pl\nT9s8XN9Pgo9gR+fKBOEdImPVI3253KecR3X7Fy2gDnh1UVMRDw5Aj0M6Ur6ia/HX\nzdzo6+6BYm85r+FxoP6ezJBTViksSm4FlLPgckuI3tZH3RGZYB2arwjGEz65bh8B\n/g==\n-----END CERTIFICATE-----\n"
    },
    {
      "kid": "8ece3c525e4161ce8e91487b9c9f2397fa6c525e1669f4c092a23735353cb10a",
      "cert": "-----BEGIN CERTIFICATE-----\nMIIDLTCCAhWgAwIBAgIUe0AH9/5fv/3b9RVUf5aLtscbC6cwDQYJKoZIhvcNAQEL\nBQAwJjEkMCIGA1UEAwwbY2FuZG9yLmNsb3VkZmxhcmVhY2Nlc3MuY29tMB4XDTI2\nMTIwNTA4MDgxMFoXDTI3MTIwNTA4MDgxMFowJjEkMCIGA1UEAwwbY2FuZG9yLmNs\nb3VkZmxhcmVhY2Nlc3MuY29tMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKC\nAQEAv7h7gArRTIQh90bpfeNg2FYIWERQixgqaXIyXnwXiGx7d3ipMC6kui+a3Mty\nAeMCnyo4H/iO258rbFd2vmgmhYjB89qSrQ2S2tq5NCARdQM+tVvF9dpaJYPLihxN\nPPbFPUHsINc+/98AB7cItsEEYp5qZDpMyBJt3bvlL3FDDpz3tX5co91Rp0gjxa0T\nDkVikqGX3mxrxm8oLojgbKttqxDV+5FUMk317lMxK721OpzRGJZqzqqtZlz30PIJ\njUXdI7lqKW1X4gmZO1SIDoOVPAVB4eCqRwzFPJJckr6wWYa0o5tcUWbEI2k5MwSB\nDP8dMCeZNC3w/gxJEfJkQ4B3bQIDAQABo1MwUTAdBgNVHQ4EFgQUepki4onPFvCF\n9pQG/RhHbKKIkAAwHwYDVR0jBBgwFoAUepki4onPFvCF9pQG/RhHbKKIkAAwDwYD\nVR0TAQH/BAUwAwEB/zANBgkqhkiG9w0BAQsFAAOCAQEAMPMnKPdO1In5MCvW4kqE\nDxjo6yJtDI6XPfYCfpSzp7LAQQboFb3SOU8DG9dw5fpnqDVamoh90LYJSyf2VpEx\nkb25sKnOMftcPIWltgJ+TW1upCBIjMU2YdeaOpVBnClIbIYM0EpqEy4kU8qqLdYv\nBmAxSrG+VX2PEe67jFyWwxCwsCAbYxc8luC9myeBR8TXcVfuL92x62BPd99Oe1Hj\nZwIUalK1wOqsJD3/uS4amY736h7MAlE6iQFXbHeSV+YWR+i6vox3Omv4EDnOx8n0\nBavqPd+vvdpnfGyVG9Pt5TOU0J6TnSjAuS/ag76pZdG1BWeRPL/01kBRcBsB0uw7\nlw==\n-----END CERTIFICATE-----\n"
    }
  ]
}"#;

    fn rsa_entry(kid: &str) -> Value {
        json!({ "kid": kid, "kty": "RSA", "alg": "RS256", "use": "sig", "e": "AQAB",
                "n": B64.encode([0xC1; 256]) })
    }

    fn key_set(keys: &[Value]) -> Result<Jwks, AccessRefusal> {
        Jwks::parse(&json!({ "keys": keys }).to_string())
    }

    #[test]
    fn cloudflare_certs_give_both_keys_by_kid() {
        let jwks = Jwks::parse(CERTS).unwrap();
        assert_eq!(jwks.keys().len(), 2);
        let current = jwks.key(KID).unwrap();
        assert_eq!(current.kid(), KID);
        assert_eq!(current.e(), "AQAB");
        assert!(current.n().starts_with("omCtO0xd"));
        assert!(jwks.key(OTHER_KID).unwrap().n().starts_with("v7h7gArR"));
        assert_eq!(jwks.key("no-such-kid"), None);
        assert_eq!(jwks.key(""), None);
        let t = token(&header(), &claims());
        assert_eq!(jwks.key(parse(&t).unwrap().kid()), Some(current));
    }

    #[test]
    fn key_sets_keep_only_rs256_signing_keys_of_a_sane_size() {
        let mut ec = rsa_entry("ec");
        ec["kty"] = json!("EC");
        let mut enc = rsa_entry("enc");
        enc["use"] = json!("enc");
        let mut ps = rsa_entry("ps");
        ps["alg"] = json!("PS256");
        let mut small = rsa_entry("small");
        small["n"] = json!(B64.encode([0xC1; 128]));
        let mut zero_padded = rsa_entry("zero-padded");
        zero_padded["n"] = json!(B64.encode([&[0][..], &[0xC1; 256]].concat()));
        let mut padded_b64 = rsa_entry("padded-b64");
        padded_b64["e"] = json!("AQAB==");
        let mut bare = rsa_entry("bare");
        bare.as_object_mut()
            .unwrap()
            .retain(|k, _| ["kid", "kty", "n", "e"].contains(&k.as_str()));
        let mut dup = rsa_entry("bare");
        dup["e"] = json!("Aw");
        let jwks = key_set(&[
            ec,
            enc,
            ps,
            small,
            zero_padded,
            padded_b64,
            bare,
            dup,
            json!(7),
        ])
        .unwrap();
        let kids: Vec<&str> = jwks.keys().iter().map(Jwk::kid).collect();
        assert_eq!(kids, ["zero-padded", "bare"]);
        assert_eq!(
            jwks.key("bare").unwrap().e(),
            "AQAB",
            "the first of a repeated kid wins"
        );
    }

    #[test]
    fn unusable_key_sets_are_refused() {
        let mut ec = rsa_entry("ec");
        ec["kty"] = json!("EC");
        let refused = |r: Result<Jwks, AccessRefusal>| matches!(r, Err(AccessRefusal::KeySet(_)));
        assert!(refused(key_set(&[])));
        assert!(refused(key_set(&[ec])));
        let many: Vec<Value> = (0..=MAX_KEYS)
            .map(|i| rsa_entry(&format!("k{i}")))
            .collect();
        assert!(refused(key_set(&many)));
        assert!(key_set(&many[..MAX_KEYS]).is_ok());
        for body in [
            "",
            "null",
            "[]",
            "{}",
            r#"{"keys":{}}"#,
            "not json",
            r#"[{"keys":[]}]"#,
        ] {
            assert!(refused(Jwks::parse(body)), "{body}");
        }
        let huge = format!(r#"{{"keys":[],"pad":"{}"}}"#, "x".repeat(MAX_JWKS_BYTES));
        assert_eq!(
            Jwks::parse(&huge),
            Err(AccessRefusal::KeySet("the document is too large"))
        );
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in any::<String>()) {
            let _ = parse(&s);
        }

        #[test]
        fn parse_never_panics_on_token_shaped_text(s in "[A-Za-z0-9_.=+/-]{0,600}") {
            if let Err(refusal) = parse(&s) {
                prop_assert!(s.len() < 12 || !refusal.to_string().contains(&s));
            }
        }

        #[test]
        fn claims_never_panic(payload in proptest::collection::vec(any::<u8>(), 0..300)) {
            let t = format!("{}.{}.{}", b64(header().to_string().as_bytes()), b64(&payload), b64(&[1; 256]));
            let _ = parse(&t).unwrap().claims(&config(), now());
        }

        #[test]
        fn jwks_parse_never_panics(s in any::<String>()) {
            let _ = Jwks::parse(&s);
        }
    }
}
