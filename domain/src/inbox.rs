//! The inbox's rules: which cases it lists (filters by site, tier, state
//! and date, read from its query string) and in what order (rule 5's
//! deadlines: the most urgent first). The page that shows them is
//! `pages::inbox`.

use crate::case::CaseState;
use crate::fields::SiteKey;
use crate::{DomainError, Tier, Timestamp};
use std::cmp::Reverse;

/// One case as the inbox lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxCase {
    pub id: String,
    pub site: String,
    pub tier: Tier,
    pub level: Tier,
    pub state: CaseState,
    pub opened_at: Timestamp,
    pub ack_due_at: Option<Timestamp>,
    pub score: Option<u8>,
    pub guarantee: bool,
    /// The customer's words ("" once erased).
    pub gaps: String,
    pub owner: crate::ownership::Owner,
    /// After acknowledgement: the step the case waits on and when it is due
    /// (`domain::deadlines`).
    pub step_due: Option<(crate::deadlines::Step, Timestamp)>,
}

impl InboxCase {
    /// Whether the case missed a deadline: the acknowledgement while open,
    /// or the step it waits on after that.
    pub fn overdue(&self, now: Timestamp) -> bool {
        match (self.state, self.ack_due_at, self.step_due) {
            (CaseState::Open, Some(due), _) => due <= now,
            (CaseState::Open | CaseState::Closed, _, _) => false,
            (_, _, Some((_, due))) => due <= now,
            _ => false,
        }
    }
}

/// Which states the inbox shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StateFilter {
    /// Everything not closed: the default, the work still to do.
    #[default]
    Active,
    One(CaseState),
    All,
}

impl StateFilter {
    /// The value in the query string (and the store's query).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::All => "all",
            Self::One(s) => s.as_str(),
        }
    }
}

/// The inbox's filters, from its query string.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filter {
    pub site: Option<SiteKey>,
    pub tier: Option<Tier>,
    pub state: StateFilter,
    /// Cases opened on or after this day (UTC).
    pub since: Option<Timestamp>,
    /// Mine, unassigned, or any.
    pub owner: crate::ownership::OwnerFilter,
}

impl Filter {
    /// Parses `site=&tier=&state=&since=&owner=`; empty values mean "any". Unknown
    /// names are refused so a typo does not silently show everything.
    pub fn parse(query: &str) -> Result<Self, DomainError> {
        let mut f = Self::default();
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
            if v.is_empty() {
                continue;
            }
            match k.as_ref() {
                "site" => f.site = Some(SiteKey::try_from(v.as_ref())?),
                "tier" => {
                    f.tier = Some(Tier::parse(&v).filter(|t| t.opens_case()).ok_or_else(|| {
                        DomainError::invalid("tier", "service, account, senior or president")
                    })?);
                }
                "state" => {
                    f.state = match v.as_ref() {
                        "active" => StateFilter::Active,
                        "all" => StateFilter::All,
                        s => StateFilter::One(CaseState::parse(s).ok_or_else(|| {
                            DomainError::invalid("state", "active, all, or one case state")
                        })?),
                    };
                }
                "since" => f.since = Some(Timestamp::parse_since(&v)?),
                "owner" => f.owner = crate::ownership::OwnerFilter::parse(&v)?,
                other => {
                    return Err(DomainError::invalid(
                        "query",
                        format!("unknown filter {other:?}"),
                    ))
                }
            }
        }
        Ok(f)
    }
}

/// How urgent a case is: every case past a deadline first (the
/// acknowledgement, or a later step's; longest overdue first), then open by
/// the deadline nearest, then the rest of the work by tier (highest first)
/// and age, closed cases last.
pub fn sort(cases: &mut [InboxCase], now: Timestamp) {
    cases.sort_by_key(|c| {
        let open = c.state == CaseState::Open;
        let due = if open {
            c.ack_due_at.map_or(i64::MAX, Timestamp::millis)
        } else {
            c.step_due.map_or(i64::MAX, |(_, d)| d.millis())
        };
        let group = match (open, c.overdue(now)) {
            (_, true) => 0,
            (true, false) => 1,
            _ if c.state == CaseState::Closed => 3,
            _ => 2,
        };
        let by_due = if group < 2 { due } else { 0 };
        (
            group,
            by_due,
            Reverse(c.tier),
            c.opened_at.millis(),
            c.id.clone(),
        )
    });
}

/// The inbox's version, for a poll's `If-None-Match`: the newest change to
/// any case (a new case, a step, an owner, a level) and the current minute,
/// since deadlines and "overdue" move with the clock. Anything else on the
/// page (an erased answer's words, an owner's new name) shows within the
/// minute. A weak tag: the page is equivalent, not byte for byte the same.
pub fn etag(cases_changed_at: i64, now: Timestamp) -> String {
    format!("W/\"inbox-{cases_changed_at}-{}\"", now.millis() / 60_000)
}

