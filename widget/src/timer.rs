//! `setTimeout` for Rust closures. The closure is freed when it runs.

use wasm_bindgen::prelude::*;

/// Runs `f` once after `ms` milliseconds; returns the handle for [`cancel`].
pub fn after(ms: i32, f: impl FnOnce() + 'static) -> i32 {
    let callback = Closure::once_into_js(f);
    crate::dom::window()
        .set_timeout_with_callback_and_timeout_and_arguments_0(callback.unchecked_ref(), ms)
        .unwrap_or_default()
}

pub fn cancel(handle: i32) {
    crate::dom::window().clear_timeout_with_handle(handle);
}
