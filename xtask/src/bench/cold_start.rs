//! How long the Worker takes to start (issue 19's Worker figure): the time
//! from spawning `wrangler dev` to the first `GET /health` answered 200,
//! for the Rust Worker and for the plain-JS reference on the same machine
//! (the difference is what the Rust Worker's module adds to a cold start),
//! and the time V8 (headless Chromium's) takes to compile the wasm alone.
//!
//! Both figures are local: `wrangler dev` adds Node's start and its own
//! bundling to the first, the same for both Workers; on Cloudflare a cold
//! isolate pays the compile (and instantiation) only.

use super::ingest::workers;
use super::stats::Sample;
use crate::Result;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

/// Fresh starts per Worker, and fresh browser processes for the compile (V8
/// caches a module compiled once in a process, so each compile gets its own).
const STARTS: usize = 3;
const COMPILES: usize = 5;

/// Compiles `wasm` with `new WebAssembly.Module` in a fresh headless
/// Chromium (a V8 as recent as workerd's: Node 20's cannot read the
/// Worker's wasm, which uses exception handling with `try_table`) and
/// returns the milliseconds it took. The bytes are inlined in the page and
/// decoded before the clock starts, so only the compile is timed.
fn compile_ms(chromium: &Path, wasm: &Path, dir: &Path) -> Result<f64> {
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(std::fs::read(wasm)?);
    let page = dir.join("compile.html");
    std::fs::create_dir_all(dir)?;
    std::fs::write(
        &page,
        format!(
            "<!doctype html><body>pending<script>\
             const u = Uint8Array.from(atob('{encoded}'), c => c.charCodeAt(0));\
             const t = performance.now(); let r;\
             try {{ new WebAssembly.Module(u); r = 'compile_ms=' + (performance.now() - t); }}\
             catch (e) {{ r = 'error ' + e; }}\
             document.body.textContent = r;</script>"
        ),
    )?;
    let out = Command::new(chromium)
        .args(["--headless", "--no-sandbox", "--dump-dom"])
        .arg(format!("file://{}", page.display()))
        .output()?;
    let dom = String::from_utf8_lossy(&out.stdout);
    dom.split("compile_ms=")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .and_then(|ms| ms.trim().parse().ok())
        .ok_or_else(|| {
            format!(
                "Chromium did not compile {}: {}",
                wasm.display(),
                dom.chars().take(300).collect::<String>()
            )
            .into()
        })
}

/// Milliseconds from spawning `wrangler dev` to the first `/health` 200,
/// once per fresh start.
fn starts(name: &'static str, dir: &Path, config: Option<&Path>) -> Result<Vec<f64>> {
    let mut all = Vec::new();
    for i in 0..STARTS {
        let target = workers::start(
            name,
            &dir.join(i.to_string()),
            config.map(Path::to_path_buf),
        )?;
        all.push(target.worker.ready_after().as_secs_f64() * 1000.0);
    }
    Ok(all)
}

fn median(v: &[f64]) -> f64 {
    Sample::new(v.iter().copied()).median().unwrap_or(0.0)
}

fn list(v: &[f64]) -> String {
    v.iter()
        .map(|x| format!("{x:.0}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The section's table: compile time of the Worker's wasm, and start to
/// first answer for both Workers.
pub(super) fn run(chromium: &Path, wasm: &Path) -> Result<String> {
    let bench = crate::build::target_dir().join("bench/cold-start");
    let compiles = (0..COMPILES)
        .map(|_| compile_ms(chromium, wasm, &bench))
        .collect::<Result<Vec<_>>>()?;
    let js_config = workers::js_reference_config();
    let rust = starts("Rust Worker", &bench.join("rust"), None)?;
    let js = starts("JS reference", &bench.join("js"), Some(&js_config))?;
    let mut md = String::from("| | median | each |\n|---|---:|---|\n");
    writeln!(
        md,
        "| compile of the Worker's wasm (`new WebAssembly.Module`, headless Chromium's V8) | {:.1} ms | {} ms |",
        median(&compiles),
        compiles
            .iter()
            .map(|x| format!("{x:.1}"))
            .collect::<Vec<_>>()
            .join(", ")
    )?;
    writeln!(
        md,
        "| `wrangler dev` spawned → first `/health` 200, Rust Worker | {:.0} ms | {} ms |",
        median(&rust),
        list(&rust)
    )?;
    writeln!(
        md,
        "| the same, plain-JS reference (no wasm) | {:.0} ms | {} ms |",
        median(&js),
        list(&js)
    )?;
    writeln!(
        md,
        "| Rust − JS | {:.0} ms | |",
        median(&rust) - median(&js)
    )?;
    writeln!(
        md,
        "\nHow measured: the compile in {COMPILES} fresh headless Chromium processes (V8 reuses a \
         module it compiled before in the same process; Node 20's V8 cannot read this wasm), the \
         wasm as `cargo xtask build` ships it, its bytes decoded before the clock starts (V8 compiles a \
         function lazily, on its first call: the first request pays the rest, which the start figures hold); each \
         start {STARTS} times on a fresh local D1, migrated before the clock starts, `/health` \
         polled every 20 ms. `wrangler dev` adds Node's start and its bundling to every start, the \
         same for both Workers; on Cloudflare a cold isolate pays the compile and instantiation only."
    )?;
    Ok(md)
}
