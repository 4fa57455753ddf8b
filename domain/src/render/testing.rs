//! Fixtures and checks shared by the renderers' tests.

pub(super) use super::text::units;
use super::text::{ELLIPSIS, WORD_JOINER};
use crate::alert::tests::facts;
use crate::alert::{Alert, Reason};
use crate::{Tier, Timestamp};
use proptest::prelude::*;
use serde_json::Value;

pub(super) const BASE: &str = "https://feedback.example.com";
pub(super) const ACK: &str = "https://feedback.example.com/ack/TOKEN";
pub(super) const NOW: Timestamp = Timestamp::from_millis(1_795_423_000_000);

/// A new senior case (the shared fixture).
pub(super) fn opened() -> Alert {
    Alert::new(facts(), Reason::Opened, BASE, Some(ACK.to_owned()))
}

/// The senior case, not acknowledged in 30 minutes, re-escalated to the
/// president.
pub(super) fn overdue() -> Alert {
    let mut f = facts();
    f.level = Tier::President;
    f.ack_due_at = Some(f.opened_at.plus_minutes(45));
    Alert::new(
        f,
        Reason::NotAcknowledged { minutes: 30 },
        BASE,
        Some(ACK.to_owned()),
    )
}

/// A service case (a callback) that a later score-1 guarantee answer from
/// the same customer raised to the president.
pub(super) fn raised() -> Alert {
    let mut f = facts();
    f.tier = Tier::President;
    f.level = Tier::President;
    f.guarantee = true;
    f.score = Some(1);
    Alert::new(
        f,
        Reason::Raised {
            response: "7d1c0a52-3c4e-4b0a-9d1e-5f2a8b6c4d3e".to_owned(),
        },
        BASE,
        Some(ACK.to_owned()),
    )
}

pub(super) fn acknowledged() -> Alert {
    Alert::new(
        facts(),
        Reason::Acknowledged {
            by: "Maria Silva".to_owned(),
        },
        BASE,
        None,
    )
}

pub(super) fn test_alert() -> Alert {
    Alert::test("demo", NOW, BASE, "4f1c")
}

/// The operator notice: three alerts of the site are dead letters.
pub(super) fn undelivered() -> Alert {
    Alert::undelivered("demo", 3, NOW, BASE, 498_728)
}

/// The fixture case opened with the customer's `gaps` and `transaction`.
pub(super) fn opened_with(gaps: &str, transaction: &str) -> Alert {
    let mut f = facts();
    gaps.clone_into(&mut f.gaps);
    f.transaction = Some(transaction.to_owned());
    Alert::new(f, Reason::Opened, BASE, Some(ACK.to_owned()))
}

pub(super) fn acknowledged_by(by: &str) -> Alert {
    Alert::new(
        facts(),
        Reason::Acknowledged { by: by.to_owned() },
        BASE,
        None,
    )
}

/// The senior case's call is overdue; `owner` owns it.
pub(super) fn call_overdue(owner: &str) -> Alert {
    Alert::new(
        facts(),
        Reason::StepOverdue {
            step: crate::deadlines::Step::Call,
            owner: Some(owner.to_owned()),
        },
        BASE,
        None,
    )
}

/// 100,000 characters of mixed scripts, emoji, markup and mention bait.
pub(super) fn huge(seed: &str) -> String {
    let unit = format!("{seed} Nobody called <!channel> é 😀 𝄞 ✔ https://evil.example & @everyone *x* \"q\" \u{1} ");
    unit.chars().cycle().take(100_000).collect()
}

/// Fragments that break naive renderers.
pub(super) const NASTY: [&str; 24] = [
    "<!channel>",
    "<!here>",
    "@everyone",
    "@here",
    "@channel",
    "<@U123>",
    "<users/all>",
    "<at>x</at>",
    "[x](https://evil.example)",
    "<https://evil|x>",
    "https://evil.example",
    "www.evil.example",
    "**",
    "`",
    "\"",
    "\\",
    "</script>",
    "\u{202e}",
    "\n",
    "&amp;",
    "\u{2060}",
    "😀",
    ":",
    "w",
];

/// Arbitrary strings, biased to the fragments in [`NASTY`].
pub(super) fn nasty() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            3 => prop::sample::select(&NASTY[..]).prop_map(str::to_owned),
            1 => any::<String>(),
            1 => "[a-zA-Z:/.@ ]{0,6}",
        ],
        0..12,
    )
    .prop_map(|parts| parts.concat())
}

