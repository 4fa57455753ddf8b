//! Which web origins may embed a site's widget and post answers (CORS).

use crate::DomainError;
use serde::{Deserialize, Serialize};

/// One allowed origin: `https://shop.example.com`, or with a port wildcard
/// `http://127.0.0.1:*` (dev and test pages on any local port).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OriginRule {
    scheme: String,
    host: String,
    /// `None` means any port (`:*`); `Some("")` means the scheme's default.
    port: Option<String>,
}

impl TryFrom<String> for OriginRule {
    type Error = DomainError;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::try_from(raw.as_str())
    }
}

impl TryFrom<&str> for OriginRule {
    type Error = DomainError;
    fn try_from(raw: &str) -> Result<Self, Self::Error> {
        let err = || {
            DomainError::invalid(
                "origins",
                format!("{raw:?} is not an origin like https://shop.example.com"),
            )
        };
        let (scheme, rest) = raw.split_once("://").ok_or_else(err)?;
        if !matches!(scheme, "http" | "https") || rest.contains('/') || rest.is_empty() {
            return Err(err());
        }
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, "*")) => (h, None),
            Some((h, p))
                if !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()) =>
            {
                (h, Some(p.to_owned()))
            }
            Some(_) => return Err(err()),
            None => (rest, Some(String::new())),
        };
        let host_ok = !host.is_empty()
            && host.len() <= 253
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
        if !host_ok {
            return Err(err());
        }
        Ok(Self {
            scheme: scheme.to_owned(),
            host: host.to_ascii_lowercase(),
            port,
        })
    }
}

impl From<OriginRule> for String {
    fn from(rule: OriginRule) -> Self {
        match rule.port.as_deref() {
            None => format!("{}://{}:*", rule.scheme, rule.host),
            Some("") => format!("{}://{}", rule.scheme, rule.host),
            Some(p) => format!("{}://{}:{p}", rule.scheme, rule.host),
        }
    }
}

impl OriginRule {
    /// Whether a browser's `Origin` header value is allowed by this rule.
    pub fn allows(&self, origin: &str) -> bool {
        let Some((scheme, rest)) = origin.split_once("://") else {
            return false;
        };
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) if p.bytes().all(|b| b.is_ascii_digit()) => (h, p),
            _ => (rest, ""),
        };
        let default_port = match scheme {
            "http" => "80",
            "https" => "443",
            _ => return false,
        };
        let port_ok = match self.port.as_deref() {
            None => true,
            Some("") => port.is_empty() || port == default_port,
            Some(p) => p == port || (port.is_empty() && p == default_port),
        };
        scheme == self.scheme && host.eq_ignore_ascii_case(&self.host) && port_ok
    }
}

/// Whether any rule allows the origin.
pub fn allowed(rules: &[OriginRule], origin: &str) -> bool {
    rules.iter().any(|r| r.allows(origin))
}

/// Whether a state-changing form post came from a page of `own` origin
/// (the dashboard's forms, the acknowledge page's button).
///
/// `Sec-Fetch-Site` is believed first: a page sent with `no-referrer` posts
/// with `Origin: null` but still `Sec-Fetch-Site: same-origin`, and no page
/// can forge that header. Browsers without it send `Origin`, which must then
/// be `own` exactly (`null` is not). A request with neither is not a
/// browser's; the endpoint's own credential (session and CSRF token, or a
/// signed link) still has to hold.
pub fn same_origin_post(sec_fetch_site: Option<&str>, origin: Option<&str>, own: &str) -> bool {
    match (sec_fetch_site, origin) {
        (Some(site), _) => site.trim().eq_ignore_ascii_case("same-origin"),
        (None, Some(origin)) => origin == own,
        (None, None) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const OWN: &str = "https://feedback.example.com";

    #[test]
    fn a_page_of_ours_may_post_whatever_origin_its_referrer_policy_sends() {
        // Chromium, page sent with `Referrer-Policy: no-referrer`.
        assert!(same_origin_post(Some("same-origin"), Some("null"), OWN));
        assert!(same_origin_post(Some("same-origin"), Some(OWN), OWN));
        assert!(same_origin_post(None, Some(OWN), OWN));
        // Not a browser: the credential decides.
        assert!(same_origin_post(None, None, OWN));
    }

    #[test]
    fn another_site_may_not_post() {
        for site in ["cross-site", "same-site", "none", ""] {
            assert!(!same_origin_post(Some(site), Some(OWN), OWN), "{site}");
        }
        assert!(!same_origin_post(None, Some("null"), OWN));
        assert!(!same_origin_post(None, Some("https://evil.example"), OWN));
        assert!(!same_origin_post(
            None,
            Some("https://feedback.example.com.evil.io"),
            OWN
        ));
    }

    proptest! {
        #[test]
        fn no_header_value_but_ours_lets_a_browser_post(site in "\\PC{0,20}", origin in "\\PC{0,40}") {
            // Whatever Origin comes with it, a Sec-Fetch-Site other than
            // same-origin is refused.
            if !site.trim().eq_ignore_ascii_case("same-origin") {
                prop_assert!(!same_origin_post(Some(&site), Some(&origin), OWN));
                prop_assert!(!same_origin_post(Some(&site), None, OWN));
            }
            // Without Sec-Fetch-Site, only our exact origin passes.
            if origin != OWN {
                prop_assert!(!same_origin_post(None, Some(&origin), OWN));
            }
        }
    }

    fn rule(s: &str) -> OriginRule {
        OriginRule::try_from(s).unwrap()
    }

    #[test]
    fn exact_and_wildcard_ports() {
        assert!(rule("https://shop.example.com").allows("https://shop.example.com"));
        assert!(rule("https://shop.example.com").allows("https://shop.example.com:443"));
        assert!(!rule("https://shop.example.com").allows("http://shop.example.com"));
        assert!(!rule("https://shop.example.com").allows("https://shop.example.com.evil.io"));
        assert!(
            !rule("https://shop.example.com").allows("https://evil.io/https://shop.example.com")
        );
        assert!(rule("http://127.0.0.1:*").allows("http://127.0.0.1:5173"));
        assert!(!rule("http://127.0.0.1:*").allows("http://127.0.0.2:5173"));
        assert!(rule("http://localhost:8080").allows("http://localhost:8080"));
        assert!(!rule("http://localhost:8080").allows("http://localhost:8081"));
        assert!(!rule("http://localhost:*").allows("null"));
    }

    #[test]
    fn bad_rules_are_refused() {
        for bad in [
            "",
            "*",
            "shop.example.com",
            "ftp://x.com",
            "https://x.com/path",
            "https://x.com:abc",
            "https://:80",
        ] {
            assert!(OriginRule::try_from(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rules_roundtrip_through_strings() {
        for s in [
            "https://a.example",
            "http://127.0.0.1:*",
            "http://localhost:8080",
        ] {
            assert_eq!(String::from(rule(s)), s);
        }
    }

    proptest! {
        #[test]
        fn allows_never_panics(r in "https?://[a-z0-9.]{1,20}(:[0-9*]{1,5})?", o in "\\PC{0,60}") {
            if let Ok(rule) = OriginRule::try_from(r.as_str()) {
                let _ = rule.allows(&o);
            }
        }
    }
}
