//! The Insights figures: where the gaps are, and which fixes buy the most
//! satisfaction (docs/product-rules.md rules 3, 5 and 7).
//!
//! [`compute`] turns the answers and cases of a period into figures, as
//! plain data; `pages::insights` draws them. It is pure: the edge reads the
//! database and its clock and passes `now` in. The edge should fetch the
//! answers received since [`period_start`] (at most the latest
//! [`MAX_ANSWERS`]) and the cases opened since then; facts outside the
//! period are ignored, so the bars always add up to the totals printed
//! above them.

mod filter;
mod ros;
mod stats;
mod words;

pub use filter::{period_start, Filter, DEFAULT_WEEKS, WEEK_CHOICES};
pub use stats::count_f64;

use filter::WEEK_MS;
use ros::return_on_satisfaction;
use stats::{median, p90};
use std::collections::BTreeMap;
use words::frequent_words;

use crate::{Tier, Timestamp};

/// One stored answer, as much of it as the charts need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerFact {
    pub received_at: Timestamp,
    pub tier: Tier,
    pub score: Option<u8>,
    pub gaps: String,
    /// Root-cause codes a manager tagged the answer with (the All answers
    /// page), except the one its own case closed with: that customer is
    /// counted once, by the case.
    pub tags: Vec<String>,
}

/// One case, as much of it as the charts need.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseFact {
    pub tier: Tier,
    pub opened_at: Timestamp,
    pub ack_due_at: Option<Timestamp>,
    pub acknowledged_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    pub root_cause: Option<String>,
    /// Person-days recorded for the systemic fix.
    pub effort: Option<f64>,
}

/// The most answers the edge passes; the page says so when it hit the cap.
pub const MAX_ANSWERS: usize = 5000;
/// How many root causes and words the "frequent" charts show.
pub const TOP: usize = 15;

/// Answers received in one week, per tier (in [`Tier::ALL`] order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Week {
    pub start: Timestamp,
    pub by_tier: [usize; 5],
}

impl Week {
    /// Answers of one tier in this week.
    pub fn of(&self, tier: Tier) -> usize {
        self.by_tier.get(tier_index(tier)).copied().unwrap_or(0)
    }

    pub fn total(&self) -> usize {
        self.by_tier.iter().sum()
    }
}

/// Acknowledge deadlines kept for one tier (rule 5). A case still open past
/// its deadline has missed it; one still open before it is pending and
/// counts neither way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlaKept {
    pub tier: Tier,
    pub kept: usize,
    pub missed: usize,
    pub pending: usize,
}

impl SlaKept {
    const fn empty(tier: Tier) -> Self {
        Self {
            tier,
            kept: 0,
            missed: 0,
            pending: 0,
        }
    }

    /// Cases whose outcome is known: kept or missed.
    pub const fn decided(&self) -> usize {
        self.kept + self.missed
    }

    /// Percentage kept, or `None` when no case was decided. Never shows
    /// 100 % unless every case kept its deadline, nor 0 % if one did.
    pub fn percent(&self) -> Option<f64> {
        let decided = self.decided();
        if decided == 0 {
            return None;
        }
        let raw = (count_f64(self.kept) * 100.0 / count_f64(decided)).round();
        Some(if self.kept == decided {
            100.0
        } else if self.kept == 0 {
            0.0
        } else {
            raw.clamp(1.0, 99.0)
        })
    }
}

/// Hours from opening to closing, for one tier's closed cases.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CloseTimes {
    pub tier: Tier,
    pub closed: usize,
    pub median_hours: f64,
    pub p90_hours: f64,
}

/// A word or a root-cause code, and how many answers or cases carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    pub name: String,
    pub count: usize,
}

/// One root cause's return on satisfaction (rule 7).
#[derive(Debug, Clone, PartialEq)]
pub struct Ros {
    pub code: String,
    /// Closed cases with this code, and answers tagged with it.
    pub customers: usize,
    /// Those weighted by tier: none and service 1, account 2, senior 4, president 8.
    pub weighted: usize,
    /// The largest effort recorded for the code, in person-days.
    pub effort_days: Option<f64>,
    /// `weighted / max(effort_days, 0.25)`; `None` without a recorded effort.
    pub ros: Option<f64>,
}

/// Everything the Insights page shows, for one period.
#[derive(Debug, Clone, PartialEq)]
pub struct Insights {
    pub from: Timestamp,
    pub to: Timestamp,
    /// Oldest first.
    pub weeks: Vec<Week>,
    pub answers: usize,
    /// The edge passed [`MAX_ANSWERS`]: older answers may be missing.
    pub capped: bool,
    pub cases: usize,
    /// Answers with score 1, 2, 3, 4, 5, then without a score.
    pub scores: [usize; 6],
    /// One per tier that opens a case, in tier order.
    pub sla: Vec<SlaKept>,
    /// Only tiers with at least one closed case.
    pub close: Vec<CloseTimes>,
    pub median_close_hours: Option<f64>,
    /// Most cases first.
    pub root_causes: Vec<Tally>,
    /// Most answers first, at most 15.
    pub words: Vec<Tally>,
    /// Highest return first.
    pub ranked: Vec<Ros>,
    /// Root causes with no effort recorded yet, most weighted first.
    pub unmeasured: Vec<Ros>,
}

impl Insights {
    /// Deadlines kept over all tiers.
    pub fn sla_overall(&self) -> SlaKept {
        self.sla
            .iter()
            .fold(SlaKept::empty(Tier::None), |acc, s| SlaKept {
                tier: Tier::None,
                kept: acc.kept + s.kept,
                missed: acc.missed + s.missed,
                pending: acc.pending + s.pending,
            })
    }
}

