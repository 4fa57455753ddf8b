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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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
