//! Abuse protection. Answers are limited per (site, client IP) by the
//! Workers rate-limiting binding ([`limiter_for`]): no database write
//! before a request is known to be wanted. Sign-in links are limited by a
//! fixed one-minute window whose counters the edge keeps in D1 ([`window`]).

use crate::fields::SiteKey;
use crate::Timestamp;

/// The sign-in window's length.
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

/// The rate-limiting bindings `edge/wrangler.toml` declares: one namespace
/// per limit, each per minute, because a binding's limit is fixed in the
/// configuration and cannot be passed per call.
pub const LIMITERS: [(u32, &str); 8] = [
    (1, "RATE_LIMIT_1"),
    (3, "RATE_LIMIT_3"),
    (10, "RATE_LIMIT_10"),
    (30, "RATE_LIMIT_30"),
    (100, "RATE_LIMIT_100"),
    (1_000, "RATE_LIMIT_1000"),
    (10_000, "RATE_LIMIT_10000"),
    (100_000, "RATE_LIMIT_100000"),
];

/// The bindings' period. A refused client may try again after at most this.
pub const LIMITER_PERIOD_SECS: u32 = 60;

/// The binding that enforces a site's `rate_per_minute`, and the limit it
/// enforces: the smallest declared limit at or above the site's, so a site
/// is never stricter than it asked (a limit of 50 is enforced as 100).
pub fn limiter_for(per_minute: u32) -> (u32, &'static str) {
    LIMITERS
        .iter()
        .copied()
        .find(|(limit, _)| *limit >= per_minute)
        .unwrap_or(LIMITERS[LIMITERS.len() - 1])
}

/// The binding's key for a client of a site. Not stored anywhere of ours:
/// the limiter only counts it, in the Cloudflare location that saw the IP.
pub fn limiter_key(site: &SiteKey, client_ip: &str) -> String {
    format!("{} {client_ip}", site.as_str())
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
    fn keys_differ_by_site_and_ip() {
        let demo = SiteKey::try_from("demo").unwrap();
        let other = SiteKey::try_from("other").unwrap();
        let k = limiter_key(&demo, "203.0.113.9");
        assert_ne!(k, limiter_key(&other, "203.0.113.9"));
        assert_ne!(k, limiter_key(&demo, "203.0.113.10"));
        assert_eq!(k, limiter_key(&demo, "203.0.113.9"));
        // A site key has no spaces, so no two (site, ip) pairs share a key.
        assert_ne!(
            limiter_key(&SiteKey::try_from("a").unwrap(), "b c"),
            limiter_key(&SiteKey::try_from("ab").unwrap(), "c")
        );
    }

    #[test]
    fn a_site_gets_the_smallest_limiter_at_or_above_its_limit() {
        assert_eq!(limiter_for(1), (1, "RATE_LIMIT_1"));
        assert_eq!(limiter_for(3), (3, "RATE_LIMIT_3"));
        assert_eq!(limiter_for(10), (10, "RATE_LIMIT_10"));
        assert_eq!(limiter_for(11), (30, "RATE_LIMIT_30"));
        assert_eq!(limiter_for(77), (100, "RATE_LIMIT_100"));
        assert_eq!(limiter_for(100_000), (100_000, "RATE_LIMIT_100000"));
        assert_eq!(limiter_for(u32::MAX), (100_000, "RATE_LIMIT_100000"));
    }

    #[test]
    fn limiters_are_sorted_and_named_by_their_limit() {
        for pair in LIMITERS.windows(2) {
            assert!(pair[0].0 < pair[1].0);
        }
        for (limit, name) in LIMITERS {
            assert_eq!(name, format!("RATE_LIMIT_{limit}"));
        }
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
