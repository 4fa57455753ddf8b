//! The Insights page: where the gaps are, and which fixes buy the most
//! satisfaction (DESIGN §2 rules 3, 5 and 7).
//!
//! [`compute`] turns the answers and cases of a period into figures;
//! [`render`] draws them. Both are pure: the edge reads the database and its
//! clock and passes `now` in. The edge should fetch the answers received
//! since [`period_start`] (at most the latest [`MAX_ANSWERS`]) and the cases
//! opened since then; facts outside the period are ignored, so the bars
//! always add up to the totals printed above them.

use super::charts::{self, count_f64, format_number, Bar, Bars, Category, Columns, Frame, Paint};
use super::charts::{Series, Stack, Unit};
use crate::fields::{clean_text, SiteKey};
use crate::{DomainError, Tier, Timestamp};
use maud::{html, Markup};
use std::collections::{BTreeMap, BTreeSet};

/// One stored answer, as much of it as the charts need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerFact {
    pub received_at: Timestamp,
    pub tier: Tier,
    pub score: Option<u8>,
    pub gaps: String,
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

/// The periods a manager can pick, in weeks.
pub const WEEK_CHOICES: [u32; 4] = [4, 12, 26, 52];
pub const DEFAULT_WEEKS: u32 = 12;
/// The most answers the edge passes; the page says so when it hit the cap.
pub const MAX_ANSWERS: usize = 5000;
/// How many root causes and words the "frequent" charts show.
const TOP: usize = 15;

const DAY_MS: i64 = 86_400_000;
const WEEK_MS: i64 = 7 * DAY_MS;

/// `GET /dashboard/insights?site=&weeks=`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    /// `None` is every site.
    pub site: Option<String>,
    pub weeks: u32,
}

impl Default for Filter {
    fn default() -> Self {
        Self {
            site: None,
            weeks: DEFAULT_WEEKS,
        }
    }
}

impl Filter {
    /// Parses the raw query string (with or without its `?`). Unknown names
    /// are refused, so a typo does not silently show everything; an empty
    /// value means the default, as the form sends `site=` for "All sites".
    pub fn parse(query: &str) -> Result<Self, DomainError> {
        let query = query.strip_prefix('?').unwrap_or(query);
        let mut filter = Self::default();
        for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
            match &*name {
                "site" if value.is_empty() => filter.site = None,
                "site" => filter.site = Some(SiteKey::try_from(&*value)?.as_str().to_owned()),
                "weeks" if value.is_empty() => filter.weeks = DEFAULT_WEEKS,
                "weeks" => {
                    filter.weeks = value
                        .parse()
                        .ok()
                        .filter(|w| WEEK_CHOICES.contains(w))
                        .ok_or_else(|| DomainError::invalid("weeks", "4, 12, 26 or 52"))?;
                }
                other => {
                    return Err(DomainError::invalid(
                        "query",
                        format!(
                            "unknown parameter {:?}; use site and weeks",
                            clean_text(other, false)
                        ),
                    ));
                }
            }
        }
        Ok(filter)
    }
}

/// The first instant counted for a period of `weeks` (clamped to 1–52):
/// the Monday 00:00 UTC that starts the oldest week, so the period is
/// exactly `weeks` calendar weeks, the last one being the current week.
pub fn period_start(now: Timestamp, weeks: u32) -> Timestamp {
    let back = i64::from(weeks.clamp(1, 52) - 1);
    Timestamp::from_millis(week_start(now).saturating_sub(back * WEEK_MS))
}

/// Monday 00:00 UTC of the week holding `t`. Day 0 (1970-01-01) was a
/// Thursday, so `day + 3` counts days since a Monday.
fn week_start(t: Timestamp) -> i64 {
    let day = t.millis().div_euclid(DAY_MS);
    (day - (day + 3).rem_euclid(7)).saturating_mul(DAY_MS)
}

/// Answers received in one week, per tier (in [`Tier::ALL`] order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Week {
    pub start: Timestamp,
    pub by_tier: [usize; 5],
}

impl Week {
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
    /// Closed cases with this code.
    pub customers: usize,
    /// Those cases weighted by tier: service 1, account 2, senior 4, president 8.
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
    let (ranked, unmeasured) = return_on_satisfaction(&closed);
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

/// The middle value (the mean of the two middle ones for an even count).
fn median(values: &mut [f64]) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values.get(mid).copied()
    } else {
        Some((values.get(mid.checked_sub(1)?)? + values.get(mid)?) / 2.0)
    }
}

/// The 90th percentile by nearest rank: the smallest value at least 90 %
/// of the values do not exceed. It is always a real observed time.
fn p90(values: &mut [f64]) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let rank = (values.len() * 9).div_ceil(10);
    values.get(rank.checked_sub(1)?).copied()
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

