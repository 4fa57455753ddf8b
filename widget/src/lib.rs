//! Candor's widget: a thin shell that draws the form in a Shadow DOM and posts
//! the answer. The product rules (tiers, wording, thank-you text) live on the
//! server side in `domain`; the widget shows what the server answers.
//!
//! It is built three times (see `cargo xtask build`): the launcher build
//! (`--no-default-features`) is the first render and exports [`launch`]
//! only; the inline build (feature `form`) adds the form, the offline outbox
//! and the site's settings, and exports [`mount`], which the loader calls
//! for an inline form; the full build (feature `dialog`) adds the modal
//! dialog and exports [`open`] and `open_from_page` too, which the launcher
//! and `Candor.open()` reach through the loader when they are needed.

// The launcher build compiles the shared modules (config, locale, store,
// dom) but uses only the part the first render needs; the rest is unused
// there by design and removed by the linker.
#![cfg_attr(not(feature = "form"), allow(dead_code))]

#[cfg(test)]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

// dlmalloc, std's allocator, is about 7 KiB of each build; a free-list
// allocator is a few hundred bytes. The widget allocates little and briefly.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::LockedAllocator<lol_alloc::FreeListAllocator> =
    lol_alloc::LockedAllocator::new(lol_alloc::FreeListAllocator::new());

mod config;
mod dom;
mod launcher;
mod locale;
#[cfg(feature = "form")]
mod outbox;
mod shell;
#[cfg(feature = "form")]
mod site;
mod store;
#[cfg(feature = "form")]
mod submit;
#[cfg(feature = "form")]
mod text;
#[cfg(feature = "form")]
mod timer;
#[cfg(feature = "form")]
mod view;

use js_sys::Reflect;
use wasm_bindgen::prelude::*;

// Called once per setting: kept out of line, or the array's `map` below
// unrolls a copy of it per name.
#[inline(never)]
fn field(settings: &JsValue, name: &str) -> String {
    Reflect::get(settings, &name.into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// The settings the loader read from the script tag, parsed. `warn` says
/// whether to name the ignored attributes (once per page: in `launch`).
fn config(settings: &JsValue, warn: bool) -> Option<config::Config> {
    let [site, api, transaction, locale, mode, target, corner, lang, name, email] = [
        "site",
        "api",
        "transaction",
        "locale",
        "mode",
        "target",
        "side",
        "lang",
        "name",
        "email",
    ]
    .map(|name| field(settings, name));
    let raw = config::Raw {
        site: &site,
        api: &api,
        transaction: &transaction,
        locale: &locale,
        mode: &mode,
        target: &target,
        side: &corner,
        lang: &lang,
        name: &name,
        email: &email,
    };
    let parsed = config::Config::parse(&raw);
    if warn {
        match &parsed {
            None => web_sys::console::warn_1(
                &"Candor: data-site is missing or invalid; the widget is not shown".into(),
            ),
            Some((_, ignored)) if !ignored.is_empty() => {
                // By hand: `join` is a kilobyte of the launcher build.
                let mut msg = String::from("Candor: ignored invalid");
                for (i, name) in ignored.iter().enumerate() {
                    msg.push_str(if i == 0 { " " } else { ", " });
                    msg.push_str(name);
                }
                web_sys::console::warn_1(&msg.into());
            }
            Some(_) => {}
        }
    }
    #[cfg(feature = "form")]
    let parsed = parsed.map(|(config, ignored)| {
        let challenge = Reflect::get(settings, &"challenge".into()).ok();
        let challenge = challenge.and_then(|f| f.dyn_into().ok());
        (
            config::Config {
                challenge,
                ..config
            },
            ignored,
        )
    });
    parsed.map(|(config, _)| config)
}

/// Whether the ignored attributes were named in the console already
/// (`settings.warned`): by the launcher before it hands over to [`mount`],
/// or by the inline build before the loader falls back to the launcher.
/// Once per page is enough.
fn warned(settings: &JsValue) -> bool {
    Reflect::get(settings, &"warned".into()).is_ok_and(|v| v.is_truthy())
}

/// The first render, called by the loader (`www/widget.js`) with the
/// script tag's settings. Never throws into the host page for anything the
/// page set. Exported by the launcher build only: the loader never calls
/// the other builds' (in inline mode it calls [`mount`], which asks the
/// loader for this build when the target is missing).
#[cfg_attr(not(feature = "form"), wasm_bindgen)]
pub fn launch(settings: &JsValue) -> Result<(), JsValue> {
    match config(settings, !warned(settings)) {
        Some(config) => launcher::launch(&config, settings),
        None => Ok(()),
    }
}

/// Inline and full builds: sends what earlier pages left in the outbox,
/// then draws the inline form unless this browser answered within the
/// cooldown. The loader calls the inline build's for inline mode; the
/// launcher calls the full build's when answers wait in the outbox.
#[cfg(feature = "form")]
#[wasm_bindgen]
pub fn mount(settings: &JsValue) {
    // Called by the loader directly in inline mode (then it warns about bad
    // attributes), or by the launcher, which has warned already.
    let Some(config) = config(settings, !warned(settings)) else {
        return;
    };
    outbox::flush(config.api.clone());
    if store::load().cooling_down(&config.cooldown_key(), js_sys::Date::now()) {
        return;
    }
    warn_on_error(view::mount(config, settings));
}

/// The full build's exports return nothing: a failure (a page without a
/// document or body, say) is one console warning, as a throw caught by the
/// loader was, with smaller shims for the export.
#[cfg(feature = "form")]
fn warn_on_error(drawn: Result<(), JsValue>) {
    if let Err(e) = drawn {
        web_sys::console::warn_2(&"Candor: the feedback widget could not draw".into(), &e);
    }
}

/// Full build: `Candor.open()` from the page's own button (the loader has
/// checked that a click or a key press is under way). Opens the form for
/// the page's transaction, or the one given, unless it was answered.
#[cfg(feature = "dialog")]
#[wasm_bindgen]
pub fn open_from_page(settings: &JsValue) {
    let Some(config) = config(settings, false) else {
        return;
    };
    if store::load().cooling_down(&config.cooldown_key(), js_sys::Date::now()) {
        web_sys::console::warn_1(&"Candor: this was answered already".into());
        return;
    }
    warn_on_error(view::open_from_page(config));
}

/// Full build: opens the dialog of the launcher in `host`.
#[cfg(feature = "dialog")]
#[wasm_bindgen]
pub fn open(host: &web_sys::Element, settings: &JsValue) {
    if let Some(config) = config(settings, false) {
        warn_on_error(view::open(host, std::rc::Rc::new(config)));
    }
}
