//! The frame every dashboard page shares: head, navigation, sign-out form.

use maud::{html, Markup, DOCTYPE};

/// The dashboard's Content-Security-Policy: its own script and stylesheet,
/// nothing inline, nothing framed, forms post only back here.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; object-src 'none'; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'";

/// Which part of the dashboard a page belongs to (the navigation marks it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Inbox,
    Answers,
    Insights,
    Settings,
    People,
    Audit,
}

/// What a signed-in page knows about its reader: their name (shown, and
/// recorded on steps they take) and the CSRF token every form carries.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub manager: String,
    /// Whether the reader is an owner: only owners see Settings.
    pub owner: bool,
    /// Whether the reader may take steps on cases (not a viewer).
    pub works: bool,
    pub csrf: String,
    pub section: Section,
}

/// The hidden field that proves a form came from a page we rendered.
pub fn csrf_field(chrome: &Chrome) -> Markup {
    html! { input type="hidden" name="csrf" value=(chrome.csrf); }
}

fn nav(chrome: &Chrome) -> Markup {
    let link = |section: Section, href: &str, label: &str| {
        html! {
            @if chrome.section == section {
                a href=(href) aria-current="page" { (label) }
            } @else {
                a href=(href) { (label) }
            }
        }
    };
    html! {
        header.top {
            a.brand href="/dashboard" { "Candor" }
            nav aria-label="Dashboard" {
                (link(Section::Inbox, "/dashboard", "Inbox"))
                (link(Section::Answers, "/dashboard/answers", "All answers"))
                (link(Section::Insights, "/dashboard/insights", "Insights"))
                @if chrome.owner {
                    (link(Section::Settings, "/dashboard/settings", "Settings"))
                    (link(Section::People, "/dashboard/people", "People"))
                    (link(Section::Audit, "/dashboard/audit", "Audit"))
                }
            }
            form.signout method="post" action="/dashboard/logout" {
                (csrf_field(chrome))
                span.who { (chrome.manager) }
                button.quiet type="submit" { "Sign out" }
            }
        }
    }
}

/// A whole page. `chrome` is `None` for the sign-in page.
pub fn page(title: &str, chrome: Option<&Chrome>, body: &Markup) -> String {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width,initial-scale=1";
                meta name="robots" content="noindex";
                title { (title) " · Candor" }
                link rel="stylesheet" href="/assets/dashboard.css";
                script src="/assets/dashboard.js" defer {}
            }
            body {
                a.skip href="#main" { "Skip to content" }
                @if let Some(chrome) = chrome { (nav(chrome)) }
                main #main { (body) }
            }
        }
    }
    .into_string()
}

/// A page that only says something: an error, a refusal, a 404.
pub fn message(title: &str, text: &str, chrome: Option<&Chrome>) -> String {
    let body = html! {
        div.card {
            h1 { (title) }
            p { (text) }
            p { a href="/dashboard" { "Back to the inbox" } }
        }
    };
    page(title, chrome, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_and_names_are_escaped_and_nothing_is_inline() {
        let chrome = Chrome {
            manager: "<img src=x onerror=alert(1)>".into(),
            owner: true,
            works: true,
            csrf: "t\"ok".into(),
            section: Section::Insights,
        };
        let out = page("<script>", Some(&chrome), &html! { p { "body" } });
        assert!(out.contains("<title>&lt;script&gt; · Candor</title>"));
        assert!(out.contains("&lt;img src=x onerror=alert(1)&gt;"));
        assert!(out.contains("value=\"t&quot;ok\""));
        assert!(out.contains("href=\"/dashboard/insights\" aria-current=\"page\""));
        assert!(!out.contains("<style") && !out.contains("style="));
        assert_eq!(
            out.matches("<script").count(),
            1,
            "only the external script"
        );
        assert!(!CSP.contains("unsafe"));
    }
}
