//! Dashboard pollers: open inbox tabs, as `www/assets/dashboard.js` runs
//! them — every 10 s a `GET /dashboard` with the session cookie and, once a
//! page has been read, `If-None-Match` with its `ETag`, so an unchanged
//! inbox answers 304. The session is a real one: the seeded owner asks for
//! a sign-in link through the login form, the link is read from the local
//! mail catcher and posted back, as a person would (the Worker signs
//! sessions with a key derived from `ADMIN_TOKEN`, so the soak sets one).

use crate::Result;
use ::tests::receiver::Receiver;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::faults::Timeline;

/// Open inbox tabs.
pub(super) const TABS: usize = 20;

/// How often a tab polls (`data-poll="10"` on the inbox page).
pub(super) const EVERY: Duration = Duration::from_secs(10);

/// The owner `edge/seed/demo.sql` creates.
const OWNER: &str = "owner@example.com";

fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(30))
        .redirects(0)
        .build()
}

/// A form post from the dashboard's own page: same origin, no redirect
/// followed. Returns the status and the response.
fn form_post(origin: &str, path: &str, form: &[(&str, &str)]) -> Result<ureq::Response> {
    let r = agent()
        .post(&format!("{origin}{path}"))
        .set("origin", origin)
        .set("sec-fetch-site", "same-origin")
        .send_form(form);
    match r {
        Ok(r) => Ok(r),
        Err(ureq::Error::Status(status, r)) => Err(format!(
            "POST {path} answered {status}: {}",
            r.into_string().unwrap_or_default()
        )
        .into()),
        Err(e) => Err(format!("POST {path}: {e}").into()),
    }
}

/// The sign-in secret in a caught mail's text (`…/dashboard/login/link#t=…`).
pub(super) fn link_secret(mail_text: &str) -> Option<&str> {
    mail_text
        .split_whitespace()
        .find(|w| w.contains("/dashboard/login/link"))
        .and_then(|w| w.split("#t=").nth(1))
}

/// Signs the seeded owner in on the Worker at `origin`; returns the session
/// cookie (`name=value`).
pub(super) fn sign_in(origin: &str, mail: &Receiver) -> Result<String> {
    let before = mail.received().len();
    form_post(
        origin,
        "/dashboard/login",
        &[("email", OWNER), ("next", "/dashboard")],
    )?;
    let deadline = Instant::now() + Duration::from_secs(30);
    let secret = loop {
        let caught = mail.received();
        let found = caught.iter().skip(before).find_map(|r| {
            let m: serde_json::Value = serde_json::from_str(&r.body).ok()?;
            if m["to"] != OWNER {
                return None;
            }
            let text = m["text"].as_str()?;
            link_secret(text).map(ToOwned::to_owned)
        });
        if let Some(s) = found {
            break s;
        }
        if Instant::now() > deadline {
            return Err("no sign-in mail reached the mail catcher within 30 s".into());
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let r = form_post(
        origin,
        "/dashboard/login/link",
        &[("token", &secret), ("next", "/dashboard")],
    )?;
    let cookie = r
        .header("set-cookie")
        .and_then(|c| c.split(';').next())
        .filter(|c| c.contains('='))
        .ok_or_else(|| format!("signing in answered {} without a session", r.status()))?;
    Ok(cookie.to_owned())
}

/// What the tabs saw.
#[derive(Debug, Default)]
pub(super) struct Polls {
    /// Full pages (200), unchanged (304), anything else.
    pub pages: usize,
    pub unchanged: usize,
    pub errors: usize,
    pub first_error: Option<String>,
    /// Round trips of every poll, in milliseconds.
    pub ms: Vec<f64>,
}

/// Sleeps until `at`, waking to check `stop`; false if stopped.
fn sleep_until(at: Instant, stop: &AtomicBool) -> bool {
    while Instant::now() < at {
        if stop.load(Ordering::Relaxed) {
            return false;
        }
        let left = at.saturating_duration_since(Instant::now());
        std::thread::sleep(left.min(Duration::from_millis(200)));
    }
    !stop.load(Ordering::Relaxed)
}

/// One tab: polls while the timeline has pollers on, until `stop`.
fn tab(
    url: &str,
    cookie: &str,
    offset: Duration,
    t: (&Timeline, Instant),
    stop: &AtomicBool,
) -> Polls {
    let (timeline, start) = t;
    let agent = agent();
    let mut polls = Polls::default();
    let mut etag: Option<String> = None;
    let mut at = start + offset;
    while sleep_until(at, stop) {
        at += EVERY;
        if !timeline.polling(Instant::now().saturating_duration_since(start)) {
            continue;
        }
        let mut req = agent
            .get(url)
            .set("cookie", cookie)
            .set("accept", "text/html")
            .set("cache-control", "no-cache");
        if let Some(tag) = &etag {
            req = req.set("if-none-match", tag);
        }
        let sent = Instant::now();
        let outcome = match req.call() {
            Ok(r) if r.status() == 200 => {
                etag = r.header("etag").map(str::to_owned);
                r.into_string().map(|_| 200).map_err(|e| e.to_string())
            }
            Ok(r) if r.status() == 304 => Ok(304),
            Ok(r) => Err(format!("status {}", r.status())),
            Err(e) => Err(e.to_string()),
        };
        polls.ms.push(sent.elapsed().as_secs_f64() * 1000.0);
        match outcome {
            Ok(200) => polls.pages += 1,
            Ok(_) => polls.unchanged += 1,
            Err(e) => {
                polls.errors += 1;
                polls.first_error.get_or_insert(e);
            }
        }
    }
    polls
}

/// [`TABS`] tabs on `url`, their first polls spread over one period.
pub(super) fn run(
    url: &str,
    cookie: &str,
    timeline: &Timeline,
    start: Instant,
    stop: &AtomicBool,
) -> Polls {
    let all = Mutex::new(Polls::default());
    std::thread::scope(|s| {
        for i in 0..TABS {
            let all = &all;
            s.spawn(move || {
                let offset =
                    EVERY * u32::try_from(i).unwrap_or(0) / u32::try_from(TABS).unwrap_or(1);
                let mine = tab(url, cookie, offset, (timeline, start), stop);
                if let Ok(mut all) = all.lock() {
                    all.pages += mine.pages;
                    all.unchanged += mine.unchanged;
                    all.errors += mine.errors;
                    if all.first_error.is_none() {
                        all.first_error = mine.first_error;
                    }
                    all.ms.extend(mine.ms);
                }
            });
        }
    });
    all.into_inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::link_secret;

    #[test]
    fn the_secret_is_read_from_the_mailed_link() {
        let text = "Sign in to Candor:\nhttp://127.0.0.1:8787/dashboard/login/link?next=%2Fdashboard#t=ab12 \nIt expires.";
        assert_eq!(link_secret(text), Some("ab12"));
        assert_eq!(link_secret("no link here"), None);
    }
}
