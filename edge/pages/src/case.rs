//! One case: the customer's words and context, the closed loop so far, the
//! alerts and every attempt to deliver them, and the one next step the state
//! machine allows (rule 4). Only that step's form is offered; the server
//! refuses any other all the same.

use crate::format::{score_text, span, state_label, tier_tag, when};
use crate::layout::csrf_field;
use crate::Chrome;
use domain::case::CaseState;
use domain::case_view::{AddedAnswer, Answer, CaseDetail, EventLine, Flash};
use domain::mail::Mail;
use domain::Timestamp;
use maud::{html, Markup};

fn facts(d: &CaseDetail, now: Timestamp) -> Markup {
    let (c, a) = (&d.case, &d.answer);
    let due = match (c.state, c.ack_due_at) {
        (CaseState::Open, Some(due)) if due <= now => {
            html! { span.late { "Overdue by " (span(now.millis() - due.millis())) } }
        }
        (CaseState::Open, Some(due)) => {
            html! { (when(due)) " (" (span(due.millis() - now.millis())) " left)" }
        }
        _ => html! { "Met or no longer due" },
    };
    html! {
        dl.facts {
            dt { "Tier" } dd { (tier_tag(c.tier)) " alerted " (c.level.audience()) }
            dt { "Score" } dd { (score_text(c.score)) }
            dt { "Guarantee" } dd { @if c.guarantee { strong { "Invoked: the president calls" } } @else { "Not invoked" } }
            dt { "State" } dd { (state_label(c.state)) }
            dt { "Owner" } dd { (c.owner.label()) }
            dt { "Acknowledge by" } dd { (due) }
            @if let Some((step, at)) = c.step_due {
                dt { "Next deadline" }
                dd {
                    @if at <= now {
                        span.late { "Overdue: " (step.label()) ", due " (when(at)) }
                    } @else {
                        (step.label()) " by " (when(at)) " (" (span(at.millis() - now.millis())) " left)"
                    }
                }
            }
            dt { "Opened" } dd { (when(c.opened_at)) }
            dt { "Site" } dd { (c.site) }
            dt { "Transaction" } dd { (a.transaction.as_deref().unwrap_or("—")) }
            dt { "Page" } dd { (a.page.as_deref().unwrap_or("—")) }
            dt { "Language" } dd { (a.locale.as_deref().unwrap_or("—")) }
        }
    }
}

/// Taking the case, or giving it to someone who works its site.
fn owner_form(chrome: &Chrome, d: &CaseDetail) -> Markup {
    let action = format!("{}/owner", d.path());
    let current = d.case.owner.id();
    html! {
        form method="post" action=(action) {
            (csrf_field(chrome))
            div.row {
                div.field {
                    label for="owner-person" { "Owner" }
                    select #owner-person name="person" {
                        @for (id, name) in &d.assignable {
                            option value=(id) selected[current == Some(id.as_str())] { (name) }
                        }
                    }
                }
                div.field { button.quiet type="submit" { "Give the case to this person" } }
            }
        }
    }
}

fn contact(a: &Answer) -> Markup {
    html! {
        section.card aria-labelledby="contact-h" {
            h2 #contact-h { "Contact" }
            @if a.erased {
                p.muted { "The customer's personal data was erased on request." }
            } @else if a.name.is_none() && a.email.is_none() && a.phone.is_none() {
                p.muted { "The customer left no contact details." }
            } @else {
                dl.facts {
                    dt { "Name" } dd { (a.name.as_deref().unwrap_or("—")) }
                    dt { "Email" } dd { @if let Some(e) = &a.email { a href={ "mailto:" (e) } { (e) } } @else { "—" } }
                    dt { "Phone" } dd { @if let Some(p) = &a.phone { a href={ "tel:" (p) } { (p) } } @else { "—" } }
                    dt { "Callback" } dd { @if a.callback { "Asked to be called back" } @else { "Not asked" } }
                }
                p.small.muted { "Shown only here, to signed-in managers. Alerts carry it masked." }
            }
        }
    }
}

