//! Deadlines for every step after acknowledgement.
//!
//! Rule 5 times only the first step of the loop: a case must be acknowledged
//! before its tier's deadline, or the alert goes up. Without more, a case
//! could then sit `acknowledged` for a month and nothing would say it is
//! late. So every step a manager still owes has an owner (whoever took the
//! case, `ownership.rs`) and a deadline, counted from the step before:
//!
//! | the case is    | it waits on      | counted from        | default                                      |
//! |----------------|------------------|---------------------|----------------------------------------------|
//! | `acknowledged` | [`Step::Call`]   | the acknowledgement | the tier's acknowledge minutes, else 1440    |
//! | `contacted`    | [`Step::Report`] | the call            | 7200 (5 days)                                |
//! | `report_sent`  | [`Step::Close`]  | the report          | 20160 (14 days)                              |
//!
//! The call's default is the very number the thank-you already promised the
//! customer ("will call you back within 4 hours", [`crate::acknowledgement`]),
//! read from the same [`SlaPolicy`], and a working day where the thank-you
//! says "within a working day" (a tier without an acknowledge deadline). A
//! second, independent setting could drift from the promise; reusing it
//! cannot. A site may still override any step for any tier.
//!
//! A site's overrides, as stored and as the API sends them, are only what
//! differs from the defaults:
//!
//! ```json
//! {"senior": {"call_minutes": 60, "report_minutes": 7200}}
//! ```
//!
//! Pure like the rest of the crate: the caller passes the time the step
//! started and the time it is now.

use crate::case::CaseState;
use crate::sla::SlaPolicy;
use crate::{DomainError, Tier, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::ops::RangeInclusive;

/// The key a site's configuration would hold the overrides under, and the
/// prefix of every error field this module names
/// (`deadline_minutes.senior.call_minutes`), mirroring `sla_minutes`.
pub const FIELD: &str = "deadline_minutes";

/// A step's deadline runs from one minute to a year: longer is no deadline
/// at all, and zero would make every case overdue the moment it moves.
pub const MINUTES: RangeInclusive<u32> = 1..=525_600;

/// The call deadline for a tier without an acknowledge deadline: the
/// "within a working day" the thank-you promises then.
pub const WORKING_DAY_MINUTES: u32 = 1440;
/// Five days to send the customer what will be done.
pub const DEFAULT_REPORT_MINUTES: u32 = 7200;
/// Fourteen days to find the root cause and close.
pub const DEFAULT_CLOSE_MINUTES: u32 = 20_160;

/// A step a manager owes after acknowledging a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Call the customer and learn the context (`contacted`).
    Call,
    /// Send the customer the actions committed to (`report_sent`).
    Report,
    /// Record the root cause and the fixes (`closed`).
    Close,
}

impl Step {
    pub const ALL: [Self; 3] = [Self::Call, Self::Report, Self::Close];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Call => "call",
            Self::Report => "report",
            Self::Close => "close",
        }
    }

    /// The reason an overdue alert carries, one per step so each can be
    /// told apart (and sent once) in the alert log.
    pub const fn alert_reason(self) -> &'static str {
        match self {
            Self::Call => "call_overdue",
            Self::Report => "report_overdue",
            Self::Close => "close_overdue",
        }
    }

    /// What is owed, for a person reading the inbox or an alert.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Call => "Call the customer",
            Self::Report => "Send the report",
            Self::Close => "Close the case",
        }
    }

    /// The key of this step's minutes in the JSON.
    const fn key(self) -> &'static str {
        match self {
            Self::Call => "call_minutes",
            Self::Report => "report_minutes",
            Self::Close => "close_minutes",
        }
    }

    fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.key() == key)
    }
}

/// The step a case in `state` is waiting on; its clock starts when the
/// case entered `state`. An `open` case waits on acknowledgement, which
/// rule 5 times ([`SlaPolicy`]); a `closed` case owes nothing.
pub const fn step_for(state: CaseState) -> Option<Step> {
    match state {
        CaseState::Acknowledged => Some(Step::Call),
        // The internal report of a case nobody can call is due as a call's would be.
        CaseState::Contacted | CaseState::NoContact => Some(Step::Report),
        CaseState::ReportSent => Some(Step::Close),
        CaseState::Open | CaseState::Closed => None,
    }
}

