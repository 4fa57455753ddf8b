//! The toolchain bootstrap. Versions are pinned here and in
//! `edge/package-lock.json`; cargo-installed tools live in a per-user cache
//! outside the clone (`~/.cache/candor/tools/<name>-<version>`), so a fresh
//! clone on a machine that has them rebuilds nothing.

use crate::step::{skip, step};
use crate::Result;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use xshell::{cmd, Shell};

pub const WASM_BINDGEN_VERSION: &str = "0.2.130";
pub const WORKER_BUILD_VERSION: &str = "0.8.7";
/// The wasm size profiler behind the widget's size table (bench only).
pub const TWIGGY_VERSION: &str = "0.8.0";
const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// The shipped widget builds only (docs/budgets.md#how-the-widget-is-built):
/// `-Cpanic=immediate-abort` needs std rebuilt from source (`build-std`),
/// which only a nightly can do. Pinned, so a build is reproducible; the
/// Worker, the tests and clippy stay on stable.
pub const WIDGET_NIGHTLY: &str = "nightly-2026-05-20";

/// Resolved paths of every tool a command may run.
pub struct Tools {
    pub wasm_bindgen: PathBuf,
    pub wasm_bindgen_test_runner: PathBuf,
    pub worker_build: PathBuf,
    pub wasm_opt: PathBuf,
    pub esbuild: PathBuf,
    pub wrangler: PathBuf,
    /// worker-build's download cache follows XDG_CACHE_HOME; point it here.
    pub xdg_cache: PathBuf,
    pub chromedriver: PathBuf,
    pub chromium: PathBuf,
}

pub fn root() -> PathBuf {
    tests::paths::root()
}

pub fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CANDOR_TOOLS_DIR") {
        return PathBuf::from(dir);
    }
    let base = std::env::var_os("XDG_CACHE_HOME").map_or_else(
        || PathBuf::from(std::env::var_os("HOME").unwrap_or_else(|| "/tmp".into())).join(".cache"),
        PathBuf::from,
    );
    base.join("candor/tools")
}

/// Installs what is missing and returns where everything is. `browser`
/// also installs Debian's Chromium and ChromeDriver (tests and benches).
pub fn ensure(browser: bool) -> Result<Tools> {
    let sh = Shell::new()?;
    wasm_target(&sh)?;
    widget_nightly(&sh)?;
    let cache = cache_dir();
    let wasm_bindgen_root = cargo_install(
        &sh,
        "wasm-bindgen-cli",
        WASM_BINDGEN_VERSION,
        "wasm-bindgen",
        false,
    )?;
    let worker_build_root = cargo_install(
        &sh,
        "worker-build",
        WORKER_BUILD_VERSION,
        "worker-build",
        true,
    )?;
    npm_ci(&sh)?;
    if browser {
        chromium(&sh)?;
    }
    let edge = root().join("edge");
    Ok(Tools {
        wasm_bindgen: wasm_bindgen_root.join("bin/wasm-bindgen"),
        wasm_bindgen_test_runner: wasm_bindgen_root.join("bin/wasm-bindgen-test-runner"),
        worker_build: worker_build_root.join("bin/worker-build"),
        wasm_opt: edge.join("node_modules/.bin/wasm-opt"),
        esbuild: edge.join("node_modules/@esbuild/linux-x64/bin/esbuild"),
        wrangler: edge.join("node_modules/.bin/wrangler"),
        xdg_cache: cache.join("xdg"),
        chromedriver: PathBuf::from("/usr/bin/chromedriver"),
        chromium: PathBuf::from("/usr/bin/chromium"),
    })
}

/// twiggy, for `cargo xtask bench` only: installed on first use, cached.
pub fn twiggy() -> Result<PathBuf> {
    let sh = Shell::new()?;
    let dir = cargo_install(&sh, "twiggy", TWIGGY_VERSION, "twiggy", true)?;
    Ok(dir.join("bin/twiggy"))
}

fn wasm_target(sh: &Shell) -> Result {
    let installed = cmd!(sh, "rustup target list --installed").quiet().read()?;
    if installed.lines().any(|l| l.trim() == WASM_TARGET) {
        skip("rust target wasm32-unknown-unknown", "present");
        return Ok(());
    }
    step(
        "rustup target add wasm32-unknown-unknown",
        "check that rustup can reach its server",
        || {
            cmd!(sh, "rustup target add {WASM_TARGET}").run()?;
            Ok(())
        },
    )
}

