//! `cargo xtask test`: everything `.ci/run` runs, in the order that fails
//! fastest — formatting, lints, native tests, wasm tests in Chromium, then the
//! release build and the end-to-end suite against the real local Worker.

use crate::step::step;
use crate::tools::{ensure, root};
use crate::{build, Result};
use std::cell::Cell;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use xshell::{cmd, Shell};

const WASM: &str = "wasm32-unknown-unknown";

pub fn run(_args: &[String]) -> Result {
    let tools = ensure(true)?;
    let sh = Shell::new()?;
    sh.change_dir(root());
    let tally = Cell::new((0, 0));
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
            // The launcher build: the same crate without the form.
            cmd!(
                sh,
                "cargo clippy -p candor-widget --target {WASM} --no-default-features --lib -- -D warnings"
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
            counted(cmd!(sh, "cargo test -p domain -p xtask"), &tally)?;
            Ok(())
        },
    )?;
    step(
        "widget tests in headless Chromium (wasm-bindgen-test)",
        "read the failing test above",
        || {
            let widget = root().join("widget");
            let _dir = sh.push_dir(&widget);
            let wasm_tests = cmd!(sh, "cargo test --target {WASM}")
                .env(
                    "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
                    &tools.wasm_bindgen_test_runner,
                )
                .env("CHROMEDRIVER", &tools.chromedriver)
                .env("WASM_BINDGEN_TEST_TIMEOUT", "60");
            counted(wasm_tests, &tally)?;
            Ok(())
        },
    )?;
    build::all(&tools)?;
    step(
        "end-to-end suite (workerd + D1, receiver, Chromium)",
        "each test's logs are under target/e2e/",
        || {
            let e2e = cmd!(sh, "cargo test -p tests -- --test-threads=1")
                .env("CANDOR_CHROMEDRIVER", &tools.chromedriver)
                .env("CANDOR_CHROMIUM", &tools.chromium);
            counted(e2e, &tally)
        },
    )?;
    let (passed, failed) = tally.get();
    // One plain summary over every runner above, so the closing line counts
    // all tests rather than whichever target happened to run last.
    println!("tests: {passed} passed, {failed} failed");
    Ok(())
}

/// Runs a `cargo test`, echoing its output, and adds its
/// `test result: … N passed; M failed` lines to `tally`.
fn counted(cmd: xshell::Cmd<'_>, tally: &Cell<(u64, u64)>) -> Result {
    let mut command = std::process::Command::from(cmd);
    let mut child = command.stdout(Stdio::piped()).spawn()?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    for line in BufReader::new(stdout).lines() {
        let line = line?;
        println!("{line}");
        if let Some((p, f)) = test_counts(&line) {
            let (tp, tf) = tally.get();
            tally.set((tp + p, tf + f));
        }
    }
    let status = child.wait()?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{command:?} exited with {status}").into())
    }
}

/// `test result: ok. 38 passed; 0 failed; …` → `(38, 0)`.
fn test_counts(line: &str) -> Option<(u64, u64)> {
    let rest = line.trim().strip_prefix("test result: ")?;
    let number_before = |word: &str| -> Option<u64> {
        let end = rest.find(word)?;
        rest[..end]
            .trim_end()
            .rsplit(|c: char| !c.is_ascii_digit())
            .next()?
            .parse()
            .ok()
    };
    Some((number_before(" passed")?, number_before(" failed")?))
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
    use super::{domain_is_pure, test_counts};

    #[test]
    fn reads_cargo_and_wasm_test_summaries() {
        let cargo = "test result: ok. 38 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.32s";
        assert_eq!(test_counts(cargo), Some((38, 0)));
        let failing =
            "test result: FAILED. 3 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out";
        assert_eq!(test_counts(failing), Some((3, 2)));
        let wasm =
            "test result: ok. 1 passed; 0 failed; 0 ignored; 0 filtered out; finished in 0.03s";
        assert_eq!(test_counts(wasm), Some((1, 0)));
        assert_eq!(test_counts("running 1 test"), None);
    }

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
