//! The query-plan guard (issue 21): every SQL statement the Worker runs
//! (each `prepare(` in `edge/src/store/*.rs`) is planned by real SQLite,
//! D1's engine, on the schema the migrations build, and a plan that walks
//! the whole of `responses`, `cases`, `events`, `deliveries` or `alerts`
//! (`SCAN <table>`, with or without `USING [COVERING] INDEX`) fails the
//! test, unless the statement is one of [`EXCEPTIONS`], each with a reason.
//! An exception that excuses no scan any more fails too, so the list only
//! shrinks.
//!
//! The statements are read from the sources, not copied: a string literal,
//! or a `format!` whose placeholders are `const`s of the file (or imported
//! from another store file), string `let`s of the same function (an
//! `if … { "a" } else { "b" }` gives both), or calls of a function of the
//! file that builds its SQL with `format!` from its `&str` arguments. What a
//! caller passes in (an outbox guard, a limit) is listed in [`FRAGMENTS`],
//! one statement planned per fragment. A `prepare(` the extractor cannot
//! read fails the test, naming its file and line.
//!
//! Every statement with its plan: `PRINT_QUERY_PLANS=1 cargo test -p xtask
//! --test query_plans -- --nocapture`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code)]
mod schema;

use rusqlite::Connection;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The tables whose every row may not be walked.
const GUARDED: [&str; 5] = ["responses", "cases", "events", "deliveries", "alerts"];

/// Statements allowed to scan a guarded table: (file, a distinctive
/// substring of the statement, why). One line each; remove a line when its
/// statement is fixed (the test fails until you do).
const EXCEPTIONS: &[(&str, &str, &str)] = &[
    ("dashboard.rs", "WHERE ?1 IS NULL AND ?6 IS NULL AND", "dashboard inbox, state=all with no site, scope or owner (a whole-company manager asked for every case ever, closed ones too): sorted for the first 500 over every case; the default view (active) and every narrower shape are index ranges"),
    ("dashboard.rs", "WHERE ?1 IS NULL AND c.state != 'closed' AND", "dashboard inbox's default view across every site: walks the partial index cases_active, which holds only the cases not closed (the work still to do), never the closed ones"),
    ("outbox.rs", "SUM(a.finished_at IS NULL) AS unfinished", "admin API alert progress (GET /v1/admin/alerts): counts every alert, finished or not, optionally of one site through cases; a whole-table aggregate, not yet a per-site statement"),
];

