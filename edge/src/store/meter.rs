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
//! Every statement runs through [`super::exec`], which adds each result's
//! counts here; there is no other way to run one.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

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

/// Adds one result's rows to the tally of the request being polled.
pub fn add(more: Rows) {
    CURRENT.with(|c| {
        if let Some(rows) = c.borrow().as_ref() {
            let mut r = rows.get();
            r.read = r.read.saturating_add(more.read);
            r.written = r.written.saturating_add(more.written);
            rows.set(r);
        }
    });
}
