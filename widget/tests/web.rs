//! The widget in real headless Chromium (wasm-bindgen-test): how it mounts,
//! opens, traps focus, checks the answer and keeps it when the network is
//! gone. The Worker is not running here: `api` points at a closed port, so
//! every request fails the way it does offline.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, HtmlElement, ShadowRoot};

wasm_bindgen_test_configure!(run_in_browser);

const CLOSED_PORT: &str = "http://127.0.0.1:9";

/// The loader's settings, with `full(name, a, b)` standing in for the
/// loader's import of the full build: a promise of an object with its
/// exports, whose export `name`, when given, it then calls with `a`, `b`.
fn settings(pairs: &[(&str, &str)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in [("site", "demo"), ("api", CLOSED_PORT)].iter().chain(pairs) {
        js_sys::Reflect::set(&o, &(*k).into(), &(*v).into()).unwrap();
    }
    let module = js_sys::Object::new();
    let open = Closure::<dyn Fn(web_sys::Element, JsValue)>::new(|host, s: JsValue| {
        candor_widget::open(&host, &s);
    });
    let mount = Closure::<dyn Fn(JsValue)>::new(|s: JsValue| candor_widget::mount(&s));
    js_sys::Reflect::set(&module, &"open".into(), open.as_ref()).unwrap();
    js_sys::Reflect::set(&module, &"mount".into(), mount.as_ref()).unwrap();
    open.forget();
    mount.forget();
    let promise: js_sys::Promise = js_sys::Promise::resolve(&module).unchecked_into();
    let full = Closure::<dyn Fn(JsValue, JsValue, JsValue) -> js_sys::Promise>::new(
        move |name: JsValue, a: JsValue, b: JsValue| {
            if let Some(name) = name.as_string().filter(|n| !n.is_empty()) {
                let (promise, module) = (promise.clone(), module.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    JsFuture::from(promise).await.unwrap();
                    let f: js_sys::Function = js_sys::Reflect::get(&module, &name.into())
                        .unwrap()
                        .unchecked_into();
                    f.call2(&JsValue::NULL, &a, &b).unwrap();
                });
            }
            promise.clone()
        },
    );
    js_sys::Reflect::set(&o, &"full".into(), full.as_ref()).unwrap();
    full.forget();
    // The loader's `launcher()`: the launcher build, when the inline form's
    // target is missing.
    let page = o.clone();
    let launcher = Closure::<dyn Fn()>::new(move || {
        js_sys::Reflect::set(&page, &"mode".into(), &"launcher".into()).unwrap();
        js_sys::Reflect::set(&page, &"warned".into(), &JsValue::TRUE).unwrap();
        candor_widget::launch(&page).unwrap();
    });
    js_sys::Reflect::set(&o, &"launcher".into(), launcher.as_ref()).unwrap();
    launcher.forget();
    o.into()
}

fn doc() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// A clean page: no widget, no storage.
fn reset() {
    let hosts = doc().query_selector_all("candor-widget").unwrap();
    for i in 0..hosts.length() {
        hosts
            .item(i)
            .unwrap()
            .dyn_into::<Element>()
            .unwrap()
            .remove();
    }
    web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .clear()
        .unwrap();
}

async fn sleep(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(p).await.unwrap();
}

/// Waits (up to 10 s) for `selector` inside the only widget's shadow root.
async fn find(selector: &str) -> (ShadowRoot, Element) {
    for _ in 0..200 {
        if let Some(host) = doc().query_selector("candor-widget").unwrap() {
            let root = host.shadow_root().expect("open shadow root");
            if let Some(e) = root.query_selector(selector).unwrap() {
                return (root, e);
            }
        }
        sleep(50).await;
    }
    panic!("{selector} never appeared");
}

fn click(root: &ShadowRoot, selector: &str) {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no {selector}"))
        .dyn_into::<HtmlElement>()
        .unwrap()
        .click();
}

fn active(root: &ShadowRoot) -> Option<Element> {
    root.active_element()
}

fn text(root: &ShadowRoot, selector: &str) -> String {
    root.query_selector(selector)
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap_or_default()
}

fn type_text(root: &ShadowRoot, value: &str) {
    let area = root
        .query_selector("textarea")
        .unwrap()
        .unwrap()
        .dyn_into::<web_sys::HtmlTextAreaElement>()
        .unwrap();
    area.set_value(value);
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    area.dispatch_event(&web_sys::Event::new_with_event_init_dict("input", &init).unwrap())
        .unwrap();
}

async fn open_form() -> ShadowRoot {
    let (root, launcher) = find(".launcher").await;
    launcher.dyn_into::<HtmlElement>().unwrap().click();
    let (root2, _) = find(".dialog[open] textarea").await;
    assert!(root == root2);
    root
}

