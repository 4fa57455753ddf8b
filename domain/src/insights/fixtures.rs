//! Hand-made answers and cases around a fixed `NOW`, for the tests of
//! the figures (here) and of the page that draws them (`candor-pages`,
//! through the `fixtures` feature): one set of helpers, not two.

use super::{AnswerFact, CaseFact};
use crate::{Tier, Timestamp};

pub const HOUR: i64 = 3_600_000;
pub const DAY_MS: i64 = super::filter::DAY_MS;
/// Monday 2026-11-02 00:00 UTC.
pub const MON_NOV_2: i64 = 1_793_577_600_000;
/// Wednesday 2026-11-25 12:00 UTC.
pub const NOW: i64 = 1_795_608_000_000;

pub fn at(ms: i64) -> Timestamp {
    Timestamp::from_millis(ms)
}

pub fn answer(ms: i64, tier: Tier, score: Option<u8>, gaps: &str) -> AnswerFact {
    AnswerFact {
        tags: Vec::new(),
        received_at: at(ms),
        tier,
        score,
        gaps: gaps.to_owned(),
    }
}

/// A case opened an hour before `NOW` with a 30-minute deadline.
pub fn case(tier: Tier) -> CaseFact {
    CaseFact {
        tier,
        opened_at: at(NOW - HOUR),
        ack_due_at: Some(at(NOW - HOUR / 2)),
        acknowledged_at: None,
        closed_at: None,
        root_cause: None,
        effort: None,
    }
}

pub fn closed(tier: Tier, code: &str, effort: Option<f64>) -> CaseFact {
    CaseFact {
        acknowledged_at: Some(at(NOW - HOUR)),
        closed_at: Some(at(NOW)),
        root_cause: Some(code.to_owned()),
        effort,
        ..case(tier)
    }
}
