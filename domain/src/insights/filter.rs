//! Which period and site the Insights figures cover: the page's query
//! string, and the calendar weeks a period is made of (Monday to Sunday,
//! UTC).

use crate::fields::{clean_text, SiteKey};
use crate::{DomainError, Timestamp};

/// The periods a manager can pick, in weeks.
pub const WEEK_CHOICES: [u32; 4] = [4, 12, 26, 52];
pub const DEFAULT_WEEKS: u32 = 12;

pub(super) const DAY_MS: i64 = 86_400_000;
pub(super) const WEEK_MS: i64 = 7 * DAY_MS;

/// `GET /dashboard/insights?site=&weeks=`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    /// `None` is every site.
    pub site: Option<String>,
    pub weeks: u32,
}

impl Default for Filter {
    fn default() -> Self {
        Self {
            site: None,
            weeks: DEFAULT_WEEKS,
        }
    }
}

impl Filter {
    /// Parses the raw query string (with or without its `?`). Unknown names
    /// are refused, so a typo does not silently show everything; an empty
    /// value means the default, as the form sends `site=` for "All sites".
    pub fn parse(query: &str) -> Result<Self, DomainError> {
        let query = query.strip_prefix('?').unwrap_or(query);
        let mut filter = Self::default();
        for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
            match &*name {
                "site" if value.is_empty() => filter.site = None,
                "site" => filter.site = Some(SiteKey::try_from(&*value)?.as_str().to_owned()),
                "weeks" if value.is_empty() => filter.weeks = DEFAULT_WEEKS,
                "weeks" => {
                    filter.weeks = value
                        .parse()
                        .ok()
                        .filter(|w| WEEK_CHOICES.contains(w))
                        .ok_or_else(|| DomainError::invalid("weeks", "4, 12, 26 or 52"))?;
                }
                other => {
                    return Err(DomainError::invalid(
                        "query",
                        format!(
                            "unknown parameter {:?}; use site and weeks",
                            clean_text(other, false)
                        ),
                    ));
                }
            }
        }
        Ok(filter)
    }
}

/// The first instant counted for a period of `weeks` (clamped to 1–52):
/// the Monday 00:00 UTC that starts the oldest week, so the period is
/// exactly `weeks` calendar weeks, the last one being the current week.
pub fn period_start(now: Timestamp, weeks: u32) -> Timestamp {
    let back = i64::from(weeks.clamp(1, 52) - 1);
    Timestamp::from_millis(week_start(now).saturating_sub(back * WEEK_MS))
}

/// Monday 00:00 UTC of the week holding `t`. Day 0 (1970-01-01) was a
/// Thursday, so `day + 3` counts days since a Monday.
fn week_start(t: Timestamp) -> i64 {
    let day = t.millis().div_euclid(DAY_MS);
    (day - (day + 3).rem_euclid(7)).saturating_mul(DAY_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filter_reads_the_query_string() {
        assert_eq!(Filter::parse("").unwrap(), Filter::default());
        assert_eq!(Filter::default().weeks, 12);
        assert_eq!(
            Filter::parse("?site=demo&weeks=4").unwrap(),
            Filter {
                site: Some("demo".into()),
                weeks: 4
            }
        );
        assert_eq!(Filter::parse("site=&weeks=").unwrap(), Filter::default());
        assert_eq!(Filter::parse("weeks=52").unwrap().weeks, 52);
        for (query, code) in [
            ("weeks=5", "invalid_weeks"),
            ("weeks=abc", "invalid_weeks"),
            ("weeks=-4", "invalid_weeks"),
            ("site=Not%20a%20key", "invalid_site"),
            ("site=%3Cscript%3E", "invalid_site"),
            ("teir=senior", "invalid_query"),
            ("site=demo&extra=1", "invalid_query"),
        ] {
            assert_eq!(Filter::parse(query).unwrap_err().code(), code, "{query}");
        }
    }
}
