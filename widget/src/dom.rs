//! Tiny element-building helpers over web-sys. Text is always set as a text
//! node, never parsed as markup, and no `style` attribute is ever written
//! (a strict CSP would refuse it): all styling is in the adopted sheet.

use wasm_bindgen::prelude::*;
use web_sys::{Document, Element, HtmlElement, Window};

#[wasm_bindgen]
extern "C" {
    // `web_sys::window()` finds the global object by probing `globalThis`,
    // `self`, `window` and `global` through js-sys: four imports and about
    // a kilobyte of each build. The widget only ever runs in a page, whose
    // global is `window`.
    #[wasm_bindgen(thread_local_v2, js_name = window)]
    static WINDOW: Window;
}

/// The page's window.
pub fn window() -> Window {
    WINDOW.with(Clone::clone)
}

/// `<tag attr=value…>text</tag>`.
pub fn el(
    doc: &Document,
    tag: &str,
    attrs: &[(&str, &str)],
    text: &str,
) -> Result<Element, JsValue> {
    let e = doc.create_element(tag)?;
    for (k, v) in attrs {
        e.set_attribute(k, v)?;
    }
    if !text.is_empty() {
        e.set_text_content(Some(text));
    }
    Ok(e)
}

/// Adds a listener for as long as the element lives. Listeners go on the
/// widget's own elements only, never on the host page's window or document.
pub fn on(
    target: &Element,
    event: &str,
    f: impl FnMut(web_sys::Event) + 'static,
) -> Result<(), JsValue> {
    // Not through `on_each`: its loop costs the launcher build 70 B gzip.
    let closure = Closure::<dyn FnMut(web_sys::Event)>::new(f);
    target.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref())?;
    closure.forget();
    Ok(())
}

/// One listener for several events: a view's single handler, which tells
/// them apart by `Event.type`.
pub fn on_each(
    target: &Element,
    events: &[&str],
    f: impl FnMut(web_sys::Event) + 'static,
) -> Result<(), JsValue> {
    let closure = Closure::<dyn FnMut(web_sys::Event)>::new(f);
    for event in events {
        target.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref())?;
    }
    closure.forget();
    Ok(())
}

/// Focuses one of the widget's own elements (all of them HTML elements:
/// the cast is not checked).
pub fn focus(e: &Element) {
    let _ = e.unchecked_ref::<HtmlElement>().focus();
}

pub fn show(e: &Element, visible: bool) {
    let _ = if visible {
        e.remove_attribute("hidden")
    } else {
        e.set_attribute("hidden", "")
    };
}

pub fn flag(e: &Element, name: &str, on: bool) {
    let _ = e.set_attribute(name, if on { "true" } else { "false" });
}
