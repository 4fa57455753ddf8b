//! SQL text for the values of a backup: literals and identifiers. A
//! restore runs files of statements (`wrangler d1 execute --file`), so
//! values are written into the SQL rather than bound; these functions are
//! the only way they get there.

use crate::Result;
use serde_json::{Map, Value};

/// A string as an SQL literal: single-quoted, each `'` doubled. A NUL
/// character, which would end the statement's text early, is written as
/// `char(0)` joined on with `||`; every other character stands as itself.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for (i, part) in s.split('\0').enumerate() {
        if i > 0 {
            out.push_str(" || char(0) || ");
        }
        out.push('\'');
        out.push_str(&part.replace('\'', "''"));
        out.push('\'');
    }
    out
}

/// A row's value as an SQL literal: strings quoted, integers and floats as
/// numbers, null as `NULL`, booleans as 1 and 0. D1 gives only scalars, so
/// an array or object is refused (naming the column, not the value).
pub fn literal(column: &str, v: &Value) -> Result<String> {
    Ok(match v {
        Value::Null => "NULL".to_owned(),
        Value::Bool(b) => if *b { "1" } else { "0" }.to_owned(),
        // serde_json writes a float with its point or exponent (`1.0`,
        // `1e300`), so SQLite reads it back as a REAL, and an integer as
        // an INTEGER.
        Value::Number(n) => n.to_string(),
        Value::String(s) => quote(s),
        Value::Array(_) | Value::Object(_) => {
            return Err(format!("column {column:?} holds a nested JSON value").into())
        }
    })
}

/// A table or column name as SQL: only ASCII letters, digits and `_`
/// (every name in the migrations), double-quoted so that names such as
/// `by` or `window` are never read as keywords.
pub fn ident(name: &str) -> Result<String> {
    let ok = !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if ok {
        Ok(format!("\"{name}\""))
    } else {
        Err(format!("{name:?} is not a table or column name").into())
    }
}

/// `INSERT INTO "t" ("a", "b") VALUES (…) ON CONFLICT DO NOTHING;`: a row
/// that is already there (by any unique key) is left as it is, so running
/// it twice adds nothing.
pub fn insert(table: &str, row: &Map<String, Value>) -> Result<String> {
    let mut columns = Vec::with_capacity(row.len());
    let mut values = Vec::with_capacity(row.len());
    for (column, value) in row {
        columns.push(ident(column)?);
        values.push(literal(column, value)?);
    }
    Ok(format!(
        "INSERT INTO {} ({}) VALUES ({}) ON CONFLICT DO NOTHING;",
        ident(table)?,
        columns.join(", "),
        values.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::{ident, insert, literal, quote};
    use proptest::prelude::*;
    use rusqlite::types::Value as Sql;
    use serde_json::{json, Value};

    /// What SQLite makes of `literal`.
    fn eval(conn: &rusqlite::Connection, lit: &str) -> Sql {
        conn.query_row(&format!("SELECT {lit}"), [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn literals_by_construction() {
        assert_eq!(quote(""), "''");
        assert_eq!(quote("it's"), "'it''s'");
        assert_eq!(quote("''"), "''''''");
        assert_eq!(quote("a\0b"), "'a' || char(0) || 'b'");
        assert_eq!(quote("\0"), "'' || char(0) || ''");
        assert_eq!(literal("c", &Value::Null).unwrap(), "NULL");
        assert_eq!(literal("c", &json!(true)).unwrap(), "1");
        assert_eq!(literal("c", &json!(false)).unwrap(), "0");
        assert_eq!(literal("c", &json!(-42)).unwrap(), "-42");
        assert_eq!(literal("c", &json!(1.0)).unwrap(), "1.0");
        assert_eq!(
            literal("c", &json!(u64::MAX)).unwrap(),
            "18446744073709551615"
        );
        let err = literal("reply", &json!({"secret": 1}))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("\"reply\"") && !err.contains("secret"),
            "{err}"
        );
        assert!(literal("c", &json!([1])).is_err());
    }

    #[test]
    fn only_plain_names_are_identifiers() {
        assert_eq!(ident("by").unwrap(), "\"by\"");
        assert_eq!(ident("transaction_ref").unwrap(), "\"transaction_ref\"");
        for bad in ["", "a b", "a\"b", "1a", "a;b", "é", "a-b"] {
            assert!(ident(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn an_insert_names_its_columns_and_does_nothing_on_conflict() {
        let row = json!({"id": "r'1", "score": null, "by": 3});
        let sql = insert("responses", row.as_object().unwrap()).unwrap();
        assert_eq!(
            sql,
            "INSERT INTO \"responses\" (\"by\", \"id\", \"score\") VALUES (3, 'r''1', NULL) ON CONFLICT DO NOTHING;"
        );
        assert!(insert("x;", row.as_object().unwrap()).is_err());
    }

    #[test]
    fn an_insert_runs_twice_in_real_sqlite_and_adds_one_row() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE audit (id INTEGER PRIMARY KEY AUTOINCREMENT, \"by\" TEXT, note TEXT, at INTEGER);",
        )
        .unwrap();
        let row = json!({"id": 7, "by": "O'Brien", "note": "a\0b\n;--", "at": 1});
        let sql = insert("audit", row.as_object().unwrap()).unwrap();
        conn.execute_batch(&sql).unwrap();
        conn.execute_batch(&sql).unwrap();
        let (n, note): (i64, String) = conn
            .query_row("SELECT COUNT(*), note FROM audit", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!((n, note.as_str()), (1, "a\0b\n;--"));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Any string, through SQLite's own parser, is the same string.
        #[test]
        fn any_string_round_trips_through_sqlite(s in any::<String>()) {
            let conn = rusqlite::Connection::open_in_memory().unwrap();
            prop_assert_eq!(eval(&conn, &quote(&s)), Sql::Text(s));
        }

        /// Strings made of the characters that break naive quoting.
        #[test]
        fn awkward_strings_round_trip(s in "['\"\\\\;\0\n\r\t `$?%-]{0,40}") {
            let conn = rusqlite::Connection::open_in_memory().unwrap();
            prop_assert_eq!(eval(&conn, &quote(&s)), Sql::Text(s));
        }

        #[test]
        fn any_integer_round_trips(n in any::<i64>()) {
            let conn = rusqlite::Connection::open_in_memory().unwrap();
            prop_assert_eq!(eval(&conn, &literal("c", &json!(n)).unwrap()), Sql::Integer(n));
        }

        #[test]
        fn any_float_round_trips(f in any::<f64>().prop_filter("finite", |f| f.is_finite())) {
            let conn = rusqlite::Connection::open_in_memory().unwrap();
            prop_assert_eq!(eval(&conn, &literal("c", &json!(f)).unwrap()), Sql::Real(f));
        }
    }
}
