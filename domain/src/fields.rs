//! Newtypes for every field a customer or a host page can send. Each is built
//! only through `TryFrom`, so holding one proves the value was checked.

use crate::DomainError;
use serde::Serialize;
use std::fmt;
use unicode_normalization::UnicodeNormalization;

/// Normalises text to NFC (so the same words typed on two keyboards compare
/// and count alike) and removes control characters (keeping line breaks and
/// tabs in free text) and Unicode bidi overrides, which could make stored
/// text display as something other than what was written.
pub fn clean_text(raw: &str, keep_newlines: bool) -> String {
    raw.chars()
        .filter(|&c| {
            let newline_ok = keep_newlines && (c == '\n' || c == '\t');
            let bidi_override = matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
            newline_ok || !(c.is_control() || bidi_override)
        })
        // After filtering, so a removed character cannot leave a
        // non-normalised pair behind.
        .nfc()
        .collect()
}

macro_rules! string_newtype {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

string_newtype!(
    /// A site's key: 1–63 of `a-z 0-9 -`, starting with a letter or digit.
    SiteKey
);

impl TryFrom<&str> for SiteKey {
    type Error = DomainError;
    fn try_from(raw: &str) -> Result<Self, Self::Error> {
        let ok = (1..=63).contains(&raw.len())
            && raw
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !raw.starts_with('-');
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(DomainError::invalid(
                "site",
                "must be 1-63 characters of a-z, 0-9 and '-'",
            ))
        }
    }
}

string_newtype!(
    /// A response id: a UUID v4 made by the widget, kept lowercase and hyphenated.
    ResponseId
);

impl TryFrom<&str> for ResponseId {
    type Error = DomainError;
    fn try_from(raw: &str) -> Result<Self, Self::Error> {
        let err = || DomainError::invalid("id", "must be a UUID v4");
        // Only the canonical 36-character form: one id, one spelling.
        if raw.len() != 36 {
            return Err(err());
        }
        let id = uuid::Uuid::try_parse(raw).map_err(|_| err())?;
        if id.get_version_num() != 4 || id.get_variant() != uuid::Variant::RFC4122 {
            return Err(err());
        }
        Ok(Self(id.hyphenated().to_string()))
    }
}

/// The most a customer may write, in Unicode scalar values.
pub const GAPS_MAX_CHARS: usize = 4000;

string_newtype!(
    /// The answer to "where did we fall short?": 1–4000 characters after trim,
    /// control characters removed.
    Gaps
);

impl TryFrom<&str> for Gaps {
    type Error = DomainError;
    fn try_from(raw: &str) -> Result<Self, Self::Error> {
        let cleaned = clean_text(raw, true);
        let text = cleaned.trim();
        match text.chars().count() {
            0 => Err(DomainError::invalid(
                "gaps",
                "tell us where we fell short (required)",
            )),
            n if n > GAPS_MAX_CHARS => Err(DomainError::invalid(
                "gaps",
                format!("at most {GAPS_MAX_CHARS} characters, got {n}"),
            )),
            _ => Ok(Self(text.to_owned())),
        }
    }
}

/// A neutral 1–5 score. Absent scores are `Option::None`, never a default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Score(u8);

impl Score {
    pub const fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<i64> for Score {
    type Error = DomainError;
    fn try_from(raw: i64) -> Result<Self, Self::Error> {
        match u8::try_from(raw) {
            Ok(n @ 1..=5) => Ok(Self(n)),
            _ => Err(DomainError::invalid(
                "score",
                "must be a whole number from 1 to 5, or null",
            )),
        }
    }
}

string_newtype!(
    /// An email address, checked for shape only (the callback proves it works).
    Email
);

impl TryFrom<&str> for Email {
    type Error = DomainError;
    fn try_from(raw: &str) -> Result<Self, Self::Error> {
        let s = raw.trim();
        let err = || DomainError::invalid("contact.email", "is not an email address");
        if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(err());
        }
        let (local, host) = s.rsplit_once('@').ok_or_else(err)?;
        let host_ok = host.contains('.')
            && !host.starts_with('.')
            && !host.ends_with('.')
            && !host.contains("..")
            && host
                .chars()
                .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        if local.is_empty() || local.len() > 64 || local.contains('@') || !host_ok {
            return Err(err());
        }
        Ok(Self(s.to_owned()))
    }
}

