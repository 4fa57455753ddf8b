//! The views of the inline and full builds: the form panel, inline in the
//! host page's `data-target` element or (full build) in a dialog opened
//! from the launcher or the page.

mod challenge;
#[cfg(feature = "dialog")]
mod dialog;
mod form;
mod markup;

#[cfg(feature = "dialog")]
pub use dialog::open;

use crate::config::{Config, Mode};
use crate::dom::el;
use crate::{shell, site};
use js_sys::{Function, Reflect};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::{Document, Element};

/// The form and the thank-you, inline or in the dialog.
pub const PANEL_CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/panel.css"));

/// Inline mode: the panel in the `data-target` element, or the launcher
/// when no element matches. The launcher is another build: the loader's
/// `settings.launcher()` fetches it and draws it.
pub fn mount(config: Config, settings: &JsValue) -> Result<(), JsValue> {
    let Mode::Inline(selector) = &config.mode else {
        return Ok(());
    };
    let doc = crate::dom::window().document().ok_or("no document")?;
    let Some(target) = doc.query_selector(selector).ok().flatten() else {
        web_sys::console::warn_1(
            &"Candor: data-target matches no element; showing the launcher instead".into(),
        );
        let launcher = Reflect::get(settings, &"launcher".into());
        if let Ok(f) = launcher.and_then(JsCast::dyn_into::<Function>) {
            f.call0(&JsValue::NULL)?;
        }
        return Ok(());
    };
    inline(&doc, &Rc::new(config), &target)
}

fn inline(doc: &Document, config: &Rc<Config>, target: &Element) -> Result<(), JsValue> {
    let shell = shell::create(doc, config, true)?;
    let root = shell.host.shadow_root().ok_or("no shadow root")?;
    shell::adopt(&root, PANEL_CSS)?;
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
        if let Ok(panel) = form_panel(&doc, &config, &site) {
            let _ = section.append_child(&panel);
        }
    });
    Ok(())
}

/// `Candor.open()`: the dialog in a host of its own (no launcher), one per
/// page; the launcher, if any, stays as it is.
#[cfg(feature = "dialog")]
pub fn open_from_page(config: Config) -> Result<(), JsValue> {
    let doc = crate::dom::window().document().ok_or("no document")?;
    let host = if let Some(host) = doc.query_selector("candor-widget[data-mode=\"page\"]")? {
        host
    } else {
        let shell = shell::create(&doc, &config, false)?;
        shell.host.set_attribute("data-mode", "page")?;
        doc.body().ok_or("no body")?.append_child(&shell.host)?;
        shell.host
    };
    open(&host, Rc::new(config))
}

fn form_panel(doc: &Document, config: &Rc<Config>, site: &site::Site) -> Result<Element, JsValue> {
    form::panel(doc, config, site, false, Rc::new(|| ()))
}
