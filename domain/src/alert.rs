//! What an alert says, independent of the chat tool it lands in (the
//! per-format bodies are in [`crate::render`]). Chat alerts never carry an
//! email or phone number, neither from the contact fields nor typed into
//! the words ([`crate::redact`]): those are masked here, and the full
//! details sit behind the dashboard link.

use crate::{Tier, Timestamp};
use serde::{Deserialize, Serialize};

/// Why an alert is sent. Its [`Reason::slug`] is part of the idempotency id,
/// so each reason for each level of a case is delivered once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// A new response opened the case.
    Opened,
    /// Nobody acknowledged the case within `minutes` at the previous level,
    /// so it went one level up (rule 5).
    NotAcknowledged { minutes: u32 },
    /// A later answer from the same contact joined the open case (rule 6)
    /// and was more severe than the case: its tier rose to that answer's,
    /// and the people of the new level hear about it. `response` is that
    /// answer; the alert shows its words and score.
    Raised { response: String },
    /// Someone acknowledged the case: the follow-up that tells the channel.
    Acknowledged { by: String },
    /// A step after acknowledgement missed its deadline
    /// (`domain::deadlines`): the call, the report or the close. `owner`
    /// is who owns the case, if anyone.
    StepOverdue {
        step: crate::deadlines::Step,
        owner: Option<String>,
    },
    /// A manager checking a recipient URL; not a real case.
    Test,
    /// An operator notice: `count` alerts of the site became dead letters
    /// (never delivered) since the last notice. Not a case.
    Undelivered { count: u32 },
}

impl Reason {
    pub const fn slug(&self) -> &'static str {
        match self {
            Self::Opened => "opened",
            Self::NotAcknowledged { .. } => "overdue",
            Self::Raised { .. } => "raised",
            Self::Acknowledged { .. } => "acknowledged",
            Self::StepOverdue { step, .. } => step.alert_reason(),
            Self::Test => "test",
            Self::Undelivered { .. } => "undelivered",
        }
    }
}

/// What the store knows about a case when an alert about it is rendered.
/// Contact details arrive unmasked and leave [`Alert::new`] masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFacts {
    pub site: String,
    pub case_id: String,
    /// The case's own severity (rule 3).
    pub tier: Tier,
    /// The level this alert goes to: the tier, or higher after re-escalation.
    pub level: Tier,
    pub score: Option<u8>,
    pub guarantee: bool,
    /// The customer's words, verbatim (renderers escape and cut them).
    pub gaps: String,
    pub transaction: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub callback: bool,
    pub opened_at: Timestamp,
    pub ack_due_at: Option<Timestamp>,
}

