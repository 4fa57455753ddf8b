//! The ingest benchmark of DESIGN §7: the Rust Worker against a plain-JS
//! Worker doing the same work (`edge/bench/js-reference`), both under the
//! same local workerd and D1, in one run.
//!
//! Closed loop: `clients` threads, each on one keep-alive connection, post
//! valid and distinct answers (a fresh UUID v4 each, the same mix of tiers
//! for both Workers) until the round's count is reached. After a warm-up,
//! rounds alternate Rust, JS, JS, Rust… so the machine's noise falls on both.
//! Only 127.0.0.1 is ever called; every loop is bounded; both Workers stop
//! when their guards drop. Any answer other than `201` fails the bench.
//!
//! Where the time goes: each round also reads the CPU time of every process
//! in each Worker's process group from `/proc` (workerd: the Worker, the
//! assets router and local D1's SQLite; node: wrangler's dev proxy and
//! logging), and one round of `GET /health` per Worker gives the fixed cost
//! of a request that touches no D1.

use super::stats::Sample;
use crate::step::step;
use crate::Result;
use domain::submission::{RawContact, RawContext, RawSubmission};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tests::worker::{self, Config, LocalWorker};

/// The bench site, the same in both databases: any local origin, a rate
/// limit that never triggers, no recipients (alerts are not measured).
const SEED_SQL: &str = "INSERT INTO sites (key, origins, show_score, show_guarantee, cooldown_days, sla_minutes, rate_per_minute, updated_at) \
VALUES ('bench', '[\"http://127.0.0.1:*\"]', 1, 1, 30, '{}', 1000000, 0);\n";

/// The `Origin` every request carries, so the allowlist check runs.
const ORIGIN: &str = "http://127.0.0.1:5173";

/// How many requests, in what shape. `cargo xtask bench --clients N
/// --rounds N --requests N --warmup N` overrides the defaults.
pub struct Options {
    pub clients: usize,
    pub rounds: usize,
    pub requests: usize,
    pub warmup: usize,
}

impl Options {
    pub fn from_args(args: &[String]) -> Result<Self> {
        let get = |flag: &str, default: usize| -> Result<usize> {
            match args.iter().position(|a| a == flag) {
                None => Ok(default),
                Some(i) => {
                    let v: usize = args
                        .get(i + 1)
                        .ok_or_else(|| format!("{flag} needs a number"))?
                        .parse()
                        .map_err(|e| format!("{flag}: {e}"))?;
                    if v == 0 && flag != "--warmup" {
                        return Err(format!("{flag} must be at least 1").into());
                    }
                    Ok(v)
                }
            }
        };
        Ok(Self {
            clients: get("--clients", 8)?,
            rounds: get("--rounds", 5)?,
            requests: get("--requests", 1000)?,
            warmup: get("--warmup", 200)?,
        })
    }
}

/// One Worker under test.
struct Target {
    name: &'static str,
    worker: LocalWorker,
    config: Option<PathBuf>,
}

/// One Worker's figures over all measured rounds.
#[derive(Default)]
pub struct Figures {
    /// Requests per second of each round, in order.
    pub rounds: Vec<f64>,
    /// Every measured request's latency.
    pub latencies: Vec<Duration>,
    /// CPU time its processes spent during the measured rounds, by command
    /// name (`workerd`, `node`, …); empty where `/proc` cannot be read.
    pub cpu: BTreeMap<String, Duration>,
    /// Requests per second of the `GET /health` round, its size, and the
    /// CPU time spent in it.
    pub health: f64,
    pub health_requests: usize,
    pub health_cpu: BTreeMap<String, Duration>,
}

impl Figures {
    /// CPU per measured answer of the processes called `command`.
    pub fn cpu_per_request(&self, command: &str) -> Option<Duration> {
        per_request(&self.cpu, command, self.latencies.len())
    }

    /// CPU per `GET /health` of the processes called `command`.
    pub fn health_cpu_per_request(&self, command: &str) -> Option<Duration> {
        per_request(&self.health_cpu, command, self.health_requests)
    }

    /// The median of the rounds' requests per second.
    pub fn throughput(&self) -> f64 {
        Sample::new(self.rounds.iter().copied())
            .median()
            .unwrap_or(0.0)
    }

