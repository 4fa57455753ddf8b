//! The two Workers under test (the Rust Worker and the plain-JS reference,
//! a lean design for the same contract, not a copy of the Rust Worker's
//! work): each started by `wrangler dev` on a fresh local D1 with the same
//! migrations and bench site, and asked afterwards what it stored, so a
//! Worker that lost or duplicated answers fails the bench instead of
//! looking fast.

use super::answers::opens_case;
use super::Options;
use crate::Result;
use std::path::{Path, PathBuf};
use tests::worker::{self, Config, LocalWorker};

/// The bench site, the same in both databases: any local origin, a rate
/// limit that never triggers (both Workers enforce it with the top
/// rate-limiting binding, 100000 a minute), no recipients (alerts are not
/// measured).
const SEED_SQL: &str = "INSERT INTO sites (key, origins, show_score, show_guarantee, cooldown_days, sla_minutes, rate_per_minute, updated_at) \
VALUES ('bench', '[\"http://127.0.0.1:*\"]', 1, 1, 30, '{}', 1000000, 0);\n";

/// The Rust Worker runs configured as `cargo xtask deploy` leaves it: with
/// an `ACK_SECRET` (without one it warns on every alert, a log line per
/// answer that no deployed Worker writes). The JS reference reads none.
fn deployed_vars(rust: bool) -> Vec<(String, String)> {
    if rust {
        vec![(
            "ACK_SECRET".into(),
            "bench-ack-secret-at-least-32-characters".into(),
        )]
    } else {
        Vec::new()
    }
}

/// The plain-JS reference's wrangler.toml (`edge/bench/js-reference/`).
pub(in crate::bench) fn js_reference_config() -> PathBuf {
    crate::tools::root().join("edge/bench/js-reference/wrangler.toml")
}

/// One Worker under test.
pub(in crate::bench) struct Target {
    pub name: &'static str,
    pub worker: LocalWorker,
    pub config: Option<PathBuf>,
}

/// The admin token of the Worker whose bench site lives in its object.
const OBJECT_ADMIN_TOKEN: &str = "bench-admin-token";

/// A fresh state directory, the schema, the bench site, and the Worker.
pub(in crate::bench) fn start(
    name: &'static str,
    dir: &Path,
    config: Option<PathBuf>,
) -> Result<Target> {
    start_with(name, dir, config, Vec::new())
}

/// The Rust Worker with the bench site moved into its own Durable Object
/// (`POST /v1/admin/sites/bench/home`, while it has no answers), as a
/// deployment with `SITE_OBJECTS=true` would hold it.
pub(in crate::bench) fn start_in_object(dir: &Path) -> Result<Target> {
    let vars = vec![
        ("SITE_OBJECTS".into(), "true".into()),
        ("ADMIN_TOKEN".into(), OBJECT_ADMIN_TOKEN.into()),
    ];
    let target = start_with("Rust Worker, site in its object", dir, None, vars)?;
    let url = target.worker.url("/v1/admin/sites/bench/home");
    let moved = ureq::post(&url)
        .set("authorization", &format!("Bearer {OBJECT_ADMIN_TOKEN}"))
        .set("content-type", "application/json")
        .send_string(r#"{"home":"object"}"#)
        .map_err(|e| format!("moving the bench site into its object: {e}"))?
        .into_string()?;
    if !moved.contains(r#""home":"object""#) {
        return Err(format!("moving the bench site into its object: {moved}").into());
    }
    Ok(target)
}

/// How many answers and cases the bench site holds in its object (the
/// move route's `status`), and that D1 holds none.
fn counts_in_object(target: &Target) -> Result<(u64, u64)> {
    let url = target.worker.url("/v1/admin/sites/bench/move");
    let status: serde_json::Value = serde_json::from_str(
        &ureq::post(&url)
            .set("authorization", &format!("Bearer {OBJECT_ADMIN_TOKEN}"))
            .set("content-type", "application/json")
            .send_string(r#"{"step":"status"}"#)
            .map_err(|e| format!("counting the object's answers: {e}"))?
            .into_string()?,
    )?;
    let n = |table: &str, home: &str| status["counts"][table][home].as_u64();
    match (
        n("responses", "object"),
        n("cases", "object"),
        n("responses", "d1"),
    ) {
        (Some(answers), Some(cases), Some(0)) => Ok((answers, cases)),
        _ => Err(format!("the object's counts: {status}").into()),
    }
}

/// Every answer sent to the site in its object stored there once, with
/// exactly the cases its tier opens.
pub(super) fn check_object_store(target: &Target, sent: usize) -> Result {
    let cases = (0..sent).filter(|&k| opens_case(k)).count();
    let (answers, opened) = counts_in_object(target)?;
    if answers != sent as u64 || opened != cases as u64 {
        return Err(format!(
            "the site's object holds {answers} answers and {opened} cases; expected {sent} and {cases}"
        )
        .into());
    }
    Ok(())
}

fn start_with(
    name: &'static str,
    dir: &Path,
    config: Option<PathBuf>,
    extra: Vec<(String, String)>,
) -> Result<Target> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    let state = dir.join("state");
    std::fs::create_dir_all(&state)?;
    worker::migrate_with(config.as_deref(), &state)?;
    let seed = dir.join("seed.sql");
    std::fs::write(&seed, SEED_SQL)?;
    worker::execute_file(config.as_deref(), &state, &seed, "seeding the bench site")?;
    let cfg = Config {
        port: tests::free_port()?,
        state_dir: state,
        vars: deployed_vars(config.is_none())
            .into_iter()
            .chain(extra)
            .collect(),
        log: Some(dir.join("wrangler.log")),
        seed: None,
        test_scheduled: false,
    };
    // The reference beside an idle second Worker: the same two-Worker mode
    // of `wrangler dev` as the Rust front and its office.
    let idle = config.as_ref().map(|c| c.with_file_name("idle.toml"));
    let worker = LocalWorker::start_beside(cfg, config.clone(), idle.as_deref())?;
    eprintln!("    {name} on {}", worker.url(""));
    Ok(Target {
        name,
        worker,
        config,
    })
}

/// How many rows a table holds in a Worker's local D1.
fn count(target: &Target, table: &str) -> Result<u64> {
    let rows = worker::query_with(
        target.config.as_deref(),
        &target.worker.state_dir,
        &format!("SELECT COUNT(*) AS n FROM {table}"),
    )?;
    rows.first()
        .and_then(|r| r.get("n"))
        .and_then(serde_json::Value::as_u64)
        .ok_or_else(|| format!("no count from {table} of the {}", target.name).into())
}

/// Every answer stored once, with exactly the cases its tier opens.
pub(super) fn check_stores(targets: &[Target; 2], o: &Options) -> Result {
    let total = o.warmup + o.rounds * o.requests;
    let cases = (0..total).filter(|&k| opens_case(k)).count();
    for t in targets {
        let (responses, opened) = (count(t, "responses")?, count(t, "cases")?);
        if responses != total as u64 || opened != cases as u64 {
            return Err(format!(
                "the {} stored {responses} responses and {opened} cases; expected {total} and {cases}",
                t.name
            )
            .into());
        }
    }
    Ok(())
}