#[wasm_bindgen_test]
async fn opens_only_when_asked_with_nothing_preselected() {
    reset();
    candor_widget::launch(&settings(&[])).unwrap();
    let (root, _) = find(".launcher").await;
    sleep(300).await;
    assert!(
        root.query_selector("dialog").unwrap().is_none(),
        "never opens by itself"
    );
    let root = open_form().await;
    let dialog = root.query_selector("dialog").unwrap().unwrap();
    assert_eq!(
        text(&root, ".launcher"),
        "Feedback",
        "English without data-locale or lang"
    );
    assert_eq!(
        active(&root).unwrap().tag_name(),
        "TEXTAREA",
        "focus starts in the question"
    );
    assert_eq!(root.query_selector_all(".pick").unwrap().length(), 5);
    assert_eq!(
        root.query_selector_all("[aria-pressed='true'], input:checked")
            .unwrap()
            .length(),
        0,
        "nothing preselected"
    );
    // Choosing, changing and clearing the score.
    click(&root, "[data-score='2']");
    click(&root, "[data-score='4']");
    let pressed = root.query_selector_all("[aria-pressed='true']").unwrap();
    assert_eq!(pressed.length(), 1);
    click(&root, "[data-score='4']");
    assert_eq!(
        root.query_selector_all("[aria-pressed='true']")
            .unwrap()
            .length(),
        0
    );
    // The close button closes the dialog and focus returns to the launcher.
    click(&root, ".close");
    assert!(!dialog.has_attribute("open"));
    sleep(50).await; // the dialog's `close` event is queued as a task
    assert_eq!(active(&root).unwrap().class_name(), "launcher");
    assert_eq!(
        root.query_selector(".launcher")
            .unwrap()
            .unwrap()
            .get_attribute("aria-expanded")
            .as_deref(),
        Some("false")
    );
}

#[wasm_bindgen_test]
async fn tab_stays_inside_the_open_dialog() {
    reset();
    candor_widget::launch(&settings(&[])).unwrap();
    let root = open_form().await;
    let tab = |shift: bool| {
        let init = web_sys::KeyboardEventInit::new();
        init.set_key("Tab");
        init.set_shift_key(shift);
        init.set_bubbles(true);
        init.set_cancelable(true);
        init.set_composed(true);
        let e =
            web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
        active(&root).unwrap().dispatch_event(&e).unwrap();
        e.default_prevented()
    };
    let send = root.query_selector(".send").unwrap().unwrap();
    send.clone()
        .dyn_into::<HtmlElement>()
        .unwrap()
        .focus()
        .unwrap();
    assert!(tab(false), "Tab on the last control is taken over");
    assert_eq!(
        active(&root).unwrap().class_name(),
        "close",
        "…and wraps to the first"
    );
    assert!(tab(true));
    assert_eq!(
        active(&root).unwrap(),
        send,
        "Shift+Tab wraps back to the last"
    );
    click(&root, ".close");
}

