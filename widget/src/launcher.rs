//! The first render: the launcher button, and nothing else. This module is
//! all the small launcher build contains; the form, the outbox and the
//! site's settings live in the full build, which the loader fetches when a
//! customer reaches for the button (hover, focus or click) or when the page
//! needs it at once (inline mode, answers waiting to be sent).

use crate::config::{Config, Mode};
use crate::dom::{el, on};
use crate::shell;
use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;

/// Asks the loader for the full build (`settings.full()`, a promise of the
/// module, fetched once) and calls `name(args…)` on it.
pub fn with_full(settings: &JsValue, name: &'static str, args: js_sys::Array) {
    let Ok(load) = Reflect::get(settings, &"full".into()).and_then(JsCast::dyn_into::<Function>)
    else {
        return;
    };
    let Ok(promise) = load
        .call0(&JsValue::NULL)
        .and_then(JsCast::dyn_into::<Promise>)
    else {
        return;
    };
    if name.is_empty() {
        return; // a prefetch
    }
    let run = Closure::once_into_js(move |module: JsValue| {
        if let Ok(f) = Reflect::get(&module, &name.into()).and_then(JsCast::dyn_into::<Function>) {
            let _ = f.apply(&module, &args);
        }
    });
    // `promise.then(run)`, through Reflect: js-sys's typed `then` wants a
    // long-lived closure, and this one must free itself after one call.
    if let Ok(then) = Reflect::get(&promise, &"then".into()).and_then(JsCast::dyn_into::<Function>)
    {
        let _ = then.call1(&promise, &run);
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
        with_full(settings, "mount", js_sys::Array::of1(settings));
        Ok(())
    } else if cooling {
        Ok(()) // answered recently: nothing to offer, nothing to load
    } else {
        render(config, settings)
    }
}

/// The host with its launcher, at the bottom corner of the page.
pub fn render(config: &Config, settings: &JsValue) -> Result<(), JsValue> {
    let window = web_sys::window().ok_or("no window")?;
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
            with_full(&settings, "", js_sys::Array::new());
        })?;
    }
    let (host, settings) = (shell.host, settings.clone());
    on(&button, "click", move |e| {
        if let Some(b) = e
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        {
            let _ = b.set_attribute("aria-busy", "true");
        }
        with_full(&settings, "open", js_sys::Array::of2(&host, &settings));
    })?;
    Ok(())
}
