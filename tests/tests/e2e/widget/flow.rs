//! The widget's whole flow in real headless Chromium against the real local
//! Worker, by keyboard alone: Tab to the launcher, open it, Esc back, open
//! again, answer, pick a score, ask for a call back, send; the thank-you is
//! the server's, the answer is stored once, axe-core finds nothing in light
//! and dark, and the launcher stays away afterwards (cooldown). On laptop
//! and phone screens the open dialog fits the window and keeps Send in view.

use crate::support::{wait_until, Browser, Stack};
use serde_json::Value;
use std::time::Duration;

/// How long any one step of the page may take.
const WAIT: Duration = Duration::from_secs(15);

const TAB: &str = "\u{E004}";
const ENTER: &str = "\u{E007}";
const ESC: &str = "\u{E00C}";

/// The class of the focused element inside the widget, if focus is there.
async fn focused(b: &Browser) -> String {
    b.in_widget("w && w.activeElement ? (w.activeElement.className || w.activeElement.id) : ''")
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn assert_clean(violations: &[String], when: &str) {
    assert!(violations.is_empty(), "axe-core, {when}: {violations:#?}");
}

/// Tab to the launcher, open it with Enter, close it with Esc: focus goes
/// back to the launcher.
async fn open_by_keyboard_and_escape(b: &Browser) {
    // Tab from the top of the page until the launcher has focus.
    let mut tabs = 0;
    while focused(b).await != "launcher" {
        b.press(TAB).await;
        tabs += 1;
        assert!(tabs < 20, "the launcher is reachable by Tab");
    }
    b.press(ENTER).await;
    b.wait_in_widget(
        "the dialog opens",
        "!!w.querySelector('dialog[open]')",
        WAIT,
    )
    .await;
    wait_until(
        "focus is in the question",
        Duration::from_secs(5),
        || async { focused(b).await == "candor-gaps" },
    )
    .await;
    assert_eq!(
        b.in_widget("w.querySelectorAll('[aria-pressed=true], input:checked').length")
            .await,
        0,
        "nothing preselected"
    );
    assert_clean(&b.axe_violations().await, "light, form open");

    // Esc closes and gives focus back to the launcher.
    b.press(ESC).await;
    b.wait_in_widget(
        "the dialog closes",
        "!w.querySelector('dialog[open]')",
        WAIT,
    )
    .await;
    wait_until(
        "focus returns to the launcher",
        Duration::from_secs(5),
        || async { focused(b).await == "launcher" },
    )
    .await;
}

/// Enter reopens it; sending nothing is refused, announced and focused, and
/// typing clears the complaint.
async fn empty_answer_is_refused(b: &Browser) {
    b.press(ENTER).await;
    b.wait_in_widget(
        "the dialog reopens",
        "!!w.querySelector('dialog[open]')",
        WAIT,
    )
    .await;
    b.click_send().await;
    b.wait_in_widget(
        "the error shows",
        "w.querySelector('[role=alert]').textContent.length > 0",
        WAIT,
    )
    .await;
    assert_eq!(focused(b).await, "candor-gaps");
    b.screenshot("widget-error").await;
    b.press("x").await;
    assert_eq!(
        b.in_widget("w.querySelector('[role=alert]').textContent")
            .await,
        "",
        "typing clears the complaint"
    );
    b.press("\u{E003}").await; // Backspace
}

/// Types the answer, picks 3, asks for a call back with a name and email,
/// and lands on Send — all by keyboard — then sends with Enter.
async fn answer_by_keyboard(b: &Browser, gaps: &str) {
    b.press(gaps).await;
    // textarea → 1 → 2 → 3, pick 3; → 4 → 5 → call back, tick it.
    b.press(&TAB.repeat(3)).await;
    b.press(" ").await;
    b.press(&TAB.repeat(3)).await;
    assert_eq!(focused(b).await, "candor-callback");
    b.press(" ").await;
    b.wait_in_widget(
        "the contact fields show",
        "!w.querySelector('.contact').hidden",
        WAIT,
    )
    .await;
    // Past the guarantee (the demo site offers it) to the name.
    b.press(&TAB.repeat(2)).await;
    assert_eq!(focused(b).await, "candor-name");
    b.press("Ana Lima").await;
    b.press(TAB).await;
    b.press("ana@example.com").await;
    b.press(TAB).await;
    b.press(TAB).await;
    let values = b
        .in_widget("['name', 'email', 'phone'].map(f => w.querySelector('#candor-' + f).value)")
        .await;
    assert_eq!(focused(b).await, "send", "{values}");
    assert_clean(&b.axe_violations().await, "light, form filled");
    b.screenshot("widget-form").await;
    b.press(ENTER).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyboard_only_answer_is_thanked_stored_once_and_the_launcher_then_rests() {
    let stack = Stack::start("widget-flow");
    let b = Browser::start(&stack.dir, 1100, 800).await;
    b.client.goto(&stack.worker.url("/demo/")).await.unwrap();
    b.wait_for_launcher(WAIT).await;
    assert_eq!(
        b.in_widget("w.querySelectorAll('dialog').length").await,
        0,
        "never opens by itself"
    );
    b.screenshot("widget-launcher").await;

    open_by_keyboard_and_escape(&b).await;
    empty_answer_is_refused(&b).await;
    let gaps = "The parcel was left in the rain and nobody answered the phone.";
    answer_by_keyboard(&b, gaps).await;
    let thanks = b.wait_for_thanks(WAIT).await;
    assert!(
        thanks.contains("will call you back within 1 hour"),
        "the server's thank-you names who calls and when: {thanks}"
    );
    assert_eq!(
        b.in_widget("w.querySelector('.next').getAttribute('role')")
            .await,
        "status"
    );
    assert_clean(&b.axe_violations().await, "light, thank-you");
    b.screenshot("widget-thanks").await;

    let rows = stack.rows(
        "SELECT score, tier, gaps, callback, contact_name, contact_email, transaction_ref, locale, page FROM responses",
    );
    assert_eq!(rows.len(), 1, "{rows:?}");
    let r = &rows[0];
    assert_eq!(r["score"], 3);
    assert_eq!(r["tier"], "account");
    assert_eq!(r["gaps"], gaps);
    assert_eq!(r["callback"], 1);
    assert_eq!(r["contact_name"], "Ana Lima");
    assert_eq!(r["contact_email"], "ana@example.com");
    assert_eq!(r["transaction_ref"], "order-1042");
    assert_eq!(r["locale"], "en");
    assert_eq!(r["page"], stack.worker.url("/demo/"));

    // Closing after the answer removes the launcher; a new page view in
    // this browser does not offer it again (cooldown, rule 6).
    b.press(ESC).await;
    wait_until("the launcher goes away", Duration::from_secs(5), || async {
        b.js("!document.querySelector('candor-widget')").await == Value::Bool(true)
    })
    .await;
    b.client.goto(&stack.worker.url("/demo/")).await.unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        b.js("document.querySelectorAll('candor-widget').length")
            .await,
        0,
        "the cooldown hides the launcher"
    );
    assert_eq!(stack.rows("SELECT id FROM responses").len(), 1);
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dark_mode_reduced_motion_and_a_narrow_screen_stay_readable_and_accessible() {
    let stack = Stack::start("widget-dark");
    let b = Browser::start(&stack.dir, 600, 700).await;
    // Headless windows have a minimum width; emulate a 320 px phone.
    b.cdp(
        "Emulation.setDeviceMetricsOverride",
        serde_json::json!({"width": 320, "height": 640, "deviceScaleFactor": 1, "mobile": true}),
    )
    .await;
    b.cdp(
        "Emulation.setEmulatedMedia",
        serde_json::json!({"features": [
            {"name": "prefers-color-scheme", "value": "dark"},
            {"name": "prefers-reduced-motion", "value": "reduce"},
        ]}),
    )
    .await;
    b.client.goto(&stack.worker.url("/demo/")).await.unwrap();
    b.wait_for_launcher(WAIT).await;
    b.screenshot("widget-dark-320-launcher").await;
    b.in_widget("w.querySelector('.launcher').click()").await;
    b.wait_in_widget(
        "the dialog opens",
        "!!w.querySelector('dialog[open] textarea')",
        WAIT,
    )
    .await;
    let bg = b
        .in_widget("getComputedStyle(w.querySelector('dialog')).backgroundColor")
        .await;
    assert_eq!(bg, "rgb(31, 31, 35)", "dark colours apply");
    assert_eq!(
        b.in_widget("getComputedStyle(w.querySelector('dialog')).animationName")
            .await,
        "none",
        "no animation when reduced motion is asked for"
    );
    let fits = b
        .in_widget("(() => { const r = w.querySelector('dialog').getBoundingClientRect(); return r.left >= 0 && r.right <= innerWidth; })()")
        .await;
    assert_eq!(fits, true, "the dialog fits 320 px");
    let small = b
        .in_widget("[...w.querySelectorAll('dialog button')].filter(e => e.getClientRects().length).map(e => [e.className, e.getBoundingClientRect().width, e.getBoundingClientRect().height]).filter(([, w, h]) => w < 44 || h < 44)")
        .await;
    assert_eq!(
        small,
        serde_json::json!([]),
        "every button is at least 44 × 44 px"
    );
    assert_clean(&b.axe_violations().await, "dark, 320 px, form open");
    b.screenshot("widget-dark-320-form").await;
    b.close().await;
}

/// Windows customers really have (CSS pixels): a 720p laptop, the most
/// common laptop, and a phone.
const WINDOWS: [(u32, u32); 3] = [(1280, 720), (1366, 768), (390, 844)];

/// The dialog's and Send's boxes against the window, and whether the
/// browser's own hit testing finds Send at its centre and just inside each
/// edge (so nothing clips or covers it): what a click there would reach.
const SEND_IN_VIEW: &str = "(() => {
  const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom].map(Math.round); };
  const send = w.querySelector('button[type=submit]');
  const [l, t, r, b] = box(send);
  const hit = (x, y) => { const e = w.elementFromPoint(x, y); return !!e && send.contains(e); };
  const [x, y] = [(l + r) / 2, (t + b) / 2];
  const hits = [[x, y], [x, t + 2], [x, b - 2], [l + 2, y], [r - 2, y]].every(([x, y]) => hit(x, y));
  return { window: [innerWidth, innerHeight], dialog: box(w.querySelector('dialog')), send: [l, t, r, b], hits, centre: [x, y] };
})()";

