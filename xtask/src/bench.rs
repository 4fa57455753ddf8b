//! `cargo xtask bench`: the budgets of DESIGN §7, written to BENCHMARKS.md.
//! Sizes are exact byte counts; timings (later issues) are ratios against a
//! reference measured in the same run.

use crate::step::step;
use crate::tools::{ensure, root};
use crate::{build, Result};
use flate2::write::GzEncoder;
use flate2::Compression;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

fn gzip_len(path: &Path) -> Result<usize> {
    let bytes = std::fs::read(path)?;
    let mut gz = GzEncoder::new(Vec::new(), Compression::best());
    gz.write_all(&bytes)?;
    Ok(gz.finish()?.len())
}

fn raw_len(path: &Path) -> Result<usize> {
    Ok(usize::try_from(std::fs::metadata(path)?.len())?)
}

#[allow(clippy::cast_precision_loss)]
fn kib(n: usize) -> String {
    format!("{:.1} KiB", n as f64 / 1024.0)
}

pub fn run(_args: &[String]) -> Result {
    let tools = ensure(false)?;
    build::edge(&tools)?;
    let widget = build::widget(&tools)?;
    let report = step(
        "measure widget bytes to first render",
        "see the build output above",
        || {
            let files = [
                ("loader `widget.js`", &widget.loader),
                ("glue `candor_widget.js`", &widget.glue),
                ("wasm `candor_widget_bg.wasm`", &widget.wasm),
            ];
            let mut md = String::from("| file | raw | gzip -9 |\n|---|---:|---:|\n");
            let (mut raw_total, mut gz_total) = (0, 0);
            for (name, path) in files {
                let (raw, gz) = (raw_len(path)?, gzip_len(path)?);
                raw_total += raw;
                gz_total += gz;
                writeln!(md, "| {name} | {raw} B | {gz} B |")?;
            }
            let verdict = if gz_total <= 20 * 1024 {
                "within the 20 KiB aim"
            } else if gz_total <= 32 * 1024 {
                "within the 32 KiB budget (over the 20 KiB aim)"
            } else {
                "OVER the 32 KiB budget"
            };
            writeln!(
                md,
                "| **total** | {raw_total} B | **{gz_total} B = {}**, {verdict} |",
                kib(gz_total)
            )?;
            eprintln!("    widget total gzip: {gz_total} B ({})", kib(gz_total));
            let edge_wasm = root().join("edge/build/index_bg.wasm");
            let (edge_raw, edge_gz) = (raw_len(&edge_wasm)?, gzip_len(&edge_wasm)?);
            writeln!(md, "\nWorker wasm (`edge/build/index_bg.wasm`): {edge_raw} B raw, {edge_gz} B gzip ({}).", kib(edge_gz))?;
            Ok(md)
        },
    )?;
    let doc = format!(
        "# Benchmarks\n\nWritten by `cargo xtask bench` (widget version `{}`). Budgets: DESIGN §7.\n\n\
         ## Widget bytes to first render (loader + glue + wasm)\n\n{report}\n\
         ## Not yet measured\n\n\
         | what | budget | status |\n|---|---|---|\n\
         | widget main-thread time to render, headless Chromium | ≤ 50 ms median | not yet measured (widget issue) |\n\
         | ingest throughput, Rust Worker vs plain-JS Worker | ≥ 1.0× | not yet measured (edge issue) |\n\
         | submit → alert received, local receiver | p99 ≤ 2 s | not yet measured (escalation issue) |\n\
         | lost or duplicated responses / alerts under faults | 0 | not yet measured (escalation issue) |\n",
        widget.version
    );
    std::fs::write(root().join("BENCHMARKS.md"), doc)?;
    eprintln!("    wrote BENCHMARKS.md");
    Ok(())
}
