//! The Audit page, for owners: who changed settings, recipients, people
//! and keys, who erased and who exported, when, and the before and after.

use crate::format::when;
use crate::Chrome;
use domain::audit::{Action, AuditLine};
use maud::html;

/// The whole page: the newest `lines` first.
pub fn render(chrome: &Chrome, lines: &[AuditLine]) -> String {
    let body = html! {
        h1 { "Audit log" }
        p { "Every change to settings, recipients, people and keys, every erasure and every export: who, what, when, before and after. Secrets are never recorded." }
        @if lines.is_empty() {
            p { "Nothing recorded yet." }
        } @else {
            div.table-wrap {
                table.data.stack {
                    caption.visually-hidden { "Audit log, newest first" }
                    thead { tr { th scope="col" { "When" } th scope="col" { "Who" } th scope="col" { "What" }
                                 th scope="col" { "On" } th scope="col" { "Change" } } }
                    tbody {
                        @for l in lines {
                            tr {
                                td data-label="When" { (when(l.at)) }
                                td data-label="Who" { (l.actor_name) }
                                td data-label="What" { (Action::label(&l.action)) }
                                td.words-cell data-label="On" { (l.target) }
                                td.words-cell data-label="Change" {
                                    @if let Some(note) = &l.note { p { (note) } }
                                    @if l.before.is_some() || l.after.is_some() {
                                        details {
                                            summary { "Before and after" }
                                            @if let Some(b) = &l.before { p { strong { "Before: " } code { (b) } } }
                                            @if let Some(a) = &l.after { p { strong { "After: " } code { (a) } } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    crate::page("Audit log", Some(chrome), &body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Section;
    use domain::Timestamp;

    #[test]
    fn lines_are_escaped_and_labelled() {
        let chrome = Chrome {
            manager: "Olu".into(),
            owner: true,
            works: true,
            csrf: "t".into(),
            section: Section::Audit,
        };
        let lines = [AuditLine {
            at: Timestamp::from_millis(0),
            actor_name: "<i>Olu</i>".into(),
            action: "person_changed".into(),
            target: "mia@example.com".into(),
            note: None,
            before: Some(r#"{"role":"manager"}"#.into()),
            after: Some(r#"{"role":"<script>"}"#.into()),
        }];
        let page = render(&chrome, &lines);
        assert!(page.contains("Person changed"));
        assert!(page.contains("&lt;i&gt;Olu&lt;/i&gt;") && !page.contains("<script>\""));
        insta::assert_snapshot!(page);
    }
}
