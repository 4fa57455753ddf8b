//! Signing in to the dashboard by a one-time link sent by mail: what the
//! sign-in form posts, the link's secret and how it is kept, how often an
//! address or a client may ask, and where the browser may go afterwards.
//!
//! The link's secret travels in the URL's fragment (`#t=…`), which browsers
//! never send to a server: it cannot end up in an access log, a proxy's log
//! or a `Referer`. The page at that address posts it with a button, so a
//! mail scanner that opens the link signs no one in.

use crate::fields::Email;
use crate::people::account_email;
use crate::{DomainError, Timestamp};

/// How long a link works.
pub const LINK_MINUTES: u32 = 15;

/// Links one address is sent per hour. Past that, the form answers as
/// always and no mail goes: the answer never depends on the address.
pub const LINKS_PER_ADDRESS_PER_HOUR: u32 = 5;

/// Sign-in requests one client may make per minute; past that, 429 for
/// every address alike.
pub const REQUESTS_PER_CLIENT_PER_MINUTE: u32 = 10;

/// Link uses one client may post per minute. A secret cannot be guessed;
/// this only keeps junk posts from costing writes.
pub const LINK_USES_PER_CLIENT_PER_MINUTE: u32 = 30;

/// What the sign-in form posts: `email=…&next=…`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRequest {
    pub email: Email,
    pub next: String,
}

impl LinkRequest {
    pub fn parse(body: &str) -> Result<Self, DomainError> {
        let field = |name: &str| crate::form::form_field(body, name);
        let email = field("email").unwrap_or_default();
        if email.trim().is_empty() {
            return Err(DomainError::invalid(
                "email",
                "enter your work email address",
            ));
        }
        Ok(Self {
            email: account_email(&email)?,
            next: safe_next(field("next").as_deref()).to_owned(),
        })
    }
}

/// A link's secret: 32 random bytes from the caller, as 64 hex characters.
/// Only its [`LinkSecret::hash`] is stored.
#[derive(Clone, PartialEq, Eq)]
pub struct LinkSecret(String);

impl std::fmt::Debug for LinkSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LinkSecret(..)")
    }
}

impl TryFrom<&str> for LinkSecret {
    type Error = DomainError;
    fn try_from(raw: &str) -> Result<Self, Self::Error> {
        let raw = raw.trim();
        if raw.len() == 64 && raw.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(DomainError::invalid(
                "token",
                "this sign-in link is not complete; ask for a new one",
            ))
        }
    }
}

impl LinkSecret {
    /// The stored key: a hash, so the table signs no one in.
    pub fn hash(&self) -> String {
        crate::digest::sha256_hex(&["candor-sign-in-link-v1", &self.0])
    }

    /// The address to put in the mail: the page, with the secret in the
    /// fragment and where to go after in the query.
    pub fn url(&self, base: &str, next: &str) -> String {
        let next: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
        format!("{base}/dashboard/login/link?next={next}#t={}", self.0)
    }

    /// When a link made at `now` stops working.
    pub fn expires_at(now: Timestamp) -> Timestamp {
        now.plus_minutes(LINK_MINUTES)
    }
}

/// The per-client counter's key.
pub fn client_key(client_ip: &str) -> String {
    crate::digest::sha256_hex(&["dashboard-sign-in", client_ip])
}

/// Where to go after signing in: only a dashboard path of plain
/// characters, so the parameter cannot send anyone to another site.
pub fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n)
            if n.starts_with("/dashboard")
                && n.len() <= 200
                && n.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"/-_".contains(&b)) =>
        {
            n
        }
        _ => "/dashboard",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::form_field;
    use proptest::prelude::*;

    const SECRET: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    #[test]
    fn the_form_needs_an_address() {
        let r =
            LinkRequest::parse("email=+Ana%40Example.com+&next=%2Fdashboard%2Finsights").unwrap();
        assert_eq!(r.email.as_str(), "ana@example.com");
        assert_eq!(r.next, "/dashboard/insights");
        assert_eq!(
            LinkRequest::parse("email=a%40b.co&next=//evil")
                .unwrap()
                .next,
            "/dashboard"
        );
        assert!(LinkRequest::parse("email=").is_err());
        assert!(LinkRequest::parse("email=not-an-address").is_err());
        assert!(LinkRequest::parse("").is_err());
    }

    #[test]
    fn a_link_secret_is_64_lowercase_hex_and_only_its_hash_is_kept() {
        let s = LinkSecret::try_from(SECRET).unwrap();
        assert_eq!(s.hash().len(), 64);
        assert!(!s.hash().contains(SECRET));
        assert_eq!(format!("{s:?}"), "LinkSecret(..)");
        for bad in [
            "",
            "abc",
            &SECRET.to_uppercase(),
            &SECRET[1..],
            &format!("{SECRET}0"),
        ] {
            assert!(LinkSecret::try_from(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_secret_rides_in_the_fragment() {
        let s = LinkSecret::try_from(SECRET).unwrap();
        let url = s.url("https://candor.example.com", "/dashboard/cases/x");
        assert_eq!(
            url,
            format!("https://candor.example.com/dashboard/login/link?next=%2Fdashboard%2Fcases%2Fx#t={SECRET}")
        );
        let now = Timestamp::from_millis(1_000_000);
        assert_eq!(
            LinkSecret::expires_at(now).millis(),
            1_000_000 + 15 * 60_000
        );
    }

    #[test]
    fn the_client_key_hides_the_address() {
        assert!(!client_key("203.0.113.9").contains("203"));
        assert_ne!(client_key("203.0.113.9"), client_key("203.0.113.10"));
    }

    #[test]
    fn only_dashboard_paths_are_followed_after_sign_in() {
        assert_eq!(
            safe_next(Some("/dashboard/cases/0f8fad5b-d9cb")),
            "/dashboard/cases/0f8fad5b-d9cb"
        );
        for bad in [
            "//evil.example",
            "https://evil.example/dashboard",
            "/dashboard/../x",
            "/dashboard?x=1",
            "/dashboard\\x",
        ] {
            assert_eq!(safe_next(Some(bad)), "/dashboard", "{bad}");
        }
        assert_eq!(safe_next(None), "/dashboard");
        assert_eq!(form_field("a=1&csrf=x%2By", "csrf").as_deref(), Some("x+y"));
    }

    proptest! {
        #[test]
        fn the_form_never_panics(body in ".{0,300}") {
            let _ = LinkRequest::parse(&body);
            let _ = LinkSecret::try_from(body.as_str());
        }
    }
}
