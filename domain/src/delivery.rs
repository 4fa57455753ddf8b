//! How an alert is delivered (docs/wire-contract.md#delivery): the retry schedule, which
//! answers end the attempts, and how a receiver's `Retry-After` stretches it.
//! The edge's queue consumer asks these questions; the answers live here.

use crate::recipient::Role;
use crate::{DomainError, Timestamp};

/// The longest delay a Cloudflare Queue accepts for a retry (12 h).
pub const MAX_DELAY_SECS: u32 = 43_200;

/// Seconds to wait before each attempt: attempt 1 goes at once, attempt 2
/// after `delays[1]`, and so on; after the last one the alert is dead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule(Vec<u32>);

impl Default for Schedule {
    /// Immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h.
    fn default() -> Self {
        Self(vec![0, 5, 300, 1_800, 7_200, 18_000, 36_000])
    }
}

impl TryFrom<&str> for Schedule {
    type Error = DomainError;
    /// A comma-separated list of seconds (`"0,1,1,2"`): tests and local
    /// development shorten the schedule; production never sets it.
    fn try_from(raw: &str) -> Result<Self, Self::Error> {
        let err = || {
            DomainError::invalid(
                "schedule",
                "must be 1-20 comma-separated delays in seconds, each at most 43200",
            )
        };
        let delays = raw
            .split(',')
            .map(|d| d.trim().parse::<u32>().map_err(|_| err()))
            .collect::<Result<Vec<_>, _>>()?;
        if delays.is_empty() || delays.len() > 20 || delays.iter().any(|&d| d > MAX_DELAY_SECS) {
            return Err(err());
        }
        Ok(Self(delays))
    }
}

impl Schedule {
    /// How many attempts an alert gets before it goes to the dead letters.
    pub fn attempts(&self) -> u32 {
        u32::try_from(self.0.len()).unwrap_or(u32::MAX)
    }

    /// What to do after attempt `done` (1-based) failed and may be retried:
    /// wait this many seconds, or `None` when the attempts are used up. A
    /// receiver's `Retry-After` can only lengthen the wait, never shorten it.
    pub fn next_delay(&self, done: u32, retry_after: Option<u32>) -> Option<u32> {
        let planned = *self.0.get(usize::try_from(done).ok()?)?;
        Some(planned.max(retry_after.unwrap_or(0)).min(MAX_DELAY_SECS))
    }
}

/// What one HTTP answer (or its absence) means for the alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// 2xx: delivered; never sent again.
    Delivered,
    /// The URL is wrong or gone (400, 403, 404, 410, or a redirect, which is
    /// never followed): retrying cannot help, so it stops at once.
    Permanent,
    /// Anything else (5xx, 429, timeouts, resets): try again later, no sooner
    /// than the receiver asked.
    Retry { after_secs: Option<u32> },
}

impl Outcome {
    /// `status` is `None` when no answer came (network error or timeout).
    pub fn of(status: Option<u16>, retry_after: Option<u32>) -> Self {
        match status {
            Some(200..=299) => Self::Delivered,
            Some(300..=399 | 400 | 403 | 404 | 410) => Self::Permanent,
            _ => Self::Retry {
                after_secs: retry_after,
            },
        }
    }
}

/// A `Retry-After` header: delta-seconds or an HTTP-date, relative to `now`.
/// Unreadable values are ignored (the schedule still applies).
pub fn parse_retry_after(raw: &str, now: Timestamp) -> Option<u32> {
    let raw = raw.trim();
    if let Ok(secs) = raw.parse::<u64>() {
        return Some(u32::try_from(secs).unwrap_or(u32::MAX).min(MAX_DELAY_SECS));
    }
    let at = Timestamp::parse_http_date(raw)?;
    let secs = (at.millis() - now.millis()).max(0).div_euclid(1000);
    Some(u32::try_from(secs).unwrap_or(u32::MAX).min(MAX_DELAY_SECS))
}

/// A role of the alert's level that has no recipient at all: the alert
/// cannot reach those people, and managers must see it as a dead letter
/// (listed with the others, retried once a recipient exists). Its
/// recipient id names the role; `recipient_id` newtypes refuse the prefix,
/// so it never collides with a real recipient.
pub fn no_recipient(role: Role) -> (String, String) {
    (
        format!("{NO_RECIPIENT_PREFIX}{}", role.as_str()),
        format!("no recipient for {}", role.audience()),
    )
}

/// The prefix of [`no_recipient`]'s ids.
pub const NO_RECIPIENT_PREFIX: &str = "no-recipient-";

/// An alert that will never arrive at one recipient, as stored in
/// `dead_letters`: what Settings lists with a Retry and what
/// `GET /v1/admin/dead-letters` answers with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    pub alert_id: String,
    pub recipient_id: String,
    pub case_id: String,
    pub why: String,
    /// The last HTTP status the recipient answered, if it answered at all.
    pub last_status: Option<u16>,
    pub at: Timestamp,
}

/// How long a consumer may hold its claim on one delivery: the call's
/// timeout and a margin for the writes around it. Until it passes no other
/// consumer starts an attempt for the same alert and recipient.
pub const fn claim_lease_secs(timeout_secs: u32) -> u32 {
    timeout_secs.saturating_mul(2).saturating_add(10)
}

