//! Every D1 query the edge runs, one file per table family. All statements
//! are parameterised, built as [`exec::Stmt`] and run through [`exec`], the
//! one place a statement reaches a database; multi-row writes go in one
//! `batch` (one transaction).

pub mod abuse;
pub mod admin_view;
pub mod answers;
pub mod api_keys;
pub mod audit;
pub mod cases;
pub mod dashboard;
pub mod deliveries;
pub mod erasure;
pub mod escalation;
pub mod exec;
pub mod fixes;
pub mod health;
pub mod homes;
pub mod ingest;
pub mod mails;
pub mod meter;
pub mod more;
pub mod moving;
pub mod notices;
pub mod object;
pub mod outbox;
pub mod people;
pub mod retention;
pub mod sessions;
pub mod sites;

use domain::Timestamp;
use wasm_bindgen::JsValue;

pub fn text(s: &str) -> JsValue {
    JsValue::from_str(s)
}

pub fn opt_text(s: Option<&str>) -> JsValue {
    s.map_or(JsValue::NULL, JsValue::from_str)
}

#[allow(clippy::cast_precision_loss)] // epoch milliseconds fit an f64 exactly
pub fn millis(t: Timestamp) -> JsValue {
    JsValue::from_f64(t.millis() as f64)
}

pub fn int(n: impl Into<f64>) -> JsValue {
    JsValue::from_f64(n.into())
}

pub fn flag(b: bool) -> JsValue {
    int(u8::from(b))
}

/// A JSON column's text. Serialising plain maps, lists and numbers cannot fail.
pub fn json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

/// Whether a statement changed a row: how a guarded single write (an
/// insert that may conflict, an update with a condition) tells it happened.
pub fn changed(result: &exec::Ran) -> bool {
    result.changes() > 0
}

/// Rows the first statement of a batch changed: how a batch tells whether
/// its guarded write happened (0 when D1 reports no count).
pub fn first_changes(results: &[exec::Ran]) -> usize {
    results.first().map_or(0, exec::Ran::changes)
}

/// A stored epoch-milliseconds column. Rows read it as `i64` (D1 hands an
/// integral number to an integer field as is, and refuses anything else);
/// rows not yet typed read it as `f64`.
pub trait StoredMillis {
    fn to_millis(self) -> i64;
}

impl StoredMillis for i64 {
    fn to_millis(self) -> i64 {
        self
    }
}

impl StoredMillis for f64 {
    #[allow(clippy::cast_possible_truncation)] // epoch milliseconds are integral
    fn to_millis(self) -> i64 {
        self as i64
    }
}

/// A stored time as a [`Timestamp`].
pub fn ms(v: impl StoredMillis) -> Timestamp {
    Timestamp::from_millis(v.to_millis())
}

/// A stored time as the managers' API writes it (RFC 3339 UTC).
pub fn api_time(v: impl StoredMillis) -> domain::admin_api::ApiTime {
    domain::admin_api::ApiTime(ms(v))
}

/// A stored enum's text, read back into its type; anything else is a bad
/// stored value (500), never a guess.
pub fn stored<T>(
    what: &str,
    raw: &str,
    parse: impl FnOnce(&str) -> Option<T>,
) -> crate::error::EdgeResult<T> {
    parse(raw).ok_or_else(|| {
        crate::error::EdgeError::Internal(format!("stored {what} {raw:?} is not one we know"))
    })
}
