//! What an alert says, independent of the chat tool it lands in. Chat alerts
//! never carry an email or phone number: those are masked here, and the full
//! details sit behind the dashboard link.

use crate::submission::Submission;
use crate::{Tier, Timestamp};
use serde::Serialize;

/// Why an alert is sent. Part of the idempotency id, so each reason for each
/// level of a case is delivered once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// A new response opened the case.
    Opened,
}

impl Reason {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Opened => "opened",
        }
    }
}

/// Everything any format needs to render one alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alert {
    /// Stable per (case, level, reason): the same on every delivery attempt.
    pub idempotency_id: String,
    pub site: String,
    pub case_id: String,
    pub tier: Tier,
    pub reason: Reason,
    pub score: Option<u8>,
    pub guarantee: bool,
    pub gaps: String,
    pub transaction: Option<String>,
    pub contact: Option<String>,
    pub callback: bool,
    pub opened_at: Timestamp,
    pub ack_due_at: Option<Timestamp>,
    pub dashboard_url: String,
}

/// `ana@example.com` → `a***@example.com`; `+44 20 7946 0958` → `***958`.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, host)) => format!("{}***@{host}", local.chars().next().unwrap_or('*')),
        None => "***".to_owned(),
    }
}

pub fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().filter(char::is_ascii_digit).collect();
    let tail: String = digits[digits.len().saturating_sub(3)..].iter().collect();
    format!("***{tail}")
}

impl Alert {
    /// The alert for a newly opened case. `base_url` is the Worker's public
    /// origin, used for the dashboard link.
    pub fn opened(
        s: &Submission,
        now: Timestamp,
        ack_minutes: Option<u32>,
        base_url: &str,
    ) -> Self {
        let tier = s.tier();
        let contact = match (&s.contact.email, &s.contact.phone) {
            (Some(e), _) => Some(mask_email(e.as_str())),
            (None, Some(p)) => Some(mask_phone(p.as_str())),
            (None, None) => None,
        };
        Self {
            idempotency_id: idempotency_id(s.id.as_str(), tier, Reason::Opened),
            site: s.site.to_string(),
            case_id: s.id.to_string(),
            tier,
            reason: Reason::Opened,
            score: s.score.map(crate::fields::Score::get),
            guarantee: s.guarantee,
            gaps: s.gaps.to_string(),
            transaction: s.context.transaction.clone(),
            contact,
            callback: s.contact.callback,
            opened_at: now,
            ack_due_at: ack_minutes.map(|m| now.plus_minutes(m)),
            dashboard_url: format!(
                "{}/dashboard/cases/{}",
                base_url.trim_end_matches('/'),
                s.id
            ),
        }
    }

    /// The generic Standard Webhooks body: `{type, timestamp, data}`.
    pub fn webhook_body(&self) -> String {
        #[derive(Serialize)]
        struct Body<'a> {
            r#type: &'static str,
            timestamp: String,
            data: &'a Alert,
        }
        let body = Body {
            r#type: "case.alert",
            timestamp: self.opened_at.to_rfc3339(),
            data: self,
        };
        // Serialising plain strings, numbers and enums cannot fail.
        serde_json::to_string(&body).unwrap_or_default()
    }
}

/// `msg_<case>_<level>_<reason>`: the `webhook-id`, identical on retries.
pub fn idempotency_id(case_id: &str, level: Tier, reason: Reason) -> String {
    format!(
        "msg_{}_{}_{}",
        case_id.replace('-', ""),
        level.as_str(),
        reason.as_str()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::submission::RawSubmission;

    fn submission() -> Submission {
        let raw: RawSubmission = serde_json::from_str(
            r#"{"site":"demo","id":"0f8fad5b-d9cb-469f-a165-70867728950e","gaps":"Nobody called <!channel>",
            "score":2,"contact":{"email":"ana@example.com","phone":"+44 20 7946 0958","callback":true},
            "context":{"transaction":"order-123"}}"#,
        )
        .unwrap();
        Submission::try_from(raw).unwrap()
    }

    #[test]
    fn masks_contact_details() {
        assert_eq!(mask_email("ana@example.com"), "a***@example.com");
        assert_eq!(mask_phone("+44 20 7946 0958"), "***958");
        assert_eq!(mask_phone("12"), "***12");
    }

    #[test]
    fn opened_alert_is_stable_and_carries_no_contact_details() {
        let now = Timestamp::from_millis(1_795_422_697_000);
        let a = Alert::opened(
            &submission(),
            now,
            Some(30),
            "https://feedback.example.com/",
        );
        assert_eq!(
            a.idempotency_id,
            "msg_0f8fad5bd9cb469fa16570867728950e_senior_opened"
        );
        assert_eq!(a.ack_due_at, Some(now.plus_minutes(30)));
        assert_eq!(
            a.dashboard_url,
            "https://feedback.example.com/dashboard/cases/0f8fad5b-d9cb-469f-a165-70867728950e"
        );
        let body = a.webhook_body();
        assert!(
            !body.contains("ana@example.com") && !body.contains("7946"),
            "{body}"
        );
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["type"], "case.alert");
        assert_eq!(v["data"]["gaps"], "Nobody called <!channel>");
        assert_eq!(v["data"]["tier"], "senior");
        assert_eq!(
            Alert::opened(&submission(), now, Some(30), "x").idempotency_id,
            a.idempotency_id
        );
    }
}
