//! Insights' "Open systemic fixes": the fixes still to do, ranked by return
//! on satisfaction (`domain::fixes::rank`), each with its owner, due date
//! and status, changed in place by managers and owners.

use crate::format::when;
use crate::layout::csrf_field;
use crate::Chrome;
use domain::fixes::{FixLine, FixStatus};
use maud::{html, Markup};

/// The open fixes and who may own one.
#[derive(Debug, Clone, Copy, Default)]
pub struct FixesView<'a> {
    pub fixes: &'a [FixLine],
    /// (person id, name) of everyone who works cases.
    pub assignable: &'a [(String, String)],
}

fn form(chrome: &Chrome, v: &FixesView, i: usize, f: &FixLine) -> Markup {
    let due = f
        .due_at
        .map(|t| t.to_rfc3339().get(..10).unwrap_or_default().to_owned());
    let id = |what: &str| format!("fix-{i}-{what}");
    html! {
        form method="post" action={ "/dashboard/fixes/" (f.site) "/" (f.code) } {
            (csrf_field(chrome))
            div.row {
                div.field {
                    label for=(id("status")) { "Status" }
                    select id=(id("status")) name="status" {
                        @for s in FixStatus::ALL {
                            option value=(s.as_str()) selected[s == f.status] { (s.label()) }
                        }
                    }
                }
                div.field {
                    label for=(id("owner")) { "Owner" }
                    select id=(id("owner")) name="owner" {
                        option value="" { "Nobody yet" }
                        @for (pid, name) in v.assignable {
                            option value=(pid) selected[f.owner_id.as_deref() == Some(pid.as_str())] { (name) }
                        }
                    }
                }
                div.field {
                    label for=(id("due")) { "Due" }
                    input id=(id("due")) type="date" name="due" value=[due];
                }
                div.field { button.quiet type="submit" { "Save" } }
            }
        }
    }
}

/// The section.
pub fn section(chrome: &Chrome, v: &FixesView) -> Markup {
    html! {
        section.card aria-labelledby="fixes-h" {
            h2 #fixes-h { "Open systemic fixes" }
            @if v.fixes.is_empty() {
                p { "None open. A case closed with a systemic fix adds one here." }
            } @else {
                p.muted { "Highest return on satisfaction first: the fix that helps the most customers per day of work." }
                ol.fixes {
                    @for (i, f) in v.fixes.iter().enumerate() {
                        li {
                            h3 { code { (f.code) } " · " (f.site) }
                            p { (f.description) }
                            p.small {
                                @match f.ros { Some(r) => { "Return " (format!("{r:.1}")) }, None => { "Effort not recorded" } }
                                " · " (f.weighted) " weighted customers · "
                                (f.owner_name.as_deref().unwrap_or("no owner"))
                                @if let Some(d) = f.due_at { " · due " (when(d)) }
                                @if let Some(r) = f.reopened_at { " · " strong { "reopened " } (when(r)) }
                            }
                            @if chrome.works { (form(chrome, v, i, f)) }
                        }
                    }
                }
            }
        }
    }
}
