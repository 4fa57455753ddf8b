//! A backup put back: the file is read and checked whole before anything is
//! written (its header, its schema against the database's, every row's
//! table and site), then its rows go in as `INSERT … ON CONFLICT DO
//! NOTHING`, parents first, in SQL files run by `wrangler d1 execute
//! --file`. The files are written to a private directory and removed.

use super::d1::D1;
use super::format::{parse_row, Header};
use super::sql::insert;
use super::tables::{self, TABLES};
use crate::Result;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// The most SQL one file holds: well under D1's limits, so a large site
/// goes in as several files.
pub const FILE_BYTES: usize = 512 * 1024;

/// D1's limit on one statement; a row longer than this as SQL is refused
/// before anything is written.
const STATEMENT_BYTES: usize = 100_000;

/// What a restore did, per table in [`TABLES`] order.
#[derive(Debug)]
pub struct Restored {
    pub header: Header,
    pub tables: Vec<Counted>,
}

/// One table: rows in the file, and the site's rows in the database
/// before and after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counted {
    pub table: &'static str,
    pub in_file: usize,
    pub before: usize,
    pub after: usize,
}

/// Restores `input` into `db`, in files of at most `file_bytes` of SQL.
pub fn restore(db: &D1, input: &Path, file_bytes: usize) -> Result<Restored> {
    let (header, statements) = read(input)?;
    let before = db
        .query(&[
            "SELECT name FROM d1_migrations ORDER BY id".to_owned(),
            tables::counts(&header.site)?,
        ])
        .map_err(|e| super::no_migrations(&e.to_string()))?;
    let applied: Vec<String> = before[0]
        .iter()
        .filter_map(|r| r.get("name").and_then(Value::as_str).map(str::to_owned))
        .collect();
    check_schema(&header.schema, &applied)?;
    let before = counts(&before[1])?;

    let dir = Scratch::new()?;
    let files = chunks(statements.iter().flatten(), file_bytes);
    for (i, chunk) in files.iter().enumerate() {
        let file = dir.0.join(format!("restore-{i:04}.sql"));
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&file)?;
        std::io::Write::write_all(&mut f, chunk.as_bytes())?;
        drop(f);
        db.execute_file(&file).map_err(|e| {
            format!(
                "{e}\n(file {} of {}: the files before it went in; restoring again adds only what is missing)",
                i + 1,
                files.len()
            )
        })?;
    }
    let after = counts(&db.query(&[tables::counts(&header.site)?])?[0])?;
    let tables = TABLES
        .iter()
        .enumerate()
        .map(|(i, t)| Counted {
            table: t.name,
            in_file: statements[i].len(),
            before: before[i],
            after: after[i],
        })
        .collect();
    Ok(Restored { header, tables })
}

/// Prints the counts: what the file held, what is new, what is there now.
pub fn print(done: &Restored) {
    eprintln!(
        "    {:<14} {:>8} {:>8} {:>8}",
        "table", "in file", "new", "now"
    );
    for c in &done.tables {
        eprintln!(
            "    {:<14} {:>8} {:>8} {:>8}",
            c.table,
            c.in_file,
            c.after.saturating_sub(c.before),
            c.after
        );
    }
    let short: Vec<&str> = done
        .tables
        .iter()
        .filter(|c| c.after < c.in_file)
        .map(|c| c.table)
        .collect();
    if !short.is_empty() {
        eprintln!(
            "    note: the site has fewer rows than the file in {}: a row whose id another row already holds was left out",
            short.join(", ")
        );
    }
}

