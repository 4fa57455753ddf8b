//! The bytes that ship, counted exactly: the widget's files (raw, gzip -9
//! and Brotli 11) against the budgets of docs/budgets.md (first render, a
//! usable form in either mode), and the Worker's module (wasm and glue)
//! against its budget and the upload limit, which count its gzip size.

use crate::tools::root;
use crate::{build, Result};
use flate2::write::GzEncoder;
use flate2::Compression;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;

/// Widget budgets, gzip -9 (docs/budgets.md): bytes to the first render in
/// launcher mode, and to a form the customer can type into in any mode.
const FIRST_RENDER: usize = 12 * 1024;
const USABLE_FORM: usize = 32 * 1024;
const USABLE_FORM_AIM: usize = 24 * 1024;
/// The Worker module that serves `POST /v1/responses`, gzip -9.
const INGEST_MODULE: usize = 250 * 1024;

/// Brotli at its best setting (quality 11, 4 MiB window), as a static-assets
/// server would pre-compress the files.
fn brotli_len(bytes: &[u8]) -> Result<usize> {
    let mut out = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 4096, 11, 22);
        w.write_all(bytes)?;
        w.flush()?;
    }
    Ok(out.len())
}

/// "within …" or "OVER …" a budget of `limit` bytes, with its aim if any.
fn verdict(n: usize, limit: usize, aim: Option<usize>) -> String {
    match aim {
        Some(aim) if n <= aim => format!("within the {} aim", kib(aim)),
        Some(aim) if n <= limit => {
            format!(
                "within the {} budget (over the {} aim)",
                kib(limit),
                kib(aim)
            )
        }
        _ if n <= limit => format!("within the {} budget", kib(limit)),
        _ => format!("OVER the {} budget", kib(limit)),
    }
}

fn gzip_len(bytes: &[u8]) -> Result<usize> {
    let mut gz = GzEncoder::new(Vec::new(), Compression::best());
    gz.write_all(bytes)?;
    Ok(gz.finish()?.len())
}

#[allow(clippy::cast_precision_loss)]
fn kib(n: usize) -> String {
    format!("{:.1} KiB", n as f64 / 1024.0)
}

