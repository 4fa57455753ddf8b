//! The database a backup reads or a restore writes, through wrangler: a
//! deployed environment (`--remote`, through the generated
//! `edge/wrangler.deploy.toml`, as the deploy does) or a local D1
//! (`--local --persist-to DIR`, through `edge/wrangler.toml`, as the tests
//! do). Rows come back from `d1 execute --json`; row files go in with
//! `d1 execute --file`. No call's output is echoed: it holds the rows.

use crate::deploy::{Env, Wrangler, CONFIG_FILE, PLACEHOLDER_ID};
use crate::Result;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// Where the data is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Remote(Env),
    /// wrangler's `--persist-to` directory.
    Local(PathBuf),
}

impl Target {
    /// How the output names it.
    pub fn describe(&self) -> String {
        match self {
            Self::Remote(env) => format!("{} (D1 {})", env.name(), env.database()),
            Self::Local(dir) => format!("the local D1 in {}", dir.display()),
        }
    }
}

/// One database, ready to be called.
pub struct D1 {
    w: Wrangler,
    /// `--remote` or `--local --persist-to DIR`.
    place: Vec<String>,
}

/// One result set: its rows, each a column → value object.
pub type Rows = Vec<Map<String, Value>>;

impl D1 {
    /// `wrangler` run in `edge`, aimed at `target`. A remote environment
    /// needs the config its deploy generated, with its database id.
    pub fn new(wrangler: &Path, edge: &Path, target: &Target) -> Result<Self> {
        let mut w = Wrangler::new(wrangler, edge);
        let place = match target {
            Target::Remote(env) => {
                let config = edge.join(CONFIG_FILE);
                let text = std::fs::read_to_string(&config).map_err(|_| {
                    format!(
                        "edge/{CONFIG_FILE} is missing: run `cargo xtask deploy --env {}` first",
                        env.name()
                    )
                })?;
                deployed_id(&text, *env)?;
                w.scoped(env.name(), Path::new(CONFIG_FILE));
                vec!["--remote".to_owned()]
            }
            Target::Local(dir) => {
                let dir = std::path::absolute(dir)?;
                vec![
                    "--local".to_owned(),
                    "--persist-to".to_owned(),
                    dir.display().to_string(),
                ]
            }
        };
        Ok(Self { w, place })
    }

    /// Runs `statements` in one wrangler call; one result set per
    /// statement, in order.
    pub fn query(&self, statements: &[String]) -> Result<Vec<Rows>> {
        let sql = statements.join(";\n");
        let mut args = vec!["d1", "execute", "DB", "--json", "--command", &sql];
        args.extend(self.place.iter().map(String::as_str));
        let said = self.w.call(&args, None)?;
        let sets = result_sets(&said.out, said.ok)
            .map_err(|e| format!("querying D1: {e}{}", stderr_hint(&said.err)))?;
        if sets.len() != statements.len() {
            return Err(format!(
                "querying D1: {} statements gave {} result sets",
                statements.len(),
                sets.len()
            )
            .into());
        }
        Ok(sets)
    }

    /// Runs the statements in `file` (`d1 execute --file`). Locally, the
    /// result sets come back, one per statement; remotely (an import), none.
    pub fn execute_file(&self, file: &Path) -> Result<Vec<Rows>> {
        let file = file.display().to_string();
        let mut args = vec!["d1", "execute", "DB", "--json", "--yes", "--file", &file];
        args.extend(self.place.iter().map(String::as_str));
        let said = self.w.call(&args, None)?;
        result_sets(&said.out, said.ok)
            .map_err(|e| format!("running {file}: {e}{}", stderr_hint(&said.err)).into())
    }

    /// Applies the migrations (`d1 migrations apply`), for a scratch
    /// database.
    pub fn migrate(&self) -> Result {
        let mut args = vec!["d1", "migrations", "apply", "DB"];
        args.extend(self.place.iter().map(String::as_str));
        let said = self.w.call(&args, None)?;
        if said.ok {
            Ok(())
        } else {
            Err(format!(
                "applying the migrations: wrangler said:\n{}",
                said.text().trim()
            )
            .into())
        }
    }
}

