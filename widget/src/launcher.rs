//! The first render: the launcher button, and nothing else. This module is
//! all the small launcher build contains; the form, the outbox and the
//! site's settings live in the full build, which the loader fetches when a
//! customer reaches for the button (hover, focus or click) or when the page
//! needs it at once (inline mode, answers waiting to be sent).

use crate::config::{Config, Mode};
use crate::dom::{el, on};
use crate::shell;
use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;

/// Asks the loader for the full build (`settings.full(name, a, b)`: fetched
/// once, then its export `name` called with `a` and `b`). An empty `name`
/// only fetches it.
pub fn with_full(settings: &JsValue, name: &str, a: &JsValue, b: &JsValue) {
    if let Ok(full) = Reflect::get(settings, &"full".into()).and_then(JsCast::dyn_into::<Function>)
    {
        let _ = full.call3(&JsValue::NULL, &name.into(), a, b);
    }
}

/// Shows the launcher, unless the page asked for the inline form or the
/// full build is needed at once.
pub fn launch(config: &Config, settings: &JsValue) -> Result<(), JsValue> {
    let (waiting, cooling) =
        crate::store::peek(&config.api, &config.cooldown_key(), js_sys::Date::now());
    if waiting || (matches!(config.mode, Mode::Inline(_)) && !cooling) {
        // The full build flushes the outbox and draws the inline form;
        // the bad attributes are already named in the console.
        let _ = Reflect::set(settings, &"warned".into(), &JsValue::TRUE);
        with_full(settings, "mount", settings, &JsValue::UNDEFINED);
        Ok(())
    } else if cooling {
        Ok(()) // answered recently: nothing to offer, nothing to load
    } else {
        render(config, settings)
    }
}

/// The host with its launcher, at the bottom corner of the page.
pub fn render(config: &Config, settings: &JsValue) -> Result<(), JsValue> {
    let window = crate::dom::window();
    let doc = window.document().ok_or("no document")?;
    let shell = shell::create(&doc, config, false)?;
    let button = el(
        &doc,
        "button",
        &[
            ("type", "button"),
            ("class", "launcher"),
            ("aria-haspopup", "dialog"),
            ("aria-expanded", "false"),
        ],
        config.lang.launcher(),
    )?;
    shell.wrap.append_child(&button)?;
    doc.body().ok_or("no body")?.append_child(&shell.host)?;
    if let Some(p) = window.performance() {
        let _ = p.mark("candor:rendered");
    }
    // Warm the full build as soon as the customer reaches for the button.
    for event in ["pointerenter", "focus"] {
        let settings = settings.clone();
        on(&button, event, move |_| {
            with_full(&settings, "", &JsValue::UNDEFINED, &JsValue::UNDEFINED);
        })?;
    }
    let (host, settings, busy) = (shell.host, settings.clone(), button.clone());
    on(&button, "click", move |_| {
        let _ = busy.set_attribute("aria-busy", "true");
        with_full(&settings, "open", &host, &settings);
    })?;
    Ok(())
}
