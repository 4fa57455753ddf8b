//! Which tables hold a site's lasting data, how each row belongs to a site,
//! and the order they are written and restored in: every table after the
//! tables its foreign keys and its site test name, so a restore inserts a
//! parent before its children and a wipe (the reverse) deletes children
//! first. Tests below hold this list to the migrations in real SQLite.

use super::sql::{ident, literal, quote};
use crate::Result;
use serde_json::{Map, Value};
use std::fmt::Write;

/// One exported table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Table {
    pub name: &'static str,
    /// Its primary key, in order: rows are written in this order and paged
    /// by it (keyset, so a large site is read a page at a time).
    pub key: &'static [&'static str],
    /// The rows of the site `$site` (an SQL condition; `$site` is replaced
    /// by the quoted key). It names only tables earlier in [`TABLES`].
    pub of_site: &'static str,
    /// Why it is in a backup.
    pub why: &'static str,
}

const fn table(
    name: &'static str,
    key: &'static [&'static str],
    of_site: &'static str,
    why: &'static str,
) -> Table {
    Table {
        name,
        key,
        of_site,
        why,
    }
}

pub const BY_SITE: &str = "site = $site";
const VIA_CASE: &str = "case_id IN (SELECT id FROM cases WHERE site = $site)";
const VIA_RESPONSE: &str = "response_id IN (SELECT id FROM responses WHERE site = $site)";
/// Changes to the site's settings and recipients and its exports name the
/// site; an erasure names the answer, a revealed URL the recipient.
/// (Changes to people and keys are the deployment's.)
const AUDIT: &str = "(subject = $site \
    AND action IN ('settings_saved', 'recipient_added', 'recipient_removed', 'exported')) \
    OR (action = 'erased' AND subject IN (SELECT id FROM responses WHERE site = $site)) \
    OR (action = 'recipient_url_revealed' \
        AND subject IN (SELECT id FROM recipients WHERE site = $site))";

/// The exported tables, in dependency order.
pub const TABLES: [Table; 14] = [
    table(
        "sites",
        &["key"],
        "key = $site",
        "its settings, Turnstile secret included",
    ),
    table(
        "recipients",
        &["id"],
        BY_SITE,
        "chat recipients: URLs and webhook secrets",
    ),
    table(
        "responses",
        &["id"],
        BY_SITE,
        "every answer, with the customer's contact",
    ),
    table("cases", &["id"], BY_SITE, "the cases its answers opened"),
    table(
        "events",
        &["id"],
        VIA_CASE,
        "each case's log: every step, who, when",
    ),
    table(
        "alerts",
        &["id"],
        VIA_CASE,
        "the outbox: a restored unfinished alert is sent",
    ),
    table(
        "deliveries",
        &["id"],
        VIA_CASE,
        "every delivery attempt, shown on the case",
    ),
    table(
        "dead_letters",
        &["alert_id", "recipient_id"],
        VIA_CASE,
        "alerts that could not be delivered, with Retry",
    ),
    table(
        "step_alerts",
        &["case_id", "step"],
        VIA_CASE,
        "which missed steps were alerted, so none is alerted twice",
    ),
    table(
        "answer_tags",
        &["response_id", "tag"],
        VIA_RESPONSE,
        "root-cause tags on answers",
    ),
    table(
        "mails",
        &["id"],
        VIA_CASE,
        "mail to customers about a case; staff mail has no case and stays out",
    ),
    table(
        "fixes",
        &["site", "code"],
        BY_SITE,
        "systemic fixes and their status",
    ),
    table(
        "counters",
        &["site", "day", "name"],
        BY_SITE,
        "abuse counters per day, shown with its settings",
    ),
    table(
        "audit",
        &["id"],
        AUDIT,
        "who changed its settings and recipients, exported, erased",
    ),
];

