//! The answers of the soak, posted at a fixed rate (open loop: answer `k`
//! leaves at `k / rate` seconds whatever the Worker's pace, so a slow
//! Worker meets the same arrivals a real site would send it). A few sender
//! threads share the slots, so one slow POST does not hold the next back.
//! Like the widget, a sender posts an answer again with the same id after a
//! refused connection, a 5xx or a 429, so the Worker's idempotency is in
//! the run too. Only 127.0.0.1 is called, and the run ends at its length.

use super::faults::Timeline;
use domain::submission::{RawContext, RawSubmission};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Answers per second, held for the whole run: 600 a minute, below the demo
/// site's 1,000 a minute per client, so the rate limit never answers.
pub(super) const RATE: f64 = 10.0;

/// Sender threads sharing the slots.
const SENDERS: usize = 4;

/// Posts per answer at most (the first and two more), a second apart.
const ATTEMPTS: u32 = 3;

/// The `Origin` the widget's page would send.
const ORIGIN: &str = "http://127.0.0.1:5173";

pub(super) fn now_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis())
}

/// Answer `k` of the soak: scores 1 to 5 in turn, so three in five open a
/// case and owe one alert (score 1–2 senior, 3 account) and two do not.
/// Built from the domain's wire type, so the body is what the widget sends.
pub(super) fn answer(k: usize) -> RawSubmission {
    RawSubmission {
        site: "demo".into(),
        id: uuid::Uuid::new_v4().to_string(),
        gaps: format!("Soak answer {k}: the parcel came two days late."),
        score: Some(i64::try_from(1 + k % 5).unwrap_or(5)),
        context: Some(RawContext {
            page: Some(format!("{ORIGIN}/checkout")),
            transaction: Some(format!("soak-{k}")),
            locale: Some("en".into()),
        }),
        ..RawSubmission::default()
    }
}

/// Whether answer `k` opens a case (see [`answer`]).
pub(super) fn opens_case(k: usize) -> bool {
    k % 5 < 3
}

/// One answer as the client saw it.
#[derive(Debug, Clone)]
pub(super) struct Sent {
    pub id: String,
    pub opens_case: bool,
    /// Milliseconds since the Unix epoch just before the first POST: the
    /// customer's submit, which alert latency is measured from.
    pub at_ms: u128,
    /// The status of the last POST (0: no answer at all).
    pub status: u16,
    /// The first POST's round trip (what the customer waits for).
    pub first_ms: f64,
    pub attempts: u32,
    /// Whether the dashboard pollers were on when it was sent.
    pub with_pollers: bool,
}

impl Sent {
    pub fn accepted(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// One POST: its status (0 when there was no answer) and round trip.
fn post(agent: &ureq::Agent, url: &str, body: &str) -> (u16, f64) {
    let sent = Instant::now();
    let status = match agent
        .post(url)
        .set("content-type", "application/json")
        .set("origin", ORIGIN)
        .send_string(body)
    {
        Ok(r) => {
            let status = r.status();
            // Read to the end so the connection is reused.
            let _ = r.into_string();
            status
        }
        Err(ureq::Error::Status(status, r)) => {
            let _ = r.into_string();
            status
        }
        Err(_) => 0,
    };
    (status, sent.elapsed().as_secs_f64() * 1000.0)
}

/// Whether a client should send the answer again.
fn retry(status: u16) -> bool {
    status == 0 || status == 429 || status >= 500
}

fn send_one(agent: &ureq::Agent, url: &str, k: usize, with_pollers: bool) -> Sent {
    let raw = answer(k);
    // A struct of strings and numbers always serializes; an empty body is
    // refused loudly (400), never skipped.
    let body = serde_json::to_string(&raw).unwrap_or_default();
    let at_ms = now_ms();
    let (mut status, first_ms) = post(agent, url, &body);
    let mut attempts = 1;
    while retry(status) && attempts < ATTEMPTS {
        std::thread::sleep(Duration::from_secs(1));
        status = post(agent, url, &body).0;
        attempts += 1;
    }
    Sent {
        id: raw.id,
        opens_case: opens_case(k),
        at_ms,
        status,
        first_ms,
        attempts,
        with_pollers,
    }
}

/// Sends answers at [`RATE`] from `start` until `timeline.total` has passed
/// (or `stop` is set), and returns every answer in slot order.
pub(super) fn run(url: &str, start: Instant, timeline: &Timeline, stop: &AtomicBool) -> Vec<Sent> {
    let next = AtomicUsize::new(0);
    let sent = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..SENDERS {
            s.spawn(|| {
                let agent = ureq::AgentBuilder::new()
                    .timeout(Duration::from_secs(30))
                    .build();
                let mut mine = Vec::new();
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    #[allow(clippy::cast_precision_loss)]
                    let due = Duration::from_secs_f64(k as f64 / RATE);
                    if due >= timeline.total || stop.load(Ordering::Relaxed) {
                        break;
                    }
                    std::thread::sleep((start + due).saturating_duration_since(Instant::now()));
                    mine.push((k, send_one(&agent, url, k, timeline.polling(due))));
                }
                if let Ok(mut all) = sent.lock() {
                    all.extend(mine);
                }
            });
        }
    });
    let mut all = sent.into_inner().unwrap_or_default();
    all.sort_by_key(|(k, _)| *k);
    all.into_iter().map(|(_, s)| s).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::submission::Submission;

    /// Every answer is valid by the server's own rules, and `opens_case`
    /// (which the alert count relies on) agrees with its tier.
    #[test]
    fn answers_are_valid_and_three_in_five_open_a_case() {
        for k in 0..10 {
            let body = serde_json::to_string(&answer(k)).unwrap();
            let raw: RawSubmission = domain::wire::from_object(body.as_bytes()).unwrap();
            let s = Submission::try_from(raw).unwrap();
            assert_eq!(s.tier().opens_case(), opens_case(k), "answer {k}");
        }
        assert_eq!((0..5).filter(|&k| opens_case(k)).count(), 3);
    }

    #[test]
    fn a_client_retries_only_what_may_succeed_later() {
        assert!(retry(0) && retry(500) && retry(503) && retry(429));
        assert!(!retry(201) && !retry(200) && !retry(400) && !retry(403));
    }
}
