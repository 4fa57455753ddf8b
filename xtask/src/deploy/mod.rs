//! `cargo xtask deploy [--env staging|production] [--dry-run]
//! [--location HINT | --jurisdiction eu|fedramp] [--domain HOST]`: from a
//! clone to a running deployment on the operator's own Cloudflare account,
//! in one command that is safe to run again. Each step looks before it acts
//! (a database, queue or secret that exists is kept), so a run cut off at
//! any step is finished by the next.
//!
//! The steps: check wrangler is logged in; create the environment's D1
//! database if missing (where the operator says: personal data may have to
//! stay in the EU); write the two Workers' generated configs with its id
//! (`edge/office.deploy.toml` and `edge/wrangler.deploy.toml`,
//! git-ignored); create the queues; take a Time Travel bookmark and apply
//! the migrations; generate and set the secrets that are missing (from the
//! OS's randomness, on stdin); deploy the back office, then the front that
//! binds it (ARCHITECTURE.md, "Two Workers"); check the live URL; print what
//! the operator needs next.

mod config;
mod smoke;
mod wrangler;

#[cfg(test)]
mod tests;

use crate::tools::{ensure, root};
use crate::{build, Result};
use config::WORKERS;
pub use config::{Env, FILE as CONFIG_FILE, PLACEHOLDER_ID};
use std::io::Write;
use std::path::Path;
pub use wrangler::Wrangler;

/// What the operator asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub env: Env,
    pub dry_run: bool,
    pub location: Option<String>,
    pub jurisdiction: Option<String>,
    pub domain: Option<String>,
}

impl Options {
    pub fn parse(args: &[String]) -> Result<Self> {
        let mut o = Self {
            env: Env::Production,
            dry_run: false,
            location: None,
            jurisdiction: None,
            domain: None,
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let mut value = || {
                args.next()
                    .cloned()
                    .ok_or_else(|| format!("{arg} needs a value"))
            };
            match arg.as_str() {
                "--dry-run" => o.dry_run = true,
                "--env" => o.env = Env::parse(&value()?)?,
                "--location" => {
                    o.location = Some(pick(
                        &value()?,
                        &["weur", "eeur", "apac", "oc", "wnam", "enam"],
                        "--location",
                    )?);
                }
                "--jurisdiction" => {
                    o.jurisdiction = Some(pick(&value()?, &["eu", "fedramp"], "--jurisdiction")?);
                }
                "--domain" => o.domain = Some(config::parse_domain(&value()?)?),
                other => return Err(format!("unknown deploy option {other:?}").into()),
            }
        }
        Ok(o)
    }
}

fn pick(value: &str, choices: &[&str], what: &str) -> Result<String> {
    if choices.contains(&value) {
        Ok(value.to_owned())
    } else {
        Err(format!(
            "{what} must be one of {}, not {value:?}",
            choices.join(", ")
        )
        .into())
    }
}

pub fn run(args: &[String]) -> Result {
    let options = Options::parse(args)?;
    let tools = ensure(false)?;
    build::all(&tools)?;
    let edge = root().join("edge");
    let mut w = Wrangler::new(&tools.wrangler, &edge);
    let mut out = std::io::stdout();
    if options.dry_run {
        dry_run(&mut w, &edge, options.env, &mut out)
    } else {
        deploy(&mut w, &edge, &options, &mut out).map(|d| eprintln!("    done: {}", d.url))
    }
}

/// `wrangler deploy --dry-run` for `env` through each Worker's generated
/// config (with the placeholder database id): the exact uploads, built
/// offline. Run by `cargo xtask test` for both environments.
pub fn dry_run(w: &mut Wrangler, edge: &Path, env: Env, out: &mut dyn Write) -> Result {
    write_configs(edge, env, config::PLACEHOLDER_ID, None, "")?;
    for (tracked, generated) in WORKERS {
        w.scoped(env.name(), Path::new(generated));
        let dir = build::target_dir()
            .join("deploy-dry-run")
            .join(env.name())
            .join(tracked.trim_end_matches(".toml"));
        let dir = dir.display().to_string();
        w.must(
            "wrangler deploy --dry-run",
            &["deploy", "--dry-run", "--outdir", &dir],
            None,
        )?;
        writeln!(
            out,
            "    {} ({tracked}): the exact upload is in {dir}",
            env.name()
        )?;
    }
    Ok(())
}

/// Both Workers' generated configs for `env`, with the database `id`.
fn write_configs(edge: &Path, env: Env, id: &str, domain: Option<&str>, header: &str) -> Result {
    for (tracked, generated) in WORKERS {
        let text = std::fs::read_to_string(edge.join(tracked))?;
        // The custom domain is the public Worker's; the office has no route.
        let domain = domain.filter(|_| generated == config::FILE);
        let mut out = header.to_owned();
        out.push_str(&config::generate(&text, env, id, domain)?);
        std::fs::write(edge.join(generated), out)?;
    }
    Ok(())
}

