//! Every D1 query the edge runs, one file per table family. All statements
//! are parameterised; multi-row writes go in one `batch` (one transaction).

pub mod abuse;
pub mod admin_view;
pub mod cases;
pub mod dashboard;
pub mod deliveries;
pub mod erasure;
pub mod ingest;
pub mod outbox;
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

/// Rows the first statement of a batch changed: how a batch tells whether
/// its guarded write happened (0 when D1 reports no count).
pub fn first_changes(results: &[worker::D1Result]) -> usize {
    results
        .first()
        .and_then(|r| r.meta().ok().flatten())
        .and_then(|m| m.changes)
        .unwrap_or(0)
}

/// D1 hands numbers to Rust as `f64`; timestamps and counts are integers.
#[allow(clippy::cast_possible_truncation)]
pub fn ms(v: f64) -> Timestamp {
    Timestamp::from_millis(v as i64)
}
