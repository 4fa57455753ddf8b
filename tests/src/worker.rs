//! The real Worker, run locally by wrangler (workerd, local D1): migrations
//! applied to a fresh state directory, the demo site seeded, `/health` polled
//! until it answers.

use crate::paths;
use crate::process::Guarded;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Where the demo site's alerts go, written into `edge/seed/demo.sql`.
pub struct Seed {
    pub inbox_url: String,
    pub inbox_secret: String,
}

pub struct Config {
    pub port: u16,
    /// wrangler's `--persist-to`: the local D1 lives here.
    pub state_dir: PathBuf,
    /// `--var NAME:VALUE` pairs (dev flag, admin token…).
    pub vars: Vec<(String, String)>,
    /// Where wrangler's output goes; `None` shares the caller's terminal.
    pub log: Option<PathBuf>,
    pub seed: Option<Seed>,
    /// `--test-scheduled`, so `/__scheduled` runs the cron handler.
    pub test_scheduled: bool,
}

pub struct LocalWorker {
    process: Guarded,
    pub port: u16,
    pub state_dir: PathBuf,
    log: Option<PathBuf>,
    /// The wrangler.toml it runs from; `None` is `edge/wrangler.toml`.
    config: Option<PathBuf>,
    /// From spawning `wrangler dev` to the first `/health` 200 (the bench's
    /// cold start).
    ready_after: Duration,
}

/// A wrangler command that runs the same on any machine: no metrics,
/// no network look-ups, no interactive prompts.
pub fn wrangler() -> Command {
    let mut cmd = Command::new(paths::wrangler());
    cmd.current_dir(paths::edge())
        .env("WRANGLER_SEND_METRICS", "false")
        .env("CLOUDFLARE_CF_FETCH_ENABLED", "false")
        .env("CI", "true")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    cmd
}

/// `--config FILE` when a Worker other than the edge runs (the bench's
/// plain-JS reference); nothing for `edge/wrangler.toml`.
fn config_args(config: Option<&Path>) -> Vec<std::ffi::OsString> {
    config.map_or_else(Vec::new, |c| vec!["--config".into(), c.into()])
}

/// Runs a `wrangler d1` command, again while it fails for a reason of the
/// local simulator's own rather than of the SQL. Trying again is safe: each
/// run is one transaction (`d1 execute` sends one batch) or skips what is
/// done (`migrations apply`), so a failed attempt changed nothing.
fn run_d1(mut command: impl FnMut() -> Command, what: &str) -> Result<String, String> {
    // A second process opening the running Worker's SQLite file may find it
    // locked mid-write (SQLITE_BUSY): a wait, not a failure. And Miniflare's
    // D1 object once failed one of its own assertions while seeding a fresh
    // database, rolling the batch back (CI printed only workerd's bare
    // "false == true"); the same file ran fine the next time.
    const PASSING: [&str; 2] = ["SQLITE_BUSY", "false == true"];
    let mut tries = 0;
    loop {
        match run(&mut command(), what) {
            Err(e) if PASSING.iter().any(|p| e.contains(p)) && tries < 20 => {
                tries += 1;
                std::thread::sleep(Duration::from_millis(250));
            }
            other => return other,
        }
    }
}

