//! The soak's arithmetic: from what the clients sent, what D1 holds and
//! what the receiver answered, the counts the soak is judged on (lost,
//! stored twice, alerts lost or delivered twice, late) — plain functions of
//! plain data, tested below — and the markdown of BENCHMARKS.md's section.

use super::load::Sent;
use crate::bench::stats::Sample;
use std::collections::HashMap;

/// The budget of docs/budgets.md an alert is late against: submit → alert
/// received within 1 s (the burst budget; the soak's 10 answers/s is
/// between the paced and the burst load).
pub(super) const LATE_MS: u128 = 1_000;

/// One call the chat receiver answered.
#[derive(Debug, Clone)]
pub(super) struct Call {
    pub webhook_id: String,
    pub status: u16,
    pub at_ms: u128,
}

/// One row of `responses` written during the run, with how many cases and
/// outbox alerts it has.
#[derive(Debug, Clone)]
pub(super) struct Stored {
    pub id: String,
    pub cases: u64,
}

/// The counts the soak reports.
#[derive(Debug, Default)]
pub(super) struct Tally {
    pub sent: usize,
    /// Answered 2xx (at the first POST or a client retry).
    pub accepted: usize,
    /// Posted more than once by the client.
    pub retried: usize,
    /// Answered 2xx but not in D1.
    pub lost: usize,
    /// An id in D1 more than once, or with more than one case.
    pub stored_twice: usize,
    /// In D1 although the client never saw a 2xx (it gave up first).
    pub unconfirmed: usize,
    /// Stored answers whose case is missing or should not be there.
    pub wrong_cases: usize,
    /// Stored answers that open a case: each owes one alert.
    pub alerts_owed: usize,
    /// Owed alerts never answered 200 by the receiver.
    pub alerts_lost: usize,
    /// Deliveries answered 200 beyond the first, per alert, summed.
    pub duplicate_deliveries: usize,
    /// Alerts answered 200 more than once.
    pub alerts_delivered_twice: usize,
    /// Alerts whose first 200 came more than [`LATE_MS`] after the submit,
    /// though no call of theirs had failed before it.
    pub late: usize,
    /// Late alerts with a failed call before their first 200: retried on
    /// the schedule (the next try 5 s on), late by design.
    pub late_after_failure: usize,
    /// Submit → first 200, ms, per delivered alert.
    pub alert_ms: Sample,
    /// 200s for an alert of no answer of the run.
    pub stray: usize,
    pub calls: usize,
    pub calls_failed: usize,
}

/// The answer id an alert is about: `msg_<id without dashes>_<level>_<reason>`.
fn case_key(webhook_id: &str) -> Option<&str> {
    webhook_id.strip_prefix("msg_")?.split('_').next()
}

impl Tally {
    pub fn of(sent: &[Sent], stored: &[Stored], calls: &[Call]) -> Self {
        let mut t = Self {
            sent: sent.len(),
            accepted: sent.iter().filter(|s| s.accepted()).count(),
            retried: sent.iter().filter(|s| s.attempts > 1).count(),
            calls: calls.len(),
            calls_failed: calls.iter().filter(|c| c.status != 200).count(),
            ..Self::default()
        };
        let mut rows: HashMap<&str, (usize, u64)> = HashMap::new();
        for r in stored {
            let e = rows.entry(r.id.as_str()).or_default();
            e.0 += 1;
            e.1 += r.cases;
        }
        t.stored_twice = rows.values().filter(|&&(n, c)| n > 1 || c > 1).count();
        // Every 200, in order of arrival, by the answer it is about.
        let mut delivered: HashMap<&str, Vec<u128>> = HashMap::new();
        for c in calls.iter().filter(|c| c.status == 200) {
            if let Some(key) = case_key(&c.webhook_id) {
                delivered.entry(key).or_default().push(c.at_ms);
            }
        }
        // When each alert's calls failed (answered, not 200).
        let mut failed: HashMap<&str, Vec<u128>> = HashMap::new();
        for c in calls.iter().filter(|c| c.status != 200) {
            if let Some(key) = case_key(&c.webhook_id) {
                failed.entry(key).or_default().push(c.at_ms);
            }
        }
        let mut owed_keys = Vec::new();
        let mut alert_ms = Vec::new();
        for s in sent {
            let row = rows.get(s.id.as_str());
            match (row, s.accepted()) {
                (None, true) => t.lost += 1,
                (Some(_), false) => t.unconfirmed += 1,
                _ => {}
            }
            let Some(&(_, cases)) = row else { continue };
            if (cases > 0) != s.opens_case {
                t.wrong_cases += 1;
            }
            if !s.opens_case {
                continue;
            }
            t.alerts_owed += 1;
            let key = s.id.replace('-', "");
            match delivered.get(key.as_str()) {
                None => t.alerts_lost += 1,
                Some(at) => {
                    let first = at.iter().copied().min().unwrap_or(s.at_ms);
                    let ms = first.saturating_sub(s.at_ms);
                    if ms > LATE_MS {
                        let failed_first = failed
                            .get(key.as_str())
                            .is_some_and(|f| f.iter().any(|&at| at < first));
                        if failed_first {
                            t.late_after_failure += 1;
                        } else {
                            t.late += 1;
                        }
                    }
                    #[allow(clippy::cast_precision_loss)]
                    alert_ms.push(ms as f64);
                    if at.len() > 1 {
                        t.alerts_delivered_twice += 1;
                        t.duplicate_deliveries += at.len() - 1;
                    }
                }
            }
            owed_keys.push(key);
        }
        t.alert_ms = Sample::new(alert_ms);
        let owed: std::collections::HashSet<&str> = owed_keys.iter().map(String::as_str).collect();
        t.stray = delivered
            .iter()
            .filter(|(k, _)| !owed.contains(*k))
            .map(|(_, at)| at.len())
            .sum();
        t
    }

