//! A site's own database: one SQLite-backed Durable Object per site
//! (`SiteStore`, bound as `SITES`), the second home [`super::exec::Db`]
//! runs statements in (ARCHITECTURE.md, "Growing past one D1 database").
//!
//! The object knows nothing of the product. It holds the same schema as
//! D1, applying `edge/migrations` itself on first use (the list is made by
//! `build.rs` from the directory), and runs what it is sent: a batch of
//! statements as one transaction, answered in D1's own result shape, so
//! every store function reads the two homes alike.
//!
//! The wire between a Worker and the object (internal; both sides are in
//! this crate): `POST` a JSON array of `{"sql": "…", "args": [null |
//! number | string, …]}`; `200` with a JSON array of
//! `{"results": [row, …], "meta": {"changes", "last_row_id", "rows_read",
//! "rows_written"}}`, one per statement, or `500` with SQLite's message
//! and nothing written.

/// The path a batch is posted to (the host is the object's own).
pub const BATCH_URL: &str = "https://site-store/batch";

/// The binding of the objects' namespace, in both Workers' configurations.
pub const BINDING: &str = "SITES";

#[cfg(feature = "office")]
mod class {
    use js_sys::{Array, Function, Reflect, JSON};
    use std::cell::Cell;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::{JsCast, JsValue};
    use worker::{durable_object, DurableObject, Env, Request, Response, State};

    /// Every migration, by file name, in the order wrangler applies them.
    const MIGRATIONS: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/migrations.rs"));

    /// Which migrations this object has applied (D1 keeps its own list in
    /// wrangler's `d1_migrations`).
    const APPLIED: &str = "CREATE TABLE IF NOT EXISTS candor_migrations \
        (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)";

    /// Exported to the runtime by the attribute (`class_name` in
    /// office.toml).
    #[durable_object(fetch)]
    pub struct SiteStore {
        state: State,
        /// The schema is known to be current in this instance's life.
        migrated: Cell<bool>,
    }

    impl DurableObject for SiteStore {
        fn new(state: State, _env: Env) -> Self {
            Self {
                state,
                migrated: Cell::new(false),
            }
        }

