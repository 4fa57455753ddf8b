//! The offline outbox (issue: never lose an answer). Every answer is saved
//! in `localStorage` before it is sent and removed only when the server has
//! it (201, or 200 for the same `id` again) or refuses it for good. What is
//! left is retried with backoff, at once when the browser comes back
//! online, and on the next page load.

use crate::store::{self, Queued};
use crate::submit::{self, Outcome};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// Waits between retries; the last one repeats. `Retry-After` can only
/// lengthen them.
const BACKOFF_MS: [u32; 5] = [2_000, 5_000, 15_000, 60_000, 300_000];

pub fn backoff(attempt: usize, retry_after_ms: u32) -> u32 {
    BACKOFF_MS[attempt.min(BACKOFF_MS.len() - 1)].max(retry_after_ms)
}

/// Told when a queued answer is settled, so an open widget can turn
/// "saved on this device" into the server's thank-you.
pub type Listener = Rc<dyn Fn(&str, &Outcome)>;

#[derive(Default)]
struct Retry {
    attempt: usize,
    timer: Option<i32>,
    flushing: bool,
    /// The pending one-shot `online` listener, removed once nothing waits.
    online: Option<JsValue>,
    listener: Option<Listener>,
}

thread_local! {
    static RETRY: RefCell<Retry> = RefCell::default();
}

pub fn listen(listener: Listener) {
    RETRY.with(|r| r.borrow_mut().listener = Some(listener));
}

fn settled(id: &str, outcome: &Outcome) {
    // Clone out first: the listener may touch RETRY itself.
    if let Some(l) = RETRY.with(|r| r.borrow().listener.clone()) {
        l(id, outcome);
    }
}

/// Saves `item`, sends it once and handles the outcome: removed when
/// settled, kept and retried later otherwise.
pub async fn deliver(item: Queued) -> Outcome {
    let api = item.api.clone();
    store::update(|s| s.push(item.clone()));
    let outcome = attempt(&item).await;
    if let Outcome::Retry(after) = outcome {
        schedule(&api, after);
    }
    outcome
}

async fn attempt(item: &Queued) -> Outcome {
    let outcome = submit::send(&item.api, &item.body).await;
    if !matches!(outcome, Outcome::Retry(_)) {
        store::update(|s| s.remove(&item.id));
    }
    if let Outcome::Rejected(why) = &outcome {
        let mut msg = String::from("Candor: an answer was refused: ");
        msg.push_str(why);
        web_sys::console::warn_1(&msg.into());
    }
    outcome
}

/// Sends every answer queued for `api`, oldest first, stopping at the first
/// that must wait.
pub fn flush(api: String) {
    let busy = RETRY.with(|r| std::mem::replace(&mut r.borrow_mut().flushing, true));
    if busy {
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        let queued: Vec<Queued> = store::load()
            .queue
            .into_iter()
            .filter(|q| q.api == api)
            .collect();
        let mut wait = None;
        for item in queued {
            match attempt(&item).await {
                Outcome::Retry(after) => {
                    wait = Some(after);
                    break;
                }
                outcome => settled(&item.id, &outcome),
            }
        }
        RETRY.with(|r| r.borrow_mut().flushing = false);
        match wait {
            Some(after) => schedule(&api, after),
            None => stop_listening(),
        }
    });
}

/// The backlog is empty: forget the attempt count and the `online` listener.
fn stop_listening() {
    let online = RETRY.with(|r| {
        let mut r = r.borrow_mut();
        r.attempt = 0;
        r.online.take()
    });
    if let Some(f) = online {
        let w = crate::dom::window();
        let _ = w.remove_event_listener_with_callback("online", f.unchecked_ref());
    }
}

/// One timer for the next retry, plus a one-shot `online` listener while
/// anything waits: no listener outlives the backlog.
fn schedule(api: &str, retry_after_ms: u32) {
    let window = crate::dom::window();
    let (delay, old, listening) = RETRY.with(|r| {
        let mut r = r.borrow_mut();
        let delay = backoff(r.attempt, retry_after_ms);
        r.attempt += 1;
        (delay, r.timer.take(), r.online.is_some())
    });
    if let Some(old) = old {
        crate::timer::cancel(old);
    }
    let again = api.to_owned();
    let handle = crate::timer::after(i32::try_from(delay).unwrap_or(i32::MAX), move || {
        RETRY.with(|r| r.borrow_mut().timer = None);
        flush(again);
    });
    RETRY.with(|r| r.borrow_mut().timer = Some(handle));
    if !listening {
        let again = api.to_owned();
        let on_online = Closure::once_into_js(move || {
            RETRY.with(|r| r.borrow_mut().online = None);
            flush(again);
        });
        let options = web_sys::AddEventListenerOptions::new();
        options.set_once(true);
        let _ = window.add_event_listener_with_callback_and_add_event_listener_options(
            "online",
            on_online.unchecked_ref(),
            &options,
        );
        RETRY.with(|r| r.borrow_mut().online = Some(on_online));
    }
}

#[cfg(test)]
mod tests {
    use super::backoff;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn backoff_grows_then_holds_and_honours_retry_after() {
        let waits: Vec<u32> = (0..8).map(|a| backoff(a, 0)).collect();
        assert_eq!(
            waits,
            [2_000, 5_000, 15_000, 60_000, 300_000, 300_000, 300_000, 300_000]
        );
        assert_eq!(backoff(0, 30_000), 30_000);
        assert_eq!(backoff(4, 30_000), 300_000);
    }
}