/// Rule 2 of the method: critical feedback is thanked as warmly as praise.
fn thank_prompt(d: &CaseDetail) -> Markup {
    let who = d.answer.name.as_deref().unwrap_or("this customer");
    html! {
        aside.notice.thanks aria-labelledby="thanks-h" {
            h2 #thanks-h { "Thank the customer" }
            @match d.case.state {
                CaseState::Closed => p { "Loop closed. Tell " (who) " what changed because they spoke up." },
                CaseState::ReportSent | CaseState::Contacted => p { "Keep every promise in the report; "
                    (who) " will judge us by what we do next." },
                _ => p { (who) " told you where we fell short"
                    @if d.case.guarantee { " and invoked the guarantee" }
                    ". That honesty is a gift: start the call by thanking them for it, then listen and learn the context." },
            }
        }
    }
}

fn event_text(kind: &str) -> &str {
    match kind {
        "opened" => "Case opened",
        "acknowledged" => "Acknowledged",
        "contacted" => "Customer contacted",
        "no_contact" => "No contact possible",
        "report_sent" => "Report sent",
        "closed" => "Closed",
        "note" => "Note",
        "message" => "The customer wrote again",
        "escalated" => "Re-escalated",
        "erased" => "Personal data erased",
        "owner" => "Owner",
        "call_overdue" => "The call is overdue",
        "report_overdue" => "The report is overdue",
        "close_overdue" => "Closing is overdue",
        other => other,
    }
}

fn event_item(e: &EventLine) -> Markup {
    html! {
        li {
            strong { (event_text(&e.kind)) } " · " (when(e.at))
            @if let Some(by) = &e.by { " · by " (by) }
            @if let Some(note) = &e.note { p.note { (note) } }
            @if let Some(c) = &e.closure {
                dl.facts {
                    dt { "Root cause" } dd { code { (c.root_cause) } }
                    dt { "Short-term fix" } dd { (c.short_fix) }
                    dt { "Systemic fix" } dd { (c.systemic_fix) }
                    dt { "Effort" } dd { @if let Some(e) = c.effort { (e) " person-days" } @else { "not recorded" } }
                }
            }
        }
    }
}

fn added_item(a: &AddedAnswer) -> Markup {
    html! {
        li { strong { "Another answer from the same customer" } " · " (when(a.at)) " · " (score_text(a.score))
            @if a.gaps.is_empty() { p.note.muted { "(erased)" } } @else { p.note { (a.gaps) } } }
    }
}

/// The log, oldest first: the case's events and the later answers the
/// customer added to it (rule 6), in the order they happened.
fn timeline(d: &CaseDetail) -> Markup {
    let mut items: Vec<(Timestamp, Markup)> = d
        .events
        .iter()
        .map(|e| (e.at, event_item(e)))
        .chain(d.added.iter().map(|a| (a.at, added_item(a))))
        .collect();
    items.sort_by_key(|(at, _)| *at);
    html! {
        section.card aria-labelledby="log-h" {
            h2 #log-h { "What happened" }
            ol.timeline { @for (_, item) in &items { (item) } }
        }
    }
}

fn deliveries(d: &CaseDetail) -> Markup {
    // Each alert once, in the order it was first attempted (retries of
    // different alerts interleave in time).
    let mut alerts: Vec<&str> = Vec::new();
    for l in &d.deliveries {
        if !alerts.contains(&l.alert_id.as_str()) {
            alerts.push(&l.alert_id);
        }
    }
    html! {
        section.card aria-labelledby="alerts-h" {
            h2 #alerts-h { "Alerts and deliveries" }
            @if alerts.is_empty() { p.muted { "No delivery attempts yet." } }
            @for (n, alert) in alerts.iter().enumerate() {
                h3 { code { (alert) } }
                div.table-wrap { table.data.stack aria-label={ "Deliveries of alert " (n + 1) } {
                    thead { tr { th scope="col" { "Recipient" } th.num scope="col" { "Attempt" } th scope="col" { "Result" } th scope="col" { "When" } th.num scope="col" { "Took" } } }
                    tbody { @for l in d.deliveries.iter().filter(|l| l.alert_id == *alert) {
                        tr {
                            td data-label="Recipient" { (l.recipient) }
                            td.num data-label="Attempt" { (l.attempt) }
                            td data-label="Result" { @match (l.status, &l.error) {
                                (Some(s), _) if (200..300).contains(&s) => { "Delivered (HTTP " (s) ")" },
                                (Some(s), _) => span.late { "HTTP " (s) },
                                (None, Some(e)) => span.late { (e) },
                                (None, None) => span.late { "No answer" },
                            } }
                            td data-label="When" { (when(l.at)) }
                            td.num data-label="Took" { (l.duration_ms) " ms" }
                        }
                    } }
                } }
            }
        }
    }
}