/// What placeholders that are not constants of the file stand for: (file,
/// the placeholder's name or argument expression, every fragment a caller
/// passes). Each fragment gives one statement to plan. An entry no
/// statement uses fails the test.
const FRAGMENTS: &[(&str, &str, &[&str])] = &[
    // `outbox::insert_if(db, alert, guard)`: the guards of its callers
    // (ingest::opened_alert; cases::record, escalation::escalate and
    // escalation::step_overdue pass `changes() = 1`).
    (
        "outbox.rs",
        "guard",
        &[
            "EXISTS (SELECT 1 FROM cases WHERE id = ?2 AND level = ?3 AND opened_at = ?6)",
            "changes() = 1",
        ],
    ),
    // `outbox::dead_letter_rows(db, site, limit)`: dead_letters (500) and
    // dead_letter_lines (200).
    ("outbox.rs", "limit", &["500", "200"]),
    // `audit::insert(db, e, now, condition)`: entry ("1") and
    // entry_if_changed ("changes() > 0").
    ("audit.rs", "condition", &["1", "changes() > 0"]),
    // escalation::cases_in_steps: `PER_TICK * 5` with PER_TICK = 100.
    ("escalation.rs", "PER_TICK * 5", &["500"]),
    // dashboard::answer_facts: `domain::insights::MAX_ANSWERS`.
    ("dashboard.rs", "domain::insights::MAX_ANSWERS", &["5000"]),
    // ingest::raise_joined_case: `Reason::Raised { .. }.slug()`.
    ("ingest.rs", "slug", &["raised"]),
    // ingest::raise_joined_case: `tier_rank("?3")`, `tier_rank("level")`,
    // `tier_rank("tier")` (`Tier::ALL` in order, ranks 0 to 4).
    (
        "ingest.rs",
        "new_rank",
        &["(CASE ?3 WHEN 'none' THEN 0 WHEN 'service' THEN 1 WHEN 'account' THEN 2 WHEN 'senior' THEN 3 WHEN 'president' THEN 4 ELSE 0 END)"],
    ),
    (
        "ingest.rs",
        "level_rank",
        &["(CASE level WHEN 'none' THEN 0 WHEN 'service' THEN 1 WHEN 'account' THEN 2 WHEN 'senior' THEN 3 WHEN 'president' THEN 4 ELSE 0 END)"],
    ),
    // ingest::insert: `n.home.still_here("?2", "?3")`, the answer's home
    // guard (homes::Home::still_here): D1's, and an object's.
    (
        "ingest.rs",
        "n.home.still_here(\"?2\", \"?3\")",
        &[
            "EXISTS (SELECT 1 FROM sites WHERE key = ?2 AND home = 'd1' AND (paused_until IS NULL OR paused_until <= ?3))",
            "true",
        ],
    ),
    // moving.rs: each statement runs for every part of a page (PARTS,
    // SITE_PARTS); planned for the one a guarded table answers by its
    // case, `events` by `case_id`, as every child part is read.
    ("moving.rs", "p.table", &["events"]),
    ("moving.rs", "p.by", &["case_id"]),
    ("moving.rs", "p.key", &["id"]),
    // … and for a site's own rows (SITE_PARTS), `fixes`.
    ("moving.rs", "sp.table", &["fixes"]),
    ("moving.rs", "sp.key", &["site, code"]),
    // moving::upsert_all: the row's columns, quoted, from `json_each`.
    ("moving.rs", "columns .iter() .map(|c| format!(\"\\\"{c}\\\"\")) .collect::<Vec<_>>() .join(\", \")", &["\"id\", \"case_id\""]),
    ("moving.rs", "values.join(\", \")", &["json_extract(value, '$.id'), json_extract(value, '$.case_id')"]),
    ("moving.rs", "on_conflict", &["UPDATE SET \"case_id\" = excluded.\"case_id\"", "NOTHING"]),
    // moving::delete_rows: one `json_extract` per key column.
    ("moving.rs", "picks.join(\", \")", &["json_extract(value, '$[0]')"]),
    (
        "ingest.rs",
        "tier_rank_now",
        &["(CASE tier WHEN 'none' THEN 0 WHEN 'service' THEN 1 WHEN 'account' THEN 2 WHEN 'senior' THEN 3 WHEN 'president' THEN 4 ELSE 0 END)"],
    ),
];

/// One statement as the Worker runs it.
#[derive(Debug, Clone)]
struct Statement {
    /// `edge/src/store/<file>`.
    file: String,
    /// The line of its `prepare(`.
    line: usize,
    sql: String,
}

impl Statement {
    fn place(&self) -> String {
        format!("edge/src/store/{}:{}", self.file, self.line)
    }
}

/// What the extractor read from the sources.
#[derive(Debug, Default)]
struct Extracted {
    statements: Vec<Statement>,
    /// `prepare(` calls read (each gives one statement or more).
    calls: usize,
    /// `file:line: why` of each `prepare(` that could not be read.
    unreadable: Vec<String>,
    /// The [`FRAGMENTS`] entries used, as (file, placeholder).
    fragments_used: BTreeSet<(String, String)>,
}

fn store_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../edge/src/store")
}

/// The executor: it runs the statements the other files write, and holds
/// none of its own (its `prepare(` takes the SQL they pass).
const EXECUTOR: &str = "exec.rs";

/// The store's sources, by file name (the executor aside).
fn store_sources() -> BTreeMap<String, String> {
    let dir = store_dir();
    std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .inspect(|path| {
            assert!(
                !path.is_dir(),
                "{}: the query-plan guard reads only the files of edge/src/store/; \
                 teach store_sources() the folder",
                path.display()
            );
        })
        .filter(|path| path.extension().is_some_and(|ext| ext == "rs"))
        .filter(|path| path.file_name().is_some_and(|name| name != EXECUTOR))
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let src = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            (name, src)
        })
        .collect()
}

/// Every statement of the store.
fn extract_store() -> Extracted {
    extract(&store_sources(), FRAGMENTS)
}

