//! Where the widget lives on the host page: an element with an open shadow
//! root (so the page's CSS cannot reach in and ours cannot leak out), and in
//! it either a launcher that opens a modal dialog or the inline panel.

mod dialog;
mod form;
mod score;

use crate::config::{Config, Mode};
use crate::dom::el;
use crate::site;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::{CssStyleSheet, Document, Element, ShadowRootInit, ShadowRootMode};

const CSS: &str = include_str!("../widget.css");

/// The host element and the wrapper inside its shadow root that carries
/// the language and direction.
struct Shell {
    host: Element,
    wrap: Element,
}

fn shell(doc: &Document, config: &Config, inline: bool) -> Result<Shell, JsValue> {
    let host = doc.create_element("candor-widget")?;
    host.set_attribute("data-mode", if inline { "inline" } else { "launcher" })?;
    if config.left {
        host.set_attribute("data-side", "left")?;
    }
    let root = host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?;
    // A constructed stylesheet: allowed under `style-src 'self'`, invisible
    // to the host page, and the host page's CSS cannot reach into it.
    let sheet = CssStyleSheet::new()?;
    sheet.replace_sync(CSS)?;
    root.set_adopted_style_sheets(&js_sys::Array::of1(&sheet));
    let lang = config.lang;
    let wrap = el(
        doc,
        "div",
        &[
            ("class", "candor"),
            ("lang", lang.code()),
            ("dir", if lang.rtl() { "rtl" } else { "ltr" }),
        ],
        "",
    )?;
    root.append_child(&wrap)?;
    Ok(Shell { host, wrap })
}

pub fn mount(config: Config) -> Result<(), JsValue> {
    let window = web_sys::window().ok_or("no window")?;
    let doc = window.document().ok_or("no document")?;
    let target = match &config.mode {
        Mode::Inline(selector) => {
            let found = doc.query_selector(selector).ok().flatten();
            if found.is_none() {
                web_sys::console::warn_1(
                    &"Candor: data-target matches no element; showing the launcher instead".into(),
                );
            }
            found
        }
        Mode::Launcher => None,
    };
    let config = Rc::new(config);
    match target {
        Some(target) => inline(&doc, &config, &target),
        None => dialog::launcher(&doc, &config, &window),
    }
}

/// The panel in place, inside the host page's `data-target` element.
fn inline(doc: &Document, config: &Rc<Config>, target: &Element) -> Result<(), JsValue> {
    let shell = shell(doc, config, true)?;
    let section = el(
        doc,
        "section",
        &[("class", "inline"), ("aria-labelledby", "candor-title")],
        "",
    )?;
    shell.wrap.append_child(&section)?;
    target.append_child(&shell.host)?;
    let (doc, config) = (doc.clone(), Rc::clone(config));
    wasm_bindgen_futures::spawn_local(async move {
        let Some(site) = site::fetch(&config).await else {
            shell.host.remove();
            return;
        };
        if let Ok(panel) = form::panel(&doc, &config, &site, false, || ()) {
            let _ = section.append_child(&panel);
        }
    });
    Ok(())
}
