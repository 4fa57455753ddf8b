//! Masks what a customer typed into the answer before it leaves for people
//! outside the dashboard (chat alerts, mail to managers): email addresses,
//! phone numbers and card-like digit runs inside the words are masked the
//! way the contact fields are ([`mask_email`], [`mask_phone`]). The
//! dashboard and the export keep the original.
//!
//! A digit run is masked when it holds at least [`MIN_DIGITS`] digits: a
//! phone number has at least seven, a card thirteen. Short numbers (an order
//! of 3 parcels, a 20 minute wait, a price) stay readable, and so do dates
//! (`2026-12-05`, `05.12.2026`), which a manager needs and which identify
//! no one.

use crate::alert::{mask_email, mask_phone};

/// The fewest digits in a run that is masked.
pub const MIN_DIGITS: usize = 7;

/// `text` with every email address, phone number and card-like digit run
/// masked; everything else unchanged. Masking twice changes nothing more.
pub fn mask_personal(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if let Some(end) = email_at(&chars, i) {
            let found: String = chars[i..end].iter().collect();
            // The host stays, as in a masked contact field; a long digit
            // run in it is masked too, so masking again changes nothing.
            out.push_str(&mask_personal(&mask_email(&found)));
            i = end;
        } else if let Some(end) = digit_run_at(&chars, i) {
            let found: String = chars[i..end].iter().collect();
            out.push_str(&mask_phone(&found));
            i = end;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

fn is_local_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-')
}

fn is_host_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '-')
}

/// The end of the email address that starts at `i`, if one does: a local
/// part that begins a word, `@`, and a host with a dot inside it.
fn email_at(chars: &[char], i: usize) -> Option<usize> {
    let starts_word = i == 0 || !is_local_char(chars[i - 1]);
    if !starts_word || !chars[i].is_alphanumeric() {
        return None;
    }
    let at = i + chars[i..].iter().take_while(|&&c| is_local_char(c)).count();
    if chars.get(at) != Some(&'@') {
        return None;
    }
    let host_len = chars[at + 1..]
        .iter()
        .take_while(|&&c| is_host_char(c))
        .count();
    // A sentence's full stop or a dash after the address is not its host.
    let host = &chars[at + 1..at + 1 + host_len];
    let trimmed = host.len()
        - host
            .iter()
            .rev()
            .take_while(|&&c| matches!(c, '.' | '-'))
            .count();
    let host = &host[..trimmed];
    let dot_inside = host
        .iter()
        .position(|&c| c == '.')
        .is_some_and(|p| p > 0 && p + 1 < host.len());
    dot_inside.then_some(at + 1 + trimmed)
}

/// Characters that may sit between the digits of one number: `+44 (20)
/// 7946-0000`, `4242 4242 4242 4242`, `030.1234.5678`.
fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '-' | '.' | '/' | '(' | ')')
}

/// The end of the phone- or card-like digit run that starts at `i`, if one
/// does and it has at least [`MIN_DIGITS`] digits and is not a date. A run
/// starts a word (a `+` or `(` may lead), and separators come at most two
/// in a row, so two numbers a sentence apart stay apart.
fn digit_run_at(chars: &[char], i: usize) -> Option<usize> {
    let starts_word = i == 0 || !chars[i - 1].is_alphanumeric();
    let lead = usize::from(matches!(chars[i], '+' | '('));
    if !starts_word || !chars.get(i + lead).is_some_and(char::is_ascii_digit) {
        return None;
    }
    let mut end = i + lead;
    let mut j = end;
    let mut gap = 0;
    while let Some(&c) = chars.get(j) {
        if c.is_ascii_digit() {
            gap = 0;
            j += 1;
            end = j;
        } else if is_separator(c) && gap < 2 {
            gap += 1;
            j += 1;
        } else {
            break;
        }
    }
    // A number glued to letters (`A1234567B`, a reference) is not a phone.
    if chars.get(end).is_some_and(|c| c.is_alphanumeric()) {
        return None;
    }
    let run = &chars[i..end];
    let digits = run.iter().filter(|c| c.is_ascii_digit()).count();
    (digits >= MIN_DIGITS && !is_date(run)).then_some(end)
}