fn extract(sources: &BTreeMap<String, String>, fragments: &[(&str, &str, &[&str])]) -> Extracted {
    let mut out = Extracted::default();
    for (file, src) in sources {
        let cx = Context {
            file,
            src,
            sources,
            fragments,
        };
        for (at, _) in src.match_indices("prepare(") {
            out.calls += 1;
            let line = src[..at].matches('\n').count() + 1;
            let mut used = BTreeSet::new();
            match cx.call(at + "prepare(".len(), &mut used) {
                Ok(sqls) => {
                    out.statements.extend(sqls.into_iter().map(|sql| Statement {
                        file: file.clone(),
                        line,
                        sql,
                    }));
                    out.fragments_used.extend(used);
                }
                Err(why) => out
                    .unreadable
                    .push(format!("edge/src/store/{file}:{line}: {why}")),
            }
        }
    }
    out
}

/// One source file being read, with the others (for imported constants).
struct Context<'a> {
    file: &'a str,
    src: &'a str,
    sources: &'a BTreeMap<String, String>,
    fragments: &'a [(&'a str, &'a str, &'a [&'a str])],
}

type Used = BTreeSet<(String, String)>;

/// A `let` of the function, by name.
enum Local {
    Absent,
    /// A string, or an `if` whose branches are strings: every value.
    Strings(Vec<String>),
    /// Something else: what it holds is in [`FRAGMENTS`].
    Other,
}

