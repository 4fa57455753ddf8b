//! Who owns a case: the person accountable for its next steps. A case is
//! owned by the first person to acknowledge it in the dashboard, or by whom
//! a manager assigns; every change of owner is an event. An acknowledgement
//! from a chat link names someone by what they typed, which proves no
//! account, so such a case is "acknowledged from chat, not yet owned" until
//! someone takes it.

use crate::people::{Need, Person};
use crate::DomainError;

/// A case's owner as the inbox and the case page show it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Owner {
    /// Nobody yet.
    #[default]
    Nobody,
    /// Acknowledged through a chat link, by this typed name; not owned.
    FromChat,
    Person {
        id: String,
        name: String,
    },
}

impl Owner {
    /// From the stored columns: the owner's id and name, and how the case
    /// was acknowledged (`chat` for an alert link).
    pub fn from_stored(id: Option<String>, name: Option<String>, ack_from: Option<&str>) -> Self {
        match (id, name) {
            (Some(id), Some(name)) => Self::Person { id, name },
            _ if ack_from == Some("chat") => Self::FromChat,
            _ => Self::Nobody,
        }
    }

    pub fn label(&self) -> String {
        match self {
            Self::Nobody => "Unassigned".to_owned(),
            Self::FromChat => "Acknowledged from chat, not yet owned".to_owned(),
            Self::Person { name, .. } => name.clone(),
        }
    }

    pub fn id(&self) -> Option<&str> {
        match self {
            Self::Person { id, .. } => Some(id),
            Self::Nobody | Self::FromChat => None,
        }
    }
}

/// The inbox's owner filter: `owner=mine` or `owner=unassigned`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OwnerFilter {
    #[default]
    Any,
    Mine,
    Unassigned,
}

impl OwnerFilter {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        match raw {
            "" | "any" => Ok(Self::Any),
            "mine" => Ok(Self::Mine),
            "unassigned" => Ok(Self::Unassigned),
            _ => Err(DomainError::invalid("owner", "mine, unassigned or any")),
        }
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Any => "any",
            Self::Mine => "mine",
            Self::Unassigned => "unassigned",
        }
    }
}

/// Whether `p` may own a case of `site`: someone who works cases there.
pub fn may_own(p: &Person, site: &str) -> bool {
    p.may(Need::Work) && p.sees(site)
}

/// The owner event's note: who took or was given the case.
pub fn note(by: &Person, to: &Person) -> String {
    if by.id == to.id {
        format!("{} took the case", to.name)
    } else {
        format!("{} assigned the case to {}", by.name, to.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::people::{account_email, Role, Sites};

    fn person(id: &str, name: &str, role: Role, sites: &str) -> Person {
        Person {
            id: id.into(),
            email: account_email(&format!("{id}@example.com")).unwrap(),
            name: name.into(),
            role,
            sites: Sites::parse(sites).unwrap(),
        }
    }

    #[test]
    fn the_stored_owner_reads_back() {
        let o = Owner::from_stored(Some("a".into()), Some("Ana".into()), Some("dashboard"));
        assert_eq!((o.label(), o.id()), ("Ana".into(), Some("a")));
        assert_eq!(
            Owner::from_stored(None, None, Some("chat")),
            Owner::FromChat
        );
        assert_eq!(Owner::from_stored(None, None, None).label(), "Unassigned");
        assert!(Owner::FromChat.label().contains("not yet owned"));
    }

    #[test]
    fn only_workers_of_the_site_may_own_it() {
        assert!(may_own(&person("m", "Mo", Role::Manager, "demo"), "demo"));
        assert!(!may_own(&person("m", "Mo", Role::Manager, "demo"), "shop"));
        assert!(!may_own(&person("v", "Vi", Role::Viewer, "demo"), "demo"));
        assert!(may_own(&person("o", "Olu", Role::Owner, ""), "shop"));
    }

    #[test]
    fn the_note_says_who_took_or_gave_it() {
        let a = person("a", "Ana", Role::Manager, "*");
        let b = person("b", "Bo", Role::Owner, "*");
        assert_eq!(note(&a, &a), "Ana took the case");
        assert_eq!(note(&b, &a), "Bo assigned the case to Ana");
    }

    #[test]
    fn the_filter_parses() {
        assert_eq!(OwnerFilter::parse("mine").unwrap(), OwnerFilter::Mine);
        assert_eq!(OwnerFilter::parse("").unwrap(), OwnerFilter::Any);
        assert!(OwnerFilter::parse("theirs").is_err());
    }
}
