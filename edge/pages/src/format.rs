//! Small pieces every dashboard page writes the same way: times, spans of
//! time, tier and state labels.

use domain::case::CaseState;
use domain::{Tier, Timestamp};
use maud::{html, Markup};

/// A span of time for a person: "under a minute", "12 min", "3 h 5 min",
/// "2 d 4 h". Negative spans read as their size.
pub fn span(ms: i64) -> String {
    let minutes = ms.unsigned_abs() / 60_000;
    let (d, h, m) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    match (d, h, m) {
        (0, 0, 0) => "under a minute".into(),
        (0, 0, m) => format!("{m} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, 0, _) => format!("{d} d"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

/// A moment, readable without JavaScript (UTC); the script shows it in the
/// reader's time zone.
pub fn when(t: Timestamp) -> Markup {
    let iso = t.to_rfc3339();
    let shown = format!(
        "{} {} UTC",
        iso.get(..10).unwrap_or_default(),
        iso.get(11..16).unwrap_or_default()
    );
    html! { time datetime=(iso) { (shown) } }
}

pub fn tier_tag(tier: Tier) -> Markup {
    html! { span class={ "tag tier-" (tier.as_str()) } { (tier.label()) } }
}

pub const fn state_label(state: CaseState) -> &'static str {
    match state {
        CaseState::Open => "Waiting for acknowledgement",
        CaseState::Acknowledged => "Acknowledged: call the customer",
        CaseState::Contacted => "Contacted: send the report",
        CaseState::NoContact => "No contact possible: send the internal report",
        CaseState::ReportSent => "Report sent: find the root cause",
        CaseState::Closed => "Closed",
    }
}

/// "Score 2 of 5" or "No score": a missing score is a fact, not a zero.
pub fn score_text(score: Option<u8>) -> String {
    score.map_or_else(|| "No score".to_owned(), |s| format!("Score {s} of 5"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_read_like_a_person_says_them() {
        assert_eq!(span(20_000), "under a minute");
        assert_eq!(span(-12 * 60_000), "12 min");
        assert_eq!(span(3 * 3_600_000 + 5 * 60_000), "3 h 5 min");
        assert_eq!(span(2 * 3_600_000), "2 h");
        assert_eq!(span(2 * 86_400_000 + 4 * 3_600_000 + 60_000), "2 d 4 h");
        assert_eq!(span(i64::MIN), span(i64::MAX), "no overflow at the ends");
    }

    #[test]
    fn times_are_utc_with_a_machine_readable_twin() {
        let t = Timestamp::from_millis(1_795_422_697_000);
        assert_eq!(
            when(t).into_string(),
            "<time datetime=\"2026-11-23T08:31:37.000Z\">2026-11-23 08:31 UTC</time>"
        );
        assert_eq!(score_text(None), "No score");
        assert_eq!(score_text(Some(3)), "Score 3 of 5");
    }
}
