//! The soak's section of BENCHMARKS.md: ingest latency with and without the
//! pollers, what was lost, duplicated or late, workerd's memory over the
//! run, and how it was measured.

use super::faults::{Timeline, FAIL_SHARE, RESTART_GAP};
use super::load::{Sent, RATE};
use super::memory::{Sample as Rss, Trend};
use super::pollers::{Polls, EVERY, TABS};
use super::report::{ingest_ms, Tally, LATE_MS};
use super::seed::ANSWERS;
use crate::bench::stats::Sample;
use crate::Result;
use std::fmt::Write as _;
use std::time::Duration;

pub(super) struct Figures<'a> {
    pub minutes: u64,
    pub timeline: Timeline,
    pub sent: &'a [Sent],
    pub tally: &'a Tally,
    pub polls: &'a Polls,
    pub memory: &'a [Rss],
    pub drained: Duration,
}

fn ms(s: &Sample, p: f64) -> String {
    s.percentile(p)
        .map_or_else(|| "–".into(), |v| format!("{v:.1} ms"))
}

#[allow(clippy::cast_precision_loss)]
fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// `n (x %)` of `of`.
fn share(n: usize, of: usize) -> String {
    #[allow(clippy::cast_precision_loss)]
    let pct = 100.0 * n as f64 / of.max(1) as f64;
    format!("{n} ({pct:.1} %)")
}

fn latency_table(md: &mut String, f: &Figures) -> Result {
    let (off, on) = (ingest_ms(f.sent, false), ingest_ms(f.sent, true));
    writeln!(
        md,
        "| ingest `POST /v1/responses` | without pollers | with {TABS} inbox tabs |\n|---|---:|---:|"
    )?;
    writeln!(md, "| answers | {} | {} |", off.len(), on.len())?;
    writeln!(md, "| p50 | {} | {} |", ms(&off, 50.0), ms(&on, 50.0))?;
    writeln!(
        md,
        "| p99 | **{}** | **{}** |",
        ms(&off, 99.0),
        ms(&on, 99.0)
    )?;
    writeln!(md, "| max | {} | {} |", ms(&off, 100.0), ms(&on, 100.0))?;
    Ok(())
}

fn counts_table(md: &mut String, f: &Figures) -> Result {
    let t = f.tally;
    let bold = |n: usize| format!("**{n}**");
    let delivered = t.alert_ms.len();
    writeln!(md, "\n| what | count |\n|---|---:|")?;
    writeln!(
        md,
        "| answers sent / answered 2xx | {} / {} |",
        t.sent, t.accepted
    )?;
    writeln!(
        md,
        "| posted again by the client (no answer, 5xx or 429) | {} |",
        t.retried
    )?;
    writeln!(md, "| answers lost (2xx, not in D1) | {} |", bold(t.lost))?;
    writeln!(md, "| answers stored twice | {} |", bold(t.stored_twice))?;
    writeln!(
        md,
        "| answers with a missing or extra case | {} |",
        bold(t.wrong_cases)
    )?;
    writeln!(
        md,
        "| stored without a 2xx (the client gave up) | {} |",
        t.unconfirmed
    )?;
    writeln!(
        md,
        "| alerts owed / delivered (200) | {} / {delivered} |",
        t.alerts_owed
    )?;
    writeln!(
        md,
        "| alerts lost (no 200 by the end + {:.0} s drain) | {} |",
        f.drained.as_secs_f64(),
        bold(t.alerts_lost)
    )?;
    writeln!(
        md,
        "| alerts delivered twice / duplicate deliveries (same `webhook-id`, 200 again) | {} / {} |",
        t.alerts_delivered_twice, t.duplicate_deliveries
    )?;
    writeln!(
        md,
        "| late alerts (first 200 > {} s after submit), no failed call before it | {} |",
        LATE_MS / 1000,
        share(t.late, delivered)
    )?;
    writeln!(
        md,
        "| late alerts after a failed call (retried on the schedule) | {} |",
        share(t.late_after_failure, delivered)
    )?;
    writeln!(
        md,
        "| submit → alert p50 / p99 / max | {} / {} / {} |",
        ms(&t.alert_ms, 50.0),
        ms(&t.alert_ms, 99.0),
        ms(&t.alert_ms, 100.0)
    )?;
    writeln!(
        md,
        "| receiver calls / answered 500 | {} / {} |",
        t.calls,
        share(t.calls_failed, t.calls)
    )?;
    writeln!(
        md,
        "| 200s for alerts of no answer of the run | {} |",
        t.stray
    )?;
    Ok(())
}