impl Context<'_> {
    /// The statements of the `prepare(` whose argument starts at `at`.
    fn call(&self, at: usize, used: &mut Used) -> Result<Vec<String>, String> {
        let rest = self.src[at..].trim_start();
        let at = self.src.len() - rest.len();
        if rest.starts_with('"') || rest.starts_with("r\"") || rest.starts_with("r#") {
            let (sql, _) = literal(self.src, at)?;
            return Ok(vec![sql]);
        }
        if let Some(after) = rest.strip_prefix("format!(") {
            let at = self.src.len() - after.len();
            return self.format(at, &BTreeMap::new(), used);
        }
        // A `const` of the file, passed as it is.
        if let Some((name, _)) = rest.split_once(')') {
            if name.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
                if let Some(sql) = constant(self.src, name)? {
                    return Ok(vec![sql]);
                }
            }
        }
        Err(format!(
            "neither a string literal nor format!(\"…\"): `{}`",
            shorten(rest, 60)
        ))
    }

    /// Every expansion of the `format!(` whose arguments start at `at`;
    /// `env` gives the values of a function's `&str` parameters.
    fn format(
        &self,
        at: usize,
        env: &BTreeMap<String, String>,
        used: &mut Used,
    ) -> Result<Vec<String>, String> {
        let at = at + (self.src[at..].len() - self.src[at..].trim_start().len());
        let (template, end) = literal(self.src, at)?;
        let args = arguments(self.src, end)?;
        let mut expansions = vec![String::new()];
        let mut positional = 0;
        let mut chars = template.chars().peekable();
        let mut text = String::new();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    text.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    text.push('}');
                }
                '{' => {
                    let mut inner = String::new();
                    loop {
                        match chars.next() {
                            Some('}') => break,
                            Some(c) => inner.push(c),
                            None => return Err("unclosed `{` in format string".to_owned()),
                        }
                    }
                    let name = inner.split(':').next().unwrap_or("").trim().to_owned();
                    let expr = if name.is_empty() {
                        positional += 1;
                        args.get(positional - 1)
                            .cloned()
                            .ok_or("too few format! arguments")?
                    } else if let Ok(n) = name.parse::<usize>() {
                        args.get(n).cloned().ok_or("no such format! argument")?
                    } else {
                        args.iter()
                            .find_map(|a| {
                                let (k, v) = a.split_once('=')?;
                                (k.trim() == name).then(|| v.trim().to_owned())
                            })
                            .unwrap_or(name)
                    };
                    let values = self.resolve(&expr, at, env, used)?;
                    expansions = expansions
                        .iter()
                        .flat_map(|e| {
                            let text = &text;
                            values.iter().map(move |v| format!("{e}{text}{v}"))
                        })
                        .collect();
                    text.clear();
                }
                c => text.push(c),
            }
        }
        Ok(expansions.into_iter().map(|e| e + &text).collect())
    }

    /// The values a placeholder's expression may take, at `at` in the file.
    fn resolve(
        &self,
        expr: &str,
        at: usize,
        env: &BTreeMap<String, String>,
        used: &mut Used,
    ) -> Result<Vec<String>, String> {
        let expr = expr.split_whitespace().collect::<Vec<_>>().join(" ");
        if let Some(v) = env.get(&expr) {
            return Ok(vec![v.clone()]);
        }
        if expr.starts_with('"') {
            return Ok(vec![literal(&expr, 0)?.0]);
        }
        let is_ident = expr.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if is_ident {
            match self.local(&expr, at) {
                Local::Strings(values) => return Ok(values),
                // A `let` that is not a string: what it holds is in FRAGMENTS.
                Local::Other => {}
                Local::Absent => {
                    if let Some(value) = constant(self.src, &expr)? {
                        return Ok(vec![value]);
                    }
                    if let Some(value) = self.imported(&expr)? {
                        return Ok(vec![value]);
                    }
                }
            }
        } else if let Some(values) = self.function_call(&expr, used)? {
            return Ok(values);
        }
        if let Some((_, _, values)) = self
            .fragments
            .iter()
            .find(|(file, key, _)| *file == self.file && *key == expr)
        {
            used.insert((self.file.to_owned(), expr.clone()));
            return Ok(values.iter().map(|&v| v.to_owned()).collect());
        }
        Err(format!(
            "placeholder `{{{expr}}}` is neither a constant of the file nor a string `let` \
             of the function; add what callers pass to FRAGMENTS in xtask/tests/query_plans.rs"
        ))
    }

    /// `let NAME = "…";` (or `if … { "a" } else { "b" }`) in the function
    /// around `at`.
    fn local(&self, name: &str, at: usize) -> Local {
        let body_start = fn_start(self.src, at);
        let body = &self.src[body_start..at];
        let found = [format!("let {name} = "), format!("let {name}: &str = ")]
            .iter()
            .filter_map(|pat| body.rfind(pat.as_str()).map(|i| i + pat.len()))
            .max();
        match found {
            None => Local::Absent,
            Some(i) => {
                value_alternatives(self.src, body_start + i).map_or(Local::Other, Local::Strings)
            }
        }
    }

    /// A constant imported with `use super::<module>::{…, NAME, …}`.
    fn imported(&self, name: &str) -> Result<Option<String>, String> {
        for line in self.src.lines() {
            let Some(path) = line.trim().strip_prefix("use super::") else {
                continue;
            };
            let Some((module, items)) = path.split_once("::") else {
                continue;
            };
            let names_it = items
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .any(|word| word == name);
            if names_it {
                if let Some(other) = self.sources.get(&format!("{module}.rs")) {
                    return constant(other, name);
                }
            }
        }
        Ok(None)
    }

    /// `f("a", "b")` where `fn f(x: &str, …)` of the file returns a
    /// `format!` of its parameters or `if … { "a" } else { "b" }`.
    fn function_call(&self, expr: &str, used: &mut Used) -> Result<Option<Vec<String>>, String> {
        let Some((name, rest)) = expr.split_once('(') else {
            return Ok(None);
        };
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Ok(None);
        }
        let Some(def) = self.src.find(&format!("fn {name}(")) else {
            return Ok(None);
        };
        let params_at = def + "fn (".len() + name.len();
        let params_end = params_at + self.src[params_at..].find(')').ok_or("unclosed fn")?;
        let params: Vec<&str> = self.src[params_at..params_end]
            .split(',')
            .filter_map(|p| p.split_once(':').map(|(n, _)| n.trim()))
            .collect();
        let body_at = params_end + self.src[params_end..].find('{').ok_or("no fn body")? + 1;
        let body = self.src[body_at..].trim_start();
        let body_at = self.src.len() - body.len();
        if let Some(after) = body.strip_prefix("format!(") {
            let inside = rest.strip_suffix(')').ok_or("unreadable call")?;
            let args = arguments(&format!(",{inside})"), 0)?;
            if args.len() != params.len() {
                return Ok(None);
            }
            let mut env = BTreeMap::new();
            for (param, arg) in params.iter().zip(&args) {
                if !arg.starts_with('"') {
                    return Ok(None);
                }
                env.insert((*param).to_owned(), literal(arg, 0)?.0);
            }
            let at = self.src.len() - after.len();
            return self.format(at, &env, used).map(Some);
        }
        Ok(value_alternatives(self.src, body_at))
    }
}

/// Where the innermost `fn` item before `at` starts.
fn fn_start(src: &str, at: usize) -> usize {
    src[..at]
        .rmatch_indices("fn ")
        .map(|(i, _)| i)
        .find(|&i| i == 0 || !src.as_bytes()[i - 1].is_ascii_alphanumeric())
        .unwrap_or(0)
}

