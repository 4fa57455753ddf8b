//! `cargo xtask backup --site SITE [--env staging|production | --local DIR]
//! [--out FILE]` writes one site's lasting data to an NDJSON file (see
//! [`format`]); `cargo xtask restore --in FILE [--env … | --local DIR]`
//! puts it back. A restore only inserts, and a row that is already there is
//! left as it is, so restoring twice adds nothing and a restore over live
//! data adds only what is missing. `cargo xtask backup-check` runs the
//! round trip against a scratch local D1 ([`check`]).
//!
//! The file holds customers' personal data and webhook secrets: it is
//! created readable by its owner only (0600), and no row is ever printed.

mod check;
mod d1;
mod format;
mod restore;
mod sql;
mod tables;

use crate::tools::{ensure, root};
use crate::Result;
pub use check::round_trip;
use d1::{Target, D1};
use format::{row_line, Header};
use serde_json::{Map, Value};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use tables::TABLES;

/// Rows read per table and call (keyset paging).
const PAGE_ROWS: usize = 500;

/// What the operator asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Options {
    site: Option<String>,
    target: Target,
    /// `--out` for a backup, `--in` for a restore.
    file: Option<PathBuf>,
}

impl Options {
    /// `command`'s options; `file` is the name of its file option.
    fn parse(command: &str, file: &str, args: &[String]) -> Result<Self> {
        let mut o = Self {
            site: None,
            target: Target::Remote(crate::deploy::Env::Production),
            file: None,
        };
        let (mut env, mut local) = (false, false);
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let mut value = || {
                args.next()
                    .cloned()
                    .ok_or_else(|| format!("{arg} needs a value"))
            };
            match arg.as_str() {
                "--site" if command == "backup" => {
                    let site = value()?;
                    domain::fields::SiteKey::try_from(site.as_str())
                        .map_err(|e| format!("--site {site:?}: {e}"))?;
                    o.site = Some(site);
                }
                "--env" => {
                    o.target = Target::Remote(crate::deploy::Env::parse(&value()?)?);
                    env = true;
                }
                "--local" => {
                    o.target = Target::Local(PathBuf::from(value()?));
                    local = true;
                }
                a if a == file => o.file = Some(PathBuf::from(value()?)),
                other => return Err(format!("unknown {command} option {other:?}").into()),
            }
        }
        if env && local {
            return Err("give --env or --local, not both".into());
        }
        Ok(o)
    }
}

pub fn backup_command(args: &[String]) -> Result {
    let o = Options::parse("backup", "--out", args)?;
    let site = o.site.ok_or("backup needs --site SITE_ID")?;
    let (date, _) = format::now_utc()?;
    let out = o
        .file
        .unwrap_or_else(|| PathBuf::from(format!("candor-{site}-{date}.ndjson")));
    let tools = ensure(false)?;
    let db = D1::new(&tools.wrangler, &root().join("edge"), &o.target)?;
    eprintln!("==> backup of site {site} from {}", o.target.describe());
    let done = backup(&db, &site, &out, PAGE_ROWS)?;
    eprintln!("    schema {}", done.schema);
    eprintln!("    {:<14} {:>8}  what", "table", "rows");
    for (t, (_, n)) in TABLES.iter().zip(&done.counts) {
        eprintln!("    {:<14} {n:>8}  {}", t.name, t.why);
    }
    let left_out: Vec<&str> = tables::LEFT_OUT.iter().map(|(t, _)| *t).collect();
    eprintln!(
        "    not in a backup (the deployment's, transient or internal): {}",
        left_out.join(", ")
    );
    eprintln!(
        "    wrote {} (mode 0600: it holds customers' personal data and webhook secrets; keep it private)",
        out.display()
    );
    Ok(())
}

pub fn restore_command(args: &[String]) -> Result {
    let o = Options::parse("restore", "--in", args)?;
    let input = o.file.ok_or("restore needs --in FILE")?;
    let tools = ensure(false)?;
    let db = D1::new(&tools.wrangler, &root().join("edge"), &o.target)?;
    eprintln!(
        "==> restore of {} into {}",
        input.display(),
        o.target.describe()
    );
    let done = restore::restore(&db, &input, restore::FILE_BYTES)?;
    eprintln!(
        "    site {}, schema {} (exported {})",
        done.header.site, done.header.schema, done.header.exported_at
    );
    restore::print(&done);
    Ok(())
}

pub fn check_command(args: &[String]) -> Result {
    if let Some(a) = args.first() {
        return Err(format!("backup-check takes no options, not {a:?}").into());
    }
    let tools = ensure(false)?;
    round_trip(&tools.wrangler)
}

