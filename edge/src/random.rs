//! Randomness from the runtime's CSPRNG (`crypto.getRandomValues`), the one
//! place the edge draws it; `domain` receives the result as a parameter.

use crate::error::{EdgeError, EdgeResult};
use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

/// `n` random bytes as lowercase hex.
pub fn hex(n: u32) -> EdgeResult<String> {
    let fail = |_| EdgeError::Internal("crypto.getRandomValues is unavailable".into());
    let crypto = Reflect::get(&js_sys::global(), &JsValue::from_str("crypto")).map_err(fail)?;
    let fill: js_sys::Function = Reflect::get(&crypto, &JsValue::from_str("getRandomValues"))
        .map_err(fail)?
        .dyn_into()
        .map_err(|_| EdgeError::Internal("crypto.getRandomValues is not a function".into()))?;
    let bytes = Uint8Array::new_with_length(n);
    fill.call1(&crypto, &bytes).map_err(fail)?;
    Ok(bytes.to_vec().iter().fold(String::new(), |mut out, b| {
        out.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
        out.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
        out
    }))
}
