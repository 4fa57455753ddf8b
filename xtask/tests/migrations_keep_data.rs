//! Migrations keep data (issue 18). Migrations are forward-only and
//! expand/contract: a release adds tables and columns, and takes one away
//! only in a later release, once no code reads it, in a migration that says
//! why on a line `-- contract: <reason>`.
//!
//! The schema the previous release shipped (the migrations up to the number
//! in `fixtures/release-NNNN.sql`'s name) is built in real SQLite, D1's
//! engine, and filled from that fixture; every later migration is then
//! applied, and after each one every table, row and value that was there
//! before it is still there. Each migration runs in one transaction with
//! foreign keys on, as on D1 (none so far needs them off; one that rebuilds
//! a table uses `PRAGMA defer_foreign_keys = on`). A second test builds the
//! whole chain on an empty database.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code)] // each user of the shared module takes what it needs
mod schema;

use rusqlite::types::Value;
use rusqlite::Connection;
use schema::{quoted, Migration};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

/// Every table's rows, by table name.
type Snapshot = BTreeMap<String, Table>;

/// One table's rows: each under its primary key as text (`id='…'`), which
/// names the row in a failure; `rowid` for a table without one.
#[derive(Debug, Clone, PartialEq)]
struct Table {
    key: Vec<String>,
    columns: Vec<String>,
    rows: BTreeMap<String, Vec<Value>>,
}

/// Every row of every table, all columns, read in primary-key (or rowid)
/// order.
fn snapshot(db: &Connection) -> Snapshot {
    schema::tables(db)
        .into_iter()
        .map(|name| {
            let table = read_table(db, &name);
            (name, table)
        })
        .collect()
}

fn read_table(db: &Connection, name: &str) -> Table {
    let mut info = db
        .prepare("SELECT name, pk FROM pragma_table_info(?1) ORDER BY cid")
        .unwrap();
    let described: Vec<(String, i64)> = info
        .query_map([name], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let columns: Vec<String> = described.iter().map(|(c, _)| c.clone()).collect();
    let mut pk: Vec<&(String, i64)> = described.iter().filter(|(_, pk)| *pk > 0).collect();
    pk.sort_by_key(|(_, pk)| *pk);
    let key: Vec<String> = if pk.is_empty() {
        vec!["rowid".to_owned()]
    } else {
        pk.iter().map(|(c, _)| c.clone()).collect()
    };
    let key_sql = key
        .iter()
        .map(|k| if k == "rowid" { k.clone() } else { quoted(k) })
        .collect::<Vec<_>>()
        .join(", ");
    let columns_sql = columns
        .iter()
        .map(|c| quoted(c))
        .collect::<Vec<_>>()
        .join(", ");
    let mut select = db
        .prepare(&format!(
            "SELECT {key_sql}, {columns_sql} FROM {} ORDER BY {key_sql}",
            quoted(name)
        ))
        .unwrap();
    let rows = select
        .query_map([], |row| {
            let mut named = Vec::with_capacity(key.len());
            for (i, k) in key.iter().enumerate() {
                named.push(format!("{k}={}", show(&row.get::<_, Value>(i)?)));
            }
            let values = (0..columns.len())
                .map(|i| row.get::<_, Value>(key.len() + i))
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok((named.join(", "), values))
        })
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    Table { key, columns, rows }
}

/// A value as SQL writes it.
fn show(v: &Value) -> String {
    match v {
        Value::Null => "NULL".into(),
        Value::Integer(i) => i.to_string(),
        Value::Real(r) => format!("{r:?}"),
        Value::Text(t) => format!("'{}'", t.replace('\'', "''")),
        Value::Blob(b) => {
            b.iter().fold("X'".to_owned(), |mut s, byte| {
                let _ = write!(s, "{byte:02X}");
                s
            }) + "'"
        }
    }
}

/// What one migration did to the data: what it broke, and what it took away
/// under a `-- contract:` line.
#[derive(Debug, Default)]
struct Verdict {
    problems: Vec<String>,
    allowed: Vec<String>,
}

impl Verdict {
    /// Something is gone: allowed only under the migration's contracts.
    fn gone(&mut self, migration: &str, contracts: &[String], what: &str) {
        if contracts.is_empty() {
            self.problems.push(format!(
                "{migration}: {what}, and the migration has no `-- contract: <reason>` line"
            ));
        } else {
            self.allowed.push(format!(
                "{migration}: {what} (contract: {})",
                contracts.join("; ")
            ));
        }
    }
}

/// Compares the data before and after `migration`: every table is still
/// there with the same rows (matched by primary key), and every column that
/// was there holds the same value in every row. New tables and columns are
/// fine, and so are rows in a table that had none; a table or column may go
/// only if the migration has `contracts`.
fn compare(migration: &str, contracts: &[String], before: &Snapshot, after: &Snapshot) -> Verdict {
    let mut v = Verdict::default();
    for (name, old) in before {
        let Some(new) = after.get(name) else {
            v.gone(
                migration,
                contracts,
                &format!("table {name} is gone (it had {} rows)", old.rows.len()),
            );
            continue;
        };
        if old.key != new.key {
            v.problems.push(format!(
                "{migration}: table {name}: its primary key changed from ({}) to ({}), \
                 so its rows cannot be matched; compare them by hand and adjust this test",
                old.key.join(", "),
                new.key.join(", ")
            ));
            continue;
        }
        let mut kept = Vec::new();
        for (i, column) in old.columns.iter().enumerate() {
            match new.columns.iter().position(|c| c == column) {
                Some(j) => kept.push((i, j)),
                None => v.gone(
                    migration,
                    contracts,
                    &format!("table {name}: column {column} is gone"),
                ),
            }
        }
        if old.rows.is_empty() {
            // Nothing to lose: a table made empty (by an earlier migration
            // of this run) may be filled, e.g. from an older one.
            continue;
        }
        if old.rows.len() != new.rows.len() {
            v.problems.push(format!(
                "{migration}: table {name} had {} rows, now {}",
                old.rows.len(),
                new.rows.len()
            ));
        }
        for (row, old_values) in &old.rows {
            let Some(new_values) = new.rows.get(row) else {
                v.problems
                    .push(format!("{migration}: table {name}, row {row}: gone"));
                continue;
            };
            for &(i, j) in &kept {
                if old_values[i] != new_values[j] {
                    v.problems.push(format!(
                        "{migration}: table {name}, row {row}, column {}: was {}, now {}",
                        old.columns[i],
                        show(&old_values[i]),
                        show(&new_values[j])
                    ));
                }
            }
        }
        for row in new.rows.keys().filter(|row| !old.rows.contains_key(*row)) {
            v.problems.push(format!(
                "{migration}: table {name}, row {row}: new (a migration adds no rows to a table that holds data)"
            ));
        }
    }
    v
}

/// The tables without a row.
fn empty_tables(s: &Snapshot) -> Vec<&str> {
    s.iter()
        .filter(|(_, t)| t.rows.is_empty())
        .map(|(name, _)| name.as_str())
        .collect()
}

/// The one fixture `tests/fixtures/release-NNNN.sql`: NNNN and its SQL.
fn fixture() -> (u32, String) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let found: Vec<(u32, std::path::PathBuf)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter_map(|path| {
            let name = path.file_name()?.to_str()?;
            let number = name.strip_prefix("release-")?.strip_suffix(".sql")?;
            Some((number.parse().ok()?, path))
        })
        .collect();
    let [(release, path)] = found.as_slice() else {
        panic!(
            "{} must hold exactly one release-NNNN.sql, found {found:?}",
            dir.display()
        );
    };
    (*release, std::fs::read_to_string(path).unwrap())
}

