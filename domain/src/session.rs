//! Managers' dashboard sessions: a signed, expiring cookie and the CSRF
//! token derived from it.
//!
//! The signing key is derived from the admin token, so rotating the token
//! signs every manager out. The cookie names a session id the edge also
//! keeps in D1, so signing out revokes it at once, not only at expiry. The
//! CSRF token is an HMAC of the session id: every form carries it, nothing
//! needs storing, and a page from another site cannot know it.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::{DomainError, Timestamp};

type HmacSha256 = Hmac<Sha256>;

/// The cookie's name. `__Host-` would pin it to Secure, which local dev
/// over plain http cannot have; the attributes below do the same work.
pub const COOKIE: &str = "candor_session";

/// How long a sign-in lasts.
pub const LIFETIME_MINUTES: u32 = 12 * 60;

/// Signs session cookies and CSRF tokens.
#[derive(Clone)]
pub struct SessionKey([u8; 32]);

impl std::fmt::Debug for SessionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionKey(..)")
    }
}

/// A signed-in manager's session, as its cookie proves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// 32 hex characters of randomness from the caller; the D1 row's key.
    pub id: String,
    pub expires_at: Timestamp,
}

impl SessionKey {
    /// `None` when no admin token is configured: then nobody can sign in.
    pub fn from_admin_token(token: &str) -> Option<Self> {
        if token.is_empty() {
            return None;
        }
        let mut h = Sha256::new();
        h.update(b"candor-session-key-v1.");
        h.update(token.as_bytes());
        Some(Self(h.finalize().into()))
    }

    fn mac(&self, purpose: &[u8], payload: &str) -> HmacSha256 {
        // HMAC takes keys of any length, so this cannot fail.
        let mut mac =
            <HmacSha256 as Mac>::new_from_slice(&self.0).unwrap_or_else(|_| unreachable!());
        mac.update(purpose);
        mac.update(payload.as_bytes());
        mac
    }

    /// A new session with id `id` (random, from the caller) and the cookie
    /// value that proves it: `<id>.<expiry seconds>.<signature>`.
    pub fn issue(&self, id: &str, now: Timestamp) -> Result<(Session, String), DomainError> {
        if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(DomainError::invalid("session", "needs 32 hex characters"));
        }
        let expires_at = now.plus_minutes(LIFETIME_MINUTES);
        let payload = format!("{id}.{}", expires_at.seconds());
        let tag = B64.encode(self.mac(b"session.", &payload).finalize().into_bytes());
        let session = Session {
            id: id.to_owned(),
            expires_at: Timestamp::from_millis(expires_at.seconds() * 1000),
        };
        Ok((session, format!("{payload}.{tag}")))
    }

    /// Checks a cookie value: signature first (constant time), then expiry.
    /// `None` for anything forged, malformed or expired: the caller sends the
    /// manager to sign in, whatever the reason.
    pub fn verify(&self, value: &str, now: Timestamp) -> Option<Session> {
        if value.len() > 200 {
            return None;
        }
        let (payload, tag) = value.rsplit_once('.')?;
        let tag = B64.decode(tag).ok()?;
        self.mac(b"session.", payload).verify_slice(&tag).ok()?;
        let (id, expires) = payload.split_once('.')?;
        let expires_at = Timestamp::from_millis(expires.parse::<i64>().ok()?.saturating_mul(1000));
        (now < expires_at).then(|| Session {
            id: id.to_owned(),
            expires_at,
        })
    }

    /// The CSRF token for forms rendered in `session`.
    pub fn csrf(&self, session: &Session) -> String {
        B64.encode(self.mac(b"csrf.", &session.id).finalize().into_bytes())
    }

    /// Whether a posted form's token is this session's, in constant time.
    pub fn csrf_ok(&self, session: &Session, given: &str) -> bool {
        B64.decode(given)
            .is_ok_and(|tag| self.mac(b"csrf.", &session.id).verify_slice(&tag).is_ok())
    }
}

