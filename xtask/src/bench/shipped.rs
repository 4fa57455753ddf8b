//! The bytes that ship, counted exactly: the widget's files (raw and
//! gzip -9) against the first-render budget of docs/budgets.md, and the Worker's
//! wasm against the upload limit, which counts its gzip size.

use crate::tools::root;
use crate::{build, Result};
use flate2::write::GzEncoder;
use flate2::Compression;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

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

/// The Worker's wasm as worker-build left it: the largest `*.wasm` in
/// `edge/build/worker/` or `edge/build/`.
fn edge_wasm() -> Result<PathBuf> {
    let build = root().join("edge/build");
    let mut found: Vec<(u64, PathBuf)> = Vec::new();
    for dir in [build.join("worker"), build] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "wasm") {
                found.push((std::fs::metadata(&path)?.len(), path));
            }
        }
    }
    found
        .into_iter()
        .max()
        .map(|(_, p)| p)
        .ok_or_else(|| "no .wasm under edge/build: did worker-build run?".into())
}

/// Bytes per file, gzip -9, and the verdict against docs/budgets.md: the first
/// render is the loader and the launcher build; the full build follows when
/// the customer reaches for the launcher (or at once in inline mode).
pub(super) fn widget_bytes(widget: &build::Widget) -> Result<String> {
    let files = [
        ("loader `widget.js`", &widget.loader, true),
        (
            "launcher glue `candor_launcher.js`",
            &widget.launcher_glue,
            true,
        ),
        (
            "launcher wasm `candor_launcher_bg.wasm`",
            &widget.launcher_wasm,
            true,
        ),
        ("full glue `candor_widget.js`", &widget.full_glue, false),
        (
            "full wasm `candor_widget_bg.wasm`",
            &widget.full_wasm,
            false,
        ),
    ];
    let mut md = String::from("| file | when | raw | gzip -9 |\n|---|---|---:|---:|\n");
    let (mut first, mut later) = (0, 0);
    for (name, path, first_render) in files {
        let (raw, gz) = (raw_len(path)?, gzip_len(path)?);
        if first_render {
            first += gz;
        } else {
            later += gz;
        }
        let when = if first_render {
            "first render"
        } else {
            "on first use"
        };
        writeln!(md, "| {name} | {when} | {raw} B | {gz} B |")?;
    }
    let verdict = if first <= 20 * 1024 {
        "within the 20 KiB aim"
    } else if first <= 32 * 1024 {
        "within the 32 KiB budget (over the 20 KiB aim)"
    } else {
        "OVER the 32 KiB budget"
    };
    writeln!(
        md,
        "| **to first render** (launcher mode) | | | **{first} B = {}**, {verdict} |",
        kib(first)
    )?;
    let loader = gzip_len(&widget.loader)?;
    writeln!(
        md,
        "| launcher mode after the first click (+ full build) | | | {} B = {} |",
        first + later,
        kib(first + later)
    )?;
    let inline = loader + later;
    let inline_verdict = if inline <= 32 * 1024 {
        "within the 32 KiB budget"
    } else {
        "OVER the 32 KiB budget"
    };
    writeln!(
        md,
        "| **inline mode to first render** (loader + full build) | | | **{inline} B = {}**, {inline_verdict} |",
        kib(inline)
    )?;
    eprintln!(
        "    widget to first render gzip: {first} B ({})",
        kib(first)
    );
    Ok(md)
}

/// What the managers' dashboard (issue 8) added to the Worker, measured once
/// with `cargo xtask build` and twiggy before and after it landed.
const DASHBOARD_SIZE: &str = "The managers' dashboard (issue 8: sign-in, inbox, case page, insights charts, \
settings) added 324,069 B raw / 130,868 B gzip: 1,013,257 → 1,337,326 B raw and 412,259 → 543,127 B gzip, \
measured once on the commits before and after it. `maud`, the templating crate, costs almost nothing by itself: \
twiggy finds 522 B in functions named after it (its escaper); the rest is the pages, the chart geometry and the \
form parsers, most of it inlined into the request handler's future. `plotters` was not added: the charts are \
bar charts that maud draws in a few hundred lines, with the `<title>`/`<desc>` and table fallback screen \
readers need, which plotters' SVG backend does not write.\n";

/// The Worker's wasm, raw and gzip -9, with what the dashboard added to it.
pub(super) fn worker_wasm() -> Result<String> {
    let wasm = edge_wasm()?;
    let (raw, gz) = (raw_len(&wasm)?, gzip_len(&wasm)?);
    let name = wasm
        .strip_prefix(root())
        .unwrap_or(&wasm)
        .display()
        .to_string();
    Ok(format!(
        "| file | raw | gzip -9 |\n|---|---:|---:|\n\
         | `{name}` | {raw} B = {} | {gz} B = {} |\n\n\
         Built by `cargo xtask build` (worker-build --release, `opt-level = \"z\"`, LTO, wasm-opt); \
         the upload limit it counts against is the gzip size.\n\n{DASHBOARD_SIZE}",
        kib(raw),
        kib(gz)
    ))
}
