//! Who may use which dashboard route: every route the Worker serves under
//! `/dashboard` is listed here with what it needs, and the Worker refuses a
//! path that is not (404) before it dispatches. A route added to the router
//! without a line here cannot be reached, and the end-to-end role test
//! (`tests/tests/e2e/people/roles.rs`) tries every line against every role.
//!
//! The managers' API (`/v1/admin/…`) is for automation: its bearer token
//! may do everything, and a session may only read it, as an owner.

use crate::people::Need;

/// One route: method, path pattern (`{…}` matches one segment) and need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub method: &'static str,
    pub path: &'static str,
    pub need: Need,
}

const fn rule(method: &'static str, path: &'static str, need: Need) -> Rule {
    Rule { method, path, need }
}

/// Every signed-in dashboard route. Sign-in itself needs no session.
pub const DASHBOARD: &[Rule] = &[
    rule("GET", "/dashboard", Need::Read),
    rule("GET", "/dashboard/cases/{id}", Need::Read),
    rule("GET", "/dashboard/sites/{site}/cases/{id}", Need::Read),
    rule("GET", "/dashboard/insights", Need::Read),
    rule("GET", "/dashboard/answers", Need::Read),
    rule("GET", "/dashboard/settings", Need::Own),
    rule("GET", "/dashboard/people", Need::Own),
    rule("GET", "/dashboard/audit", Need::Own),
    rule("POST", "/dashboard/logout", Need::Read),
    rule("POST", "/dashboard/cases/{id}/events", Need::Work),
    rule("POST", "/dashboard/cases/{id}/owner", Need::Work),
    rule(
        "POST",
        "/dashboard/sites/{site}/cases/{id}/events",
        Need::Work,
    ),
    rule(
        "POST",
        "/dashboard/sites/{site}/cases/{id}/owner",
        Need::Work,
    ),
    rule("POST", "/dashboard/answers/{id}/tags", Need::Work),
    rule("POST", "/dashboard/fixes/{site}/{code}", Need::Work),
    rule(
        "POST",
        "/dashboard/answers/{id}/tags/{tag}/remove",
        Need::Work,
    ),
    rule("POST", "/dashboard/erase", Need::Own),
    rule("POST", "/dashboard/dead-letters/retry", Need::Own),
    rule("POST", "/dashboard/settings/{site}", Need::Own),
    rule("POST", "/dashboard/settings/{site}/deadlines", Need::Own),
    rule("POST", "/dashboard/settings/{site}/recipients", Need::Own),
    rule(
        "POST",
        "/dashboard/settings/{site}/recipients/{rid}/delete",
        Need::Own,
    ),
    rule(
        "POST",
        "/dashboard/settings/{site}/recipients/{rid}/test",
        Need::Own,
    ),
    rule("POST", "/dashboard/people", Need::Own),
    rule("POST", "/dashboard/people/{pid}", Need::Own),
    rule("POST", "/dashboard/people/{pid}/remove", Need::Own),
    rule("POST", "/dashboard/keys", Need::Own),
    rule("POST", "/dashboard/keys/{kid}/revoke", Need::Own),
];

fn matches(pattern: &str, segments: &[&str]) -> bool {
    let parts: Vec<&str> = pattern.trim_matches('/').split('/').collect();
    parts.len() == segments.len()
        && parts
            .iter()
            .zip(segments)
            .all(|(p, s)| (p.starts_with('{') && !s.is_empty()) || p == s)
}

/// What `method` on the path `segments` needs (`HEAD` as `GET`); `None`
/// when no such dashboard route exists.
pub fn need(method: &str, segments: &[&str]) -> Option<Need> {
    let method = if method == "HEAD" { "GET" } else { method };
    DASHBOARD
        .iter()
        .find(|r| r.method == method && matches(r.path, segments))
        .map(|r| r.need)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_found_with_its_need() {
        assert_eq!(need("GET", &["dashboard"]), Some(Need::Read));
        assert_eq!(need("HEAD", &["dashboard", "cases", "x"]), Some(Need::Read));
        assert_eq!(
            need("POST", &["dashboard", "cases", "x", "events"]),
            Some(Need::Work)
        );
        assert_eq!(
            need(
                "POST",
                &["dashboard", "settings", "demo", "recipients", "r1", "test"]
            ),
            Some(Need::Own)
        );
        assert_eq!(need("GET", &["dashboard", "settings"]), Some(Need::Own));
    }

    #[test]
    fn anything_unlisted_has_no_rule() {
        assert_eq!(need("GET", &["dashboard", "nope"]), None);
        assert_eq!(need("DELETE", &["dashboard"]), None);
        assert_eq!(need("GET", &["dashboard", "cases", ""]), None);
        assert_eq!(need("POST", &["dashboard", "cases", "x"]), None);
    }

    #[test]
    fn each_line_is_unique() {
        for (i, a) in DASHBOARD.iter().enumerate() {
            for b in &DASHBOARD[i + 1..] {
                assert!(!(a.method == b.method && a.path == b.path), "{a:?} twice");
            }
        }
    }
}