/// The front's wasm (the module that serves ingest) as `cargo xtask build`
/// left it: the largest `*.wasm` in `edge/build/worker/` or `edge/build/`.
pub(super) fn edge_wasm() -> Result<PathBuf> {
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

/// When a file is fetched: the first render (loader and launcher build),
/// at once for an inline form, or when the customer reaches for the
/// launcher (the full build).
#[derive(Clone, Copy, PartialEq, Eq)]
enum When {
    FirstRender,
    Inline,
    FirstUse,
}

/// Every shipped file of the widget, named for the table, and when a page
/// fetches it.
fn shipped(widget: &build::Widget) -> [(&'static str, &PathBuf, When); 7] {
    [
        ("loader `widget.js`", &widget.loader, When::FirstRender),
        (
            "launcher glue `candor_launcher.js`",
            &widget.launcher_glue,
            When::FirstRender,
        ),
        (
            "launcher wasm `candor_launcher_bg.wasm`",
            &widget.launcher_wasm,
            When::FirstRender,
        ),
        (
            "inline glue `candor_inline.js`",
            &widget.inline_glue,
            When::Inline,
        ),
        (
            "inline wasm `candor_inline_bg.wasm`",
            &widget.inline_wasm,
            When::Inline,
        ),
        (
            "full glue `candor_widget.js`",
            &widget.full_glue,
            When::FirstUse,
        ),
        (
            "full wasm `candor_widget_bg.wasm`",
            &widget.full_wasm,
            When::FirstUse,
        ),
    ]
}

/// Bytes per file, gzip -9, and the verdict against docs/budgets.md: the first
/// render is the loader and the launcher build; the full build follows when
/// the customer reaches for the launcher; an inline form is the loader and
/// the inline build.
pub(super) fn widget_bytes(widget: &build::Widget) -> Result<String> {
    let files = shipped(widget);
    let mut md =
        String::from("| file | when | raw | gzip -9 | brotli 11 |\n|---|---|---:|---:|---:|\n");
    // gzip, brotli: first render, the inline build, the full build, the loader.
    let (mut first, mut inline, mut later, mut loader) = ((0, 0), (0, 0), (0, 0), (0, 0));
    for (name, path, when) in files {
        let bytes = std::fs::read(path)?;
        let (raw, gz, br) = (bytes.len(), gzip_len(&bytes)?, brotli_len(&bytes)?);
        let sum = match when {
            When::FirstRender => &mut first,
            When::Inline => &mut inline,
            When::FirstUse => &mut later,
        };
        sum.0 += gz;
        sum.1 += br;
        if *path == widget.loader {
            loader = (gz, br);
        }
        let when = match when {
            When::FirstRender => "first render",
            When::Inline => "inline mode, at once",
            When::FirstUse => "launcher mode, on first use",
        };
        writeln!(md, "| {name} | {when} | {raw} B | {gz} B | {br} B |")?;
    }
    let rows = [
        (
            "**to first render** (launcher mode)",
            first,
            verdict(first.0, FIRST_RENDER, None),
        ),
        (
            "**to a usable form, launcher mode** (first render, then the full build on the first click)",
            (first.0 + later.0, first.1 + later.1),
            verdict(first.0 + later.0, USABLE_FORM, Some(USABLE_FORM_AIM)),
        ),
        (
            "**to a usable form, inline mode** (loader + inline build)",
            (loader.0 + inline.0, loader.1 + inline.1),
            verdict(loader.0 + inline.0, USABLE_FORM, Some(USABLE_FORM_AIM)),
        ),
    ];
    for (what, (gz, br), verdict) in rows {
        writeln!(
            md,
            "| {what} | | | **{gz} B = {}**, {verdict} | {br} B = {} |",
            kib(gz),
            kib(br)
        )?;
    }
    writeln!(
        md,
        "\nVerdicts are on gzip -9, what any server sends; Brotli is what the static-assets \
         server can send to browsers that ask for it (all current ones)."
    )?;
    eprintln!(
        "    widget to first render gzip: {} B ({})",
        first.0,
        kib(first.0)
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

/// Each Worker's module, raw and gzip -9: its wasm and the JS that loads
/// it (wasm-bindgen's glue, worker-build's shim). The front is the module
/// that serves ingest, which the budget is about; the back office is
/// listed beside it (ARCHITECTURE.md, "Two Workers").
pub(super) fn worker_wasm() -> Result<String> {
    let mut md = String::from("| file | raw | gzip -9 |\n|---|---:|---:|\n");
    for (out, _) in crate::build::WORKER_BUILDS {
        let build = root().join("edge").join(out);
        let parts = [
            build.join("index_bg.wasm"),
            build.join("index.js"),
            build.join("worker/shim.mjs"),
        ];
        let (mut raw_all, mut gz_all) = (0, 0);
        for path in &parts {
            let bytes = std::fs::read(path)
                .map_err(|e| format!("{}: {e} (run `cargo xtask build`)", path.display()))?;
            let (raw, gz) = (bytes.len(), gzip_len(&bytes)?);
            raw_all += raw;
            gz_all += gz;
            let name = path
                .strip_prefix(root())
                .unwrap_or(path)
                .display()
                .to_string();
            writeln!(
                md,
                "| `{name}` | {raw} B = {} | {gz} B = {} |",
                kib(raw),
                kib(gz)
            )?;
        }
        let (what, verdict) = if out == "build" {
            (
                "the module that serves ingest (the front)",
                format!(", {}", verdict(gz_all, INGEST_MODULE, None)),
            )
        } else {
            ("the back office (no budget)", String::new())
        };
        writeln!(
            md,
            "| **{what}** | {raw_all} B = {} | **{gz_all} B = {}**{verdict} |",
            kib(raw_all),
            kib(gz_all),
        )?;
    }
    Ok(format!(
        "{md}\nBuilt by `cargo xtask build` (worker-build --release, `opt-level = \"z\"`, LTO, wasm-opt, then the \
         `name` and `producers` sections taken out: the named copies stay in `target/edge-names/`); \
         the upload limit each counts against is the gzip size.\n\n{DASHBOARD_SIZE}"
    ))
}

#[cfg(test)]
mod tests {
    use super::verdict;

    #[test]
    fn a_verdict_names_the_budget_and_the_aim() {
        let (limit, aim) = (32 * 1024, Some(24 * 1024));
        assert_eq!(verdict(24 * 1024, limit, aim), "within the 24.0 KiB aim");
        assert_eq!(
            verdict(24 * 1024 + 1, limit, aim),
            "within the 32.0 KiB budget (over the 24.0 KiB aim)"
        );
        assert_eq!(
            verdict(32 * 1024, limit, None),
            "within the 32.0 KiB budget"
        );
        assert_eq!(
            verdict(32 * 1024 + 1, limit, aim),
            "OVER the 32.0 KiB budget"
        );
        assert_eq!(
            verdict(32 * 1024 + 1, limit, None),
            "OVER the 32.0 KiB budget"
        );
    }
}
