//! Every step says what it does, how long it took, and — when it fails —
//! what to do about it.

use crate::Result;
use std::time::Instant;

pub fn step<T>(what: &str, hint: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    eprintln!("==> {what}");
    let start = Instant::now();
    match f() {
        Ok(v) => {
            eprintln!("    ok: {what} ({:.1}s)", start.elapsed().as_secs_f64());
            Ok(v)
        }
        Err(e) => Err(format!(
            "{what} failed after {:.1}s: {e}\n  what to do: {hint}",
            start.elapsed().as_secs_f64()
        )
        .into()),
    }
}

/// A step that is already satisfied: said, not timed.
pub fn skip(what: &str, why: &str) {
    eprintln!("==> {what}: {why}");
}