fn mail_kind(kind: &str) -> &str {
    match kind {
        "customer_thanks" => "Thank-you",
        "customer_report" => "Report",
        "customer_changed" => "What changed",
        other => other,
    }
}

/// Every mail to the customer about the case and how its send went: the
/// delivery log the manager checks before promising "we wrote to you".
fn mails(d: &CaseDetail) -> Markup {
    html! {
        section.card aria-labelledby="mails-h" {
            h2 #mails-h { "Mail to the customer" }
            @if d.mails.is_empty() {
                p.muted { @if d.customer_email.is_some() { "Nothing sent yet." } @else { "The customer left no email." } }
            } @else {
                div.table-wrap { table.data.stack aria-label="Mail to the customer" {
                    thead { tr { th scope="col" { "Mail" } th scope="col" { "To" } th scope="col" { "Result" } th.num scope="col" { "Attempts" } th scope="col" { "Written" } } }
                    tbody { @for l in &d.mails {
                        tr {
                            td data-label="Mail" { (mail_kind(&l.kind)) }
                            td data-label="To" { @if l.recipient.is_empty() { span.muted { "(erased)" } } @else { (l.recipient) } }
                            td data-label="Result" { @match (l.sent_at, l.failed_at, l.next_at) {
                                (Some(at), _, _) => { "Sent " (when(at)) },
                                (None, Some(at), _) => span.late { "Failed " (when(at)) ": " (l.last_error.as_deref().unwrap_or("no reason kept")) },
                                (None, None, Some(at)) if l.attempts > 0 => span.late { "Not sent yet (" (l.last_error.as_deref().unwrap_or("in progress")) "); next try " (when(at)) },
                                _ => { "Queued" },
                            } }
                            td.num data-label="Attempts" { (l.attempts) }
                            td data-label="Written" { (when(l.created_at)) }
                        }
                    } }
                } }
            }
        }
    }
}

/// The exact report mail, before anything is recorded or sent: send it,
/// record the report only, or change the words and look again.
pub fn report_preview(chrome: &Chrome, case_path: &str, mail: &Mail, actions: &str) -> String {
    let action = format!("{case_path}/events");
    let title = "The report to the customer";
    let body = html! {
        p.small { a href=(case_path) { "← Back to the case (nothing recorded)" } }
        h1 { (title) }
        section.card aria-labelledby="preview-h" {
            h2 #preview-h { "Exactly what the customer gets" }
            dl.facts {
                dt { "To" } dd { (mail.to.as_str()) }
                dt { "Subject" } dd { (mail.subject) }
            }
            pre.words.mail-text { (mail.text) }
            form method="post" action=(action) {
                (csrf_field(chrome))
                input type="hidden" name="type" value="report_sent";
                input type="hidden" name="note" value=(actions);
                button type="submit" name="mail" value="send" { "Send to the customer and record" }
                " "
                button.quiet type="submit" name="mail" value="record" { "Record only, send nothing" }
            }
        }
        section.card aria-labelledby="change-h" {
            h2 #change-h { "Change the words" }
            form method="post" action=(action) {
                (csrf_field(chrome))
                input type="hidden" name="type" value="report_sent";
                div.field {
                    label for="note" { "Actions committed to the customer" }
                    textarea #note name="note" required maxlength="4000" { (actions) }
                }
                button.quiet type="submit" { "Preview again" }
            }
        }
    };
    crate::page(title, Some(chrome), &body)
}

fn textarea(id: &str, name: &str, label: &str, hint: &str) -> Markup {
    let hint_id = format!("{id}-hint");
    html! {
        div.field {
            label for=(id) { (label) }
            textarea #(id) name=(name) required maxlength="4000" aria-describedby=(hint_id) {}
            p.hint #(hint_id) { (hint) }
        }
    }
}

/// The honest path for a customer who left no way to reach them: record
/// the context instead of a call that cannot happen.
fn no_contact_form(chrome: &Chrome, d: &CaseDetail) -> Markup {
    let reachable = d.answer.email.is_some() || d.answer.phone.is_some();
    if d.case.state != CaseState::Acknowledged || reachable {
        return html! {};
    }
    html! {
        details {
            summary { "No contact possible" }
            form method="post" action={ (d.path()) "/events" } {
                (csrf_field(chrome))
                input type="hidden" name="type" value="no_contact";
                p { "The customer left no email or phone. Record what the answer tells instead of a call." }
                (textarea("no-contact-note", "note", "Context recorded", "What the answer tells, and why nobody can be reached."))
                button type="submit" { "Record: no contact possible" }
            }
        }
    }
}

