//! `cargo xtask bench`: the budgets of docs/budgets.md, written to BENCHMARKS.md
//! and printed. Sizes are exact byte counts; timings are ratios against a
//! reference measured in the same run (`ingest`), never timed tests.
//!
//! One file per section: `shipped` (bytes of the widget and the Worker),
//! `size` (where the widget's bytes go), `render` (render time in Chromium),
//! `ingest` (Rust against a plain-JS Worker), `alerts` (submit → alert
//! received), `soak` (ten minutes of faults, pollers and a full database);
//! `stats` holds the median and percentiles they all report.
//!
//! `--only soak` and `--only ingest` run that section alone, against the
//! Worker last built by `cargo xtask build`; `--only bytes` builds, then
//! counts the widget's and the Worker's bytes and times the cold start.
//! Each prints its sections without writing BENCHMARKS.md: for trying one
//! change at a time.

mod alerts;
mod cold_start;
mod ingest;
mod render;
mod shipped;
mod size;
mod soak;
mod stats;

use crate::step::{skip, step};
use crate::tools::{ensure, root};
use crate::{build, Result};

/// Alerts per phase of the alert bench (paced, then flat out).
const ALERTS: usize = 500;

/// The heading of BENCHMARKS.md's last section, the wall time of `cargo
/// xtask test` cold and warm. A bench cannot time a cold build of itself,
/// so that section is measured by hand and carried over as it is.
const TEST_TIMES: &str = "## `cargo xtask test` wall time";

/// The soak's step, its duration in the title.
fn soak_section(o: &soak::Options) -> Result<String> {
    step(
        &format!(
            "soak the Worker for {} min (then drain its alerts)",
            o.minutes
        ),
        "read target/bench/soak/ (wrangler.log, report.md)",
        || soak::run(o),
    )
}

/// `--only <section>`: runs that section alone and prints it; `Ok(false)`
/// when no `--only` was given.
fn only(args: &[String], options: ingest::Options, soak_options: &soak::Options) -> Result<bool> {
    let Some(at) = args.iter().position(|a| a == "--only") else {
        return Ok(false);
    };
    match args.get(at + 1).map(String::as_str) {
        Some("soak") => {
            skip(
                "build the Worker",
                "--only soak runs the Worker last built by `cargo xtask build`",
            );
            let md = soak_section(soak_options)?;
            println!("\n## Soak\n\n{md}");
        }
        Some("ingest") => {
            skip(
                "build the Worker",
                "--only ingest runs the Worker last built by `cargo xtask build`",
            );
            let md = ingest::run(options)?.markdown()?;
            println!("\n## Ingest\n\n{md}");
        }
        Some("bytes") => {
            let tools = ensure(true)?;
            let b = bytes(&tools)?;
            println!(
                "\n## Widget bytes\n\n{}\n## Worker module size\n\n{}\n## Worker cold start\n\n{}",
                b.widget, b.worker, b.cold
            );
        }
        _ => return Err("--only takes `soak`, `ingest` or `bytes`".into()),
    }
    Ok(true)
}

/// The byte sections, fresh builds first: the full run and `--only bytes`.
struct Bytes {
    version: String,
    widget: String,
    worker: String,
    cold: String,
}

fn bytes(tools: &crate::tools::Tools) -> Result<Bytes> {
    build::edge(tools)?;
    let widget = build::widget(tools)?;
    let report = step(
        "measure widget bytes to first render",
        "see the build output above",
        || shipped::widget_bytes(&widget),
    )?;
    let worker = step(
        "measure the Worker's wasm",
        "run `cargo xtask build`",
        shipped::worker_wasm,
    )?;
    let cold = step(
        "time the Worker's cold start (wasm compile, wrangler dev to first answer)",
        "read target/bench/cold-start/",
        || cold_start::run(&tools.chromium, &shipped::edge_wasm()?),
    )?;
    Ok(Bytes {
        version: widget.version,
        widget: report,
        worker,
        cold,
    })
}

pub fn run(args: &[String]) -> Result {
    let options = ingest::Options::from_args(args)?;
    let soak_options = soak::Options::from_args(args)?;
    if only(args, options, &soak_options)? {
        return Ok(());
    }
    let tools = ensure(true)?;
    let Bytes {
        version,
        widget: report,
        worker: edge_size,
        cold,
    } = bytes(&tools)?;
    let parts = step(
        "attribute the widget's wasm bytes per crate (twiggy)",
        "see the twiggy output above",
        || size::table(&tools),
    )?;
    let render = step(
        &format!(
            "measure the widget's render time in headless Chromium ({} loads + baseline)",
            render::LOADS
        ),
        "read target/bench/render/",
        || Ok(render::run(&tools)?.markdown()),
    )?;
    let ingest = ingest::run(options)?.markdown()?;
    let alerts = step(
        &format!("measure submit → alert received ({ALERTS} alerts paced, {ALERTS} flat out)"),
        "read target/bench/alerts/wrangler.log",
        || alerts::run(ALERTS)?.markdown(),
    )?;
    // A failed soak is written down with the other figures, then fails
    // the bench: its section says what went wrong.
    let soak_result = soak_section(&soak_options);
    let soak = match &soak_result {
        Ok(md) => md.clone(),
        Err(e) => format!("**The soak FAILED:** {e}\n"),
    };
    let path = root().join("BENCHMARKS.md");
    let previous = std::fs::read_to_string(&path).unwrap_or_default();
    let test_times = hand_measured(&previous).map_or(String::new(), |s| format!("\n{s}"));
    let doc = format!(
        "# Benchmarks\n\nWritten by `cargo xtask bench` (widget version `{version}`). Budgets: [docs/budgets.md](docs/budgets.md).\n\n\
         ## Widget bytes to first render and to a usable form (loader + glue + wasm)\n\n{report}\n\
         ## Where the widget's bytes go\n\n{parts}\n\
         ## Widget render time, headless Chromium\n\n{render}\n\
         ## Ingest: Rust Worker vs plain-JS Worker, same local workerd + D1\n\n{ingest}\n\
         ## Submit → alert received, local Queue and receiver\n\n{alerts}\n\
         ## Soak\n\n{soak}\n\
         ## Worker module size\n\n{edge_size}\n\
         ## Worker cold start\n\n{cold}\n\
         ## Checked, not benchmarked\n\n\
         Lost or duplicated responses and alerts under receiver faults and client retries (budget 0) \
         are checked, not benchmarked: `tests/tests/e2e/escalation/faults.rs` (200 answers, a \
         receiver answering 500, 429 + Retry-After, hangs, dropped connections, 410) and \
         `tests/tests/e2e/ingest/load.rs` run in every `cargo xtask test`.\n{test_times}"
    );
    std::fs::write(&path, &doc)?;
    println!("\n{doc}");
    eprintln!("    wrote BENCHMARKS.md");
    soak_result.map(|_| ())
}

/// The hand-measured section of a previous BENCHMARKS.md, from its heading
/// to the end, if it has one.
fn hand_measured(previous: &str) -> Option<&str> {
    let at = previous.find(&format!("\n{TEST_TIMES}\n"))?;
    Some(previous[at + 1..].trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hand_measured_section_is_carried_over_whole() {
        let previous = format!("# Benchmarks\n\n## Ingest\n\n| a |\n\n{TEST_TIMES}\n\ncold 10 min\n\n### more\n\nwarm\n");
        assert_eq!(
            hand_measured(&previous),
            Some(format!("{TEST_TIMES}\n\ncold 10 min\n\n### more\n\nwarm").as_str())
        );
        assert_eq!(hand_measured("# Benchmarks\n\n## Ingest\n"), None);
    }
}