#[wasm_bindgen_test]
async fn a_missing_answer_or_contact_is_announced_and_focused() {
    reset();
    candor_widget::launch(&settings(&[])).unwrap();
    let root = open_form().await;
    type_text(&root, "   ");
    click(&root, ".send");
    assert!(text(&root, "[role='alert']").contains("where we fell short"));
    let area = root.query_selector("textarea").unwrap().unwrap();
    assert_eq!(area.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert_eq!(active(&root).unwrap(), area);

    type_text(&root, "Nobody called back.");
    assert_eq!(
        text(&root, ".count"),
        "19/4000",
        "the count follows the text"
    );
    click(&root, "#candor-callback");
    assert!(!root
        .query_selector(".contact")
        .unwrap()
        .unwrap()
        .has_attribute("hidden"));
    click(&root, ".send");
    assert!(text(&root, "[role='alert']").contains("email address or a phone number"));
    let email = root.query_selector("#candor-email").unwrap().unwrap();
    assert_eq!(active(&root).unwrap(), email);
    assert!(
        root.query_selector(".done")
            .unwrap()
            .unwrap()
            .has_attribute("hidden"),
        "nothing was sent"
    );
    click(&root, ".close");
}

#[wasm_bindgen_test]
async fn offline_the_answer_is_kept_on_the_device_and_the_customer_told() {
    reset();
    candor_widget::launch(&settings(&[("transaction", "order-9"), ("locale", "de")])).unwrap();
    let root = open_form().await;
    assert_eq!(text(&root, ".send"), "Senden");
    type_text(&root, "Die Lieferung kam zwei Tage zu spät.");
    click(&root, ".send");
    let (_, next) = find(".done:not([hidden]) ~ .next").await;
    assert!(
        next.text_content().unwrap().contains("offline"),
        "{:?}",
        next.text_content()
    );
    assert_eq!(next.get_attribute("role").as_deref(), Some("status"));
    let saved = web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .get_item("candor")
        .unwrap()
        .expect("one localStorage key");
    let state = js_sys::JSON::parse(&saved).unwrap();
    let queue: js_sys::Array = js_sys::Reflect::get(&state, &"q".into())
        .unwrap()
        .dyn_into()
        .unwrap();
    assert_eq!(queue.length(), 1, "{saved}");
    let body = js_sys::Reflect::get(&queue.get(0), &"body".into())
        .unwrap()
        .as_string()
        .unwrap();
    let body = js_sys::JSON::parse(&body).unwrap();
    let get = |k: &str| js_sys::Reflect::get(&body, &k.into()).unwrap();
    assert_eq!(
        get("gaps").as_string().unwrap(),
        "Die Lieferung kam zwei Tage zu spät."
    );
    assert_eq!(get("id").as_string().unwrap().len(), 36, "a UUID");
    assert!(
        saved.contains("\"cd\":{\"demo#order-9\":"),
        "the cooldown started, for this transaction: {saved}"
    );
    // Closing now hides the launcher: the customer has answered.
    click(&root, ".finish");
    sleep(50).await;
    assert!(doc().query_selector("candor-widget").unwrap().is_none());
    // And a new page in this browser does not offer it again.
    candor_widget::launch(&settings(&[])).unwrap();
    sleep(300).await;
    assert!(doc().query_selector("candor-widget").unwrap().is_none());
}

#[wasm_bindgen_test]
async fn inline_mode_draws_the_form_in_the_target_in_the_pages_language() {
    reset();
    let target = doc().create_element("div").unwrap();
    target.set_id("feedback-here");
    doc().body().unwrap().append_child(&target).unwrap();
    candor_widget::launch(&settings(&[("target", "#feedback-here"), ("lang", "ar")])).unwrap();
    let (root, _) = find(".inline textarea").await;
    let host = target.first_element_child().expect("mounted in the target");
    assert_eq!(host.tag_name(), "CANDOR-WIDGET");
    let wrap = root.query_selector(".candor").unwrap().unwrap();
    assert_eq!(wrap.get_attribute("dir").as_deref(), Some("rtl"));
    assert_eq!(wrap.get_attribute("lang").as_deref(), Some("ar"));
    assert!(root.query_selector(".launcher").unwrap().is_none());
    assert!(root.query_selector(".close").unwrap().is_none());
    target.remove();
}

#[wasm_bindgen_test]
async fn an_inline_form_without_its_target_is_the_launcher_instead() {
    reset();
    // Count the console's warnings that name ignored attributes.
    let console = js_sys::Reflect::get(&web_sys::window().unwrap(), &"console".into()).unwrap();
    let original = js_sys::Reflect::get(&console, &"warn".into()).unwrap();
    let named = std::rc::Rc::new(std::cell::Cell::new(0));
    let count = std::rc::Rc::clone(&named);
    let warn = Closure::<dyn Fn(JsValue)>::new(move |first: JsValue| {
        if first
            .as_string()
            .is_some_and(|m| m.contains("ignored invalid"))
        {
            count.set(count.get() + 1);
        }
    });
    js_sys::Reflect::set(&console, &"warn".into(), warn.as_ref()).unwrap();
    let s = settings(&[("target", "#not-on-this-page"), ("side", "middle")]);
    // As the loader calls it: the inline build's `mount`, directly.
    candor_widget::mount(&s);
    let (root, launcher) = find(".launcher").await;
    js_sys::Reflect::set(&console, &"warn".into(), &original).unwrap();
    assert_eq!(named.get(), 1, "the ignored data-side is named once");
    assert_eq!(launcher.text_content().as_deref(), Some("Feedback"));
    assert!(root.query_selector("textarea").unwrap().is_none());
    assert_eq!(
        doc().query_selector_all("candor-widget").unwrap().length(),
        1
    );
}

#[wasm_bindgen_test]
async fn a_page_without_a_usable_site_gets_nothing_and_no_error() {
    reset();
    for bad in ["", "Not A Site", "<img src=x>"] {
        let s = settings(&[]);
        js_sys::Reflect::set(&s, &"site".into(), &bad.into()).unwrap();
        assert!(candor_widget::launch(&s).is_ok());
    }
    candor_widget::launch(&settings(&[("mode", "sideways"), ("target", "#nope")])).unwrap();
    let (_, launcher) = find(".launcher").await;
    assert_eq!(
        launcher.text_content().as_deref(),
        Some("Feedback"),
        "falls back to the launcher"
    );
    assert_eq!(
        doc().query_selector_all("candor-widget").unwrap().length(),
        1
    );
}
