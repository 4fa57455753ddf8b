//! The real Worker with a fresh local D1, and a receiver as the demo site's
//! chat inbox: one per test, stopped on drop.

use super::{wait_until, Api, ACK_SECRET, ADMIN_TOKEN, INBOX_SECRET};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tests::receiver::{Options, Receiver};
use tests::worker::{Config, LocalWorker, Seed};

pub struct Stack {
    pub worker: LocalWorker,
    pub inbox: Receiver,
    /// The mail catcher the Worker's `MAIL_URL` points at.
    pub mail: Receiver,
    pub dir: PathBuf,
    /// The Workers' variables, kept for a restart.
    vars: Vec<(String, String)>,
}

/// A fresh directory under `target/e2e/<name>` for one test's state and logs.
pub fn test_dir(name: &str) -> PathBuf {
    let dir = tests::paths::target().join("e2e").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create test dir");
    dir
}

/// The Workers of one test: its state and log under `dir`, a free port, the
/// cron reachable at `/__scheduled`.
fn worker_config(dir: &Path, vars: &[(String, String)], seed: Option<Seed>) -> Config {
    Config {
        port: tests::free_port().expect("free port"),
        state_dir: dir.join("state"),
        vars: vars.to_vec(),
        log: Some(dir.join("wrangler.log")),
        seed,
        test_scheduled: true,
    }
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
        let mail = Receiver::start(Options {
            mail: Some(dir.join("mail.ndjson")),
            ..Options::default()
        })
        .expect("start the mail catcher");
        let vars: Vec<(String, String)> = vec![
            ("ALLOW_LOOPBACK_WEBHOOKS".into(), "true".into()),
            ("ADMIN_TOKEN".into(), ADMIN_TOKEN.into()),
            ("ACK_SECRET".into(), ACK_SECRET.into()),
            ("MAIL_URL".into(), mail.url("/mail")),
        ]
        .into_iter()
        .chain(extra_vars)
        .collect();
        let seed = Seed {
            inbox_url: inbox.url("/inbox"),
            inbox_secret: INBOX_SECRET.into(),
        };
        let worker = LocalWorker::start(worker_config(&dir, &vars, Some(seed)))
            .unwrap_or_else(|e| panic!("{e}"));
        Self {
            worker,
            inbox,
            mail,
            dir,
            vars,
        }
    }

    /// Stops the Workers and starts them again on the same D1 and a new
    /// port: both, or (`front_alone`) the front without its back office,
    /// as when the office is not deployed yet or down.
    pub fn restart(&mut self, front_alone: bool) {
        self.worker.stop();
        let config = front_alone.then(|| tests::paths::edge().join("wrangler.toml"));
        self.worker = LocalWorker::start_with(worker_config(&self.dir, &self.vars, None), config)
            .unwrap_or_else(|e| panic!("{e}"));
    }

    /// The mails caught for `to`, oldest first, as the Worker posted them
    /// (`to`, `subject`, `text`, `html`, `id`).
    pub fn mails_to(&self, to: &str) -> Vec<serde_json::Value> {
        self.mail
            .received()
            .iter()
            .filter(|r| r.method == "POST")
            .filter_map(|r| serde_json::from_str::<serde_json::Value>(&r.body).ok())
            .filter(|m| m["to"] == to)
            .collect()
    }

    /// Waits up to 30 s until `to` has at least `n` mails; returns the newest.
    pub async fn wait_for_mail(&self, to: &str, n: usize) -> serde_json::Value {
        wait_until(
            &format!("mail {n} to {to}"),
            Duration::from_secs(30),
            || {
                let got = self.mails_to(to).len() >= n;
                async move { got }
            },
        )
        .await;
        self.mails_to(to).pop().expect("a mail")
    }

    /// The Worker's log (wrangler's output) so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("wrangler.log")).unwrap_or_default()
    }

    /// Waits up to 10 s until the Worker's log holds `line` (wrangler
    /// writes its output a moment after the answer that caused it); returns
    /// the log.
    pub async fn wait_for_log(&self, line: &str) -> String {
        wait_until(
            &format!("{line:?} in the log"),
            Duration::from_secs(10),
            || {
                let got = self.log().contains(line);
                async move { got }
            },
        )
        .await;
        self.log()
    }

    /// The Worker's HTTP API.
    pub fn api(&self) -> Api {
        Api::new(self)
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
        self.api().put_site(site, &body).await;
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