fn apply_or_panic(db: &mut Connection, m: &Migration) {
    if let Err(e) = schema::apply(db, m) {
        panic!("migration {} does not apply: {e}", m.name);
    }
}

fn assert_sound(db: &Connection, when: &str) {
    let faults = schema::faults(db);
    assert!(
        faults.is_empty(),
        "{when}, the database is not sound:\n{}",
        faults.join("\n")
    );
}

#[test]
fn every_later_migration_keeps_the_previous_releases_data() {
    let (release, fixture) = fixture();
    let (shipped, later): (Vec<Migration>, Vec<Migration>) = schema::migrations()
        .into_iter()
        .partition(|m| m.number <= release);
    assert!(
        shipped.last().is_some_and(|m| m.number == release),
        "fixtures/release-{release:04}.sql names migration {release:04}, which does not exist"
    );

    let mut db = schema::open();
    for m in &shipped {
        apply_or_panic(&mut db, m);
    }
    if let Err(e) = db.execute_batch(&fixture) {
        panic!(
            "fixtures/release-{release:04}.sql does not load on the schema up to {release:04}: {e}"
        );
    }
    assert_sound(
        &db,
        &format!("with fixtures/release-{release:04}.sql loaded"),
    );
    let mut before = snapshot(&db);
    let empty = empty_tables(&before);
    assert!(
        empty.is_empty(),
        "fixtures/release-{release:04}.sql must fill every table of the schema up to \
         {release:04}; empty: {}",
        empty.join(", ")
    );

    let mut problems = Vec::new();
    for m in &later {
        apply_or_panic(&mut db, m);
        let after = snapshot(&db);
        let verdict = compare(&m.name, &m.contracts(), &before, &after);
        for allowed in &verdict.allowed {
            println!("allowed: {allowed}");
        }
        problems.extend(verdict.problems);
        before = after;
    }
    println!(
        "release {release:04}'s data ({} tables, {} rows) kept by {} later migration(s)",
        before.len(),
        before.values().map(|t| t.rows.len()).sum::<usize>(),
        later.len()
    );
    assert!(
        problems.is_empty(),
        "migrations after release {release:04} lose or change its data:\n{}",
        problems.join("\n")
    );
    assert_sound(&db, "after the last migration");
}

