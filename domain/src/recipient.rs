//! Who receives alerts, in which chat format, at which URL (docs/wire-contract.md#alerts).

use crate::{DomainError, Tier};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// The people a tier reaches (rule 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    ServiceManager,
    ClientManager,
    SeniorManagement,
    President,
}

impl Role {
    pub const ALL: [Self; 4] = [
        Self::ServiceManager,
        Self::ClientManager,
        Self::SeniorManagement,
        Self::President,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ServiceManager => "service_manager",
            Self::ClientManager => "client_manager",
            Self::SeniorManagement => "senior_management",
            Self::President => "president",
        }
    }

    /// Who the role is, in a sentence: "no recipient for senior management".
    pub const fn audience(self) -> &'static str {
        match self {
            Self::ServiceManager => "the service manager",
            Self::ClientManager => "the client manager",
            Self::SeniorManagement => "senior management",
            Self::President => "the president",
        }
    }

    /// The role for a person reading the dashboard.
    pub const fn label(self) -> &'static str {
        match self {
            Self::ServiceManager => "Service manager",
            Self::ClientManager => "Client manager",
            Self::SeniorManagement => "Senior management",
            Self::President => "President",
        }
    }
}

impl TryFrom<&str> for Role {
    type Error = DomainError;
    fn try_from(raw: &str) -> Result<Self, Self::Error> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == raw)
            .ok_or_else(|| {
                DomainError::invalid(
                    "role",
                    "must be service_manager, client_manager, senior_management or president",
                )
            })
    }
}

impl Tier {
    /// The roles alerted for a tier, exactly as rule 3 lists them.
    pub const fn roles(self) -> &'static [Role] {
        match self {
            Self::None => &[],
            Self::Service => &[Role::ServiceManager],
            Self::Account => &[Role::ClientManager, Role::ServiceManager],
            Self::Senior => &[
                Role::ClientManager,
                Role::ServiceManager,
                Role::SeniorManagement,
            ],
            Self::President => &[
                Role::ClientManager,
                Role::ServiceManager,
                Role::SeniorManagement,
                Role::President,
            ],
        }
    }
}

/// The chat format a recipient's URL speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Slack,
    Teams,
    Discord,
    GoogleChat,
    Webhook,
}

impl Format {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Slack => "slack",
            Self::Teams => "teams",
            Self::Discord => "discord",
            Self::GoogleChat => "google_chat",
            Self::Webhook => "webhook",
        }
    }

    /// Host suffixes a native format's webhooks live on; `None` = any public host.
    const fn hosts(self) -> Option<&'static [&'static str]> {
        match self {
            Self::Slack => Some(&["hooks.slack.com"]),
            Self::Teams => Some(&[
                ".logic.azure.com",
                ".powerplatform.com",
                ".webhook.office.com",
            ]),
            Self::Discord => Some(&["discord.com", "discordapp.com"]),
            Self::GoogleChat => Some(&["chat.googleapis.com"]),
            Self::Webhook => None,
        }
    }
}

impl TryFrom<&str> for Format {
    type Error = DomainError;
    fn try_from(raw: &str) -> Result<Self, Self::Error> {
        [
            Self::Slack,
            Self::Teams,
            Self::Discord,
            Self::GoogleChat,
            Self::Webhook,
        ]
        .into_iter()
        .find(|f| f.as_str() == raw)
        .ok_or_else(|| {
            DomainError::invalid(
                "format",
                "must be slack, teams, discord, google_chat or webhook",
            )
        })
    }
}

/// A recipient's id. Delivery progress, dead letters and the delivery log
/// are keyed by it, so a recipient keeps its id for life, and a new one gets
/// a fresh id ([`RecipientId::fresh`]), never one that existed before.
/// 1–200 characters of `A-Z a-z 0-9 _ -` (every id ever stored: the seed's
/// `demo-service`, the old `{site}-{role}-{n}`, the random ones).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct RecipientId(String);

impl TryFrom<&str> for RecipientId {
    type Error = DomainError;
    fn try_from(raw: &str) -> Result<Self, Self::Error> {
        let ok = (1..=200).contains(&raw.len())
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        // The dead letter of a role with no recipient carries this id.
        let reserved = Role::ALL
            .iter()
            .any(|r| raw == crate::delivery::no_recipient(*r).0);
        if reserved {
            return Err(DomainError::invalid(
                "recipient_id",
                "is reserved for the dead letters of a role without recipients",
            ));
        }
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(DomainError::invalid(
                "recipient_id",
                "must be 1-200 characters of letters, digits, _ and -",
            ))
        }
    }
}

