//! The inbox page: cases that need someone, most urgent first, with the
//! filter form above them. Which cases and in what order are
//! `domain::inbox`'s rules; this draws them.

use crate::format::{score_text, span, state_label, tier_tag, when};
use crate::Chrome;
use domain::case::CaseState;
use domain::fields::SiteKey;
use domain::inbox::{Filter, InboxCase};
use domain::ownership::{Owner, OwnerFilter};
use domain::{Tier, Timestamp};
use maud::{html, Markup};

/// The SLA cell: time left, or how late, or where the case stands.
fn sla_cell(c: &InboxCase, now: Timestamp) -> Markup {
    match (c.state, c.ack_due_at) {
        (CaseState::Open, Some(due)) if due <= now => html! {
            span.late { "Overdue by " (span(now.millis() - due.millis())) }
            @if c.level > c.tier { br; span.small.muted { "re-escalated to " (c.level.audience()) } }
        },
        (CaseState::Open, Some(due)) => html! { (span(due.millis() - now.millis())) " left" },
        (state, _) => match c.step_due {
            Some((step, due)) if due <= now => html! {
                span.late { "Overdue: " (step.label()) } br;
                span.small { "by " (span(now.millis() - due.millis())) }
            },
            Some((step, due)) => html! {
                span.muted { (state_label(state)) } br;
                span.small { (step.label()) ": " (span(due.millis() - now.millis())) " left" }
            },
            None => html! { span.muted { (state_label(state)) } },
        },
    }
}

fn excerpt(words: &str) -> String {
    let mut out: String = words.chars().take(140).collect();
    if words.chars().count() > 140 {
        out.push('…');
    }
    out
}

fn filters(sites: &[String], f: &Filter) -> Markup {
    let site = f.site.as_ref().map(SiteKey::as_str);
    let state = f.state.as_str();
    let since = f
        .since
        .map(|t| t.to_rfc3339().get(..10).unwrap_or_default().to_owned());
    html! {
        form.row.filters method="get" action="/dashboard" aria-label="Filter cases" {
            div.field { label for="f-site" { "Site" }
                select #f-site name="site" {
                    option value="" { "All sites" }
                    @for s in sites { option value=(s) selected[site == Some(s.as_str())] { (s) } }
                }
            }
            div.field { label for="f-tier" { "Tier" }
                select #f-tier name="tier" {
                    option value="" { "All tiers" }
                    @for t in Tier::ALL.into_iter().filter(|t| t.opens_case()).rev() {
                        option value=(t.as_str()) selected[f.tier == Some(t)] { (t.label()) }
                    }
                }
            }
            div.field { label for="f-state" { "State" }
                select #f-state name="state" {
                    option value="active" selected[state == "active"] { "Not closed" }
                    @for s in CaseState::ALL {
                        option value=(s.as_str()) selected[state == s.as_str()] { (state_label(s)) }
                    }
                    option value="all" selected[state == "all"] { "All" }
                }
            }
            div.field { label for="f-owner" { "Owner" }
                select #f-owner name="owner" {
                    option value="any" selected[f.owner == OwnerFilter::Any] { "Anyone" }
                    option value="mine" selected[f.owner == OwnerFilter::Mine] { "Mine" }
                    option value="unassigned" selected[f.owner == OwnerFilter::Unassigned] { "Unassigned" }
                }
            }
            div.field { label for="f-since" { "Opened since" }
                input #f-since type="date" name="since" value=[since];
            }
            div.field { button type="submit" { "Filter" } }
        }
    }
}