/// Long nasty strings, past every platform's limit, so they get cut.
pub(super) fn long_nasty() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(&NASTY[..]), 300..2_500)
        .prop_map(|parts| parts.concat())
}

/// Every string in `v`, with its JSON pointer.
pub(super) fn leaves(v: &Value) -> Vec<(String, &str)> {
    fn walk<'a>(v: &'a Value, path: &str, out: &mut Vec<(String, &'a str)>) {
        match v {
            Value::String(s) => out.push((path.to_owned(), s)),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(item, &format!("{path}/{i}"), out);
                }
            }
            Value::Object(map) => {
                for (k, item) in map {
                    walk(item, &format!("{path}/{k}"), out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(v, "", &mut out);
    out
}

/// Undoes the defanging: a doubled word joiner was the customer's, a single
/// one was ours.
pub(super) fn undefang(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == WORD_JOINER {
            if chars.peek() == Some(&WORD_JOINER) {
                chars.next();
                out.push(WORD_JOINER);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Decodes the HTML-style entities Slack and Google Chat use; a `&` that
/// starts none of `entities` is an error (it would be ambiguous).
pub(super) fn unescape_entities(s: &str, entities: &[(&str, char)]) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let (entity, c) = entities
            .iter()
            .find(|(e, _)| rest.starts_with(e))
            .ok_or_else(|| format!("bare & in {s:?}"))?;
        out.push(*c);
        rest = &rest[entity.len()..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Decodes Discord's backslash escapes; a markdown character that is not
/// escaped is an error.
pub(super) fn unescape_backslashes(s: &str, markdown: &[char]) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some(escaped) if markdown.contains(&escaped) => out.push(escaped),
                other => return Err(format!("stray backslash before {other:?} in {s:?}")),
            }
        } else if markdown.contains(&c) {
            return Err(format!("unescaped {c:?} in {s:?}"));
        } else {
            out.push(c);
        }
    }
    Ok(out)
}

/// [`assert_round_trip`] for the customer's words, which every alert
/// carries masked ([`crate::redact`]).
pub(super) fn assert_words_round_trip(original: &str, rendered: &str) {
    assert_round_trip(&crate::redact::mask_personal(original), rendered);
}

/// `rendered` (already un-escaped with the platform's rule) is `original`,
/// or a prefix of it followed by an ellipsis; and it was inert: no scheme,
/// `www.` or broadcast mention survived.
pub(super) fn assert_round_trip(original: &str, rendered: &str) {
    for bait in ["://", "www.", "@everyone", "@here", "@channel"] {
        assert!(
            !rendered.to_lowercase().contains(bait),
            "{bait:?} survived in {rendered:?}"
        );
    }
    let shown = undefang(rendered);
    if shown == original {
        return;
    }
    let prefix = shown
        .strip_suffix(ELLIPSIS)
        .unwrap_or_else(|| panic!("{shown:?} is neither {original:?} nor cut"));
    assert!(
        original.starts_with(prefix) && prefix.len() < original.len(),
        "{shown:?} is not a cut of {original:?}"
    );
}

/// The property tests every renderer runs: `$check(gaps, transaction, by)`
/// must hold for hostile text (markup, mentions, entities, bidi), for any
/// text at all, and for text long enough to be cut.
macro_rules! inert_round_trip_properties {
    ($check:ident) => {
        proptest::proptest! {
            #[test]
            fn customer_text_is_inert_and_round_trips(
                gaps in $crate::render::testing::nasty(),
                transaction in $crate::render::testing::nasty(),
                by in $crate::render::testing::nasty(),
            ) {
                $check(&gaps, &transaction, &by);
            }

            #[test]
            fn any_text_is_inert_and_round_trips(
                gaps in proptest::prelude::any::<String>(),
                transaction in proptest::prelude::any::<String>(),
                by in proptest::prelude::any::<String>(),
            ) {
                $check(&gaps, &transaction, &by);
            }
        }

        proptest::proptest! {
            #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]
            #[test]
            fn long_text_is_cut_inert(
                gaps in $crate::render::testing::long_nasty(),
                transaction in $crate::render::testing::long_nasty(),
                by in $crate::render::testing::long_nasty(),
            ) {
                $check(&gaps, &transaction, &by);
            }
        }
    };
}
pub(super) use inert_round_trip_properties;
