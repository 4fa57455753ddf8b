//! The executor seam: the one place a statement reaches a database.
//!
//! Store functions build [`Stmt`]s (SQL text and its arguments, nothing
//! bound to a database yet) and run them here, one at a time or as one
//! transaction ([`Db::batch`]), in one of two homes: the D1 binding `DB`,
//! where every site lived first and the control data (sites, people,
//! sessions) stays, or a site's own SQLite Durable Object
//! ([`super::object`]), which runs the same statements and answers in D1's
//! shape. That is why a statement is plain data until it runs.
//!
//! Each result's row counts go to the request's tally ([`super::meter`]),
//! read straight off D1's `meta` object: converting the whole object
//! through serde for two numbers was 2–3 % of the Worker's CPU under load
//! (BENCHMARKS.md, "Where the Rust Worker's CPU goes").

use super::meter::{self, Rows};
use js_sys::{Array, Function, Promise, Reflect};
use serde::de::DeserializeOwned;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use worker::{D1Database, Env, Method, Request, RequestInit, Stub};

/// Where statements run.
#[derive(Clone)]
pub struct Db(Home);

/// A database handle, cheap to copy into each statement.
#[derive(Clone)]
enum Home {
    /// The D1 binding's database (the JS object its methods run on).
    D1(JsValue),
    /// One site's Durable Object, and that site's key.
    Object(Rc<Stub>, Rc<str>),
}

impl Db {
    /// The `DB` binding: the control data, and every site that lives there.
    pub fn from_env(env: &Env) -> worker::Result<Self> {
        let d1: D1Database = env.d1("DB")?;
        Ok(Self(Home::D1(d1.as_ref().clone())))
    }

    /// The Durable Object of the site `key`, whatever the registry says:
    /// callers ask the registry ([`super::homes`]) where a site lives.
    pub fn site_object(env: &Env, key: &str) -> worker::Result<Self> {
        let stub = env
            .durable_object(super::object::BINDING)?
            .id_from_name(key)?
            .get_stub()?;
        Ok(Self(Home::Object(Rc::new(stub), key.into())))
    }

    /// The site whose own object this is; `None` for D1. Work handed on
    /// after a commit (an alert's queue message, a mail) names it to find
    /// its rows again.
    pub fn object_site(&self) -> Option<&str> {
        match &self.0 {
            Home::Object(_, site) => Some(site),
            Home::D1(_) => None,
        }
    }

    /// "D1", or the key of the site whose object this is: for logs.
    pub fn name(&self) -> &str {
        self.object_site().unwrap_or("D1")
    }

    /// A statement to run here; arguments come with [`Stmt::bind`].
    pub fn prepare(&self, sql: impl Into<String>) -> Stmt {
        Stmt {
            home: self.0.clone(),
            sql: sql.into(),
            args: Vec::new(),
        }
    }

    /// `statements` as one transaction: all of them or none, each one's
    /// rows counted.
    pub async fn batch(&self, statements: Vec<Stmt>) -> worker::Result<Vec<Ran>> {
        let results = match &self.0 {
            Home::D1(d1) => {
                let prepared = statements
                    .iter()
                    .map(Stmt::prepared)
                    .collect::<worker::Result<Array>>()?;
                let batch = method(d1, "batch")?;
                run(batch.call1(d1, &prepared)).await?
            }
            Home::Object(stub, _) => {
                // A batch runs in one home: a statement built for another
                // would run in the wrong database.
                let elsewhere = statements
                    .iter()
                    .any(|s| !matches!(&s.home, Home::Object(o, _) if Rc::ptr_eq(o, stub)));
                if elsewhere {
                    return Err(internal("a batch mixes statements of two homes"));
                }
                object_batch(stub, &statements).await?
            }
        };
        let results: Vec<Ran> = results
            .dyn_into::<Array>()
            .map_err(|_| internal("the batch did not answer a list"))?
            .iter()
            .map(Ran)
            .collect();
        results.iter().for_each(Ran::count);
        Ok(results)
    }
}

/// Posts `statements` to a site's object as one batch (the wire is in
/// [`super::object`]); its answer is a list in D1's result shape.
async fn object_batch(stub: &Stub, statements: &[Stmt]) -> worker::Result<JsValue> {
    let list = Array::new();
    for s in statements {
        let one = js_sys::Object::new();
        Reflect::set(&one, &"sql".into(), &s.sql.as_str().into())?;
        Reflect::set(&one, &"args".into(), &s.args.iter().collect::<Array>())?;
        list.push(&one);
    }
    let body = js_sys::JSON::stringify(&list)?
        .as_string()
        .ok_or_else(|| internal("a batch that does not serialize"))?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post).with_body(Some(body.into()));
    let req = Request::new_with_init(super::object::BATCH_URL, &init)?;
    let mut resp = stub.fetch_with_request(req).await?;
    let text = resp.text().await?;
    if resp.status_code() != 200 {
        return Err(internal(&["the site's store: ", text.as_str()].concat()));
    }
    Ok(js_sys::JSON::parse(&text)?)
}

