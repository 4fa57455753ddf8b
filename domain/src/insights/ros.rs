//! Rule 7, return on satisfaction: each root cause's customers weighted by
//! how far their cases escalated, divided by the effort of its systemic
//! fix, so the fix that buys the most satisfaction per day comes first.
//! Customers are the closed cases with the code and the answers tagged
//! with it (tier `none` answers weigh one).

use super::stats::count_f64;
use super::{code, AnswerFact, CaseFact, Ros};
use crate::Tier;
use std::collections::BTreeMap;

/// Rule 7's tier weight: a president-level failure touched the customer
/// eight times as hard as a callback request. Tier `none` opens no case;
/// should one appear it still counts as one customer.
const fn weight(tier: Tier) -> usize {
    match tier {
        Tier::None | Tier::Service => 1,
        Tier::Account => 2,
        Tier::Senior => 4,
        Tier::President => 8,
    }
}

/// The smallest effort divided by, so a fix recorded as "0 days" ranks
/// high without dividing by zero.
const MIN_EFFORT_DAYS: f64 = 0.25;

/// Ranks root causes by return on satisfaction (rule 7); codes with no
/// recorded effort come back separately, most weighted first.
pub(super) fn return_on_satisfaction(
    closed: &[&CaseFact],
    answers: &[&AnswerFact],
) -> (Vec<Ros>, Vec<Ros>) {
    let mut by_code: BTreeMap<&str, Ros> = BTreeMap::new();
    let blank = |code: &str| Ros {
        code: code.to_owned(),
        customers: 0,
        weighted: 0,
        effort_days: None,
        ros: None,
    };
    for a in answers {
        for tag in &a.tags {
            let row = by_code.entry(tag.as_str()).or_insert_with(|| blank(tag));
            row.customers += 1;
            row.weighted += weight(a.tier);
        }
    }
    for c in closed {
        let Some(code) = code(c) else { continue };
        let row = by_code.entry(code).or_insert_with(|| blank(code));
        row.customers += 1;
        row.weighted += weight(c.tier);
        // Only a real, non-negative number of days is an effort.
        if let Some(e) = c.effort.filter(|e| e.is_finite() && *e >= 0.0) {
            row.effort_days = Some(row.effort_days.map_or(e, |old| old.max(e)));
        }
    }
    let (mut ranked, mut unmeasured): (Vec<Ros>, Vec<Ros>) = by_code
        .into_values()
        .map(|mut r| {
            r.ros = r
                .effort_days
                .map(|e| count_f64(r.weighted) / e.max(MIN_EFFORT_DAYS));
            r
        })
        .partition(|r| r.ros.is_some());
    ranked.sort_by(|a, b| {
        let (ra, rb) = (a.ros.unwrap_or(0.0), b.ros.unwrap_or(0.0));
        rb.total_cmp(&ra)
            .then_with(|| b.weighted.cmp(&a.weighted))
            .then_with(|| a.code.cmp(&b.code))
    });
    unmeasured.sort_by(|a, b| {
        b.weighted
            .cmp(&a.weighted)
            .then_with(|| a.code.cmp(&b.code))
    });
    (ranked, unmeasured)
}