fn memory_lines(md: &mut String, samples: &[Rss]) -> Result {
    let Some(trend) = Trend::of(samples) else {
        writeln!(
            md,
            "\nWorker memory: not measured (no workerd found in `/proc`)."
        )?;
        return Ok(());
    };
    // One reading a minute keeps the line short over ten minutes.
    let per_minute: Vec<String> = samples
        .iter()
        .step_by(6)
        .map(|s| format!("{:.0}", mib(s.rss_kib)))
        .collect();
    #[allow(clippy::cast_precision_loss)]
    let growth = trend.growth_kib as f64 / 1024.0;
    writeln!(
        md,
        "\nWorker memory (RSS of every workerd process, summed, {} readings every ~10 s): \
         first {:.0} MiB, min {:.0}, max {:.0}, last {:.0}; last quarter vs first {growth:+.0} MiB: **{}**. \
         Each minute (MiB): {}.",
        samples.len(),
        mib(trend.first),
        mib(trend.min),
        mib(trend.max),
        mib(trend.last),
        if trend.grows() { "grows" } else { "flat" },
        per_minute.join(", ")
    )?;
    Ok(())
}

pub(super) fn markdown(f: &Figures) -> Result<String> {
    let mut md = String::new();
    latency_table(&mut md, f)?;
    counts_table(&mut md, f)?;
    memory_lines(&mut md, f.memory)?;
    let p = f.polls;
    let polls = Sample::new(p.ms.iter().copied());
    writeln!(
        md,
        "\nInbox polls: {} full pages (200), {} unchanged (304), {} errors{}; poll p50 {}, p99 {}.",
        p.pages,
        p.unchanged,
        p.errors,
        p.first_error
            .as_deref()
            .map_or_else(String::new, |e| format!(" (first: {e})")),
        ms(&polls, 50.0),
        ms(&polls, 99.0)
    )?;
    let [r1, r2] = f.timeline.restarts();
    writeln!(
        md,
        "\nHow measured: the Rust Worker under `wrangler dev` (local workerd, D1 and Queues, the \
         documented retry schedule) for {} min at a fixed {RATE:.0} answers/s (open loop: answer \
         k leaves at k/{RATE:.0} s; scores 1–5 in turn, so three in five open a case and owe one \
         alert), on a D1 seeded with {ANSWERS} answers. A client posts an answer again, same id, \
         after no answer, a 5xx or a 429. The chat receiver (HTTP on 127.0.0.1) answers {:.0} % \
         of its calls 500 (never the same alert twice, none within 10 s of a restart) and is \
         stopped and started again on its port at {:.0} s and {:.0} s, down {:.0} s each time. \
         {TABS} inbox tabs poll `GET /dashboard` every {} s with the session cookie and \
         `If-None-Match`, as `www/assets/dashboard.js` does, in every other {:.0}-s window; \
         ingest latency is the first POST's round trip, split by whether the pollers were on \
         when it left. Lost: answered 2xx, not in D1 at the end; an alert is lost without a 200 \
         by the end plus the drain, duplicated when its `webhook-id` got 200 more than once \
         (receivers drop repeats by it), late past the {} s budget of docs/budgets.md (split by whether a call had \
         failed before: a failed call is retried 5 s on, by design; a call made while the \
         receiver was down is refused, not answered, so it counts as no failed call). Anything \
         lost or stored twice fails the bench.",
        f.minutes,
        FAIL_SHARE * 100.0,
        r1.as_secs_f64(),
        r2.as_secs_f64(),
        RESTART_GAP.as_secs_f64(),
        EVERY.as_secs(),
        f.timeline.window.as_secs_f64(),
        LATE_MS / 1000,
    )?;
    Ok(md)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The section reads whatever the run measured, also nothing at all.
    #[test]
    fn the_section_names_every_figure_the_issue_asks_for() {
        let tally = Tally::of(&[], &[], &[]);
        let md = markdown(&Figures {
            minutes: 1,
            timeline: Timeline::new(1),
            sent: &[],
            tally: &tally,
            polls: &Polls::default(),
            memory: &[
                Rss {
                    at_s: 0.0,
                    rss_kib: 200_000,
                },
                Rss {
                    at_s: 10.0,
                    rss_kib: 210_000,
                },
            ],
            drained: Duration::from_secs(5),
        })
        .unwrap();
        for needle in [
            "| p99 | **–** | **–** |",
            "| answers lost (2xx, not in D1) | **0** |",
            "| answers stored twice | **0** |",
            "| alerts lost (no 200 by the end + 5 s drain) | **0** |",
            "alerts delivered twice / duplicate deliveries",
            "late alerts (first 200 > 1 s after submit), no failed call before it | 0 (0.0 %)",
            "first 195 MiB, min 195, max 205, last 205",
            "at 20 s and 40 s",
        ] {
            assert!(md.contains(needle), "{needle} not in\n{md}");
        }
    }
}