/// The header and one list of insert statements per table of [`TABLES`].
/// Every line is checked first: a bad file writes nothing.
fn read(input: &Path) -> Result<(Header, Vec<Vec<String>>)> {
    let file = std::fs::File::open(input).map_err(|e| format!("{}: {e}", input.display()))?;
    let mut lines = BufReader::new(file).lines();
    let first = lines.next().ok_or("the file is empty")??;
    let header = Header::parse(&first)?;
    domain::fields::SiteKey::try_from(header.site.as_str())
        .map_err(|e| format!("the header's site {:?}: {e}", header.site))?;
    let mut statements = vec![Vec::new(); TABLES.len()];
    for (i, line) in lines.enumerate() {
        let n = i + 2;
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let row = parse_row(n, &line)?;
        let at = TABLES
            .iter()
            .position(|t| t.name == row.table)
            .ok_or_else(|| format!("line {n}: a backup holds no table {:?}", row.table))?;
        if let Some(owner) = site_column(&row.table) {
            if row.row.get(owner).and_then(Value::as_str) != Some(header.site.as_str()) {
                return Err(format!(
                    "line {n}: a row of {} whose {owner} is not the header's site {:?}",
                    row.table, header.site
                )
                .into());
            }
        }
        let sql = insert(&row.table, &row.row).map_err(|e| format!("line {n}: {e}"))?;
        if sql.len() > STATEMENT_BYTES {
            return Err(format!(
                "line {n}: a row of {} is {} bytes as SQL, over D1's {STATEMENT_BYTES}-byte statement limit",
                row.table,
                sql.len()
            )
            .into());
        }
        statements[at].push(sql);
    }
    Ok((header, statements))
}

/// The column that holds the site's key in `table`'s rows: `sites.key`,
/// and `site` where a table's rows belong to a site by that column.
fn site_column(table: &str) -> Option<&'static str> {
    let t = tables::find(table)?;
    if t.name == "sites" {
        Some("key")
    } else if t.of_site == tables::BY_SITE {
        Some("site")
    } else {
        None
    }
}

/// Refuses a backup taken at a schema the database has not applied: its
/// rows may have columns the tables here lack.
pub fn check_schema(backup: &str, applied: &[String]) -> Result {
    let Some(latest) = applied.last() else {
        return Err("this database has no migrations applied: deploy to it first".into());
    };
    if applied.iter().any(|a| a == backup) {
        Ok(())
    } else {
        Err(format!(
            "the backup was taken at schema {backup}, newer than this database's {latest}: \
             deploy the version of Candor that wrote it (`cargo xtask deploy`), then restore"
        )
        .into())
    }
}

