//! Moving a site with answers from D1 into its own Durable Object: the
//! steps `cargo xtask move-site` asks the Worker for
//! (`POST /v1/admin/sites/{site}/move`), what each answers, and the pause
//! that holds the site's answers off while it moves.
//!
//! The order, each step safe to repeat: `pause`, `settings`, `copy` page by
//! page, `compare` page by page, `flip`, `purge` until nothing is left. A
//! page is a run of the site's answers in `(received_at, id)` order with
//! everything that hangs off them (their cases, events, alerts, deliveries,
//! dead letters, step alerts, mails and tags), so it is copied in one
//! transaction and compared as a whole. `resume` lifts the pause without
//! moving; `status` counts the site's rows in both homes.

use crate::{DomainError, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How long one `pause` holds a site's answers off. Every step of the
/// move renews nothing: the command pauses again before each step that
/// needs it, so a move that dies lets the site take answers again by
/// itself within this time.
pub const PAUSE_LEASE_MINUTES: u32 = 10;

/// The longest `Retry-After` a paused site answers: the widget's outbox
/// tries again then, well before the lease runs out.
pub const PAUSED_RETRY_SECS: u32 = 30;

/// Answers of the site per page: with their cases' rows, well within one
/// D1 batch.
pub const PAGE_ANSWERS: u32 = 100;

/// `Retry-After` seconds for an answer to a site paused until
/// `paused_until` (epoch ms), or `None` if the site takes answers at `now`.
pub fn paused_retry_after(paused_until: Option<i64>, now: Timestamp) -> Option<u32> {
    let left_ms = paused_until? - now.millis();
    if left_ms <= 0 {
        return None;
    }
    let secs = u32::try_from(left_ms.div_euclid(1000) + 1).unwrap_or(PAUSED_RETRY_SECS);
    Some(secs.clamp(1, PAUSED_RETRY_SECS))
}

/// Where a page ends: the last answer's `(received_at, id)`. The next page
/// starts after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageEnd {
    pub received_at: i64,
    pub id: String,
}

/// A step's name, as sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepName {
    Status,
    Pause,
    Settings,
    Copy,
    Compare,
    Flip,
    Purge,
    Resume,
}

/// A step as it comes over the wire: `{"step": …, "after": …}`. Read into
/// a [`MoveStep`], which cannot carry an `after` where it means nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMoveStep {
    pub step: StepName,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<PageEnd>,
}

/// One step of a move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MoveStep {
    /// Count the site's rows in both homes; changes nothing.
    Status,
    /// Hold the site's answers off for [`PAUSE_LEASE_MINUTES`].
    Pause,
    /// Copy its settings, recipients, fixes and notices; compare them.
    Settings,
    /// Copy the page after `after` (from the start if absent) into the
    /// object, read it back and compare.
    Copy { after: Option<PageEnd> },
    /// Compare the page after `after` in both homes; writes nothing.
    Compare { after: Option<PageEnd> },
    /// The site lives in its object from now on, if both homes hold the
    /// same number of rows of every kind and nothing changed meanwhile.
    Flip,
    /// After the flip: delete the first page still in D1, its rows the
    /// object lacks inserted there first.
    Purge,
    /// Lift the pause without moving.
    Resume,
}

impl TryFrom<RawMoveStep> for MoveStep {
    type Error = DomainError;
    fn try_from(raw: RawMoveStep) -> Result<Self, DomainError> {
        let after = raw.after;
        let step = match raw.step {
            StepName::Copy => return Ok(Self::Copy { after }),
            StepName::Compare => return Ok(Self::Compare { after }),
            StepName::Status => Self::Status,
            StepName::Pause => Self::Pause,
            StepName::Settings => Self::Settings,
            StepName::Flip => Self::Flip,
            StepName::Purge => Self::Purge,
            StepName::Resume => Self::Resume,
        };
        match after {
            None => Ok(step),
            Some(_) => Err(DomainError::Invalid {
                field: "after",
                reason: "only `copy` and `compare` go page by page".into(),
            }),
        }
    }
}

impl From<&MoveStep> for RawMoveStep {
    fn from(step: &MoveStep) -> Self {
        let (step, after) = match step {
            MoveStep::Copy { after } => (StepName::Copy, after.clone()),
            MoveStep::Compare { after } => (StepName::Compare, after.clone()),
            MoveStep::Status => (StepName::Status, None),
            MoveStep::Pause => (StepName::Pause, None),
            MoveStep::Settings => (StepName::Settings, None),
            MoveStep::Flip => (StepName::Flip, None),
            MoveStep::Purge => (StepName::Purge, None),
            MoveStep::Resume => (StepName::Resume, None),
        };
        Self { step, after }
    }
}

/// The rows of one kind in each home.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count {
    pub d1: u64,
    pub object: u64,
}

/// What every step answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoveReply {
    pub site: String,
    /// `d1` or `object`, after this step.
    pub home: String,
    /// Until when its answers are held off (epoch ms), if they are.
    pub paused_until: Option<i64>,
    /// Rows this step copied, compared or deleted.
    pub rows: u64,
    /// `copy` and `compare`: where the next page starts; `None`: done.
    /// `purge`: `Some` while pages are left in D1.
    pub next: Option<PageEnd>,
    /// `status` and `flip`: rows per table in each home.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub counts: BTreeMap<String, Count>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paused_site_asks_for_a_short_retry() {
        let now = Timestamp::from_millis(1_000_000);
        assert_eq!(paused_retry_after(None, now), None);
        assert_eq!(paused_retry_after(Some(1_000_000), now), None, "ended");
        assert_eq!(paused_retry_after(Some(900_000), now), None);
        assert_eq!(paused_retry_after(Some(1_000_001), now), Some(1));
        assert_eq!(paused_retry_after(Some(1_004_500), now), Some(5));
        assert_eq!(
            paused_retry_after(Some(1_000_000 + 600_000), now),
            Some(PAUSED_RETRY_SECS)
        );
        assert_eq!(paused_retry_after(Some(i64::MAX), now), Some(30));
    }

    fn read(json: &str) -> Option<MoveStep> {
        let raw: RawMoveStep = serde_json::from_str(json).ok()?;
        MoveStep::try_from(raw).ok()
    }

    #[test]
    fn steps_read_as_the_command_writes_them() {
        let page = PageEnd {
            received_at: 5,
            id: "a".into(),
        };
        assert_eq!(
            read(r#"{"step":"copy","after":{"received_at":5,"id":"a"}}"#),
            Some(MoveStep::Copy {
                after: Some(page.clone())
            })
        );
        assert_eq!(
            read(r#"{"step":"copy"}"#),
            Some(MoveStep::Copy { after: None })
        );
        assert_eq!(read(r#"{"step":"flip"}"#), Some(MoveStep::Flip));
        for bad in [
            r#"{"step":"teleport"}"#,
            r#"{"step":"pause","after":{"received_at":5,"id":"a"}}"#,
            r#"{"step":"copy","after":{"id":"a"}}"#,
            r#"{"step":"copy","before":null}"#,
            "{}",
        ] {
            assert_eq!(read(bad), None, "{bad}");
        }
        for step in [
            MoveStep::Status,
            MoveStep::Compare { after: Some(page) },
            MoveStep::Purge,
        ] {
            let sent = serde_json::to_string(&RawMoveStep::from(&step)).unwrap_or_default();
            assert_eq!(read(&sent), Some(step), "{sent}");
        }
    }
}
