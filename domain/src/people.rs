//! The people who work cases: their account, their role and the sites they
//! may see, and what each role may do
//! ([accounts and roles](../../docs/accounts.md)).
//!
//! A route asks for a [`Need`]; a person's [`Role`] grants it or not, and
//! [`Person::sees`] says whether a site is theirs. Nothing here knows a URL:
//! the Worker's route table maps each route to its need.

use crate::fields::{short_text, Email, SiteKey};
use crate::DomainError;
use serde::{Deserialize, Serialize};

/// What a person may do, from most to least.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, on every site: people, keys and settings too.
    Owner,
    /// Works cases on their sites.
    Manager,
    /// Reads their sites only.
    Viewer,
}

impl Role {
    pub const ALL: [Self; 3] = [Self::Owner, Self::Manager, Self::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Manager => "manager",
            Self::Viewer => "viewer",
        }
    }

    /// Whether this role may do what a route needs.
    pub fn grants(self, need: Need) -> bool {
        match need {
            Need::Read => true,
            Need::Work => matches!(self, Self::Owner | Self::Manager),
            Need::Own => self == Self::Owner,
        }
    }

    /// Whether moving from `self` to `to` takes something away, so the
    /// person's sessions must end at once.
    pub fn is_lowered_to(self, to: Self) -> bool {
        to > self
    }
}

impl TryFrom<&str> for Role {
    type Error = DomainError;
    fn try_from(raw: &str) -> Result<Self, Self::Error> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == raw)
            .ok_or_else(|| DomainError::invalid("role", "is owner, manager or viewer"))
    }
}

/// What a route needs of the person asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Reading cases, answers and insights of one's sites.
    Read,
    /// Taking a step on a case of one's sites.
    Work,
    /// Settings, people, keys, erasure and export: owners only.
    Own,
}

/// The sites a person may see. Owners see every site, whatever is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sites {
    All,
    Only(Vec<SiteKey>),
}

/// At most this many sites in one person's list.
pub const MAX_SITES: usize = 100;

impl Sites {
    /// Parses the stored or posted list: `*` (or nothing, for an owner) is
    /// every site; otherwise site keys separated by commas, spaces or lines.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let raw = raw.trim();
        if raw == "*" {
            return Ok(Self::All);
        }
        let mut keys: Vec<SiteKey> = Vec::new();
        for part in raw.split(|c: char| c == ',' || c.is_whitespace()) {
            if part.is_empty() {
                continue;
            }
            let key = SiteKey::try_from(part).map_err(|_| {
                DomainError::invalid("sites", format!("{part:?} is not a site key"))
            })?;
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        if keys.len() > MAX_SITES {
            return Err(DomainError::invalid(
                "sites",
                format!("at most {MAX_SITES} sites"),
            ));
        }
        Ok(Self::Only(keys))
    }

    /// The stored form, which [`Sites::parse`] reads back.
    pub fn to_stored(&self) -> String {
        match self {
            Self::All => "*".to_owned(),
            Self::Only(keys) => keys
                .iter()
                .map(SiteKey::as_str)
                .collect::<Vec<_>>()
                .join(","),
        }
    }
}

/// A person's account, as the Worker reads it for every request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// 32 hex characters, random, from the caller.
    pub id: String,
    pub email: Email,
    /// What every step they take is signed with.
    pub name: String,
    pub role: Role,
    pub sites: Sites,
}

impl Person {
    /// Whether the person may do what a route needs (their sites aside).
    pub fn may(&self, need: Need) -> bool {
        self.role.grants(need)
    }

    /// Whether `site` is one of theirs.
    pub fn sees(&self, site: &str) -> bool {
        match (&self.role, &self.sites) {
            (Role::Owner, _) | (_, Sites::All) => true,
            (_, Sites::Only(keys)) => keys.iter().any(|k| k.as_str() == site),
        }
    }

    /// The sites a list should be limited to: `None` for every site.
    pub fn scope(&self) -> Option<Vec<String>> {
        match (&self.role, &self.sites) {
            (Role::Owner, _) | (_, Sites::All) => None,
            (_, Sites::Only(keys)) => Some(keys.iter().map(|k| k.as_str().to_owned()).collect()),
        }
    }
}

/// A person as the managers' API shows them: `sites` is `["*"]` for every
/// site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonView {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub sites: Vec<String>,
}

impl From<&Person> for PersonView {
    fn from(p: &Person) -> Self {
        let sites = match (&p.role, &p.sites) {
            (Role::Owner, _) | (_, Sites::All) => vec!["*".to_owned()],
            (_, Sites::Only(keys)) => keys.iter().map(|k| k.as_str().to_owned()).collect(),
        };
        Self {
            id: p.id.clone(),
            email: p.email.as_str().to_owned(),
            name: p.name.clone(),
            role: p.role,
            sites,
        }
    }
}

/// The list `GET /v1/admin/people` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct People {
    pub people: Vec<PersonView>,
}

/// A sign-in address: an email address, trimmed and lower-cased, so one
/// person is one account however they type it.
pub fn account_email(raw: &str) -> Result<Email, DomainError> {
    Email::try_from(raw.trim().to_lowercase().as_str())
        .map_err(|_| DomainError::invalid("email", "is not an email address"))
}