/// The pinned nightly with `rust-src` (what `build-std` compiles). rustup
/// fetches the minimal profile once per machine, about 10 s.
fn widget_nightly(sh: &Shell) -> Result {
    let has_src = cmd!(
        sh,
        "rustup component list --toolchain {WIDGET_NIGHTLY} --installed"
    )
    .quiet()
    .ignore_stderr()
    .read()
    .is_ok_and(|list| list.lines().any(|l| l.trim() == "rust-src"));
    if has_src {
        skip(&format!("rust {WIDGET_NIGHTLY} with rust-src"), "present");
        return Ok(());
    }
    step(
        &format!("rustup toolchain install {WIDGET_NIGHTLY} (minimal, with rust-src)"),
        "check that rustup can reach its server",
        || {
            cmd!(
                sh,
                "rustup toolchain install {WIDGET_NIGHTLY} --profile minimal --component rust-src --no-self-update"
            )
            .run()?;
            Ok(())
        },
    )
}

/// `cargo install NAME@VERSION` into its own versioned folder, unless that
/// exact version is already there.
fn cargo_install(
    sh: &Shell,
    name: &str,
    version: &str,
    bin: &str,
    locked: bool,
) -> Result<PathBuf> {
    let dir = cache_dir().join(format!("{name}-{version}"));
    if dir.join("bin").join(bin).exists() {
        skip(
            &format!("{name} {version}"),
            &format!("cached in {}", dir.display()),
        );
        return Ok(dir);
    }
    let what = format!("cargo install {name} {version} (a few minutes, once per machine)");
    step(
        &what,
        "check that crates.io is reachable and a C compiler is installed",
        || {
            let locked = locked.then_some("--locked");
            cmd!(
                sh,
                "cargo install {name} --version {version} {locked...} --root {dir}"
            )
            .run()?;
            Ok(())
        },
    )?;
    Ok(dir)
}

fn lock_hash(edge: &Path) -> Result<String> {
    let lock = std::fs::read(edge.join("package-lock.json"))?;
    let pkg = std::fs::read(edge.join("package.json"))?;
    Ok(format!(
        "{:x}",
        Sha256::new()
            .chain_update(lock)
            .chain_update(pkg)
            .finalize()
    ))
}

/// `npm ci` from the committed lock file, only when `node_modules` is
/// missing or was installed from another lock.
fn npm_ci(sh: &Shell) -> Result {
    let edge = root().join("edge");
    let stamp = edge.join("node_modules/.candor-lock-sha256");
    let want = lock_hash(&edge)?;
    if std::fs::read_to_string(&stamp).is_ok_and(|have| have.trim() == want) {
        skip(
            "npm tools (wrangler, binaryen, axe-core)",
            "up to date with package-lock.json",
        );
        return Ok(());
    }
    step(
        "npm ci in edge/ (wrangler, binaryen, axe-core)",
        "check that Node 20+ and the npm registry are reachable",
        || {
            let _dir = sh.push_dir(&edge);
            cmd!(sh, "npm ci --no-audit --no-fund")
                .env("CI", "true")
                .run()?;
            std::fs::write(&stamp, &want)?;
            Ok(())
        },
    )
}

fn chromium(sh: &Shell) -> Result {
    let have = |p: &str| Path::new(p).exists();
    if have("/usr/bin/chromium") && have("/usr/bin/chromedriver") {
        skip("chromium + chromium-driver", "installed");
        return Ok(());
    }
    let is_root = cmd!(sh, "id -u")
        .quiet()
        .read()
        .is_ok_and(|u| u.trim() == "0");
    if !is_root {
        return Err("Chromium is missing: run `sudo apt-get install -y chromium chromium-driver` (Debian), then try again".into());
    }
    step(
        "apt-get install chromium chromium-driver",
        "check that Debian's package mirror is reachable",
        || {
            cmd!(sh, "apt-get update -q").run()?;
            cmd!(sh, "apt-get install -y -q chromium chromium-driver")
                .env("DEBIAN_FRONTEND", "noninteractive")
                .run()?;
            Ok(())
        },
    )
}