/// Words too common to say anything about a gap, in English and German,
/// sorted (a test checks) so a binary search finds them. Words shorter than
/// four characters are dropped anyway and are not listed.
#[rustfmt::skip]
const STOPWORDS: &[&str] = &[
    "aber", "about", "above", "after", "again", "against", "alle", "allem", "allen", "aller",
    "alles", "also", "among", "anything", "aren", "auch", "back", "because", "been", "before",
    "beim", "being", "below", "bereits", "bist", "both", "came", "cant", "come", "could", "dabei",
    "damit", "dann", "darauf", "darum", "dass", "davon", "dazu", "dein", "deine", "deinem",
    "deinen", "deiner", "denn", "derselbe", "dessen", "didn", "dies", "diese", "diesem", "diesen",
    "dieser", "dieses", "doch", "does", "doesn", "dont", "dort", "durch", "during", "each",
    "eine", "einem", "einen", "einer", "eines", "einfach", "etwas", "euch", "euer", "eure",
    "even", "ever", "every", "everything", "from", "further", "ganz", "gegen", "gewesen", "gibt",
    "going", "habe", "haben", "hatte", "hatten", "have", "here", "hers", "herself", "hier",
    "himself", "hinter", "hätte", "ihnen", "ihre", "ihrem", "ihren", "ihrer", "immer", "into",
    "isnt", "itself", "jede", "jedem", "jeden", "jeder", "jetzt", "just", "kann", "kein", "keine",
    "keinem", "keinen", "keiner", "know", "können", "könnte", "like", "mache", "machen", "macht",
    "made", "make", "many", "mehr", "mein", "meine", "meinem", "meinen", "meiner", "mich",
    "might", "more", "most", "much", "must", "nach", "need", "nicht", "nichts", "noch", "nothing",
    "obwohl", "oder", "ohne", "once", "only", "onto", "other", "ours", "ourselves", "over",
    "really", "said", "same", "says", "schon", "sehr", "sein", "seine", "seinem", "seinen",
    "seiner", "selbst", "shall", "should", "sich", "sind", "soll", "sollte", "some", "something",
    "sondern", "sowie", "still", "such", "than", "that", "thats", "their", "theirs", "them",
    "themselves", "then", "there", "these", "they", "think", "this", "those", "through", "under",
    "unser", "unsere", "unter", "until", "upon", "very", "viel", "vielleicht", "want", "waren",
    "warum", "wasn", "weil", "welche", "welcher", "welches", "well", "wenn", "werde", "werden",
    "were", "what", "when", "where", "which", "while", "whom", "whose", "wieder", "will", "wird",
    "with", "wollen", "wollte", "worden", "would", "wurde", "wurden", "wäre", "würde", "würden",
    "your", "youre", "yours", "zwischen", "über",
];

/// The words of one answer worth counting: lowercase, split on anything
/// that is not a letter or digit (any script), at least four characters,
/// not a stopword and not a bare number. A set: a word counts once per
/// answer, so one long rant cannot outweigh many short answers.
fn words_of(gaps: &str) -> BTreeSet<String> {
    gaps.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 4)
        .filter(|w| !w.chars().all(|c| c.is_ascii_digit()))
        .filter(|w| STOPWORDS.binary_search(w).is_err())
        .map(str::to_owned)
        .collect()
}

/// The 15 words found in the most answers.
fn frequent_words<'a>(gaps: impl Iterator<Item = &'a str>) -> Vec<Tally> {
    let per_answer: Vec<BTreeSet<String>> = gaps.map(words_of).collect();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for word in per_answer.iter().flatten() {
        *counts.entry(word.as_str()).or_default() += 1;
    }
    ranked_tallies(counts, TOP)
}

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
fn return_on_satisfaction(closed: &[&CaseFact]) -> (Vec<Ros>, Vec<Ros>) {
    let mut by_code: BTreeMap<&str, Ros> = BTreeMap::new();
    for c in closed {
        let Some(code) = code(c) else { continue };
        let row = by_code.entry(code).or_insert_with(|| Ros {
            code: code.to_owned(),
            customers: 0,
            weighted: 0,
            effort_days: None,
            ros: None,
        });
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

/// The UTC date of an instant, "2026-11-23".
fn iso_date(t: Timestamp) -> String {
    let iso = t.to_rfc3339();
    iso.get(..10).map_or_else(|| iso.clone(), str::to_owned)
}

/// A short date for an axis label, "23 Nov" (the table gives the full one).
fn short_date(t: Timestamp) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let iso = iso_date(t);
    let month = iso
        .get(5..7)
        .and_then(|m| m.parse::<usize>().ok())
        .and_then(|m| MONTHS.get(m.checked_sub(1)?));
    let day = iso.get(8..10).map(|d| d.trim_start_matches('0'));
    match (day, month) {
        (Some(day), Some(month)) => format!("{day} {month}"),
        _ => iso,
    }
}

/// The whole Insights page.
pub fn render(
    chrome: &super::Chrome,
    sites: &[String],
    filter: &Filter,
    insights: &Insights,
) -> String {
    let body = html! {
        h1 { "Insights" }
        (filter_form(sites, filter))
        (period_note(filter, insights))
        section.card aria-labelledby="volume-h" {
            h2 #volume-h { "Answers and cases" }
            (headline(insights))
            (weekly_chart(insights))
        }
        div.grid {
            section.card aria-labelledby="scores-h" {
                h2 #scores-h { "Scores" }
                (score_chart(insights))
            }
            section.card aria-labelledby="sla-h" {
                h2 #sla-h { "Deadlines kept" }
                (sla_chart(insights))
            }
        }
        section.card aria-labelledby="close-h" {
            h2 #close-h { "Time to close" }
            (close_chart(insights))
        }
        div.grid {
            section.card aria-labelledby="causes-h" {
                h2 #causes-h { "Gap themes: root causes" }
                (causes_chart(insights))
            }
            section.card aria-labelledby="words-h" {
                h2 #words-h { "Gap themes: customers' words" }
                (words_chart(insights))
            }
        }
        section.card aria-labelledby="ros-h" {
            h2 #ros-h { "Return on satisfaction" }
            (ros_section(insights))
        }
    };
    super::page("Insights", Some(chrome), &body)
}

/// A plain GET form: the filter is in the URL, so a view can be bookmarked
/// and shared, and no CSRF token is needed for reading.
fn filter_form(sites: &[String], filter: &Filter) -> Markup {
    html! {
        form.row method="get" action="/dashboard/insights" aria-label="Filter" {
            div.field {
                label for="site" { "Site" }
                select #site name="site" {
                    option value="" selected[filter.site.is_none()] { "All sites" }
                    @for site in sites {
                        option value=(site) selected[filter.site.as_ref() == Some(site)] { (site) }
                    }
                }
            }
            div.field {
                label for="weeks" { "Period" }
                select #weeks name="weeks" {
                    @for weeks in WEEK_CHOICES {
                        option value=(weeks) selected[weeks == filter.weeks] { "Last " (weeks) " weeks" }
                    }
                }
            }
            div.field { button type="submit" { "Show" } }
        }
    }
}

