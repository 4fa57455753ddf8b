//! `cargo xtask test`: everything `.ci/run` runs, in the order that fails
//! fastest — formatting, lints, native tests, wasm tests in Chromium, then the
//! release build and the end-to-end suite against the real local Worker.

use crate::step::step;
use crate::tools::{ensure, root};
use crate::{backup, build, deploy, Result};
use std::cell::Cell;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
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
                "cargo clippy -p domain -p candor-pages -p tests -p xtask --all-targets -- -D warnings"
            )
            .run()?;
            Ok(())
        },
    )?;
    step(
        "clippy -D warnings (wasm crates)",
        "fix the lints above",
        || wasm_clippy(&sh),
    )?;
    step(
        "domain stays pure, pages stay native, SQL stays in the store (cargo tree, domain/src, edge/src)",
        "keep IO, wasm and markup out of domain/ (pages go in edge/pages/), wasm out of edge/pages/, \
         and D1 statements in edge/src/store/ (a function there with a name that says what it does), \
         run through edge/src/store/exec.rs",
        || {
            let tree = cmd!(sh, "cargo tree -p domain -e normal --prefix none")
                .quiet()
                .read()?;
            domain_is_pure(&tree)?;
            domain_has_no_markup(&root().join("domain").join("src"))?;
            let pages = cmd!(sh, "cargo tree -p candor-pages -e normal --prefix none")
                .quiet()
                .read()?;
            pages_are_native(&pages)?;
            sql_stays_in_store(&root())
        },
    )?;
    step(
        "unit and property tests (domain, pages, xtask)",
        "read the failing test above",
        || {
            counted(
                cmd!(sh, "cargo test -p domain -p candor-pages -p xtask"),
                &tally,
            )?;
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
    deploy_dry_runs(&tools)?;
    backup_round_trip(&tools)?;
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
    logs_hold_no_personal_data(&build::target_dir().join("e2e"))?;
    let (passed, failed) = tally.get();
    // One plain summary over every runner above, so the closing line counts
    // all tests rather than whichever target happened to run last.
    println!("tests: {passed} passed, {failed} failed");
    Ok(())
}

/// The wasm crates, then the other builds of each: the Workers' front (the
/// edge without the office), and the widget's launcher and inline builds
/// (the same crate without the form, and with the form but no dialog).
fn wasm_clippy(sh: &Shell) -> Result {
    cmd!(
        sh,
        "cargo clippy -p candor-edge -p candor-widget --target {WASM} --all-targets -- -D warnings"
    )
    .run()?;
    cmd!(
        sh,
        "cargo clippy -p candor-edge --target {WASM} --no-default-features --lib -- -D warnings"
    )
    .run()?;
    for features in [
        &["--no-default-features"][..],
        &["--no-default-features", "--features=form"],
    ] {
        cmd!(
            sh,
            "cargo clippy -p candor-widget --target {WASM} {features...} --lib -- -D warnings"
        )
        .run()?;
    }
    Ok(())
}

/// `cargo xtask deploy --dry-run` for both environments: the exact uploads
/// of both Workers, built offline through the generated configs.
fn deploy_dry_runs(tools: &crate::tools::Tools) -> Result {
    step(
        "deploy --dry-run for staging and production (the exact uploads, offline)",
        "read wrangler's message above",
        || {
            let edge = root().join("edge");
            for env in [deploy::Env::Staging, deploy::Env::Production] {
                let mut w = deploy::Wrangler::new(&tools.wrangler, &edge);
                deploy::dry_run(&mut w, &edge, env, &mut std::io::stderr())?;
            }
            Ok(())
        },
    )
}

/// `cargo xtask backup-check`: a site backed up, wiped and restored (twice)
/// through the real wrangler and a scratch local D1.
fn backup_round_trip(tools: &crate::tools::Tools) -> Result {
    step(
        "backup and restore round trip (scratch local D1)",
        "read the difference above; the scratch database and files are in target/backup-check/",
        || backup::round_trip(&tools.wrangler),
    )
}

/// Emails, phones and words the end-to-end suite posts as customers (in
/// answers, contact fields and added messages), in the spellings it uses.
const PERSONAL_DATA: &[&str] = &[
    "ana@example.com",
    "sam@example.com",
    "mia@example.com",
    "+44 20 7946 0000",
    "+44 20 7946 0958",
    "+442079460958",
    "The parcel came a week late",
    "Das Paket kam beschädigt",
    "Und der Karton war nass",
    "Refund was stuck in review",
    "The coupon did not apply",
];

/// Every Worker log the suite left (`<test>/wrangler.log`), searched for
/// [`PERSONAL_DATA`], case-insensitively; each hit is named.
fn logs_hold_no_personal_data(e2e: &Path) -> Result {
    step(
        "no personal data the suite posted in any Worker log",
        "a log line above quotes a customer: log the route or an id instead",
        || search_logs(e2e),
    )
}

fn search_logs(e2e: &Path) -> Result {
    let mut hits = Vec::new();
    let mut logs = 0;
    for dir in std::fs::read_dir(e2e)? {
        let log = dir?.path().join("wrangler.log");
        let Ok(text) = std::fs::read_to_string(&log) else {
            continue;
        };
        logs += 1;
        hits.extend(
            personal_data_in(&text)
                .into_iter()
                .map(|(n, line)| format!("{}:{n}: {line}", log.display())),
        );
    }
    if logs == 0 {
        return Err(format!("no Worker logs under {}: did the suite run?", e2e.display()).into());
    }
    eprintln!("    {logs} logs searched");
    if hits.is_empty() {
        Ok(())
    } else {
        Err(format!("personal data in the logs:\n{}", hits.join("\n")).into())
    }
}

/// The lines of `text` (numbered from 1) that quote personal data.
fn personal_data_in(text: &str) -> Vec<(usize, String)> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| {
            let line = line.to_lowercase();
            PERSONAL_DATA
                .iter()
                .any(|p| line.contains(&p.to_lowercase()))
        })
        .map(|(i, line)| (i + 1, line.to_owned()))
        .collect()
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

