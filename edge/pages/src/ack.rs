//! The pages behind an acknowledge link: a confirm page (GET changes
//! nothing: chat apps fetch links to unfurl them), the result of the POST,
//! and a clear refusal for forged, expired or reused links. No customer words
//! or contact details appear here: the link may be forwarded; the dashboard
//! holds the details. The confirm form's post is read by
//! `domain::ack::parse_form`.

use crate::html::{escape, Page};
use domain::{Tier, Timestamp};

/// What the pages say about the case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseSummary {
    pub case_id: String,
    pub tier: Tier,
    pub level: Tier,
    pub opened_at: Timestamp,
    pub ack_due_at: Option<Timestamp>,
}

fn facts(c: &CaseSummary) -> String {
    let due = c
        .ack_due_at
        .map_or_else(|| "none".to_owned(), Timestamp::to_rfc3339);
    format!(
        "<dl><dt>Case</dt><dd>{}</dd><dt>Severity</dt><dd>{}</dd><dt>Alerted</dt><dd>{}</dd>\
         <dt>Opened</dt><dd>{}</dd><dt>Acknowledge by</dt><dd>{}</dd></dl>",
        escape(&c.case_id),
        escape(c.tier.label()),
        escape(c.level.audience()),
        c.opened_at.to_rfc3339(),
        escape(&due)
    )
}

/// GET `/ack/{token}`: asks who is acknowledging; the form posts back here.
pub fn confirm(c: &CaseSummary) -> Page {
    Page {
        title: "Acknowledge this case".into(),
        body: format!(
            "<h1>Acknowledge this case</h1>{}\
             <p>Acknowledging tells everyone alerted that you own the follow-up: \
             call the customer, learn the context and record it on the case.</p>\
             <form method=\"post\"><label for=\"by\">Your name</label>\
             <input id=\"by\" name=\"by\" required maxlength=\"120\" autocomplete=\"name\">\
             <button type=\"submit\">Acknowledge</button></form>",
            facts(c)
        ),
    }
}

/// After the POST recorded the step.
pub fn acknowledged(c: &CaseSummary, by: &str, dashboard_url: &str) -> Page {
    Page {
        title: "Acknowledged".into(),
        body: format!(
            "<h1>Acknowledged — thank you, {}</h1>{}\
             <p>The channel is told you own it. Next step: call the customer and record \
             what you learned on the case.</p><p><a href=\"{}\">Open the case in the dashboard</a></p>",
            escape(by),
            facts(c),
            escape(dashboard_url)
        ),
    }
}

/// Why the link cannot be used, for a person (status is the caller's).
pub fn refused(headline: &str, why: &str) -> Page {
    Page {
        title: headline.to_owned(),
        body: format!(
            "<h1>{}</h1><p>{}</p><p class=\"muted\">Nothing was changed. \
             Open the case from the dashboard to see where it stands.</p>",
            escape(headline),
            escape(why)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn summary() -> CaseSummary {
        CaseSummary {
            case_id: "0f8fad5b-d9cb-469f-a165-70867728950e".into(),
            tier: Tier::Senior,
            level: Tier::President,
            opened_at: Timestamp::from_millis(1_795_422_697_000),
            ack_due_at: Some(Timestamp::from_millis(1_795_422_697_000).plus_minutes(15)),
        }
    }

    #[test]
    fn pages_render_as_reviewed() {
        insta::assert_snapshot!("ack_confirm", confirm(&summary()).html());
        insta::assert_snapshot!(
            "ack_done",
            acknowledged(
                &summary(),
                "Ana <script>",
                "https://feedback.example.com/dashboard/cases/0f8fad5b-d9cb-469f-a165-70867728950e"
            )
            .html()
        );
        insta::assert_snapshot!(
            "ack_refused",
            refused("This link has expired", "Links work for 24 hours.").html()
        );
    }

    proptest! {
        #[test]
        fn no_name_can_inject_markup(name in ".{1,60}") {
            let page = acknowledged(&summary(), &name, "https://x.example/").html();
            let start = page.find("thank you, ").unwrap_or(0);
            let end = page[start..].find("</h1>").map_or(page.len(), |e| start + e);
            prop_assert!(!page[start..end].contains('<'));
        }
    }
}