/// One SQL statement and its arguments.
#[derive(Clone)]
pub struct Stmt {
    /// The database it runs on.
    home: Home,
    sql: String,
    args: Vec<JsValue>,
}

impl Stmt {
    /// The statement with its arguments (`?1`, `?2`, … in order). Each
    /// must be a SQL value (null, a number or a string), checked here as
    /// D1's own `bind` checks it, where the statement is built.
    pub fn bind(mut self, args: &[JsValue]) -> worker::Result<Self> {
        if let Some(at) = args
            .iter()
            .position(|a| !(a.is_null() || a.is_string() || a.as_f64().is_some()))
        {
            return Err(internal(&format!("argument {} is not a SQL value", at + 1)));
        }
        self.args = args.to_vec();
        Ok(self)
    }

    /// D1's statement for this one, as the JS object its methods run on.
    fn prepared(&self) -> worker::Result<JsValue> {
        let Home::D1(db) = &self.home else {
            return Err(internal("a statement for a site's object prepared for D1"));
        };
        let statement = db
            .unchecked_ref::<D1Database>()
            .prepare(&self.sql)
            .bind(&self.args)?;
        Ok(statement.inner().clone().into())
    }

    /// Every row, with the rows counted.
    pub async fn all_rows(&self) -> worker::Result<Ran> {
        self.call("all").await
    }

    /// The statement run for its effect, with the rows counted.
    pub async fn run_counted(&self) -> worker::Result<Ran> {
        self.call("run").await
    }

    /// The first row, if any. D1's own `first` reports no row counts, so
    /// this reads with `all`, which costs D1 the same.
    pub async fn first_row<T: DeserializeOwned>(&self) -> worker::Result<Option<T>> {
        Ok(self.all_rows().await?.results::<T>()?.into_iter().next())
    }

    async fn call(&self, name: &str) -> worker::Result<Ran> {
        if let Home::Object(stub, _) = &self.home {
            // A batch of one: `all` and `run` are the same call there.
            let ran = object_batch(stub, std::slice::from_ref(self)).await?;
            let ran = Ran(Reflect::get(&ran, &0.into())?);
            ran.count();
            return Ok(ran);
        }
        let statement = self.prepared()?;
        let ran = Ran(run(method(&statement, name)?.call0(&statement)).await?);
        ran.count();
        Ok(ran)
    }
}

/// What one statement gave back: its rows and D1's counts.
pub struct Ran(JsValue);

impl Ran {
    /// The rows, each read into `T`.
    pub fn results<T: DeserializeOwned>(&self) -> worker::Result<Vec<T>> {
        let Ok(rows) = Reflect::get(&self.0, &"results".into()) else {
            return Ok(Vec::new());
        };
        let Some(rows) = rows.dyn_ref::<Array>() else {
            return Ok(Vec::new());
        };
        rows.iter()
            .map(|row| serde_wasm_bindgen::from_value(row).map_err(worker::Error::from))
            .collect()
    }

    /// Rows the statement changed: how a guarded write (an insert that may
    /// conflict, an update with a condition) tells that it happened.
    pub fn changes(&self) -> usize {
        self.meta("changes")
    }

    fn meta(&self, name: &str) -> usize {
        Reflect::get(&self.0, &"meta".into())
            .and_then(|meta| Reflect::get(&meta, &name.into()))
            .ok()
            .and_then(|n| n.as_f64())
            .filter(|n| n.is_finite() && *n >= 0.0)
            // Row counts are whole numbers far below 2^53.
            .map_or(0, |n| {
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let n = n as usize;
                n
            })
    }

    fn count(&self) {
        let as_u64 = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
        meter::add(Rows {
            read: as_u64(self.meta("rows_read")),
            written: as_u64(self.meta("rows_written")),
        });
    }
}

fn method(target: &JsValue, name: &str) -> worker::Result<Function> {
    Reflect::get(target, &name.into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .ok_or_else(|| internal(&format!("D1 has no {name}()")))
}

/// Awaits the promise a D1 call returned; a refusal keeps D1's message
/// and its cause (the SQLite error), as the worker crate's own errors do.
async fn run(call: Result<JsValue, JsValue>) -> worker::Result<JsValue> {
    let promise = call.map_err(d1_error)?;
    let promise = promise
        .dyn_into::<Promise>()
        .map_err(|_| internal("D1 did not answer a promise"))?;
    JsFuture::from(promise).await.map_err(d1_error)
}

fn d1_error(e: JsValue) -> worker::Error {
    let Some(error) = e.dyn_ref::<js_sys::Error>() else {
        return worker::Error::from(e);
    };
    let mut text = String::from(error.message());
    if let Some(cause) = error.cause().dyn_ref::<js_sys::Error>() {
        text.push_str(": ");
        text.push_str(&String::from(cause.message()));
    }
    worker::Error::RustError(text)
}

fn internal(what: &str) -> worker::Error {
    worker::Error::RustError(what.to_owned())
}
