//! The widget's copy in the "Widget & SLA" form: its field names
//! (`copy.<locale>.<key>`), the text as it will be saved, and what is wrong
//! with a line (too long, or wording that baits a score: rule 1).

use crate::fields::clean_text;
use crate::site::{COPY_KEYS, MAX_COPY_CHARS};
use crate::wording;

/// The form field name of one line of copy.
pub fn copy_name(locale: &str, key: &str) -> String {
    format!("copy.{locale}.{key}")
}

/// Copy as it will be saved: one line, control characters removed, NFC,
/// trimmed — what [`SiteConfig::parse`](crate::site::SiteConfig::parse)
/// stores.
pub fn copy_text(raw: &str) -> String {
    let one_line = raw.replace(['\r', '\n', '\t'], " ");
    clean_text(&one_line, false).trim().to_owned()
}

/// What is wrong with one line of copy: too long, or baiting a score.
pub fn copy_problems(raw: &str) -> Vec<String> {
    let text = copy_text(raw);
    let mut problems = Vec::new();
    let n = text.chars().count();
    if n > MAX_COPY_CHARS {
        problems.push(format!(
            "At most {MAX_COPY_CHARS} characters; this has {n}."
        ));
    }
    if let Some(phrase) = bait_in(raw) {
        problems.push(bait_message(phrase));
    }
    problems
}

/// The bait phrase in a line of copy, as typed or as it would be saved.
pub fn bait_in(raw: &str) -> Option<&'static str> {
    wording::bait_phrase(raw).or_else(|| wording::bait_phrase(&copy_text(raw)))
}

/// The wording check's verdict, in the page's words.
pub fn bait_message(phrase: &str) -> String {
    format!(
        "\u{201c}{phrase}\u{201d} nudges customers toward a high score. \
         Ask neutrally, for example \u{201c}Where did we fall short?\u{201d}"
    )
}

/// `copy.<locale>.<key>` → (locale, key), when both are acceptable.
pub(super) fn copy_field(name: &str) -> Option<(String, &'static str)> {
    let (locale, key) = name.strip_prefix("copy.")?.split_once('.')?;
    let key = COPY_KEYS.iter().copied().find(|k| *k == key)?;
    Some((crate::lang::copy_locale(locale)?, key))
}
