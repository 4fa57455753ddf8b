//! The wording check (docs/product-rules.md#wording-check): a site's copy may not bait a score.
//! Run when copy is saved; the refusal names the phrase so the editor knows
//! what to change.

use crate::DomainError;

/// Phrases that push a customer toward a top score, in every shipped locale,
/// lowercase, with single spaces.
const BAIT: &[&str] = &[
    // English
    "excellent",
    "5 stars",
    "five stars",
    "5 star",
    "five star",
    "perfect score",
    "rate us 5",
    "rate us five",
    "would you give us",
    "10/10",
    "top marks",
    "full marks",
    "highest rating",
    // German
    "ausgezeichnet",
    "hervorragend",
    "5 sterne",
    "fünf sterne",
    "volle punktzahl",
    "bewerten sie uns mit 5",
    "würden sie uns",
    "bestnote",
    // Arabic
    "ممتاز",
    "5 نجوم",
    "خمس نجوم",
    "العلامة الكاملة",
    "قيمنا ب 5",
];

/// Lowercases and folds every run of whitespace or `-`/`_` to one space, so
/// "Five-Stars" and "five  stars" are caught like "five stars".
fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut gap = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_whitespace() || c == '-' || c == '_' {
            gap = true;
        } else {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            out.push(c);
        }
    }
    out
}

/// The first bait phrase `text` contains, if any.
pub fn bait_phrase(text: &str) -> Option<&'static str> {
    let folded = fold(text);
    BAIT.iter().copied().find(|phrase| folded.contains(phrase))
}

/// Refuses copy that baits a score; `field` names where it was found.
pub fn check(field: &'static str, text: &str) -> Result<(), DomainError> {
    match bait_phrase(text) {
        None => Ok(()),
        Some(p) => Err(DomainError::invalid(
            field,
            format!("\"{p}\" nudges customers toward a high score; use neutral wording"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The widget's own lines (the question, the hints, the low score's
    /// contact offer, in every language) pass the check a site's copy must
    /// pass: every string literal of `widget/src/locale.rs` is read here.
    #[test]
    fn the_widgets_built_in_copy_passes_the_wording_check() {
        let source = include_str!("../../widget/src/locale.rs");
        let lines: Vec<&str> = source
            .split('"')
            .skip(1)
            .step_by(2)
            .filter(|s| s.chars().any(char::is_alphabetic) && s.contains(' '))
            .collect();
        assert!(
            lines.len() > 60,
            "the widget's lines were found: {}",
            lines.len()
        );
        assert!(lines.iter().any(|l| l.contains("If you\u{2019}re willing")));
        for line in lines {
            assert_eq!(bait_phrase(line), None, "{line}");
        }
    }
    use proptest::prelude::*;

    #[test]
    fn neutral_copy_passes() {
        for ok in [
            "Where did we fall short?",
            "How well did we meet your needs?",
            "Wo haben wir Sie enttäuscht?",
            "أين قصّرنا؟",
            "1 = not at all, 5 = fully",
        ] {
            assert_eq!(bait_phrase(ok), None, "{ok}");
        }
    }

    #[test]
    fn bait_is_named_in_every_locale() {
        assert_eq!(
            bait_phrase("Was our service EXCELLENT today?"),
            Some("excellent")
        );
        assert_eq!(bait_phrase("Leave us Five-Stars!"), Some("five stars"));
        assert_eq!(
            bait_phrase("Would  you give us a 10/10?"),
            Some("would you give us")
        );
        assert_eq!(bait_phrase("Bitte 5 Sterne!"), Some("5 sterne"));
        assert_eq!(bait_phrase("هل كانت الخدمة ممتازة"), Some("ممتاز"));
        let err = check("copy.en.question", "Rate us 5 stars").unwrap_err();
        assert_eq!(err.code(), "invalid_copy_en_question");
        assert!(err.to_string().contains("5 stars"), "{err}");
    }

    proptest! {
        #[test]
        fn any_bait_phrase_is_caught_whatever_surrounds_it(
            i in 0..BAIT.len(), before in "[a-z ]{0,20}", after in "[a-z ]{0,20}", upper in any::<bool>()
        ) {
            let phrase = if upper { BAIT[i].to_uppercase() } else { BAIT[i].to_owned() };
            let text = format!("{before} {phrase} {after}");
            prop_assert!(bait_phrase(&text).is_some(), "{}", text);
        }
    }
}