string_newtype!(
    /// A phone number: 6–20 digits, with `+ - . ( )` and spaces allowed between.
    Phone
);

impl TryFrom<&str> for Phone {
    type Error = DomainError;
    fn try_from(raw: &str) -> Result<Self, Self::Error> {
        let s = raw.trim();
        let digits = s.chars().filter(char::is_ascii_digit).count();
        let allowed = s
            .chars()
            .all(|c| c.is_ascii_digit() || " +-.()".contains(c));
        if allowed && (6..=20).contains(&digits) && s.len() <= 32 {
            Ok(Self(s.to_owned()))
        } else {
            Err(DomainError::invalid(
                "contact.phone",
                "is not a phone number",
            ))
        }
    }
}

/// Parses short single-line text (names, transaction ids, locales): control
/// characters removed, trimmed, at most `max` characters; empty becomes `None`.
pub fn short_text(
    field: &'static str,
    raw: &str,
    max: usize,
) -> Result<Option<String>, DomainError> {
    bounded(field, &clean_text(raw, false), max)
}

/// Trimmed, at most `max` characters; empty becomes `None`.
fn bounded(field: &'static str, cleaned: &str, max: usize) -> Result<Option<String>, DomainError> {
    let text = cleaned.trim();
    if text.chars().count() > max {
        return Err(DomainError::invalid(
            field,
            format!("at most {max} characters"),
        ));
    }
    Ok((!text.is_empty()).then(|| text.to_owned()))
}

/// Parses text a customer will read as written (a report's actions, what
/// changed): like [`short_text`], but line breaks are kept, as `\n`
/// whether the browser sent CRLF or LF.
pub fn paragraphs(
    field: &'static str,
    raw: &str,
    max: usize,
) -> Result<Option<String>, DomainError> {
    let unified = raw.replace("\r\n", "\n").replace('\r', "\n");
    bounded(field, &clean_text(&unified, true), max)
}

string_newtype!(
    /// The page the widget was opened on: an absolute http(s) URL, its
    /// host in ASCII as a browser's `location.href` has it
    /// ([`crate::ascii_hosts`]).
    PageUrl
);

impl PageUrl {
    /// The page's origin (`scheme://host[:port]`), to compare with a site's
    /// allowed origins.
    pub fn origin(&self) -> String {
        url::Url::parse(&self.0)
            .map_or_else(|_| String::new(), |u| u.origin().ascii_serialization())
    }
}