/// Whether an `If-None-Match` header names `etag` (a list, or `*`).
pub fn unchanged(if_none_match: Option<&str>, etag: &str) -> bool {
    if_none_match.is_some_and(|h| h.split(',').map(str::trim).any(|t| t == etag || t == "*"))
}

/// A case for the inbox's tests (here, and the page's in `candor-pages`
/// through the `fixtures` feature).
#[cfg(any(test, feature = "fixtures"))]
pub mod fixtures {
    use super::{CaseState, InboxCase, Tier, Timestamp};

    /// Opened at 0, its acknowledgement due at minute `due_min`, with a
    /// word of markup in its gaps.
    pub fn case(id: &str, tier: Tier, state: CaseState, due_min: Option<i64>) -> InboxCase {
        InboxCase {
            id: id.into(),
            site: "demo".into(),
            tier,
            level: tier,
            state,
            opened_at: Timestamp::from_millis(0),
            ack_due_at: due_min.map(|m| Timestamp::from_millis(m * 60_000)),
            score: Some(2),
            guarantee: false,
            gaps: "late <b>again</b>".into(),
            owner: crate::ownership::Owner::Nobody,
            step_due: None,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_poll_tag_changes_with_a_case_or_the_minute() {
        let now = Timestamp::from_millis(1_796_411_400_000);
        let tag = etag(1_796_411_399_000, now);
        assert_eq!(tag, "W/\"inbox-1796411399000-29940190\"");
        assert_eq!(etag(1_796_411_399_000, now.plus_seconds(30)), tag);
        assert_ne!(etag(1_796_411_399_001, now), tag);
        assert_ne!(etag(1_796_411_399_000, now.plus_seconds(60)), tag);
        assert!(unchanged(Some(&tag), &tag));
        assert!(unchanged(Some(&format!("W/\"x\", {tag}")), &tag));
        assert!(unchanged(Some("*"), &tag));
        assert!(!unchanged(Some("W/\"inbox-1-2\""), &tag));
        assert!(!unchanged(None, &tag));
    }

    use super::fixtures::case;
    use super::*;

    #[test]
    fn a_missed_step_counts_as_overdue_and_goes_first() {
        let now = Timestamp::from_millis(100 * 60_000);
        let mut late_call = case("late-call", Tier::Service, CaseState::Acknowledged, None);
        late_call.step_due = Some((
            crate::deadlines::Step::Call,
            Timestamp::from_millis(50 * 60_000),
        ));
        let mut call_later = case("call-later", Tier::President, CaseState::Acknowledged, None);
        call_later.step_due = Some((
            crate::deadlines::Step::Call,
            Timestamp::from_millis(500 * 60_000),
        ));
        assert!(late_call.overdue(now) && !call_later.overdue(now));
        let mut cases = vec![
            call_later,
            case("due-soon", Tier::Service, CaseState::Open, Some(110)),
            late_call,
        ];
        sort(&mut cases, now);
        let order: Vec<&str> = cases.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(order, ["late-call", "due-soon", "call-later"]);
    }

    #[test]
    fn overdue_first_then_nearest_deadline_then_the_rest_by_tier() {
        let now = Timestamp::from_millis(100 * 60_000);
        let mut cases = vec![
            case("closed", Tier::President, CaseState::Closed, Some(1)),
            case(
                "acked-account",
                Tier::Account,
                CaseState::Acknowledged,
                Some(5),
            ),
            case(
                "acked-president",
                Tier::President,
                CaseState::Contacted,
                Some(5),
            ),
            case("due-later", Tier::Account, CaseState::Open, Some(160)),
            case("due-soon", Tier::Service, CaseState::Open, Some(110)),
            case("late-a-bit", Tier::Account, CaseState::Open, Some(90)),
            case("late-most", Tier::Service, CaseState::Open, Some(10)),
        ];
        sort(&mut cases, now);
        let order: Vec<&str> = cases.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(
            order,
            [
                "late-most",
                "late-a-bit",
                "due-soon",
                "due-later",
                "acked-president",
                "acked-account",
                "closed"
            ]
        );
    }

    #[test]
    fn filters_parse_and_refuse_typos() {
        let f = Filter::parse("site=demo&tier=senior&state=contacted&since=2026-11-01").unwrap();
        assert_eq!(f.site.unwrap().as_str(), "demo");
        assert_eq!(f.tier, Some(Tier::Senior));
        assert_eq!(f.state, StateFilter::One(CaseState::Contacted));
        assert!(f.since.is_some());
        assert_eq!(Filter::parse("site=&tier=").unwrap(), Filter::default());
        for bad in [
            "teir=senior",
            "tier=none",
            "state=done",
            "since=yesterday",
            "site=%3Cx%3E",
        ] {
            assert!(Filter::parse(bad).is_err(), "{bad}");
        }
    }
}