/// A display name: what every step they take shows. 1–80 characters.
pub fn display_name(raw: &str) -> Result<String, DomainError> {
    short_text("name", raw, 80)?
        .ok_or_else(|| DomainError::invalid("name", "say who this is: it is shown on every step"))
}

/// A new account, as the admin API or the people page posts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPerson {
    pub email: Email,
    pub name: String,
    pub role: Role,
    pub sites: Sites,
}

/// The admin API's body: `{"email", "name", "role", "sites": ["demo"] | "*"}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPerson {
    email: String,
    name: String,
    role: String,
    #[serde(default)]
    sites: Option<serde_json::Value>,
}

impl NewPerson {
    pub fn from_parts(
        email: &str,
        name: &str,
        role: &str,
        sites: &str,
    ) -> Result<Self, DomainError> {
        let role = Role::try_from(role)?;
        let sites = if role == Role::Owner {
            Sites::All
        } else {
            Sites::parse(sites)?
        };
        Ok(Self {
            email: account_email(email)?,
            name: display_name(name)?,
            role,
            sites,
        })
    }

    /// Parses the admin API's JSON body.
    pub fn from_json(body: &str) -> Result<Self, DomainError> {
        let raw: RawPerson = crate::wire::from_object(body.as_bytes())
            .map_err(|e| DomainError::invalid("body", e.to_string()))?;
        let sites = match raw.sites {
            None => String::new(),
            Some(serde_json::Value::String(s)) => s,
            Some(serde_json::Value::Array(items)) => {
                let mut keys = Vec::with_capacity(items.len());
                for item in items {
                    let serde_json::Value::String(s) = item else {
                        return Err(DomainError::invalid("sites", "is a list of site keys"));
                    };
                    keys.push(s);
                }
                keys.join(",")
            }
            Some(_) => {
                return Err(DomainError::invalid(
                    "sites",
                    "is a list of site keys or \"*\"",
                ))
            }
        };
        Self::from_parts(&raw.email, &raw.name, &raw.role, &sites)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn person(role: Role, sites: &str) -> Person {
        Person {
            id: "0".repeat(32),
            email: account_email("ana@example.com").unwrap(),
            name: "Ana".into(),
            role,
            sites: Sites::parse(sites).unwrap(),
        }
    }

    #[test]
    fn each_role_grants_what_it_says() {
        let table = [
            (Role::Owner, [true, true, true]),
            (Role::Manager, [true, true, false]),
            (Role::Viewer, [true, false, false]),
        ];
        for (role, want) in table {
            let got = [Need::Read, Need::Work, Need::Own].map(|n| role.grants(n));
            assert_eq!(got, want, "{role:?}");
        }
    }

    #[test]
    fn lowering_a_role_is_any_step_down() {
        assert!(Role::Owner.is_lowered_to(Role::Manager));
        assert!(Role::Manager.is_lowered_to(Role::Viewer));
        assert!(!Role::Viewer.is_lowered_to(Role::Manager));
        assert!(!Role::Manager.is_lowered_to(Role::Manager));
    }

    #[test]
    fn people_see_their_sites_and_owners_see_all() {
        let m = person(Role::Manager, "demo, shop");
        assert!(m.sees("demo") && m.sees("shop") && !m.sees("other"));
        assert_eq!(m.scope(), Some(vec!["demo".into(), "shop".into()]));
        let none = person(Role::Viewer, "");
        assert!(!none.sees("demo"));
        assert_eq!(none.scope(), Some(vec![]));
        let owner = person(Role::Owner, "demo");
        assert!(owner.sees("other"));
        assert_eq!(owner.scope(), None);
        assert_eq!(person(Role::Viewer, "*").scope(), None);
    }

    #[test]
    fn the_site_list_round_trips_and_refuses_junk() {
        let s = Sites::parse("demo\nshop,demo").unwrap();
        assert_eq!(s.to_stored(), "demo,shop");
        assert_eq!(Sites::parse(&s.to_stored()).unwrap(), s);
        assert_eq!(Sites::parse(" * ").unwrap(), Sites::All);
        assert!(Sites::parse("demo, <b>").is_err());
    }

    #[test]
    fn a_new_person_is_parsed_whole() {
        let p =
            NewPerson::from_json(r#"{"email":" Owner@Example.COM ","name":"Olu","role":"owner"}"#)
                .unwrap();
        assert_eq!(p.email.as_str(), "owner@example.com");
        assert_eq!((p.role, p.sites), (Role::Owner, Sites::All));
        let m = NewPerson::from_json(
            r#"{"email":"m@example.com","name":"Mo","role":"manager","sites":["demo"]}"#,
        )
        .unwrap();
        assert_eq!(m.sites.to_stored(), "demo");
        for bad in [
            r#"{"email":"nope","name":"Mo","role":"manager"}"#,
            r#"{"email":"m@example.com","name":"","role":"manager"}"#,
            r#"{"email":"m@example.com","name":"Mo","role":"admin"}"#,
            r#"{"email":"m@example.com","name":"Mo","role":"viewer","sites":[1]}"#,
            r#"{"email":"m@example.com","name":"Mo","role":"viewer","extra":1}"#,
        ] {
            assert!(NewPerson::from_json(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn site_lists_never_panic_and_round_trip(raw in ".{0,200}") {
            if let Ok(s) = Sites::parse(&raw) {
                prop_assert_eq!(Sites::parse(&s.to_stored()).unwrap(), s);
            }
        }
    }
}