/// Every step's minutes for one tier, defaults and overrides resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepMinutes {
    #[serde(rename = "call_minutes")]
    pub call: u32,
    #[serde(rename = "report_minutes")]
    pub report: u32,
    #[serde(rename = "close_minutes")]
    pub close: u32,
}

impl StepMinutes {
    pub const fn get(&self, step: Step) -> u32 {
        match step {
            Step::Call => self.call,
            Step::Report => self.report,
            Step::Close => self.close,
        }
    }
}

/// One tier's overrides: a step left out keeps its default. Only a
/// [`DeadlinePolicy`] checks the values, so this is plain data.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StepOverrides {
    #[serde(rename = "call_minutes", skip_serializing_if = "Option::is_none")]
    pub call: Option<u32>,
    #[serde(rename = "report_minutes", skip_serializing_if = "Option::is_none")]
    pub report: Option<u32>,
    #[serde(rename = "close_minutes", skip_serializing_if = "Option::is_none")]
    pub close: Option<u32>,
}

impl StepOverrides {
    pub const fn get(&self, step: Step) -> Option<u32> {
        match step {
            Step::Call => self.call,
            Step::Report => self.report,
            Step::Close => self.close,
        }
    }

    pub const fn is_empty(&self) -> bool {
        self.call.is_none() && self.report.is_none() && self.close.is_none()
    }

    fn slot(&mut self, step: Step) -> &mut Option<u32> {
        match step {
            Step::Call => &mut self.call,
            Step::Report => &mut self.report,
            Step::Close => &mut self.close,
        }
    }
}

/// A site's step deadlines: per tier that opens a case, the steps it
/// overrides. The fields stay private so that every policy went through
/// [`DeadlinePolicy::try_from`] and holds only minutes in [`MINUTES`].
///
/// Deserialising is the strict parse, so the policy can sit in a `serde`
/// struct as `sla_minutes` does; [`DeadlinePolicy::from_json`] is the
/// tolerant read of a stored value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Value")]
pub struct DeadlinePolicy {
    #[serde(skip_serializing_if = "StepOverrides::is_empty")]
    service: StepOverrides,
    #[serde(skip_serializing_if = "StepOverrides::is_empty")]
    account: StepOverrides,
    #[serde(skip_serializing_if = "StepOverrides::is_empty")]
    senior: StepOverrides,
    #[serde(skip_serializing_if = "StepOverrides::is_empty")]
    president: StepOverrides,
}

impl DeadlinePolicy {
    /// Reads a site's stored policy; anything unreadable falls back to the
    /// defaults rather than leaving a case without deadlines (as
    /// [`SlaPolicy::from_json`] does).
    pub fn from_json(raw: &str) -> Self {
        serde_json::from_str(raw).unwrap_or_default()
    }

    /// What the site set for `tier` (nothing for tier `none`, which opens
    /// no case).
    pub const fn overrides(&self, tier: Tier) -> StepOverrides {
        match tier {
            Tier::None => StepOverrides {
                call: None,
                report: None,
                close: None,
            },
            Tier::Service => self.service,
            Tier::Account => self.account,
            Tier::Senior => self.senior,
            Tier::President => self.president,
        }
    }

    fn overrides_mut(&mut self, tier: Tier) -> Option<&mut StepOverrides> {
        match tier {
            Tier::None => None,
            Tier::Service => Some(&mut self.service),
            Tier::Account => Some(&mut self.account),
            Tier::Senior => Some(&mut self.senior),
            Tier::President => Some(&mut self.president),
        }
    }

    /// Minutes `tier` has for `step`: the site's override, else the default.
    /// Pass the tier the case was opened with (the one its thank-you was
    /// written for), not the level an escalation raised it to, so the call
    /// deadline is the promise the customer read.
    pub fn minutes(&self, tier: Tier, step: Step, sla: &SlaPolicy) -> u32 {
        self.overrides(tier)
            .get(step)
            .unwrap_or_else(|| default_minutes(tier, step, sla))
    }