fn period_note(filter: &Filter, insights: &Insights) -> Markup {
    html! {
        p.muted {
            (filter.site.as_deref().unwrap_or("All sites")) ": "
            (insights.weeks.len()) " weeks, " (iso_date(insights.from)) " to " (iso_date(insights.to))
            " (UTC). Weeks start on Monday; the last one is still under way."
        }
        @if insights.capped {
            p.notice {
                "Only the latest " (MAX_ANSWERS) " answers of this period are counted. "
                "Pick a shorter period to see all of them."
            }
        }
    }
}

/// The four numbers a manager looks at first.
fn headline(insights: &Insights) -> Markup {
    let sla = insights.sla_overall();
    let stat = |label: &str, value: String, detail: String| {
        html! {
            div {
                dt { (label) }
                dd { (value) @if !detail.is_empty() { " " span.small.muted { (detail) } } }
            }
        }
    };
    html! {
        dl.stats {
            (stat("Answers", insights.answers.to_string(), String::new()))
            (stat("Cases opened", insights.cases.to_string(), String::new()))
            (stat(
                "Acknowledged in time",
                sla.percent().map_or_else(|| "\u{2013}".to_owned(), |p| Unit::Percent.format(p)),
                if sla.decided() == 0 {
                    "no deadline has passed".to_owned()
                } else {
                    format!("{} of {}", sla.kept, sla.decided())
                },
            ))
            (stat(
                "Median time to close",
                insights.median_close_hours.map_or_else(|| "\u{2013}".to_owned(), |h| Unit::Hours.format(h)),
                if insights.median_close_hours.is_none() { "no case closed".to_owned() } else { String::new() },
            ))
        }
    }
}

const NO_ANSWERS: &str = "No answers in this period.";
const NO_CASES: &str = "No cases in this period.";

fn weekly_chart(insights: &Insights) -> Markup {
    let has_data = insights.answers > 0;
    let categories: Vec<Category> = insights
        .weeks
        .iter()
        .filter(|_| has_data)
        .map(|w| Category {
            short: short_date(w.start),
            long: format!("Week of {}", iso_date(w.start)),
        })
        .collect();
    let series: Vec<Series> = Tier::ALL
        .into_iter()
        .map(|tier| Series {
            name: tier.label().to_owned(),
            paint: Paint::Tier(tier),
            values: insights
                .weeks
                .iter()
                .map(|w| count_f64(w.by_tier.get(tier_index(tier)).copied().unwrap_or(0)))
                .collect(),
        })
        .collect();
    let busiest = insights.weeks.iter().max_by_key(|w| w.total());
    let desc = format!(
        "Stacked columns, one per week, oldest on the left, split by tier. {} answers in all{}.",
        insights.answers,
        busiest.map_or_else(String::new, |w| format!(
            "; the busiest week, starting {}, had {}",
            iso_date(w.start),
            w.total()
        ))
    );
    let frame = Frame {
        id: "chart-weekly",
        caption: "Answers per week, by tier",
        desc: &desc,
        empty: NO_ANSWERS,
    };
    charts::columns(
        &frame,
        &Columns {
            heading: "Week",
            categories: &categories,
            series: &series,
            stack: Stack::Stacked,
            unit: Unit::Count,
        },
    )
}

/// Rule 1: every score, and no score, in the same neutral colour.
fn score_chart(insights: &Insights) -> Markup {
    let labels = ["1", "2", "3", "4", "5", "No score"];
    let categories: Vec<Category> = labels
        .iter()
        .filter(|_| insights.answers > 0)
        .map(|l| Category {
            short: (*l).to_owned(),
            long: if l.len() == 1 {
                format!("Score {l}")
            } else {
                (*l).to_owned()
            },
        })
        .collect();
    let series = [Series {
        name: "Answers".to_owned(),
        paint: Paint::Neutral,
        values: insights.scores.iter().map(|n| count_f64(*n)).collect(),
    }];
    let no_score = insights.scores.get(5).copied().unwrap_or(0);
    let desc = format!(
        "One column per score from 1 to 5, then answers without a score, all in one colour. \
         {} answers; {no_score} without a score.",
        insights.answers
    );
    let frame = Frame {
        id: "chart-scores",
        caption: "Answers by score",
        desc: &desc,
        empty: NO_ANSWERS,
    };
    html! {
        (charts::columns(&frame, &Columns {
            heading: "Score",
            categories: &categories,
            series: &series,
            stack: Stack::Grouped,
            unit: Unit::Count,
        }))
        p.hint { "The score is optional. The gaps customers describe matter more than the number." }
    }
}