/// The tables a backup leaves out, and why.
pub const LEFT_OUT: [(&str, &str); 8] = [
    (
        "people",
        "accounts of the whole deployment (sites '*' or a list); a case keeps its owner's name",
    ),
    (
        "api_keys",
        "the deployment's, and secret by nature (key hashes): make new keys",
    ),
    (
        "sessions",
        "transient (12 hours) and secret by nature: everyone signs in again",
    ),
    (
        "sign_in_links",
        "transient (15 minutes) and secret by nature",
    ),
    (
        "rate_windows",
        "transient per-minute counters, keyed by a hash that names no site",
    ),
    (
        "notices",
        "a throttle (when a site was last told of dead letters): at worst one notice again",
    ),
    (
        "d1_migrations",
        "wrangler's record of the schema: the header's \"schema\" names the latest",
    ),
    (
        "sqlite_sequence",
        "SQLite's own: inserting a row with its id moves it on",
    ),
];

/// `t`'s condition for `site`.
pub fn of_site(t: &Table, site: &str) -> String {
    t.of_site.replace("$site", &quote(site))
}

/// The table called `name`, if it is exported.
pub fn find(name: &str) -> Option<&'static Table> {
    TABLES.iter().find(|t| t.name == name)
}

/// The next `limit` rows of `site` in `t` after the row `after` (by key),
/// in key order.
pub fn page(
    t: &Table,
    site: &str,
    after: Option<&Map<String, Value>>,
    limit: usize,
) -> Result<String> {
    let key = t.key.iter().map(|k| ident(k)).collect::<Result<Vec<_>>>()?;
    let mut sql = format!(
        "SELECT * FROM {} WHERE ({})",
        ident(t.name)?,
        of_site(t, site)
    );
    if let Some(row) = after {
        let values = t
            .key
            .iter()
            .map(|k| {
                let v = row
                    .get(*k)
                    .ok_or_else(|| format!("a row of {} has no {k}", t.name))?;
                literal(k, v)
            })
            .collect::<Result<Vec<_>>>()?;
        let _ = write!(sql, " AND ({}) > ({})", key.join(", "), values.join(", "));
    }
    let _ = write!(sql, " ORDER BY {} LIMIT {limit}", key.join(", "));
    Ok(sql)
}

