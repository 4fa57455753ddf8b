//! Acknowledge deadlines per tier (DESIGN §2 rule 5).

use crate::Tier;
use serde::{Deserialize, Serialize};

/// Minutes each tier has to be acknowledged. A site may override any of the
/// defaults (president 15, senior 30, account 60, service 240).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SlaPolicy {
    pub service: u32,
    pub account: u32,
    pub senior: u32,
    pub president: u32,
}

impl Default for SlaPolicy {
    fn default() -> Self {
        Self {
            service: 240,
            account: 60,
            senior: 30,
            president: 15,
        }
    }
}

impl SlaPolicy {
    /// Parses a site's stored policy; anything unreadable falls back to the
    /// defaults rather than leaving a case without a deadline.
    pub fn from_json(raw: &str) -> Self {
        serde_json::from_str(raw).unwrap_or_default()
    }

    pub const fn ack_minutes(&self, tier: Tier) -> Option<u32> {
        match tier {
            Tier::None => None,
            Tier::Service => Some(self.service),
            Tier::Account => Some(self.account),
            Tier::Senior => Some(self.senior),
            Tier::President => Some(self.president),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_overrides() {
        let d = SlaPolicy::default();
        assert_eq!(d.ack_minutes(Tier::President), Some(15));
        assert_eq!(d.ack_minutes(Tier::None), None);
        let p = SlaPolicy::from_json(r#"{"senior": 5}"#);
        assert_eq!(p.ack_minutes(Tier::Senior), Some(5));
        assert_eq!(p.ack_minutes(Tier::Account), Some(60));
        assert_eq!(SlaPolicy::from_json("garbage"), d);
        for t in [Tier::Service, Tier::Account, Tier::Senior, Tier::President] {
            assert_eq!(d.ack_minutes(t), t.default_ack_minutes());
        }
    }
}