    /// What fails the soak: anything lost or stored twice.
    pub fn failures(&self) -> Vec<String> {
        [
            (self.lost, "answers answered 2xx but not stored"),
            (self.stored_twice, "answers stored twice"),
            (
                self.wrong_cases,
                "answers stored with a missing or extra case",
            ),
            (self.alerts_lost, "alerts never delivered"),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect()
    }
}

/// Ingest round trips of the answers sent with or without pollers.
pub(super) fn ingest_ms(sent: &[Sent], with_pollers: bool) -> Sample {
    Sample::new(
        sent.iter()
            .filter(|s| s.with_pollers == with_pollers)
            .map(|s| s.first_ms),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent(id: &str, opens_case: bool, status: u16, at_ms: u128) -> Sent {
        Sent {
            id: id.into(),
            opens_case,
            at_ms,
            status,
            first_ms: 10.0,
            attempts: 1,
            with_pollers: false,
        }
    }

    fn call(id: &str, status: u16, at_ms: u128) -> Call {
        Call {
            webhook_id: format!("msg_{}_senior_opened", id.replace('-', "")),
            status,
            at_ms,
        }
    }

    fn row(id: &str, cases: u64) -> Stored {
        Stored {
            id: id.into(),
            cases,
        }
    }

    #[test]
    fn a_clean_run_counts_nothing_bad() {
        let s = [
            sent("a-1", true, 201, 1_000),
            sent("b-2", false, 201, 1_100),
        ];
        let t = Tally::of(
            &s,
            &[row("a-1", 1), row("b-2", 0)],
            &[call("a-1", 200, 1_500)],
        );
        assert_eq!((t.sent, t.accepted, t.alerts_owed), (2, 2, 1));
        assert!(t.failures().is_empty(), "{:?}", t.failures());
        assert_eq!((t.late, t.stray, t.calls_failed), (0, 0, 0));
        assert_eq!(t.alert_ms.median(), Some(500.0));
    }

    #[test]
    fn an_accepted_answer_missing_from_d1_is_lost_and_its_alert_too() {
        let s = [sent("a-1", true, 201, 0), sent("b-2", true, 201, 0)];
        let t = Tally::of(&s, &[row("b-2", 1)], &[call("b-2", 200, 100)]);
        assert_eq!(t.lost, 1);
        // Only a stored answer owes an alert: the lost one is counted once.
        assert_eq!((t.alerts_owed, t.alerts_lost), (1, 0));
        assert_eq!(t.failures(), ["1 answers answered 2xx but not stored"]);
    }

    #[test]
    fn a_refused_answer_that_was_stored_is_unconfirmed_not_lost() {
        let s = [sent("a-1", false, 0, 0), sent("b-2", false, 503, 0)];
        let t = Tally::of(&s, &[row("a-1", 0)], &[]);
        assert_eq!((t.accepted, t.lost, t.unconfirmed), (0, 0, 1));
        assert!(t.failures().is_empty());
    }

    #[test]
    fn duplicates_are_counted_as_deliveries_and_as_alerts() {
        let s = [
            sent("a-1", true, 201, 0),
            sent("b-2", true, 201, 0),
            sent("c-3", true, 201, 0),
        ];
        let calls = [
            call("a-1", 500, 10),
            call("a-1", 200, 5_010),
            call("a-1", 200, 5_020),
            call("a-1", 200, 5_030),
            call("b-2", 200, 20),
            // Late with no failed call before it: counted as plain late.
            call("c-3", 200, 1_500),
        ];
        let stored = [row("a-1", 1), row("b-2", 1), row("c-3", 1)];
        let t = Tally::of(&s, &stored, &calls);
        assert_eq!((t.duplicate_deliveries, t.alerts_delivered_twice), (2, 1));
        assert_eq!(
            (
                t.late,
                t.late_after_failure,
                t.alerts_lost,
                t.calls,
                t.calls_failed
            ),
            (1, 1, 0, 6, 1)
        );
        assert_eq!(t.alert_ms.max(), Some(5_010.0));
        // Delivered more than once is at least once, not a failure.
        assert!(t.failures().is_empty());
    }

    #[test]
    fn a_missing_alert_a_double_row_and_a_stray_are_seen() {
        let s = [sent("a-1", true, 201, 0), sent("b-2", false, 201, 0)];
        let stored = [row("a-1", 1), row("b-2", 0), row("b-2", 0)];
        let t = Tally::of(&s, &stored, &[call("zz", 200, 1)]);
        assert_eq!((t.alerts_lost, t.stored_twice, t.stray), (1, 1, 1));
        assert_eq!(t.failures().len(), 2);
    }

    #[test]
    fn a_case_where_none_belongs_is_wrong() {
        let s = [sent("a-1", true, 201, 0), sent("b-2", false, 201, 0)];
        let t = Tally::of(&s, &[row("a-1", 0), row("b-2", 1)], &[]);
        assert_eq!(t.wrong_cases, 2);
    }

    #[test]
    fn ingest_latency_is_split_by_pollers() {
        let mut a = sent("a", false, 201, 0);
        a.first_ms = 5.0;
        let mut b = sent("b", false, 201, 0);
        b.first_ms = 50.0;
        b.with_pollers = true;
        assert_eq!(
            ingest_ms(&[a.clone(), b.clone()], false).median(),
            Some(5.0)
        );
        assert_eq!(ingest_ms(&[a, b], true).median(), Some(50.0));
    }
}
