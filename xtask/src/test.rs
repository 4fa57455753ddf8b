//! `cargo xtask test`: everything `.ci/run` runs, in the order that fails
//! fastest — formatting, lints, native tests, wasm tests in Chromium, then the
//! release build and the end-to-end suite against the real local Worker.

use crate::step::step;
use crate::tools::{ensure, root};
use crate::{build, Result};
use xshell::{cmd, Shell};

const WASM: &str = "wasm32-unknown-unknown";

pub fn run(_args: &[String]) -> Result {
    let tools = ensure(true)?;
    let sh = Shell::new()?;
    sh.change_dir(root());
    step("cargo fmt --check", "run `cargo fmt --all`", || {
        cmd!(sh, "cargo fmt --all -- --check").run()?;
        Ok(())
    })?;
    step(
        "clippy -D warnings (native crates)",
        "fix the lints above",
        || {
            cmd!(
                sh,
                "cargo clippy -p domain -p tests -p xtask --all-targets -- -D warnings"
            )
            .run()?;
            Ok(())
        },
    )?;
    step(
        "clippy -D warnings (wasm crates)",
        "fix the lints above",
        || {
            cmd!(
                sh,
                "cargo clippy -p candor-edge -p candor-widget --target {WASM} --all-targets -- -D warnings"
            )
            .run()?;
            Ok(())
        },
    )?;
    step(
        "unit and property tests (domain, xtask)",
        "read the failing test above",
        || {
            cmd!(sh, "cargo test -p domain -p xtask").run()?;
            Ok(())
        },
    )?;
    step(
        "widget tests in headless Chromium (wasm-bindgen-test)",
        "read the failing test above",
        || {
            let widget = root().join("widget");
            let _dir = sh.push_dir(&widget);
            cmd!(sh, "cargo test --target {WASM}")
                .env(
                    "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
                    &tools.wasm_bindgen_test_runner,
                )
                .env("CHROMEDRIVER", &tools.chromedriver)
                .env("WASM_BINDGEN_TEST_TIMEOUT", "60")
                .run()?;
            Ok(())
        },
    )?;
    build::all(&tools)?;
    step(
        "end-to-end suite (workerd + D1, receiver, Chromium)",
        "each test's logs are under target/e2e/",
        || {
            cmd!(sh, "cargo test -p tests -- --test-threads=1")
                .env("CANDOR_CHROMEDRIVER", &tools.chromedriver)
                .env("CANDOR_CHROMIUM", &tools.chromium)
                .run()?;
            Ok(())
        },
    )
}
