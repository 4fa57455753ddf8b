//! The end-to-end suite, one test binary: the real Worker on workerd with a
//! local D1 (through wrangler), a real HTTP receiver as the chat inbox, and
//! real headless Chromium. One binary links tokio, reqwest and fantoccini
//! once instead of once per area.
//!
//! Every test starts its own Worker, so none depends on another; `cargo
//! xtask test` still runs them one at a time (`--test-threads=1`), in the
//! order libtest sorts them: by module path, `abuse` to `widget`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod abuse;
mod admin;
mod dashboard;
mod escalation;
mod ingest;
mod operations;
mod people;
mod skeleton;
mod widget;