#[test]
fn the_whole_chain_builds_an_empty_database() {
    let all = schema::migrations();
    for pair in all.windows(2) {
        assert!(
            pair[0].number < pair[1].number,
            "migrations {} and {} share a number",
            pair[0].name,
            pair[1].name
        );
    }
    let mut db = schema::open();
    for m in &all {
        apply_or_panic(&mut db, m);
    }
    assert!(
        !schema::tables(&db).is_empty(),
        "the migrations made no table"
    );
    assert_sound(&db, "after every migration on an empty database");
}

// The checks above, each shown to fail when it should.

fn table(key: &[&str], columns: &[&str], rows: &[(&str, Vec<Value>)]) -> Table {
    Table {
        key: key.iter().map(|k| (*k).to_owned()).collect(),
        columns: columns.iter().map(|c| (*c).to_owned()).collect(),
        rows: rows
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
    }
}

fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

/// Two tables: `sites` (key, name) with two rows, `people` (id) with one.
fn base() -> Snapshot {
    BTreeMap::from([
        (
            "sites".to_owned(),
            table(
                &["key"],
                &["key", "name"],
                &[
                    ("key='a'", vec![text("a"), text("Bäckerei")]),
                    ("key='b'", vec![text("b"), Value::Null]),
                ],
            ),
        ),
        (
            "people".to_owned(),
            table(&["id"], &["id"], &[("id=1", vec![Value::Integer(1)])]),
        ),
    ])
}

#[test]
fn the_same_data_passes() {
    let v = compare("0011_x.sql", &[], &base(), &base());
    assert!(v.problems.is_empty() && v.allowed.is_empty(), "{v:?}");
}

#[test]
fn a_new_column_and_a_new_table_pass() {
    let mut after = base();
    let sites = after.get_mut("sites").unwrap();
    sites.columns.push("offer".into());
    for values in sites.rows.values_mut() {
        values.push(Value::Integer(1));
    }
    after.insert("fixes".into(), table(&["id"], &["id"], &[]));
    let v = compare("0011_x.sql", &[], &base(), &after);
    assert!(v.problems.is_empty(), "{v:?}");
}

#[test]
fn a_changed_value_fails_naming_migration_table_row_and_column() {
    let mut after = base();
    after
        .get_mut("sites")
        .unwrap()
        .rows
        .get_mut("key='b'")
        .unwrap()[1] = text("Souk");
    let v = compare("0011_x.sql", &[], &base(), &after);
    assert_eq!(
        v.problems,
        ["0011_x.sql: table sites, row key='b', column name: was NULL, now 'Souk'"]
    );
}

#[test]
fn a_value_of_another_type_fails() {
    let mut after = base();
    after
        .get_mut("people")
        .unwrap()
        .rows
        .get_mut("id=1")
        .unwrap()[0] = Value::Real(1.0);
    let v = compare("0011_x.sql", &[], &base(), &after);
    assert_eq!(
        v.problems,
        ["0011_x.sql: table people, row id=1, column id: was 1, now 1.0"]
    );
}

#[test]
fn a_dropped_row_fails() {
    let mut after = base();
    after.get_mut("sites").unwrap().rows.remove("key='a'");
    let v = compare("0011_x.sql", &[], &base(), &after);
    assert_eq!(
        v.problems,
        [
            "0011_x.sql: table sites had 2 rows, now 1",
            "0011_x.sql: table sites, row key='a': gone"
        ]
    );
}

#[test]
fn an_added_row_fails() {
    let mut after = base();
    after
        .get_mut("people")
        .unwrap()
        .rows
        .insert("id=2".into(), vec![Value::Integer(2)]);
    let v = compare("0011_x.sql", &[], &base(), &after);
    assert_eq!(v.problems.len(), 2, "{v:?}");
    assert!(
        v.problems[1].contains("table people, row id=2: new"),
        "{v:?}"
    );
}

#[test]
fn rows_in_a_table_that_had_none_pass() {
    let mut before = base();
    before.insert("notices".into(), table(&["id"], &["id"], &[]));
    let mut after = before.clone();
    after
        .get_mut("notices")
        .unwrap()
        .rows
        .insert("id=1".into(), vec![Value::Integer(1)]);
    let v = compare("0012_x.sql", &[], &before, &after);
    assert!(v.problems.is_empty(), "{v:?}");
}

