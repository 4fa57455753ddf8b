//! D1's schema on real SQLite (D1's engine; `rusqlite` with SQLite bundled):
//! the migrations of `edge/migrations` in the order wrangler applies them,
//! and a database that runs them as D1 does. Shared by the tests that check
//! the schema (`migrations_keep_data.rs`, `query_plans.rs`) and, through
//! `#[path]` in `src/main.rs`, by xtask's unit tests (the soak's seed, the
//! backup's table list): one way to build the schema, written once.

use rusqlite::Connection;
use std::path::{Path, PathBuf};

/// One file of `edge/migrations`.
#[derive(Debug, Clone)]
pub struct Migration {
    /// The number its name starts with (`0010` of `0010_customer_mail.sql`).
    pub number: u32,
    /// The file name, as wrangler records it.
    pub name: String,
    pub sql: String,
}

impl Migration {
    /// Why the migration may take something away: the reason of each line
    /// `-- contract: <reason>` (a line comment of its own; an empty reason
    /// does not count).
    pub fn contracts(&self) -> Vec<String> {
        contracts(&self.sql)
    }
}

/// The reasons of the `-- contract: <reason>` lines of `sql`.
pub fn contracts(sql: &str) -> Vec<String> {
    sql.lines()
        .filter_map(|line| line.trim_start().strip_prefix("-- contract:"))
        .map(str::trim)
        .filter(|reason| !reason.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `edge/migrations`.
pub fn migrations_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../edge/migrations")
}

/// Every migration, sorted by name (wrangler's order).
pub fn migrations() -> Vec<Migration> {
    let dir = migrations_dir();
    let mut all: Vec<Migration> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "sql"))
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let number = name
                .split_once('_')
                .and_then(|(digits, _)| digits.parse().ok())
                .unwrap_or_else(|| panic!("migration {name} is not named NNNN_what.sql"));
            let sql = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            Migration { number, name, sql }
        })
        .collect();
    all.sort_by(|a, b| a.name.cmp(&b.name));
    all
}

/// An empty in-memory database with D1's settings: foreign keys enforced.
/// (D1 enforces them in every query and migration, and a migration cannot
/// turn them off; `PRAGMA defer_foreign_keys = on` is its way to break
/// them until the end of the migration's transaction.)
pub fn open() -> Connection {
    let db = Connection::open_in_memory().unwrap();
    db.execute_batch("PRAGMA foreign_keys = ON;").unwrap();
    db
}

/// Every migration applied, in order, to an empty database.
pub fn migrated() -> Connection {
    let mut db = open();
    for m in migrations() {
        apply(&mut db, &m).unwrap_or_else(|e| panic!("migration {}: {e}", m.name));
    }
    db
}

/// Applies one migration as D1 does: the whole file in one transaction
/// (so `PRAGMA foreign_keys` inside it changes nothing, as on D1, and
/// `PRAGMA defer_foreign_keys` lasts until its end).
pub fn apply(db: &mut Connection, m: &Migration) -> rusqlite::Result<()> {
    let tx = db.transaction()?;
    tx.execute_batch(&m.sql)?;
    tx.commit()
}

/// The tables of the schema, by name: SQLite's own (`sqlite_sequence`,
/// `sqlite_stat1`) left out.
pub fn tables(db: &Connection) -> Vec<String> {
    let mut stmt = db
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
        )
        .unwrap();
    stmt.query_map([], |row| row.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

/// What `PRAGMA foreign_key_check` and `PRAGMA integrity_check` find: one
/// line per fault, none when the database is sound.
pub fn faults(db: &Connection) -> Vec<String> {
    let mut faults = Vec::new();
    let mut fk = db.prepare("PRAGMA foreign_key_check").unwrap();
    let rows = fk
        .query_map([], |row| {
            Ok(format!(
                "foreign key: table {} rowid {:?} points at a missing row of {} (constraint {})",
                row.get::<_, String>(0)?,
                row.get::<_, Option<i64>>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, i64>(3)?,
            ))
        })
        .unwrap();
    faults.extend(rows.map(Result::unwrap));
    let mut integrity = db.prepare("PRAGMA integrity_check").unwrap();
    let lines = integrity
        .query_map([], |row| row.get::<_, String>(0))
        .unwrap();
    faults.extend(
        lines
            .map(Result::unwrap)
            .filter(|line| line != "ok")
            .map(|line| format!("integrity: {line}")),
    );
    faults
}

/// `name` as an SQL identifier.
pub fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
