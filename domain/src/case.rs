//! The closed loop (docs/product-rules.md#rule-4): a case moves
//! `open → acknowledged → contacted → report_sent → closed`, one step at a
//! time. A customer who left no way to reach them takes the honest path
//! `acknowledged → no_contact → report_sent → closed`: the context is
//! recorded, no call is pretended, and the report is internal. Each step is an event with who, when and a note; closing needs a
//! root cause, a short-term fix and a systemic fix (or an explicit "none").

use crate::fields::{paragraphs, short_text};
use crate::DomainError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    Open,
    Acknowledged,
    Contacted,
    /// No contact is possible (the customer left none): the context is
    /// recorded instead of a call.
    NoContact,
    ReportSent,
    Closed,
}

impl CaseState {
    pub const ALL: [Self; 6] = [
        Self::Open,
        Self::Acknowledged,
        Self::Contacted,
        Self::NoContact,
        Self::ReportSent,
        Self::Closed,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Acknowledged => "acknowledged",
            Self::Contacted => "contacted",
            Self::NoContact => "no_contact",
            Self::ReportSent => "report_sent",
            Self::Closed => "closed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

/// What closing a case records, for root-cause analysis and rule 7.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Closure {
    /// A short code shared across cases (`late-delivery`), so causes rank.
    pub root_cause: String,
    pub short_fix: String,
    /// The fix that stops it happening again, or `"none"` said explicitly.
    pub systemic_fix: String,
    /// Effort of the systemic fix in person-days, for return on satisfaction.
    pub effort: Option<f64>,
}

/// A manager's step on a case.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Action {
    Acknowledged,
    /// The customer was reached; `context` is what was learned.
    Contacted {
        context: String,
    },
    /// The customer cannot be reached (no contact left); `context` is what
    /// the answer itself tells.
    NoContact {
        context: String,
    },
    /// The report went out; `actions` are what was committed to the customer.
    ReportSent {
        actions: String,
    },
    Closed(Closure),
    /// A remark that changes no state.
    Note {
        text: String,
    },
}

impl Action {
    pub const fn kind(&self) -> &'static str {
        match self {
            Self::Acknowledged => "acknowledged",
            Self::Contacted { .. } => "contacted",
            Self::NoContact { .. } => "no_contact",
            Self::ReportSent { .. } => "report_sent",
            Self::Closed(_) => "closed",
            Self::Note { .. } => "note",
        }
    }
}

/// `POST /v1/admin/cases/{id}/events`, as sent.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEvent {
    pub r#type: String,
    #[serde(default)]
    pub by: String,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub root_cause: Option<String>,
    #[serde(default)]
    pub short_fix: Option<String>,
    #[serde(default)]
    pub systemic_fix: Option<String>,
    #[serde(default)]
    pub effort: Option<f64>,
    /// With `report_sent`: `send` mails the actions to the customer,
    /// `record` (the default) only records them.
    #[serde(default)]
    pub mail: Option<String>,
    /// With `closed`: a short "what changed because you spoke up", mailed
    /// to the customer.
    #[serde(default)]
    pub customer_note: Option<String>,
}

/// A parsed event: who did what, and what the customer is told of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseEvent {
    pub by: String,
    pub action: Action,
    #[serde(skip)]
    pub tell: Tell,
}

/// What a step sends the customer (who must have left an email).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Tell {
    #[default]
    Nothing,
    /// The committed actions of `report_sent`, as the manager wrote them.
    Report,
    /// At closure, what changed because the customer spoke up.
    Changed(String),
}

impl Tell {
    fn parse(raw: &RawEvent) -> Result<Self, DomainError> {
        let mail = raw.mail.as_deref().map(str::trim).filter(|m| !m.is_empty());
        let tell = match (raw.r#type.as_str(), mail) {
            ("report_sent", Some("send")) => Self::Report,
            ("report_sent", Some("record") | None) | (_, None) => Self::Nothing,
            ("report_sent", Some(_)) => {
                return Err(DomainError::invalid("mail", "must be send or record"))
            }
            (_, Some(_)) => {
                return Err(DomainError::invalid(
                    "mail",
                    "only a report_sent step mails the customer",
                ))
            }
        };
        match (raw.r#type.as_str(), raw.customer_note.as_deref()) {
            (_, None) => Ok(tell),
            ("closed", Some(note)) => {
                Ok(paragraphs("customer_note", note, 2000)?.map_or(Self::Nothing, Self::Changed))
            }
            (_, Some(_)) => Err(DomainError::invalid(
                "customer_note",
                "only a closing step sends the customer what changed",
            )),
        }
    }
}