/// What a deploy printed for the operator to keep.
#[derive(Debug)]
pub struct Deployed {
    /// Where the Worker answers (the custom domain, when given).
    pub url: String,
}

pub fn deploy(w: &mut Wrangler, edge: &Path, o: &Options, out: &mut dyn Write) -> Result<Deployed> {
    let env = o.env;
    writeln!(
        out,
        "==> deploy {} (cargo xtask deploy is safe to run again)",
        env.name()
    )?;
    if !w.call(&["whoami", "--json"], None)?.ok {
        return Err("wrangler is not logged in: run `npx wrangler login` in edge/, or export CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID".into());
    }
    let (id, placement) = database(w, o, out)?;

    let header = format!("# D1 {} ({placement}), id {id}\n", env.database());
    write_configs(edge, env, &id, o.domain.as_deref(), &header)?;
    w.scoped(env.name(), Path::new(config::FILE));
    writeln!(
        out,
        "    wrote edge/{} and edge/{} (git-ignored)",
        WORKERS[0].1, WORKERS[1].1
    )?;

    queues(w, env, out)?;
    let bookmark = w.must(
        "D1 Time Travel bookmark",
        &["d1", "time-travel", "info", "DB", "--json"],
        None,
    )?;
    let bookmark = json_in(&bookmark.out)?["bookmark"]
        .as_str()
        .ok_or("wrangler gave no Time Travel bookmark")?
        .to_owned();
    let restore = format!(
        "cd edge && npx wrangler d1 time-travel restore DB --env {} --config {} --bookmark={bookmark}",
        env.name(),
        config::FILE
    );
    writeln!(out, "    restore point before migrating: {bookmark}")?;
    w.must(
        "apply the D1 migrations",
        &["d1", "migrations", "apply", "DB", "--remote"],
        None,
    )?;
    writeln!(out, "    migrations applied")?;
    let admin_token = secrets(w, env, out)?;

    // The office first: the front's service binding names it.
    let mut said = Vec::new();
    for (_, generated) in WORKERS {
        w.scoped(env.name(), Path::new(generated));
        said.push(w.must("wrangler deploy", &["deploy"], None)?.out);
    }
    // The front's is the public URL.
    let live = said
        .last()
        .and_then(|out| {
            out.split_whitespace()
                .find(|t| t.starts_with("https://") || t.starts_with("http://"))
        })
        .ok_or("wrangler deploy named no URL")?
        .trim_end_matches('/')
        .to_owned();
    w.scoped(env.name(), Path::new(config::FILE));
    writeln!(out, "    deployed to {live}")?;
    let wrong = smoke::check(&live)?;
    if !wrong.is_empty() {
        return Err(format!("the live Worker is not right:\n  {}", wrong.join("\n  ")).into());
    }
    writeln!(
        out,
        "    smoke check passed: /health (version, D1), /widget.js, preflight, the office behind the front"
    )?;
    let url = o.domain.as_ref().map_or(live, |d| format!("https://{d}"));
    report(out, &url, &placement, &restore, admin_token.as_deref())?;
    Ok(Deployed { url })
}

/// The first JSON value in wrangler's output (it may print a banner first).
fn json_in(text: &str) -> Result<serde_json::Value> {
    let at = text.find(['[', '{']).ok_or("wrangler printed no JSON")?;
    Ok(serde_json::from_str(&text[at..])?)
}

/// The environment's database id, created if missing, and where it lives.
fn database(w: &Wrangler, o: &Options, out: &mut dyn Write) -> Result<(String, String)> {
    let name = o.env.database();
    let find = || -> Result<Option<serde_json::Value>> {
        let list = json_in(
            &w.must("list the D1 databases", &["d1", "list", "--json"], None)?
                .out,
        )?;
        Ok(list
            .as_array()
            .and_then(|dbs| dbs.iter().find(|d| d["name"] == name).cloned()))
    };
    let db = if let Some(db) = find()? {
        writeln!(out, "    D1 {name} exists")?;
        if o.jurisdiction.is_some() || o.location.is_some() {
            writeln!(out, "    (--location and --jurisdiction apply when a database is created; this one stays where it is)")?;
        }
        db
    } else {
        let mut args = vec!["d1", "create", name];
        if let Some(j) = &o.jurisdiction {
            args.extend(["--jurisdiction", j.as_str()]);
        } else if let Some(l) = &o.location {
            args.extend(["--location", l.as_str()]);
        }
        w.must("create the D1 database", &args, None)?;
        writeln!(out, "    created D1 {name}")?;
        find()?.ok_or("the new database is not in `wrangler d1 list`")?
    };
    let id = db["uuid"]
        .as_str()
        .ok_or("`wrangler d1 list` gave no uuid")?
        .to_owned();
    let placement = match (db["jurisdiction"].as_str(), &o.jurisdiction, &o.location) {
        (Some(j), _, _) => format!("jurisdiction {j}"),
        (None, Some(j), _) => format!("jurisdiction {j}"),
        (None, None, Some(l)) => format!("location hint {l}"),
        (None, None, None) => "Cloudflare's default location".to_owned(),
    };
    writeln!(out, "    D1 {name}: {placement}")?;
    Ok((id, placement))
}

