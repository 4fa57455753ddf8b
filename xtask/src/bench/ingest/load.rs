//! The load generator: one closed-loop round of requests from `clients`
//! threads, each on its own keep-alive connection, taking the next request
//! number until the round's count is reached, every latency recorded. Only
//! 127.0.0.1 is called and every loop is bounded.

use super::answers::body;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The `Origin` every request carries, so the allowlist check runs.
const ORIGIN: &str = "http://127.0.0.1:5173";

/// What a round sends.
#[derive(Clone, Copy)]
pub(super) enum Kind {
    /// `POST /v1/responses` with [`body`]; `201` expected.
    Ingest,
    /// `GET /health`; `200` expected.
    Health,
}

/// What one round saw.
pub(super) struct Round {
    pub wall: Duration,
    pub latencies: Vec<Duration>,
    pub errors: usize,
    pub first_error: Option<String>,
}

/// Sends requests `first .. first + n` to the Worker on `port` from
/// `clients` threads.
pub(super) fn round(port: u16, kind: Kind, first: usize, n: usize, clients: usize) -> Round {
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

/// Requests per second over the round's wall time.
#[allow(clippy::cast_precision_loss)]
pub(super) fn per_second(r: &Round) -> f64 {
    r.latencies.len() as f64 / r.wall.as_secs_f64()
}