fn required(
    field: &'static str,
    value: Option<&str>,
    max: usize,
    why: &str,
) -> Result<String, DomainError> {
    short_text(field, value.unwrap_or_default(), max)?
        .ok_or_else(|| DomainError::invalid(field, why.to_owned()))
}

/// The short reference a customer reads in every mail about their case:
/// the first eight characters of its id, in capitals.
pub fn reference(case_id: &str) -> String {
    case_id.chars().take(8).collect::<String>().to_uppercase()
}

/// The outbox id of the mail `tell` sends for a case: one per (case, kind),
/// so a retried or repeated step can never mail the customer twice.
pub fn tell_mail_id(case_id: &str, tell: &Tell) -> Option<String> {
    match tell {
        Tell::Nothing => None,
        Tell::Report => Some(format!("report-{case_id}")),
        Tell::Changed(_) => Some(format!("changed-{case_id}")),
    }
}

impl TryFrom<RawEvent> for CaseEvent {
    type Error = DomainError;
    fn try_from(raw: RawEvent) -> Result<Self, Self::Error> {
        let by = required("by", Some(&raw.by), 120, "say who did this")?;
        let tell = Tell::parse(&raw)?;
        let note = raw.note.as_deref();
        let action = match raw.r#type.as_str() {
            "acknowledged" => Action::Acknowledged,
            "contacted" => Action::Contacted {
                context: required(
                    "note",
                    note,
                    4000,
                    "record the context learned from the customer",
                )?,
            },
            "no_contact" => Action::NoContact {
                context: required(
                    "note",
                    note,
                    4000,
                    "record the context: why no contact is possible and what the answer tells",
                )?,
            },
            "report_sent" => Action::ReportSent {
                // The customer may read it as written: lines are kept.
                actions: paragraphs("note", note.unwrap_or_default(), 4000)?.ok_or_else(|| {
                    DomainError::invalid("note", "record the actions committed to the customer")
                })?,
            },
            "closed" => {
                let code = required(
                    "root_cause",
                    raw.root_cause.as_deref(),
                    60,
                    "a root-cause code is required to close",
                )?;
                let code = code.to_lowercase();
                if !code
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
                {
                    return Err(DomainError::invalid(
                        "root_cause",
                        "use a short code of letters, digits, - and _",
                    ));
                }
                let effort = match raw.effort {
                    Some(e) if !(e.is_finite() && (0.0..=10_000.0).contains(&e)) => {
                        return Err(DomainError::invalid(
                            "effort",
                            "person-days from 0 to 10000",
                        ));
                    }
                    other => other,
                };
                Action::Closed(Closure {
                    root_cause: code,
                    short_fix: required(
                        "short_fix",
                        raw.short_fix.as_deref(),
                        2000,
                        "a short-term fix is required to close",
                    )?,
                    systemic_fix: required(
                        "systemic_fix",
                        raw.systemic_fix.as_deref(),
                        2000,
                        "a systemic fix (or \"none\") is required to close",
                    )?,
                    effort,
                })
            }
            "note" => Action::Note {
                text: required("note", note, 4000, "a note needs text")?,
            },
            _ => {
                return Err(DomainError::invalid(
                    "type",
                    "must be acknowledged, contacted, no_contact, report_sent, closed or note",
                ));
            }
        };
        Ok(Self { by, action, tell })
    }
}

impl CaseState {
    /// The state after `action`, or why the step is not allowed now.
    pub fn apply(self, action: &Action) -> Result<Self, DomainError> {
        let next = match (self, action) {
            (state, Action::Note { .. }) => state,
            (Self::Open, Action::Acknowledged) => Self::Acknowledged,
            (Self::Acknowledged, Action::Contacted { .. }) => Self::Contacted,
            (Self::Acknowledged, Action::NoContact { .. }) => Self::NoContact,
            (Self::Contacted | Self::NoContact, Action::ReportSent { .. }) => Self::ReportSent,
            (Self::ReportSent, Action::Closed(_)) => Self::Closed,
            (from, action) => {
                return Err(DomainError::IllegalTransition {
                    from: from.as_str(),
                    event: action.kind(),
                });
            }
        };
        Ok(next)
    }

