//! The soak (issue 21): the Rust Worker under `wrangler dev` (local workerd,
//! D1 and Queues) for ten minutes (`--soak-minutes N`) at a fixed rate of
//! answers, while the chat receiver fails a fifth of its calls and is
//! restarted twice, and dashboard tabs poll an inbox of 100,000 seeded
//! answers in every other minute. It then counts what was lost or stored
//! twice (and fails the bench if anything was), alerts lost, delivered twice
//! or late, ingest latency with and without the pollers, and workerd's
//! memory over the run.
//!
//! One file per part: `faults` (timeline, restarts, which calls fail),
//! `seed` (the 100,000 answers), `load` (the answers at a fixed rate),
//! `pollers` (sign-in and the inbox tabs), `memory` (workerd's RSS from
//! `/proc`), `report` (the counts) and `section` (the markdown). Only
//! 127.0.0.1 is called; every loop ends by the clock; the Worker and the
//! receivers stop when their guards drop.

mod faults;
mod load;
mod memory;
mod pollers;
mod report;
mod section;
mod seed;

use crate::step::step;
use crate::Result;
use ::tests::receiver::{Answer, Options as Inbox, Received, Receiver};
use ::tests::worker::{Config, LocalWorker, Seed};
use faults::{Plan, Timeline, RESTART_GAP};
use load::{now_ms, Sent};
use report::{Call, Stored, Tally};
use std::collections::HashSet;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

const SECRET: &str = "whsec_c29hay1pbmJveC1zZWNyZXQtZm9yLWNhbmRvci1zb2Fr";

/// How often workerd's memory is read.
const MEMORY_EVERY: Duration = Duration::from_secs(10);

/// How long the soak waits after its last answer for alerts still owed.
/// Long enough for one 5-minute retry of the documented schedule, should
/// an alert meet two failures (the fault plan avoids that, the Worker's own
/// errors may not); it ends as soon as every alert has arrived.
const DRAIN: Duration = Duration::from_secs(330);

/// After the last owed alert, how long the receiver keeps listening for
/// late duplicates.
const SETTLE: Duration = Duration::from_secs(5);

/// `cargo xtask bench --soak-minutes N` (default 10).
pub struct Options {
    pub minutes: u64,
}

impl Options {
    pub fn from_args(args: &[String]) -> Result<Self> {
        let minutes = match args.iter().position(|a| a == "--soak-minutes") {
            None => 10,
            Some(i) => args
                .get(i + 1)
                .ok_or("--soak-minutes needs a number")?
                .parse()
                .map_err(|e| format!("--soak-minutes: {e}"))?,
        };
        if minutes == 0 {
            return Err("--soak-minutes must be at least 1".into());
        }
        Ok(Self { minutes })
    }
}

/// What the chat receiver shares across its restarts: the fault plan and
/// every call it answered.
#[derive(Default)]
struct Chat {
    plan: Plan,
    calls: Vec<Call>,
}

fn answer(chat: &Mutex<Chat>, r: &Received) -> Answer {
    let id = r.header("webhook-id").unwrap_or_default().to_owned();
    let mut chat = chat.lock().unwrap_or_else(PoisonError::into_inner);
    let status = chat.plan.status(&id, r.at_ms);
    chat.calls.push(Call {
        webhook_id: id,
        status,
        at_ms: r.at_ms,
    });
    Answer {
        status,
        ..Answer::default()
    }
}

/// The chat receiver on `port` (0: any free one). On a restart the old
/// socket may linger a moment, so binding is retried for a few seconds.
fn start_chat(port: u16, chat: &Arc<Mutex<Chat>>) -> Result<Receiver> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let shared = Arc::clone(chat);
        let opts = Inbox {
            port,
            responder: Box::new(move |r, _| answer(&shared, r)),
            ..Inbox::default()
        };
        match Receiver::start(opts) {
            Ok(r) => return Ok(r),
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(100)),
            Err(e) => return Err(format!("starting the receiver on port {port}: {e}").into()),
        }
    }
}

/// workerd's memory, read every [`MEMORY_EVERY`].
struct Memory {
    pgid: u32,
    start: Instant,
    next: Instant,
    samples: Vec<memory::Sample>,
}

impl Memory {
    fn tick(&mut self) {
        if Instant::now() < self.next {
            return;
        }
        self.next += MEMORY_EVERY;
        if let Some(rss_kib) = memory::workerd_rss_kib(self.pgid) {
            self.samples.push(memory::Sample {
                at_s: self.start.elapsed().as_secs_f64(),
                rss_kib,
            });
        }
    }
}