/// Whether the page's address is this machine over plain http: only there
/// may the cookie go without `Secure` (browsers drop Secure cookies set over
/// http, and local dev has no TLS). Everywhere else it is always Secure.
pub fn plain_loopback(scheme: &str, host: &str) -> bool {
    scheme == "http" && matches!(host, "127.0.0.1" | "localhost" | "[::1]" | "::1")
}

/// The `Set-Cookie` value that signs a manager in.
pub fn set_cookie(value: &str, max_age_secs: u32, secure: bool) -> String {
    format!(
        "{COOKIE}={value}; Path=/; Max-Age={max_age_secs}; HttpOnly; SameSite=Strict{}",
        if secure { "; Secure" } else { "" }
    )
}

/// The `Set-Cookie` value that signs a manager out.
pub fn clear_cookie(secure: bool) -> String {
    set_cookie("", 0, secure)
}

/// The session cookie's value from a `Cookie` request header.
pub fn from_cookie_header(header: &str) -> Option<&str> {
    header.split(';').find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        (name == COOKIE && !value.is_empty()).then_some(value)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ID: &str = "0123456789abcdef0123456789abcdef";

    fn key() -> SessionKey {
        SessionKey::from_admin_token("dev-admin-token").unwrap()
    }

    fn t(ms: i64) -> Timestamp {
        Timestamp::from_millis(ms)
    }

    #[test]
    fn a_cookie_works_until_it_expires() {
        let now = t(1_795_000_000_000);
        let (session, cookie) = key().issue(ID, now).unwrap();
        assert_eq!(key().verify(&cookie, now), Some(session.clone()));
        let later = now.plus_minutes(LIFETIME_MINUTES - 1);
        assert!(key().verify(&cookie, later).is_some());
        assert_eq!(key().verify(&cookie, session.expires_at), None);
    }

    #[test]
    fn another_token_or_an_edit_breaks_the_cookie() {
        let now = t(1_795_000_000_000);
        let (_, cookie) = key().issue(ID, now).unwrap();
        let other = SessionKey::from_admin_token("rotated-token").unwrap();
        assert_eq!(other.verify(&cookie, now), None);
        let longer = cookie.replacen(".17", ".27", 1);
        assert_eq!(key().verify(&longer, now), None);
        assert!(SessionKey::from_admin_token("").is_none());
        assert!(key().issue("short", now).is_err());
    }

    #[test]
    fn csrf_tokens_belong_to_one_session() {
        let now = t(1_795_000_000_000);
        let (a, _) = key().issue(ID, now).unwrap();
        let (b, _) = key()
            .issue("ffffffffffffffffffffffffffffffff", now)
            .unwrap();
        let token = key().csrf(&a);
        assert!(key().csrf_ok(&a, &token));
        assert!(!key().csrf_ok(&b, &token));
        assert!(!key().csrf_ok(&a, ""));
        assert!(!key().csrf_ok(&a, "not base64!"));
    }

    #[test]
    fn cookies_are_strict_and_secure_except_on_plain_loopback() {
        assert_eq!(
            set_cookie("v", 60, true),
            "candor_session=v; Path=/; Max-Age=60; HttpOnly; SameSite=Strict; Secure"
        );
        assert!(clear_cookie(false).contains("Max-Age=0; HttpOnly; SameSite=Strict"));
        assert!(plain_loopback("http", "127.0.0.1"));
        assert!(plain_loopback("http", "localhost"));
        assert!(!plain_loopback("https", "localhost"));
        assert!(!plain_loopback("http", "candor.example.com"));
        assert!(!plain_loopback("http", "127.0.0.1.evil.example"));
    }

    #[test]
    fn the_cookie_is_found_among_others() {
        assert_eq!(
            from_cookie_header("a=1; candor_session=xyz; b=2"),
            Some("xyz")
        );
        assert_eq!(from_cookie_header("candor_session="), None);
        assert_eq!(from_cookie_header("xcandor_session=1"), None);
    }

    proptest! {
        #[test]
        fn junk_never_verifies(value in ".{0,300}") {
            prop_assert_eq!(key().verify(&value, t(0)), None);
        }
    }
}