    /// Percentile `p` of every measured latency, in milliseconds (linear
    /// interpolation, see `stats`).
    pub fn latency_ms(&self, p: f64) -> f64 {
        Sample::new(self.latencies.iter().map(|d| d.as_secs_f64() * 1000.0))
            .percentile(p)
            .unwrap_or(0.0)
    }
}

pub struct Report {
    pub rust: Figures,
    pub js: Figures,
    pub options: Options,
}

fn per_request(cpu: &BTreeMap<String, Duration>, command: &str, n: usize) -> Option<Duration> {
    let n = u32::try_from(n).ok().filter(|&n| n > 0)?;
    cpu.get(command).map(|d| *d / n)
}

/// The answer posted as request number `k`: ten shapes in turn, half of
/// them opening a case (account, senior, service, president), half not, so
/// both paths of the store are exercised in the same proportion for both.
/// Every contact is distinct, so no callback joins an earlier open case
/// (rule 6) and each case-opening answer opens exactly one case. Built from
/// the domain's wire type, so the body is what the widget sends.
fn answer(k: usize) -> RawSubmission {
    let email = || Some(format!("ana.{k}@example.com"));
    let phone = || Some(format!("+44 20 7946 {k:06}"));
    let contact = |email, phone, callback| {
        Some(RawContact {
            name: Some("Ana Bench".into()),
            email,
            phone,
            callback,
        })
    };
    let context = || {
        Some(RawContext {
            page: Some("http://127.0.0.1:5173/checkout?step=3".into()),
            transaction: Some(format!("order-{k}")),
            locale: Some("en-GB".into()),
        })
    };
    let (score, guarantee, contact, context) = match k % 10 {
        0 => (Some(5), false, None, None),
        1 => (Some(4), false, None, context()),
        2 => (None, false, None, None),
        3 => (Some(3), false, None, context()),
        4 => (Some(2), false, contact(email(), None, true), None),
        5 => (Some(1), false, contact(None, phone(), true), context()),
        6 => (Some(5), false, None, context()),
        7 => (None, false, contact(email(), phone(), true), None),
        8 => (Some(4), false, contact(None, None, false), context()),
        _ => (Some(5), true, contact(email(), None, false), context()),
    };
    RawSubmission {
        site: "bench".into(),
        id: uuid::Uuid::new_v4().to_string(),
        gaps: format!("Bench answer {k}: the delivery was two days late and nobody told me why."),
        score,
        guarantee,
        contact,
        context,
        hp: String::new(),
        turnstile: None,
    }
}

/// [`answer`] `k` as JSON. A struct of strings, numbers and booleans always
/// serializes, so the fallback (an empty body, refused loudly) never runs.
fn body(k: usize) -> String {
    serde_json::to_string(&answer(k)).unwrap_or_default()
}

/// Whether request number `k` opens a case (see [`answer`]).
fn opens_case(k: usize) -> bool {
    matches!(k % 10, 3 | 4 | 5 | 7 | 9)
}

/// Clock ticks per second of `/proc/<pid>/stat` times.
fn clock_ticks() -> u64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .filter(|&t| t > 0)
        .unwrap_or(100)
}

/// User + system CPU ticks of every live process in process group `pgid`,
/// summed by command name. Empty where `/proc` cannot be read (not Linux).
fn group_cpu(pgid: u32) -> BTreeMap<String, u64> {
    let mut by_command = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return by_command;
    };
    for entry in entries.flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // `pid (comm) state ppid pgrp … utime stime …`; comm may hold spaces.
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let command = stat.get(open + 1..close).unwrap_or_default();
        let fields: Vec<&str> = stat
            .get(close + 1..)
            .unwrap_or_default()
            .split_whitespace()
            .collect();
        let field = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok());
        if field(2) == Some(u64::from(pgid)) {
            let ticks = field(11).unwrap_or(0) + field(12).unwrap_or(0);
            *by_command.entry(command.to_owned()).or_insert(0) += ticks;
        }
    }
    by_command
}

