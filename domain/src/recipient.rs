//! Who receives alerts, in which chat format, at which URL (DESIGN §4 "Alerts").

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

/// A webhook URL that passed the rules of DESIGN §4: https to the platform's
/// own hosts (any public host for `webhook`), never private, loopback or an
/// IP literal — unless `allow_loopback` (the dev flag) is set, which admits
/// `http://127.0.0.1:PORT` / `http://localhost:PORT` and nothing else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct RecipientUrl(String);

impl RecipientUrl {
    pub fn parse(raw: &str, format: Format, allow_loopback: bool) -> Result<Self, DomainError> {
        let err = |why: &str| DomainError::invalid("url", why.to_owned());
        let url = url::Url::parse(raw.trim()).map_err(|_| err("is not a URL"))?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(err("must not carry credentials"));
        }
        let host = url
            .host_str()
            .ok_or_else(|| err("has no host"))?
            .to_ascii_lowercase();
        let is_loopback_name = host == "localhost" || host == "127.0.0.1" || host == "[::1]";
        if allow_loopback && is_loopback_name && url.scheme() == "http" {
            return Ok(Self(url.to_string()));
        }
        if url.scheme() != "https" {
            return Err(err("must be https"));
        }
        if host.trim_matches(['[', ']']).parse::<IpAddr>().is_ok() {
            return Err(err("must name a host, not an IP address"));
        }
        // Names that only resolve inside a network (RFC 6761/6762, and the
        // `.internal` TLD reserved for private use).
        let private_tld = matches!(
            host.rsplit('.').next(),
            Some("localhost" | "local" | "internal")
        );
        if is_loopback_name || private_tld || !host.contains('.') {
            return Err(err("must be a public host"));
        }
        if url.port().is_some_and(|p| p != 443) {
            return Err(err("must use the standard https port"));
        }
        if let Some(hosts) = format.hosts() {
            let on_platform = hosts.iter().any(|h| {
                if h.starts_with('.') {
                    host.ends_with(h)
                } else {
                    host == *h
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
    }

    #[test]
    fn loopback_only_with_the_dev_flag() {
        assert!(
            RecipientUrl::parse("http://127.0.0.1:8789/inbox", Format::Webhook, false).is_err()
        );
        assert!(RecipientUrl::parse("http://127.0.0.1:8789/inbox", Format::Webhook, true).is_ok());
        assert!(RecipientUrl::parse("http://10.0.0.1:8789/", Format::Webhook, true).is_err());
    }
}