/// Asserts that the dialog lies inside the window and that Send lies inside
/// the dialog and the window with nothing over it; returns Send's centre.
async fn assert_send_in_view(b: &Browser, when: &str) -> (f64, f64) {
    let got = b.in_widget(SEND_IN_VIEW).await;
    let n = |v: &Value, i: usize| v[i].as_i64().unwrap();
    let (win, dialog, send) = (&got["window"], &got["dialog"], &got["send"]);
    assert!(
        n(dialog, 0) >= 0
            && n(dialog, 1) >= 0
            && n(dialog, 2) <= n(win, 0)
            && n(dialog, 3) <= n(win, 1),
        "{when}: the dialog lies inside the window: {got}"
    );
    assert!(
        n(send, 0) >= n(dialog, 0)
            && n(send, 1) >= n(dialog, 1)
            && n(send, 2) <= n(dialog, 2)
            && n(send, 3) <= n(dialog, 3),
        "{when}: Send lies inside the dialog: {got}"
    );
    assert_eq!(
        got["hits"], true,
        "{when}: nothing clips or covers Send: {got}"
    );
    let centre = |i: usize| got["centre"][i].as_f64().unwrap();
    (centre(0), centre(1))
}

/// A real mouse click (WebDriver pointer actions) at `(x, y)` in the window.
async fn click_at(b: &Browser, (x, y): (f64, f64)) {
    use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
    let mouse = MouseActions::new("mouse".into())
        .then(PointerAction::MoveTo {
            duration: None,
            x,
            y,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    b.client.perform_actions(mouse).await.expect("mouse click");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_open_dialog_fits_laptop_and_phone_windows_and_send_stays_in_view_and_clickable() {
    let stack = Stack::start("widget-fits-the-window");
    for (width, height) in WINDOWS {
        let size = format!("{width}x{height}");
        let dir = stack.dir.join(&size);
        std::fs::create_dir_all(&dir).unwrap();
        let b = Browser::start(&dir, width, height).await;
        // The viewport at exactly this size: a headless window's viewport is
        // shorter than the window, and windows have a minimum width.
        b.cdp(
            "Emulation.setDeviceMetricsOverride",
            serde_json::json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600}),
        )
        .await;
        b.client.goto(&stack.worker.url("/demo/")).await.unwrap();
        b.open_launcher(WAIT).await;
        let shot = |name: &str| stack.dir.join(format!("{size}-{name}.png"));
        std::fs::write(shot("open"), b.client.screenshot().await.unwrap()).unwrap();
        assert_send_in_view(&b, &format!("{size}, just opened")).await;

        // A call back adds the contact fields: the tallest the form gets.
        b.in_widget("w.querySelector('#candor-callback').click()")
            .await;
        b.wait_in_widget(
            "the contact fields show",
            "!w.querySelector('.contact').hidden",
            WAIT,
        )
        .await;
        std::fs::write(shot("call-back"), b.client.screenshot().await.unwrap()).unwrap();
        assert_send_in_view(&b, &format!("{size}, with the contact fields")).await;
        // The last field, focused, is scrolled into view and not covered.
        let last = b
            .in_widget(
                "(() => { const p = w.querySelector('#candor-phone'); p.focus();
                   const r = p.getBoundingClientRect();
                   return w.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2) === p; })()",
            )
            .await;
        assert_eq!(last, true, "{size}: the focused phone field is in view");
        let centre = assert_send_in_view(&b, &format!("{size}, on the last field")).await;

        // A real click there reaches Send: the empty answer is refused.
        click_at(&b, centre).await;
        b.wait_in_widget(
            "the click on Send is answered",
            "w.querySelector('[role=alert]').textContent.length > 0",
            WAIT,
        )
        .await;
        assert_eq!(focused(&b).await, "candor-gaps", "{size}");
        assert_send_in_view(&b, &format!("{size}, with the complaint")).await;
        std::fs::write(shot("refused"), b.client.screenshot().await.unwrap()).unwrap();
        b.close().await;
    }
    assert!(stack.rows("SELECT id FROM responses").is_empty());
}