fn step_form(chrome: &Chrome, d: &CaseDetail) -> Markup {
    let action = format!("{}/events", d.path());
    let Some(next) = d.case.state.next_step() else {
        return html! { p { "This case is closed. Notes can still be added below." } };
    };
    html! {
        form method="post" action=(action) {
            (csrf_field(chrome))
            input type="hidden" name="type" value=(next);
            @match d.case.state {
                CaseState::Open => {
                    p { "Acknowledging tells everyone alerted that you, " (chrome.manager) ", own the follow-up. It stops re-escalation." }
                    button type="submit" { "Acknowledge" }
                },
                CaseState::Acknowledged => {
                    (textarea("note", "note", "What you learned on the call", "The context behind the answer, for the root cause."))
                    button type="submit" { "Record the contact" }
                },
                CaseState::Contacted => {
                    (textarea("note", "note", "Actions committed to the customer", "What the report promises, and by when."))
                    @if let Some(to) = &d.customer_email {
                        p.hint { "Next you see the exact mail to " (to) ", and choose to send it or record the report only." }
                        button type="submit" { "Preview the mail to the customer" }
                    } @else {
                        p.hint { "The customer left no email: the report is recorded, not mailed." }
                        button type="submit" { "Record the report as sent" }
                    }
                },
                CaseState::NoContact => {
                    (textarea("note", "note", "Actions committed (internal report)", "Nobody can be told; record what the team commits to, and by when."))
                    button type="submit" { "Record the internal report" }
                },
                _ => {
                    div.field {
                        label for="root_cause" { "Root-cause code" }
                        input #root_cause name="root_cause" required maxlength="60" pattern="[\\p{L}\\p{N}_\\-]+" aria-describedby="rc-hint" autocomplete="off";
                        p.hint #rc-hint { "A short code shared across cases, like " code { "late-delivery" } ", so causes can be ranked." }
                    }
                    (textarea("short_fix", "short_fix", "Short-term fix", "What put it right for this customer."))
                    (textarea("systemic_fix", "systemic_fix", "Systemic fix", "What stops it happening again, or \"none\"."))
                    div.field {
                        label for="effort" { "Effort of the systemic fix (person-days)" }
                        input #effort name="effort" inputmode="decimal" maxlength="10" aria-describedby="effort-hint";
                        p.hint #effort-hint { "Optional; ranks root causes by return on satisfaction." }
                    }
                    @if let Some(to) = &d.customer_email {
                        div.field {
                            label for="customer_note" { "What changed because they spoke up (optional)" }
                            textarea #customer_note name="customer_note" maxlength="2000" aria-describedby="cn-hint" {}
                            p.hint #cn-hint { "Mailed to " (to) " in their language when you close. Leave it empty to send nothing." }
                        }
                    }
                    button type="submit" { "Close the case" }
                },
            }
        }
    }
}

fn note_form(chrome: &Chrome, d: &CaseDetail) -> Markup {
    html! {
        details {
            summary { "Add a note" }
            form method="post" action={ (d.path()) "/events" } {
                (csrf_field(chrome))
                input type="hidden" name="type" value="note";
                (textarea("note-text", "note", "Note", "Changes nothing about the case's state."))
                button.quiet type="submit" { "Add the note" }
            }
        }
    }
}