/// One statement counting `site`'s rows in every table: one row, a column
/// per table. (Scalar subqueries, not a compound SELECT: D1 allows few
/// terms in one.)
pub fn counts(site: &str) -> Result<String> {
    let parts = TABLES
        .iter()
        .map(|t| {
            let name = ident(t.name)?;
            Ok(format!(
                "(SELECT COUNT(*) FROM {name} WHERE {}) AS {name}",
                of_site(t, site)
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(format!("SELECT {}", parts.join(", ")))
}

/// Statements deleting every exported row of `site`, children first.
pub fn wipe(site: &str) -> Result<Vec<String>> {
    TABLES
        .iter()
        .rev()
        .map(|t| {
            Ok(format!(
                "DELETE FROM {} WHERE {};",
                ident(t.name)?,
                of_site(t, site)
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{counts, find, of_site, page, wipe, LEFT_OUT, TABLES};
    use rusqlite::Connection;
    use serde_json::json;

    /// Every migration applied to an empty in-memory SQLite, foreign keys on
    /// as in D1.
    fn migrated() -> Connection {
        crate::schema::migrated()
    }

    /// The Worker's move (`edge/src/store/moving.rs`) copies, compares and
    /// purges the site's rows table by table; a table a backup holds that
    /// the move forgot would stay behind in D1. Every backed-up table is
    /// moved, or named here with why it stays.
    #[test]
    fn the_move_takes_every_table_of_a_site_a_backup_holds() {
        const STAYS: [(&str, &str); 4] = [
            (
                "sites",
                "the registry's row; copied and mirrored, never moved",
            ),
            (
                "recipients",
                "settings, kept in D1 and mirrored into the object",
            ),
            ("counters", "abuse counters, written by the front in D1"),
            ("audit", "the deployment's record"),
        ];
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let moving =
            std::fs::read_to_string(root.join("edge/src/store/moving.rs")).unwrap_or_default();
        let moved: Vec<&str> = moving
            .split("part(\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .collect();
        assert!(moved.contains(&"responses"), "the move's parts are read");
        for t in TABLES {
            assert!(
                moved.contains(&t.name) || STAYS.iter().any(|(name, _)| *name == t.name),
                "{}: backed up, but the move neither takes it nor says why it stays",
                t.name
            );
        }
    }

    fn strings(conn: &Connection, sql: &str) -> Vec<String> {
        let mut s = conn.prepare(sql).unwrap();
        s.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    #[test]
    fn every_table_of_the_migrations_is_exported_or_left_out_with_a_reason() {
        let conn = migrated();
        let tables = strings(
            &conn,
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        );
        for t in &tables {
            let exported = find(t).is_some();
            let left_out = LEFT_OUT.iter().any(|(n, _)| n == t);
            assert!(
                exported != left_out,
                "table {t}: add it to TABLES (with how its rows belong to a site) or to LEFT_OUT (with why), once"
            );
        }
        for t in &TABLES {
            assert!(
                tables.iter().any(|n| n == t.name),
                "{} is not in the migrations",
                t.name
            );
        }
        for (t, why) in LEFT_OUT {
            assert!(!why.is_empty(), "{t}");
        }
        for t in &TABLES {
            assert!(!t.why.is_empty(), "{}", t.name);
        }
    }

    #[test]
    fn each_key_is_the_tables_primary_key_in_order() {
        let conn = migrated();
        for t in &TABLES {
            // `pk` is the column's position in the primary key (0 = not in it).
            let mut s = conn
                .prepare(&format!(
                    "SELECT name FROM pragma_table_info('{}') WHERE pk > 0 ORDER BY pk",
                    t.name
                ))
                .unwrap();
            let pk: Vec<String> = s
                .query_map([], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            assert_eq!(pk, t.key, "{}", t.name);
        }
    }

    #[test]
    fn tables_come_after_what_their_foreign_keys_and_site_tests_name() {
        let conn = migrated();
        for (i, t) in TABLES.iter().enumerate() {
            let earlier: Vec<&str> = TABLES[..i].iter().map(|t| t.name).collect();
            let parents = strings(
                &conn,
                &format!(
                    "SELECT \"table\" FROM pragma_foreign_key_list('{}')",
                    t.name
                ),
            );
            for p in parents {
                assert!(
                    earlier.contains(&p.as_str()),
                    "{} refers to {p}, which must come before it in TABLES",
                    t.name
                );
            }
            for other in &TABLES {
                let named = t.of_site.contains(&format!("FROM {} ", other.name));
                assert!(
                    !named || earlier.contains(&other.name),
                    "{}'s site test reads {}, which must come before it",
                    t.name,
                    other.name
                );
            }
        }
    }

    #[test]
    fn the_statements_are_valid_sqlite() {
        let conn = migrated();
        for t in &TABLES {
            conn.prepare(&page(t, "it's", None, 10).unwrap()).unwrap();
            let row = t
                .key
                .iter()
                .map(|k| ((*k).to_owned(), json!("x'y")))
                .collect::<serde_json::Map<_, _>>();
            conn.prepare(&page(t, "a", Some(&row), 10).unwrap())
                .unwrap();
            assert!(of_site(t, "it's").contains("'it''s'"));
        }
        conn.prepare(&counts("a").unwrap()).unwrap();
        conn.execute_batch(&wipe("a").unwrap().join("\n")).unwrap();
    }

    #[test]
    fn a_page_after_a_row_starts_past_its_key() {
        let t = find("dead_letters").unwrap();
        let row = json!({"alert_id": "al", "recipient_id": "r'1", "why": "x"});
        let sql = page(t, "s", row.as_object(), 500).unwrap();
        assert!(
            sql.ends_with(
                "AND (\"alert_id\", \"recipient_id\") > ('al', 'r''1') ORDER BY \"alert_id\", \"recipient_id\" LIMIT 500"
            ),
            "{sql}"
        );
        let err = page(t, "s", json!({"alert_id": "al"}).as_object(), 5).unwrap_err();
        assert!(err.to_string().contains("recipient_id"), "{err}");
    }

    #[test]
    fn the_wipe_deletes_children_first() {
        let w = wipe("s").unwrap();
        assert!(w[0].starts_with("DELETE FROM \"audit\""), "{}", w[0]);
        assert!(w[w.len() - 1].starts_with("DELETE FROM \"sites\""));
    }
}