/// "92 % (11 of 12)": short enough to sit at the end of a bar.
fn sla_note(s: &SlaKept) -> String {
    s.percent().map_or_else(
        || "none due yet".to_owned(),
        |p| {
            format!(
                "{} ({} of {})",
                Unit::Percent.format(p),
                s.kept,
                s.decided()
            )
        },
    )
}

fn sla_chart(insights: &Insights) -> Markup {
    let bars: Vec<Bar> = insights
        .sla
        .iter()
        .filter(|s| s.decided() + s.pending > 0)
        .map(|s| Bar {
            label: s.tier.label().to_owned(),
            value: s.percent().unwrap_or(0.0),
            paint: Paint::Tier(s.tier),
            note: Some(sla_note(s)),
        })
        .collect();
    let overall = insights.sla_overall();
    let desc = format!(
        "One bar per tier: the share of cases acknowledged by their deadline. \
         {} kept, {} missed, {} not yet due.",
        overall.kept, overall.missed, overall.pending
    );
    let frame = Frame {
        id: "chart-sla",
        caption: "Cases acknowledged by their deadline",
        desc: &desc,
        empty: NO_CASES,
    };
    html! {
        (charts::bars(&frame, &Bars {
            label_heading: "Tier",
            value_heading: "Acknowledged in time",
            bars: &bars,
            unit: Unit::Percent,
            max: Some(100.0),
        }))
        p.hint {
            "A case still open after its deadline counts as missed; "
            "one that is not yet due is pending and not counted"
            @if overall.pending > 0 { " (" (overall.pending) " now)" }
            "."
        }
    }
}

fn close_chart(insights: &Insights) -> Markup {
    let categories: Vec<Category> = insights
        .close
        .iter()
        .map(|c| Category {
            short: c.tier.label().to_owned(),
            long: format!("{} ({} closed)", c.tier.label(), c.closed),
        })
        .collect();
    let series = [
        Series {
            name: "Median".to_owned(),
            paint: Paint::Neutral,
            values: insights.close.iter().map(|c| c.median_hours).collect(),
        },
        Series {
            name: "90th percentile".to_owned(),
            paint: Paint::Muted,
            values: insights.close.iter().map(|c| c.p90_hours).collect(),
        },
    ];
    let desc = "For each tier with closed cases, the median hours from opening to closing \
                and the 90th percentile (nine in ten cases closed within it).";
    let frame = Frame {
        id: "chart-close",
        caption: "Hours from opening to closing, per tier",
        desc,
        empty: "No case was closed in this period.",
    };
    charts::columns(
        &frame,
        &Columns {
            heading: "Tier",
            categories: &categories,
            series: &series,
            stack: Stack::Grouped,
            unit: Unit::Hours,
        },
    )
}

/// A "top N" bar chart of tallies, in one neutral colour.
fn tally_chart(frame: &Frame, headings: (&str, &str), tallies: &[Tally]) -> Markup {
    let bars: Vec<Bar> = tallies
        .iter()
        .take(TOP)
        .map(|t| Bar {
            label: t.name.clone(),
            value: count_f64(t.count),
            paint: Paint::Neutral,
            note: None,
        })
        .collect();
    html! {
        (charts::bars(frame, &Bars {
            label_heading: headings.0,
            value_heading: headings.1,
            bars: &bars,
            unit: Unit::Count,
            max: None,
        }))
        @if tallies.len() > TOP {
            p.hint { "The " (TOP) " most frequent of " (tallies.len()) "." }
        }
    }
}

fn causes_chart(insights: &Insights) -> Markup {
    let desc = format!(
        "One bar per root-cause code recorded when closing a case, most frequent first; \
         {} codes in all.",
        insights.root_causes.len()
    );
    let frame = Frame {
        id: "chart-causes",
        caption: "Root causes by number of closed cases",
        desc: &desc,
        empty: "No closed case has a root cause in this period.",
    };
    tally_chart(&frame, ("Root cause", "Cases"), &insights.root_causes)
}

fn words_chart(insights: &Insights) -> Markup {
    let frame = Frame {
        id: "chart-words",
        caption: "Frequent words in the answers",
        desc: "The words found in the most answers (each answer counts a word once), \
               leaving out short and common words.",
        empty: if insights.answers == 0 {
            NO_ANSWERS
        } else {
            "No word recurs in the answers yet."
        },
    };
    tally_chart(&frame, ("Word", "Answers"), &insights.words)
}

/// Rule 7, the table and the chart, with the formula in words.
fn ros_section(insights: &Insights) -> Markup {
    html! {
        p {
            "Return on satisfaction is the number of customers a root cause touched, each \
             weighted by how far the case escalated (\u{d7}1 callback, \u{d7}2 score 3, \
             \u{d7}4 score 1\u{2013}2, \u{d7}8 guarantee), divided by the person-days of its \
             systemic fix (at least 0.25): fix the highest first."
        }
        @if insights.ranked.is_empty() && insights.unmeasured.is_empty() {
            p.muted { "No closed case has a root cause in this period." }
        } @else {
            (ros_table(insights))
            (ros_chart(insights))
        }
    }
}