impl RecipientId {
    /// A new recipient's id: `{site}-{role}-{random}`, where `random` is hex
    /// the edge drew from its CSPRNG (8 bytes: never an id seen before).
    pub fn fresh(
        site: &crate::fields::SiteKey,
        role: Role,
        random_hex: &str,
    ) -> Result<Self, DomainError> {
        let random_ok = (16..=64).contains(&random_hex.len())
            && random_hex.bytes().all(|b| b.is_ascii_hexdigit());
        if !random_ok {
            return Err(DomainError::invalid(
                "recipient_id",
                "a fresh id needs at least 8 random bytes in hex",
            ));
        }
        Self::try_from(format!("{}-{}-{random_hex}", site.as_str(), role.as_str()).as_str())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for RecipientId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One alert recipient as stored, for listing (never its secret). `role`
/// and `format` are the wire names (`service_manager`, `google_chat`, …),
/// kept as stored so a list still shows a row today's rules would refuse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipientLine {
    pub id: String,
    pub role: String,
    pub format: String,
    /// The full URL: a credential, shown only through [`mask_url`].
    pub url: String,
}

/// A recipient's URL with everything after the host hidden: the path and
/// query of a chat webhook are its credential. The one masking the
/// dashboard shows and `GET /v1/admin/sites/{site}` answers with.
pub fn mask_url(raw: &str) -> String {
    match url::Url::parse(raw.trim()) {
        Ok(url) => match url.host_str() {
            Some(host) => {
                let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
                format!("{}://{host}{port}/\u{2026}", url.scheme())
            }
            None => "\u{2026}".to_owned(),
        },
        Err(_) => "\u{2026}".to_owned(),
    }
}

/// A webhook URL that passed the rules of
/// docs/wire-contract.md#recipient-urls: https to the platform's own hosts
/// (any public host for `webhook`), never private, loopback or an IP
/// literal — unless `allow_loopback` (the dev flag) is set, which admits
/// `http://127.0.0.1:PORT` / `http://localhost:PORT` and nothing else.
///
/// The host is normalised before any rule looks at it — lowercase (the URL
/// parser does that, and percent-decoding; a Unicode host is refused:
/// [`crate::ascii_hosts`]), trailing dots
/// removed (`localhost.` is `localhost`: the dot is the DNS root), empty
/// labels refused — and the URL is kept with that host, so the one spelling
/// that passed is the one stored, re-checked at send time and called.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct RecipientUrl(String);

/// A parsed URL's host, normalised for the rules.
enum Host {
    Ip(IpAddr),
    /// Lowercase, no trailing dot, no empty label.
    Name(String),
}

fn normalised_host(url: &url::Url) -> Result<Host, &'static str> {
    match url.host() {
        None => Err("has no host"),
        Some(url::Host::Ipv4(ip)) => Ok(Host::Ip(IpAddr::V4(ip))),
        Some(url::Host::Ipv6(ip)) => Ok(Host::Ip(IpAddr::V6(ip))),
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            if name.is_empty() || name.split('.').any(str::is_empty) {
                return Err("has an empty label in its host");
            }
            // A name that only spells an address once the dot is gone.
            match name.parse::<IpAddr>() {
                Ok(ip) => Ok(Host::Ip(ip)),
                Err(_) => Ok(Host::Name(name)),
            }
        }
    }
}

