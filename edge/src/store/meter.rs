//! D1's own count of the rows each request read and wrote (from every
//! result's `meta`), for the request's log line.
//!
//! Requests interleave in one isolate, so a global counter would mix them.
//! Instead [`metered`] wraps a request's future and, for the duration of
//! each of its polls, makes its own tally the current one. A statement's
//! result is counted in the poll that resumes the code awaiting it, so
//! every count lands on the request that ran the statement. Work sent to
//! `waitUntil` runs outside and is not counted.
//!
//! Every statement in `store` runs through [`Counted`] or [`batch`]; a
//! statement run another way would go uncounted, so there is no other way
//! here (the `first` of D1 reports no meta: [`Counted::first_row`] reads
//! the rows with `all` instead, which costs D1 the same).

use serde::de::DeserializeOwned;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use worker::{D1Database, D1PreparedStatement, D1Result};

/// Rows D1 read and wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rows {
    pub read: u64,
    pub written: u64,
}

thread_local! {
    static CURRENT: RefCell<Option<Rc<Cell<Rows>>>> = const { RefCell::new(None) };
}

/// A future whose D1 rows are counted; yields its output and the total.
pub struct Metered<'a, T> {
    inner: Pin<Box<dyn Future<Output = T> + 'a>>,
    rows: Rc<Cell<Rows>>,
}

/// Counts the D1 rows of everything `fut` runs while it is polled.
pub fn metered<'a, T>(fut: impl Future<Output = T> + 'a) -> Metered<'a, T> {
    Metered {
        inner: Box::pin(fut),
        rows: Rc::default(),
    }
}

impl<T> Future for Metered<'_, T> {
    type Output = (T, Rows);

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let outer = CURRENT.with(|c| c.replace(Some(Rc::clone(&this.rows))));
        let polled = this.inner.as_mut().poll(cx);
        CURRENT.with(|c| c.replace(outer));
        polled.map(|out| (out, this.rows.get()))
    }
}

fn count(result: &D1Result) {
    let Ok(Some(meta)) = result.meta() else {
        return;
    };
    let add = |n: Option<usize>| u64::try_from(n.unwrap_or(0)).unwrap_or(u64::MAX);
    CURRENT.with(|c| {
        if let Some(rows) = c.borrow().as_ref() {
            let mut r = rows.get();
            r.read = r.read.saturating_add(add(meta.rows_read));
            r.written = r.written.saturating_add(add(meta.rows_written));
            rows.set(r);
        }
    });
}

/// A statement run with its rows counted.
#[allow(async_fn_in_trait)] // wasm is single-threaded: no Send bound wanted
pub trait Counted {
    async fn all_rows(&self) -> worker::Result<D1Result>;
    async fn run_counted(&self) -> worker::Result<D1Result>;
    /// The first row, if any (what D1's `first` gives, with its meta).
    async fn first_row<T: DeserializeOwned>(&self) -> worker::Result<Option<T>>;
}

impl Counted for D1PreparedStatement {
    async fn all_rows(&self) -> worker::Result<D1Result> {
        let result = self.all().await?;
        count(&result);
        Ok(result)
    }

    async fn run_counted(&self) -> worker::Result<D1Result> {
        let result = self.run().await?;
        count(&result);
        Ok(result)
    }

    async fn first_row<T: DeserializeOwned>(&self) -> worker::Result<Option<T>> {
        let result = self.all_rows().await?;
        Ok(result.results::<T>()?.into_iter().next())
    }
}

/// `statements` as one transaction, each one's rows counted.
pub async fn batch(
    db: &D1Database,
    statements: Vec<D1PreparedStatement>,
) -> worker::Result<Vec<D1Result>> {
    let results = db.batch(statements).await?;
    results.iter().for_each(count);
    Ok(results)
}