/// Figures for the period of `weeks` (clamped to 1–52) ending at `now`.
pub fn compute(answers: &[AnswerFact], cases: &[CaseFact], now: Timestamp, weeks: u32) -> Insights {
    let from = period_start(now, weeks);
    let in_period = |t: Timestamp| from <= t && t <= now;
    let answers_in: Vec<&AnswerFact> = answers
        .iter()
        .filter(|a| in_period(a.received_at))
        .collect();
    let cases_in: Vec<&CaseFact> = cases.iter().filter(|c| in_period(c.opened_at)).collect();
    let closed: Vec<&CaseFact> = cases_in
        .iter()
        .copied()
        .filter(|c| c.closed_at.is_some())
        .collect();
    let (ranked, unmeasured) = return_on_satisfaction(&closed, &answers_in);
    Insights {
        from,
        to: now,
        weeks: weekly(&answers_in, from, weeks),
        answers: answers_in.len(),
        capped: answers.len() >= MAX_ANSWERS,
        cases: cases_in.len(),
        scores: score_counts(&answers_in),
        sla: sla_kept(&cases_in, now),
        close: close_times(&closed),
        median_close_hours: median(&mut hours_to_close(closed.iter().copied())),
        root_causes: root_cause_counts(&closed),
        words: frequent_words(answers_in.iter().map(|a| a.gaps.as_str())),
        ranked,
        unmeasured,
    }
}

fn tier_index(tier: Tier) -> usize {
    match tier {
        Tier::None => 0,
        Tier::Service => 1,
        Tier::Account => 2,
        Tier::Senior => 3,
        Tier::President => 4,
    }
}

fn weekly(answers: &[&AnswerFact], from: Timestamp, weeks: u32) -> Vec<Week> {
    let mut buckets: Vec<Week> = (0..i64::from(weeks.clamp(1, 52)))
        .map(|i| Week {
            start: Timestamp::from_millis(from.millis().saturating_add(i * WEEK_MS)),
            by_tier: [0; 5],
        })
        .collect();
    for a in answers {
        let index = a.received_at.millis().saturating_sub(from.millis()) / WEEK_MS;
        let week = usize::try_from(index).ok().and_then(|i| buckets.get_mut(i));
        if let Some(slot) = week.and_then(|w| w.by_tier.get_mut(tier_index(a.tier))) {
            *slot += 1;
        }
    }
    buckets
}

/// Scores outside 1–5 cannot come through the wire; should one reach here
/// it is left out rather than be mistaken for "no score".
fn score_counts(answers: &[&AnswerFact]) -> [usize; 6] {
    let mut counts = [0; 6];
    for a in answers {
        let slot = match a.score {
            None => counts.get_mut(5),
            Some(s @ 1..=5) => counts.get_mut(usize::from(s) - 1),
            Some(_) => None,
        };
        if let Some(slot) = slot {
            *slot += 1;
        }
    }
    counts
}

fn sla_kept(cases: &[&CaseFact], now: Timestamp) -> Vec<SlaKept> {
    let mut per_tier: Vec<SlaKept> = Tier::ALL
        .into_iter()
        .filter(|t| t.opens_case())
        .map(SlaKept::empty)
        .collect();
    for c in cases {
        let Some(due) = c.ack_due_at else { continue };
        let Some(row) = per_tier.iter_mut().find(|s| s.tier == c.tier) else {
            continue;
        };
        match c.acknowledged_at {
            Some(at) if at <= due => row.kept += 1,
            Some(_) => row.missed += 1,
            None if now > due => row.missed += 1,
            None => row.pending += 1,
        }
    }
    per_tier
}

/// Hours from opening to closing; a clock skew that closes a case before
/// it opened counts as zero.
fn hours_to_close<'a>(cases: impl Iterator<Item = &'a CaseFact>) -> Vec<f64> {
    cases
        .filter_map(|c| {
            let ms = c
                .closed_at?
                .millis()
                .saturating_sub(c.opened_at.millis())
                .max(0);
            // Whole minutes fit an i32 for 4 000 years; longer saturates.
            let minutes = i32::try_from(ms / 60_000).unwrap_or(i32::MAX);
            Some(f64::from(minutes) / 60.0)
        })
        .collect()
}

fn close_times(closed: &[&CaseFact]) -> Vec<CloseTimes> {
    Tier::ALL
        .into_iter()
        .filter_map(|tier| {
            let mut hours = hours_to_close(closed.iter().copied().filter(|c| c.tier == tier));
            Some(CloseTimes {
                tier,
                closed: hours.len(),
                median_hours: median(&mut hours)?,
                p90_hours: p90(&mut hours)?,
            })
        })
        .collect()
}

/// The code a closed case was filed under, if it has one.
fn code(case: &CaseFact) -> Option<&str> {
    case.root_cause
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
}

fn root_cause_counts(closed: &[&CaseFact]) -> Vec<Tally> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for c in closed {
        if let Some(code) = code(c) {
            *counts.entry(code).or_default() += 1;
        }
    }
    ranked_tallies(counts, usize::MAX)
}

/// Most first, then alphabetical, so equal counts keep a stable order.
fn ranked_tallies(counts: BTreeMap<&str, usize>, limit: usize) -> Vec<Tally> {
    let mut tallies: Vec<Tally> = counts
        .into_iter()
        .map(|(name, count)| Tally {
            name: name.to_owned(),
            count,
        })
        .collect();
    tallies.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    tallies.truncate(limit);
    tallies
}

#[cfg(any(test, feature = "fixtures"))]
pub mod fixtures;
#[cfg(test)]
mod tests;
