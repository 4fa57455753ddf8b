//! Systemic fixes, tracked after their cases close (rule 7): one per site
//! and root cause, made when a case closes with a systemic fix other than
//! "none". A fix has an owner, a due date and a status; Insights lists the
//! open ones by return on satisfaction. When another case closes with a
//! cause whose fix is done, the fix was not enough: it reopens and its
//! owner is told.

use crate::insights::Ros;
use crate::{DomainError, Timestamp};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixStatus {
    Planned,
    InProgress,
    Done,
    WontDo,
}

impl FixStatus {
    pub const ALL: [Self; 4] = [Self::Planned, Self::InProgress, Self::Done, Self::WontDo];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Planned => "planned",
            Self::InProgress => "in_progress",
            Self::Done => "done",
            Self::WontDo => "wont_do",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            Self::Planned => "Planned",
            Self::InProgress => "In progress",
            Self::Done => "Done",
            Self::WontDo => "Won't do",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// Still to do: listed in Insights.
    pub const fn is_open(self) -> bool {
        matches!(self, Self::Planned | Self::InProgress)
    }
}

/// Whether a closing's systemic fix names one (not "none", said
/// explicitly, which rule 4 allows).
pub fn names_a_fix(systemic_fix: &str) -> bool {
    !systemic_fix.trim().eq_ignore_ascii_case("none")
}

/// A fix as Insights lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct FixLine {
    pub site: String,
    pub code: String,
    pub description: String,
    pub status: FixStatus,
    pub owner_id: Option<String>,
    pub owner_name: Option<String>,
    pub due_at: Option<Timestamp>,
    pub reopened_at: Option<Timestamp>,
    /// Rule 7's return for the code (customers × weight ÷ effort), when
    /// the effort is known; and the weighted customers.
    pub ros: Option<f64>,
    pub weighted: usize,
}

/// Orders open fixes by return on satisfaction: measured ones first,
/// highest return first, then by weighted customers, then by code.
pub fn rank(mut fixes: Vec<FixLine>, ranked: &[Ros], unmeasured: &[Ros]) -> Vec<FixLine> {
    fixes.retain(|f| f.status.is_open());
    for f in &mut fixes {
        if let Some(r) = ranked.iter().chain(unmeasured).find(|r| r.code == f.code) {
            f.ros = r.ros;
            f.weighted = r.weighted;
        }
    }
    fixes.sort_by(|a, b| {
        b.ros
            .is_some()
            .cmp(&a.ros.is_some())
            .then_with(|| b.ros.unwrap_or(0.0).total_cmp(&a.ros.unwrap_or(0.0)))
            .then_with(|| b.weighted.cmp(&a.weighted))
            .then_with(|| a.code.cmp(&b.code))
    });
    fixes
}

/// The form that updates a fix: `status`, `owner` (a person's id, or empty
/// for nobody) and `due` (`YYYY-MM-DD`, or empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixUpdate {
    pub status: FixStatus,
    pub owner: Option<String>,
    pub due_at: Option<Timestamp>,
}

impl FixUpdate {
    pub fn parse(body: &str) -> Result<Self, DomainError> {
        let field = |k: &str| crate::form::form_field(body, k).unwrap_or_default();
        let status = FixStatus::parse(&field("status")).ok_or_else(|| {
            DomainError::invalid("status", "planned, in_progress, done or wont_do")
        })?;
        let owner = Some(field("owner")).filter(|o| !o.trim().is_empty());
        if owner.as_ref().is_some_and(|o| o.len() > 64) {
            return Err(DomainError::invalid(
                "owner",
                "choose someone from the list",
            ));
        }
        let due = field("due");
        let due_at = if due.trim().is_empty() {
            None
        } else {
            Some(Timestamp::parse_since(due.trim())?)
        };
        Ok(Self {
            status,
            owner,
            due_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fix(code: &str, status: FixStatus) -> FixLine {
        FixLine {
            site: "demo".into(),
            code: code.into(),
            description: "d".into(),
            status,
            owner_id: None,
            owner_name: None,
            due_at: None,
            reopened_at: None,
            ros: None,
            weighted: 0,
        }
    }

    fn ros(code: &str, weighted: usize, ros: Option<f64>) -> Ros {
        Ros {
            code: code.into(),
            customers: weighted,
            weighted,
            effort_days: ros.map(|_| 1.0),
            ros,
        }
    }

    #[test]
    fn open_fixes_rank_by_return_on_satisfaction() {
        let fixes = vec![
            fix("unmeasured-big", FixStatus::Planned),
            fix("cheap", FixStatus::InProgress),
            fix("dear", FixStatus::Planned),
            fix("finished", FixStatus::Done),
            fix("refused", FixStatus::WontDo),
        ];
        let ranked = [
            ros("cheap", 4, Some(16.0)),
            ros("dear", 8, Some(2.0)),
            ros("finished", 9, Some(99.0)),
        ];
        let unmeasured = [ros("unmeasured-big", 40, None)];
        let order: Vec<String> = rank(fixes, &ranked, &unmeasured)
            .into_iter()
            .map(|f| f.code)
            .collect();
        assert_eq!(order, ["cheap", "dear", "unmeasured-big"]);
    }

    #[test]
    fn none_names_no_fix() {
        assert!(!names_a_fix(" None "));
        assert!(names_a_fix("Longer cart sessions"));
    }

    #[test]
    fn the_form_parses() {
        let u = FixUpdate::parse("status=in_progress&owner=abc&due=2026-12-31").unwrap();
        assert_eq!(u.status, FixStatus::InProgress);
        assert_eq!(u.owner.as_deref(), Some("abc"));
        assert_eq!(u.due_at.unwrap().to_rfc3339(), "2026-12-31T00:00:00.000Z");
        let none = FixUpdate::parse("status=done&owner=&due=").unwrap();
        assert_eq!((none.owner, none.due_at), (None, None));
        assert!(FixUpdate::parse("status=finished").is_err());
        assert!(FixUpdate::parse("status=done&due=tomorrow").is_err());
    }

    proptest! {
        #[test]
        fn the_form_never_panics(body in ".{0,200}") {
            let _ = FixUpdate::parse(&body);
        }
    }
}