fn run(cmd: &mut Command, what: &str) -> Result<String, String> {
    let out = cmd.output().map_err(|e| {
        format!("{what}: cannot start wrangler ({e}); run `cargo xtask build` first")
    })?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if out.status.success() {
        Ok(stdout)
    } else {
        Err(format!(
            "{what} failed ({}):\n{stdout}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// Applies every migration in `edge/migrations` to the local D1 in `state_dir`.
pub fn migrate(state_dir: &Path) -> Result<(), String> {
    migrate_with(None, state_dir)
}

/// As [`migrate`], for the Worker of `config` (its own `migrations_dir`).
pub fn migrate_with(config: Option<&Path>, state_dir: &Path) -> Result<(), String> {
    run_d1(
        || {
            let mut cmd = wrangler();
            cmd.args(["d1", "migrations", "apply", "DB", "--local", "--persist-to"])
                .arg(state_dir)
                .args(config_args(config));
            cmd
        },
        "applying D1 migrations",
    )
    .map(drop)
}

/// Runs a file of SQL against the local D1 of `config`'s Worker.
pub fn execute_file(
    config: Option<&Path>,
    state_dir: &Path,
    file: &Path,
    what: &str,
) -> Result<(), String> {
    run_d1(
        || {
            let mut cmd = wrangler();
            cmd.args(["d1", "execute", "DB", "--local", "--persist-to"])
                .arg(state_dir)
                .arg("--file")
                .arg(file)
                .args(config_args(config));
            cmd
        },
        what,
    )
    .map(drop)
}

/// `edge/office.toml` for one local run, written beside its state: its
/// paths made absolute and `vars` (the dev switches and test secrets the
/// front gets with `--var`) as its `[vars]`.
fn office_config(state_dir: &Path, vars: &[(String, String)]) -> Result<PathBuf, String> {
    let edge = paths::edge();
    let tracked = std::fs::read_to_string(edge.join("office.toml")).map_err(|e| e.to_string())?;
    let absolute = |relative: &str| {
        serde_json::to_string(&edge.join(relative).display().to_string()).unwrap_or_default()
    };
    let mut text = tracked
        .replace(
            "\"build-office/worker/shim.mjs\"",
            &absolute("build-office/worker/shim.mjs"),
        )
        .replace("\"migrations\"", &absolute("migrations"));
    text.push_str("\n[vars]\n");
    for (k, v) in vars {
        let v = serde_json::to_string(v).map_err(|e| e.to_string())?;
        text.push_str(&[k.as_str(), " = ", &v, "\n"].concat());
    }
    std::fs::create_dir_all(state_dir).map_err(|e| e.to_string())?;
    let file = state_dir.join("office.toml");
    std::fs::write(&file, text).map_err(|e| e.to_string())?;
    Ok(file)
}

/// Runs `edge/seed/demo.sql` with the inbox filled in.
pub fn seed(state_dir: &Path, seed: &Seed) -> Result<(), String> {
    let template =
        std::fs::read_to_string(paths::edge().join("seed/demo.sql")).map_err(|e| e.to_string())?;
    let sql = template
        .replace("{{INBOX_URL}}", &seed.inbox_url)
        .replace("{{INBOX_SECRET}}", &seed.inbox_secret);
    std::fs::create_dir_all(state_dir).map_err(|e| e.to_string())?;
    let file = state_dir.join("seed.sql");
    std::fs::write(&file, sql).map_err(|e| e.to_string())?;
    execute_file(None, state_dir, &file, "seeding the demo site")
}

/// Runs one SQL statement against the local D1 and returns its rows.
pub fn query(state_dir: &Path, sql: &str) -> Result<Vec<serde_json::Value>, String> {
    query_with(None, state_dir, sql)
}

/// As [`query`], against the local D1 of `config`'s Worker.
pub fn query_with(
    config: Option<&Path>,
    state_dir: &Path,
    sql: &str,
) -> Result<Vec<serde_json::Value>, String> {
    let out = run_d1(
        || {
            let mut cmd = wrangler();
            cmd.args(["d1", "execute", "DB", "--local", "--json", "--persist-to"])
                .arg(state_dir)
                .args(["--command", sql])
                .args(config_args(config));
            cmd
        },
        "querying D1",
    )?;
    let v: serde_json::Value =
        serde_json::from_str(&out).map_err(|e| format!("wrangler printed no JSON ({e}): {out}"))?;
    Ok(v.get(0)
        .and_then(|r| r.get("results"))
        .and_then(|r| r.as_array())
        .cloned()
        .unwrap_or_default())
}

/// `GET path` over plain HTTP/1.1; returns (status, body).
pub fn http_get(port: u16, path: &str) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )?;
    let mut text = String::new();
    s.read_to_string(&mut text)?;
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

impl LocalWorker {
    pub fn start(cfg: Config) -> Result<Self, String> {
        Self::start_with(cfg, None)
    }

    /// As [`LocalWorker::start`], but runs the Worker described by another
    /// wrangler.toml (`--config`), e.g. the bench's plain-JS reference. Its
    /// D1 binding must be called `DB`; `cfg.seed` (the demo site) applies to
    /// the edge's schema only. `None` is `edge/wrangler.toml`.
    pub fn start_with(cfg: Config, config: Option<PathBuf>) -> Result<Self, String> {
        Self::start_beside(cfg, config, None)
    }

    /// As [`LocalWorker::start_with`], with a second Worker (`aux`, a
    /// wrangler.toml) in the same `wrangler dev`, as the edge's front runs
    /// with its back office: the bench runs the JS reference so, because
    /// wrangler handles two Workers' logs another way than one's.
    pub fn start_beside(
        cfg: Config,
        config: Option<PathBuf>,
        aux: Option<&Path>,
    ) -> Result<Self, String> {
        for built in ["build/worker/shim.mjs", "build-office/worker/shim.mjs"] {
            if !paths::edge().join(built).exists() {
                return Err("the Workers are not built: run `cargo xtask build` first".into());
            }
        }
        migrate_with(config.as_deref(), &cfg.state_dir)?;
        if let Some(s) = &cfg.seed {
            seed(&cfg.state_dir, s)?;
        }
        // The edge is two Workers in one `wrangler dev`: the front (the
        // first config, on the port) and the back office behind its service
        // binding, which wrangler gives no `--var`: its variables are
        // written into its config instead.
        let configs: Vec<PathBuf> = match &config {
            Some(c) => std::iter::once(c.clone())
                .chain(aux.map(Path::to_owned))
                .collect(),
            None => vec![
                "wrangler.toml".into(),
                office_config(&cfg.state_dir, &cfg.vars)?,
            ],
        };
        let configs = configs.iter().flat_map(|c| [Path::new("--config"), c]);
        let mut cmd = wrangler();
        cmd.args([
            "dev",
            "--local",
            "--ip",
            "127.0.0.1",
            "--show-interactive-dev-session=false",
        ])
        .args(["--port", &cfg.port.to_string(), "--inspector-port", "0"])
        .arg("--persist-to")
        .arg(&cfg.state_dir)
        .args(configs);
        if cfg.test_scheduled {
            cmd.arg("--test-scheduled");
        }
        for (k, v) in &cfg.vars {
            cmd.arg("--var").arg(format!("{k}:{v}"));
        }
        if let Some(log) = &cfg.log {
            let file = std::fs::File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
            let err = file.try_clone().map_err(|e| e.to_string())?;
            cmd.stdout(file).stderr(err);
        }
        let spawned = Instant::now();
        let process = Guarded::spawn("wrangler dev", &mut cmd)
            .map_err(|e| format!("cannot start wrangler: {e}"))?;
        let mut worker = Self {
            process,
            port: cfg.port,
            state_dir: cfg.state_dir,
            log: cfg.log,
            config,
            ready_after: Duration::ZERO,
        };
        worker.wait_ready(Duration::from_secs(90))?;
        worker.ready_after = spawned.elapsed();
        Ok(worker)
    }

    fn wait_ready(&mut self, limit: Duration) -> Result<(), String> {
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Some(status) = self.process.exited() {
                return Err(format!(
                    "wrangler dev exited early ({status}){}",
                    self.log_tail()
                ));
            }
            if matches!(http_get(self.port, "/health"), Ok((200, _))) {
                return Ok(());
            }
            // Short, so the bench's cold start is read to within 20 ms.
            std::thread::sleep(Duration::from_millis(20));
        }
        Err(format!(
            "the Worker did not answer /health within {limit:?}{}",
            self.log_tail()
        ))
    }

    fn log_tail(&self) -> String {
        let Some(log) = &self.log else {
            return String::new();
        };
        let text = std::fs::read_to_string(log).unwrap_or_default();
        let tail: Vec<&str> = text.lines().rev().take(40).collect();
        format!(
            "\n--- last lines of {} ---\n{}",
            log.display(),
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        )
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn query(&self, sql: &str) -> Result<Vec<serde_json::Value>, String> {
        query_with(self.config.as_deref(), &self.state_dir, sql)
    }

    /// How long it took from spawning `wrangler dev` to answering
    /// `/health` 200.
    pub fn ready_after(&self) -> Duration {
        self.ready_after
    }

    pub fn pid(&self) -> u32 {
        self.process.id()
    }

    /// workerd's own entry port for this Worker, behind wrangler's local
    /// proxy (which rewrites some requests it forwards): what a raw client
    /// there sends reaches the Worker unchanged.
    pub fn workerd_port(&self) -> Option<u16> {
        crate::listening::loopback_ports_of_group(self.process.id())
            .into_iter()
            .filter(|&p| p != self.port)
            .find(|&p| crate::listening::answers_health(p))
    }

    pub fn stop(&mut self) {
        self.process.stop(Duration::from_secs(10));
    }
}
