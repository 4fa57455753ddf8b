//! What the case page knows about one case, as plain data the edge reads
//! from D1 (the answer, later answers of the same customer, the log, every
//! delivery attempt), the confirmation after a step, and the step form's
//! post read into the API's [`RawEvent`], so the dashboard and the API go
//! through the same rules (rule 4). The page itself is `pages::case`.

use crate::case::{Closure, RawEvent};
use crate::inbox::InboxCase;
use crate::{DomainError, Timestamp};

/// What the customer told us, beyond the inbox line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answer {
    pub received_at: Option<Timestamp>,
    pub transaction: Option<String>,
    pub page: Option<String>,
    pub locale: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub callback: bool,
    pub erased: bool,
}

/// A later answer from the same contact, added to this case (rule 6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddedAnswer {
    pub at: Timestamp,
    pub score: Option<u8>,
    pub gaps: String,
}

/// One step in the case's log.
#[derive(Debug, Clone, PartialEq)]
pub struct EventLine {
    pub kind: String,
    pub by: Option<String>,
    pub note: Option<String>,
    pub closure: Option<Closure>,
    pub at: Timestamp,
}

/// One attempt to deliver one alert to one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryLine {
    pub alert_id: String,
    /// "Client manager · slack", or the recipient id once it was removed.
    pub recipient: String,
    pub attempt: u32,
    pub status: Option<u16>,
    pub error: Option<String>,
    pub at: Timestamp,
    pub duration_ms: i64,
}

/// One mail to the customer about the case, for its delivery log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailLine {
    /// `customer_thanks`, `customer_report` or `customer_changed`.
    pub kind: String,
    pub recipient: String,
    pub attempts: u32,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
    pub failed_at: Option<Timestamp>,
    /// When it is tried again, while it is neither sent nor failed.
    pub next_at: Option<Timestamp>,
    pub last_error: Option<String>,
}

/// Everything the case page shows about one case.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseDetail {
    pub case: InboxCase,
    pub answer: Answer,
    pub added: Vec<AddedAnswer>,
    pub events: Vec<EventLine>,
    pub deliveries: Vec<DeliveryLine>,
    /// Mail to the customer about this case, oldest first.
    pub mails: Vec<MailLine>,
    /// Where the report and the closing note would go: the latest email
    /// the case's answers still hold. `None`: the steps are recorded only.
    pub customer_email: Option<String>,
    /// Who may be given the case: (person id, name), people who work its
    /// site.
    pub assignable: Vec<(String, String)>,
    /// The site whose own object holds the case, named in the page's URLs
    /// ([`case_path`]); `None` in D1.
    pub object_site: Option<String>,
}

impl CaseDetail {
    /// This case's page, and the start of its forms' actions.
    pub fn path(&self) -> String {
        case_path(&self.case.id, self.object_site.as_deref())
    }
}

/// The dashboard page of the case `id`: `/dashboard/cases/{id}` for a case
/// in D1, `/dashboard/sites/{site}/cases/{id}` for one in its site's own
/// object, which the site in the path finds (the id alone cannot). A path,
/// not a query, so a sign-in's `next` keeps it
/// (`crate::sign_in::safe_next`).
pub fn case_path(id: &str, object_site: Option<&str>) -> String {
    match object_site {
        Some(site) => format!("/dashboard/sites/{site}/cases/{id}"),
        None => format!("/dashboard/cases/{id}"),
    }
}

/// What the page says above everything else after a post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flash {
    Recorded(&'static str),
    Refused(String),
}

/// The confirmation after a step was recorded (`?done=<step>`).
pub fn recorded(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "acknowledged" => "Acknowledged. Everyone alerted now knows you own this case.",
        "contacted" => "The contact is recorded. Next: send the customer the report.",
        "report_sent" => "The report is recorded. Next: find the root cause and close the loop.",
        "report_mailed" => {
            "The report is recorded and on its way to the customer. Next: find the root cause and close the loop."
        }
        "closed" => "Closed. The root cause now counts in Insights.",
        "note" => "Note added.",
        "owner" => "Owner recorded.",
        "no_contact" => "Recorded: no contact possible. Next: the internal report.",
        "erased" => {
            "The customer's personal data is erased. The anonymous record and this log remain."
        }
        _ => return None,
    })
}

/// The event form's body as the API's [`RawEvent`]; `by` is the signed-in
/// manager, never a form field.
pub fn parse_event_form(body: &str, by: &str) -> Result<RawEvent, DomainError> {
    let mut raw = RawEvent {
        by: by.to_owned(),
        ..RawEvent::default()
    };
    for (k, v) in url::form_urlencoded::parse(body.as_bytes()) {
        let text = Some(v.clone().into_owned()).filter(|t| !t.trim().is_empty());
        match k.as_ref() {
            "type" => raw.r#type = v.into_owned(),
            "note" => raw.note = text,
            "root_cause" => raw.root_cause = text,
            "short_fix" => raw.short_fix = text,
            "systemic_fix" => raw.systemic_fix = text,
            "mail" => raw.mail = text,
            "customer_note" => raw.customer_note = text,
            "effort" => {
                raw.effort = match text {
                    None => None,
                    Some(t) => Some(t.trim().replace(',', ".").parse::<f64>().map_err(|_| {
                        DomainError::invalid("effort", "person-days as a number, like 2 or 0.5")
                    })?),
                };
            }
            _ => {}
        }
    }
    Ok(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_in_its_sites_object_names_the_site_in_its_path() {
        assert_eq!(case_path("c-1", None), "/dashboard/cases/c-1");
        assert_eq!(
            case_path("c-1", Some("shop")),
            "/dashboard/sites/shop/cases/c-1"
        );
        for path in [
            case_path("0f8f-d9cb", None),
            case_path("0f8f-d9cb", Some("acme-eu")),
        ] {
            assert_eq!(
                crate::sign_in::safe_next(Some(&path)),
                path,
                "kept through sign-in"
            );
        }
    }

    #[test]
    fn the_event_form_becomes_the_api_event() {
        let raw = parse_event_form("csrf=x&type=closed&root_cause=late-delivery&short_fix=refund&systemic_fix=none&effort=1%2C5&by=mallory", "Bo").unwrap();
        assert_eq!(raw.by, "Bo", "by comes from the session, never the form");
        assert_eq!(raw.r#type, "closed");
        assert_eq!(raw.effort, Some(1.5));
        assert_eq!(raw.root_cause.as_deref(), Some("late-delivery"));
        let raw = parse_event_form("type=contacted&note=+++&effort=", "Bo").unwrap();
        assert_eq!(raw.note, None);
        assert_eq!(raw.effort, None);
        assert!(parse_event_form("type=closed&effort=lots", "Bo").is_err());
    }
}
