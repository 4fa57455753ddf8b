//! The "Undelivered alerts" section: every dead letter of the site, with
//! why it failed and a Retry.

use super::labels::{format_label, role_label};
use super::{segment, SettingsView};
use crate::format::when;
use crate::layout::csrf_field;
use domain::delivery::DeadLetter;
use maud::{html, Markup};

pub(super) fn dead_letters(v: &SettingsView) -> Markup {
    html! {
        section.card aria-labelledby="dead-h" {
            h2 #dead-h { "Undelivered alerts" }
            p.hint { "Alerts a recipient refused (400, 403, 404, 410) or that failed after every retry. \
                      Fix the recipient, then retry." }
            @if v.dead_letters.is_empty() {
                p { "No undelivered alerts." }
            } @else {
                div.table-wrap {
                    table.data.stack {
                        thead { tr { th scope="col" { "Alert" } th scope="col" { "Recipient" }
                                     th scope="col" { "Case" } th scope="col" { "Why" }
                                     th scope="col" { "Last status" } th scope="col" { "When" }
                                     th scope="col" { "Action" } } }
                        tbody {
                            @for (i, d) in v.dead_letters.iter().enumerate() {
                                (dead_letter_row(v, i, d))
                            }
                        }
                    }
                }
            }
        }
    }
}

pub(super) fn dead_letter_row(v: &SettingsView, i: usize, d: &DeadLetter) -> Markup {
    let alert_cell = format!("dead-{i}-alert");
    let recipient = v
        .recipients
        .iter()
        .find(|r| r.id == d.recipient_id)
        .map(|r| format!("{} \u{b7} {}", role_label(&r.role), format_label(&r.format)));
    html! {
        tr {
            td.words-cell id=(alert_cell) data-label="Alert" { code { (d.alert_id) } }
            td data-label="Recipient" {
                @if let Some(r) = recipient { (r) br; span.muted.small { (d.recipient_id) } }
                @else { (d.recipient_id) }
            }
            td data-label="Case" {
                @if d.case_id.is_empty() { "\u{2014}" }
                @else { a href={ "/dashboard/cases/" (segment(&d.case_id)) } { "Open case" } }
            }
            td.words-cell data-label="Why" { (d.why) }
            td.num data-label="Last status" {
                @if let Some(s) = d.last_status { (s) } @else { span.muted { "no answer" } }
            }
            td data-label="When" { (when(d.at)) }
            td {
                form.inline method="post" action="/dashboard/dead-letters/retry" {
                    (csrf_field(v.chrome))
                    input type="hidden" name="alert_id" value=(d.alert_id);
                    input type="hidden" name="recipient_id" value=(d.recipient_id);
                    input type="hidden" name="site" value=(v.site);
                    button.quiet type="submit" aria-describedby=(alert_cell) { "Retry" }
                }
            }
        }
    }
}