    /// Every step's minutes for `tier`, for a page that shows them all.
    pub fn steps(&self, tier: Tier, sla: &SlaPolicy) -> StepMinutes {
        StepMinutes {
            call: self.minutes(tier, Step::Call, sla),
            report: self.minutes(tier, Step::Report, sla),
            close: self.minutes(tier, Step::Close, sla),
        }
    }
}

/// The default minutes, before any override.
fn default_minutes(tier: Tier, step: Step, sla: &SlaPolicy) -> u32 {
    match step {
        // The thank-you's promise: `within(sla.ack_minutes(tier))`.
        Step::Call => sla.ack_minutes(tier).unwrap_or(WORKING_DAY_MINUTES),
        Step::Report => DEFAULT_REPORT_MINUTES,
        Step::Close => DEFAULT_CLOSE_MINUTES,
    }
}

/// The step a case in `state` owes and when it is due, counted from
/// `step_started_at` (when the case entered `state`). `None` when it owes
/// nothing timed here.
pub fn due(
    policy: &DeadlinePolicy,
    sla: &SlaPolicy,
    tier: Tier,
    state: CaseState,
    step_started_at: Timestamp,
) -> Option<(Step, Timestamp)> {
    let step = step_for(state)?;
    Some((
        step,
        step_started_at.plus_minutes(policy.minutes(tier, step, sla)),
    ))
}

/// The step a case is late on at `now`, if any. Due means late: at the
/// deadline's very millisecond the time given is used up, as with rule 5's
/// escalation.
pub fn overdue(
    policy: &DeadlinePolicy,
    sla: &SlaPolicy,
    tier: Tier,
    state: CaseState,
    step_started_at: Timestamp,
    now: Timestamp,
) -> Option<Step> {
    let (step, at) = due(policy, sla, tier, state, step_started_at)?;
    (now >= at).then_some(step)
}

/// The strict parse of what a site sends: an object of tiers, each an
/// object of step minutes. Every refusal is a [`DomainError::Invalid`]
/// naming the field at fault from the policy's root, e.g.
/// `deadline_minutes.senior.call_minutes`.
impl TryFrom<Value> for DeadlinePolicy {
    type Error = DomainError;

    fn try_from(value: Value) -> Result<Self, Self::Error> {
        let Value::Object(tiers) = value else {
            return Err(DomainError::invalid(
                FIELD,
                r#"must be an object of tiers, e.g. {"senior": {"call_minutes": 60}}"#,
            ));
        };
        let mut policy = Self::default();
        for (name, steps) in tiers {
            // `none` opens no case, so it has no steps to time.
            let slot =
                Tier::parse(&name).and_then(|tier| Some((tier, policy.overrides_mut(tier)?)));
            let Some((tier, slot)) = slot else {
                return Err(DomainError::invalid(
                    FIELD,
                    format!("unknown tier {name:?}; use service, account, senior or president"),
                ));
            };
            *slot = parse_steps(tier, steps)?;
        }
        Ok(policy)
    }
}

/// One tier's object of step minutes.
fn parse_steps(tier: Tier, value: Value) -> Result<StepOverrides, DomainError> {
    let Value::Object(steps) = value else {
        return Err(DomainError::invalid(
            tier_field(tier),
            "must be an object of step minutes (call_minutes, report_minutes, close_minutes)",
        ));
    };
    let mut overrides = StepOverrides::default();
    for (key, minutes) in steps {
        let Some(step) = Step::from_key(&key) else {
            return Err(DomainError::invalid(
                tier_field(tier),
                format!("unknown field {key:?}; use call_minutes, report_minutes or close_minutes"),
            ));
        };
        // A float, a string or a negative number is refused as firmly as
        // one out of range: only whole minutes are meant.
        let checked = minutes
            .as_u64()
            .and_then(|m| u32::try_from(m).ok())
            .filter(|m| MINUTES.contains(m));
        let Some(m) = checked else {
            return Err(DomainError::invalid(
                step_field(tier, step),
                format!(
                    "must be whole minutes from {} to {} (a year)",
                    MINUTES.start(),
                    MINUTES.end()
                ),
            ));
        };
        *overrides.slot(step) = Some(m);
    }
    Ok(overrides)
}

