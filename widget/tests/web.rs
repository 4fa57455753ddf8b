//! The widget in real headless Chromium (wasm-bindgen-test): it mounts into an
//! open shadow root, nothing is preselected, and it never opens by itself.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn settings() -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in [
        ("site", "demo"),
        ("api", "http://127.0.0.1:1"),
        ("transaction", "order-1"),
    ] {
        js_sys::Reflect::set(&o, &k.into(), &v.into()).unwrap();
    }
    o.into()
}

#[wasm_bindgen_test]
fn mounts_closed_with_nothing_preselected() {
    candor_widget::mount(&settings()).unwrap();
    let doc = web_sys::window().unwrap().document().unwrap();
    let host = doc
        .query_selector("candor-widget")
        .unwrap()
        .expect("host element");
    let root = host.shadow_root().expect("open shadow root");
    let dialog = root.query_selector(".dialog").unwrap().unwrap();
    assert!(dialog.has_attribute("hidden"), "never opens by itself");
    let picks = root.query_selector_all(".pick").unwrap();
    assert_eq!(picks.length(), 5);
    let pressed = root.query_selector_all("[aria-pressed='true']").unwrap();
    assert_eq!(pressed.length(), 0, "nothing preselected");
    let textarea = root.query_selector("textarea").unwrap().unwrap();
    assert!(textarea.has_attribute("required"));
}
