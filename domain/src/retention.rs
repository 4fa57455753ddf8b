//! Retention: a site may have its customers' personal data erased a set
//! number of days after each answer (off by default). The cron erases what
//! is due in bounded chunks, the same erasure as one on request: the words,
//! name, email, phone, contact keys, page and transaction reference go; the
//! anonymous record (time, tier, score, case and its audit trail) stays.
//!
//! An answer whose case is still open keeps its data until the case is
//! closed: the managers still owe that customer a callback and a report.

use crate::Timestamp;

/// The longest retention a site may set: ten years. `0` is off.
pub const MAX_RETENTION_DAYS: u32 = 3_650;

/// How many answers one cron tick erases at most, across all sites, so a
/// site turning retention on over years of answers never holds D1's single
/// writer for long: the backlog drains a chunk a minute.
pub const CHUNK: u32 = 200;

const DAY_MS: i64 = 86_400_000;

/// Answers received before this instant are due for erasure; `None` when
/// the site keeps personal data (retention off).
pub fn cutoff(days: u32, now: Timestamp) -> Option<Timestamp> {
    (days > 0).then(|| Timestamp::from_millis(now.millis() - i64::from(days) * DAY_MS))
}

/// How the audit trail says why (it follows "personal data erased").
pub fn note(days: u32) -> String {
    let unit = if days == 1 { "day" } else { "days" };
    format!("after {days} {unit} (the site's retention)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_keeps_everything() {
        assert_eq!(cutoff(0, Timestamp::from_millis(10 * DAY_MS)), None);
    }

    #[test]
    fn the_cutoff_is_whole_days_before_now() {
        let now = Timestamp::from_millis(100 * DAY_MS + 5);
        assert_eq!(
            cutoff(30, now),
            Some(Timestamp::from_millis(70 * DAY_MS + 5))
        );
        assert_eq!(
            cutoff(MAX_RETENTION_DAYS, now),
            Some(Timestamp::from_millis(now.millis() - 3_650 * DAY_MS))
        );
    }

    #[test]
    fn the_note_says_how_long() {
        assert_eq!(note(1), "after 1 day (the site's retention)");
        assert_eq!(note(90), "after 90 days (the site's retention)");
    }
}
