//! The ingest benchmark of docs/budgets.md: the Rust Worker against a plain-JS
//! Worker (`edge/bench/js-reference`), the lean design a careful JS engineer
//! would write for the same `POST /v1/responses` contract (its header says
//! where it differs from the Rust Worker), both under the same local
//! workerd and D1, in one run.
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
//! of a request whose only D1 work is one trivial read.

mod answers;
mod cpu;
mod load;
mod report;
pub(super) mod workers;

use super::stats::Sample;
use crate::step::step;
use crate::Result;
use cpu::{add_cpu, clock_ticks, group_cpu, per_request};
use load::{per_second, round, Kind, Round};
use std::collections::BTreeMap;
use std::time::Duration;
use workers::{check_stores, start, Target};

/// How many requests, in what shape. `cargo xtask bench --clients N
/// --rounds N --requests N --warmup N` overrides the defaults.
#[derive(Clone, Copy)]
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

/// Both Workers' figures, and the options they were measured with.
pub struct Report {
    pub rust: Figures,
    pub js: Figures,
    /// The Rust Worker again (its site in D1) and beside it one whose site
    /// lives in its own object, rounds alternating.
    pub homes: [Figures; 2],
    pub options: Options,
}

/// Any unexpected status fails the bench, naming the Worker and the first
/// bad answer: a fast error is not a measurement.
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

/// The measured ingest rounds, Rust first in even rounds and JS first in
/// odd ones (A B B A …), so neither always runs right after the other.
fn ingest_rounds(targets: &[Target; 2], o: &Options) -> Result<[Figures; 2]> {
    let mut figures = alternating_rounds(targets, o)?;
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

/// `o.rounds` rounds of ingest on each target, the first one first in even
/// rounds and second in odd ones (A B B A …).
fn alternating_rounds(targets: &[Target; 2], o: &Options) -> Result<[Figures; 2]> {
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
    Ok(figures)
}

pub fn run(options: Options) -> Result<Report> {
    let bench_dir = crate::build::target_dir().join("bench");
    let js_config = workers::js_reference_config();
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
    let [rust_d1, js_target] = targets;
    drop(js_target);
    let homes = home_rounds(rust_d1, &bench_dir, o)?;
    let [rust, js] = figures;
    Ok(Report {
        rust,
        js,
        homes,
        options,
    })
}

/// The Rust Worker with its site in D1 against one whose site lives in its
/// own Durable Object: the same answers, rounds alternating; then every
/// answer must be in the object once.
fn home_rounds(in_d1: Target, bench_dir: &std::path::Path, o: &Options) -> Result<[Figures; 2]> {
    let in_object = step(
        "start the Rust Worker with its site in its own object",
        "read the wrangler.log under target/bench/object/",
        || workers::start_in_object(&bench_dir.join("object")),
    )?;
    step(
        &format!("warm up the site in its object ({} answers)", o.warmup),
        "the first error above says which request failed",
        || {
            let got = round(in_object.worker.port, Kind::Ingest, 0, o.warmup, o.clients);
            check(&in_object, &got)
        },
    )?;
    let targets = [in_d1, in_object];
    let figures = alternating_rounds(&targets, o)?;
    step(
        "check the site's object holds every answer once, with its case",
        "the Worker lost or duplicated answers in the site's object",
        || workers::check_object_store(&targets[1], o.warmup + o.rounds * o.requests),
    )?;
    Ok(figures)
}