/// `deadline_minutes.<tier>`; the error field must be `'static`.
const fn tier_field(tier: Tier) -> &'static str {
    match tier {
        Tier::None => FIELD,
        Tier::Service => "deadline_minutes.service",
        Tier::Account => "deadline_minutes.account",
        Tier::Senior => "deadline_minutes.senior",
        Tier::President => "deadline_minutes.president",
    }
}

/// `deadline_minutes.<tier>.<step>_minutes`.
const fn step_field(tier: Tier, step: Step) -> &'static str {
    match (tier, step) {
        (Tier::None, _) => FIELD,
        (Tier::Service, Step::Call) => "deadline_minutes.service.call_minutes",
        (Tier::Service, Step::Report) => "deadline_minutes.service.report_minutes",
        (Tier::Service, Step::Close) => "deadline_minutes.service.close_minutes",
        (Tier::Account, Step::Call) => "deadline_minutes.account.call_minutes",
        (Tier::Account, Step::Report) => "deadline_minutes.account.report_minutes",
        (Tier::Account, Step::Close) => "deadline_minutes.account.close_minutes",
        (Tier::Senior, Step::Call) => "deadline_minutes.senior.call_minutes",
        (Tier::Senior, Step::Report) => "deadline_minutes.senior.report_minutes",
        (Tier::Senior, Step::Close) => "deadline_minutes.senior.close_minutes",
        (Tier::President, Step::Call) => "deadline_minutes.president.call_minutes",
        (Tier::President, Step::Report) => "deadline_minutes.president.report_minutes",
        (Tier::President, Step::Close) => "deadline_minutes.president.close_minutes",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    const CASE_TIERS: [Tier; 4] = [Tier::Service, Tier::Account, Tier::Senior, Tier::President];

    fn parse(v: Value) -> Result<DeadlinePolicy, DomainError> {
        DeadlinePolicy::try_from(v)
    }

    /// The field a refusal names.
    fn refused_field(v: &Value) -> &'static str {
        match parse(v.clone()) {
            Err(DomainError::Invalid { field, .. }) => field,
            other => panic!("{v} gave {other:?}"),
        }
    }

    #[test]
    fn the_call_defaults_to_what_the_thank_you_promised() {
        let p = DeadlinePolicy::default();
        for sla in [
            SlaPolicy::default(),
            SlaPolicy::from_json(
                r#"{"service": 100, "account": 50, "senior": 20, "president": 7}"#,
            ),
        ] {
            for tier in CASE_TIERS {
                assert_eq!(
                    Some(p.minutes(tier, Step::Call, &sla)),
                    sla.ack_minutes(tier),
                    "{tier:?}"
                );
                assert_eq!(p.minutes(tier, Step::Report, &sla), 7200);
                assert_eq!(p.minutes(tier, Step::Close, &sla), 20_160);
            }
        }
        let d = SlaPolicy::default();
        assert_eq!(p.minutes(Tier::Service, Step::Call, &d), 240);
        assert_eq!(p.minutes(Tier::President, Step::Call, &d), 15);
        // No acknowledge deadline: the thank-you says "within a working day".
        assert_eq!(d.ack_minutes(Tier::None), None);
        assert_eq!(p.minutes(Tier::None, Step::Call, &d), 1440);
        assert_eq!(
            p.steps(Tier::None, &d),
            StepMinutes {
                call: 1440,
                report: 7200,
                close: 20_160
            }
        );
    }

    #[test]
    fn overrides_replace_only_what_they_name() {
        let sla = SlaPolicy::default();
        let p = parse(json!({"senior": {"call_minutes": 60, "report_minutes": 100}})).unwrap();
        assert_eq!(
            p.steps(Tier::Senior, &sla),
            StepMinutes {
                call: 60,
                report: 100,
                close: 20_160
            }
        );
        // Other tiers keep every default.
        assert_eq!(p.minutes(Tier::Account, Step::Call, &sla), 60);
        assert_eq!(p.minutes(Tier::President, Step::Call, &sla), 15);
        assert_eq!(p.minutes(Tier::President, Step::Report, &sla), 7200);
        assert_eq!(p.overrides(Tier::Account), StepOverrides::default());
        assert_eq!(p.overrides(Tier::None), StepOverrides::default());
        assert_eq!(p.overrides(Tier::Senior).get(Step::Close), None);
        // An override wins over the SLA's acknowledge minutes too.
        let q = parse(json!({"service": {"call_minutes": 1}})).unwrap();
        assert_eq!(q.minutes(Tier::Service, Step::Call, &sla), 1);
    }

    #[test]
    fn each_state_waits_on_its_step() {
        let expected = [
            (CaseState::Open, None),
            (CaseState::Acknowledged, Some(Step::Call)),
            (CaseState::Contacted, Some(Step::Report)),
            (CaseState::NoContact, Some(Step::Report)),
            (CaseState::ReportSent, Some(Step::Close)),
            (CaseState::Closed, None),
        ];
        for (state, step) in expected {
            assert_eq!(step_for(state), step, "{state:?}");
        }
        // Every state is listed above, and every step is waited on once.
        assert_eq!(expected.len(), CaseState::ALL.len());
        let mut waited: Vec<Step> = CaseState::ALL.into_iter().filter_map(step_for).collect();
        waited.dedup();
        assert_eq!(waited, Step::ALL);
    }

    #[test]
    fn steps_read_and_alert_by_name() {
        let names: Vec<_> = Step::ALL
            .into_iter()
            .map(|s| (s.as_str(), s.alert_reason(), s.label()))
            .collect();
        assert_eq!(
            names,
            [
                ("call", "call_overdue", "Call the customer"),
                ("report", "report_overdue", "Send the report"),
                ("close", "close_overdue", "Close the case"),
            ]
        );
        for s in Step::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), json!(s.as_str()));
        }
    }

    #[test]
    fn due_counts_from_the_step_start_and_due_is_overdue() {
        let (p, sla) = (DeadlinePolicy::default(), SlaPolicy::default());
        let start = Timestamp::from_millis(1_000_000);
        let cases = [
            (CaseState::Acknowledged, Step::Call, 30),
            (CaseState::Contacted, Step::Report, 7200),
            (CaseState::ReportSent, Step::Close, 20_160),
        ];
        for (state, step, minutes) in cases {
            let at = start.plus_minutes(minutes);
            assert_eq!(due(&p, &sla, Tier::Senior, state, start), Some((step, at)));
            let just_before = Timestamp::from_millis(at.millis() - 1);
            assert_eq!(
                overdue(&p, &sla, Tier::Senior, state, start, just_before),
                None
            );
            assert_eq!(
                overdue(&p, &sla, Tier::Senior, state, start, at),
                Some(step)
            );
            let later = at.plus_minutes(60 * 24 * 365);
            assert_eq!(
                overdue(&p, &sla, Tier::Senior, state, start, later),
                Some(step)
            );
        }
        for state in [CaseState::Open, CaseState::Closed] {
            assert_eq!(due(&p, &sla, Tier::Senior, state, start), None);
            let far = start.plus_minutes(u32::MAX);
            assert_eq!(overdue(&p, &sla, Tier::Senior, state, start, far), None);
        }
        // An override moves the deadline.
        let q = parse(json!({"senior": {"call_minutes": 5}})).unwrap();
        let at = start.plus_minutes(5);
        assert_eq!(
            due(&q, &sla, Tier::Senior, CaseState::Acknowledged, start),
            Some((Step::Call, at))
        );
        assert_eq!(
            overdue(&q, &sla, Tier::Senior, CaseState::Acknowledged, start, at),
            Some(Step::Call)
        );
    }

    #[test]
    fn json_round_trips_with_only_the_overrides() {
        let raw = json!({
            "service": {"close_minutes": 525_600},
            "senior": {"call_minutes": 60, "report_minutes": 7200},
            "president": {"call_minutes": 1, "report_minutes": 2, "close_minutes": 3}
        });
        let p = parse(raw.clone()).unwrap();
        assert_eq!(serde_json::to_value(p).unwrap(), raw);
        let text = serde_json::to_string(&p).unwrap();
        assert_eq!(DeadlinePolicy::from_json(&text), p);
        assert_eq!(serde_json::from_str::<DeadlinePolicy>(&text).unwrap(), p);
        // The defaults are no overrides at all; an empty tier is dropped.
        assert_eq!(
            serde_json::to_string(&DeadlinePolicy::default()).unwrap(),
            "{}"
        );
        let empty = parse(json!({"account": {}})).unwrap();
        assert_eq!(empty, DeadlinePolicy::default());
        assert_eq!(serde_json::to_value(empty).unwrap(), json!({}));
        // The resolved minutes use the same keys.
        let steps = p.steps(Tier::Senior, &SlaPolicy::default());
        assert_eq!(
            serde_json::to_value(steps).unwrap(),
            json!({"call_minutes": 60, "report_minutes": 7200, "close_minutes": 20_160})
        );
    }

    #[test]
    fn stored_values_fall_back_to_the_defaults() {
        let d = DeadlinePolicy::default();
        for raw in [
            "",
            "garbage",
            "null",
            "[]",
            r#"{"gold": {}}"#,
            r#"{"senior": {"call_minutes": 0}}"#,
            r#"{"senior": [60]}"#,
        ] {
            assert_eq!(DeadlinePolicy::from_json(raw), d, "{raw}");
        }
        let p = DeadlinePolicy::from_json(r#"{"account": {"report_minutes": 90}}"#);
        assert_eq!(
            p.minutes(Tier::Account, Step::Report, &SlaPolicy::default()),
            90
        );
    }

    #[test]
    fn input_is_refused_naming_the_field() {
        // Unknown tiers, `none` included: it opens no case.
        for tier in ["gold", "none", "Senior", ""] {
            assert_eq!(
                refused_field(&json!({ tier: {"call_minutes": 5} })),
                FIELD,
                "{tier}"
            );
        }
        // Unknown fields, including the step names without `_minutes`.
        for key in ["call", "ack_minutes", "colour"] {
            assert_eq!(
                refused_field(&json!({"senior": { key: 5 }})),
                "deadline_minutes.senior",
                "{key}"
            );
        }
        // Out of range: zero, past a year, past u32.
        for bad in [json!(0), json!(525_601), json!(u64::from(u32::MAX) + 1)] {
            assert_eq!(
                refused_field(&json!({"account": {"report_minutes": bad}})),
                "deadline_minutes.account.report_minutes",
                "{bad}"
            );
        }
        // Wrong types, at every level.
        for bad in [
            json!(-5),
            json!(1.5),
            json!(60.0),
            json!("60"),
            json!(null),
            json!(true),
            json!([60]),
        ] {
            assert_eq!(
                refused_field(&json!({"president": {"close_minutes": bad}})),
                "deadline_minutes.president.close_minutes",
                "{bad}"
            );
        }
        for bad in [json!([60, 100]), json!(null), json!(60), json!("x")] {
            assert_eq!(
                refused_field(&json!({"service": bad})),
                "deadline_minutes.service",
                "{bad}"
            );
        }
        for bad in [json!([]), json!(null), json!(1), json!("{}")] {
            assert_eq!(refused_field(&bad), FIELD, "{bad}");
        }
        let err = parse(json!({"senior": {"call_minutes": 0}})).unwrap_err();
        assert_eq!(err.code(), "invalid_deadline_minutes_senior_call_minutes");
        assert!(err.to_string().contains("1 to 525600"), "{err}");
        // The bounds themselves are accepted.
        assert!(parse(json!({"senior": {"call_minutes": 1, "close_minutes": 525_600}})).is_ok());
        // Refused through serde too, so a policy inside a config is checked.
        assert!(
            serde_json::from_str::<DeadlinePolicy>(r#"{"senior": {"call_minutes": 0}}"#)
                .unwrap_err()
                .to_string()
                .contains("deadline_minutes.senior.call_minutes")
        );
    }

    /// Any JSON, weighted towards the shapes a policy has.
    fn any_json() -> impl Strategy<Value = Value> {
        let key = prop_oneof![
            Just("service".to_owned()),
            Just("senior".to_owned()),
            Just("none".to_owned()),
            Just("call_minutes".to_owned()),
            Just("close_minutes".to_owned()),
            ".{0,8}",
        ];
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            (0..=600_000u32).prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            ".{0,8}".prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 32, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
                prop::collection::btree_map(key.clone(), inner, 0..5)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn from_json_never_panics(raw in ".{0,64}") {
            let _ = DeadlinePolicy::from_json(&raw);
        }

        #[test]
        fn parse_never_panics_and_keeps_minutes_in_range(v in any_json()) {
            let text = v.to_string();
            let stored = DeadlinePolicy::from_json(&text);
            if let Ok(p) = parse(v) {
                prop_assert_eq!(stored, p);
                for tier in Tier::ALL {
                    for step in Step::ALL {
                        let m = p.minutes(tier, step, &SlaPolicy::default());
                        prop_assert!(MINUTES.contains(&m));
                    }
                }
                // What is accepted serialises back to itself.
                let back = serde_json::to_string(&p).unwrap();
                prop_assert_eq!(DeadlinePolicy::from_json(&back), p);
            }
        }
    }
}

/// One line of the Settings page's deadlines form: a tier's step, its
/// override if the site set one, and the default it falls back to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeadlineRow {
    pub tier: Tier,
    pub step: Step,
    pub value: Option<u32>,
    pub default: u32,
}

