//! The managers' API answers (docs/wire-contract.md#managers-api) as plain
//! data. The edge fills these from its typed rows and serialises them; no
//! answer is put together by hand.
//!
//! Two rules hold for every answer: counts, scores, HTTP statuses, attempts
//! and durations are JSON integers, and every time is one [`ApiTime`]: an
//! RFC 3339 UTC string with milliseconds (`2026-12-04T19:10:00.000Z`).

use crate::case::{CaseState, Closure};
use crate::deadlines::DeadlinePolicy;
use crate::sla::SlaPolicy;
use crate::{Tier, Timestamp};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;

/// A time as the managers' API writes it: RFC 3339, UTC, with milliseconds
/// ([`Timestamp::to_rfc3339`]). Reading one back accepts that form only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ApiTime(pub Timestamp);

impl From<Timestamp> for ApiTime {
    fn from(t: Timestamp) -> Self {
        Self(t)
    }
}

impl Serialize for ApiTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_rfc3339())
    }
}

impl<'de> Deserialize<'de> for ApiTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Timestamp::parse_since(&raw)
            .ok()
            .filter(|t| t.to_rfc3339() == raw)
            .map(Self)
            .ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "{raw:?} is not an RFC 3339 UTC time with milliseconds"
                ))
            })
    }
}

/// The customer's contact details (behind the admin token, unlike alerts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactView {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub callback: bool,
}

/// Where the answer was given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContextView {
    pub page: Option<String>,
    pub transaction: Option<String>,
    pub locale: Option<String>,
}

/// The case an answer belongs to, as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRef {
    pub id: String,
    pub state: CaseState,
}

/// One answer. `C` is how its case is shown: [`CaseRef`] in the list and
/// the NDJSON export, [`CaseView`] when the answer is shown alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerView<C> {
    pub id: String,
    pub site: String,
    pub received_at: ApiTime,
    pub tier: Tier,
    pub score: Option<u8>,
    pub guarantee: bool,
    pub gaps: String,
    pub contact: ContactView,
    pub context: ContextView,
    pub case: Option<C>,
    pub erased_at: Option<ApiTime>,
}

/// `GET /v1/admin/responses/{id}`.
pub type ResponseDetail = AnswerView<CaseView>;

/// `GET /v1/admin/responses`: one page, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponsePage {
    pub items: Vec<AnswerView<CaseRef>>,
    pub next_cursor: Option<String>,
}

/// A case in full. `deliveries` is left out of the answer to a case step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseView {
    pub id: String,
    pub tier: Tier,
    pub state: CaseState,
    pub level: Tier,
    pub opened_at: ApiTime,
    pub ack_due_at: Option<ApiTime>,
    pub updated_at: ApiTime,
    /// The one step the case accepts now; `None` once closed.
    pub next_step: Option<String>,
    pub events: Vec<EventView>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deliveries: Option<Vec<AttemptView>>,
}

/// One line of a case's log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventView {
    pub r#type: String,
    pub by: Option<String>,
    pub note: Option<String>,
    pub data: Option<EventData>,
    pub at: ApiTime,
}

/// What an event carries besides its note.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum EventData {
    /// On `closed`: the root-cause record.
    Closed(Closure),
    /// On `message` and a customer's `escalated`: the answer it came from.
    Answer { response: String },
}

/// One HTTP call to one recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptView {
    pub recipient_id: String,
    pub idempotency_id: String,
    /// 1-based, per alert and recipient.
    pub attempt: u32,
    /// `None`: no answer (timeout, reset, refused before sending).
    pub status: Option<u16>,
    pub error: Option<String>,
    pub started_at: ApiTime,
    pub duration_ms: i64,
}

/// `GET /v1/admin/deliveries?response={id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveriesView {
    pub response: String,
    pub deliveries: Vec<AttemptView>,
}

/// `DELETE /v1/admin/responses/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Erasure {
    pub id: String,
    pub erased: bool,
    pub already_erased: bool,
    pub answers_erased: Vec<String>,
}

/// `POST /v1/admin/sites/{site}/recipients/{id}/test`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestAlertView {
    pub recipient: String,
    pub format: String,
    pub idempotency_id: String,
    /// `delivered`, `refused` (permanent) or `failed` (worth retrying).
    pub result: String,
    pub status: Option<u16>,
    /// The first 500 characters of the platform's reply.
    pub answer: Option<String>,
    pub error: Option<String>,
    pub duration_ms: i64,
}