/// Crates that would bring IO, a clock or wasm into `domain`, or a
/// template engine: `domain` holds rules, and pages belong in `candor-pages`.
const IMPURE: [&str; 7] = [
    "worker",
    "web-sys",
    "js-sys",
    "wasm-bindgen",
    "gloo",
    "getrandom",
    "maud",
];

/// Crates that would tie the pages to the Worker runtime: `candor-pages`
/// must build and test on the host, like `domain`.
const NOT_NATIVE: [&str; 4] = ["worker", "wasm-bindgen", "web-sys", "js-sys"];

/// The crates of a `cargo tree --prefix none` listing that are `banned`,
/// or belong to a banned family (`gloo-net` for `gloo`).
fn banned_in<'a>(tree: &'a str, banned: &[&str]) -> Vec<&'a str> {
    tree.lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| {
            banned
                .iter()
                .any(|bad| *name == *bad || name.starts_with(&format!("{bad}-")))
        })
        .collect()
}

fn domain_is_pure(tree: &str) -> Result {
    let found = banned_in(tree, &IMPURE);
    if found.is_empty() {
        Ok(())
    } else {
        Err(format!("domain depends on {}", found.join(", ")).into())
    }
}

fn pages_are_native(tree: &str) -> Result {
    let found = banned_in(tree, &NOT_NATIVE);
    if found.is_empty() {
        Ok(())
    } else {
        Err(format!("candor-pages depends on {}", found.join(", ")).into())
    }
}

/// What marks a file as building HTML with maud: its macro and its escape
/// hatch.
const MARKUP: [&str; 2] = ["html!", "PreEscaped"];

/// The lines of one source file that build HTML, as `path:line: text`.
fn markup_in(path: &str, source: &str) -> Vec<String> {
    source
        .lines()
        .enumerate()
        .filter(|(_, line)| MARKUP.iter().any(|m| line.contains(m)))
        .map(|(i, line)| format!("{path}:{}: {}", i + 1, line.trim()))
        .collect()
}

/// Every `.rs` file under `dir`, at any depth.
fn rust_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// Fails if any Rust file under `dir` (domain/src) builds HTML: the
/// dependency check alone would miss markup written by hand or a
/// re-exported macro.
fn domain_has_no_markup(dir: &Path) -> Result {
    let mut found = Vec::new();
    for path in rust_files(dir)? {
        let source = std::fs::read_to_string(&path)?;
        found.extend(markup_in(&path.display().to_string(), &source));
    }
    if found.is_empty() {
        Ok(())
    } else {
        Err(format!("domain builds HTML:\n{}", found.join("\n")).into())
    }
}

/// The one place the edge may write SQL: every D1 statement is a function
/// of `edge/src/store/`, whose name says what it does.
const STORE: &str = "edge/src/store";
/// The one place a statement reaches the database (the executor seam a
/// second store, a Durable Object per site, plugs into): nothing else
/// names the D1 binding or its types.
const EXECUTOR: &str = "edge/src/store/exec.rs";
const D1_NAMES: [&str; 4] = ["D1Database", "D1PreparedStatement", "D1Result", ".d1("];

/// The lines of one edge source file (`path` relative to the workspace)
/// that prepare a D1 statement outside the store, or touch the D1 binding
/// outside the executor, as `path:line: text`.
fn sql_outside_store(path: &Path, source: &str) -> Vec<String> {
    let in_store = path.starts_with(STORE);
    let executor = path == Path::new(EXECUTOR);
    source
        .lines()
        .enumerate()
        .filter(|(_, line)| {
            (!in_store && line.contains(".prepare("))
                || (!executor && D1_NAMES.iter().any(|name| line.contains(name)))
        })
        .map(|(i, line)| format!("{}:{}: {}", path.display(), i + 1, line.trim()))
        .collect()
}