/// The value of an initializer or body at `at`: a string literal, or an
/// `if` whose every branch is one. `None` for anything else.
fn value_alternatives(src: &str, at: usize) -> Option<Vec<String>> {
    let rest = src[at..].trim_start();
    let at = src.len() - rest.len();
    if rest.starts_with('"') {
        return literal(src, at).ok().map(|(v, _)| vec![v]);
    }
    if !rest.starts_with("if ") {
        return None;
    }
    let mut values = Vec::new();
    let mut i = at;
    // Branches: `{ "…" }` after the condition and after each `else`.
    loop {
        let open = i + src[i..].find('{')?;
        let inner = src[open + 1..].trim_start();
        let lit_at = src.len() - inner.len();
        let (value, end) = literal(src, lit_at).ok()?;
        values.push(value);
        let after = src[end..].trim_start();
        let after = after.strip_prefix('}')?.trim_start();
        let Some(next) = after.strip_prefix("else") else {
            break;
        };
        if next.trim_start().starts_with("if ") {
            return None;
        }
        i = src.len() - next.len();
    }
    Some(values)
}

/// `const NAME: … = <string or integer literal>;` of `src`.
fn constant(src: &str, name: &str) -> Result<Option<String>, String> {
    let Some(i) = src.find(&format!("const {name}: ")) else {
        return Ok(None);
    };
    let eq = i + src[i..].find('=').ok_or("const without a value")? + 1;
    let rest = src[eq..].trim_start();
    if rest.starts_with('"') {
        return literal(src, src.len() - rest.len()).map(|(v, _)| Some(v));
    }
    let value = rest.split(';').next().unwrap_or("").trim();
    if !value.is_empty() && value.chars().all(|c| c.is_ascii_digit() || c == '_') {
        return Ok(Some(value.replace('_', "")));
    }
    Err(format!(
        "const {name} is neither a string nor an integer literal"
    ))
}

/// A Rust string literal (plain or raw) starting at `at`: its value and
/// where it ends.
fn literal(src: &str, at: usize) -> Result<(String, usize), String> {
    let rest = &src[at..];
    if let Some(raw) = rest.strip_prefix('r') {
        let hashes = raw.chars().take_while(|&c| c == '#').count();
        let body = raw[hashes..]
            .strip_prefix('"')
            .ok_or("unreadable raw string")?;
        let close = format!("\"{}", "#".repeat(hashes));
        let end = body.find(&close).ok_or("unclosed raw string")?;
        let body_at = src.len() - body.len();
        return Ok((body[..end].to_owned(), body_at + end + close.len()));
    }
    let mut chars = rest.char_indices();
    if chars.next().map(|(_, c)| c) != Some('"') {
        return Err(format!(
            "expected a string literal at `{}`",
            shorten(rest, 40)
        ));
    }
    let mut value = String::new();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((value, at + i + 1)),
            '\\' => match chars.next().map(|(_, c)| c) {
                Some('\n') => {
                    // A line continuation: the newline and the next line's
                    // leading whitespace are dropped.
                    let skip = rest[i + 2..].len() - rest[i + 2..].trim_start().len();
                    for _ in rest[i + 2..i + 2 + skip].chars() {
                        chars.next();
                    }
                }
                Some('n') => value.push('\n'),
                Some('t') => value.push('\t'),
                Some('r') => value.push('\r'),
                Some('0') => value.push('\0'),
                Some(c @ ('\\' | '"' | '\'')) => value.push(c),
                other => return Err(format!("unsupported escape \\{other:?} in a literal")),
            },
            c => value.push(c),
        }
    }
    Err("unclosed string literal".to_owned())
}

/// The arguments after a `format!` string ending at `at`, as text, up to
/// the closing `)`.
fn arguments(src: &str, at: usize) -> Result<Vec<String>, String> {
    let mut args = Vec::new();
    let mut current = String::new();
    let mut depth = 0usize;
    let mut chars = src[at..].char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                let (_, end) = literal(src, at + i)?;
                current.push_str(&src[at + i..end]);
                while chars.next().is_some_and(|(j, _)| at + j + 1 < end) {}
            }
            '(' | '[' | '{' => {
                depth += 1;
                current.push(c);
            }
            ')' | ']' | '}' if depth > 0 => {
                depth -= 1;
                current.push(c);
            }
            ')' => {
                args.push(current);
                return Ok(args
                    .into_iter()
                    .map(|a| a.split_whitespace().collect::<Vec<_>>().join(" "))
                    .filter(|a| !a.is_empty())
                    .collect());
            }
            ',' if depth == 0 => args.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    Err("unclosed format!(".to_owned())
}

