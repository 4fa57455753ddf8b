//! Release builds of the Worker and the widget, and the static site
//! (`target/www`) wrangler serves: `www/` plus the widget's versioned glue
//! and wasm under `/v/<hash>/`, which are cached forever (`immutable`)
//! while the tiny loader `/widget.js` is cached briefly.

use crate::step::step;
use crate::tools::{root, Tools, WIDGET_NIGHTLY};
use crate::Result;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use xshell::{cmd, Shell};

mod short_names;
mod wasm_binary;

pub fn all(t: &Tools) -> Result {
    edge(t)?;
    widget(t)?;
    Ok(())
}

pub fn target_dir() -> PathBuf {
    tests::paths::target()
}

/// The two Workers (ARCHITECTURE.md, "Two Workers"): `(output dir under
/// edge/, cargo feature flags)`. The front is the public one and the
/// module every answer starts; the office is the crate built whole.
pub const WORKER_BUILDS: [(&str, &[&str]); 2] =
    [("build", &["--no-default-features"]), ("build-office", &[])];

/// The Workers, through worker-build, with every binary it would download
/// pointed at a local one.
pub fn edge(t: &Tools) -> Result {
    step(
        "build the two Workers, front and office (worker-build --release)",
        "read the compiler errors above",
        || {
            let sh = Shell::new()?;
            sh.change_dir(root().join("edge"));
            let wb = &t.worker_build;
            for (out, features) in WORKER_BUILDS {
                cmd!(sh, "{wb} --release --out-dir {out} -- {features...}")
                    .env("WASM_BINDGEN_BIN", &t.wasm_bindgen)
                    .env("WASM_OPT_BIN", &t.wasm_opt)
                    .env("ESBUILD_BIN", &t.esbuild)
                    .env("XDG_CACHE_HOME", &t.xdg_cache)
                    .run()?;
                strip_worker_names(out)?;
            }
            Ok(())
        },
    )
}

/// worker-build keeps the wasm's `name` section (it runs wasm-opt with
/// `--debuginfo`) so that a trap's stack names Rust functions: 249 KB raw
/// and 71 KB gzip of the whole Worker's upload, which every cold start
/// also reads (BENCHMARKS.md, "Worker module size"). The shipped modules
/// go without it; the named copy of each build stays in
/// `target/edge-names/<out>/` to read a stack's `wasm-function[N]` or to
/// profile with.
fn strip_worker_names(out: &str) -> Result {
    let wasm = root().join("edge").join(out).join("index_bg.wasm");
    let named = std::fs::read(&wasm)?;
    let stripped = wasm_binary::without_custom_sections(&named, &["name", "producers"])
        .map_err(|e| format!("{}: {e}", wasm.display()))?;
    if stripped.len() == named.len() {
        // Already stripped: this build was not rerun since the last one.
        return Ok(());
    }
    let keep = target_dir().join("edge-names").join(out);
    std::fs::create_dir_all(&keep)?;
    std::fs::write(keep.join("index_bg.wasm"), &named)?;
    std::fs::write(&wasm, stripped)?;
    Ok(())
}

/// The widget's shipped files: the loader, then glue + wasm for each build.
pub struct Widget {
    pub version: String,
    pub loader: PathBuf,
    /// The first render: the launcher build.
    pub launcher_glue: PathBuf,
    pub launcher_wasm: PathBuf,
    /// Fetched at once for an inline form.
    pub inline_glue: PathBuf,
    pub inline_wasm: PathBuf,
    /// Fetched when the customer reaches for the launcher.
    pub full_glue: PathBuf,
    pub full_wasm: PathBuf,
}

/// The three builds of the widget crate: `(output name, cargo feature
/// flags)`. The launcher is the first render; the inline build draws an
/// inline form and no dialog; the full build is everything.
const WIDGET_BUILDS: [(&str, &str); 3] = [
    ("candor_launcher", "--no-default-features"),
    ("candor_inline", "--no-default-features --features=form"),
    ("candor_widget", "--features=dialog"),
];

