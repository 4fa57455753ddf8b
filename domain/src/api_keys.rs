//! API keys: how integrations reach the managers' API instead of the shared
//! admin token. A key is `cnd_<id>_<secret>`; it is shown once, and only
//! the SHA-256 of its secret is stored, so the table opens nothing. A key
//! reads, or reads and writes; it never manages people or keys.

use crate::fields::short_text;
use crate::DomainError;
use serde::{Deserialize, Serialize};

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// `GET` only.
    Read,
    /// Every managers' API route but people.
    Write,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
        }
    }

    /// Whether a request with this method is within the scope.
    pub fn allows(self, method: &str) -> bool {
        self == Self::Write || matches!(method, "GET" | "HEAD")
    }
}

impl TryFrom<&str> for Scope {
    type Error = DomainError;
    fn try_from(raw: &str) -> Result<Self, Self::Error> {
        match raw {
            "read" => Ok(Self::Read),
            "write" => Ok(Self::Write),
            _ => Err(DomainError::invalid("scope", "is read or write")),
        }
    }
}

/// A key as the People page lists it (never its secret or hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyLine {
    pub id: String,
    pub name: String,
    pub scope: String,
    pub created_at: crate::Timestamp,
    pub created_by: String,
    pub revoked_at: Option<crate::Timestamp>,
}

/// The owner's form to make a key: `name=…&scope=read|write`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewKey {
    pub name: String,
    pub scope: Scope,
}

impl NewKey {
    pub fn parse(body: &str) -> Result<Self, DomainError> {
        let field = |k: &str| crate::form::form_field(body, k).unwrap_or_default();
        let name = short_text("name", &field("name"), 60)?
            .ok_or_else(|| DomainError::invalid("name", "name the key after what uses it"))?;
        Ok(Self {
            name,
            scope: Scope::try_from(field("scope").as_str())?,
        })
    }
}

/// A key as presented in `Authorization: Bearer cnd_<id>_<secret>`.
#[derive(Clone, PartialEq, Eq)]
pub struct PresentedKey {
    pub id: String,
    secret: String,
}

impl std::fmt::Debug for PresentedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PresentedKey({}, ..)", self.id)
    }
}

fn hex_of_len(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

impl PresentedKey {
    /// `None` for anything not shaped like one of our keys (the caller
    /// then compares it with the admin token).
    pub fn parse(token: &str) -> Option<Self> {
        let rest = token.strip_prefix("cnd_")?;
        let (id, secret) = rest.split_once('_')?;
        (hex_of_len(id, 16) && hex_of_len(secret, 64)).then(|| Self {
            id: id.to_owned(),
            secret: secret.to_owned(),
        })
    }

    /// A new key from random hex the caller drew: the full key (shown
    /// once) and what is stored.
    pub fn mint(id_hex: &str, secret_hex: &str) -> Result<(String, Self), DomainError> {
        let key = format!("cnd_{id_hex}_{secret_hex}");
        let parsed = Self::parse(&key)
            .ok_or_else(|| DomainError::invalid("key", "needs 16 + 64 hex characters"))?;
        Ok((key, parsed))
    }

    /// The stored hash of the secret.
    pub fn hash(&self) -> String {
        crate::digest::sha256_hex(&["candor-api-key-v1", &self.id, &self.secret])
    }

    /// Whether this key's secret is the one whose hash is stored, in
    /// constant time.
    pub fn matches(&self, stored_hash: &str) -> bool {
        crate::auth::secrets_match(&self.hash(), stored_hash)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ID: &str = "0123456789abcdef";
    const SECRET: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    #[test]
    fn a_minted_key_parses_and_matches_only_its_hash() {
        let (key, k) = PresentedKey::mint(ID, SECRET).unwrap();
        assert_eq!(key, format!("cnd_{ID}_{SECRET}"));
        let presented = PresentedKey::parse(&key).unwrap();
        assert!(presented.matches(&k.hash()));
        let (_, other) = PresentedKey::mint(ID, &SECRET.replace('0', "1")).unwrap();
        assert!(!other.matches(&k.hash()));
        assert!(!k.hash().contains(SECRET));
        assert!(!format!("{presented:?}").contains(SECRET));
    }

    #[test]
    fn other_tokens_are_not_keys() {
        for t in [
            "dev-admin-token",
            "cnd_",
            &format!("cnd_{ID}"),
            &format!("cnd_{ID}_{}", &SECRET[1..]),
            &format!("cnd_{}_{SECRET}", ID.to_uppercase()),
        ] {
            assert!(PresentedKey::parse(t).is_none(), "{t}");
        }
        assert!(PresentedKey::mint("xyz", SECRET).is_err());
    }

    #[test]
    fn scopes_and_the_form() {
        assert!(Scope::Read.allows("GET") && !Scope::Read.allows("POST"));
        assert!(Scope::Write.allows("DELETE"));
        let k = NewKey::parse("name=CRM+sync&scope=write").unwrap();
        assert_eq!((k.name.as_str(), k.scope), ("CRM sync", Scope::Write));
        assert!(NewKey::parse("name=&scope=read").is_err());
        assert!(NewKey::parse("name=x&scope=admin").is_err());
    }

    proptest! {
        #[test]
        fn parsing_never_panics(t in ".{0,120}") {
            let _ = PresentedKey::parse(&t);
            let _ = NewKey::parse(&t);
        }
    }
}
