//! The one place the edge reads the clock; `domain` only ever receives the
//! result as a parameter.

use domain::Timestamp;

pub fn now() -> Timestamp {
    // Epoch milliseconds fit an i64 for the next 292 million years.
    #[allow(clippy::cast_possible_wrap)]
    Timestamp::from_millis(worker::Date::now().as_millis() as i64)
}
