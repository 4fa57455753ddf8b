//! The backup file: NDJSON, one object a line. Line 1 is the header
//! (`{"format":"candor-backup","version":1,"site":…,"schema":…,"exported_at":…}`),
//! every later line one row (`{"table":…,"row":{column: value,…}}`), the
//! tables in dependency order and each table's rows in primary-key order, so
//! two backups of the same data are the same bytes but for `exported_at`.

use crate::Result;
use serde_json::{Map, Value};

pub const FORMAT: &str = "candor-backup";
pub const VERSION: u64 = 1;

/// Line 1 of a backup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub site: String,
    /// The latest migration applied to the database it came from
    /// (`0010_customer_mail.sql`).
    pub schema: String,
    /// UTC, `2026-05-01T09:30:00Z`.
    pub exported_at: String,
}

impl Header {
    /// The header as its line (keys in the documented order).
    pub fn to_line(&self) -> Result<String> {
        Ok(format!(
            "{{\"format\":{},\"version\":{VERSION},\"site\":{},\"schema\":{},\"exported_at\":{}}}",
            serde_json::to_string(FORMAT)?,
            serde_json::to_string(&self.site)?,
            serde_json::to_string(&self.schema)?,
            serde_json::to_string(&self.exported_at)?,
        ))
    }

    /// Reads line 1; anything but a Candor backup header of this version is
    /// refused with what is wrong.
    pub fn parse(line: &str) -> Result<Self> {
        let not = "line 1 is not a Candor backup header";
        let v: Value = serde_json::from_str(line).map_err(|e| format!("{not}: {e}"))?;
        let o = v.as_object().ok_or(format!("{not}: not a JSON object"))?;
        if o.get("format").and_then(Value::as_str) != Some(FORMAT) {
            return Err(format!("{not}: \"format\" must be \"{FORMAT}\"").into());
        }
        match o.get("version").and_then(Value::as_u64) {
            Some(VERSION) => {}
            Some(v) => {
                return Err(format!(
                    "this backup is format version {v}; this checkout reads version {VERSION} (use the Candor version that wrote it)"
                )
                .into())
            }
            None => return Err(format!("{not}: \"version\" must be a number").into()),
        }
        let text = |key: &str| -> Result<String> {
            o.get(key)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .ok_or_else(|| format!("{not}: \"{key}\" must be a non-empty string").into())
        };
        Ok(Self {
            site: text("site")?,
            schema: text("schema")?,
            exported_at: text("exported_at")?,
        })
    }
}

/// One row line: `{"table":"…","row":{…}}`.
pub fn row_line(table: &str, row: &Map<String, Value>) -> Result<String> {
    Ok(format!(
        "{{\"table\":{},\"row\":{}}}",
        serde_json::to_string(table)?,
        serde_json::to_string(row)?
    ))
}

/// A row read back from its line.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub table: String,
    pub row: Map<String, Value>,
}

/// Reads line `n` (counted from 1) as a row. The error names the line, never
/// its contents (they are customers' data).
pub fn parse_row(n: usize, line: &str) -> Result<Row> {
    let bad = |why: &str| format!("line {n} is not a backup row: {why}");
    let v: Value = serde_json::from_str(line).map_err(|e| {
        // serde_json's message names a position, not the text.
        bad(&e.to_string())
    })?;
    let Value::Object(mut o) = v else {
        return Err(bad("not a JSON object").into());
    };
    let table = match o.remove("table") {
        Some(Value::String(t)) if !t.is_empty() => t,
        _ => return Err(bad("\"table\" must be a non-empty string").into()),
    };
    let row = match o.remove("row") {
        Some(Value::Object(r)) if !r.is_empty() => r,
        _ => return Err(bad("\"row\" must be a non-empty object").into()),
    };
    if let Some(extra) = o.keys().next() {
        return Err(bad(&format!("unexpected key {extra:?}")).into());
    }
    if let Some((column, _)) = row.iter().find(|(_, v)| v.is_array() || v.is_object()) {
        return Err(bad(&format!(
            "column {column:?} of {table} holds a nested JSON value; rows hold only strings, numbers, booleans and null"
        ))
        .into());
    }
    Ok(Row { table, row })
}

/// Milliseconds since the Unix epoch as (`YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SSZ`), UTC:
/// the domain's RFC 3339 form (one calendar for the whole project) without
/// its milliseconds.
pub fn utc(ms: u64) -> (String, String) {
    let rfc = domain::Timestamp::from_millis(i64::try_from(ms).unwrap_or(i64::MAX)).to_rfc3339();
    let date = rfc.get(..10).unwrap_or_default().to_owned();
    let time = format!("{}Z", rfc.get(..19).unwrap_or_default());
    (date, time)
}

