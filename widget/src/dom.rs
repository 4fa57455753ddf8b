//! Tiny element-building helpers over web-sys.

use wasm_bindgen::prelude::*;
use web_sys::{Document, Element};

/// `<tag attr=value…>text</tag>`. Text is set as a text node, never parsed
/// as markup.
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

/// Adds a listener that lives as long as the page (the widget's elements do).
pub fn on(
    target: &Element,
    event: &str,
    f: impl FnMut(web_sys::Event) + 'static,
) -> Result<(), JsValue> {
    let closure = Closure::<dyn FnMut(web_sys::Event)>::new(f);
    target.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref())?;
    closure.forget();
    Ok(())
}

pub fn append(parent: &Element, children: &[&Element]) -> Result<(), JsValue> {
    for c in children {
        parent.append_child(c)?;
    }
    Ok(())
}
