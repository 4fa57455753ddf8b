//! The Insights page: where the gaps are, and which fixes buy the most
//! satisfaction (docs/product-rules.md rules 3, 5 and 7). `domain::insights::compute`
//! makes the figures; [`render`] draws them.

mod figures;
pub mod fixes;
mod ros;

use crate::charts::Unit;
use domain::insights::{Filter, Insights, MAX_ANSWERS, WEEK_CHOICES};
use domain::Timestamp;
use figures::{causes_chart, close_chart, score_chart, sla_chart, weekly_chart, words_chart};
pub use fixes::FixesView;
use maud::{html, Markup};
use ros::ros_section;

/// The UTC date of an instant, "2026-11-23".
fn iso_date(t: Timestamp) -> String {
    let iso = t.to_rfc3339();
    iso.get(..10).map_or_else(|| iso.clone(), str::to_owned)
}

/// A short date for an axis label, "23 Nov" (the table gives the full one).
fn short_date(t: Timestamp) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let iso = iso_date(t);
    let month = iso
        .get(5..7)
        .and_then(|m| m.parse::<usize>().ok())
        .and_then(|m| MONTHS.get(m.checked_sub(1)?));
    let day = iso.get(8..10).map(|d| d.trim_start_matches('0'));
    match (day, month) {
        (Some(day), Some(month)) => format!("{day} {month}"),
        _ => iso,
    }
}

/// The whole Insights page.
pub fn render(
    chrome: &crate::Chrome,
    sites: &[String],
    filter: &Filter,
    insights: &Insights,
    fixes: &FixesView,
) -> String {
    let body = html! {
        h1 { "Insights" }
        (filter_form(sites, filter))
        (period_note(filter, insights))
        section.card aria-labelledby="volume-h" {
            h2 #volume-h { "Answers and cases" }
            (headline(insights))
            (weekly_chart(insights))
        }
        div.grid {
            section.card aria-labelledby="scores-h" {
                h2 #scores-h { "Scores" }
                (score_chart(insights))
            }
            section.card aria-labelledby="sla-h" {
                h2 #sla-h { "Deadlines kept" }
                (sla_chart(insights))
            }
        }
        section.card aria-labelledby="close-h" {
            h2 #close-h { "Time to close" }
            (close_chart(insights))
        }
        div.grid {
            section.card aria-labelledby="causes-h" {
                h2 #causes-h { "Gap themes: root causes" }
                (causes_chart(insights))
            }
            section.card aria-labelledby="words-h" {
                h2 #words-h { "Gap themes: customers' words" }
                (words_chart(insights))
            }
        }
        section.card aria-labelledby="ros-h" {
            h2 #ros-h { "Return on satisfaction" }
            (ros_section(insights))
        }
        (fixes::section(chrome, fixes))
    };
    crate::page("Insights", Some(chrome), &body)
}

/// A plain GET form: the filter is in the URL, so a view can be bookmarked
/// and shared, and no CSRF token is needed for reading.
fn filter_form(sites: &[String], filter: &Filter) -> Markup {
    html! {
        form.row method="get" action="/dashboard/insights" aria-label="Filter" {
            div.field {
                label for="site" { "Site" }
                select #site name="site" {
                    option value="" selected[filter.site.is_none()] { "All sites" }
                    @for site in sites {
                        option value=(site) selected[filter.site.as_ref() == Some(site)] { (site) }
                    }
                }
            }
            div.field {
                label for="weeks" { "Period" }
                select #weeks name="weeks" {
                    @for weeks in WEEK_CHOICES {
                        option value=(weeks) selected[weeks == filter.weeks] { "Last " (weeks) " weeks" }
                    }
                }
            }
            div.field { button type="submit" { "Show" } }
        }
    }
}

fn period_note(filter: &Filter, insights: &Insights) -> Markup {
    html! {
        p.muted {
            (filter.site.as_deref().unwrap_or("All sites")) ": "
            (insights.weeks.len()) " weeks, " (iso_date(insights.from)) " to " (iso_date(insights.to))
            " (UTC). Weeks start on Monday; the last one is still under way."
        }
        @if insights.capped {
            p.notice {
                "Only the latest " (MAX_ANSWERS) " answers of this period are counted. "
                "Pick a shorter period to see all of them."
            }
        }
    }
}

/// The four numbers a manager looks at first.
fn headline(insights: &Insights) -> Markup {
    let sla = insights.sla_overall();
    let stat = |label: &str, value: String, detail: String| {
        html! {
            div {
                dt { (label) }
                dd { (value) @if !detail.is_empty() { " " span.small.muted { (detail) } } }
            }
        }
    };
    html! {
        dl.stats {
            (stat("Answers", insights.answers.to_string(), String::new()))
            (stat("Cases opened", insights.cases.to_string(), String::new()))
            (stat(
                "Acknowledged in time",
                sla.percent().map_or_else(|| "\u{2013}".to_owned(), |p| Unit::Percent.format(p)),
                if sla.decided() == 0 {
                    "no deadline has passed".to_owned()
                } else {
                    format!("{} of {}", sla.kept, sla.decided())
                },
            ))
            (stat(
                "Median time to close",
                insights.median_close_hours.map_or_else(|| "\u{2013}".to_owned(), |h| Unit::Hours.format(h)),
                if insights.median_close_hours.is_none() { "no case closed".to_owned() } else { String::new() },
            ))
        }
    }
}

#[cfg(test)]
mod tests;
