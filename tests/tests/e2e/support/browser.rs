//! Headless Chromium driven through ChromeDriver.

use super::wait_until;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tests::process::Guarded;

/// ChromeDriver's CDP passthrough, `POST /session/{id}/goog/cdp/execute`.
#[derive(Debug)]
struct Cdp(Value);

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.0.to_string()))
    }
}

/// Headless Chromium driven through ChromeDriver on a free port.
pub struct Browser {
    pub client: Client,
    _driver: Guarded,
    _profile: PathBuf,
}

impl Browser {
    pub async fn start(dir: &std::path::Path, width: u32, height: u32) -> Self {
        let chromedriver =
            std::env::var("CANDOR_CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let chromium =
            std::env::var("CANDOR_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let port = tests::free_port().expect("free port");
        let log = std::fs::File::create(dir.join("chromedriver.log")).expect("log file");
        let driver = Guarded::spawn(
            "chromedriver",
            Command::new(&chromedriver)
                .arg(format!("--port={port}"))
                .stdin(Stdio::null())
                .stdout(log.try_clone().expect("log"))
                .stderr(log),
        )
        .unwrap_or_else(|e| {
            panic!("cannot start {chromedriver}: {e} (run `cargo xtask test`, which installs it)")
        });
        let profile = dir.join("chromium-profile");
        let caps = serde_json::json!({
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", "--disable-quic", format!("--window-size={width},{height}"),
                    format!("--user-data-dir={}", profile.display()),
                ]
            }
        });
        let caps = caps.as_object().cloned().expect("object");
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let start = Instant::now();
        let client = loop {
            match ClientBuilder::new(connector.clone())
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(c) => break c,
                Err(e) if start.elapsed() > Duration::from_secs(30) => {
                    panic!("ChromeDriver did not start: {e}")
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        };
        Self {
            client,
            _driver: driver,
            _profile: profile,
        }
    }

    /// Saves a screenshot of the whole window to `target/screenshots/<name>.png`.
    pub async fn screenshot(&self, name: &str) {
        let dir = tests::paths::target().join("screenshots");
        std::fs::create_dir_all(&dir).expect("screenshots dir");
        let png = self.client.screenshot().await.expect("screenshot");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
    }

    /// Runs a Chrome DevTools Protocol command through ChromeDriver
    /// (network conditions, emulated media).
    pub async fn cdp(&self, cmd: &str, params: serde_json::Value) {
        self.client
            .issue_cmd(Cdp(serde_json::json!({"cmd": cmd, "params": params})))
            .await
            .unwrap_or_else(|e| panic!("CDP {cmd}: {e}"));
    }

    /// Cuts or restores the browser's network (Chrome's offline mode: fetch
    /// fails and `online`/`offline` events fire).
    pub async fn offline(&self, on: bool) {
        self.cdp("Network.enable", serde_json::json!({})).await;
        self.cdp(
            "Network.emulateNetworkConditions",
            serde_json::json!({"offline": on, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}),
        )
        .await;
    }

    /// Evaluates `expr` with `w` bound to the widget's shadow root (or null).
    pub async fn in_widget(&self, expr: &str) -> Value {
        let script = format!(
            "const h = document.querySelector('candor-widget'); const w = h && h.shadowRoot; return ({expr});"
        );
        self.client
            .execute(&script, vec![])
            .await
            .unwrap_or_else(|e| panic!("{expr}: {e}"))
    }

    /// Waits up to `limit` until `expr` (see [`Browser::in_widget`]) is true.
    pub async fn wait_in_widget(&self, what: &str, expr: &str, limit: Duration) {
        wait_until(what, limit, || async {
            self.in_widget(expr).await == Value::Bool(true)
        })
        .await;
    }

    /// Waits until the widget has drawn its launcher.
    pub async fn wait_for_launcher(&self, limit: Duration) {
        self.wait_in_widget(
            "the launcher shows",
            "!!(w && w.querySelector('.launcher'))",
            limit,
        )
        .await;
    }

    /// Waits for the launcher, clicks it, and waits until the dialog is open
    /// with the question in it and its 140 ms fade-in is over.
    pub async fn open_launcher(&self, limit: Duration) {
        self.wait_for_launcher(limit).await;
        self.in_widget("w.querySelector('.launcher').click()").await;
        self.wait_in_widget(
            "the dialog opens",
            "!!w.querySelector('dialog[open] textarea')",
            limit,
        )
        .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    /// Types `text` into the question by script (the keyboard has its own
    /// test), firing the `input` event a person's typing would.
    pub async fn type_answer(&self, text: &str) {
        let text = serde_json::to_string(text).expect("a JS string");
        self.in_widget(&format!(
            "(() => {{ const t = w.querySelector('textarea'); t.value = {text};
               t.dispatchEvent(new Event('input', {{ bubbles: true }})); return true; }})()"
        ))
        .await;
    }

    /// Clicks Send, by script.
    pub async fn click_send(&self) {
        self.in_widget("w.querySelector('.send').click()").await;
    }

    /// Waits up to `limit` until the thank-you shows; returns its text.
    pub async fn wait_for_thanks(&self, limit: Duration) -> String {
        self.wait_in_widget(
            "the thank-you shows",
            "!w.querySelector('.done').hidden && w.querySelector('.next').textContent.length > 0",
            limit,
        )
        .await;
        self.in_widget("w.querySelector('.next').textContent")
            .await
            .as_str()
            .expect("the thank-you is text")
            .to_owned()
    }

    /// Runs `expr` in the page and returns its value.
    pub async fn js(&self, expr: &str) -> Value {
        self.client
            .execute(&format!("return ({expr});"), vec![])
            .await
            .unwrap_or_else(|e| panic!("{expr}: {e}"))
    }

    /// Waits until `expr` is true in the page (a page being replaced may not
    /// answer for a moment: that counts as not yet).
    pub async fn wait_js(&self, what: &str, expr: &str) {
        wait_until(what, Duration::from_secs(30), || async {
            self.client
                .execute(&format!("return ({expr});"), vec![])
                .await
                .is_ok_and(|v| v == Value::Bool(true))
        })
        .await;
    }

    /// Types into the field `css` (after clearing it).
    pub async fn fill(&self, css: &str, text: &str) {
        let field = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
        field.clear().await.expect("clear");
        field.send_keys(text).await.expect("type");
    }

    /// Clicks `css` and waits for the next page to load.
    pub async fn click_and_wait(&self, css: &str) {
        self.js("(window.__stale = true)").await;
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .click()
            .await
            .expect("click");
        self.wait_js(
            &format!("the page after clicking {css} loads"),
            "!window.__stale && document.readyState === 'complete'",
        )
        .await;
    }

    /// The page's visible text.
    pub async fn text(&self) -> String {
        self.js("document.body.innerText")
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Presses keys on whatever has focus, as a person would: each char is
    /// a key (WebDriver codes for Tab `\u{E004}`, Enter `\u{E007}`, Esc
    /// `\u{E00C}`).
    pub async fn press(&self, keys: &str) {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let mut actions = KeyActions::new("keyboard".into());
        for c in keys.chars() {
            actions = actions
                .then(KeyAction::Down { value: c })
                .then(KeyAction::Up { value: c });
        }
        self.client
            .perform_actions(actions)
            .await
            .expect("keyboard actions");
    }

    /// axe-core (from npm, `edge/node_modules`) on the widget: its
    /// violations, as `id: targets` lines (empty when there are none).
    pub async fn axe_violations(&self) -> Vec<String> {
        self.axe_violations_in("{ include: [['candor-widget']] }")
            .await
    }

    /// axe-core on `context` (an axe context expression; `document` for the
    /// whole page).
    pub async fn axe_violations_in(&self, context: &str) -> Vec<String> {
        let axe = std::fs::read_to_string(
            tests::paths::root().join("edge/node_modules/axe-core/axe.min.js"),
        )
        .expect("axe-core is installed by `cargo xtask test` (npm ci)");
        self.client
            .execute(&format!("{axe}; return true;"), vec![])
            .await
            .expect("inject axe");
        let result = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(CONTEXT, { resultTypes: ['violations'] })
                   .then(r => done(r.violations.map(v => v.id + ': ' + v.help + ' ' +
                       JSON.stringify(v.nodes.map(n => n.target)))))
                   .catch(e => done(['axe failed: ' + e]));"
                    .replace("CONTEXT", context)
                    .as_str(),
                vec![],
            )
            .await
            .expect("axe.run");
        serde_json::from_value(result).expect("a list of strings")
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}