fn table(cases: &[InboxCase], now: Timestamp) -> Markup {
    html! {
        @if cases.is_empty() {
            p.card { "No cases match. Every customer who asked for a follow-up has one." }
        } @else {
            div.table-wrap { table.data.stack {
                caption.muted.small { (cases.len()) " case" @if cases.len() != 1 { "s" } ", most urgent first" }
                thead { tr { th scope="col" { "Case" } th scope="col" { "Tier" } th scope="col" { "Deadline" }
                    th scope="col" { "Owner" } th scope="col" { "Score" } th scope="col" { "Where we fell short" } th scope="col" { "Site" } th scope="col" { "Opened" } } }
                tbody {
                    @for c in cases {
                        @let overdue = c.overdue(now);
                        tr.overdue[overdue] data-case=(c.id) {
                            td data-label="Case" { a href={ "/dashboard/cases/" (c.id) } { "Case " (c.id.get(..8).unwrap_or(&c.id)) } }
                            td data-label="Tier" { (tier_tag(c.tier)) @if c.guarantee { " " span.small { "guarantee" } } }
                            td data-label="Deadline" { (sla_cell(c, now)) }
                            td data-label="Owner" {
                                @match &c.owner {
                                    Owner::Person { name, .. } => { (name) }
                                    other => { span.muted { (other.label()) } }
                                }
                            }
                            td data-label="Score" { (score_text(c.score)) }
                            td.words-cell data-label="Words" {
                                @if c.gaps.is_empty() { span.muted { "(erased)" } } @else { (excerpt(&c.gaps)) }
                            }
                            td data-label="Site" { (c.site) }
                            td data-label="Opened" { (when(c.opened_at)) }
                        }
                    }
                }
            } }
        }
    }
}

/// The whole inbox page. `cases` must already be sorted
/// ([`domain::inbox::sort`]).
pub fn render(
    chrome: &Chrome,
    sites: &[String],
    f: &Filter,
    cases: &[InboxCase],
    now: Timestamp,
) -> String {
    let overdue = cases
        .iter()
        .filter(|c| c.state == CaseState::Open && c.ack_due_at.is_some_and(|d| d <= now))
        .count();
    let waiting = cases.iter().filter(|c| c.state == CaseState::Open).count();
    // The counts sit inside `#cases`, which the page's script refreshes.
    let body = html! {
        h1 { "Inbox" }
        (filters(sites, f))
        div #live.small aria-live="polite" {}
        section #cases data-poll="10" {
            p.muted {
                (waiting) " waiting for acknowledgement"
                @if overdue > 0 { ", " span.late { (overdue) " overdue" } }
                ". New cases appear here by themselves."
            }
            (table(cases, now))
        }
    };
    crate::page("Inbox", Some(chrome), &body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::inbox::fixtures::case;
    use domain::inbox::sort;

    fn chrome() -> Chrome {
        Chrome {
            manager: "Ana".into(),
            owner: true,
            works: true,
            csrf: "t".into(),
            section: crate::Section::Inbox,
        }
    }

    #[test]
    fn the_page_shows_time_left_and_lateness_and_escapes_words() {
        let now = Timestamp::from_millis(100 * 60_000);
        let chrome = chrome();
        let mut cases = vec![
            case("late", Tier::Senior, CaseState::Open, Some(40)),
            case("soon", Tier::Account, CaseState::Open, Some(112)),
        ];
        sort(&mut cases, now);
        let page = render(&chrome, &["demo".into()], &Filter::default(), &cases, now);
        assert!(page.contains("Overdue by 1 h"));
        assert!(page.contains("12 min left"));
        assert!(page.contains("late &lt;b&gt;again&lt;/b&gt;"));
        assert!(page.contains("1 overdue"));
        assert!(!page.contains("<b>again"));
    }

    #[test]
    fn the_inbox_renders_as_reviewed() {
        let now = Timestamp::from_millis(100 * 60_000);
        let chrome = chrome();
        let mut cases = vec![
            case(
                "0f8fad5b-d9cb-469f-a165-70867728950e",
                Tier::Senior,
                CaseState::Open,
                Some(40),
            ),
            case(
                "7c9e6679-7425-40de-944b-e07fc1f90ae7",
                Tier::Account,
                CaseState::Contacted,
                Some(160),
            ),
        ];
        sort(&mut cases, now);
        let page = render(&chrome, &["demo".into()], &Filter::default(), &cases, now);
        insta::assert_snapshot!("inbox", page.replace("><", ">\n<"));
    }
}