/// wrangler's `--json` answer: an array of `{results, success, meta}`, or
/// on failure `{"error": {"text": …}}`. Only the error's text is kept.
fn result_sets(out: &str, ok: bool) -> Result<Vec<Rows>> {
    let at = out.find(['[', '{']);
    let v: Option<Value> = at.and_then(|at| serde_json::from_str(&out[at..]).ok());
    let error = v.as_ref().and_then(|v| v.get("error")).map(|e| {
        e.get("text")
            .and_then(Value::as_str)
            .map_or_else(|| e.to_string(), str::to_owned)
    });
    match (ok, v, error) {
        (_, _, Some(text)) => Err(text.into()),
        (false, _, None) => Err("wrangler failed".into()),
        (true, None, None) => Err("wrangler printed no JSON".into()),
        (true, Some(v), None) => {
            let sets = v
                .as_array()
                .ok_or("wrangler's JSON is not a list of results")?;
            sets.iter()
                .map(|set| {
                    let rows = set
                        .get("results")
                        .and_then(Value::as_array)
                        .ok_or("a result without \"results\"")?;
                    rows.iter()
                        .map(|r| {
                            r.as_object()
                                .cloned()
                                .ok_or_else(|| "a row that is not an object".into())
                        })
                        .collect()
                })
                .collect()
        }
    }
}

/// wrangler's stderr, when it said something (logs, not rows).
fn stderr_hint(err: &str) -> String {
    let err = err.trim();
    if err.is_empty() {
        String::new()
    } else {
        format!("\nwrangler said:\n{err}")
    }
}

/// The database id the generated config holds for `env`; a placeholder
/// (a dry run wrote it, or a deploy of the other environment) is refused.
pub fn deployed_id(config: &str, env: Env) -> Result<String> {
    let again = format!("run `cargo xtask deploy --env {}` first", env.name());
    let header = format!("[[env.{}.d1_databases]]", env.name());
    let section = config
        .find(&header)
        .map(|at| &config[at + header.len()..])
        .ok_or_else(|| format!("edge/{CONFIG_FILE} declares no {header}: {again}"))?;
    let section = section.find("\n[").map_or(section, |end| &section[..end]);
    let id = section
        .lines()
        .filter_map(|l| l.trim().strip_prefix("database_id"))
        .filter_map(|rest| rest.trim().strip_prefix('='))
        .map(|v| v.trim().trim_matches('"').to_owned())
        .next()
        .ok_or_else(|| {
            format!(
                "edge/{CONFIG_FILE} has no database_id for {}: {again}",
                env.name()
            )
        })?;
    if id == PLACEHOLDER_ID {
        Err(format!(
            "edge/{CONFIG_FILE} was last written for another environment or a dry run, \
             so it has no database id for {}: {again}",
            env.name()
        )
        .into())
    } else {
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::{deployed_id, result_sets};
    use crate::deploy::Env;

    const CONFIG: &str = r#"# generated
name = "candor"
[[d1_databases]]
binding = "DB"
database_id = "00000000-0000-0000-0000-000000000000"

[[env.staging.d1_databases]]
binding = "DB"
database_id = "00000000-0000-0000-0000-000000000000"
migrations_dir = "migrations"

[[env.production.d1_databases]]
binding = "DB"
database_name = "candor"
database_id = "5b0c8a2e-1111-2222-3333-444455556666"

[[env.production.queues.producers]]
binding = "ALERTS"
"#;

    #[test]
    fn the_generated_config_must_hold_the_environments_real_id() {
        assert_eq!(
            deployed_id(CONFIG, Env::Production).unwrap(),
            "5b0c8a2e-1111-2222-3333-444455556666"
        );
        let err = deployed_id(CONFIG, Env::Staging).unwrap_err().to_string();
        assert!(err.contains("cargo xtask deploy --env staging"), "{err}");
        let err = deployed_id("name = \"x\"", Env::Production)
            .unwrap_err()
            .to_string();
        assert!(err.contains("cargo xtask deploy --env production"), "{err}");
    }

    #[test]
    fn wranglers_json_is_read_as_result_sets_or_its_error() {
        let out = r#"[{"results":[{"a":1},{"a":null}],"success":true,"meta":{}},{"results":[],"success":true}]"#;
        let sets = result_sets(out, true).unwrap();
        assert_eq!(sets.len(), 2);
        assert_eq!(sets[0][1]["a"], serde_json::Value::Null);
        assert!(sets[1].is_empty());
        let failed =
            r#"{"error":{"text":"no such table: d1_migrations: SQLITE_ERROR","kind":"error"}}"#;
        let err = result_sets(failed, false).unwrap_err().to_string();
        assert_eq!(err, "no such table: d1_migrations: SQLITE_ERROR");
        assert!(result_sets("", false).is_err());
        assert!(result_sets("banner only", true).is_err());
    }
}