/// `sql` in one line, its middle left out past `max` characters (the
/// start says what it reads, the end its filter and order).
fn shorten_sql(sql: &str, max: usize) -> String {
    let sql = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    let chars: Vec<char> = sql.chars().collect();
    if chars.len() <= max {
        return sql;
    }
    let head: String = chars[..max / 2].iter().collect();
    let tail: String = chars[chars.len() - max / 2..].iter().collect();
    format!("{head} … {tail}")
}

fn shorten(s: &str, max: usize) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() <= max {
        s
    } else {
        format!("{}…", s.chars().take(max).collect::<String>())
    }
}

/// The schema of every migration, in memory.
fn database() -> Connection {
    schema::migrated()
}

/// The detail lines of `sql`'s query plan.
fn plan(db: &Connection, sql: &str) -> rusqlite::Result<Vec<String>> {
    let mut stmt = db.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
    // Unbound parameters (`?1`…) are NULL to SQLite; rusqlite's checked
    // `query` would refuse them.
    let mut rows = stmt.raw_query();
    let mut details = Vec::new();
    while let Some(row) = rows.next()? {
        details.push(row.get::<_, String>(3)?);
    }
    Ok(details)
}

/// The names that stand for each table in `sql`: the table itself and
/// every alias given to it (`responses r`, `responses AS r`).
fn names(sql: &str, tables: &[String]) -> BTreeMap<String, BTreeSet<String>> {
    const NOT_ALIASES: &[&str] = &[
        "where",
        "join",
        "left",
        "inner",
        "cross",
        "natural",
        "on",
        "set",
        "order",
        "group",
        "limit",
        "union",
        "except",
        "intersect",
        "using",
        "values",
        "select",
        "default",
        "returning",
        "when",
        "then",
        "else",
        "end",
        "and",
        "or",
        "not",
        "in",
        "is",
        "do",
        "indexed",
        "having",
        "window",
        "as",
    ];
    let words = words(sql);
    let mut names: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (i, w) in words.iter().enumerate() {
        let Some(table) = tables.iter().find(|t| t.eq_ignore_ascii_case(w)) else {
            continue;
        };
        names
            .entry(table.clone())
            .or_default()
            .insert(table.clone());
        let mut next = words.get(i + 1);
        if next.is_some_and(|n| n.eq_ignore_ascii_case("as")) {
            next = words.get(i + 2);
        }
        if let Some(alias) = next.filter(|n| {
            n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !NOT_ALIASES.contains(&n.to_ascii_lowercase().as_str())
        }) {
            names
                .entry(alias.clone())
                .or_default()
                .insert(table.clone());
        }
    }
    names
}

/// The words and punctuation of `sql`, string literals left out.
fn words(sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut in_string = false;
    for c in sql.chars() {
        if in_string {
            in_string = c != '\'';
            continue;
        }
        if c.is_ascii_alphanumeric() || c == '_' {
            word.push(c);
            continue;
        }
        if !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
        if c == '\'' {
            in_string = true;
        } else if !c.is_whitespace() {
            out.push(c.to_string());
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// A plan row that walks a guarded table.
#[derive(Debug, Clone)]
struct Scan {
    table: String,
    row: String,
}

/// The scans of guarded tables in `sql`'s plan.
fn scans(db: &Connection, sql: &str, tables: &[String]) -> Result<Vec<Scan>, String> {
    let rows = plan(db, sql).map_err(|e| format!("SQLite cannot plan it: {e}"))?;
    let names = names(sql, tables);
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let target = row.strip_prefix("SCAN ")?.split_whitespace().next()?;
            let candidates = names.get(target)?;
            let table = candidates
                .iter()
                .filter(|t| GUARDED.contains(&t.as_str()))
                .cloned()
                .collect::<Vec<_>>()
                .join(" or ");
            (!table.is_empty()).then_some(Scan { table, row })
        })
        .collect())
}

/// What checking every statement found.
#[derive(Debug, Default)]
struct Report {
    checked: usize,
    failures: Vec<String>,
    /// Indexes into the exception list that excused a scan.
    used: BTreeSet<usize>,
}

