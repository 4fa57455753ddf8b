//! The one way the deploy talks to Cloudflare: wrangler, run in `edge/`,
//! non-interactive. Secrets go on stdin, never on a command line, and no
//! call's output is echoed (wrangler may repeat what it was given).

use crate::Result;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub struct Wrangler {
    bin: PathBuf,
    dir: PathBuf,
    /// `--env <name> --config <generated file>`, once the config exists.
    scope: Vec<String>,
    /// Extra environment for wrangler (the tests' fake reads its state dir).
    envs: Vec<(String, String)>,
}

/// What one call said.
pub struct Said {
    pub ok: bool,
    pub out: String,
    pub err: String,
}

impl Said {
    pub fn text(&self) -> String {
        format!("{}\n{}", self.out, self.err)
    }
}

impl Wrangler {
    pub fn new(bin: &Path, dir: &Path) -> Self {
        Self {
            bin: bin.to_owned(),
            dir: dir.to_owned(),
            scope: Vec::new(),
            envs: Vec::new(),
        }
    }

    #[cfg(test)]
    pub fn with_env(mut self, key: &str, value: &str) -> Self {
        self.envs.push((key.to_owned(), value.to_owned()));
        self
    }

    /// Every later call targets `env` through the generated `config`.
    pub fn scoped(&mut self, env: &str, config: &Path) {
        self.scope = vec![
            "--env".into(),
            env.into(),
            "--config".into(),
            config.display().to_string(),
        ];
    }

    /// Runs `wrangler <args>` (plus the scope), with `stdin` piped in.
    pub fn call(&self, args: &[&str], stdin: Option<&str>) -> Result<Said> {
        let mut cmd = Command::new(&self.bin);
        cmd.current_dir(&self.dir)
            .args(args)
            .args(&self.scope)
            .env("WRANGLER_SEND_METRICS", "false")
            .env("NO_COLOR", "1")
            .envs(self.envs.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            });
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", self.bin.display()))?;
        if let (Some(value), Some(mut pipe)) = (stdin, child.stdin.take()) {
            use std::io::Write;
            pipe.write_all(value.as_bytes())?;
        }
        let out = child.wait_with_output()?;
        Ok(Said {
            ok: out.status.success(),
            out: String::from_utf8_lossy(&out.stdout).into_owned(),
            err: String::from_utf8_lossy(&out.stderr).into_owned(),
        })
    }

    /// Like [`Wrangler::call`], but a failure is an error naming `what`.
    pub fn must(&self, what: &str, args: &[&str], stdin: Option<&str>) -> Result<Said> {
        let said = self.call(args, stdin)?;
        if said.ok {
            Ok(said)
        } else {
            Err(format!("{what}: wrangler said:\n{}", said.err.trim()).into())
        }
    }
}
