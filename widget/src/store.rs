//! The widget's one `localStorage` key (docs/embedding.md#isolation-and-csp): answers not yet
//! confirmed by the server (the offline outbox) and, per site or per
//! (site, transaction), when the widget may ask again (the cooldown, rule 6;
//! keys from `Config::cooldown_key`). Storage can be missing or
//! full (private modes, quotas); then the widget works on without it.

use js_sys::{Array, Object, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};

const KEY: &str = "candor";
/// Enough for any real backlog; a runaway page cannot fill the quota.
const MAX_QUEUED: usize = 20;
/// Cooldowns kept: one per answered transaction adds up on a busy shop's
/// receipts; the ones that end soonest go first.
const MAX_COOLDOWNS: usize = 50;

/// An answer on its way: the exact body, so a retry repeats the same `id`
/// and the server's idempotency makes it one stored response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queued {
    pub id: String,
    pub api: String,
    pub body: String,
}

#[derive(Debug, Default, PartialEq)]
pub struct Saved {
    pub queue: Vec<Queued>,
    /// (cooldown key, epoch ms until which the widget stays hidden)
    pub cooldowns: Vec<(String, f64)>,
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

fn text(obj: &JsValue, key: &str) -> Option<String> {
    get(obj, key).as_string()
}

fn set(obj: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(obj, &key.into(), value);
}

impl Saved {
    /// Reads what `encode` wrote; anything else (an old format, a page
    /// script writing junk) reads as empty rather than failing.
    pub fn decode(json: &str) -> Self {
        let Ok(root) = JSON::parse(json) else {
            return Self::default();
        };
        let queue = get(&root, "q")
            .dyn_into::<Array>()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|item| {
                        Some(Queued {
                            id: text(&item, "id")?,
                            api: text(&item, "api")?,
                            body: text(&item, "body")?,
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        let cd = get(&root, "cd");
        let cooldowns = cd
            .dyn_ref::<Object>()
            .map(|o| {
                Object::keys(o)
                    .iter()
                    .filter_map(|site| {
                        let until = get(&cd, &site.as_string()?).as_f64()?;
                        Some((site.as_string()?, until))
                    })
                    .collect()
            })
            .unwrap_or_default();
        Self { queue, cooldowns }
    }

    pub fn encode(&self) -> String {
        let q = Array::new();
        for item in &self.queue {
            let o = Object::new();
            set(&o, "id", &item.id.as_str().into());
            set(&o, "api", &item.api.as_str().into());
            set(&o, "body", &item.body.as_str().into());
            q.push(&o);
        }
        let cd = Object::new();
        for (site, until) in &self.cooldowns {
            set(&cd, site, &(*until).into());
        }
        let root = Object::new();
        set(&root, "q", &q);
        set(&root, "cd", &cd);
        JSON::stringify(&root)
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_default()
    }

    pub fn cooling_down(&self, key: &str, now: f64) -> bool {
        self.cooldowns
            .iter()
            .any(|(k, until)| k == key && *until > now)
    }

    pub fn start_cooldown(&mut self, key: &str, until: f64, now: f64) {
        self.cooldowns.retain(|(k, u)| k != key && *u > now);
        self.cooldowns.push((key.to_owned(), until));
        // One in, at most one out. No sort: `sort_by` would ship a few KiB
        // of sorting code in both builds.
        if self.cooldowns.len() > MAX_COOLDOWNS {
            let soonest = (0..self.cooldowns.len())
                .min_by(|&a, &b| self.cooldowns[a].1.total_cmp(&self.cooldowns[b].1));
            if let Some(i) = soonest {
                self.cooldowns.swap_remove(i);
            }
        }
    }

    pub fn push(&mut self, item: Queued) {
        self.queue.retain(|q| q.id != item.id);
        self.queue.push(item);
        let over = self.queue.len().saturating_sub(MAX_QUEUED);
        self.queue.drain(..over);
    }

    pub fn remove(&mut self, id: &str) {
        self.queue.retain(|q| q.id != id);
    }
}

fn storage() -> Option<web_sys::Storage> {
    crate::dom::window().local_storage().ok()?
}

/// The current state, read fresh each time: another tab may have changed it.
pub fn load() -> Saved {
    storage()
        .and_then(|s| s.get_item(KEY).ok()?)
        .map(|json| Saved::decode(&json))
        .unwrap_or_default()
}

/// What the first render needs, read without building [`Saved`]: whether
/// an answer for `api` waits in the outbox, and whether `key` is cooling
/// down at `now`. The same verdicts as `load()` (its tests say so); the
/// launcher build ships this instead of the decoder, a few hundred bytes.
pub fn peek(api: &str, key: &str, now: f64) -> (bool, bool) {
    let root = storage()
        .and_then(|s| s.get_item(KEY).ok()?)
        .and_then(|json| JSON::parse(&json).ok());
    let Some(root) = root else {
        return (false, false);
    };
    let waiting = get(&root, "q").dyn_into::<Array>().is_ok_and(|items| {
        items.iter().any(|item| {
            text(&item, "api").as_deref() == Some(api)
                && get(&item, "id").is_string()
                && get(&item, "body").is_string()
        })
    });
    let cd = get(&root, "cd");
    let cooling = cd.is_object() && get(&cd, key).as_f64().is_some_and(|until| until > now);
    (waiting, cooling)
}

/// Read, change and write back in one step. Returns false when the change
/// could not be kept (no storage, quota full).
pub fn update(change: impl FnOnce(&mut Saved)) -> bool {
    let mut saved = load();
    change(&mut saved);
    storage().is_some_and(|s| s.set_item(KEY, &saved.encode()).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn item(id: &str) -> Queued {
        Queued {
            id: id.into(),
            api: "https://f.example".into(),
            body: format!(r#"{{"id":"{id}","gaps":"a \"quoted\" gap\n"}}"#),
        }
    }

    #[wasm_bindgen_test]
    fn round_trips_the_queue_and_cooldowns() {
        let mut s = Saved::default();
        s.push(item("a"));
        s.push(item("b"));
        s.start_cooldown("demo", 2_000.0, 1_000.0);
        assert_eq!(Saved::decode(&s.encode()), s);
    }

    /// `peek` gives `load`'s verdicts for what is stored, junk included.
    #[wasm_bindgen_test]
    fn peek_agrees_with_load() {
        const API: &str = "https://f.example";
        let mut s = Saved::default();
        s.push(item("a"));
        s.start_cooldown("demo", 2_000.0, 1_000.0);
        let mut other = Saved::default();
        other.push(Queued {
            api: "https://other.example".into(),
            ..item("b")
        });
        other.start_cooldown("demo#order-1", 5_000.0, 1_000.0);
        let states = [
            s.encode(),
            other.encode(),
            Saved::default().encode(),
            String::new(),
            "null".into(),
            "{\"q\":5,\"cd\":\"demo\"}".into(),
            "{\"q\":[{\"api\":\"https://f.example\",\"id\":1,\"body\":\"x\"}]}".into(),
            "{\"cd\":{\"demo\":\"9999\"}}".into(),
            "{\"cd\":[5000]}".into(),
            "{".into(),
        ];
        let Some(storage) = storage() else {
            return; // no storage in this browser: nothing to compare
        };
        for json in &states {
            storage.set_item(KEY, json).unwrap();
            let loaded = load();
            for (key, now) in [
                ("demo", 1_500.0),
                ("demo", 2_000.0),
                ("demo#order-1", 1_500.0),
                ("0", 0.0),
            ] {
                let expected = (
                    loaded.queue.iter().any(|q| q.api == API),
                    loaded.cooling_down(key, now),
                );
                assert_eq!(peek(API, key, now), expected, "{json} {key} {now}");
            }
        }
        storage.remove_item(KEY).unwrap();
    }

    #[wasm_bindgen_test]
    fn junk_reads_as_empty() {
        for junk in [
            "",
            "null",
            "[]",
            "{\"q\":5}",
            "{\"q\":[{\"id\":1}]}",
            "{\"cd\":{\"x\":\"y\"}}",
            "{",
        ] {
            assert_eq!(Saved::decode(junk), Saved::default(), "{junk}");
        }
    }

    #[wasm_bindgen_test]
    fn the_queue_is_bounded_and_never_holds_an_id_twice() {
        let mut s = Saved::default();
        s.push(item("a"));
        s.push(item("a"));
        assert_eq!(s.queue.len(), 1);
        for i in 0..30 {
            s.push(item(&i.to_string()));
        }
        assert_eq!(s.queue.len(), MAX_QUEUED);
        assert_eq!(s.queue[MAX_QUEUED - 1].id, "29");
        s.remove("29");
        assert!(s.queue.iter().all(|q| q.id != "29"));
    }

    #[wasm_bindgen_test]
    fn cooldown_hides_until_it_ends_and_old_ones_are_dropped() {
        let mut s = Saved::default();
        s.start_cooldown("old", 500.0, 0.0);
        s.start_cooldown("demo", 2_000.0, 1_000.0);
        assert!(s.cooling_down("demo", 1_999.0));
        assert!(!s.cooling_down("demo", 2_000.0));
        assert!(!s.cooling_down("other", 1_000.0));
        assert_eq!(s.cooldowns.len(), 1, "expired entries are pruned");
    }

    #[wasm_bindgen_test]
    fn cooldowns_are_bounded_and_the_longest_stay() {
        let mut s = Saved::default();
        for i in 0..60 {
            s.start_cooldown(&format!("demo#order-{i}"), 10_000.0 + f64::from(i), 0.0);
        }
        assert_eq!(s.cooldowns.len(), MAX_COOLDOWNS);
        assert!(s.cooling_down("demo#order-59", 1.0));
        assert!(!s.cooling_down("demo#order-0", 1.0));
    }
}
