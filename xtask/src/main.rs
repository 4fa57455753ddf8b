//! `cargo xtask <command>`: the project's own commands. Each one installs what
//! it needs first (pinned, cached outside the clone, idempotent), so a fresh
//! machine needs only Rust, Node and root.

mod backup;
mod bench;
mod build;
mod deploy;
mod dev;
mod move_site;
mod step;
mod test;
mod tools;

/// The migrated schema on real SQLite for the unit tests: the module the
/// integration tests in `tests/` share, so the schema is built one way.
#[cfg(test)]
#[allow(dead_code, clippy::unwrap_used, clippy::expect_used)]
#[path = "../tests/schema/mod.rs"]
mod schema;

use std::process::ExitCode;

pub type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  dev [--port N]     build, migrate, seed the demo site and run the Worker on 127.0.0.1:8787
                     with a local chat inbox and mail catcher on 127.0.0.1:8789
                     (mails at /mail; sign in as owner@example.com; Ctrl-C stops everything)
  test               fmt, clippy, unit + property tests, wasm tests in Chromium, end-to-end suite
  bench [--clients N --rounds N --requests N --warmup N] [--soak-minutes N] [--only soak|ingest|bytes]
                     measure the budgets (docs/budgets.md) into BENCHMARKS.md: widget bytes,
                     Worker wasm size, ingest vs a plain-JS Worker (defaults 8, 5, 1000, 200),
                     alerts, and a soak (default 10 min); `--only soak|ingest|bytes` runs one section alone
                     against the last build and prints its section
  build              build the Worker and the widget (release) into edge/build and target/www
  deploy [--env staging|production] [--dry-run] [--location L | --jurisdiction eu] [--domain HOST]
                     create what is missing, migrate, set secrets, deploy, smoke-check (README: Deploy)
  backup --site SITE [--env staging|production | --local DIR] [--out FILE]
                     write one site's data to NDJSON (default candor-SITE-DATE.ndjson; mode 0600:
                     it holds personal data and webhook secrets); default --env production
  restore --in FILE [--env staging|production | --local DIR]
                     put a backup back; rows already there are kept, so running it again adds nothing
  backup-check       verify backup/restore round trip against a scratch local D1
  move-site --site SITE [--url URL] [--resume]
                     move one site with its answers from D1 into its own Durable Object through
                     the Worker (default --url http://127.0.0.1:8787; CANDOR_ADMIN_TOKEN in the
                     environment): pause, copy, compare, flip, purge; run again after any failure
  bootstrap          only install the toolchain pieces";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rest = args.get(1..).unwrap_or_default();
    let result = match args.first().map(String::as_str) {
        Some("dev") => dev::run(rest),
        Some("test") => test::run(rest),
        Some("bench") => bench::run(rest),
        Some("build") => tools::ensure(false).and_then(|t| build::all(&t)),
        Some("deploy") => deploy::run(rest),
        Some("backup") => backup::backup_command(rest),
        Some("restore") => backup::restore_command(rest),
        Some("backup-check") => backup::check_command(rest),
        Some("move-site") => move_site::run(rest),
        Some("bootstrap") => tools::ensure(true).map(drop),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(USAGE.into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nerror: {e}");
            ExitCode::FAILURE
        }
    }
}
