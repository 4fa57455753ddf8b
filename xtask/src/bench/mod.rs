//! `cargo xtask bench`: the budgets of docs/budgets.md, written to BENCHMARKS.md
//! and printed. Sizes are exact byte counts; timings are ratios against a
//! reference measured in the same run (`ingest`), never timed tests.
//!
//! One file per section: `shipped` (bytes of the widget and the Worker),
//! `size` (where the widget's bytes go), `render` (render time in Chromium),
//! `ingest` (Rust against a plain-JS Worker), `alerts` (submit → alert
//! received); `stats` holds the median and percentiles they all report.

mod alerts;
mod ingest;
mod render;
mod shipped;
mod size;
mod stats;

use crate::step::step;
use crate::tools::{ensure, root};
use crate::{build, Result};

pub fn run(args: &[String]) -> Result {
    let options = ingest::Options::from_args(args)?;
    let tools = ensure(true)?;
    build::edge(&tools)?;
    let widget = build::widget(&tools)?;
    let report = step(
        "measure widget bytes to first render",
        "see the build output above",
        || shipped::widget_bytes(&widget),
    )?;
    let edge_size = step(
        "measure the Worker's wasm",
        "run `cargo xtask build`",
        shipped::worker_wasm,
    )?;
    let parts = step(
        "attribute the widget's wasm bytes per crate (twiggy)",
        "see the twiggy output above",
        || size::table(&tools),
    )?;
    let render = step(
        "measure the widget's render time in headless Chromium (20 loads + baseline)",
        "read target/bench/render/",
        || Ok(render::run()?.markdown()),
    )?;
    let ingest = ingest::run(options)?.markdown()?;
    let alerts = step(
        "measure submit → alert received (500 alerts paced, 500 flat out)",
        "read target/bench/alerts/wrangler.log",
        || alerts::run(500)?.markdown(),
    )?;
    let doc = format!(
        "# Benchmarks\n\nWritten by `cargo xtask bench` (widget version `{}`). Budgets: [docs/budgets.md](docs/budgets.md).\n\n\
         ## Widget bytes to first render (loader + glue + wasm)\n\n{report}\n\
         ## Where the widget's bytes go\n\n{parts}\n\
         ## Widget render time, headless Chromium\n\n{render}\n\
         ## Ingest: Rust Worker vs plain-JS Worker, same local workerd + D1\n\n{ingest}\n\
         ## Submit → alert received, local Queue and receiver\n\n{alerts}\n\
         ## Worker wasm size\n\n{edge_size}\n\
         ## Checked, not benchmarked\n\n\
         Lost or duplicated responses and alerts under receiver faults and client retries (budget 0) \
         are checked, not benchmarked: `tests/tests/escalation_faults.rs` (200 answers, a receiver \
         answering 500, 429 + Retry-After, hangs, dropped connections, 410) and \
         `tests/tests/ingest_load.rs` run in every `cargo xtask test`.\n",
        widget.version
    );
    std::fs::write(root().join("BENCHMARKS.md"), &doc)?;
    println!("\n{doc}");
    eprintln!("    wrote BENCHMARKS.md");
    Ok(())
}
