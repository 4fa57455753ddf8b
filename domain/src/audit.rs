//! The audit log: who changed what, when, and the before and after. The
//! Worker writes an entry with every change to settings, recipients,
//! people and keys, every erasure and every export. Before and after are
//! the same views the API shows (recipient URLs masked, no secrets); a key
//! is recorded by name and scope, never its secret.

use serde::Serialize;

/// What was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    SettingsSaved,
    RecipientAdded,
    RecipientRemoved,
    PersonAdded,
    PersonChanged,
    PersonRemoved,
    KeyCreated,
    KeyRevoked,
    Erased,
    Exported,
    /// A site moved to its own database (`edge/src/store/homes.rs`).
    SiteMoved,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SettingsSaved => "settings_saved",
            Self::RecipientAdded => "recipient_added",
            Self::RecipientRemoved => "recipient_removed",
            Self::PersonAdded => "person_added",
            Self::PersonChanged => "person_changed",
            Self::PersonRemoved => "person_removed",
            Self::KeyCreated => "key_created",
            Self::KeyRevoked => "key_revoked",
            Self::Erased => "erased",
            Self::Exported => "exported",
            Self::SiteMoved => "site_moved",
        }
    }

    /// How the audit page says it.
    pub fn label(kind: &str) -> &'static str {
        match kind {
            "settings_saved" => "Settings saved",
            "recipient_added" => "Recipient added",
            "recipient_removed" => "Recipient removed",
            "person_added" => "Person added",
            "person_changed" => "Person changed",
            "person_removed" => "Person removed",
            "key_created" => "API key created",
            "key_revoked" => "API key revoked",
            "erased" => "Personal data erased",
            "site_moved" => "Site moved to its own database",
            "exported" => "Answers exported",
            "recipient_url_revealed" => "Recipient URL read",
            _ => "Change",
        }
    }
}

/// Who did it: a signed-in person, an API key, or the admin token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    Person { id: String, name: String },
    Key { id: String, name: String },
    AdminToken,
}

impl Actor {
    /// The stored `(actor, actor_name)`: a stable id and a readable name.
    pub fn stored(&self) -> (String, String) {
        match self {
            Self::Person { id, name } => (format!("person:{id}"), name.clone()),
            Self::Key { id, name } => (format!("key:{id}"), format!("API key “{name}”")),
            Self::AdminToken => ("admin_token".into(), "Admin token".into()),
        }
    }
}

/// One entry, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub actor: Actor,
    pub action: Action,
    /// What it was done to: a site key, a person's address, a key's name…
    pub target: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// A site's settings as the audit log keeps them: everything a manager set,
/// with recipient URLs masked to scheme and host (a chat webhook's path is
/// its credential) and no secrets (serde skips them).
pub fn site_view(config: &crate::site::SiteConfig) -> serde_json::Value {
    let mut v = serde_json::to_value(config).unwrap_or(serde_json::Value::Null);
    if let Some(recipients) = v
        .get_mut("recipients")
        .and_then(serde_json::Value::as_array_mut)
    {
        for r in recipients {
            if let Some(url) = r.get("url").and_then(serde_json::Value::as_str) {
                let masked = crate::recipient::mask_url(url);
                r["url"] = serde_json::Value::String(masked);
            }
        }
    }
    v
}

/// The view of settings as stored (read with today's rules; stored values
/// that no longer parse leave the "before" empty rather than guess).
pub fn stored_site_view(raw: crate::site::RawSiteConfig) -> Option<serde_json::Value> {
    crate::site::SiteConfig::parse(raw, true)
        .ok()
        .map(|c| site_view(&c))
}

/// One line of the audit page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditLine {
    pub at: crate::Timestamp,
    pub actor_name: String,
    pub action: String,
    pub target: String,
    /// What older rows (erasures, revealed URLs) say in words.
    pub note: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actors_are_stored_by_id_and_name() {
        let p = Actor::Person {
            id: "ab".into(),
            name: "Ana".into(),
        };
        assert_eq!(p.stored(), ("person:ab".into(), "Ana".into()));
        let k = Actor::Key {
            id: "cd".into(),
            name: "CRM".into(),
        };
        assert_eq!(k.stored().0, "key:cd");
        assert_eq!(Actor::AdminToken.stored().1, "Admin token");
    }

    #[test]
    fn a_site_view_masks_urls_and_keeps_no_secret() {
        let raw: crate::site::RawSiteConfig = serde_json::from_str(
            r#"{"origins":["https://shop.example.com"],"recipients":[{"role":"service_manager",
            "format":"webhook","url":"https://hooks.example.com/secret-path","secret":"whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"}],
            "turnstile":{"sitekey":"0x4AAAAAAA","secret":"0x4AAAAAAA-secret-turnstile"}}"#,
        )
        .unwrap();
        let config = crate::site::SiteConfig::parse(raw, false).unwrap();
        let text = site_view(&config).to_string();
        assert!(text.contains("https://hooks.example.com"), "{text}");
        for secret in ["secret-path", "whsec_", "secret-turnstile"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }

    #[test]
    fn every_action_has_a_label() {
        for a in [
            Action::SettingsSaved,
            Action::RecipientAdded,
            Action::RecipientRemoved,
            Action::PersonAdded,
            Action::PersonChanged,
            Action::PersonRemoved,
            Action::KeyCreated,
            Action::KeyRevoked,
            Action::Erased,
            Action::Exported,
            Action::SiteMoved,
        ] {
            assert_ne!(Action::label(a.as_str()), "Change", "{a:?}");
        }
    }
}