/// `statements` joined into files of at most `max` bytes (a statement
/// longer than that has a file of its own).
pub fn chunks<'a>(statements: impl Iterator<Item = &'a String>, max: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    for s in statements {
        if !current.is_empty() && current.len() + s.len() + 1 > max {
            out.push(std::mem::take(&mut current));
        }
        current.push_str(s);
        current.push('\n');
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The site's count per table, from [`tables::counts`]'s row.
fn counts(rows: &[serde_json::Map<String, Value>]) -> Result<Vec<usize>> {
    let row = rows.first().ok_or("the count gave no row")?;
    TABLES
        .iter()
        .map(|t| {
            row.get(t.name)
                .and_then(Value::as_u64)
                .and_then(|n| usize::try_from(n).ok())
                .ok_or_else(|| format!("no count for {}", t.name).into())
        })
        .collect()
}

/// A private directory (0700) for the SQL files, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Result<Self> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .subsec_nanos();
        let dir =
            std::env::temp_dir().join(format!("candor-restore-{}-{nanos}", std::process::id()));
        std::fs::DirBuilder::new().mode(0o700).create(&dir)?;
        Ok(Self(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::{check_schema, chunks, read, site_column};

    fn applied() -> Vec<String> {
        [
            "0001_init.sql",
            "0002_ingest_complete.sql",
            "0003_escalation.sql",
        ]
        .map(str::to_owned)
        .to_vec()
    }

    #[test]
    fn a_backup_at_the_same_or_an_older_schema_is_taken() {
        assert!(check_schema("0003_escalation.sql", &applied()).is_ok());
        assert!(check_schema("0001_init.sql", &applied()).is_ok());
    }

    #[test]
    fn a_backup_at_a_newer_schema_is_refused_plainly() {
        let err = check_schema("0004_dashboard.sql", &applied())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("0004_dashboard.sql")
                && err.contains("newer than this database's 0003_escalation.sql"),
            "{err}"
        );
        let err = check_schema("0001_init.sql", &[]).unwrap_err().to_string();
        assert!(err.contains("no migrations applied"), "{err}");
    }

    #[test]
    fn statements_are_chunked_under_the_limit_in_order() {
        let s: Vec<String> = (0..10).map(|i| format!("INSERT {i:02};")).collect();
        // Each statement is 11 bytes with its newline.
        let files = chunks(s.iter(), 35);
        assert_eq!(files.len(), 4);
        assert!(files.iter().all(|f| f.len() <= 35));
        assert_eq!(
            files.concat(),
            s.iter().map(|s| s.clone() + "\n").collect::<String>()
        );
        // A statement longer than the limit gets a file of its own.
        let long = ["x".repeat(50), "y;".to_owned()];
        assert_eq!(chunks(long.iter(), 10).len(), 2);
        assert!(chunks([].iter(), 10).is_empty());
    }

    #[test]
    fn the_site_is_in_the_key_of_sites_and_the_site_column_elsewhere() {
        assert_eq!(site_column("sites"), Some("key"));
        assert_eq!(site_column("responses"), Some("site"));
        assert_eq!(site_column("counters"), Some("site"));
        assert_eq!(site_column("events"), None);
        assert_eq!(site_column("people"), None);
    }

    /// `read` over a file with `lines`, in a scratch directory.
    fn read_lines(name: &str, lines: &[&str]) -> Result<usize, String> {
        let dir = std::env::temp_dir().join(format!("candor-restore-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join(name);
        std::fs::write(&file, lines.join("\n")).unwrap();
        let got = read(&file);
        let _ = std::fs::remove_file(&file);
        got.map(|(_, s)| s.iter().map(Vec::len).sum())
            .map_err(|e| e.to_string())
    }

    const HEADER: &str = r#"{"format":"candor-backup","version":1,"site":"shop","schema":"0001_init.sql","exported_at":"2026-05-01T09:30:00Z"}"#;

    #[test]
    fn a_good_file_gives_one_insert_per_row_in_table_order() {
        let dir = std::env::temp_dir().join(format!("candor-restore-order-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("ok.ndjson");
        let lines = [
            HEADER,
            // Out of order on purpose: the restore puts parents first.
            r#"{"table":"events","row":{"id":1,"case_id":"c1","type":"opened","at":1}}"#,
            r#"{"table":"sites","row":{"key":"shop","updated_at":1}}"#,
            "",
        ];
        std::fs::write(&file, lines.join("\n")).unwrap();
        let (header, statements) = read(&file).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(header.site, "shop");
        let all: Vec<&String> = statements.iter().flatten().collect();
        assert_eq!(all.len(), 2);
        assert!(all[0].starts_with("INSERT INTO \"sites\""), "{}", all[0]);
        assert!(all[1].starts_with("INSERT INTO \"events\""), "{}", all[1]);
    }

    #[test]
    fn a_bad_file_is_refused_before_anything_is_written() {
        let cases: [(&str, &[&str], &str); 6] = [
            ("empty", &[], "empty"),
            (
                "header",
                &[r#"{"format":"csv"}"#],
                "not a Candor backup header",
            ),
            (
                "site",
                &[&HEADER.replace("\"shop\"", "\"Not A Site\"")],
                "the header's site",
            ),
            (
                "table",
                &[HEADER, r#"{"table":"people","row":{"id":"p"}}"#],
                "line 2: a backup holds no table \"people\"",
            ),
            (
                "other-site",
                &[
                    HEADER,
                    r#"{"table":"responses","row":{"id":"r","site":"other"}}"#,
                ],
                "line 2: a row of responses whose site is not the header's site",
            ),
            (
                "column",
                &[
                    HEADER,
                    r#"{"table":"sites","row":{"key":"shop","bad name":1}}"#,
                ],
                "line 2: \"bad name\" is not a table or column name",
            ),
        ];
        for (name, lines, says) in cases {
            let err = read_lines(name, lines).unwrap_err();
            assert!(err.contains(says), "{name}: {err}");
        }
        let long = format!(
            r#"{{"table":"sites","row":{{"key":"shop","copy":"{}"}}}}"#,
            "x".repeat(100_001)
        );
        let err = read_lines("long", &[HEADER, &long]).unwrap_err();
        assert!(
            err.contains("line 2") && err.contains("statement limit"),
            "{err}"
        );
    }
}