pub fn widget(t: &Tools) -> Result<Widget> {
    let target = target_dir();
    let out = target.join("widget");
    step(
        "build the widget three times: launcher, inline and full (wasm, wasm-bindgen, wasm-opt -Oz)",
        "read the compiler errors above",
        || {
            let sh = Shell::new()?;
            sh.change_dir(root());
            // A target dir of its own: std built from source with other
            // flags must not evict the stable wasm builds the tests use.
            let std_target = target.join("widget-std");
            let raw = std_target.join("wasm32-unknown-unknown/release/candor_widget.wasm");
            let bindgen = out.join("bindgen");
            let (wb, opt) = (&t.wasm_bindgen, &t.wasm_opt);
            for (name, features) in WIDGET_BUILDS {
                let features = features.split(' ');
                // The builds write the same cargo output: bind each at once.
                // A panic traps at once: no message machinery, no `core::fmt`
                // for it, and no file names kept for messages nobody sees
                // (docs/budgets.md#how-the-widget-is-built).
                cmd!(
                    sh,
                    "cargo +{WIDGET_NIGHTLY} build --release -p candor-widget --target wasm32-unknown-unknown {features...} -Zbuild-std=std,panic_abort"
                )
                .env("CARGO_TARGET_DIR", &std_target)
                .env(
                    "RUSTFLAGS",
                    "-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none",
                )
                .run()?;
                cmd!(
                    sh,
                    "{wb} --target web --no-typescript --out-dir {bindgen} --out-name {name} {raw}"
                )
                .run()?;
                let bg = bindgen.join(format!("{name}_bg.wasm"));
                let small = out.join(format!("{name}_bg.wasm"));
                // Binaryen prints the map of the names it shortened.
                let map = cmd!(
                    sh,
                    "{opt} -Oz --strip-debug --strip-producers --strip-target-features --minify-imports-and-exports-and-modules -o {small} {bg}"
                )
                .read()?;
                let glue = bindgen.join(format!("{name}.js"));
                let short = bindgen.join(format!("{name}.short.js"));
                short_glue(&glue, &map, &small, &short)?;
                // wasm-bindgen's glue is readable source with comments: a
                // quarter of the first render's gzip bytes until minified.
                minify(
                    &sh,
                    t,
                    &short,
                    &out.join(format!("{name}.js")),
                    Some("--format=esm"),
                )?;
            }
            Ok(())
        },
    )?;
    let www = target.join("www");
    let widget = step(
        "assemble target/www (www/ + versioned widget)",
        "check that www/ is readable",
        || assemble(&out, &www),
    )?;
    step(
        "minify the loader (esbuild)",
        "read esbuild's message above",
        || {
            let loader = &widget.loader;
            minify(&Shell::new()?, t, loader, loader, None)
        },
    )?;
    Ok(widget)
}

/// Writes the glue with binaryen's short names (see [`short_names`]), and
/// checks that it provides every import the wasm now asks for.
fn short_glue(glue: &Path, map: &str, wasm: &Path, to: &Path) -> Result {
    let imports = short_names::import_names(&std::fs::read(wasm)?)?;
    let text = short_names::rewrite_glue(&std::fs::read_to_string(glue)?, map, &imports)
        .map_err(|e| format!("{}: {e}", glue.display()))?;
    std::fs::write(to, text)?;
    Ok(())
}

/// `esbuild --minify`: names, whitespace and comments only; the exports,
/// the property names the wasm imports by, and `"use strict"` stay.
fn minify(sh: &Shell, t: &Tools, from: &Path, to: &Path, format: Option<&str>) -> Result {
    let esbuild = &t.esbuild;
    cmd!(
        sh,
        "{esbuild} {from} --minify {format...} --log-level=warning --allow-overwrite --outfile={to}"
    )
    .run()?;
    Ok(())
}

fn assemble(out: &Path, www: &Path) -> Result<Widget> {
    let mut files = Vec::new();
    let mut digest = Sha256::new();
    for (name, _) in WIDGET_BUILDS {
        let glue = std::fs::read(out.join(format!("{name}.js")))?;
        let wasm = std::fs::read(out.join(format!("{name}_bg.wasm")))?;
        digest.update(&glue);
        digest.update(&wasm);
        files.push((name, glue, wasm));
    }
    let version: String = format!("{:x}", digest.finalize())
        .chars()
        .take(12)
        .collect();
    if www.exists() {
        std::fs::remove_dir_all(www)?;
    }
    copy_tree(&root().join("www"), www)?;
    // README screenshots live in www/readme for the repository, not the site.
    std::fs::remove_dir_all(www.join("readme"))?;
    let vdir = www.join("v").join(&version);
    std::fs::create_dir_all(&vdir)?;
    for (name, glue, wasm) in &files {
        std::fs::write(vdir.join(format!("{name}.js")), glue)?;
        std::fs::write(vdir.join(format!("{name}_bg.wasm")), wasm)?;
    }
    let loader = www.join("widget.js");
    let text = std::fs::read_to_string(&loader)?;
    if !text.contains("__CANDOR_VERSION__") {
        return Err("www/widget.js has no __CANDOR_VERSION__ placeholder".into());
    }
    std::fs::write(&loader, text.replace("__CANDOR_VERSION__", &version))?;
    eprintln!("    widget version {version}");
    Ok(Widget {
        version,
        loader,
        launcher_glue: vdir.join("candor_launcher.js"),
        launcher_wasm: vdir.join("candor_launcher_bg.wasm"),
        inline_glue: vdir.join("candor_inline.js"),
        inline_wasm: vdir.join("candor_inline_bg.wasm"),
        full_glue: vdir.join("candor_widget.js"),
        full_wasm: vdir.join("candor_widget_bg.wasm"),
    })
}

fn copy_tree(from: &Path, to: &Path) -> Result {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let dest = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &dest)?;
        } else {
            std::fs::copy(entry.path(), dest)?;
        }
    }
    Ok(())
}
