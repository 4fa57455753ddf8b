//! The round trip, against the real wrangler and a scratch local D1
//! (`target/backup-check/`): migrate, seed two sites (`seed.sql`), back up
//! site A, wipe its rows, restore, back up again and compare line for line
//! (all but `exported_at`); restore once more and check nothing changed;
//! check site B and the deployment's own tables were never touched. Run by
//! `cargo xtask test` and on its own by `cargo xtask backup-check`.

use super::d1::{Target, D1};
use super::format::{parse_row, Header};
use super::restore::{self, Counted, FILE_BYTES};
use super::tables::{self, TABLES};
use super::{backup, Exported, PAGE_ROWS};
use crate::tools::root;
use crate::{build, Result};
use serde_json::Value;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Instant;

const SEED: &str = include_str!("seed.sql");
const A: &str = "shop-a";
const B: &str = "shop-b";
/// Small, so the seed's larger tables are read in several pages.
const PAGE: usize = 3;
/// A value `seed.sql` gives `responses.gaps` of `a-r1`: it must come out
/// of the backup as it went in.
const AWKWARD: &str = "It's \"late\"; -- not a comment\n/* nor this */ DROP TABLE responses; BEGIN; END; $1 ?1 :x @y \\ `\r\nGröße: 日本語, العربية 🙂\tNUL:\0:end";