fn queues(w: &Wrangler, env: Env, out: &mut dyn Write) -> Result {
    let listed = w.must("list the queues", &["queues", "list"], None)?.out;
    for queue in env.queues() {
        let named = listed
            .split(|c: char| c.is_whitespace() || c == '│' || c == '|')
            .any(|t| t == queue);
        if named {
            continue;
        }
        let said = w.call(&["queues", "create", queue], None)?;
        if !said.ok && !said.text().contains("already taken") {
            return Err(format!("creating queue {queue}: {}", said.err.trim()).into());
        }
        writeln!(out, "    created queue {queue}")?;
    }
    Ok(())
}

/// Secrets: a value given in the environment is set; a missing one that
/// the Workers cannot run without is generated (256 bits from the OS) and
/// set. Each goes to the Workers that read it, with the same value (the
/// front signs the "add more" links the office checks). Values go on stdin
/// only. Returns a newly generated admin token, which is printed once, at
/// the end.
fn secrets(w: &mut Wrangler, env: Env, out: &mut dyn Write) -> Result<Option<String>> {
    let (office, front) = (WORKERS[0].1, WORKERS[1].1);
    let mut have = Vec::new();
    for generated in [office, front] {
        w.scoped(env.name(), Path::new(generated));
        have.push((generated, listed_secrets(w)?));
    }
    let mut admin = None;
    for (name, var, generate, workers) in [
        ("ADMIN_TOKEN", "CANDOR_ADMIN_TOKEN", true, &[office][..]),
        (
            "ACK_SECRET",
            "CANDOR_ACK_SECRET",
            true,
            &[office, front][..],
        ),
        (
            "RESEND_API_KEY",
            "CANDOR_RESEND_API_KEY",
            false,
            &[office][..],
        ),
    ] {
        let given = std::env::var(var).ok().filter(|v| !v.trim().is_empty());
        // Missing from any Worker that reads it: a value set on one alone
        // cannot be read back, so both get a new one.
        let missing = have
            .iter()
            .filter(|(g, _)| workers.contains(g))
            .any(|(_, names)| !names.iter().any(|h| h == name));
        let value = match given {
            Some(v) => v,
            None if missing && generate => {
                let v = random_hex()?;
                if name == "ADMIN_TOKEN" {
                    admin = Some(v.clone());
                }
                v
            }
            None => continue,
        };
        for generated in workers {
            w.scoped(env.name(), Path::new(generated));
            w.must(
                &format!("set the secret {name}"),
                &["secret", "put", name],
                Some(&value),
            )?;
            writeln!(out, "    set {name} ({generated})")?;
        }
    }
    Ok(admin)
}

/// The names of the secrets the scoped Worker has; none for a Worker never
/// deployed.
fn listed_secrets(w: &Wrangler) -> Result<Vec<String>> {
    let listed = w.call(&["secret", "list", "--format", "json"], None)?;
    if !listed.ok {
        return Ok(Vec::new());
    }
    Ok(json_in(&listed.out)?
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s["name"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default())
}

/// 32 bytes from the operating system's randomness, as hex.
fn random_hex() -> Result<String> {
    use std::fmt::Write as _;
    use std::io::Read;
    let mut bytes = [0u8; 32];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes.iter().fold(String::new(), |mut hex, b| {
        let _ = write!(hex, "{b:02x}");
        hex
    }))
}

fn report(
    out: &mut dyn Write,
    url: &str,
    placement: &str,
    restore: &str,
    admin: Option<&str>,
) -> Result {
    writeln!(out, "\nDeployed: {url}  (D1: {placement})")?;
    writeln!(out, "Dashboard: {url}/dashboard")?;
    writeln!(out, "\nEmbed on your pages (add their origins to the site first):\n\n  <script src=\"{url}/widget.js\" data-site=\"YOUR-SITE\" async></script>")?;
    writeln!(out, "\nMake yourself the first owner (you are mailed a sign-in link):\n\n  curl -X POST {url}/v1/admin/people \\\n    -H \"authorization: Bearer $CANDOR_ADMIN_TOKEN\" -H 'content-type: application/json' \\\n    -d '{{\"email\":\"you@example.com\",\"name\":\"Your Name\",\"role\":\"owner\"}}'")?;
    if let Some(token) = admin {
        writeln!(out, "\nADMIN_TOKEN was generated; it is shown this once. Keep it in your password manager:\n\n  CANDOR_ADMIN_TOKEN={token}")?;
    }
    writeln!(
        out,
        "\nIf the migrations went wrong, restore D1 to before them:\n\n  {restore}\n"
    )?;
    Ok(())
}