/// The whole case page.
pub fn render(chrome: &Chrome, d: &CaseDetail, flash: Option<&Flash>, now: Timestamp) -> String {
    let title = format!("Case {}", d.case.id.get(..8).unwrap_or(&d.case.id));
    let body = html! {
        p.small { a href="/dashboard" { "← Inbox" } }
        h1 { (title) " " (tier_tag(d.case.tier)) }
        @match flash {
            Some(Flash::Recorded(what)) => div.notice.ok role="status" { (what) },
            Some(Flash::Refused(why)) => div.notice.error role="alert" { (why) },
            None => {},
        }
        div.grid {
            section.card aria-labelledby="words-h" {
                h2 #words-h { "Where we fell short" }
                @if d.answer.erased { p.muted { "Erased on request." } } @else { p.words { (d.case.gaps) } }
                (facts(d, now))
            }
            div {
                (thank_prompt(d))
                section.card aria-labelledby="next-h" {
                    h2 #next-h { "Next step" }
                    @if chrome.works {
                        (step_form(chrome, d))
                        (no_contact_form(chrome, d))
                        (owner_form(chrome, d))
                        (note_form(chrome, d))
                    } @else {
                        p.muted { "You can read this case. A manager or an owner of its site takes its steps." }
                    }
                }
                (contact(&d.answer))
            }
        }
        (timeline(d))
        (mails(d))
        (deliveries(d))
    };
    crate::page(&title, Some(chrome), &body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::case_view::DeliveryLine;
    use domain::inbox::InboxCase;
    use domain::Tier;

    fn detail(state: CaseState) -> CaseDetail {
        CaseDetail {
            case: InboxCase {
                id: "0f8fad5b-d9cb-469f-a165-70867728950e".into(),
                site: "demo".into(),
                tier: Tier::Senior,
                level: Tier::Senior,
                state,
                opened_at: Timestamp::from_millis(1_795_422_697_000),
                ack_due_at: Some(Timestamp::from_millis(1_795_422_697_000).plus_minutes(30)),
                score: Some(1),
                guarantee: false,
                gaps: "<script>alert(1)</script> the parcel came late".into(),
                owner: domain::ownership::Owner::Nobody,
                step_due: None,
            },
            answer: Answer {
                name: Some("Ana \"<b>\"".into()),
                email: Some("ana@example.com".into()),
                transaction: Some("order-<i>7</i>".into()),
                ..Answer::default()
            },
            added: vec![],
            events: vec![],
            deliveries: vec![DeliveryLine {
                alert_id: "msg_x_senior_opened".into(),
                recipient: "Senior management · slack".into(),
                attempt: 1,
                status: Some(503),
                error: None,
                at: Timestamp::from_millis(1_795_422_698_000),
                duration_ms: 12,
            }],
            mails: vec![],
            customer_email: None,
            object_site: None,
            assignable: vec![("a".repeat(32), "Bo".into())],
        }
    }

    fn chrome() -> Chrome {
        Chrome {
            manager: "Bo".into(),
            owner: true,
            works: true,
            csrf: "tok".into(),
            section: crate::Section::Inbox,
        }
    }

    #[test]
    fn a_viewer_is_offered_no_step() {
        let now = Timestamp::from_millis(1_795_422_697_000);
        let viewer = Chrome {
            works: false,
            ..chrome()
        };
        let page = render(&viewer, &detail(CaseState::Open), None, now);
        assert!(!page.contains("/events"), "no form posts a step");
        assert!(page.contains("A manager or an owner of its site takes its steps."));
    }

    #[test]
    fn only_the_next_step_is_offered() {
        let now = Timestamp::from_millis(1_795_422_697_000);
        let cases = [
            (CaseState::Open, "value=\"acknowledged\"", "Acknowledge"),
            (
                CaseState::Acknowledged,
                "value=\"contacted\"",
                "Record the contact",
            ),
            (
                CaseState::Contacted,
                "value=\"report_sent\"",
                "Record the report as sent",
            ),
            (CaseState::ReportSent, "value=\"closed\"", "Close the case"),
        ];
        for (state, field, button) in cases {
            let page = render(&chrome(), &detail(state), None, now);
            assert!(page.contains(field), "{state:?}");
            assert!(page.contains(button), "{state:?}");
            let others = [
                "value=\"acknowledged\"",
                "value=\"contacted\"",
                "value=\"report_sent\"",
                "value=\"closed\"",
            ];
            for other in others.iter().filter(|o| **o != field) {
                assert!(!page.contains(other), "{state:?} offers {other}");
            }
        }
        let closed = render(&chrome(), &detail(CaseState::Closed), None, now);
        assert!(closed.contains("This case is closed") && closed.contains("value=\"note\""));
    }

    #[test]
    fn customer_words_and_contact_render_as_text() {
        let page = render(
            &chrome(),
            &detail(CaseState::Open),
            Some(&Flash::Refused("<x>".into())),
            Timestamp::from_millis(0),
        );
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; the parcel came late"));
        assert!(page.contains("Ana &quot;&lt;b&gt;&quot;"));
        assert!(page.contains("order-&lt;i&gt;7&lt;/i&gt;"));
        assert!(page.contains("&lt;x&gt;"));
        assert!(page.contains("Thank the customer"));
        assert!(page.contains("HTTP 503"));
        assert_eq!(
            page.matches("<script").count(),
            1,
            "only the page's own script tag"
        );
    }

    #[test]
    fn a_customer_with_email_gets_a_preview_and_a_closing_note() {
        let now = Timestamp::from_millis(1_795_422_697_000);
        let with_mail = |state| CaseDetail {
            customer_email: Some("ana@example.com".into()),
            ..detail(state)
        };
        let report = render(&chrome(), &with_mail(CaseState::Contacted), None, now);
        assert!(report.contains("Preview the mail to the customer"));
        assert!(!report.contains("Record the report as sent"));
        let closing = render(&chrome(), &with_mail(CaseState::ReportSent), None, now);
        assert!(closing.contains("name=\"customer_note\""));
        let no_mail = render(&chrome(), &detail(CaseState::ReportSent), None, now);
        assert!(!no_mail.contains("customer_note"));
        assert!(no_mail.contains("The customer left no email."));
    }

    #[test]
    fn a_case_in_its_sites_object_posts_every_form_to_its_sites_path() {
        let now = Timestamp::from_millis(1_795_422_697_000);
        let d = CaseDetail {
            object_site: Some("shop".into()),
            ..detail(CaseState::Acknowledged)
        };
        let page = render(&chrome(), &d, None, now);
        let at = format!("action=\"/dashboard/sites/shop/cases/{}/", d.case.id);
        assert!(
            page.matches(&at).count() >= 3,
            "owner, step and note forms: {page}"
        );
        assert!(!page.contains("action=\"/dashboard/cases/"), "{page}");
    }

    #[test]
    fn the_mail_log_says_how_each_send_went() {
        let at = Timestamp::from_millis(1_795_422_697_000);
        let line = |kind: &str| domain::case_view::MailLine {
            kind: kind.into(),
            recipient: "ana@example.com".into(),
            attempts: 1,
            created_at: at,
            sent_at: None,
            failed_at: None,
            next_at: None,
            last_error: None,
        };
        let d = CaseDetail {
            mails: vec![
                domain::case_view::MailLine {
                    sent_at: Some(at),
                    ..line("customer_thanks")
                },
                domain::case_view::MailLine {
                    next_at: Some(at.plus_minutes(1)),
                    last_error: Some("the mail service answered 503".into()),
                    ..line("customer_report")
                },
                domain::case_view::MailLine {
                    failed_at: Some(at),
                    last_error: Some("<refused>".into()),
                    ..line("customer_changed")
                },
            ],
            ..detail(CaseState::Closed)
        };
        let page = render(&chrome(), &d, None, at);
        for words in [
            "Thank-you",
            "Sent ",
            "Report",
            "Not sent yet (the mail service answered 503)",
            "What changed",
            "Failed ",
            "&lt;refused&gt;",
        ] {
            assert!(page.contains(words), "{words}");
        }
    }

    #[test]
    fn the_preview_shows_the_exact_text_and_both_choices() {
        let to = domain::fields::Email::try_from("ana@example.com").unwrap();
        let actions = "Refund <b>today</b>.\n\nA new courier.";
        let mail = crate::mail::customer_report(to, domain::lang::Lang::En, "0F8FAD5B", actions);
        let page = report_preview(
            &chrome(),
            "/dashboard/sites/shop/cases/0f8fad5b-d9cb-469f-a165-70867728950e",
            &mail,
            actions,
        );
        assert!(page.contains(
            "action=\"/dashboard/sites/shop/cases/0f8fad5b-d9cb-469f-a165-70867728950e/events\""
        ));
        assert!(page.contains("Refund &lt;b&gt;today&lt;/b&gt;."));
        assert!(page.contains("name=\"mail\" value=\"send\""));
        assert!(page.contains("name=\"mail\" value=\"record\""));
        assert!(page.contains("What we are doing about your feedback (0F8FAD5B)"));
        assert!(page.contains("Preview again"));
        assert_eq!(
            page.matches("<script").count(),
            1,
            "only the page's own script tag"
        );
    }

    #[test]
    fn the_open_case_renders_as_reviewed() {
        let page = render(
            &chrome(),
            &detail(CaseState::Open),
            None,
            Timestamp::from_millis(1_795_423_000_000),
        );
        // One element per line, so a change reads as a diff.
        insta::assert_snapshot!("case_page_open", page.replace("><", ">\n<"));
    }
}