    /// Every step allowed now: the usual one, and from `acknowledged` also
    /// `no_contact` (for a customer who left no way to reach them).
    pub const fn next_steps(self) -> &'static [&'static str] {
        match self {
            Self::Acknowledged => &["contacted", "no_contact"],
            Self::Open => &["acknowledged"],
            Self::Contacted | Self::NoContact => &["report_sent"],
            Self::ReportSent => &["closed"],
            Self::Closed => &[],
        }
    }

    /// The usual next step (the dashboard's main form offers it).
    pub const fn next_step(self) -> Option<&'static str> {
        match self {
            Self::Open => Some("acknowledged"),
            Self::Acknowledged => Some("contacted"),
            Self::Contacted | Self::NoContact => Some("report_sent"),
            Self::ReportSent => Some("closed"),
            Self::Closed => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn event(json: &str) -> Result<CaseEvent, DomainError> {
        CaseEvent::try_from(serde_json::from_str::<RawEvent>(json).unwrap())
    }

    fn closure() -> Action {
        Action::Closed(Closure {
            root_cause: "late-delivery".into(),
            short_fix: "refund shipping".into(),
            systemic_fix: "none".into(),
            effort: None,
        })
    }

    #[test]
    fn the_happy_path_closes_the_loop() {
        let steps = [
            Action::Acknowledged,
            Action::Contacted {
                context: "parcel left outside".into(),
            },
            Action::ReportSent {
                actions: "refund + new courier".into(),
            },
            closure(),
        ];
        let end = steps
            .iter()
            .try_fold(CaseState::Open, CaseState::apply)
            .unwrap();
        assert_eq!(end, CaseState::Closed);
    }

    #[test]
    fn a_case_has_one_reference_and_one_mail_id_per_kind() {
        assert_eq!(reference("0f3a9c2e-77aa"), "0F3A9C2E");
        assert_eq!(reference("ab"), "AB");
        assert_eq!(tell_mail_id("c1", &Tell::Nothing), None);
        assert_eq!(
            tell_mail_id("c1", &Tell::Report).as_deref(),
            Some("report-c1")
        );
        assert_eq!(
            tell_mail_id("c1", &Tell::Changed("a".into())),
            tell_mail_id("c1", &Tell::Changed("b".into())),
            "one per case and kind, whatever the text"
        );
    }

    #[test]
    fn only_a_report_or_a_closing_tells_the_customer() {
        let report = |mail: &str| {
            event(&format!(
                r#"{{"type":"report_sent","by":"m","note":"refund","mail":{mail}}}"#
            ))
        };
        assert_eq!(report(r#""send""#).unwrap().tell, Tell::Report);
        assert_eq!(report(r#""record""#).unwrap().tell, Tell::Nothing);
        assert_eq!(
            report("null").unwrap().tell,
            Tell::Nothing,
            "record is the default"
        );
        assert!(report(r#""twice""#).is_err());
        assert!(event(r#"{"type":"note","by":"m","note":"x","mail":"send"}"#).is_err());
        let closing = |note: &str| {
            event(&format!(
                r#"{{"type":"closed","by":"m","root_cause":"late","short_fix":"a","systemic_fix":"none","customer_note":{note}}}"#
            ))
        };
        assert_eq!(
            closing(r#"" We changed couriers. ""#).unwrap().tell,
            Tell::Changed("We changed couriers.".into())
        );
        assert_eq!(closing(r#""   ""#).unwrap().tell, Tell::Nothing);
        assert!(closing(&format!("{:?}", "x".repeat(2001))).is_err());
        assert!(event(r#"{"type":"contacted","by":"m","note":"x","customer_note":"y"}"#).is_err());
    }

    #[test]
    fn skipping_or_repeating_a_step_is_illegal() {
        assert!(CaseState::Open.apply(&closure()).is_err());
        assert!(CaseState::Open
            .apply(&Action::Contacted {
                context: "x".into()
            })
            .is_err());
        assert!(CaseState::Acknowledged
            .apply(&Action::Acknowledged)
            .is_err());
        let err = CaseState::Closed.apply(&Action::Acknowledged).unwrap_err();
        assert_eq!(
            err,
            DomainError::IllegalTransition {
                from: "closed",
                event: "acknowledged"
            }
        );
        assert_eq!(
            CaseState::Closed.apply(&Action::Note { text: "x".into() }),
            Ok(CaseState::Closed)
        );
    }

    #[test]
    fn events_parse_with_their_required_fields() {
        assert_eq!(
            event(r#"{"type":"acknowledged","by":"maria"}"#)
                .unwrap()
                .action,
            Action::Acknowledged
        );
        assert_eq!(
            event(r#"{"type":"acknowledged"}"#).unwrap_err().code(),
            "invalid_by"
        );
        assert_eq!(
            event(r#"{"type":"contacted","by":"m"}"#)
                .unwrap_err()
                .code(),
            "invalid_note"
        );
        assert_eq!(
            event(r#"{"type":"report_sent","by":"m","note":"  "}"#)
                .unwrap_err()
                .code(),
            "invalid_note"
        );
        assert_eq!(
            event(r#"{"type":"closed","by":"m","short_fix":"a","systemic_fix":"b"}"#)
                .unwrap_err()
                .code(),
            "invalid_root_cause"
        );
        assert_eq!(
            event(r#"{"type":"closed","by":"m","root_cause":"x","systemic_fix":"b"}"#)
                .unwrap_err()
                .code(),
            "invalid_short_fix"
        );
        assert_eq!(
            event(r#"{"type":"closed","by":"m","root_cause":"x","short_fix":"a"}"#)
                .unwrap_err()
                .code(),
            "invalid_systemic_fix"
        );
        assert_eq!(event(r#"{"type":"closed","by":"m","root_cause":"a b","short_fix":"a","systemic_fix":"b"}"#).unwrap_err().code(), "invalid_root_cause");
        assert_eq!(event(r#"{"type":"closed","by":"m","root_cause":"x","short_fix":"a","systemic_fix":"b","effort":-1}"#).unwrap_err().code(), "invalid_effort");
        assert_eq!(
            event(r#"{"type":"reopened","by":"m"}"#).unwrap_err().code(),
            "invalid_type"
        );
        let closed = event(r#"{"type":"closed","by":"m","root_cause":"Late-Delivery","short_fix":"a","systemic_fix":"none","effort":2.5}"#).unwrap();
        let Action::Closed(c) = closed.action else {
            panic!("not a closure")
        };
        assert_eq!(
            (c.root_cause.as_str(), c.effort),
            ("late-delivery", Some(2.5))
        );
        assert!(serde_json::from_str::<RawEvent>(
            r#"{"type":"note","by":"m","note":"x","extra":1}"#
        )
        .is_err());
    }

    fn any_action() -> impl Strategy<Value = Action> {
        prop_oneof![
            Just(Action::Acknowledged),
            Just(Action::Contacted {
                context: "c".into()
            }),
            Just(Action::NoContact {
                context: "n".into()
            }),
            Just(Action::ReportSent {
                actions: "a".into()
            }),
            Just(closure()),
            Just(Action::Note { text: "n".into() }),
        ]
    }

    proptest! {
        /// No sequence of events reaches an illegal state: states only move
        /// forward one step at a time, notes change nothing, and a closed
        /// case was acknowledged, contacted and reported first.
        #[test]
        fn no_sequence_breaks_the_loop(actions in proptest::collection::vec(any_action(), 0..40)) {
            let mut state = CaseState::Open;
            let mut visited = vec![state];
            for a in &actions {
                match state.apply(a) {
                    Ok(next) => {
                        if matches!(a, Action::Note { .. }) {
                            prop_assert_eq!(next, state);
                        } else {
                            prop_assert!(state.next_steps().contains(&a.kind()));
                            prop_assert!(next > state);
                            visited.push(next);
                        }
                        state = next;
                    }
                    Err(e) => {
                        let illegal = matches!(e, DomainError::IllegalTransition { .. });
                        prop_assert!(illegal, "unexpected error {:?}", e);
                    }
                }
            }
            // One of the two paths: called, or no contact possible.
            let called = [CaseState::Open, CaseState::Acknowledged, CaseState::Contacted, CaseState::ReportSent, CaseState::Closed];
            let uncalled = [CaseState::Open, CaseState::Acknowledged, CaseState::NoContact, CaseState::ReportSent, CaseState::Closed];
            let n = visited.len();
            prop_assert!(visited[..] == called[..n] || visited[..] == uncalled[..n], "{:?}", visited);
        }

        #[test]
        fn raw_events_never_panic(t in "[a-z_]{0,14}", by in any::<String>(), note in proptest::option::of(any::<String>()), effort in proptest::option::of(any::<f64>())) {
            let raw = RawEvent { r#type: t, by, note, root_cause: Some("x".into()), short_fix: Some("a".into()), systemic_fix: Some("b".into()), effort, ..RawEvent::default() };
            let _ = CaseEvent::try_from(raw);
        }
    }
}
