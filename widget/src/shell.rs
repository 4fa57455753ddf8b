//! The widget's place on the host page: a `<candor-widget>` element with an
//! open shadow root, so the page's CSS cannot reach in and ours cannot leak
//! out. Styles are constructed stylesheets (allowed under `style-src
//! 'self'`); no `style` attribute is ever written.

use crate::config::Config;
use crate::dom::el;
use wasm_bindgen::prelude::*;
use web_sys::{CssStyleSheet, Document, Element, ShadowRoot, ShadowRootInit, ShadowRootMode};

/// The host and the colours, and in the launcher build the launcher: all
/// the first render needs. The other builds never draw the launcher.
#[cfg(not(feature = "form"))]
pub const BASE_CSS: &str = concat!(
    include_str!(concat!(env!("OUT_DIR"), "/base.css")),
    include_str!(concat!(env!("OUT_DIR"), "/launcher.css"))
);
#[cfg(feature = "form")]
pub const BASE_CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/base.css"));

/// The host element and the wrapper inside its shadow root that carries
/// the language and direction.
pub struct Shell {
    pub host: Element,
    pub wrap: Element,
}

/// Adds a constructed stylesheet to the shadow root.
pub fn adopt(root: &ShadowRoot, css: &str) -> Result<(), JsValue> {
    let sheet = CssStyleSheet::new()?;
    sheet.replace_sync(css)?;
    let sheets = root.adopted_style_sheets();
    sheets.push(&sheet);
    root.set_adopted_style_sheets(&sheets);
    Ok(())
}

pub fn create(doc: &Document, config: &Config, inline: bool) -> Result<Shell, JsValue> {
    let host = doc.create_element("candor-widget")?;
    host.set_attribute("data-mode", if inline { "inline" } else { "launcher" })?;
    if config.left {
        host.set_attribute("data-side", "left")?;
    }
    let root = host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?;
    adopt(&root, BASE_CSS)?;
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
