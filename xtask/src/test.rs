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
        "domain stays pure (cargo tree -p domain -e normal)",
        "move the IO or wasm code out of domain/",
        || {
            let tree = cmd!(sh, "cargo tree -p domain -e normal --prefix none")
                .quiet()
                .read()?;
            domain_is_pure(&tree)
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

/// Crates that would bring IO, a clock or wasm into `domain`.
const IMPURE: [&str; 6] = [
    "worker",
    "web-sys",
    "js-sys",
    "wasm-bindgen",
    "gloo",
    "getrandom",
];

fn domain_is_pure(tree: &str) -> Result {
    let found: Vec<&str> = tree
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| {
            IMPURE
                .iter()
                .any(|bad| name == bad || name.starts_with(&format!("{bad}-")))
        })
        .collect();
    if found.is_empty() {
        Ok(())
    } else {
        Err(format!("domain depends on {}", found.join(", ")).into())
    }
}

#[cfg(test)]
mod tests {
    use super::domain_is_pure;

    #[test]
    fn purity_check_catches_wasm_and_io_crates() {
        assert!(domain_is_pure("domain v0.1.0 (/x)\nserde v1.0.0\nurl v2.5.0").is_ok());
        for bad in [
            "worker v0.8.7",
            "web-sys v0.3.1",
            "gloo-net v0.6.0",
            "wasm-bindgen v0.2.130",
            "getrandom v0.3.0",
        ] {
            assert!(
                domain_is_pure(&format!("domain v0.1.0\n{bad}")).is_err(),
                "{bad}"
            );
        }
    }
}