fn check(db: &Connection, statements: &[Statement], exceptions: &[(&str, &str, &str)]) -> Report {
    let tables = schema::tables(db);
    let mut report = Report::default();
    for s in statements {
        report.checked += 1;
        let found = match scans(db, &s.sql, &tables) {
            Ok(found) => found,
            Err(e) => {
                report.failures.push(format!(
                    "{}: {e}\n    statement: {}",
                    s.place(),
                    shorten_sql(&s.sql, 400)
                ));
                continue;
            }
        };
        if found.is_empty() {
            continue;
        }
        let excuse = exceptions
            .iter()
            .position(|(file, part, _)| *file == s.file && s.sql.contains(part));
        if let Some(i) = excuse {
            report.used.insert(i);
            continue;
        }
        for scan in found {
            report.failures.push(format!(
                "{}: `{}` walks all of `{}`\n    statement: {}",
                s.place(),
                scan.row,
                scan.table,
                shorten_sql(&s.sql, 300)
            ));
        }
    }
    for (i, (file, part, why)) in exceptions.iter().enumerate() {
        if !report.used.contains(&i) {
            report.failures.push(format!(
                "exception ({file}, `{part}`: {why}) excuses no scan any more: remove it from \
                 EXCEPTIONS in xtask/tests/query_plans.rs"
            ));
        }
    }
    report
}

#[test]
fn the_extractor_reads_every_prepare_of_the_store() {
    let sources = store_sources();
    let calls: usize = sources
        .values()
        .map(|s| s.matches("prepare(").count())
        .sum();
    let x = extract_store();
    assert!(
        x.unreadable.is_empty(),
        "these `prepare(` calls could not be read (the query-plan guard must see every statement):\n{}",
        x.unreadable.join("\n")
    );
    assert_eq!(x.calls, calls);
    assert!(
        x.statements.len() >= calls,
        "{} statements from {calls} `prepare(` calls",
        x.statements.len()
    );
    let lines: BTreeSet<(String, usize)> = x
        .statements
        .iter()
        .map(|s| (s.file.clone(), s.line))
        .collect();
    for (file, src) in &sources {
        for (at, _) in src.match_indices("prepare(") {
            let line = src[..at].matches('\n').count() + 1;
            assert!(
                lines.contains(&(file.clone(), line)),
                "edge/src/store/{file}:{line}: no statement extracted"
            );
        }
    }
    for s in &x.statements {
        assert!(
            !s.sql.contains('{') || s.sql.contains("'{}'"),
            "{}: a placeholder was left in: {}",
            s.place(),
            shorten(&s.sql, 240)
        );
    }
    let stale: Vec<String> = FRAGMENTS
        .iter()
        .filter(|(file, key, _)| {
            !x.fragments_used
                .contains(&((*file).to_owned(), (*key).to_owned()))
        })
        .map(|(file, key, _)| format!("{file}: {{{key}}}"))
        .collect();
    assert!(
        stale.is_empty(),
        "FRAGMENTS entries no statement uses any more (remove them):\n{}",
        stale.join("\n")
    );
}

#[test]
fn the_extractor_reads_literals_formats_and_fragments() {
    let src = r##"
const COLS: &str = "a, \
                    b";
const N: u32 = 1_000;
fn sql(x: &str) -> String {
    format!("SELECT id FROM t WHERE k = {x}")
}
fn tail(secret: bool) -> &'static str {
    if secret { ", c = ''" } else { "" }
}
async fn one(db: &D1Database, limit: u32) {
    let w = "w = 1";
    db.prepare("SELECT \"q\" FROM t \
                WHERE w = '{}'");
    db.prepare(format!("SELECT {COLS} FROM t WHERE {w} AND id IN ({}) LIMIT {N} {{x}}", sql("?1")));
    db.prepare(format!("UPDATE t SET b = 1{} WHERE {guard} LIMIT {limit}", tail(true)));
    db.prepare(r#"SELECT 1"#);
}
"##;
    let sources = BTreeMap::from([("t.rs".to_owned(), src.to_owned())]);
    let x = extract(
        &sources,
        &[("t.rs", "guard", &["g1", "g2"]), ("t.rs", "limit", &["5"])],
    );
    assert!(x.unreadable.is_empty(), "{:?}", x.unreadable);
    let sqls: Vec<&str> = x.statements.iter().map(|s| s.sql.as_str()).collect();
    assert_eq!(
        sqls,
        [
            "SELECT \"q\" FROM t WHERE w = '{}'",
            "SELECT a, b FROM t WHERE w = 1 AND id IN (SELECT id FROM t WHERE k = ?1) LIMIT 1000 {x}",
            "UPDATE t SET b = 1, c = '' WHERE g1 LIMIT 5",
            "UPDATE t SET b = 1, c = '' WHERE g2 LIMIT 5",
            "UPDATE t SET b = 1 WHERE g1 LIMIT 5",
            "UPDATE t SET b = 1 WHERE g2 LIMIT 5",
            "SELECT 1",
        ]
    );
    assert_eq!(x.statements[1].line, 15);

    let unknown =
        "fn f() {\n    db.prepare(format!(\"SELECT {what}\"));\n    db.prepare(sql);\n}\n";
    let sources = BTreeMap::from([("u.rs".to_owned(), unknown.to_owned())]);
    let x = extract(&sources, &[]);
    assert_eq!(x.calls, 2);
    assert_eq!(x.unreadable.len(), 2, "{:?}", x.unreadable);
    assert!(x.unreadable[0].starts_with("edge/src/store/u.rs:2: placeholder `{what}`"));
    assert!(x.unreadable[1].starts_with("edge/src/store/u.rs:3: neither"));
}