/// `GET /v1/admin/alerts`: the outbox at a glance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertProgress {
    pub unfinished: u64,
    pub finished: u64,
}

/// `GET /v1/admin/dead-letters`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadLetters {
    pub dead_letters: Vec<DeadLetterView>,
}

/// An alert one recipient will never get, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadLetterView {
    pub alert: String,
    pub recipient: String,
    pub case: String,
    /// `None` once the case is gone.
    pub site: Option<String>,
    pub why: String,
    pub last_status: Option<u16>,
    pub at: ApiTime,
}

/// `GET /v1/admin/sites/{site}/recipients/{id}/url`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecipientUrl {
    pub id: String,
    pub url: String,
}

/// `GET`/`PUT /v1/admin/sites/{site}`: a site as managers read it back —
/// valid `PUT` input, its read-only fields ignored there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteDocument {
    pub site: String,
    pub origins: Vec<String>,
    pub copy: BTreeMap<String, BTreeMap<String, String>>,
    pub recipients: Vec<RecipientView>,
    pub sla_minutes: SlaPolicy,
    /// Step-deadline overrides per tier; the defaults apply where none.
    pub deadline_minutes: DeadlinePolicy,
    pub cooldown_days: u32,
    pub guarantee: bool,
    pub score: bool,
    pub offer_contact: bool,
    pub rate_per_minute: u32,
    /// Days after an answer its personal data is erased; 0: kept.
    #[serde(default)]
    pub retention_days: u32,
    pub turnstile: Option<TurnstileView>,
    pub counters: Vec<CounterView>,
    pub updated_at: ApiTime,
}

/// A recipient without its URL's path or its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecipientView {
    pub id: String,
    pub role: String,
    pub format: String,
    pub url_masked: String,
}

/// Turnstile's public key; the secret only as "set".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TurnstileView {
    pub sitekey: String,
    pub secret_set: bool,
}

