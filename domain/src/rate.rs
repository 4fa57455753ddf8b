//! Abuse protection: a fixed one-minute window per (site, client IP). The
//! edge keeps the counters; this module says which window a request falls
//! in, how the client is keyed and when it may try again.

use crate::fields::SiteKey;
use crate::Timestamp;

/// The window's length. Sites set how many answers one client may send in it.
pub const WINDOW_MS: i64 = 60_000;

/// The window `now` falls in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: Timestamp,
    /// Whole seconds until the next window, for `Retry-After` (at least 1).
    pub retry_after_secs: u32,
}

pub fn window(now: Timestamp) -> Window {
    window_of(now, WINDOW_MS)
}

/// The window of length `len_ms` (a minute, an hour…) that `now` falls in.
pub fn window_of(now: Timestamp, len_ms: i64) -> Window {
    let len_ms = len_ms.max(1000);
    let start = now.millis() - now.millis().rem_euclid(len_ms);
    let left_ms = start + len_ms - now.millis();
    let retry_after_secs = u32::try_from((left_ms + 999) / 1000)
        .unwrap_or(u32::MAX)
        .max(1);
    Window {
        start: Timestamp::from_millis(start),
        retry_after_secs,
    }
}

/// The counter's key: a hash, so client IPs are never stored.
pub fn client_key(site: &SiteKey, client_ip: &str) -> String {
    crate::digest::sha256_hex(&[site.as_str(), client_ip])
}

/// Whether the `count`-th request of a window exceeds the site's limit.
pub const fn exceeded(count: u32, limit_per_minute: u32) -> bool {
    count > limit_per_minute
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn windows_start_on_the_minute() {
        let w = window(Timestamp::from_millis(120_500));
        assert_eq!(w.start.millis(), 120_000);
        assert_eq!(w.retry_after_secs, 60);
        assert_eq!(window(Timestamp::from_millis(179_999)).retry_after_secs, 1);
        assert_eq!(window(Timestamp::from_millis(150_000)).retry_after_secs, 30);
    }

    #[test]
    fn keys_differ_by_site_and_ip_and_hide_the_ip() {
        let demo = SiteKey::try_from("demo").unwrap();
        let other = SiteKey::try_from("other").unwrap();
        let k = client_key(&demo, "203.0.113.9");
        assert_eq!(k.len(), 64);
        assert!(!k.contains("203"));
        assert_ne!(k, client_key(&other, "203.0.113.9"));
        assert_ne!(k, client_key(&demo, "203.0.113.10"));
        assert_eq!(k, client_key(&demo, "203.0.113.9"));
    }

    #[test]
    fn the_limit_itself_is_allowed() {
        assert!(!exceeded(10, 10));
        assert!(exceeded(11, 10));
    }

    proptest! {
        #[test]
        fn now_is_inside_its_window(ms in -10_000_000_000_000i64..10_000_000_000_000) {
            let w = window(Timestamp::from_millis(ms));
            prop_assert!(w.start.millis() <= ms && ms < w.start.millis() + WINDOW_MS);
            prop_assert!((1..=60).contains(&w.retry_after_secs));
        }
    }
}
