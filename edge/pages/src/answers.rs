//! The All answers page: every answer, tier `none` included, newest first,
//! with filters, a text search, paging and tags (root-cause codes). The
//! filters are read by `domain::answers::AnswerFilter`.

use crate::format::{score_text, tier_tag, when};
use crate::layout::csrf_field;
use crate::Chrome;
use domain::answers::{AnswerFilter, AnswerLine};
use domain::fields::SiteKey;
use domain::Tier;
use maud::{html, Markup};

/// Everything the page shows.
#[derive(Debug, Clone, Copy)]
pub struct AnswersView<'a> {
    pub chrome: &'a Chrome,
    pub sites: &'a [String],
    pub filter: &'a AnswerFilter,
    pub answers: &'a [AnswerLine],
    /// The query string of the next (older) page, if there is one.
    pub older: Option<&'a str>,
}

fn filters(v: &AnswersView) -> Markup {
    let f = v.filter;
    let site = f.site.as_ref().map(SiteKey::as_str);
    let since = f
        .since
        .map(|t| t.to_rfc3339().get(..10).unwrap_or_default().to_owned());
    html! {
        form.row.filters method="get" action="/dashboard/answers" aria-label="Filter answers" {
            div.field { label for="a-q" { "Words" }
                input #a-q type="search" name="q" maxlength="100" value=[f.text.as_deref()];
            }
            div.field { label for="a-site" { "Site" }
                select #a-site name="site" {
                    option value="" { "All sites" }
                    @for s in v.sites { option value=(s) selected[site == Some(s.as_str())] { (s) } }
                }
            }
            div.field { label for="a-tier" { "Tier" }
                select #a-tier name="tier" {
                    option value="" { "All tiers" }
                    @for t in Tier::ALL.into_iter().rev() {
                        option value=(t.as_str()) selected[f.tier == Some(t)] {
                            @if t == Tier::None { "No follow-up (4–5 or no score)" } @else { (t.label()) }
                        }
                    }
                }
            }
            div.field { label for="a-tag" { "Tag" }
                input #a-tag name="tag" maxlength="60" value=[f.tag.as_deref()];
            }
            div.field { label for="a-since" { "Since" }
                input #a-since type="date" name="since" value=[since];
            }
            div.field { button type="submit" { "Filter" } }
        }
    }
}

fn tags(v: &AnswersView, a: &AnswerLine, i: usize) -> Markup {
    let base = format!("/dashboard/answers/{}/tags", a.id);
    html! {
        ul.tags aria-label="Tags" {
            @for t in &a.tags {
                li {
                    a.tag href={ "/dashboard/answers?tag=" (t) } { (t) }
                    @if v.chrome.works {
                        form.inline method="post" action={ (base) "/" (t) "/remove" } {
                            (csrf_field(v.chrome))
                            button.quiet.small type="submit" aria-label={ "Remove tag " (t) } { "×" }
                        }
                    }
                }
            }
        }
        @if v.chrome.works {
            form.inline method="post" action=(base) {
                (csrf_field(v.chrome))
                label.visually-hidden for={ "tag-" (i) } { "Add a root-cause tag" }
                input id={ "tag-" (i) } name="tag" maxlength="60" placeholder="root-cause code" required;
                button.quiet type="submit" { "Tag" }
            }
        }
    }
}

/// The whole page.
pub fn render(v: &AnswersView) -> String {
    let body = html! {
        h1 { "All answers" }
        p { "Every answer, including those that asked for no follow-up: each one is read. Tag an answer with a root-cause code and it counts toward return on satisfaction." }
        (filters(v))
        @if v.answers.is_empty() {
            p.card { "No answers match." }
        } @else {
            div.table-wrap { table.data.stack {
                caption.visually-hidden { "Answers, newest first" }
                thead { tr { th scope="col" { "Received" } th scope="col" { "Tier" } th scope="col" { "Score" }
                    th scope="col" { "Where we fell short" } th scope="col" { "Site" } th scope="col" { "Tags" } } }
                tbody {
                    @for (i, a) in v.answers.iter().enumerate() {
                        tr {
                            td data-label="Received" {
                                (when(a.received_at))
                                @if let Some(case) = &a.case_id { br; a.small href={ "/dashboard/cases/" (case) } { "Case" } }
                            }
                            td data-label="Tier" { @if a.tier == Tier::None { span.muted { "No follow-up" } } @else { (tier_tag(a.tier)) } }
                            td data-label="Score" { (score_text(a.score)) }
                            td.words-cell data-label="Words" { @if a.gaps.is_empty() { span.muted { "(erased)" } } @else { (a.gaps) } }
                            td data-label="Site" { (a.site) }
                            td data-label="Tags" { (tags(v, a, i)) }
                        }
                    }
                }
            } }
        }
        @if let Some(q) = v.older {
            p { a href={ "/dashboard/answers?" (q) } { "Older answers" } }
        }
    };
    crate::page("All answers", Some(v.chrome), &body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Section;
    use domain::Timestamp;

    #[test]
    fn answers_are_escaped_tagged_and_paged() {
        let chrome = Chrome {
            manager: "Mia".into(),
            owner: false,
            works: true,
            csrf: "t".into(),
            section: Section::Answers,
        };
        let answers = [AnswerLine {
            id: "0f8fad5b-d9cb-469f-a165-70867728950e".into(),
            site: "demo".into(),
            received_at: Timestamp::from_millis(0),
            tier: Tier::None,
            score: Some(5),
            gaps: "<script>x</script> all good".into(),
            case_id: None,
            tags: vec!["cart-timeout".into()],
        }];
        let filter = AnswerFilter::parse("q=good").unwrap();
        let v = AnswersView {
            chrome: &chrome,
            sites: &["demo".into()],
            filter: &filter,
            answers: &answers,
            older: Some("q=good&cursor=abc"),
        };
        let page = render(&v);
        assert!(page.contains("&lt;script&gt;x") && !page.contains("<script>x"));
        assert!(page.contains("No follow-up"));
        assert!(page.contains("href=\"/dashboard/answers?tag=cart-timeout\""));
        assert!(page.contains("/dashboard/answers/0f8fad5b-d9cb-469f-a165-70867728950e/tags"));
        assert!(page.contains("href=\"/dashboard/answers?q=good&amp;cursor=abc\""));
        let reader = Chrome {
            works: false,
            ..chrome.clone()
        };
        let v = AnswersView {
            chrome: &reader,
            ..v
        };
        assert!(
            !render(&v).contains("method=\"post\" action=\"/dashboard/answers/"),
            "viewers read only"
        );
        insta::assert_snapshot!(render(&AnswersView {
            chrome: &chrome,
            ..v
        }));
    }
}
