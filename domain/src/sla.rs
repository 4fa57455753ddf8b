//! Acknowledge deadlines per tier (docs/product-rules.md#rule-5).

use crate::{Tier, Timestamp};
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

/// One step up (rule 5): the case goes to `to`, the alert says it was "not
/// acknowledged within `minutes` min", and `to` gets its own deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Escalation {
    pub to: Tier,
    pub minutes: u32,
    pub next_due: Timestamp,
}

impl SlaPolicy {
    /// What an unacknowledged case at `level`, due at `due`, needs at `now`:
    /// nothing before the deadline, one level up after it, and nothing more
    /// at the top. Each level is passed once because the caller stores `to`
    /// as the case's new level.
    pub fn escalation(&self, level: Tier, due: Timestamp, now: Timestamp) -> Option<Escalation> {
        if now < due {
            return None;
        }
        let to = level.next_up()?;
        Some(Escalation {
            to,
            minutes: self.ack_minutes(level)?,
            next_due: now.plus_minutes(self.ack_minutes(to).unwrap_or(0)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::Score;
    use crate::recipient::Role;

    #[test]
    fn every_answer_escalates_once_per_level_up_to_the_president() {
        let policy =
            SlaPolicy::from_json(r#"{"service": 1, "account": 2, "senior": 3, "president": 4}"#);
        let scores = [None, Some(1), Some(2), Some(3), Some(4), Some(5)];
        for score in scores {
            for guarantee in [false, true] {
                for callback in [false, true] {
                    let s = score.map(|n| Score::try_from(n).unwrap());
                    let tier = Tier::derive(s, guarantee, callback);
                    let mut level = tier;
                    let mut now = Timestamp::from_millis(0);
                    let mut due = policy.ack_minutes(tier).map(|m| now.plus_minutes(m));
                    let mut path = vec![level];
                    // A cron that runs every minute for a day, twice a minute.
                    for minute in 0..(24 * 60 * 2) {
                        now = Timestamp::from_millis(minute * 30_000);
                        let Some(d) = due else { break };
                        if let Some(up) = policy.escalation(level, d, now) {
                            assert_eq!(up.minutes, policy.ack_minutes(level).unwrap());
                            assert!(up.to > level);
                            level = up.to;
                            due = Some(up.next_due);
                            path.push(level);
                        }
                    }
                    let expected: Vec<Tier> = match tier {
                        Tier::None => vec![Tier::None],
                        t => Tier::ALL.into_iter().filter(|&l| l >= t).collect(),
                    };
                    assert_eq!(path, expected, "{score:?} {guarantee} {callback}");
                    // Whoever the first alert reached, every later one reaches too.
                    let first: Vec<Role> = tier.roles().to_vec();
                    assert!(first.iter().all(|r| level.roles().contains(r)));
                }
            }
        }
    }

    #[test]
    fn nothing_happens_before_the_deadline() {
        let p = SlaPolicy::default();
        let due = Timestamp::from_millis(60_000);
        assert_eq!(
            p.escalation(Tier::Senior, due, Timestamp::from_millis(59_999)),
            None
        );
        let up = p.escalation(Tier::Senior, due, due).unwrap();
        assert_eq!((up.to, up.minutes), (Tier::President, 30));
        assert_eq!(up.next_due, due.plus_minutes(15));
        assert_eq!(p.escalation(Tier::President, due, due), None);
        assert_eq!(p.escalation(Tier::None, due, due), None);
    }

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