/// `2026-12-05`, `05.12.2026`, `5/12/2026`: three groups, one of four
/// digits at either end, one kind of separator.
fn is_date(run: &[char]) -> bool {
    let separators: Vec<char> = run
        .iter()
        .copied()
        .filter(|c| !c.is_ascii_digit())
        .collect();
    let Some(&sep) = separators.first() else {
        return false;
    };
    if separators.len() != 2 || separators.iter().any(|&c| c != sep) || !"-./".contains(sep) {
        return false;
    }
    let text: String = run.iter().collect();
    let groups: Vec<usize> = text.split(sep).map(str::len).collect();
    matches!(groups.as_slice(), [4, 1 | 2, 1 | 2] | [1 | 2, 1 | 2, 4])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn masks_emails_phones_and_cards_inside_words() {
        assert_eq!(
            mask_personal("Call me on +44 20 7946 0000 or write to ana@example.com."),
            "Call me on ***000 or write to a***@example.com."
        );
        assert_eq!(
            mask_personal("Card 4242 4242 4242 4242 was charged twice"),
            "Card ***242 was charged twice"
        );
        assert_eq!(mask_personal("(030) 1234-5678, please"), "***678, please");
        assert_eq!(
            mask_personal("Ana.Lopez+shop@mail.example.co.uk"),
            "A***@mail.example.co.uk"
        );
    }

    #[test]
    fn leaves_short_numbers_dates_and_references_readable() {
        for kept in [
            "3 parcels, 20 minutes late, 149.99 EUR",
            "It was due on 2026-12-05 and came on 12.12.2026",
            "Order A1234567B never came",
            "ticket #123456",
            "email me at ana@ (no host)",
            "@everyone and a@b",
            "ana@localhost",
            "",
        ] {
            assert_eq!(mask_personal(kept), kept);
        }
    }

    #[test]
    fn two_numbers_a_sentence_apart_stay_apart() {
        assert_eq!(
            mask_personal("Waited 45 min. Then 30 more."),
            "Waited 45 min. Then 30 more."
        );
    }

    proptest! {
        #[test]
        fn any_text_is_masked_without_panicking_and_masking_again_changes_nothing(
            text in "\\PC{0,80}"
        ) {
            let once = mask_personal(&text);
            prop_assert_eq!(mask_personal(&once), once.clone());
        }

        #[test]
        fn a_phone_among_words_never_survives(
            before in "[a-z ]{0,20}",
            digits in proptest::collection::vec(0u8..10, 7..16),
            sep in prop::sample::select(vec!["", " ", "-", "."]),
            after in "[a-z ]{0,20}",
        ) {
            let number: Vec<String> = digits.iter().map(u8::to_string).collect();
            let phone = format!("+{}", number.join(sep));
            let text = format!("{before} {phone} {after}");
            let masked = mask_personal(&text);
            let plain: String = number.concat();
            let kept: String = masked.chars().filter(char::is_ascii_digit).collect();
            prop_assert!(kept.len() <= 3, "{masked}");
            prop_assert!(!masked.contains(&plain));
        }

        #[test]
        fn an_email_among_words_never_survives(
            local in "[a-z][a-z0-9._]{0,15}",
            host in "[a-z]{1,10}\\.[a-z]{2,5}",
            words in "[a-z ]{0,20}",
        ) {
            let email = format!("{local}@{host}");
            let masked = mask_personal(&format!("{words} {email}, {words}"));
            prop_assert!(!masked.contains(&email), "{masked}");
            prop_assert!(masked.contains(&format!("***@{host}")), "{masked}");
        }

        #[test]
        fn words_without_digits_or_at_signs_are_unchanged(text in "[^0-9@]{0,80}") {
            prop_assert_eq!(mask_personal(&text), text);
        }
    }
}