/// Adds what the group spent between two `group_cpu` readings.
fn add_cpu(
    total: &mut BTreeMap<String, Duration>,
    before: &BTreeMap<String, u64>,
    after: &BTreeMap<String, u64>,
    ticks_per_sec: u64,
) {
    for (command, &t) in after {
        let spent = t.saturating_sub(before.get(command).copied().unwrap_or(0));
        let nanos = spent.saturating_mul(1_000_000_000) / ticks_per_sec;
        *total.entry(command.clone()).or_default() += Duration::from_nanos(nanos);
    }
}

/// What a round sends.
#[derive(Clone, Copy)]
enum Kind {
    /// `POST /v1/responses` with [`body`]; `201` expected.
    Ingest,
    /// `GET /health`; `200` expected.
    Health,
}

/// What one round saw.
struct Round {
    wall: Duration,
    latencies: Vec<Duration>,
    errors: usize,
    first_error: Option<String>,
}

/// Sends requests `first .. first + n` to the Worker on `port` from
/// `clients` threads.
fn round(port: u16, kind: Kind, first: usize, n: usize, clients: usize) -> Round {
    let (url, expected) = match kind {
        Kind::Ingest => (format!("http://127.0.0.1:{port}/v1/responses"), 201),
        Kind::Health => (format!("http://127.0.0.1:{port}/health"), 200),
    };
    let next = AtomicUsize::new(0);
    let latencies = Mutex::new(Vec::with_capacity(n));
    let errors = AtomicUsize::new(0);
    let first_error = Mutex::new(None);
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..clients {
            s.spawn(|| {
                // One agent per client: one keep-alive connection each.
                let agent = ureq::AgentBuilder::new()
                    .timeout(Duration::from_secs(30))
                    .max_idle_connections_per_host(1)
                    .build();
                let mut mine = Vec::new();
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    if k >= n {
                        break;
                    }
                    let text = matches!(kind, Kind::Ingest).then(|| body(first + k));
                    let sent = Instant::now();
                    let outcome = match &text {
                        Some(text) => agent
                            .post(&url)
                            .set("content-type", "application/json")
                            .set("origin", ORIGIN)
                            .send_string(text),
                        None => agent.get(&url).call(),
                    };
                    // Read the whole answer so the connection is reused.
                    let result = match outcome {
                        Ok(resp) => {
                            let status = resp.status();
                            let text = resp.into_string().unwrap_or_default();
                            (status, text)
                        }
                        Err(ureq::Error::Status(status, resp)) => {
                            (status, resp.into_string().unwrap_or_default())
                        }
                        Err(e) => (0, e.to_string()),
                    };
                    mine.push(sent.elapsed());
                    if result.0 != expected {
                        errors.fetch_add(1, Ordering::Relaxed);
                        if let Ok(mut slot) = first_error.lock() {
                            slot.get_or_insert_with(|| format!("{} {}", result.0, result.1));
                        }
                    }
                }
                if let Ok(mut all) = latencies.lock() {
                    all.extend(mine);
                }
            });
        }
    });
    Round {
        wall: start.elapsed(),
        latencies: latencies.into_inner().unwrap_or_default(),
        errors: errors.into_inner(),
        first_error: first_error.into_inner().unwrap_or_default(),
    }
}

fn check(target: &Target, r: &Round) -> Result {
    if r.errors == 0 {
        return Ok(());
    }
    Err(format!(
        "the {} answered {} of {} requests with an unexpected status; the first: {}",
        target.name,
        r.errors,
        r.latencies.len(),
        r.first_error.as_deref().unwrap_or("?")
    )
    .into())
}

/// A fresh state directory, the schema, the bench site, and the Worker.
fn start(name: &'static str, dir: &Path, config: Option<PathBuf>) -> Result<Target> {
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
        vars: Vec::new(),
        log: Some(dir.join("wrangler.log")),
        seed: None,
        test_scheduled: false,
    };
    let worker = LocalWorker::start_with(cfg, config.clone())?;
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

/// One measured round of `kind` on `target`, its CPU time added to `cpu`.
fn measured(
    target: &Target,
    kind: Kind,
    first: usize,
    o: &Options,
    cpu: &mut BTreeMap<String, Duration>,
) -> Result<Round> {
    let ticks = clock_ticks();
    let before = group_cpu(target.worker.pid());
    let got = round(target.worker.port, kind, first, o.requests, o.clients);
    add_cpu(cpu, &before, &group_cpu(target.worker.pid()), ticks);
    check(target, &got)?;
    eprintln!("    {:.0} req/s", per_second(&got));
    Ok(got)
}