/// Fails, naming each `file:line`, if any file under `edge/src` of the
/// workspace at `root` prepares SQL outside `edge/src/store/`.
fn sql_stays_in_store(root: &Path) -> Result {
    let mut found = Vec::new();
    for path in rust_files(&root.join("edge").join("src"))? {
        let source = std::fs::read_to_string(&path)?;
        let relative = path.strip_prefix(root).unwrap_or(&path);
        found.extend(sql_outside_store(relative, &source));
    }
    if found.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "SQL outside edge/src/store/ (move it into a store function), or the D1 \
             binding outside edge/src/store/exec.rs (run statements through it):\n{}",
            found.join("\n")
        )
        .into())
    }
}

#[cfg(test)]
mod tests {
    use super::{
        domain_has_no_markup, domain_is_pure, markup_in, pages_are_native, personal_data_in,
        sql_outside_store, sql_stays_in_store, test_counts,
    };
    use std::path::Path;

    #[test]
    fn a_log_line_quoting_a_customer_is_found() {
        let log = "[wrangler:info] POST /v1/responses 201\n{\"route\":\"/ack/:id\"}\nmail to ANA@example.com failed\n";
        assert_eq!(
            personal_data_in(log),
            [(3, "mail to ANA@example.com failed".to_owned())]
        );
        assert!(personal_data_in("{\"route\":\"/v1/responses\",\"status\":201}").is_empty());
    }

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
            "maud v0.27.0",
        ] {
            assert!(
                domain_is_pure(&format!("domain v0.1.0\n{bad}")).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn pages_may_use_maud_but_not_the_worker_runtime() {
        let native = "candor-pages v0.1.0 (/x)\ndomain v0.1.0 (/y)\nmaud v0.27.0\nurl v2.5.0";
        assert!(pages_are_native(native).is_ok());
        for bad in [
            "worker v0.8.7",
            "wasm-bindgen v0.2.130",
            "web-sys v0.3.1",
            "js-sys v0.3.1",
        ] {
            assert!(
                pages_are_native(&format!("candor-pages v0.1.0\n{bad}")).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn markup_in_domain_sources_is_found_with_its_place() {
        let source = "fn a() {}\n    let page = html! { p { \"x\" } };\nuse maud::PreEscaped;\n";
        assert_eq!(
            markup_in("domain/src/x.rs", source),
            [
                "domain/src/x.rs:2: let page = html! { p { \"x\" } };",
                "domain/src/x.rs:3: use maud::PreEscaped;",
            ]
        );
        // Chat escaping (`fn html(c: char, …)` in render) is not a page.
        assert!(markup_in("domain/src/y.rs", "fn html(c: char) {}\n// escaped").is_empty());
    }

    #[test]
    fn domain_sources_build_no_html_today() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../domain/src");
        assert!(dir.is_dir(), "{}", dir.display());
        assert!(domain_has_no_markup(&dir).is_ok());
    }

    #[test]
    fn sql_outside_the_store_is_found_with_its_place() {
        let source = "fn a() {}\n    let rows = db\n        .prepare(\"SELECT 1\")\n";
        assert_eq!(
            sql_outside_store(Path::new("edge/src/alerts/sla.rs"), source),
            ["edge/src/alerts/sla.rs:3: .prepare(\"SELECT 1\")"]
        );
        assert!(sql_outside_store(Path::new("edge/src/store/cases.rs"), source).is_empty());
        assert!(sql_outside_store(Path::new("edge/src/store/deep/x.rs"), source).is_empty());
        // A file merely named like the store is not in it.
        assert_eq!(
            sql_outside_store(Path::new("edge/src/store.rs"), source).len(),
            1
        );
        // The D1 binding itself only in the executor, even inside the store.
        let d1 = "use worker::D1Database;\nlet db = env.d1(\"DB\")?;\n";
        assert_eq!(
            sql_outside_store(Path::new("edge/src/store/cases.rs"), d1).len(),
            2
        );
        assert_eq!(
            sql_outside_store(Path::new("edge/src/routes/x.rs"), d1),
            [
                "edge/src/routes/x.rs:1: use worker::D1Database;",
                "edge/src/routes/x.rs:2: let db = env.d1(\"DB\")?;"
            ]
        );
        assert!(sql_outside_store(Path::new("edge/src/store/exec.rs"), d1).is_empty());
    }

    #[test]
    fn the_sql_check_fails_on_a_statement_outside_the_store() {
        let root = std::env::temp_dir().join(format!("xtask-sql-{}", std::process::id()));
        let write = |rel: &str, text: &str| {
            let path = root.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write("edge/src/store/cases.rs", "db.prepare(\"SELECT 1\")\n");
        assert!(sql_stays_in_store(&root).is_ok());
        write("edge/src/routes/x.rs", "\n db.prepare(\"SELECT 2\")\n");
        let err = sql_stays_in_store(&root).unwrap_err().to_string();
        let _ = std::fs::remove_dir_all(&root);
        assert!(err.contains("edge/src/routes/x.rs:2:"), "{err}");
    }

    #[test]
    fn edge_sources_prepare_sql_only_in_the_store_today() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        assert!(root.join("edge/src/store").is_dir());
        if let Err(e) = sql_stays_in_store(&root) {
            panic!("{e}");
        }
    }
}