/// One abuse counter of one UTC day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CounterView {
    /// `YYYY-MM-DD`, UTC.
    pub day: String,
    pub name: String,
    pub count: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = include_str!("../fixtures/wire/admin-response-detail.json");

    fn at(ms: i64) -> ApiTime {
        ApiTime(Timestamp::from_millis(ms))
    }

    fn detail() -> ResponseDetail {
        let case = "0f8fad5b-d9cb-469f-a165-70867728950e";
        let later = "5c0d6f4e-3b2a-4c1d-9e8f-7a6b5c4d3e2f";
        let event = |kind: &str, by: &str, note: Option<&str>, data, ms| EventView {
            r#type: kind.into(),
            by: Some(by.into()),
            note: note.map(Into::into),
            data,
            at: at(ms),
        };
        AnswerView {
            id: case.into(),
            site: "demo".into(),
            received_at: at(1_796_395_174_781),
            tier: Tier::Senior,
            score: Some(1),
            guarantee: false,
            gaps: "The parcel came two days late and nobody told me.".into(),
            contact: ContactView {
                name: Some("Ana".into()),
                email: Some("ana@example.com".into()),
                phone: None,
                callback: true,
            },
            context: ContextView {
                page: Some("https://shop.example.com/orders".into()),
                transaction: Some("order-123".into()),
                locale: Some("en".into()),
            },
            case: Some(CaseView {
                id: case.into(),
                tier: Tier::Senior,
                state: CaseState::Closed,
                level: Tier::Senior,
                opened_at: at(1_796_395_174_781),
                ack_due_at: Some(at(1_796_396_974_781)),
                updated_at: at(1_796_481_574_000),
                next_step: None,
                events: vec![
                    event("opened", "customer", None, None, 1_796_395_174_781),
                    event(
                        "message",
                        "customer",
                        Some("Still waiting."),
                        Some(EventData::Answer {
                            response: later.into(),
                        }),
                        1_796_395_474_000,
                    ),
                    event("acknowledged", "Maria", None, None, 1_796_395_774_000),
                    event(
                        "closed",
                        "Maria",
                        None,
                        Some(EventData::Closed(Closure {
                            root_cause: "late-delivery".into(),
                            short_fix: "refunded shipping".into(),
                            systemic_fix: "courier SLA in contract".into(),
                            effort: Some(2.5),
                        })),
                        1_796_481_574_000,
                    ),
                ],
                deliveries: Some(vec![
                    AttemptView {
                        recipient_id: "demo-senior_management-0123456789abcdef".into(),
                        idempotency_id: "msg_0f8fad5bd9cb469fa16570867728950e_senior_opened".into(),
                        attempt: 1,
                        status: Some(503),
                        error: Some("HTTP 503".into()),
                        started_at: at(1_796_395_174_900),
                        duration_ms: 412,
                    },
                    AttemptView {
                        recipient_id: "demo-senior_management-0123456789abcdef".into(),
                        idempotency_id: "msg_0f8fad5bd9cb469fa16570867728950e_senior_opened".into(),
                        attempt: 2,
                        status: Some(200),
                        error: None,
                        started_at: at(1_796_395_180_100),
                        duration_ms: 87,
                    },
                ]),
            }),
            erased_at: None,
        }
    }

    #[test]
    fn the_detail_serialises_to_the_fixture_and_back() {
        let fixture: serde_json::Value = serde_json::from_str(FIXTURE).unwrap();
        assert_eq!(serde_json::to_value(detail()).unwrap(), fixture);
        let back: ResponseDetail = serde_json::from_str(FIXTURE).unwrap();
        assert_eq!(back, detail());
    }

    #[test]
    fn integers_stay_integers_and_times_are_strings() {
        let v = serde_json::to_value(detail()).unwrap();
        let attempt = &v["case"]["deliveries"][1];
        for n in [
            &v["score"],
            &attempt["attempt"],
            &attempt["status"],
            &attempt["duration_ms"],
        ] {
            assert!(n.is_u64(), "{n} is not an integer");
        }
        assert_eq!(attempt["started_at"], "2026-12-04T14:39:40.100Z");
        assert_eq!(v["received_at"], "2026-12-04T14:39:34.781Z");
    }

    #[test]
    fn a_time_reads_back_in_the_one_form_only() {
        let read = |s: &str| serde_json::from_value::<ApiTime>(serde_json::json!(s));
        assert_eq!(
            read("2026-12-04T19:10:00.000Z").unwrap(),
            at(1_796_411_400_000)
        );
        for other in [
            "2026-12-04T19:10:00Z",
            "2026-12-04",
            "1796411400000",
            "2026-12-04T19:10:00.000+00:00",
        ] {
            assert!(read(other).is_err(), "{other} accepted");
        }
        assert!(
            serde_json::from_value::<ApiTime>(serde_json::json!(1_796_411_400_000_i64)).is_err()
        );
    }

    #[test]
    fn a_case_step_answer_has_no_deliveries_field() {
        let mut case = detail().case.unwrap();
        case.deliveries = None;
        let v = serde_json::to_value(&case).unwrap();
        assert!(v.get("deliveries").is_none());
        assert_eq!(serde_json::from_value::<CaseView>(v).unwrap(), case);
    }

    #[test]
    fn a_site_document_is_valid_put_input() {
        let doc = SiteDocument {
            site: "demo".into(),
            origins: vec!["https://shop.example.com".into()],
            copy: BTreeMap::new(),
            recipients: vec![RecipientView {
                id: "demo-service".into(),
                role: "service_manager".into(),
                format: "slack".into(),
                url_masked: "https://hooks.slack.com/…".into(),
            }],
            sla_minutes: SlaPolicy::default(),
            deadline_minutes: DeadlinePolicy::default(),
            cooldown_days: 30,
            guarantee: false,
            score: true,
            offer_contact: true,
            rate_per_minute: 10,
            retention_days: 0,
            turnstile: Some(TurnstileView {
                sitekey: "1x00000000000000000000AA".into(),
                secret_set: true,
            }),
            counters: vec![CounterView {
                day: "2026-12-04".into(),
                name: "honeypot".into(),
                count: 1,
            }],
            updated_at: at(1_796_411_400_000),
        };
        let v = serde_json::to_value(&doc).unwrap();
        assert_eq!(v["counters"][0]["count"], 1);
        assert!(v["counters"][0]["count"].is_u64());
        assert_eq!(v["updated_at"], "2026-12-04T19:10:00.000Z");
        let body: crate::site::SiteBody = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(body.site.as_deref(), Some("demo"));
        assert_eq!(serde_json::from_value::<SiteDocument>(v).unwrap(), doc);
    }
}
