//! Who is alerted: docs/product-rules.md#rule-3.

use crate::fields::Score;
use serde::{Deserialize, Serialize};

/// How far a response escalates. Ordered: a higher tier alerts everyone a
/// lower one does, and more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// Stored and thanked; no alert.
    None,
    /// The customer asked for a callback: the service manager.
    Service,
    /// Score 3: the client manager and the service manager.
    Account,
    /// Score 1–2: as `Account`, plus senior management.
    Senior,
    /// Guarantee invoked: as `Senior`, plus the president.
    President,
}

impl Tier {
    /// Rule 3, exactly: the guarantee outranks any score; a low score outranks
    /// a callback request; a callback alone still reaches the service manager.
    pub fn derive(score: Option<Score>, guarantee: bool, callback: bool) -> Self {
        if guarantee {
            return Self::President;
        }
        match score.map(Score::get) {
            Some(1 | 2) => Self::Senior,
            Some(3) => Self::Account,
            _ if callback => Self::Service,
            _ => Self::None,
        }
    }

    /// Whether this tier opens a case that someone must follow up.
    pub const fn opens_case(self) -> bool {
        !matches!(self, Self::None)
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Service => "service",
            Self::Account => "account",
            Self::Senior => "senior",
            Self::President => "president",
        }
    }

    pub const ALL: [Self; 5] = [
        Self::None,
        Self::Service,
        Self::Account,
        Self::Senior,
        Self::President,
    ];

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == raw)
    }

    /// The next level up when a case is not acknowledged in time (rule 5);
    /// `None` at the top, and for tier `none`, which has nobody to escalate from.
    pub const fn next_up(self) -> Option<Self> {
        match self {
            Self::None | Self::President => None,
            Self::Service => Some(Self::Account),
            Self::Account => Some(Self::Senior),
            Self::Senior => Some(Self::President),
        }
    }

    /// What the tier means, for a person reading an alert.
    pub const fn label(self) -> &'static str {
        match self {
            Self::None => "No follow-up",
            Self::Service => "Callback requested",
            Self::Account => "Score 3",
            Self::Senior => "Score 1\u{2013}2",
            Self::President => "Guarantee invoked",
        }
    }

    /// Who the tier reaches, in words ("re-escalated to senior management").
    pub const fn audience(self) -> &'static str {
        match self {
            Self::None => "nobody",
            Self::Service => "the service manager",
            Self::Account => "the client and service managers",
            Self::Senior => "senior management",
            Self::President => "the president",
        }
    }

    /// Default minutes to acknowledge (rule 5); `None` has no deadline.
    pub const fn default_ack_minutes(self) -> Option<u32> {
        match self {
            Self::None => None,
            Self::Service => Some(240),
            Self::Account => Some(60),
            Self::Senior => Some(30),
            Self::President => Some(15),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(clippy::unnecessary_wraps)] // sits in one array with `None`
    fn score(n: i64) -> Option<Score> {
        Some(Score::try_from(n).unwrap())
    }

    #[test]
    fn every_combination_follows_rule_three() {
        let scores = [None, score(1), score(2), score(3), score(4), score(5)];
        for s in scores {
            for guarantee in [false, true] {
                for callback in [false, true] {
                    let expected = match (guarantee, s.map(Score::get), callback) {
                        (true, _, _) => Tier::President,
                        (false, Some(1 | 2), _) => Tier::Senior,
                        (false, Some(3), _) => Tier::Account,
                        (false, _, true) => Tier::Service,
                        (false, _, false) => Tier::None,
                    };
                    assert_eq!(
                        Tier::derive(s, guarantee, callback),
                        expected,
                        "{s:?} {guarantee} {callback}"
                    );
                }
            }
        }
    }

    #[test]
    fn tiers_are_ordered_by_reach() {
        assert!(Tier::None < Tier::Service);
        assert!(Tier::Service < Tier::Account);
        assert!(Tier::Account < Tier::Senior);
        assert!(Tier::Senior < Tier::President);
        assert!(!Tier::None.opens_case());
        assert!(Tier::Service.opens_case());
        for t in Tier::ALL {
            assert_eq!(Tier::parse(t.as_str()), Some(t));
        }
        assert_eq!(Tier::parse("gold"), None);
    }

    #[test]
    fn re_escalation_climbs_one_level_at_a_time_and_stops_at_the_president() {
        assert_eq!(Tier::None.next_up(), None);
        assert_eq!(Tier::Service.next_up(), Some(Tier::Account));
        assert_eq!(Tier::Account.next_up(), Some(Tier::Senior));
        assert_eq!(Tier::Senior.next_up(), Some(Tier::President));
        assert_eq!(Tier::President.next_up(), None);
        for t in Tier::ALL {
            if let Some(up) = t.next_up() {
                assert!(up > t);
                // The level above reaches everyone the level below did.
                assert!(t.roles().iter().all(|r| up.roles().contains(r)));
            }
        }
    }
}