        async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
            let body = req.text().await?;
            let storage = self.state.storage();
            let storage: &JsValue = storage.as_raw().as_ref();
            // Nothing below awaits: the object runs one batch at a time, and
            // each runs whole inside `transactionSync`.
            let ran = Sql::of(storage).and_then(|sql| {
                if !self.migrated.get() {
                    sql.migrate()?;
                    self.migrated.set(true);
                }
                sql.batch(&body)
            });
            match ran {
                Ok(json) => {
                    let resp = Response::ok(json)?;
                    resp.headers().set("content-type", "application/json")?;
                    Ok(resp)
                }
                Err(e) => Response::error(message(&e), 500),
            }
        }
    }

    /// The object's storage and its SQL interface, as the runtime gives
    /// them (the worker crate wraps `exec` but not `transactionSync`).
    struct Sql {
        storage: JsValue,
        sql: JsValue,
    }

    impl Sql {
        fn of(storage: &JsValue) -> Result<Self, JsValue> {
            Ok(Self {
                storage: storage.clone(),
                sql: Reflect::get(storage, &"sql".into())?,
            })
        }

        /// Runs `work` as one transaction: all of it or, if it throws,
        /// none of it.
        fn transaction(
            &self,
            work: impl FnOnce() -> Result<JsValue, JsValue> + 'static,
        ) -> Result<JsValue, JsValue> {
            let run = Closure::once_into_js(work);
            method(&self.storage, "transactionSync")?.call1(&self.storage, &run)
        }

        /// Applies every migration this object has not applied yet, each in
        /// its own transaction with its record.
        fn migrate(&self) -> Result<(), JsValue> {
            exec(&self.sql, APPLIED, &Array::new())?;
            let applied = rows(&exec(
                &self.sql,
                "SELECT name FROM candor_migrations",
                &Array::new(),
            )?)?;
            let done: Vec<String> = applied
                .iter()
                .filter_map(|r| Reflect::get(&r, &"name".into()).ok()?.as_string())
                .collect();
            for (name, text) in MIGRATIONS {
                if done.iter().any(|d| d == name) {
                    continue;
                }
                let sql = self.sql.clone();
                self.transaction(move || {
                    exec(&sql, text, &Array::new())?;
                    let record = Array::of2(&(*name).into(), &js_sys::Date::now().into());
                    exec(
                        &sql,
                        "INSERT INTO candor_migrations (name, applied_at) VALUES (?, ?)",
                        &record,
                    )?;
                    Ok(JsValue::UNDEFINED)
                })?;
            }
            Ok(())
        }

        /// The batch in `body` as one transaction; its results as JSON.
        fn batch(&self, body: &str) -> Result<String, JsValue> {
            let statements: Array = JSON::parse(body)?
                .dyn_into()
                .map_err(|_| JsValue::from_str("a batch is a JSON array"))?;
            let sql = self.sql.clone();
            let results = self.transaction(move || {
                let out = Array::new();
                for statement in statements.iter() {
                    out.push(&statement_result(&sql, &statement)?);
                }
                Ok(out.into())
            })?;
            JSON::stringify(&results)?
                .as_string()
                .ok_or_else(|| "the results did not serialize".into())
        }
    }

    /// One statement run, with what D1 reports of it. `changes` is SQLite's
    /// count of rows the statement changed (the object's `rowsWritten`
    /// also counts index entries), read as D1 and Miniflare read it.
    fn statement_result(sql: &JsValue, statement: &JsValue) -> Result<JsValue, JsValue> {
        let text = Reflect::get(statement, &"sql".into())?
            .as_string()
            .ok_or_else(|| JsValue::from_str("a statement without SQL"))?;
        let args: Array = Reflect::get(statement, &"args".into())?
            .dyn_into()
            .map_err(|_| JsValue::from_str("a statement's args are a list"))?;
        let before = counters(sql)?;
        let cursor = exec(sql, &text, &args)?;
        let results = rows(&cursor)?;
        let after = counters(sql)?;
        let meta = js_sys::Object::new();
        let changes = number(&after, "c")? - number(&before, "c")?;
        Reflect::set(&meta, &"changes".into(), &changes.into())?;
        Reflect::set(&meta, &"last_row_id".into(), &number(&after, "r")?.into())?;
        for (ours, theirs) in [("rows_read", "rowsRead"), ("rows_written", "rowsWritten")] {
            Reflect::set(&meta, &ours.into(), &Reflect::get(&cursor, &theirs.into())?)?;
        }
        let out = js_sys::Object::new();
        Reflect::set(&out, &"results".into(), &results)?;
        Reflect::set(&out, &"meta".into(), &meta)?;
        Ok(out.into())
    }

    /// SQLite's running count of changed rows, and the last row id.
    fn counters(sql: &JsValue) -> Result<JsValue, JsValue> {
        let cursor = exec(
            sql,
            "SELECT total_changes() AS c, last_insert_rowid() AS r",
            &Array::new(),
        )?;
        Ok(rows(&cursor)?.get(0))
    }

    fn number(row: &JsValue, name: &str) -> Result<f64, JsValue> {
        Reflect::get(row, &name.into())?
            .as_f64()
            .ok_or_else(|| JsValue::from_str("a counter that is not a number"))
    }

    /// `sql.exec(text, ...args)`: the cursor.
    fn exec(sql: &JsValue, text: &str, args: &Array) -> Result<JsValue, JsValue> {
        let call = Array::of1(&text.into());
        for a in args.iter() {
            call.push(&a);
        }
        method(sql, "exec")?.apply(sql, &call)
    }

    /// Every row of a cursor, as objects keyed by column (D1's `results`).
    fn rows(cursor: &JsValue) -> Result<Array, JsValue> {
        method(cursor, "toArray")?
            .call0(cursor)?
            .dyn_into()
            .map_err(|_| JsValue::from_str("a cursor's rows are not a list"))
    }

    fn method(target: &JsValue, name: &str) -> Result<Function, JsValue> {
        Reflect::get(target, &name.into())?
            .dyn_into()
            .map_err(|_| JsValue::from_str(&["no ", name, "()"].concat()))
    }

    fn message(e: &JsValue) -> String {
        e.dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .or_else(|| e.as_string())
            .unwrap_or_else(|| "the site's store failed".to_owned())
    }
}