/// The run's clock, on this thread: the receiver's restarts, memory
/// readings and a line of progress a minute, until the run's length.
fn conduct(
    timeline: &Timeline,
    start: Instant,
    chat: &Arc<Mutex<Chat>>,
    receiver: &mut Option<Receiver>,
    memory: &mut Memory,
) -> Result {
    let port = receiver.as_ref().map_or(0, |r| r.port);
    let mut restarts = timeline.restarts().into_iter().peekable();
    let mut minute = 0;
    while start.elapsed() < timeline.total {
        memory.tick();
        if restarts.next_if(|&r| start.elapsed() >= r).is_some() {
            // Dropping the receiver closes its port: calls meanwhile fail.
            drop(receiver.take());
            std::thread::sleep(RESTART_GAP);
            *receiver = Some(start_chat(port, chat)?);
            eprintln!(
                "    {:.0} s: the receiver restarted",
                start.elapsed().as_secs_f64()
            );
        }
        if start.elapsed() >= Duration::from_secs(60 * (minute + 1)) {
            minute += 1;
            let c = chat.lock().unwrap_or_else(PoisonError::into_inner);
            let failed = c.calls.iter().filter(|c| c.status != 200).count();
            eprintln!(
                "    {minute} min: {} receiver calls, {failed} answered 500",
                c.calls.len()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(())
}

/// Waits until every alert owed to the accepted answers has a 200, up to
/// [`DRAIN`], then [`SETTLE`] more; returns how long it waited.
fn drain(sent: &[Sent], chat: &Mutex<Chat>, memory: &mut Memory) -> Duration {
    let owed: HashSet<String> = sent
        .iter()
        .filter(|s| s.accepted() && s.opens_case)
        .map(|s| s.id.replace('-', ""))
        .collect();
    let start = Instant::now();
    let mut said = Instant::now();
    loop {
        memory.tick();
        let missing = {
            let c = chat.lock().unwrap_or_else(PoisonError::into_inner);
            let delivered: HashSet<&str> = c
                .calls
                .iter()
                .filter(|c| c.status == 200)
                .filter_map(|c| c.webhook_id.strip_prefix("msg_")?.split('_').next())
                .collect();
            owed.iter()
                .filter(|k| !delivered.contains(k.as_str()))
                .count()
        };
        if missing == 0 || start.elapsed() >= DRAIN {
            break;
        }
        if said.elapsed() >= Duration::from_secs(30) {
            eprintln!("    still owed: {missing} alerts");
            said = Instant::now();
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    std::thread::sleep(SETTLE);
    start.elapsed()
}

/// Every answer the Worker stored since `start_ms`, with its case count.
fn stored_since(worker: &LocalWorker, start_ms: u128) -> Result<Vec<Stored>> {
    let rows = worker.query(&format!(
        "SELECT r.id AS id, (SELECT COUNT(*) FROM cases c WHERE c.id = r.id) AS cases \
         FROM responses r WHERE r.received_at >= {start_ms}"
    ))?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            Some(Stored {
                id: r.get("id")?.as_str()?.to_owned(),
                cases: r.get("cases")?.as_u64()?,
            })
        })
        .collect())
}

/// A few answers that alert nobody (scores 4 and 5), so the first measured
/// answer does not pay for opening D1 and the first inbox poll's page.
fn warm_up(worker: &LocalWorker, cookie: &str) -> Result {
    let agent = ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(30))
        .build();
    for k in [3, 4, 8, 9] {
        let body = serde_json::to_string(&load::answer(k))?;
        agent
            .post(&worker.url("/v1/responses"))
            .set("content-type", "application/json")
            .set("origin", "http://127.0.0.1:5173")
            .send_string(&body)?;
    }
    agent
        .get(&worker.url("/dashboard"))
        .set("cookie", cookie)
        .call()?;
    Ok(())
}

/// Seeds, starts the Worker and its receivers, and signs in.
fn stand_up(
    dir: &Path,
    chat: &Arc<Mutex<Chat>>,
) -> Result<(LocalWorker, Receiver, Receiver, String)> {
    let state = dir.join("state");
    let seeding = Instant::now();
    step(
        &format!("seed the local D1 with {} answers", seed::ANSWERS),
        "read the wrangler output above; the SQL is target/bench/soak/seed.sql",
        || seed::apply(&state, &dir.join("seed.sql"), u64::try_from(now_ms())?),
    )?;
    eprintln!("    seeded in {:.1} s", seeding.elapsed().as_secs_f64());
    let receiver = start_chat(0, chat)?;
    let mail = Receiver::start(Inbox {
        mail: Some(dir.join("mail.ndjson")),
        ..Inbox::default()
    })?;
    let worker = step(
        "start the Rust Worker (wrangler dev: local workerd, D1, Queues)",
        "read target/bench/soak/wrangler.log",
        || {
            Ok(LocalWorker::start(Config {
                port: ::tests::free_port()?,
                state_dir: state.clone(),
                vars: vec![
                    ("ALLOW_LOOPBACK_WEBHOOKS".into(), "true".into()),
                    (
                        "ACK_SECRET".into(),
                        "soak-ack-secret-at-least-32-characters".into(),
                    ),
                    // Dashboard sessions are signed with a key derived from it.
                    (
                        "ADMIN_TOKEN".into(),
                        "soak-admin-token-at-least-32-characters".into(),
                    ),
                    ("MAIL_URL".into(), mail.url("/mail")),
                ],
                log: Some(dir.join("wrangler.log")),
                seed: Some(Seed {
                    inbox_url: receiver.url("/inbox"),
                    inbox_secret: SECRET.into(),
                }),
                test_scheduled: false,
            })?)
        },
    )?;
    let cookie = step(
        "sign in to the dashboard as the seeded owner, and warm up",
        "read target/bench/soak/wrangler.log and mail.ndjson",
        || {
            let cookie = pollers::sign_in(&worker.url(""), &mail)?;
            warm_up(&worker, &cookie)?;
            Ok(cookie)
        },
    )?;
    Ok((worker, receiver, mail, cookie))
}

/// Runs the soak and returns its section of BENCHMARKS.md; an error (after
/// the section is printed and written to target/bench/soak/report.md) if
/// an answer or alert was lost or an answer stored twice.
pub fn run(o: &Options) -> Result<String> {
    let dir = crate::build::target_dir().join("bench").join("soak");
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    let chat = Arc::new(Mutex::new(Chat::default()));
    let (worker, receiver, _mail, cookie) = stand_up(&dir, &chat)?;
    let timeline = Timeline::new(o.minutes);
    let (ingest, inbox) = (worker.url("/v1/responses"), worker.url("/dashboard"));
    let stop = AtomicBool::new(false);
    let start = Instant::now();
    let start_ms = now_ms();
    chat.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .plan
        .start(start_ms, &timeline);
    let mut memory = Memory {
        pgid: worker.pid(),
        start,
        next: start,
        samples: Vec::new(),
    };
    let mut receiver = Some(receiver);
    let what = format!(
        "soak: {} min at {} answers/s, receiver failing 20 % and restarted twice, {} inbox tabs in every other window",
        o.minutes,
        load::RATE,
        pollers::TABS
    );
    let (sent, polls) = step(&what, "read target/bench/soak/wrangler.log", || {
        std::thread::scope(|s| {
            let senders = s.spawn(|| load::run(&ingest, start, &timeline, &stop));
            let tabs = s.spawn(|| pollers::run(&inbox, &cookie, &timeline, start, &stop));
            let conducted = conduct(&timeline, start, &chat, &mut receiver, &mut memory);
            stop.store(true, Ordering::Relaxed);
            let sent = senders.join().map_err(|_| "a sender thread panicked")?;
            let polls = tabs.join().map_err(|_| "a poller thread panicked")?;
            conducted.map(|()| (sent, polls))
        })
    })?;
    let drained = step(
        "wait for the alerts still owed",
        "read target/bench/soak/wrangler.log",
        || Ok(drain(&sent, &chat, &mut memory)),
    )?;
    let stored = step(
        "read what D1 stored during the run",
        "read target/bench/soak/wrangler.log",
        || stored_since(&worker, start_ms),
    )?;
    drop(receiver);
    let calls = std::mem::take(&mut chat.lock().unwrap_or_else(PoisonError::into_inner).calls);
    let tally = Tally::of(&sent, &stored, &calls);
    let md = section::markdown(&section::Figures {
        minutes: o.minutes,
        timeline,
        sent: &sent,
        tally: &tally,
        polls: &polls,
        memory: &memory.samples,
        drained,
    })?;
    std::fs::write(dir.join("report.md"), &md)?;
    let failures = tally.failures();
    if failures.is_empty() {
        Ok(md)
    } else {
        eprintln!("\n{md}");
        Err(format!("the soak lost or duplicated data: {}", failures.join(", ")).into())
    }
}

#[cfg(test)]
mod tests {
    use super::Options;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn ten_minutes_unless_told() {
        assert_eq!(
            Options::from_args(&args(&["--clients", "4"]))
                .unwrap()
                .minutes,
            10
        );
        assert_eq!(
            Options::from_args(&args(&["--soak-minutes", "2"]))
                .unwrap()
                .minutes,
            2
        );
        assert!(Options::from_args(&args(&["--soak-minutes", "0"])).is_err());
        assert!(Options::from_args(&args(&["--soak-minutes"])).is_err());
        assert!(Options::from_args(&args(&["--soak-minutes", "x"])).is_err());
    }
}