impl TryFrom<&str> for PageUrl {
    type Error = DomainError;
    fn try_from(raw: &str) -> Result<Self, Self::Error> {
        let err = || DomainError::invalid("context.page", "must be an absolute http(s) URL");
        if raw.len() > 2048 {
            return Err(err());
        }
        let url = url::Url::parse(raw.trim()).map_err(|_| err())?;
        if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
            return Err(err());
        }
        Ok(Self(url.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn site_keys() {
        assert!(SiteKey::try_from("demo").is_ok());
        assert!(SiteKey::try_from("acme-2").is_ok());
        for bad in ["", "-x", "Demo", "a b", "a/b", &"a".repeat(64)] {
            assert!(SiteKey::try_from(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn response_ids_are_canonical_v4() {
        let id = ResponseId::try_from("0F8FAD5B-D9CB-469F-A165-70867728950E").unwrap();
        assert_eq!(id.as_str(), "0f8fad5b-d9cb-469f-a165-70867728950e");
        // v1, wrong variant, braces, simple form, garbage
        for bad in [
            "0f8fad5b-d9cb-169f-a165-70867728950e",
            "0f8fad5b-d9cb-469f-c165-70867728950e",
            "{0f8fad5b-d9cb-469f-a165-70867728950e}",
            "0f8fad5bd9cb469fa16570867728950e",
            "not-a-uuid",
        ] {
            assert!(ResponseId::try_from(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn gaps_trim_and_bounds() {
        assert_eq!(Gaps::try_from("  slow  \n").unwrap().as_str(), "slow");
        assert!(Gaps::try_from(" \n\t ").is_err());
        assert!(Gaps::try_from("\u{0}\u{1}").is_err());
        assert!(Gaps::try_from("é".repeat(4000).as_str()).is_ok());
        assert!(Gaps::try_from("é".repeat(4001).as_str()).is_err());
        assert_eq!(Gaps::try_from("a\u{202E}b\u{0}c").unwrap().as_str(), "abc");
    }

    #[test]
    fn text_is_nfc_normalised() {
        // "é" typed as e + combining acute becomes the one precomposed char.
        assert_eq!(Gaps::try_from("cafe\u{301}").unwrap().as_str(), "caf\u{e9}");
        // A control between the letter and its accent does not block it.
        assert_eq!(clean_text("e\u{7}\u{301}", false), "\u{e9}");
        assert_eq!(
            short_text("x", "Ame\u{301}lie", 10).unwrap().unwrap(),
            "Am\u{e9}lie"
        );
    }

    #[test]
    fn scores() {
        for n in 1..=5 {
            assert_eq!(Score::try_from(n).unwrap().get(), u8::try_from(n).unwrap());
        }
        for n in [0, 6, -1, 256, i64::MAX, i64::MIN] {
            assert!(Score::try_from(n).is_err());
        }
    }

    #[test]
    fn emails_and_phones() {
        assert!(Email::try_from("ana@example.com").is_ok());
        for bad in [
            "",
            "ana",
            "ana@",
            "@x.com",
            "a b@x.com",
            "a@x",
            "a@.x.com",
            "a@x..com",
        ] {
            assert!(Email::try_from(bad).is_err(), "{bad}");
        }
        assert!(Phone::try_from("+44 (0)20 7946 0958").is_ok());
        for bad in ["12345", "call me", "+1 555 0100 ext 2", &"1".repeat(21)] {
            assert!(Phone::try_from(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn page_urls() {
        let p = PageUrl::try_from("https://shop.example.com:8443/a?b=1").unwrap();
        assert_eq!(p.origin(), "https://shop.example.com:8443");
        let idn = PageUrl::try_from("https://xn--bcher-kva.example/").unwrap();
        assert_eq!(idn.origin(), "https://xn--bcher-kva.example");
        for bad in [
            "https://bücher.example/",
            "javascript:alert(1)",
            "/relative",
            "ftp://x.com/",
            "data:text/html,x",
        ] {
            assert!(PageUrl::try_from(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn gaps_never_hold_controls_or_exceed_the_limit(s in any::<String>()) {
            if let Ok(g) = Gaps::try_from(s.as_str()) {
                let n = g.as_str().chars().count();
                prop_assert!((1..=GAPS_MAX_CHARS).contains(&n));
                prop_assert!(g.as_str().chars().all(|c| c == '\n' || c == '\t' || !c.is_control()));
                prop_assert_eq!(g.as_str().trim(), g.as_str());
                prop_assert!(unicode_normalization::is_nfc(g.as_str()));
            }
        }

        #[test]
        fn site_key_parse_is_total_and_stable(s in "\\PC{0,80}") {
            if let Ok(k) = SiteKey::try_from(s.as_str()) {
                prop_assert_eq!(SiteKey::try_from(k.as_str()).unwrap(), k);
            }
        }

        #[test]
        fn response_id_roundtrips(bytes in any::<[u8; 16]>()) {
            let id = uuid::Builder::from_random_bytes(bytes).into_uuid().to_string();
            let parsed = ResponseId::try_from(id.as_str()).unwrap();
            prop_assert_eq!(parsed.as_str(), id.as_str());
        }

        #[test]
        fn short_text_is_bounded(s in any::<String>(), max in 0usize..100) {
            if let Ok(Some(t)) = short_text("x", &s, max) {
                prop_assert!(t.chars().count() <= max);
                prop_assert!(!t.chars().any(char::is_control));
            }
        }

        #[test]
        fn paragraphs_keep_only_lines(s in any::<String>(), max in 0usize..100) {
            if let Ok(Some(t)) = paragraphs("x", &s, max) {
                prop_assert!(t.chars().count() <= max);
                prop_assert!(!t.contains('\r'));
                prop_assert!(!t.chars().any(|c| c.is_control() && c != '\n' && c != '\t'));
            }
        }
    }

    #[test]
    fn paragraphs_keep_the_lines_a_browser_sends() {
        assert_eq!(
            paragraphs("x", " Refund by Friday.\r\n\r\nNew courier.\u{0}\n", 100).unwrap(),
            Some("Refund by Friday.\n\nNew courier.".into())
        );
        assert_eq!(paragraphs("x", "\r\n \n", 100).unwrap(), None);
        assert!(paragraphs("x", "abc", 2).is_err());
    }
}