pub fn round_trip(wrangler: &Path) -> Result {
    let start = Instant::now();
    let dir = build::target_dir().join("backup-check");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let db = D1::new(
        wrangler,
        &root().join("edge"),
        &Target::Local(dir.join("state")),
    )?;
    db.migrate()?;
    let seed = dir.join("seed.sql");
    std::fs::write(&seed, SEED)?;
    db.execute_file(&seed)?;
    let file = |name: &str| dir.join(name);

    // Paged here, in one page later: the comparisons check the paging too.
    let a1 = backup(&db, A, &file("a1.ndjson"), PAGE)?;
    covers_every_table(&a1, &file("a1.ndjson"))?;
    let b1 = backup(&db, B, &file("b1.ndjson"), PAGE_ROWS)?;

    // The whole database's counts, then site A wiped: one call.
    let wipe = file("wipe.sql");
    std::fs::write(
        &wipe,
        format!("{};\n{}", totals(), tables::wipe(A)?.join("\n")),
    )?;
    let whole = totals_in(&db.execute_file(&wipe)?)?;

    // Rows are compared first, so a failure names the table and the row.
    let first = restore::restore(&db, &file("a1.ndjson"), FILE_BYTES)?;
    backup(&db, A, &file("a2.ndjson"), PAGE_ROWS)?;
    same(&file("a1.ndjson"), &file("a2.ndjson"))?;
    expect_counts(&first.tables, "the first restore", |c| {
        c.before == 0 && c.after == c.in_file
    })?;

    let second = restore::restore(&db, &file("a1.ndjson"), FILE_BYTES)?;
    backup(&db, A, &file("a3.ndjson"), PAGE_ROWS)?;
    same(&file("a1.ndjson"), &file("a3.ndjson"))?;
    expect_counts(
        &second.tables,
        "the second restore (it must add nothing)",
        |c| c.before == c.in_file && c.after == c.in_file,
    )?;

    backup(&db, B, &file("b2.ndjson"), PAGE_ROWS)?;
    same(&file("b1.ndjson"), &file("b2.ndjson"))
        .map_err(|e| format!("site {B}, which was never wiped or restored, changed: {e}"))?;
    let after = totals_in(&db.query(&[totals()])?)?;
    if after != whole {
        return Err(format!(
            "rows per table in the whole database changed: before {whole:?}, after {after:?}"
        )
        .into());
    }
    let rows: usize = a1.counts.iter().map(|(_, n)| n).sum();
    eprintln!(
        "    {rows} rows of {A} in {} tables: backed up, wiped, restored twice, identical; {B} ({} rows) and the deployment's tables untouched ({:.1}s)",
        a1.counts.len(),
        b1.counts.iter().map(|(_, n)| n).sum::<usize>(),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The seed reaches every exported table, the awkward value comes out as
/// it went in, and the file is private.
fn covers_every_table(done: &Exported, path: &Path) -> Result {
    let empty: Vec<&str> = done
        .counts
        .iter()
        .filter(|(_, n)| *n == 0)
        .map(|(t, _)| *t)
        .collect();
    if !empty.is_empty() {
        return Err(format!(
            "seed.sql gives site {A} no rows in {}: add some",
            empty.join(", ")
        )
        .into());
    }
    let mode = std::fs::metadata(path)?.permissions().mode() & 0o777;
    if mode != 0o600 {
        return Err(format!("{} has mode {mode:o}, not 600", path.display()).into());
    }
    let text = std::fs::read_to_string(path)?;
    let gaps = text
        .lines()
        .skip(1)
        .enumerate()
        .map(|(i, l)| parse_row(i + 2, l))
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .find(|r| r.table == "responses" && r.row["id"] == "a-r1")
        .map(|r| r.row["gaps"].clone());
    if gaps != Some(Value::String(AWKWARD.to_owned())) {
        return Err(format!("responses a-r1's gaps came out of the backup as {gaps:?}").into());
    }
    Ok(())
}

/// Fails naming every table where `ok` does not hold.
fn expect_counts(counted: &[Counted], what: &str, ok: impl Fn(&Counted) -> bool) -> Result {
    let wrong: Vec<String> = counted
        .iter()
        .filter(|c| !ok(c))
        .map(|c| {
            format!(
                "{}: {} in the file, {} before, {} after",
                c.table, c.in_file, c.before, c.after
            )
        })
        .collect();
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(format!("{what}: wrong counts in\n  {}", wrong.join("\n  ")).into())
    }
}

/// The deployment's tables the seed fills, which no site's backup holds.
const DEPLOYMENT: [&str; 5] = [
    "people",
    "api_keys",
    "sessions",
    "sign_in_links",
    "rate_windows",
];

/// Rows per table in the whole database: every exported table and
/// [`DEPLOYMENT`].
fn totals() -> String {
    let counts = TABLES
        .iter()
        .map(|t| t.name)
        .chain(DEPLOYMENT)
        .map(|t| format!("(SELECT COUNT(*) FROM {t}) AS {t}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!("SELECT {counts}")
}

/// [`totals`]' answer, the first of `sets`, as (table, rows).
fn totals_in(sets: &[super::d1::Rows]) -> Result<Vec<(&'static str, u64)>> {
    let row = sets
        .first()
        .and_then(|rows| rows.first())
        .ok_or("the count gave no row")?;
    Ok(TABLES
        .iter()
        .map(|t| t.name)
        .chain(DEPLOYMENT)
        .map(|t| (t, row.get(t).and_then(Value::as_u64).unwrap_or_default()))
        .collect())
}

/// A row line as compared: its table, its key, the line.
type Line = (String, String, String);

/// Two backups of one site hold the same rows in the same order (their
/// `exported_at` may differ). A difference is named by table and key.
pub fn same(a: &Path, b: &Path) -> Result {
    let read = |p: &Path| -> Result<(Header, Vec<Line>)> {
        let text = std::fs::read_to_string(p)?;
        let mut lines = text.lines();
        let header = Header::parse(lines.next().unwrap_or_default())?;
        let rows = lines
            .enumerate()
            .map(|(i, line)| {
                let row = parse_row(i + 2, line)?;
                Ok((
                    row.table.clone(),
                    key_of(&row.table, &row.row),
                    line.to_owned(),
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((header, rows))
    };
    let (ha, ra) = read(a)?;
    let (hb, rb) = read(b)?;
    if (&ha.site, &ha.schema) != (&hb.site, &hb.schema) {
        return Err(format!("the headers differ: {ha:?} and {hb:?}").into());
    }
    if ra == rb {
        return Ok(());
    }
    let mut wrong = Vec::new();
    for (table, key, line) in &ra {
        match rb.iter().find(|(t, k, _)| t == table && k == key) {
            None => wrong.push(format!("{table} row {key}: missing from {}", b.display())),
            Some((_, _, other)) if other != line => {
                wrong.push(format!(
                    "{table} row {key}: columns differ: {}",
                    differing(line, other)
                ));
            }
            Some(_) => {}
        }
    }
    for (table, key, _) in &rb {
        if !ra.iter().any(|(t, k, _)| t == table && k == key) {
            wrong.push(format!(
                "{table} row {key}: in {} but not in {}",
                b.display(),
                a.display()
            ));
        }
    }
    if wrong.is_empty() {
        wrong.push("the same rows, in another order".to_owned());
    }
    Err(format!(
        "{} and {} differ:\n  {}",
        a.display(),
        b.display(),
        wrong.join("\n  ")
    )
    .into())
}

/// A row's primary key, as `(col=value, …)` (ids, never contents).
fn key_of(table: &str, row: &serde_json::Map<String, Value>) -> String {
    let key = tables::find(table).map_or(&[][..], |t| t.key);
    let parts: Vec<String> = key
        .iter()
        .map(|k| format!("{k}={}", row.get(*k).unwrap_or(&Value::Null)))
        .collect();
    format!("({})", parts.join(", "))
}

/// The columns whose values differ between two lines of one row.
fn differing(a: &str, b: &str) -> String {
    let row = |l: &str| parse_row(0, l).map(|r| r.row).unwrap_or_default();
    let (ra, rb) = (row(a), row(b));
    let mut cols: Vec<&str> = ra
        .iter()
        .filter(|(k, v)| rb.get(*k) != Some(v))
        .map(|(k, _)| k.as_str())
        .collect();
    cols.extend(
        rb.keys()
            .filter(|k| !ra.contains_key(*k))
            .map(String::as_str),
    );
    cols.join(", ")
}