#[allow(clippy::cast_precision_loss)]
fn per_second(r: &Round) -> f64 {
    r.latencies.len() as f64 / r.wall.as_secs_f64()
}

/// The measured ingest rounds, Rust first in even rounds and JS first in
/// odd ones (A B B A …), so neither always runs right after the other.
fn ingest_rounds(targets: &[Target; 2], o: &Options) -> Result<[Figures; 2]> {
    let mut figures = [Figures::default(), Figures::default()];
    for r in 0..o.rounds {
        let first = o.warmup + r * o.requests;
        let mut pairs: Vec<_> = targets.iter().zip(figures.iter_mut()).collect();
        if r % 2 == 1 {
            pairs.reverse();
        }
        for (t, f) in pairs {
            let what = format!(
                "round {}/{}: {} × {} answers, {} clients",
                r + 1,
                o.rounds,
                t.name,
                o.requests,
                o.clients
            );
            let got = step(
                &what,
                "the first error above says which request failed",
                || measured(t, Kind::Ingest, first, o, &mut f.cpu),
            )?;
            f.rounds.push(per_second(&got));
            f.latencies.extend(got.latencies);
        }
    }
    for (t, f) in targets.iter().zip(figures.iter_mut()) {
        let what = format!("trivial route: {} × {} GET /health", t.name, o.requests);
        let got = step(
            &what,
            "the first error above says which request failed",
            || measured(t, Kind::Health, 0, o, &mut f.health_cpu),
        )?;
        f.health = per_second(&got);
        f.health_requests = got.latencies.len();
    }
    Ok(figures)
}