fn ros_table(insights: &Insights) -> Markup {
    html! {
        div.table-wrap {
            table.data {
                caption { "Root causes ranked by return on satisfaction" }
                thead {
                    tr {
                        th.num scope="col" { "Rank" }
                        th scope="col" { "Root cause" }
                        th.num scope="col" { "Customers" }
                        th.num scope="col" { "Weighted" }
                        th.num scope="col" { "Effort (days)" }
                        th.num scope="col" { "Return" }
                    }
                }
                tbody {
                    @for (i, r) in insights.ranked.iter().enumerate() {
                        tr {
                            td.num { (i + 1) }
                            th scope="row" { (r.code) }
                            td.num { (r.customers) }
                            td.num { (r.weighted) }
                            td.num { (r.effort_days.map_or_else(String::new, format_number)) }
                            td.num { (r.ros.map_or_else(String::new, format_number)) }
                        }
                    }
                }
                @if !insights.unmeasured.is_empty() {
                    tbody {
                        tr { th scope="colgroup" colspan="6" { "Effort not recorded" } }
                        @for r in &insights.unmeasured {
                            tr {
                                td.num { "\u{2013}" }
                                th scope="row" { (r.code) }
                                td.num { (r.customers) }
                                td.num { (r.weighted) }
                                td.num { "not recorded" }
                                td.num { "\u{2013}" }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn ros_chart(insights: &Insights) -> Markup {
    let bars: Vec<Bar> = insights
        .ranked
        .iter()
        .take(TOP)
        .map(|r| Bar {
            label: r.code.clone(),
            value: r.ros.unwrap_or(0.0),
            paint: Paint::Neutral,
            note: None,
        })
        .collect();
    let frame = Frame {
        id: "chart-ros",
        caption: "Return on satisfaction per root cause",
        desc: "One bar per root cause with a recorded effort, highest return first.",
        empty: "No effort is recorded yet, so no root cause can be ranked.",
    };
    charts::bars(
        &frame,
        &Bars {
            label_heading: "Root cause",
            value_heading: "Return",
            bars: &bars,
            unit: Unit::Ratio,
            max: None,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dashboard::{Chrome, Section};
    use proptest::prelude::*;

    const HOUR: i64 = 3_600_000;
    /// Monday 2026-11-02 00:00 UTC.
    const MON_NOV_2: i64 = 1_793_577_600_000;
    /// Wednesday 2026-11-25 12:00 UTC.
    const NOW: i64 = 1_795_608_000_000;

    fn at(ms: i64) -> Timestamp {
        Timestamp::from_millis(ms)
    }

    fn answer(ms: i64, tier: Tier, score: Option<u8>, gaps: &str) -> AnswerFact {
        AnswerFact {
            received_at: at(ms),
            tier,
            score,
            gaps: gaps.to_owned(),
        }
    }

    /// A case opened an hour before `NOW` with a 30-minute deadline.
    fn case(tier: Tier) -> CaseFact {
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

    fn closed(tier: Tier, code: &str, effort: Option<f64>) -> CaseFact {
        CaseFact {
            acknowledged_at: Some(at(NOW - HOUR)),
            closed_at: Some(at(NOW)),
            root_cause: Some(code.to_owned()),
            effort,
            ..case(tier)
        }
    }

    fn chrome() -> Chrome {
        Chrome {
            manager: "Ada".into(),
            csrf: "t".into(),
            section: Section::Insights,
        }
    }

    #[test]
    fn the_period_is_whole_weeks_starting_monday_utc() {
        assert_eq!(period_start(at(NOW), 4), at(MON_NOV_2));
        assert_eq!(period_start(at(MON_NOV_2), 1), at(MON_NOV_2));
        assert_eq!(
            period_start(at(MON_NOV_2 - 1), 1),
            at(MON_NOV_2 - 7 * DAY_MS)
        );
        // Out-of-range week counts clamp instead of allocating or overflowing.
        assert_eq!(compute(&[], &[], at(NOW), 0).weeks.len(), 1);
        assert_eq!(compute(&[], &[], at(NOW), u32::MAX).weeks.len(), 52);
        assert_eq!(compute(&[], &[], at(i64::MIN), 52).weeks.len(), 52);
    }

    #[test]
    fn answers_fall_into_their_week_oldest_first() {
        let answers = [
            answer(MON_NOV_2 - 1, Tier::None, None, "before the period"),
            answer(MON_NOV_2, Tier::Service, None, "first instant"),
            answer(
                MON_NOV_2 + 7 * DAY_MS - 1,
                Tier::Senior,
                Some(2),
                "sunday night",
            ),
            answer(
                MON_NOV_2 + 7 * DAY_MS,
                Tier::Account,
                Some(3),
                "second monday",
            ),
            answer(NOW, Tier::President, None, "now"),
            answer(NOW + 1, Tier::None, Some(5), "from the future"),
        ];
        let ins = compute(&answers, &[], at(NOW), 4);
        let starts: Vec<String> = ins.weeks.iter().map(|w| iso_date(w.start)).collect();
        assert_eq!(
            starts,
            ["2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23"]
        );
        let by_tier: Vec<[usize; 5]> = ins.weeks.iter().map(|w| w.by_tier).collect();
        assert_eq!(
            by_tier,
            [[0, 1, 0, 1, 0], [0, 0, 1, 0, 0], [0; 5], [0, 0, 0, 0, 1]]
        );
        assert_eq!(ins.answers, 4);
        assert_eq!(ins.scores, [0, 1, 1, 0, 0, 2]);
        assert!(!ins.capped);
    }

    #[test]
    fn scores_count_every_answer_once_and_ignore_impossible_scores() {
        let answers: Vec<AnswerFact> = [None, Some(1), Some(5), Some(5), Some(0), Some(9)]
            .into_iter()
            .map(|s| answer(NOW, Tier::None, s, "x"))
            .collect();
        assert_eq!(
            compute(&answers, &[], at(NOW), 4).scores,
            [1, 0, 0, 0, 2, 1]
        );
    }

    #[test]
    fn deadlines_kept_missed_and_pending() {
        let due = NOW - HOUR / 2;
        let cases = [
            // Acknowledged before, exactly at, and after the deadline.
            CaseFact {
                acknowledged_at: Some(at(due - 1)),
                ..case(Tier::Senior)
            },
            CaseFact {
                acknowledged_at: Some(at(due)),
                ..case(Tier::Senior)
            },
            CaseFact {
                acknowledged_at: Some(at(due + 1)),
                ..case(Tier::Senior)
            },
            // Still open past the deadline: missed.
            case(Tier::Senior),
            // Still open, not yet due: pending.
            CaseFact {
                ack_due_at: Some(at(NOW + 1)),
                ..case(Tier::President)
            },
            // Acknowledged early though due later: kept.
            CaseFact {
                ack_due_at: Some(at(NOW + 1)),
                acknowledged_at: Some(at(NOW)),
                ..case(Tier::Service)
            },
            // No deadline: not counted at all.
            CaseFact {
                ack_due_at: None,
                ..case(Tier::Account)
            },
        ];
        let ins = compute(&[], &cases, at(NOW), 12);
        let row = |t: Tier| ins.sla.iter().find(|s| s.tier == t).copied().unwrap();
        let senior = row(Tier::Senior);
        assert_eq!((senior.kept, senior.missed, senior.pending), (2, 2, 0));
        assert_eq!(senior.percent(), Some(50.0));
        let president = row(Tier::President);
        assert_eq!((president.decided(), president.pending), (0, 1));
        assert_eq!(president.percent(), None);
        assert_eq!(row(Tier::Service).percent(), Some(100.0));
        assert_eq!(row(Tier::Account).decided() + row(Tier::Account).pending, 0);
        assert_eq!(ins.sla.len(), 4, "one row per tier that opens a case");
        let all = ins.sla_overall();
        assert_eq!((all.kept, all.missed, all.pending), (3, 2, 1));
        assert_eq!(ins.cases, 7);
    }

    #[test]
    fn percentages_never_round_to_all_or_nothing_falsely() {
        let s = |kept, missed| SlaKept {
            tier: Tier::Service,
            kept,
            missed,
            pending: 0,
        };
        assert_eq!(s(199, 1).percent(), Some(99.0));
        assert_eq!(s(1, 299).percent(), Some(1.0));
        assert_eq!(s(11, 1).percent(), Some(92.0));
        assert_eq!(s(0, 3).percent(), Some(0.0));
    }

    #[test]
    fn medians_and_nearest_rank_90th_percentiles() {
        let mut odd = [3.0, 1.0, 2.0];
        assert_eq!(median(&mut odd), Some(2.0));
        let mut even = [4.0, 1.0, 3.0, 2.0];
        assert_eq!(median(&mut even), Some(2.5));
        assert_eq!(p90(&mut even), Some(4.0));
        let mut ten: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(p90(&mut ten), Some(9.0));
        let mut twenty: Vec<f64> = (1..=20).map(f64::from).collect();
        assert_eq!(p90(&mut twenty), Some(18.0));
        assert_eq!(median(&mut []), None);
        assert_eq!(p90(&mut []), None);
        assert_eq!(p90(&mut [7.0]), Some(7.0));
    }

    #[test]
    fn time_to_close_per_tier_counts_closed_cases_only() {
        let closing = |tier, hours: i64| CaseFact {
            closed_at: Some(at(NOW - HOUR + hours * HOUR)),
            ..case(tier)
        };
        let cases = [
            closing(Tier::Senior, 1),
            closing(Tier::Senior, 2),
            closing(Tier::Senior, 10),
            closing(Tier::Service, 4),
            case(Tier::Service), // still open
            CaseFact {
                closed_at: Some(at(NOW - 2 * HOUR)), // before it opened: 0 h
                ..case(Tier::Account)
            },
        ];
        let ins = compute(&[], &cases, at(NOW), 12);
        let tiers: Vec<Tier> = ins.close.iter().map(|c| c.tier).collect();
        assert_eq!(tiers, [Tier::Service, Tier::Account, Tier::Senior]);
        let senior = ins.close.iter().find(|c| c.tier == Tier::Senior).unwrap();
        assert_eq!(
            (senior.closed, senior.median_hours, senior.p90_hours),
            (3, 2.0, 10.0)
        );
        // All five closed: 0, 1, 2, 4, 10 hours.
        assert_eq!(ins.median_close_hours, Some(2.0));
    }

    /// Code, customers, weighted, effort, return.
    type RosRow<'a> = (&'a str, usize, usize, Option<f64>, Option<f64>);

    #[test]
    fn root_causes_rank_by_return_on_satisfaction() {
        let cases = [
            closed(Tier::Service, "slow-reply", Some(1.0)),
            closed(Tier::Service, "slow-reply", None),
            closed(Tier::President, "wrong-item", Some(2.0)),
            closed(Tier::Account, "typo", Some(0.0)),
            closed(Tier::Senior, "no-effort", None),
            closed(Tier::Service, "big-fix", Some(3.0)),
            closed(Tier::Service, "big-fix", Some(5.0)),
            closed(Tier::Service, "bad-effort", Some(f64::NAN)),
            // Open cases are not counted even with a code.
            CaseFact {
                root_cause: Some("typo".into()),
                ..case(Tier::President)
            },
        ];
        let ins = compute(&[], &cases, at(NOW), 12);
        let ranked: Vec<RosRow> = ins
            .ranked
            .iter()
            .map(|r| {
                (
                    r.code.as_str(),
                    r.customers,
                    r.weighted,
                    r.effort_days,
                    r.ros,
                )
            })
            .collect();
        assert_eq!(
            ranked,
            [
                // 2 / max(0, 0.25)
                ("typo", 1, 2, Some(0.0), Some(8.0)),
                // 8 / 2
                ("wrong-item", 1, 8, Some(2.0), Some(4.0)),
                // 2 / 1: the largest effort recorded for the code wins
                ("slow-reply", 2, 2, Some(1.0), Some(2.0)),
                // 2 / 5
                ("big-fix", 2, 2, Some(5.0), Some(0.4)),
            ]
        );
        let unmeasured: Vec<(&str, usize)> = ins
            .unmeasured
            .iter()
            .map(|r| (r.code.as_str(), r.weighted))
            .collect();
        assert_eq!(unmeasured, [("no-effort", 4), ("bad-effort", 1)]);
        let counts: Vec<(&str, usize)> = ins
            .root_causes
            .iter()
            .map(|t| (t.name.as_str(), t.count))
            .collect();
        assert_eq!(counts[..2], [("big-fix", 2), ("slow-reply", 2)]);
        assert_eq!(counts.len(), 6);
    }

    #[test]
    fn words_count_once_per_answer_without_stopwords() {
        let answers = [
            answer(
                NOW,
                Tier::None,
                None,
                "Delivery was LATE. Delivery, delivery, delivery!",
            ),
            answer(
                NOW,
                Tier::None,
                None,
                "late delivery again, and that's 2024",
            ),
            answer(
                NOW,
                Tier::None,
                None,
                "Die Lieferung war nicht pünktlich, über eine Woche",
            ),
            answer(NOW, Tier::None, None, "pünktlich?"),
        ];
        let ins = compute(&answers, &[], at(NOW), 4);
        let words: Vec<(&str, usize)> = ins
            .words
            .iter()
            .map(|t| (t.name.as_str(), t.count))
            .collect();
        assert_eq!(
            words,
            [
                ("delivery", 2),
                ("late", 2),
                ("pünktlich", 2),
                ("lieferung", 1),
                ("woche", 1),
            ]
        );
    }

    #[test]
    fn only_the_fifteen_most_frequent_words_are_kept() {
        let gaps = (0..40)
            .map(|i| format!("word{i:02}"))
            .collect::<Vec<_>>()
            .join(" ");
        let answers = [answer(NOW, Tier::None, None, &gaps)];
        assert_eq!(compute(&answers, &[], at(NOW), 4).words.len(), 15);
    }

    #[test]
    fn stopwords_are_sorted_lowercase_and_long_enough_to_matter() {
        assert!(
            STOPWORDS.windows(2).all(|w| w[0] < w[1]),
            "binary search needs order"
        );
        for w in STOPWORDS {
            assert_eq!(w.to_lowercase(), *w);
            assert!(w.chars().count() >= 4, "{w} would be dropped anyway");
        }
        assert!(words_of("Because there wasn't anything").is_empty());
    }

    #[test]
    fn the_filter_reads_the_query_string() {
        assert_eq!(Filter::parse("").unwrap(), Filter::default());
        assert_eq!(Filter::default().weeks, 12);
        assert_eq!(
            Filter::parse("?site=demo&weeks=4").unwrap(),
            Filter {
                site: Some("demo".into()),
                weeks: 4
            }
        );
        assert_eq!(Filter::parse("site=&weeks=").unwrap(), Filter::default());
        assert_eq!(Filter::parse("weeks=52").unwrap().weeks, 52);
        for (query, code) in [
            ("weeks=5", "invalid_weeks"),
            ("weeks=abc", "invalid_weeks"),
            ("weeks=-4", "invalid_weeks"),
            ("site=Not%20a%20key", "invalid_site"),
            ("site=%3Cscript%3E", "invalid_site"),
            ("teir=senior", "invalid_query"),
            ("site=demo&extra=1", "invalid_query"),
        ] {
            assert_eq!(Filter::parse(query).unwrap_err().code(), code, "{query}");
        }
    }

    #[test]
    fn empty_input_renders_without_nan_or_broken_charts() {
        let ins = compute(&[], &[], at(NOW), 12);
        let out = render(&chrome(), &[], &Filter::default(), &ins);
        assert!(out.contains("<h1>Insights</h1>"));
        assert!(out.contains("No answers in this period."));
        assert!(out.contains("No cases in this period."));
        assert!(!out.contains("<svg"), "no chart has anything to draw");
        for bad in ["NaN", "inf", "style="] {
            assert!(!out.contains(bad), "{bad}");
        }
    }

    fn sample() -> Insights {
        let answers = [
            answer(
                MON_NOV_2 + HOUR,
                Tier::Senior,
                Some(2),
                "The delivery was late",
            ),
            answer(NOW - HOUR, Tier::None, None, "Delivery box was damaged"),
            answer(NOW - HOUR, Tier::President, None, "Not worth the price"),
        ];
        let cases = [
            closed(Tier::Senior, "late-delivery", Some(2.0)),
            closed(Tier::President, "pricing", None),
            case(Tier::Account),
        ];
        compute(&answers, &cases, at(NOW), 4)
    }

    #[test]
    fn the_page_has_its_form_and_sections_in_order() {
        let sites = ["demo".to_owned(), "shop".to_owned()];
        let filter = Filter {
            site: Some("shop".into()),
            weeks: 4,
        };
        let out = render(&chrome(), &sites, &filter, &sample());
        assert!(out.contains(r#"<form class="row" method="get" action="/dashboard/insights""#));
        assert!(out.contains(r#"<label for="site">Site</label>"#));
        assert!(out.contains(r#"<option value="">All sites</option>"#));
        assert!(out.contains(r#"<option value="shop" selected>shop</option>"#));
        assert!(out.contains(r#"<option value="4" selected>Last 4 weeks</option>"#));
        assert!(out.contains(r#"<button type="submit">Show</button>"#));
        let order = [
            "chart-weekly",
            "chart-scores",
            "chart-sla",
            "chart-close",
            "chart-causes",
            "chart-words",
            "chart-ros",
        ];
        let positions: Vec<usize> = order.iter().map(|id| out.find(id).unwrap()).collect();
        assert!(positions.windows(2).all(|p| p[0] < p[1]), "{positions:?}");
        // Rule 1: the score chart uses only the neutral colour.
        let scores = &out[positions[1]..positions[2]];
        assert!(scores.contains("bar-neutral"));
        assert!(!scores.contains("bar-service") && !scores.contains("bar-senior"));
        assert!(out.contains("Effort not recorded"));
        assert!(out.contains("<dt>Answers</dt><dd>3</dd>"));
        assert!(out.contains("67 % <span class=\"small muted\">2 of 3</span>"));
        assert!(!out.contains("style=") && !out.contains("NaN"));
        assert_eq!(
            out.matches("<script").count(),
            1,
            "only the external script"
        );
        assert_eq!(out.matches("<svg").count(), 7);
        assert_eq!(out.matches("role=\"img\"").count(), 7);
        assert_eq!(out.matches("Show as a table").count(), 7);
    }

    #[test]
    fn a_full_cap_of_answers_is_said_on_the_page() {
        let answers = vec![answer(NOW, Tier::None, None, "x"); MAX_ANSWERS];
        let ins = compute(&answers, &[], at(NOW), 4);
        assert!(ins.capped);
        let out = render(&chrome(), &[], &Filter::default(), &ins);
        assert!(out.contains("Only the latest 5000 answers"));
    }

    /// Text that would be markup if it reached the page unescaped. The page
    /// has no tag named "zq…", so a `<zq` in the output is the input
    /// escaping; a `"zq` is too, unless it opens an attribute value (`="zq`)
    /// where the input is allowed to be.
    fn hostile() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop_oneof![
                Just("<script>alert(1)</script>".to_owned()),
                Just("\"".to_owned()),
                Just("'".to_owned()),
                Just("&".to_owned()),
                Just("&amp;".to_owned()),
                Just("<".to_owned()),
                Just(">".to_owned()),
                "(zq| ){1,4}",
                any::<String>(),
            ],
            0..8,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest! {
        #[test]
        fn hostile_text_never_becomes_markup_and_never_panics(
            gaps in prop::collection::vec(hostile(), 0..6),
            codes in prop::collection::vec(hostile(), 0..6),
            efforts in prop::collection::vec(any::<Option<f64>>(), 0..6),
            site in hostile(),
            offsets in prop::collection::vec(any::<i64>(), 0..6),
        ) {
            let answers: Vec<AnswerFact> = gaps
                .iter()
                .enumerate()
                .map(|(i, g)| answer(NOW - i64::try_from(i).unwrap() * DAY_MS, Tier::ALL[i % 5], None, g))
                .collect();
            let cases: Vec<CaseFact> = codes
                .iter()
                .enumerate()
                .map(|(i, code)| CaseFact {
                    closed_at: offsets.get(i).map(|o| at(NOW.saturating_add(*o))),
                    acknowledged_at: offsets.get(i + 1).map(|o| at(*o)),
                    ..closed(Tier::ALL[i % 5], code, efforts.get(i).copied().flatten())
                })
                .collect();
            let ins = compute(&answers, &cases, at(NOW), 52);
            let filter = Filter { site: Some(site.clone()), weeks: 52 };
            let out = render(&chrome(), &[site], &filter, &ins);
            prop_assert_eq!(out.matches("<script").count(), 1);
            for bad in ["<zq", "<script>alert", "NaN"] {
                prop_assert!(!out.contains(bad), "{} in output", bad);
            }
            let breakout = out.match_indices("\"zq").any(|(i, _)| !out[..i].ends_with('='));
            prop_assert!(!breakout, "a quote in the input closed an attribute");
        }

        #[test]
        fn any_facts_and_any_clock_compute_without_panicking(
            now in any::<i64>(),
            weeks in any::<u32>(),
            times in prop::collection::vec(any::<i64>(), 0..12),
            gaps in any::<String>(),
        ) {
            let answers: Vec<AnswerFact> = times
                .iter()
                .map(|t| answer(*t, Tier::Senior, Some(2), &gaps))
                .collect();
            let cases: Vec<CaseFact> = times
                .windows(3)
                .map(|w| CaseFact {
                    opened_at: at(w[0]),
                    ack_due_at: Some(at(w[1])),
                    acknowledged_at: Some(at(w[2])),
                    closed_at: Some(at(w[1])),
                    ..closed(Tier::President, &gaps, Some(1.0))
                })
                .collect();
            let ins = compute(&answers, &cases, at(now), weeks);
            prop_assert!(!ins.weeks.is_empty() && ins.weeks.len() <= 52);
            let out = render(&chrome(), &[], &Filter::default(), &ins);
            prop_assert!(!out.contains("NaN"));
        }
    }
}