impl CaseFacts {
    /// The facts of a message that is not about a case (a test alert, an
    /// operator notice): at `tier` with `score`, the `text` in the words'
    /// place, and no customer, transaction or deadline.
    fn not_a_case(
        site: &str,
        case_id: String,
        (tier, score): (Tier, Option<u8>),
        text: &str,
        now: Timestamp,
    ) -> Self {
        Self {
            site: site.to_owned(),
            case_id,
            tier,
            level: tier,
            score,
            guarantee: false,
            gaps: text.to_owned(),
            transaction: None,
            email: None,
            phone: None,
            callback: false,
            opened_at: now,
            ack_due_at: None,
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
    pub level: Tier,
    pub reason: Reason,
    pub score: Option<u8>,
    pub guarantee: bool,
    pub gaps: String,
    pub transaction: Option<String>,
    /// Masked email or phone, if the customer left one.
    pub contact: Option<String>,
    pub callback: bool,
    pub opened_at: Timestamp,
    pub ack_due_at: Option<Timestamp>,
    pub dashboard_url: String,
    /// The signed acknowledge link; absent once there is nothing to acknowledge.
    pub ack_url: Option<String>,
}

/// What an alert shows instead of the customer's words once their data is
/// erased (an alert still queued is rendered after the erasure).
pub const ERASED_WORDS: &str = "(erased at the customer\u{2019}s request)";

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
    /// The alert about `facts` for `reason`. `dashboard_base` is the Worker's
    /// public origin; `ack_url` is the signed link (the caller signs: the key
    /// is a Worker secret).
    pub fn new(
        facts: CaseFacts,
        reason: Reason,
        dashboard_base: &str,
        ack_url: Option<String>,
    ) -> Self {
        let contact = match (&facts.email, &facts.phone) {
            (Some(e), _) => Some(mask_email(e)),
            (None, Some(p)) => Some(mask_phone(p)),
            (None, None) => None,
        };
        let dashboard_url = format!(
            "{}{}",
            dashboard_base.trim_end_matches('/'),
            crate::case_view::case_path(&facts.case_id, None)
        );
        Self {
            idempotency_id: idempotency_id(&facts.case_id, facts.level, &reason),
            site: facts.site,
            case_id: facts.case_id,
            tier: facts.tier,
            level: facts.level,
            reason,
            score: facts.score,
            guarantee: facts.guarantee,
            gaps: crate::redact::mask_personal(&facts.gaps),
            transaction: facts.transaction,
            contact,
            callback: facts.callback,
            opened_at: facts.opened_at,
            ack_due_at: facts.ack_due_at,
            dashboard_url,
            ack_url,
        }
    }

    /// The alert of a case that lives in its site's own object: its
    /// dashboard link names the site, which the case page needs to find it
    /// (`crate::case_view::case_path`).
    #[must_use]
    pub fn in_object_of(mut self, site: Option<&str>) -> Self {
        let in_d1 = crate::case_view::case_path(&self.case_id, None);
        if let (Some(site), Some(base)) = (site, self.dashboard_url.strip_suffix(&in_d1)) {
            self.dashboard_url = format!(
                "{base}{}",
                crate::case_view::case_path(&self.case_id, Some(site))
            );
        }
        self
    }

    /// A clearly marked sample a manager sends to check a recipient URL.
    /// `nonce` makes its idempotency id unique per test (the caller draws it).
    pub fn test(site: &str, now: Timestamp, dashboard_base: &str, nonce: &str) -> Self {
        let facts = CaseFacts::not_a_case(
            site,
            format!("test-{nonce}"),
            (Tier::Account, Some(3)),
            "This is a test alert from Candor. No customer wrote this and no case was opened.",
            now,
        );
        Self::new(facts, Reason::Test, dashboard_base, None)
    }

    /// The operator notice that `count` alerts of `site` are dead letters:
    /// sent to the site's recipients and its owners at most once an hour.
    /// `newest` (epoch milliseconds of the newest dead letter it covers)
    /// makes its idempotency id. Its link opens the site's settings.
    pub fn undelivered(
        site: &str,
        count: u32,
        now: Timestamp,
        dashboard_base: &str,
        newest: i64,
    ) -> Self {
        let facts = CaseFacts::not_a_case(
            site,
            format!("notice-{newest}"),
            (Tier::None, None),
            "Chat tools refused these alerts or never answered, so the people they were \
             meant for have not seen them. Settings \u{2192} Undelivered alerts lists each one with \
             its last error: fix the recipient, check it with Send test alert, then press Retry.",
            now,
        );
        let mut alert = Self::new(facts, Reason::Undelivered { count }, dashboard_base, None);
        alert.dashboard_url = format!(
            "{}/dashboard/settings/{site}#dead-h",
            dashboard_base.trim_end_matches('/')
        );
        alert
    }

    /// One line that says what happened, in every format's title.
    pub fn headline(&self) -> String {
        match &self.reason {
            Reason::Opened => format!("New case: {}", self.tier.label()),
            Reason::NotAcknowledged { minutes } => format!(
                "Re-escalated to {}: not acknowledged within {minutes} min",
                self.level.audience()
            ),
            Reason::Raised { .. } => format!(
                "Raised to {}: the customer wrote again",
                self.level.audience()
            ),
            Reason::Acknowledged { by } => format!("Acknowledged by {by}"),
            // The owner's name ends the line, so the renderers can keep it
            // apart and make it inert, as they do an acknowledger's.
            Reason::StepOverdue { step, owner } => match owner {
                Some(o) => format!("Overdue: {}. Owner: {o}", step.label()),
                None => format!("Overdue: {}. Nobody owns the case", step.label()),
            },
            Reason::Test => "Test alert from Candor (not a real case)".to_owned(),
            Reason::Undelivered { count: 1 } => "1 alert could not be delivered".to_owned(),
            Reason::Undelivered { count } => format!("{count} alerts could not be delivered"),
        }
    }

    /// "Score 2 of 5", or "No score".
    pub fn score_text(&self) -> String {
        self.score
            .map_or_else(|| "No score".to_owned(), |s| format!("Score {s} of 5"))
    }

    /// "Acknowledge by 2026-11-23T09:01:37.000Z", when there is a deadline.
    pub fn deadline_text(&self) -> Option<String> {
        self.ack_due_at
            .map(|t| format!("Acknowledge by {}", t.to_rfc3339()))
    }

    /// The generic Standard Webhooks body: `{type, timestamp, data}`.
    pub fn webhook_body(&self, now: Timestamp) -> String {
        #[derive(Serialize)]
        struct Body<'a> {
            r#type: &'static str,
            timestamp: String,
            data: &'a Alert,
        }
        let body = Body {
            r#type: match self.reason {
                Reason::Test => "case.alert.test",
                Reason::Undelivered { .. } => "site.alerts.undelivered",
                _ => "case.alert",
            },
            timestamp: now.to_rfc3339(),
            data: self,
        };
        // Serialising plain strings, numbers and enums cannot fail.
        serde_json::to_string(&body).unwrap_or_default()
    }
}