impl RecipientUrl {
    pub fn parse(raw: &str, format: Format, allow_loopback: bool) -> Result<Self, DomainError> {
        let err = |why: &str| DomainError::invalid("url", why.to_owned());
        let mut url = url::Url::parse(raw.trim())
            .map_err(|_| err(crate::ascii_hosts::why_unparsed(raw, "is not a URL")))?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(err("must not carry credentials"));
        }
        let mut host = normalised_host(&url).map_err(err)?;
        if let Host::Name(name) = &host {
            if url.host_str() != Some(name.as_str()) {
                url.set_host(Some(name))
                    .map_err(|_| err("has a host that cannot be normalised"))?;
                // Without its dots a name may read as an address
                // (`127.1..` is 127.0.0.1): judge the host the URL now has.
                host = normalised_host(&url).map_err(err)?;
            }
        }
        let is_loopback_name = match &host {
            Host::Ip(IpAddr::V4(ip)) => *ip == std::net::Ipv4Addr::LOCALHOST,
            Host::Ip(IpAddr::V6(ip)) => *ip == std::net::Ipv6Addr::LOCALHOST,
            Host::Name(name) => name == "localhost",
        };
        if allow_loopback && is_loopback_name && url.scheme() == "http" {
            return Ok(Self(url.to_string()));
        }
        if url.scheme() != "https" {
            return Err(err("must be https"));
        }
        let name = match host {
            Host::Ip(_) => return Err(err("must name a host, not an IP address")),
            Host::Name(name) => name,
        };
        // Names that only resolve inside a network (RFC 6761/6762, and the
        // `.internal` TLD reserved for private use).
        let private_tld = matches!(
            name.rsplit('.').next(),
            Some("localhost" | "local" | "internal")
        );
        if is_loopback_name || private_tld || !name.contains('.') {
            return Err(err("must be a public host"));
        }
        if url.port().is_some_and(|p| p != 443) {
            return Err(err("must use the standard https port"));
        }
        if let Some(hosts) = format.hosts() {
            let on_platform = hosts.iter().any(|h| {
                if h.starts_with('.') {
                    name.ends_with(h)
                } else {
                    name == *h
                }
            });
            if !on_platform {
                return Err(err(&format!(
                    "must be on {}'s own hosts ({})",
                    format.as_str(),
                    hosts.join(", ")
                )));
            }
        }
        Ok(Self(url.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn tiers_reach_roles_as_rule_three_says() {
        assert!(Tier::None.roles().is_empty());
        assert_eq!(Tier::Service.roles(), [Role::ServiceManager]);
        assert_eq!(
            Tier::Account.roles(),
            [Role::ClientManager, Role::ServiceManager]
        );
        assert!(Tier::Senior.roles().contains(&Role::SeniorManagement));
        assert!(!Tier::Senior.roles().contains(&Role::President));
        assert_eq!(Tier::President.roles().len(), 4);
    }

    #[test]
    fn url_rules() {
        use Format::*;
        let ok = |u, f| RecipientUrl::parse(u, f, false).is_ok();
        assert!(ok("https://hooks.slack.com/services/T/B/X", Slack));
        assert!(!ok("https://hooks.slack.com.evil.io/services/T", Slack));
        assert!(ok("https://discord.com/api/webhooks/1/abc", Discord));
        assert!(ok(
            "https://chat.googleapis.com/v1/spaces/x/messages?key=k",
            GoogleChat
        ));
        assert!(ok(
            "https://prod-01.westus.logic.azure.com/workflows/x",
            Teams
        ));
        assert!(ok("https://alerts.example.com/candor", Webhook));
        for bad in [
            "http://alerts.example.com/x",
            "https://127.0.0.1/x",
            "https://[::1]/x",
            "https://10.0.0.8/x",
            "https://localhost/x",
            "https://intranet/x",
            "https://user:pw@alerts.example.com/x",
            "https://alerts.example.com:8443/x",
            "file:///etc/passwd",
        ] {
            assert!(!ok(bad, Webhook), "{bad}");
        }
        let unicode = RecipientUrl::parse("https://alerts.bücher.example/x", Webhook, false);
        assert!(unicode.unwrap_err().to_string().contains("xn--"));
        assert!(ok("https://alerts.xn--bcher-kva.example/x", Webhook));
    }

    /// Issue 20, defect 7: a trailing dot names the same host (it is the
    /// DNS root), so it must not get a host past a rule the dot-less name
    /// fails — and what is stored and sent is the one normalised spelling.
    #[test]
    fn a_trailing_dot_is_the_same_host() {
        use Format::*;
        let parsed = |u, f| RecipientUrl::parse(u, f, false).map(|u| u.as_str().to_owned());
        for bad in [
            "https://localhost./x",
            "https://LOCALHOST./x",
            "https://metadata.google.internal./x",
            "https://foo.local./x",
            "https://intranet./x",
            "https://intranet../x",
            "https://127.0.0.1./x",
            "https://[::1]./x",
            "https://a..example.com/x",
            "https://.example.com/x",
        ] {
            assert!(parsed(bad, Webhook).is_err(), "{bad}");
        }
        assert!(parsed("https://hooks.slack.com.evil.io./x", Slack).is_err());
        assert_eq!(
            parsed("https://hooks.slack.com./services/T/B/X", Slack).unwrap(),
            "https://hooks.slack.com/services/T/B/X"
        );
        assert_eq!(
            parsed("https://Alerts.Example.COM../candor?a=1", Webhook).unwrap(),
            "https://alerts.example.com/candor?a=1"
        );
        // Send time parses the stored URL again: it is stable.
        let stored = parsed("https://prod-01.westus.logic.azure.com./workflows/x", Teams).unwrap();
        assert_eq!(parsed(&stored, Teams).unwrap(), stored);
        // The dev flag's loopback names, with a dot, are the same names.
        assert_eq!(
            RecipientUrl::parse("http://localhost.:8789/inbox", Webhook, true)
                .unwrap()
                .as_str(),
            "http://localhost:8789/inbox"
        );
    }

    #[test]
    fn urls_are_masked_after_the_host() {
        assert_eq!(
            mask_url("https://hooks.slack.com/services/T/B/X"),
            "https://hooks.slack.com/…"
        );
        assert_eq!(
            mask_url("http://127.0.0.1:8789/inbox?k=v"),
            "http://127.0.0.1:8789/…"
        );
        assert_eq!(
            mask_url("https://chat.googleapis.com/v1/spaces/x/messages?key=k&token=t"),
            "https://chat.googleapis.com/…"
        );
        assert_eq!(mask_url("not a url"), "…");
        assert_eq!(mask_url("mailto:x@y.z"), "…");
    }

    #[test]
    fn recipient_ids_are_plain_and_fresh_ones_random() {
        for ok in ["demo-service", "acme-service_manager-0", "A_b-9"] {
            assert_eq!(RecipientId::try_from(ok).unwrap().as_str(), ok);
        }
        for bad in ["", "a/b", "../x", "a b", "é", &"a".repeat(201)] {
            let e = RecipientId::try_from(bad).unwrap_err();
            assert_eq!(e.code(), "invalid_recipient_id", "{bad:?}");
        }
        let site = crate::fields::SiteKey::try_from("acme").unwrap();
        let id = RecipientId::fresh(&site, Role::President, "00ff00ff00ff00ff").unwrap();
        assert_eq!(id.as_str(), "acme-president-00ff00ff00ff00ff");
        assert!(RecipientId::fresh(&site, Role::President, "00ff").is_err());
        assert!(RecipientId::fresh(&site, Role::President, "zzzzzzzzzzzzzzzz").is_err());
        // The longest site and role still make a valid id.
        let long = crate::fields::SiteKey::try_from("a".repeat(63).as_str()).unwrap();
        assert!(RecipientId::fresh(&long, Role::SeniorManagement, &"f".repeat(64)).is_ok());
    }

    #[test]
    fn loopback_only_with_the_dev_flag() {
        assert!(
            RecipientUrl::parse("http://127.0.0.1:8789/inbox", Format::Webhook, false).is_err()
        );
        assert!(RecipientUrl::parse("http://127.0.0.1:8789/inbox", Format::Webhook, true).is_ok());
        assert!(RecipientUrl::parse("http://10.0.0.1:8789/", Format::Webhook, true).is_err());
    }

    fn any_format() -> impl Strategy<Value = Format> {
        prop::sample::select(vec![
            Format::Slack,
            Format::Teams,
            Format::Discord,
            Format::GoogleChat,
            Format::Webhook,
        ])
    }

    /// Hosts made of labels that matter to the rules (platform hosts,
    /// private TLDs, IP-looking parts) and arbitrary ones.
    fn any_host() -> impl Strategy<Value = String> {
        let label = prop_oneof![
            prop::sample::select(vec![
                "hooks",
                "slack",
                "com",
                "discord",
                "chat",
                "googleapis",
                "logic",
                "azure",
                "webhook",
                "office",
                "powerplatform",
                "localhost",
                "local",
                "internal",
                "metadata",
                "google",
                "127",
                "0",
                "1",
                "evil",
                "io",
                "LOCALHOST",
                "Com",
            ])
            .prop_map(str::to_owned),
            "[a-zA-Z0-9-]{1,8}",
        ];
        prop::collection::vec(label, 1..5).prop_map(|labels| labels.join("."))
    }

    proptest! {
        /// Issue 20, defect 7: no host with trailing dots passes a rule its
        /// dot-less form fails, and both spellings store the same URL.
        #[test]
        fn trailing_dots_never_pass_what_the_bare_host_fails(
            host in any_host(),
            dots in 1..4usize,
            format in any_format(),
            loopback in any::<bool>(),
            scheme in prop::sample::select(vec!["https", "http"]),
        ) {
            let bare = format!("{scheme}://{host}/hook");
            let dotted = format!("{scheme}://{host}{}/hook", ".".repeat(dots));
            let bare = RecipientUrl::parse(&bare, format, loopback);
            let dotted = RecipientUrl::parse(&dotted, format, loopback);
            if let Ok(d) = &dotted {
                prop_assert_eq!(Ok(d), bare.as_ref(), "{} passed, its bare host did not", d.as_str());
            }
        }
    }
}
