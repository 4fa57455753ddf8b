//! The widget's render time in real headless Chromium (docs/budgets.md: median
//! ≤ 20 ms): from the loader's first line (`candor:start`) to the launcher
//! in the page (`candor:rendered`), over 20 page loads each of the widget
//! and of a plain-JS baseline that draws the same button with no fetches,
//! interleaved in the same browser session. The widget's figure is wall
//! time: it includes fetching and compiling the launcher build, so it is an
//! upper bound on the main-thread time.
//!
//! WebDriver is spoken directly (a handful of JSON calls) so xtask needs no
//! async runtime.

use super::stats::Sample;
use crate::tools::Tools;
use crate::Result;
use serde_json::{json, Value};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tests::process::Guarded;
use tests::worker::{Config, LocalWorker, Seed};

pub const LOADS: usize = 20;

/// Milliseconds from `candor:start` to `candor:rendered`, one per load.
pub struct Figures {
    pub widget: Sample,
    pub baseline: Sample,
    /// The cold first load of the widget.
    pub first_widget: f64,
}

struct Driver {
    base: String,
    session: String,
    _process: Guarded,
}

fn call(method: &str, url: &str, body: Option<&Value>) -> Result<Value> {
    let req = ureq::request(method, url).timeout(Duration::from_mins(1));
    let resp = match body {
        Some(b) => req.send_string(&b.to_string()),
        None => req.call(),
    };
    let text = match resp {
        Ok(r) => r.into_string()?,
        Err(ureq::Error::Status(code, r)) => {
            return Err(format!("WebDriver {code}: {}", r.into_string()?).into())
        }
        Err(e) => return Err(e.into()),
    };
    Ok(serde_json::from_str::<Value>(&text)?["value"].clone())
}

impl Driver {
    fn start(dir: &std::path::Path, tools: &Tools) -> Result<Self> {
        let port = tests::free_port()?;
        let log = std::fs::File::create(dir.join("chromedriver.log"))?;
        let process = Guarded::spawn(
            "chromedriver",
            Command::new(&tools.chromedriver)
                .arg(format!("--port={port}"))
                .stdin(Stdio::null())
                .stdout(log.try_clone()?)
                .stderr(log),
        )?;
        let base = format!("http://127.0.0.1:{port}");
        let caps = json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": {
            "binary": tools.chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--no-first-run", "--disable-background-networking", "--window-size=1000,700",
                     format!("--user-data-dir={}", dir.join("profile").display())]
        }}}});
        let start = Instant::now();
        let session = loop {
            match call("POST", &format!("{base}/session"), Some(&caps)) {
                Ok(v) => break v["sessionId"].as_str().unwrap_or_default().to_owned(),
                Err(e) if start.elapsed() > Duration::from_secs(30) => return Err(e),
                Err(_) => std::thread::sleep(Duration::from_millis(200)),
            }
        };
        Ok(Self {
            base,
            session,
            _process: process,
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}/session/{}{path}", self.base, self.session)
    }

    fn goto(&self, page: &str) -> Result {
        call("POST", &self.url("/url"), Some(&json!({"url": page})))?;
        Ok(())
    }

    fn eval(&self, script: &str) -> Result<Value> {
        call(
            "POST",
            &self.url("/execute/sync"),
            Some(&json!({"script": script, "args": []})),
        )
    }

    /// Loads `page` and returns start → rendered in milliseconds.
    fn render_ms(&self, page: &str) -> Result<f64> {
        self.goto(page)?;
        let start = Instant::now();
        loop {
            let v = self.eval(
                "const r = performance.getEntriesByName('candor:rendered')[0];
                 const s = performance.getEntriesByName('candor:start')[0];
                 return r && s ? r.startTime - s.startTime : null;",
            )?;
            if let Some(ms) = v.as_f64() {
                return Ok(ms);
            }
            if start.elapsed() > Duration::from_secs(20) {
                return Err(format!("{page}: the launcher never rendered").into());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = call("DELETE", &self.url(""), None);
    }
}

pub fn run(tools: &Tools) -> Result<Figures> {
    let dir = crate::build::target_dir().join("bench").join("render");
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    let inbox = tests::receiver::Receiver::start(tests::receiver::Options::default())?;
    let worker = LocalWorker::start(Config {
        port: tests::free_port()?,
        state_dir: dir.join("state"),
        vars: Vec::new(),
        log: Some(dir.join("wrangler.log")),
        seed: Some(Seed {
            inbox_url: inbox.url("/inbox"),
            inbox_secret: "whsec_YmVuY2gtcmVuZGVyLXNlY3JldC0xMjM0NTY3ODkw".into(),
        }),
        test_scheduled: false,
    })?;
    let driver = Driver::start(&dir, tools)?;
    let (widget, baseline) = (
        worker.url("/bench/render.html"),
        worker.url("/bench/baseline.html"),
    );
    // The first load fetches and compiles everything; later loads hit the
    // HTTP cache (the versioned files are immutable), as repeat visits do.
    let first_widget_ms = driver.render_ms(&widget)?;
    driver.render_ms(&baseline)?;
    let (mut widget_ms, mut baseline_ms) = (Vec::new(), Vec::new());
    for _ in 0..LOADS {
        widget_ms.push(driver.render_ms(&widget)?);
        baseline_ms.push(driver.render_ms(&baseline)?);
    }
    Ok(Figures {
        widget: Sample::new(widget_ms),
        baseline: Sample::new(baseline_ms),
        first_widget: first_widget_ms,
    })
}

impl Figures {
    pub fn markdown(&self) -> String {
        let median = |s: &Sample| s.median().unwrap_or(f64::NAN);
        let max = |s: &Sample| s.max().unwrap_or(0.0);
        let (w, b) = (median(&self.widget), median(&self.baseline));
        let verdict = if w <= 20.0 {
            "within the 20 ms budget"
        } else {
            "OVER the 20 ms budget"
        };
        format!(
            "| page ({LOADS} loads each, interleaved) | median | max |\n|---|---:|---:|\n\
             | widget launcher (loader → launcher drawn) | **{w:.1} ms**, {verdict} | {:.1} ms |\n\
             | plain-JS baseline (script → same button drawn) | {b:.1} ms | {:.1} ms |\n\
             | widget / baseline | {:.1}× | |\n\n\
             The first, cold load of the widget (nothing cached): {:.1} ms. The widget's figure is \
             wall time from the loader's first line to the launcher in the page, so it includes \
             fetching and compiling the launcher build from the local Worker: an upper bound on \
             main-thread time. Pages: `www/bench/render.html`, `www/bench/baseline.html`.\n",
            max(&self.widget),
            max(&self.baseline),
            w / b.max(0.001),
            self.first_widget,
        )
    }
}
