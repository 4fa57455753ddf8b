//! What the Worker logs about each request: one JSON line an operator can
//! search in Workers Logs, with nothing a customer typed or a link carried.
//! A path is logged as its route — word segments kept, ids, tokens, emails
//! and anything else replaced by `:id` — so `/ack/<signed token>` and
//! `/dashboard/cases/<uuid>` never reach a log.

use serde::Serialize;

/// The route of `path`: a segment of lowercase letters and hyphens (a
/// route's own words, or a site key) or an API version (`v1`) is kept; any
/// other becomes `:id`.
pub fn route(path: &str) -> String {
    let mut out = String::new();
    for segment in path.split('/').filter(|s| !s.is_empty()).take(8) {
        out.push('/');
        let word = (1..=30).contains(&segment.len())
            && segment.starts_with(|c: char| c.is_ascii_lowercase())
            && segment.bytes().all(|b| b.is_ascii_lowercase() || b == b'-');
        let version = segment
            .strip_prefix('v')
            .is_some_and(|n| (1..=2).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_digit()));
        let word = word || version;
        out.push_str(if word { segment } else { ":id" });
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

/// One request, as logged.
#[derive(Debug, Serialize)]
pub struct Line<'a> {
    /// Cloudflare's `cf-ray`, or a random id where there is none (locally).
    pub request_id: &'a str,
    pub method: &'a str,
    pub route: String,
    pub status: u16,
    pub duration_ms: f64,
    /// Rows D1 read and wrote for it (from each result's meta; work left
    /// to `waitUntil` is not counted).
    pub rows_read: u64,
    pub rows_written: u64,
    /// The Worker that logs it, `front` or `office`: a request the front
    /// forwards is logged by both, its rows by the office.
    pub worker: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn words_stay_and_everything_else_is_an_id() {
        assert_eq!(route("/health"), "/health");
        assert_eq!(route("/v1/sites/demo/widget"), "/v1/sites/demo/widget");
        assert_eq!(
            route("/dashboard/cases/0f8fad5b-d9cb-469f-a165-70867728950e"),
            "/dashboard/cases/:id"
        );
        assert_eq!(route("/ack/eyJhbGciOi.J9x_y"), "/ack/:id");
        assert_eq!(
            route("/v1/admin/people/ana@example.com"),
            "/v1/admin/people/:id"
        );
        assert_eq!(route("/"), "/");
        assert_eq!(route("//x//"), "/x");
    }

    proptest! {
        /// No character a customer could type survives unless it is a
        /// lowercase word: no `@`, `+`, space or dot is ever logged, and a
        /// digit only in an API version.
        #[test]
        fn a_route_holds_only_words(path in any::<String>()) {
            let r = route(&path);
            prop_assert!(r.starts_with('/'));
            for segment in r.split('/').filter(|s| !s.is_empty() && *s != ":id") {
                let version = segment.len() <= 3 && segment.starts_with('v');
                prop_assert!(segment.bytes().all(|b| b.is_ascii_lowercase() || b == b'-' || (version && b.is_ascii_digit())), "{}", r);
            }
            prop_assert!(r.split('/').count() <= 9);
        }
    }
}