/// What a backup wrote.
#[derive(Debug)]
pub struct Exported {
    pub schema: String,
    /// Rows per table, in [`TABLES`] order.
    pub counts: Vec<(&'static str, usize)>,
}

/// Writes `site`'s rows from `db` to `out` (a new file, mode 0600), reading
/// `page` rows per table and call. The first call reads the schema and the
/// first page of every table; a table with more is paged on its own.
pub fn backup(db: &D1, site: &str, out: &Path, page: usize) -> Result<Exported> {
    let mut first = vec!["SELECT name FROM d1_migrations ORDER BY id DESC LIMIT 1".to_owned()];
    for t in &TABLES {
        first.push(tables::page(t, site, None, page)?);
    }
    let mut sets = db
        .query(&first)
        .map_err(|e| no_migrations(&e.to_string()))?;
    let schema = sets[0]
        .first()
        .and_then(|r| r.get("name"))
        .and_then(Value::as_str)
        .ok_or("this database has no migrations applied")?
        .to_owned();
    if sets[1].is_empty() {
        return Err(format!("there is no site {site:?} in this database").into());
    }
    let (_, exported_at) = format::now_utc()?;
    let header = Header {
        site: site.to_owned(),
        schema: schema.clone(),
        exported_at,
    };
    let file = private_file(out)?;
    let written = write_rows(db, site, page, &header, &mut sets[1..], file);
    match written {
        Ok(counts) => Ok(Exported { schema, counts }),
        Err(e) => {
            let _ = std::fs::remove_file(out);
            Err(format!("{e} (the unfinished {} was removed)", out.display()).into())
        }
    }
}

/// `out`, created new with mode 0600 (an existing file is never replaced).
fn private_file(out: &Path) -> Result<File> {
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(out)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => {
                format!("{} exists: give another --out", out.display())
            }
            _ => format!("{}: {e}", out.display()),
        })?;
    // The umask can only take bits away; this makes sure of the rest.
    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    Ok(file)
}

/// The header, then every table's rows: `firsts` holds each table's first
/// page; the rest are read a page at a time.
fn write_rows(
    db: &D1,
    site: &str,
    page: usize,
    header: &Header,
    firsts: &mut [Vec<Map<String, Value>>],
    file: File,
) -> Result<Vec<(&'static str, usize)>> {
    let mut w = BufWriter::new(file);
    writeln!(w, "{}", header.to_line()?)?;
    let mut counts = Vec::with_capacity(TABLES.len());
    for (t, first) in TABLES.iter().zip(firsts.iter_mut()) {
        let mut rows = std::mem::take(first);
        let mut n = 0;
        loop {
            for row in &rows {
                writeln!(w, "{}", row_line(t.name, row)?)?;
            }
            n += rows.len();
            let Some(last) = rows.last().filter(|_| rows.len() == page) else {
                break;
            };
            let next = tables::page(t, site, Some(last), page)?;
            rows = db.query(&[next])?.remove(0);
        }
        counts.push((t.name, n));
    }
    w.into_inner()
        .map_err(std::io::IntoInnerError::into_error)?
        .sync_all()?;
    Ok(counts)
}

/// wrangler's error, said plainly when the database was never migrated.
fn no_migrations(err: &str) -> String {
    if err.contains("no such table: d1_migrations") {
        "this database has no migrations applied (no d1_migrations table): deploy to it first"
            .into()
    } else {
        err.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::{Options, Target};
    use crate::deploy::Env;
    use std::path::PathBuf;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn options_name_the_site_the_place_and_the_file() {
        let o = Options::parse(
            "backup",
            "--out",
            &args(&["--site", "shop", "--env", "staging"]),
        )
        .unwrap();
        assert_eq!(o.site.as_deref(), Some("shop"));
        assert_eq!(o.target, Target::Remote(Env::Staging));
        assert_eq!(o.file, None);
        let o = Options::parse(
            "restore",
            "--in",
            &args(&["--in", "x.ndjson", "--local", "d"]),
        )
        .unwrap();
        assert_eq!(o.target, Target::Local(PathBuf::from("d")));
        assert_eq!(o.file, Some(PathBuf::from("x.ndjson")));
        // Production is the default, as for the deploy.
        let o = Options::parse("backup", "--out", &args(&["--site", "a"])).unwrap();
        assert_eq!(o.target, Target::Remote(Env::Production));
    }

    #[test]
    fn wrong_options_are_refused() {
        for (command, file, a, says) in [
            ("backup", "--out", &["--site", "Bad Site"][..], "--site"),
            ("backup", "--out", &["--site"][..], "needs a value"),
            (
                "backup",
                "--out",
                &["--in", "x"][..],
                "unknown backup option",
            ),
            (
                "restore",
                "--in",
                &["--site", "a"][..],
                "unknown restore option",
            ),
            (
                "restore",
                "--in",
                &["--env", "dev"][..],
                "staging or production",
            ),
            (
                "restore",
                "--in",
                &["--env", "staging", "--local", "d"][..],
                "not both",
            ),
        ] {
            let err = Options::parse(command, file, &args(a))
                .unwrap_err()
                .to_string();
            assert!(err.contains(says), "{a:?}: {err}");
        }
    }
}
