//! Launcher mode, once the customer has clicked: a modal `<dialog>` in the
//! launcher's shadow root. It sits in the browser's top layer, above any
//! `z-index` the page uses; focus stays inside it; Esc or the close buttons
//! close it and focus returns to the launcher. It never opens by itself
//! (rule 6): only [`open`], called from the launcher's click or from
//! `Candor.open()` inside the page's own click, opens it. Opened from the
//! page there is no launcher: the browser returns focus to the page's
//! button when the dialog closes.

use super::{form, PANEL_CSS};

/// The dialog itself, on top of the panel's sheet.
const DIALOG_CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/dialog.css"));
use crate::config::Config;
use crate::dom::{el, flag, focus, on};
use crate::{shell, site};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::{Element, HtmlDialogElement, KeyboardEvent, ShadowRoot};

// The casts below are unchecked: each value is the widget's own `<dialog>`,
// its shadow root or a `keydown` event; checking would cost an import per
// type.

fn show_modal(dialog: &Element, launcher: Option<&Element>) {
    let d = dialog.unchecked_ref::<HtmlDialogElement>();
    if !d.open() && d.show_modal().is_ok() {
        if let Some(l) = launcher {
            flag(l, "aria-expanded", true);
        }
        if let Ok(Some(first)) = dialog.query_selector("textarea") {
            focus(&first);
        }
    }
    if let Some(l) = launcher {
        let _ = l.remove_attribute("aria-busy");
    }
}

/// Opens the dialog in `host` (the launcher's element, or the page's), building it on the
/// first call once the site's settings have arrived. A dialog built for
/// another transaction is built again for this one.
pub fn open(host: &Element, config: Rc<Config>) -> Result<(), JsValue> {
    let root = host.shadow_root().ok_or("no shadow root")?;
    let wrap = root.query_selector(".candor")?.ok_or("no wrapper")?;
    let launcher = wrap.query_selector(".launcher")?;
    let key = config.cooldown_key();
    if let Some(dialog) = wrap.query_selector("dialog")? {
        if dialog.get_attribute("data-key").as_deref() == Some(key.as_str()) {
            show_modal(&dialog, launcher.as_ref());
            return Ok(());
        }
        dialog.remove();
    }
    if wrap.has_attribute("data-loading") {
        return Ok(()); // a second click while the first is loading
    }
    wrap.set_attribute("data-loading", "")?;
    let host = host.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let Some(site) = site::fetch(&config).await else {
            host.remove();
            return;
        };
        if let Ok(dialog) = build(&root, &wrap, launcher.as_ref(), &host, &config, &site) {
            let _ = wrap.remove_attribute("data-loading");
            show_modal(&dialog, launcher.as_ref());
        }
    });
    Ok(())
}

fn build(
    root: &ShadowRoot,
    wrap: &Element,
    launcher: Option<&Element>,
    host: &Element,
    config: &Rc<Config>,
    site: &site::Site,
) -> Result<Element, JsValue> {
    let doc = crate::dom::window().document().ok_or("no document")?;
    if !wrap.has_attribute("data-styled") {
        shell::adopt(root, PANEL_CSS)?;
        shell::adopt(root, DIALOG_CSS)?;
        wrap.set_attribute("data-styled", "")?;
    }
    let class = if config.left { "dialog left" } else { "dialog" };
    let dialog = el(
        &doc,
        "dialog",
        &[
            ("class", class),
            ("aria-labelledby", "candor-title"),
            ("data-key", &config.cooldown_key()),
        ],
        "",
    )?;
    let answered = Rc::new(std::cell::Cell::new(false));
    let done = Rc::clone(&answered);
    let panel = form::panel(&doc, config, site, true, Rc::new(move || done.set(true)))?;
    dialog.append_child(&panel)?;
    wrap.append_child(&dialog)?;
    {
        // Esc (the dialog's own `cancel`) and the panel's close buttons all
        // end here.
        let (launcher, host) = (launcher.cloned(), host.clone());
        on(&dialog, "close", move |_| {
            if let Some(l) = &launcher {
                flag(l, "aria-expanded", false);
            }
            if answered.get() {
                // Answered: the launcher stays away for the cooldown.
                host.remove();
            } else if let Some(l) = &launcher {
                focus(l);
            }
        })?;
    }
    trap_focus(&dialog)?;
    Ok(dialog)
}

/// Tab from the last control goes to the first and Shift+Tab from the first
/// to the last, so keyboard focus never leaves the open dialog.
fn trap_focus(dialog: &Element) -> Result<(), JsValue> {
    let d = dialog.clone();
    on(dialog, "keydown", move |e| {
        let key = e.unchecked_ref::<KeyboardEvent>();
        if key.key() != "Tab" {
            return;
        }
        let Ok(all) = d.query_selector_all("button, textarea, input") else {
            return;
        };
        // Only what is shown: hidden parts have no boxes.
        let shown: Vec<Element> = (0..all.length())
            .filter_map(|i| all.item(i).map(JsCast::unchecked_into::<Element>))
            .filter(|e| e.get_client_rects().length() > 0)
            .collect();
        let (Some(first), Some(last)) = (shown.first(), shown.last()) else {
            return;
        };
        let active = d
            .get_root_node()
            .unchecked_into::<ShadowRoot>()
            .active_element();
        let wrap_to = match (key.shift_key(), active) {
            (true, Some(a)) if &a == first => last,
            (false, Some(a)) if &a == last => first,
            (_, None) => first,
            _ => return,
        };
        e.prevent_default();
        focus(wrap_to);
    })
}
