//! The languages Candor speaks to a customer in: the ones the widget ships.
//! Anything else is answered in English.

/// A shipped customer-facing language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// English: the fallback for every other locale.
    #[default]
    En,
    /// German, formal ("Sie").
    De,
    /// Arabic, written right to left.
    Ar,
}

/// A language tag a site's copy may be keyed by (2 to 35 ASCII letters,
/// digits and hyphens, such as `de-at`), lowercased; `None` for anything
/// else. The API's parser and the dashboard's form both ask this.
pub fn copy_locale(raw: &str) -> Option<String> {
    let ok =
        (2..=35).contains(&raw.len()) && raw.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    ok.then(|| raw.to_ascii_lowercase())
}

impl Lang {
    /// The language for a BCP-47 tag such as `"de-at"` or `"ar"`, read from
    /// its primary subtag; English for a missing, empty or unshipped tag.
    /// Tolerant of case, surrounding spaces and POSIX `_` separators.
    pub fn from_tag(tag: Option<&str>) -> Self {
        let primary = tag
            .unwrap_or_default()
            .trim()
            .split(['-', '_'])
            .next()
            .unwrap_or_default();
        if primary.eq_ignore_ascii_case("de") {
            Self::De
        } else if primary.eq_ignore_ascii_case("ar") {
            Self::Ar
        } else {
            Self::En
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_primary_subtag_decides() {
        assert_eq!(Lang::from_tag(Some("de")), Lang::De);
        assert_eq!(Lang::from_tag(Some("de-at")), Lang::De);
        assert_eq!(Lang::from_tag(Some("DE-ch")), Lang::De);
        assert_eq!(Lang::from_tag(Some("de_CH")), Lang::De);
        assert_eq!(Lang::from_tag(Some(" de ")), Lang::De);
        assert_eq!(Lang::from_tag(Some("ar")), Lang::Ar);
        assert_eq!(Lang::from_tag(Some("ar-eg")), Lang::Ar);
        assert_eq!(Lang::from_tag(Some("en-gb")), Lang::En);
    }

    #[test]
    fn anything_else_is_english() {
        for tag in [
            "", "x", "fr", "fr-ca", "d", "deu", "dex", "ara", "-de", "en-de", "xx-ar",
        ] {
            assert_eq!(Lang::from_tag(Some(tag)), Lang::En, "{tag:?}");
        }
        assert_eq!(Lang::from_tag(None), Lang::En);
    }

    proptest! {
        #[test]
        fn any_tag_is_answered_and_follows_its_primary_subtag(tag in any::<String>()) {
            let lang = Lang::from_tag(Some(&tag));
            let primary = tag.trim().split(['-', '_']).next().unwrap_or_default().to_ascii_lowercase();
            let expected = match primary.as_str() {
                "de" => Lang::De,
                "ar" => Lang::Ar,
                _ => Lang::En,
            };
            prop_assert_eq!(lang, expected);
        }

        #[test]
        fn shipped_languages_survive_any_region(region in "[a-zA-Z0-9-]{0,30}") {
            prop_assert_eq!(Lang::from_tag(Some(&format!("de-{region}"))), Lang::De);
            prop_assert_eq!(Lang::from_tag(Some(&format!("ar-{region}"))), Lang::Ar);
        }
    }
}
