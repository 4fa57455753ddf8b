//! The answers the ingest bench posts to `POST /v1/responses`: ten shapes
//! in turn, built from the domain's wire type (`RawSubmission`), so the
//! body is the one the widget sends and the server reads, written once.

use domain::submission::{RawContact, RawContext, RawSubmission};

/// The answer posted as request number `k`: ten shapes in turn, half of
/// them opening a case (account, senior, service, president), half not, so
/// both paths of the store are exercised in the same proportion for both.
/// Every contact is distinct, so no callback joins an earlier open case
/// (rule 6) and each case-opening answer opens exactly one case. Built from
/// the domain's wire type, so the body is what the widget sends.
fn answer(k: usize) -> RawSubmission {
    let email = || Some(format!("ana.{k}@example.com"));
    let phone = || Some(format!("+44 20 7946 {k:06}"));
    let contact = |email, phone, callback| {
        Some(RawContact {
            name: Some("Ana Bench".into()),
            email,
            phone,
            callback,
        })
    };
    let context = || {
        Some(RawContext {
            page: Some("http://127.0.0.1:5173/checkout?step=3".into()),
            transaction: Some(format!("order-{k}")),
            locale: Some("en-GB".into()),
        })
    };
    let (score, guarantee, contact, context) = match k % 10 {
        0 => (Some(5), false, None, None),
        1 => (Some(4), false, None, context()),
        2 => (None, false, None, None),
        3 => (Some(3), false, None, context()),
        4 => (Some(2), false, contact(email(), None, true), None),
        5 => (Some(1), false, contact(None, phone(), true), context()),
        6 => (Some(5), false, None, context()),
        7 => (None, false, contact(email(), phone(), true), None),
        8 => (Some(4), false, contact(None, None, false), context()),
        _ => (Some(5), true, contact(email(), None, false), context()),
    };
    RawSubmission {
        site: "bench".into(),
        id: uuid::Uuid::new_v4().to_string(),
        gaps: format!("Bench answer {k}: the delivery was two days late and nobody told me why."),
        score,
        guarantee,
        contact,
        context,
        hp: String::new(),
        turnstile: None,
    }
}

/// [`answer`] `k` as JSON. A struct of strings, numbers and booleans always
/// serializes, so the fallback (an empty body, refused loudly) never runs.
pub(super) fn body(k: usize) -> String {
    serde_json::to_string(&answer(k)).unwrap_or_default()
}

/// Whether request number `k` opens a case (see [`answer`]).
pub(super) fn opens_case(k: usize) -> bool {
    matches!(k % 10, 3 | 4 | 5 | 7 | 9)
}

#[cfg(test)]
mod tests {
    use super::{body, opens_case};
    use domain::submission::{RawSubmission, Submission};

    /// Every shape is a valid answer by the server's own rules, and
    /// `opens_case` (which the store check counts on) agrees with its tier.
    #[test]
    fn every_answer_is_valid_and_opens_a_case_exactly_when_expected() {
        for k in 0..20 {
            let raw: RawSubmission = domain::wire::from_object(body(k).as_bytes()).unwrap();
            let answer = Submission::try_from(raw).unwrap();
            assert_eq!(answer.tier().opens_case(), opens_case(k), "answer {k}");
        }
        assert_eq!((0..10).filter(|&k| opens_case(k)).count(), 5);
    }
}