#[test]
fn a_dropped_column_fails_without_a_contract_and_passes_with_one() {
    let mut after = base();
    let sites = after.get_mut("sites").unwrap();
    sites.columns.pop();
    for values in sites.rows.values_mut() {
        values.pop();
    }
    let v = compare("0012_x.sql", &[], &base(), &after);
    assert_eq!(
        v.problems,
        [
            "0012_x.sql: table sites: column name is gone, and the migration has no \
          `-- contract: <reason>` line"
        ]
    );
    let why = ["name moved to site_names in 0011".to_owned()];
    let v = compare("0012_x.sql", &why, &base(), &after);
    assert!(v.problems.is_empty(), "{v:?}");
    assert_eq!(
        v.allowed,
        ["0012_x.sql: table sites: column name is gone (contract: name moved to site_names in 0011)"]
    );
}

#[test]
fn a_dropped_table_fails_without_a_contract() {
    let mut after = base();
    after.remove("people");
    let v = compare("0012_x.sql", &[], &base(), &after);
    assert_eq!(
        v.problems,
        [
            "0012_x.sql: table people is gone (it had 1 rows), and the migration has no \
          `-- contract: <reason>` line"
        ]
    );
    let v = compare("0012_x.sql", &["unused since 0011".into()], &base(), &after);
    assert!(v.problems.is_empty() && v.allowed.len() == 1, "{v:?}");
}

#[test]
fn a_changed_primary_key_fails() {
    let mut after = base();
    after.get_mut("people").unwrap().key = vec!["rowid".into()];
    let v = compare("0012_x.sql", &[], &base(), &after);
    assert_eq!(v.problems.len(), 1, "{v:?}");
    assert!(
        v.problems[0].contains("table people: its primary key changed"),
        "{v:?}"
    );
}

#[test]
fn only_a_contract_line_with_a_reason_counts() {
    let sql = "-- contract: responses.page is read by nobody since 0011\n\
               ALTER TABLE responses DROP COLUMN page; -- contract: trailing, ignored\n\
               --contract: no space, ignored\n\
               -- contract:   \n";
    assert_eq!(
        schema::contracts(sql),
        ["responses.page is read by nobody since 0011"]
    );
    assert!(schema::contracts("ALTER TABLE sites ADD COLUMN x TEXT;").is_empty());
}

#[test]
fn an_empty_table_is_named() {
    let mut s = base();
    s.insert("fixes".into(), table(&["id"], &["id"], &[]));
    assert_eq!(empty_tables(&s), ["fixes"]);
    assert!(empty_tables(&base()).is_empty());
}

/// The snapshot reads real SQLite: a migration that changes a value, drops a
/// column and deletes a row (of a table without a primary key) is caught on
/// each count, and a broken foreign key is a fault.
#[test]
fn a_real_migration_that_loses_data_is_caught() {
    let mut db = schema::open();
    db.execute_batch(
        "CREATE TABLE t (id TEXT PRIMARY KEY, a TEXT, b INTEGER) WITHOUT ROWID;
         CREATE TABLE u (x TEXT);
         CREATE TABLE v (t_id TEXT REFERENCES t(id));
         INSERT INTO t VALUES ('1', 'ü', 10), ('2', 'ع', NULL);
         INSERT INTO u VALUES ('keep'), ('lose');
         INSERT INTO v VALUES ('1');",
    )
    .unwrap();
    let before = snapshot(&db);
    assert_eq!(before["u"].key, ["rowid"]);
    let m = Migration {
        number: 11,
        name: "0011_lossy.sql".into(),
        sql: "UPDATE t SET a = 'x' WHERE id = '2';
              ALTER TABLE t DROP COLUMN b;
              DELETE FROM u WHERE x = 'lose';
              PRAGMA defer_foreign_keys = ON;
              DELETE FROM t WHERE id = '1';
              INSERT INTO t VALUES ('1', 'ü');"
            .into(),
    };
    schema::apply(&mut db, &m).unwrap();
    let v = compare(&m.name, &m.contracts(), &before, &snapshot(&db));
    assert_eq!(
        v.problems,
        [
            "0011_lossy.sql: table t: column b is gone, and the migration has no \
             `-- contract: <reason>` line",
            "0011_lossy.sql: table t, row id='2', column a: was 'ع', now 'x'",
            "0011_lossy.sql: table u had 2 rows, now 1",
            "0011_lossy.sql: table u, row rowid=2: gone",
        ]
    );
    assert!(schema::faults(&db).is_empty());
    db.execute_batch("PRAGMA foreign_keys = OFF; INSERT INTO v VALUES ('9');")
        .unwrap();
    let faults = schema::faults(&db);
    assert_eq!(faults.len(), 1, "{faults:?}");
    assert!(faults[0].contains("table v"), "{faults:?}");
}
