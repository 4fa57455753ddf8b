//! The "All answers" page: every answer, tier `none` included (the
//! thank-you tells those customers their answer is read, so it must be),
//! with the inbox's filters, paging, a text search and tags. A tag is a
//! root-cause code, the same as closing a case records, so tagged answers
//! count toward return on satisfaction (rule 7) like closed cases do.

use crate::fields::SiteKey;
use crate::query::Cursor;
use crate::{DomainError, Tier, Timestamp};

/// Answers per page.
pub const PAGE: u32 = 50;

/// The page's filters, from its query string.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AnswerFilter {
    pub site: Option<SiteKey>,
    pub tier: Option<Tier>,
    pub since: Option<Timestamp>,
    /// Words to find in the customer's text (case-insensitive).
    pub text: Option<String>,
    pub tag: Option<String>,
    pub cursor: Option<Cursor>,
}

impl AnswerFilter {
    /// Parses `site=&tier=&since=&q=&tag=&cursor=`; empty values mean
    /// "any", unknown names are refused.
    pub fn parse(query: &str) -> Result<Self, DomainError> {
        let mut f = Self::default();
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
            if v.trim().is_empty() {
                continue;
            }
            match k.as_ref() {
                "site" => f.site = Some(SiteKey::try_from(v.as_ref())?),
                "tier" => {
                    f.tier = Some(Tier::parse(&v).ok_or_else(|| {
                        DomainError::invalid("tier", "none, service, account, senior or president")
                    })?);
                }
                "since" => f.since = Some(Timestamp::parse_since(&v)?),
                "q" => {
                    let text = crate::fields::clean_text(v.trim(), false);
                    if text.chars().count() > 100 {
                        return Err(DomainError::invalid("q", "at most 100 characters"));
                    }
                    f.text = Some(text);
                }
                "tag" => f.tag = Some(tag(&v)?),
                "cursor" => f.cursor = Some(Cursor::decode(&v)?),
                other => {
                    return Err(DomainError::invalid(
                        "query",
                        format!(
                            "unknown filter {:?}",
                            crate::fields::clean_text(other, false)
                        ),
                    ))
                }
            }
        }
        Ok(f)
    }

    /// The text search as a SQL `LIKE` pattern: `%`, `_` and the escape
    /// character `\` in the words match themselves.
    pub fn like_pattern(&self) -> Option<String> {
        self.text.as_ref().map(|t| {
            let escaped = t
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            format!("%{escaped}%")
        })
    }

    /// The query string of these filters with another cursor (for "Older").
    pub fn with_cursor(&self, cursor: &Cursor) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        if let Some(s) = &self.site {
            q.append_pair("site", s.as_str());
        }
        if let Some(t) = self.tier {
            q.append_pair("tier", t.as_str());
        }
        if let Some(s) = self.since {
            q.append_pair("since", s.to_rfc3339().get(..10).unwrap_or_default());
        }
        if let Some(t) = &self.text {
            q.append_pair("q", t);
        }
        if let Some(t) = &self.tag {
            q.append_pair("tag", t);
        }
        q.append_pair("cursor", &cursor.encode());
        q.finish()
    }
}

/// A tag: a root-cause code (letters, digits, `-`, `_`; ≤ 60; lowercase),
/// the same shape as closing a case records.
pub fn tag(raw: &str) -> Result<String, DomainError> {
    let code = raw.trim().to_lowercase();
    if code.is_empty() || code.chars().count() > 60 {
        return Err(DomainError::invalid(
            "tag",
            "a root-cause code of 1 to 60 characters",
        ));
    }
    if !code
        .chars()
        .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
    {
        return Err(DomainError::invalid(
            "tag",
            "use a short code of letters, digits, - and _",
        ));
    }
    Ok(code)
}

/// One answer as the page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerLine {
    pub id: String,
    pub site: String,
    pub received_at: Timestamp,
    pub tier: Tier,
    pub score: Option<u8>,
    /// "" once erased.
    pub gaps: String,
    /// The case it opened or joined, if any.
    pub case_id: Option<String>,
    pub tags: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn filters_parse_and_refuse_typos() {
        let f = AnswerFilter::parse("site=demo&tier=none&q=+late+%25+parcel+&tag=Late-Delivery")
            .unwrap();
        assert_eq!(f.site.unwrap().as_str(), "demo");
        assert_eq!(f.tier, Some(Tier::None));
        assert_eq!(f.text.as_deref(), Some("late % parcel"));
        assert_eq!(f.tag.as_deref(), Some("late-delivery"));
        assert!(AnswerFilter::parse("teir=none").is_err());
        assert!(AnswerFilter::parse(&format!("q={}", "x".repeat(101))).is_err());
        assert!(AnswerFilter::parse("tag=a%20b").is_err());
        assert_eq!(
            AnswerFilter::parse("site=&q=").unwrap(),
            AnswerFilter::default()
        );
    }

    #[test]
    fn the_search_matches_its_words_literally() {
        let f = AnswerFilter {
            text: Some(r"50% off_\x".into()),
            ..AnswerFilter::default()
        };
        assert_eq!(f.like_pattern().unwrap(), r"%50\% off\_\\x%");
    }

    #[test]
    fn older_keeps_the_filters() {
        let f = AnswerFilter::parse("site=demo&q=late&tag=cart").unwrap();
        let cursor = Cursor {
            received_at: Timestamp::from_millis(1_000),
            id: crate::fields::ResponseId::try_from("0f8fad5b-d9cb-469f-a165-70867728950e")
                .unwrap(),
        };
        let q = f.with_cursor(&cursor);
        let again = AnswerFilter::parse(&q).unwrap();
        assert_eq!(again.cursor, Some(cursor));
        assert_eq!((again.site, again.text, again.tag), (f.site, f.text, f.tag));
    }

    proptest! {
        #[test]
        fn any_query_is_read_or_refused(q in ".{0,200}") {
            let _ = AnswerFilter::parse(&q);
            let _ = tag(&q);
        }
    }
}
