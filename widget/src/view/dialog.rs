//! Launcher mode: a button in a bottom corner that opens a modal `<dialog>`.
//! The dialog sits in the browser's top layer, above any `z-index` the page
//! uses; focus stays inside it; Esc or the close buttons close it and focus
//! returns to the launcher. It never opens by itself (rule 6).

use super::{form, shell};
use crate::config::Config;
use crate::dom::{el, flag, focus, on};
use crate::site;
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::{Document, Element, HtmlDialogElement, KeyboardEvent, Window};

pub fn launcher(doc: &Document, config: &Rc<Config>, window: &Window) -> Result<(), JsValue> {
    let shell = shell(doc, config, false)?;
    let t = config.lang.strings();
    let launcher = el(
        doc,
        "button",
        &[
            ("type", "button"),
            ("class", "launcher"),
            ("aria-haspopup", "dialog"),
            ("aria-expanded", "false"),
        ],
        t.launcher,
    )?;
    let class = if config.left { "dialog left" } else { "dialog" };
    let dialog = el(
        doc,
        "dialog",
        &[("class", class), ("aria-labelledby", "candor-title")],
        "",
    )?;
    crate::dom::append(&shell.wrap, &[&launcher, &dialog])?;
    doc.body().ok_or("no body")?.append_child(&shell.host)?;
    if let Ok(p) = window.performance().ok_or(()) {
        let _ = p.mark("candor:rendered");
    }

    // The panel is built when the site's settings arrive; a click before
    // that opens the dialog as soon as it is ready.
    let ready = Rc::new(Cell::new(false));
    let wanted = Rc::new(Cell::new(false));
    let answered = Rc::new(Cell::new(false));
    let open = {
        let (dialog, launcher) = (dialog.clone(), launcher.clone());
        move || {
            if let Some(d) = dialog.dyn_ref::<HtmlDialogElement>() {
                if !d.open() && d.show_modal().is_ok() {
                    flag(&launcher, "aria-expanded", true);
                    if let Ok(Some(first)) = dialog.query_selector("textarea") {
                        focus(&first);
                    }
                }
            }
        }
    };
    let open = Rc::new(open);
    {
        let (ready, wanted, open) = (Rc::clone(&ready), Rc::clone(&wanted), Rc::clone(&open));
        on(&launcher, "click", move |_| {
            if ready.get() {
                open();
            } else {
                wanted.set(true);
            }
        })?;
    }
    {
        // Esc (the dialog's own `cancel`) and the close buttons all end here.
        let (launcher, host, answered) =
            (launcher.clone(), shell.host.clone(), Rc::clone(&answered));
        on(&dialog, "close", move |_| {
            flag(&launcher, "aria-expanded", false);
            if answered.get() {
                // Answered: the launcher stays away for the cooldown.
                host.remove();
            } else {
                focus(&launcher);
            }
        })?;
    }
    trap_focus(&dialog)?;

    let (doc, config) = (doc.clone(), Rc::clone(config));
    wasm_bindgen_futures::spawn_local(async move {
        let Some(site) = site::fetch(&config).await else {
            shell.host.remove();
            return;
        };
        let done = Rc::clone(&answered);
        let Ok(panel) = form::panel(&doc, &config, &site, true, move || done.set(true)) else {
            return;
        };
        let _ = dialog.append_child(&panel);
        if let Ok(buttons) = panel.query_selector_all(".close, .finish") {
            for b in (0..buttons.length()).filter_map(|i| buttons.item(i)) {
                if let Some(b) = b.dyn_ref::<Element>() {
                    let dialog = dialog.clone();
                    let _ = on(b, "click", move |_| {
                        if let Some(d) = dialog.dyn_ref::<HtmlDialogElement>() {
                            d.close();
                        }
                    });
                }
            }
        }
        ready.set(true);
        if wanted.get() {
            open();
        }
    });
    Ok(())
}

/// Tab from the last control goes to the first and Shift+Tab from the first
/// to the last, so keyboard focus never leaves the open dialog.
fn trap_focus(dialog: &Element) -> Result<(), JsValue> {
    let d = dialog.clone();
    on(dialog, "keydown", move |e| {
        let Some(key) = e.dyn_ref::<KeyboardEvent>() else {
            return;
        };
        if key.key() != "Tab" {
            return;
        }
        let Ok(all) = d.query_selector_all("button, textarea, input") else {
            return;
        };
        // Only what is shown: hidden parts have no boxes.
        let shown: Vec<Element> = (0..all.length())
            .filter_map(|i| all.item(i)?.dyn_into::<Element>().ok())
            .filter(|e| e.get_client_rects().length() > 0)
            .collect();
        let (Some(first), Some(last)) = (shown.first(), shown.last()) else {
            return;
        };
        let active = d
            .get_root_node()
            .dyn_into::<web_sys::ShadowRoot>()
            .ok()
            .and_then(|r| r.active_element());
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
