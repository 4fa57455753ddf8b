//! What every end-to-end test starts: the real Worker with a fresh local D1
//! and a receiver as the demo site's chat inbox, and (for browser tests) real
//! headless Chromium through ChromeDriver. Everything stops on drop.

pub mod dashboard;

use fantoccini::{Client, ClientBuilder};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tests::process::Guarded;
use tests::receiver::{Options, Receiver};
use tests::worker::{Config, LocalWorker, Seed};

pub const INBOX_SECRET: &str = "whsec_dGVzdC1pbmJveC1zZWNyZXQtZm9yLWNhbmRvci1lMmU=";
pub const ADMIN_TOKEN: &str = "e2e-admin-token";
/// Signs the acknowledge links in the tests' alerts.
pub const ACK_SECRET: &str = "e2e-ack-secret-at-least-32-characters";

pub struct Stack {
    pub worker: LocalWorker,
    pub inbox: Receiver,
    pub dir: PathBuf,
}

/// A fresh directory under `target/e2e/<name>` for one test's state and logs.
pub fn test_dir(name: &str) -> PathBuf {
    let dir = tests::paths::target().join("e2e").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create test dir");
    dir
}

impl Stack {
    pub fn start(name: &str) -> Self {
        Self::start_with(name, Options::default())
    }

    pub fn start_with(name: &str, inbox: Options) -> Self {
        Self::start_full(name, inbox, Vec::new())
    }

    /// As [`Stack::start_with`], with more Worker variables.
    pub fn start_full(name: &str, inbox: Options, extra_vars: Vec<(String, String)>) -> Self {
        let dir = test_dir(name);
        let inbox = Receiver::start(inbox).expect("start receiver");
        let worker = LocalWorker::start(Config {
            port: tests::free_port().expect("free port"),
            state_dir: dir.join("state"),
            vars: vec![
                ("ALLOW_LOOPBACK_WEBHOOKS".into(), "true".into()),
                ("ADMIN_TOKEN".into(), ADMIN_TOKEN.into()),
                ("ACK_SECRET".into(), ACK_SECRET.into()),
            ]
            .into_iter()
            .chain(extra_vars)
            .collect(),
            log: Some(dir.join("wrangler.log")),
            seed: Some(Seed {
                inbox_url: inbox.url("/inbox"),
                inbox_secret: INBOX_SECRET.into(),
            }),
            test_scheduled: true,
        })
        .unwrap_or_else(|e| panic!("{e}"));
        Self { worker, inbox, dir }
    }

    /// Rows of a SQL query against the Worker's local D1.
    pub fn rows(&self, sql: &str) -> Vec<serde_json::Value> {
        self.worker.query(sql).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Saves `site` through the managers' API: one generic-webhook recipient
    /// per (role, inbox path), signed with the inbox's secret, plus the
    /// settings in `extra` (origins default to `https://shop.example.com`).
    pub async fn put_site(&self, site: &str, routes: &[(&str, &str)], extra: serde_json::Value) {
        let recipients: Vec<serde_json::Value> = routes
            .iter()
            .map(|(role, path)| {
                serde_json::json!({"role": role, "format": "webhook",
                    "url": self.inbox.url(path), "secret": INBOX_SECRET})
            })
            .collect();
        let mut body =
            serde_json::json!({"origins": ["https://shop.example.com"], "recipients": recipients});
        for (k, v) in extra.as_object().expect("settings are an object") {
            body[k] = v.clone();
        }
        let got = call(
            &reqwest::Client::new(),
            reqwest::Method::PUT,
            &self.worker.url(&format!("/v1/admin/sites/{site}")),
            Some(ADMIN_TOKEN),
            Some(&body),
        )
        .await;
        assert_eq!(got.0, 200, "{}", got.2);
    }

    /// The alerts the inbox received with this idempotency id (`webhook-id`),
    /// as parsed bodies.
    pub fn alerts_with_id(&self, id: &str) -> Vec<serde_json::Value> {
        self.inbox
            .received()
            .iter()
            .filter(|r| r.header("webhook-id") == Some(id))
            .map(|r| serde_json::from_str(&r.body).expect("an alert body is JSON"))
            .collect()
    }

    /// Waits up to 30 s for the first alert with this idempotency id.
    pub async fn wait_for_alert(&self, id: &str) -> serde_json::Value {
        wait_until(
            &format!("alert {id} arrived"),
            Duration::from_secs(30),
            || {
                let found = !self.alerts_with_id(id).is_empty();
                async move { found }
            },
        )
        .await;
        self.alerts_with_id(id).remove(0)
    }

    /// Waits up to `limit` until the inbox holds at least `n` requests.
    pub async fn wait_for_alerts(
        &self,
        n: usize,
        limit: Duration,
    ) -> Vec<tests::receiver::Received> {
        let start = Instant::now();
        loop {
            let got = self.inbox.received();
            if got.len() >= n || start.elapsed() > limit {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// One JSON call; `token` is the managers' bearer token. Returns the
/// status, the headers and the body parsed as JSON (`Null` if it is not).
pub async fn call(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    token: Option<&str>,
    body: Option<&serde_json::Value>,
) -> (u16, reqwest::header::HeaderMap, serde_json::Value) {
    let mut req = client.request(method, url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req
            .header("content-type", "application/json")
            .body(serde_json::to_vec(b).expect("json"));
    }
    let resp = req.send().await.expect("request");
    let (status, headers) = (resp.status().as_u16(), resp.headers().clone());
    let text = resp.text().await.unwrap_or_default();
    let json = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
    (status, headers, json)
}

/// Asserts the DESIGN §4 error shape with this status and code.
pub fn assert_error(
    got: &(u16, reqwest::header::HeaderMap, serde_json::Value),
    status: u16,
    code: &str,
) {
    assert_eq!(got.0, status, "{}", got.2);
    assert_eq!(got.2["error"]["code"], code, "{}", got.2);
    assert!(
        got.2["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{}",
        got.2
    );
}

/// Polls `check` every 50 ms until it holds or `limit` passes; says `what`
/// on failure. For UI state that settles after an animation or a request.
pub async fn wait_until<F, Fut>(what: &str, limit: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while !check().await {
        assert!(
            start.elapsed() < limit,
            "timed out after {limit:?} waiting until {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `msg_<case>_<level>_<reason>`: an alert's idempotency id, as the Worker
/// builds it.
/// Every role, each to the inbox's `/inbox`.
pub const ALL_ROLES_TO_INBOX: [(&str, &str); 4] = [
    ("service_manager", "/inbox"),
    ("client_manager", "/inbox"),
    ("senior_management", "/inbox"),
    ("president", "/inbox"),
];

pub fn alert_id(case: &str, level: &str, reason: &str) -> String {
    format!("msg_{}_{level}_{reason}", case.replace('-', ""))
}

pub fn now_s() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

/// ChromeDriver's CDP passthrough, `POST /session/{id}/goog/cdp/execute`.
#[derive(Debug)]
struct Cdp(serde_json::Value);

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
    pub async fn in_widget(&self, expr: &str) -> serde_json::Value {
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
            self.in_widget(expr).await == serde_json::Value::Bool(true)
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