/// `msg_<case>_<level>_<reason>`: the `webhook-id`, identical on retries.
pub fn idempotency_id(case_id: &str, level: Tier, reason: &Reason) -> String {
    format!(
        "msg_{}_{}_{}",
        case_id.replace('-', ""),
        level.as_str(),
        reason.slug()
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A senior case with everything filled in, shared by the renderers' tests.
    pub(crate) fn facts() -> CaseFacts {
        CaseFacts {
            site: "demo".to_owned(),
            case_id: "0f8fad5b-d9cb-469f-a165-70867728950e".to_owned(),
            tier: Tier::Senior,
            level: Tier::Senior,
            score: Some(2),
            guarantee: false,
            gaps: "Nobody called <!channel>".to_owned(),
            transaction: Some("order-123".to_owned()),
            email: Some("ana@example.com".to_owned()),
            phone: Some("+44 20 7946 0958".to_owned()),
            callback: true,
            opened_at: Timestamp::from_millis(1_795_422_697_000),
            ack_due_at: Some(Timestamp::from_millis(1_795_422_697_000).plus_minutes(30)),
        }
    }

    #[test]
    fn contact_details_typed_into_the_words_are_masked_in_every_body() {
        let now = Timestamp::from_millis(1_795_422_697_000);
        let typed = CaseFacts {
            gaps: "Call +44 20 7946 0000 or write to ana@example.com".to_owned(),
            email: None,
            phone: None,
            ..facts()
        };
        let a = Alert::new(typed, Reason::Opened, "https://c.example", None);
        assert_eq!(a.gaps, "Call ***000 or write to a***@example.com");
        let body = a.webhook_body(now);
        assert!(!body.contains("7946") && !body.contains("ana@"), "{body}");
    }

    #[test]
    fn a_case_in_its_sites_object_links_to_its_sites_case_page() {
        let a = Alert::new(facts(), Reason::Opened, "https://c.example/", None);
        let id = a.case_id.clone();
        assert_eq!(
            a.dashboard_url,
            format!("https://c.example/dashboard/cases/{id}")
        );
        let same = a.clone().in_object_of(None);
        assert_eq!(same.dashboard_url, a.dashboard_url, "in D1: unchanged");
        let moved = a.in_object_of(Some("shop"));
        assert_eq!(
            moved.dashboard_url,
            format!("https://c.example/dashboard/sites/shop/cases/{id}")
        );
    }

    #[test]
    fn masks_contact_details() {
        assert_eq!(mask_email("ana@example.com"), "a***@example.com");
        assert_eq!(mask_phone("+44 20 7946 0958"), "***958");
        assert_eq!(mask_phone("12"), "***12");
    }

    #[test]
    fn alert_is_stable_and_carries_no_contact_details() {
        let now = Timestamp::from_millis(1_795_422_697_000);
        let a = Alert::new(
            facts(),
            Reason::Opened,
            "https://feedback.example.com/",
            None,
        );
        assert_eq!(
            a.idempotency_id,
            "msg_0f8fad5bd9cb469fa16570867728950e_senior_opened"
        );
        assert_eq!(
            a.dashboard_url,
            "https://feedback.example.com/dashboard/cases/0f8fad5b-d9cb-469f-a165-70867728950e"
        );
        let body = a.webhook_body(now);
        assert!(
            !body.contains("ana@example.com") && !body.contains("7946"),
            "{body}"
        );
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["type"], "case.alert");
        assert_eq!(v["data"]["gaps"], "Nobody called <!channel>");
        assert_eq!(v["data"]["tier"], "senior");
        assert_eq!(v["data"]["reason"]["kind"], "opened");
        let again = Alert::new(facts(), Reason::Opened, "x", None);
        assert_eq!(again.idempotency_id, a.idempotency_id);
    }

    #[test]
    fn each_reason_and_level_has_its_own_id() {
        let mut f = facts();
        f.level = Tier::President;
        let up = Alert::new(f, Reason::NotAcknowledged { minutes: 30 }, "x", None);
        assert_eq!(
            up.idempotency_id,
            "msg_0f8fad5bd9cb469fa16570867728950e_president_overdue"
        );
        assert_eq!(
            up.headline(),
            "Re-escalated to the president: not acknowledged within 30 min"
        );
        let t = Alert::test("demo", Timestamp::from_millis(0), "x", "abc");
        assert!(t.headline().contains("Test alert"));
        assert!(t
            .webhook_body(Timestamp::from_millis(0))
            .contains("case.alert.test"));
    }
}