/// Every answer stored once, with exactly the cases its tier opens.
fn check_stores(targets: &[Target; 2], o: &Options) -> Result {
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

pub fn run(options: Options) -> Result<Report> {
    let bench_dir = crate::build::target_dir().join("bench");
    let js_config = crate::tools::root().join("edge/bench/js-reference/wrangler.toml");
    let targets = step(
        "start the Rust Worker and the plain-JS reference (local workerd + D1)",
        "read the wrangler.log under target/bench/<rust|js>/",
        || {
            Ok([
                start("Rust Worker", &bench_dir.join("rust"), None)?,
                start(
                    "JS reference",
                    &bench_dir.join("js"),
                    Some(js_config.clone()),
                )?,
            ])
        },
    )?;
    let o = &options;
    step(
        &format!("warm up both Workers ({} answers each)", o.warmup),
        "the first error above says which request failed",
        || {
            for t in &targets {
                check(
                    t,
                    &round(t.worker.port, Kind::Ingest, 0, o.warmup, o.clients),
                )?;
            }
            Ok(())
        },
    )?;
    let figures = ingest_rounds(&targets, o)?;
    step(
        "check both databases hold every answer once, with its case",
        "a Worker lost or duplicated answers: compare the two Workers' stores",
        || check_stores(&targets, o),
    )?;
    drop(targets);
    let [rust, js] = figures;
    Ok(Report { rust, js, options })
}

fn ms2(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// A table row comparing two CPU times, if both were measured.
fn cpu_row(md: &mut String, what: &str, rust: Option<Duration>, js: Option<Duration>) -> Result {
    if let (Some(rust), Some(js)) = (rust, js) {
        let ratio = js.as_secs_f64() / rust.as_secs_f64().max(f64::EPSILON);
        writeln!(
            md,
            "| {what} | {} | {} | JS/Rust {ratio:.2}× |",
            ms2(rust),
            ms2(js)
        )?;
    }
    Ok(())
}

impl Report {
    pub fn throughput_ratio(&self) -> f64 {
        self.rust.throughput() / self.js.throughput()
    }

    /// The markdown section written to BENCHMARKS.md and printed.
    pub fn markdown(&self) -> Result<String> {
        let mut md = self.table()?;
        let o = &self.options;
        writeln!(
            md,
            "\nHow measured: {} closed-loop clients on keep-alive connections post valid, distinct \
             answers (fresh UUID v4 each; the same mix for both: half open a case, half do not) to \
             `POST /v1/responses`; {} warm-up answers each, then {} rounds of {} answers, \
             alternating Rust and JS (A B B A …). Both Workers run at once on 127.0.0.1 under \
             `wrangler dev` (local workerd, local D1 = SQLite, each with its own fresh database and \
             the same migrations and bench site, both behind the same static-assets router); the \
             JS Worker is `edge/bench/js-reference/worker.js`. CPU per request is read from \
             `/proc` for each Worker's process group (workerd: the Worker, the assets router and \
             local D1's SQLite; wrangler's Node: its dev proxy and request log), so it says where \
             the time goes whatever else the machine is doing; `GET /health` is the fixed cost of \
             any request. Machine: 2 cores, the load generator on the same cores. Ratios > 1 mean \
             Rust is faster.",
            o.clients, o.warmup, o.rounds, o.requests
        )?;
        Ok(md)
    }

    fn table(&self) -> Result<String> {
        let (rust, js) = (&self.rust, &self.js);
        let ratio = self.throughput_ratio();
        let verdict = if ratio >= 1.0 {
            "meets the ≥ 1.0× budget"
        } else {
            "BELOW the ≥ 1.0× budget"
        };
        let mut md =
            String::from("| | Rust Worker | plain-JS reference | ratio |\n|---|---:|---:|---:|\n");
        writeln!(
            md,
            "| throughput, median of {} rounds | {:.0} req/s | {:.0} req/s | **Rust/JS {ratio:.2}×**, {verdict} |",
            self.options.rounds,
            rust.throughput(),
            js.throughput()
        )?;
        for p in [50_u8, 99] {
            let (fast, slow) = (rust.latency_ms(p.into()), js.latency_ms(p.into()));
            let ratio = slow / fast.max(f64::EPSILON);
            writeln!(
                md,
                "| p{p} latency | {fast:.1} ms | {slow:.1} ms | JS/Rust {ratio:.2}× |"
            )?;
        }
        let rounds = |f: &Figures| {
            let each: Vec<String> = f.rounds.iter().map(|x| format!("{x:.0}")).collect();
            each.join(", ")
        };
        writeln!(
            md,
            "| rounds (req/s) | {} | {} | |",
            rounds(rust),
            rounds(js)
        )?;
        for (command, what) in [("workerd", "workerd"), ("node", "wrangler's Node")] {
            let what = format!("CPU per answer, {what}");
            cpu_row(
                &mut md,
                &what,
                rust.cpu_per_request(command),
                js.cpu_per_request(command),
            )?;
        }
        writeln!(
            md,
            "| trivial route `GET /health` (no D1), one round | {:.0} req/s | {:.0} req/s | Rust/JS {:.2}× |",
            rust.health,
            js.health,
            rust.health / js.health.max(f64::EPSILON)
        )?;
        for (command, what) in [("workerd", "workerd"), ("node", "wrangler's Node")] {
            let what = format!("CPU per `GET /health`, {what}");
            let (a, b) = (
                rust.health_cpu_per_request(command),
                js.health_cpu_per_request(command),
            );
            cpu_row(&mut md, &what, a, b)?;
        }
        writeln!(
            md,
            "| errors (non-201) | 0 of {} | 0 of {} | |",
            rust.latencies.len(),
            js.latencies.len()
        )?;
        Ok(md)
    }
}

#[cfg(test)]
mod answer_tests {
    use super::{body, opens_case};
    use domain::submission::{RawSubmission, Submission};

    /// Every shape is a valid answer by the server's own rules, and
    /// `opens_case` (which the store check counts on) agrees with its tier.
    #[test]
    fn every_answer_is_valid_and_opens_a_case_exactly_when_expected() {
        for k in 0..20 {
            let raw: RawSubmission = domain::wire::from_object(body(k).as_bytes()).unwrap();
            let answer = Submission::try_from(raw).unwrap();
            assert_eq!(answer.tier().opens_case(), opens_case(k), "answer {k}");
        }
        assert_eq!((0..10).filter(|&k| opens_case(k)).count(), 5);
    }
}