/// How long the queue waits before redelivering a message whose attempt
/// failed on our side (D1 unreachable or overloaded), given how long ago the
/// message was first sent: as long again, at least 10 s and at most 15
/// minutes. The waits double, so the queue's ten retries span most of an
/// hour rather than seconds, and a D1 outage that long loses no alert to
/// the dead-letter queue.
pub fn storage_retry_delay(waited_secs: u64) -> u32 {
    u32::try_from(waited_secs.clamp(10, 900)).unwrap_or(900)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_level_without_a_recipient_names_who_is_missing() {
        let (id, why) = no_recipient(Role::SeniorManagement);
        assert_eq!(id, "no-recipient-senior_management");
        assert_eq!(why, "no recipient for senior management");
        assert_eq!(
            no_recipient(Role::President).1,
            "no recipient for the president"
        );
        // No real recipient can have that id.
        for role in Role::ALL {
            let (id, _) = no_recipient(role);
            assert!(crate::recipient::RecipientId::try_from(id.as_str()).is_err());
        }
        assert!(crate::recipient::RecipientId::try_from("no-recipient-x").is_ok());
    }

    #[test]
    fn storage_trouble_backs_off_to_fifteen_minutes() {
        // Ten retries, each waiting as long as the message already has.
        let mut waited = 0u64;
        let mut waits = Vec::new();
        for _ in 0..10 {
            let wait = storage_retry_delay(waited);
            waits.push(wait);
            waited += u64::from(wait);
        }
        assert_eq!(waits, [10, 10, 20, 40, 80, 160, 320, 640, 900, 900]);
        assert!(waited > 3_000, "{waited}");
        assert_eq!(storage_retry_delay(u64::MAX), 900);
    }

    #[test]
    fn a_claim_outlives_its_call() {
        assert_eq!(claim_lease_secs(10), 30);
        assert_eq!(claim_lease_secs(u32::MAX), u32::MAX);
    }

    #[test]
    fn production_schedule_is_the_designed_one() {
        let s = Schedule::default();
        assert_eq!(s.attempts(), 7);
        let waits: Vec<_> = (1..=7).map(|done| s.next_delay(done, None)).collect();
        assert_eq!(
            waits,
            [
                Some(5),
                Some(300),
                Some(1_800),
                Some(7_200),
                Some(18_000),
                Some(36_000),
                None
            ]
        );
    }

    #[test]
    fn retry_after_lengthens_but_never_shortens() {
        let s = Schedule::default();
        assert_eq!(s.next_delay(1, Some(60)), Some(60));
        assert_eq!(s.next_delay(2, Some(60)), Some(300));
        assert_eq!(s.next_delay(1, Some(999_999)), Some(MAX_DELAY_SECS));
        assert_eq!(s.next_delay(7, Some(1)), None);
    }

    #[test]
    fn test_schedules_parse_and_bad_ones_are_refused() {
        let s = Schedule::try_from("0, 1,2").unwrap();
        assert_eq!(s.attempts(), 3);
        assert_eq!(s.next_delay(1, None), Some(1));
        for bad in ["", "1,,2", "-1", "a", "43201", &"1,".repeat(20)] {
            assert!(Schedule::try_from(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn answers_are_classified_as_designed() {
        assert_eq!(Outcome::of(Some(200), None), Outcome::Delivered);
        assert_eq!(Outcome::of(Some(204), Some(3)), Outcome::Delivered);
        for permanent in [301, 302, 400, 403, 404, 410] {
            assert_eq!(
                Outcome::of(Some(permanent), None),
                Outcome::Permanent,
                "{permanent}"
            );
        }
        for transient in [401, 408, 409, 429, 500, 502, 503] {
            assert_eq!(
                Outcome::of(Some(transient), Some(7)),
                Outcome::Retry {
                    after_secs: Some(7)
                }
            );
        }
        assert_eq!(Outcome::of(None, None), Outcome::Retry { after_secs: None });
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = Timestamp::parse_since("2026-11-23T08:00:00Z").unwrap();
        assert_eq!(parse_retry_after("120", now), Some(120));
        assert_eq!(parse_retry_after(" 0 ", now), Some(0));
        assert_eq!(
            parse_retry_after("Mon, 23 Nov 2026 08:01:30 GMT", now),
            Some(90)
        );
        assert_eq!(
            parse_retry_after("Mon, 23 Nov 2026 07:00:00 GMT", now),
            Some(0)
        );
        assert_eq!(parse_retry_after("99999999999", now), Some(MAX_DELAY_SECS));
        for junk in ["", "soon", "-5", "1.5", "Mon, 32 Nov 2026 08:01:30 GMT"] {
            assert_eq!(parse_retry_after(junk, now), None, "{junk}");
        }
    }

    proptest! {
        #[test]
        fn any_retry_after_text_is_safe(raw in ".{0,40}", done in 0u32..30, now in 0i64..4_000_000_000_000) {
            let after = parse_retry_after(&raw, Timestamp::from_millis(now));
            prop_assert!(after.is_none_or(|s| s <= MAX_DELAY_SECS));
            if let Some(d) = Schedule::default().next_delay(done, after) {
                prop_assert!(d <= MAX_DELAY_SECS);
                prop_assert!(d >= after.unwrap_or(0).min(MAX_DELAY_SECS));
            }
        }
    }
}