#[test]
fn a_scan_of_a_guarded_table_is_reported() {
    let db = database();
    let statement = |sql: &str| Statement {
        file: "x.rs".to_owned(),
        line: 7,
        sql: sql.to_owned(),
    };
    let report = check(
        &db,
        &[
            statement("SELECT id FROM responses WHERE gaps = ?1"),
            statement("SELECT r.id FROM responses AS r WHERE r.gaps = ?1"),
            statement("SELECT id FROM responses WHERE id = ?1"),
            statement("SELECT key FROM sites WHERE copy = ?1"),
            statement("SELECT nope FROM responses"),
        ],
        &[],
    );
    assert_eq!(report.checked, 5);
    assert_eq!(report.failures.len(), 3, "{:#?}", report.failures);
    assert!(report.failures[0]
        .starts_with("edge/src/store/x.rs:7: `SCAN responses` walks all of `responses`"));
    assert!(report.failures[0].contains("statement: SELECT id FROM responses WHERE gaps = ?1"));
    assert!(report.failures[1].contains("`SCAN r` walks all of `responses`"));
    assert!(report.failures[2].contains("SQLite cannot plan it: no such column: nope"));

    let excused = check(
        &db,
        &[statement("SELECT id FROM responses WHERE gaps = ?1")],
        &[("x.rs", "gaps = ?1", "a test")],
    );
    assert!(excused.failures.is_empty(), "{:#?}", excused.failures);
    assert_eq!(excused.used, BTreeSet::from([0]));

    // An exception whose statement no longer scans fails, so the list
    // only shrinks.
    let stale = check(
        &db,
        &[statement("SELECT id FROM responses WHERE id = ?1")],
        &[("x.rs", "id = ?1", "fixed since")],
    );
    assert_eq!(stale.failures.len(), 1, "{:#?}", stale.failures);
    assert!(stale.failures[0].contains("excuses no scan any more"));
}

#[test]
fn no_statement_of_the_store_walks_a_big_table() {
    let x = extract_store();
    assert!(x.unreadable.is_empty(), "{}", x.unreadable.join("\n"));
    let db = database();
    // Every statement with its plan, for finding the index one needs:
    // `PRINT_QUERY_PLANS=1 cargo test -p xtask --test query_plans -- --nocapture`.
    if std::env::var_os("PRINT_QUERY_PLANS").is_some() {
        for s in &x.statements {
            println!("{}\n  {}\n  {:?}\n", s.place(), s.sql, plan(&db, &s.sql));
        }
    }
    let report = check(&db, &x.statements, EXCEPTIONS);
    assert!(
        report.failures.is_empty(),
        "the query-plan guard: {} failures among {} statements (fix the statement or its index; or, \
         with a reason, list it in EXCEPTIONS in xtask/tests/query_plans.rs):\n\n{}",
        report.failures.len(),
        report.checked,
        report.failures.join("\n\n")
    );
    println!(
        "query plans: {} statements from {} prepare( calls checked; {} exceptions in use",
        report.checked,
        x.calls,
        report.used.len()
    );
}

#[test]
fn the_executor_writes_no_sql_of_its_own() {
    let path = store_dir().join(EXECUTOR);
    let src = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
        .to_uppercase();
    for verb in [
        "SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "REPLACE", "PRAGMA",
    ] {
        assert!(
            !src.contains(&format!("\"{verb} ")) && !src.contains(&format!("\"{verb}\\")),
            "{} writes a {verb} statement: SQL belongs in the other store files, \
             where the query-plan guard reads it",
            path.display()
        );
    }
}
