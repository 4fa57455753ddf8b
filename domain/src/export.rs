//! Export formats for `GET /v1/admin/export`: CSV (RFC 4180) with formula
//! cells neutralised, and NDJSON.

/// One CSV cell. A cell a spreadsheet would run as a formula (starting with
/// `= + - @`, or a tab or carriage return) gets a leading `'`; a cell with a
/// comma, quote or line break is quoted, quotes doubled.
pub fn csv_cell(value: &str) -> String {
    let neutral = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if neutral.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", neutral.replace('"', "\"\""))
    } else {
        neutral
    }
}

/// One CSV record, CRLF-terminated as RFC 4180 says.
pub fn csv_row<S: AsRef<str>>(cells: &[S]) -> String {
    let mut line = cells
        .iter()
        .map(|c| csv_cell(c.as_ref()))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

/// One NDJSON line: JSON never contains a raw newline, so one value per line.
pub fn ndjson_line(value: &serde_json::Value) -> String {
    let mut line = value.to_string();
    line.push('\n');
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A strict RFC 4180 reader for one record, to check what we write.
    fn parse_record(line: &str) -> Vec<String> {
        let body = line.strip_suffix("\r\n").unwrap();
        let (mut cells, mut cur, mut quoted, mut chars) =
            (vec![], String::new(), false, body.chars().peekable());
        while let Some(c) = chars.next() {
            match (quoted, c) {
                (false, ',') => cells.push(std::mem::take(&mut cur)),
                (false, '"') if cur.is_empty() => quoted = true,
                (true, '"') if chars.peek() == Some(&'"') => {
                    chars.next();
                    cur.push('"');
                }
                (true, '"') => quoted = false,
                (_, c) => cur.push(c),
            }
        }
        cells.push(cur);
        cells
    }

    #[test]
    fn formulas_are_neutralised_and_quoting_is_rfc4180() {
        assert_eq!(
            csv_cell("=HYPERLINK(\"http://x\")"),
            "\"'=HYPERLINK(\"\"http://x\"\")\""
        );
        assert_eq!(csv_cell("+1 555"), "'+1 555");
        assert_eq!(csv_cell("-2"), "'-2");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_row(&["id", "gaps"]), "id,gaps\r\n");
    }

    #[test]
    fn ndjson_is_one_value_per_line() {
        let v = serde_json::json!({"gaps": "line one\nline two"});
        let line = ndjson_line(&v);
        assert_eq!(line.matches('\n').count(), 1);
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(line.trim_end()).unwrap(),
            v
        );
    }

    proptest! {
        #[test]
        fn cells_roundtrip_and_never_start_a_formula(cells in proptest::collection::vec(any::<String>(), 1..6)) {
            let parsed = parse_record(&csv_row(&cells));
            prop_assert_eq!(parsed.len(), cells.len());
            for (got, want) in parsed.iter().zip(&cells) {
                prop_assert!(!got.starts_with(['=', '+', '-', '@', '\t', '\r']));
                let restored = if got.len() == want.len() + 1 { got.strip_prefix('\'').unwrap_or(got) } else { got };
                prop_assert_eq!(restored, want.as_str());
            }
        }
    }
}