/// The tiers that open cases, highest first, for the form.
const FORM_TIERS: [Tier; 4] = [Tier::President, Tier::Senior, Tier::Account, Tier::Service];

/// Every (tier, step) of the form, with the site's values.
pub fn rows(policy: &DeadlinePolicy, sla: &SlaPolicy) -> Vec<DeadlineRow> {
    FORM_TIERS
        .iter()
        .flat_map(|&tier| {
            Step::ALL.into_iter().map(move |step| DeadlineRow {
                tier,
                step,
                value: policy.overrides(tier).get(step),
                default: default_minutes(tier, step, sla),
            })
        })
        .collect()
}

/// The form field of a (tier, step): `call_senior`, `close_service`…
pub fn field_name(tier: Tier, step: Step) -> String {
    format!("{}_{}", step.as_str(), tier.as_str())
}

/// Reads the Settings form: each field in minutes, empty for the default.
/// Checked by the same rules as the API's `deadline_minutes`.
pub fn parse_form(body: &str) -> Result<DeadlinePolicy, DomainError> {
    let mut doc = serde_json::Map::new();
    for tier in FORM_TIERS {
        let mut steps = serde_json::Map::new();
        for step in Step::ALL {
            let raw = crate::form::form_field(body, &field_name(tier, step)).unwrap_or_default();
            let raw = raw.trim();
            if raw.is_empty() {
                continue;
            }
            let n: u64 = raw.parse().map_err(|_| {
                DomainError::invalid(
                    "deadline_minutes",
                    format!(
                        "{} for {} is a whole number of minutes",
                        step.label(),
                        tier.label()
                    ),
                )
            })?;
            steps.insert(format!("{}_minutes", step.as_str()), Value::from(n));
        }
        if !steps.is_empty() {
            doc.insert(tier.as_str().to_owned(), Value::Object(steps));
        }
    }
    DeadlinePolicy::try_from(Value::Object(doc))
}

#[cfg(test)]
mod form_tests {
    use super::*;

    #[test]
    fn the_form_reads_overrides_and_leaves_defaults() {
        let p = parse_form("call_senior=45&report_senior=&close_service=100").unwrap();
        let sla = SlaPolicy::default();
        assert_eq!(p.minutes(Tier::Senior, Step::Call, &sla), 45);
        assert_eq!(
            p.minutes(Tier::Senior, Step::Report, &sla),
            DEFAULT_REPORT_MINUTES
        );
        assert_eq!(p.minutes(Tier::Service, Step::Close, &sla), 100);
        assert!(parse_form("call_senior=soon").is_err());
        assert!(parse_form("call_senior=0").is_err());
        assert_eq!(parse_form("").unwrap(), DeadlinePolicy::default());
        let r = rows(&p, &sla);
        assert_eq!(r.len(), 12);
        let senior_call = r
            .iter()
            .find(|r| r.tier == Tier::Senior && r.step == Step::Call)
            .unwrap();
        assert_eq!((senior_call.value, senior_call.default), (Some(45), 30));
        assert_eq!(field_name(Tier::Senior, Step::Call), "call_senior");
    }
}