/// Now, as [`utc`] gives it.
pub fn now_utc() -> Result<(String, String)> {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis();
    Ok(utc(u64::try_from(ms)?))
}

#[cfg(test)]
mod tests {
    use super::{parse_row, row_line, utc, Header};
    use serde_json::json;

    fn header() -> Header {
        Header {
            site: "shop".into(),
            schema: "0010_customer_mail.sql".into(),
            exported_at: "2026-05-01T09:30:00Z".into(),
        }
    }

    #[test]
    fn the_header_is_written_in_the_documented_order_and_read_back() {
        let line = header().to_line().unwrap();
        assert_eq!(
            line,
            r#"{"format":"candor-backup","version":1,"site":"shop","schema":"0010_customer_mail.sql","exported_at":"2026-05-01T09:30:00Z"}"#
        );
        assert_eq!(Header::parse(&line).unwrap(), header());
    }

    #[test]
    fn a_wrong_header_is_refused_with_the_reason() {
        let cases = [
            ("", "not a Candor backup header"),
            ("[1]", "not a JSON object"),
            (r#"{"table":"sites","row":{"key":"a"}}"#, "\"format\""),
            (r#"{"format":"other","version":1}"#, "\"format\""),
            (
                r#"{"format":"candor-backup","version":2,"site":"a","schema":"s","exported_at":"t"}"#,
                "format version 2",
            ),
            (
                r#"{"format":"candor-backup","version":"1","site":"a","schema":"s","exported_at":"t"}"#,
                "\"version\"",
            ),
            (
                r#"{"format":"candor-backup","version":1,"schema":"s","exported_at":"t"}"#,
                "\"site\"",
            ),
            (
                r#"{"format":"candor-backup","version":1,"site":"a","schema":"","exported_at":"t"}"#,
                "\"schema\"",
            ),
            (
                r#"{"format":"candor-backup","version":1,"site":"a","schema":"s"}"#,
                "\"exported_at\"",
            ),
        ];
        for (line, says) in cases {
            let err = Header::parse(line).unwrap_err().to_string();
            assert!(err.contains(says), "{line}: {err}");
        }
    }

    #[test]
    fn a_row_line_round_trips() {
        let row = json!({"id": "r1", "score": 3, "page": null, "gaps": "it's\n\"late\" — ü"});
        let row = row.as_object().unwrap().clone();
        let line = row_line("responses", &row).unwrap();
        assert!(!line.contains('\n'));
        let back = parse_row(2, &line).unwrap();
        assert_eq!(back.table, "responses");
        assert_eq!(back.row, row);
    }

    #[test]
    fn a_bad_row_line_is_named_by_number_without_its_contents() {
        let cases = [
            (
                "{\"table\":\"sites\",\"row\":{\"key\":\"secret-ana\"",
                "line 7",
            ),
            ("\"secret-ana\"", "not a JSON object"),
            (r#"{"row":{"key":"secret-ana"}}"#, "\"table\""),
            (r#"{"table":"","row":{"key":"secret-ana"}}"#, "\"table\""),
            (r#"{"table":"sites"}"#, "\"row\""),
            (r#"{"table":"sites","row":{}}"#, "\"row\""),
            (r#"{"table":"sites","row":["secret-ana"]}"#, "\"row\""),
            (
                r#"{"table":"sites","row":{"key":"a"},"more":1}"#,
                "unexpected key \"more\"",
            ),
            (
                r#"{"table":"sites","row":{"key":{"secret-ana":1}}}"#,
                "nested JSON value",
            ),
            (
                r#"{"table":"sites","row":{"key":["secret-ana"]}}"#,
                "nested",
            ),
        ];
        for (line, says) in cases {
            let err = parse_row(7, line).unwrap_err().to_string();
            assert!(err.contains("line 7"), "{line}: {err}");
            assert!(err.contains(says), "{line}: {err}");
            assert!(!err.contains("secret-ana"), "{line}: {err}");
        }
    }

    #[test]
    fn utc_dates_match_known_days() {
        assert_eq!(utc(0), ("1970-01-01".into(), "1970-01-01T00:00:00Z".into()));
        // 2000-02-29 12:34:56 UTC, a leap day of a century leap year.
        assert_eq!(utc(951_827_696_000).1, "2000-02-29T12:34:56Z");
        // 2024-12-31 23:59:59.999 UTC.
        assert_eq!(utc(1_735_689_599_999).1, "2024-12-31T23:59:59Z");
        assert_eq!(utc(1_735_689_600_000).0, "2025-01-01");
        // 2100-03-01: 2100 is not a leap year.
        assert_eq!(utc(4_107_542_400_000).0, "2100-03-01");
    }
}
