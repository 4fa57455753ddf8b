use crate::DomainError;
use serde::{Deserialize, Serialize};

/// Milliseconds since the Unix epoch, UTC. The only way time enters `domain`:
/// callers read their clock (`worker::Date::now()`, `Date.now()`, a test value)
/// and pass it in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(i64);

impl Timestamp {
    pub const fn from_millis(ms: i64) -> Self {
        Self(ms)
    }

    pub const fn millis(self) -> i64 {
        self.0
    }

    /// Whole seconds, as Standard Webhooks' `webhook-timestamp` wants them.
    pub const fn seconds(self) -> i64 {
        self.0.div_euclid(1000)
    }

    #[must_use]
    pub const fn plus_minutes(self, minutes: u32) -> Self {
        Self(self.0.saturating_add(minutes as i64 * 60_000))
    }

    #[must_use]
    pub const fn plus_seconds(self, seconds: u32) -> Self {
        Self(self.0.saturating_add(seconds as i64 * 1000))
    }
}

impl Timestamp {
    /// RFC 3339 in UTC with milliseconds, e.g. `2026-11-23T08:31:37.000Z`.
    pub fn to_rfc3339(self) -> String {
        let ms = self.0.rem_euclid(1000);
        let secs = self.0.div_euclid(1000);
        let (days, day_secs) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
        let (y, m, d) = civil_from_days(days);
        format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{ms:03}Z",
            day_secs / 3600,
            day_secs % 3600 / 60,
            day_secs % 60
        )
    }
}

impl Timestamp {
    /// A query's lower time bound: epoch milliseconds, a UTC date
    /// (`2026-11-01`) or a UTC instant (`2026-11-01T08:30:00Z`, optional
    /// `.mmm`).
    pub fn parse_since(raw: &str) -> Result<Self, DomainError> {
        let err = || {
            DomainError::invalid(
                "since",
                "use epoch milliseconds, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ",
            )
        };
        if let Ok(ms) = raw.parse::<i64>() {
            return Ok(Self(ms));
        }
        let (date, time) = match raw.split_once('T') {
            Some((d, t)) => (d, Some(t.strip_suffix('Z').ok_or_else(err)?)),
            None => (raw, None),
        };
        let num = |s: &str, len: usize| -> Result<i64, DomainError> {
            if s.len() == len && s.bytes().all(|b| b.is_ascii_digit()) {
                s.parse().map_err(|_| err())
            } else {
                Err(err())
            }
        };
        let mut ymd = date.split('-');
        let (y, m, day) = match (ymd.next(), ymd.next(), ymd.next(), ymd.next()) {
            (Some(year), Some(month), Some(day), None) => {
                (num(year, 4)?, num(month, 2)?, num(day, 2)?)
            }
            _ => return Err(err()),
        };
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // checked ranges
        let valid_date = (1..=12).contains(&m)
            && day >= 1
            && civil_from_days(days_from_civil(y, m as u32, day as u32))
                == (y, m as u32, day as u32);
        if !valid_date {
            return Err(err());
        }
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let mut ms = days_from_civil(y, m as u32, day as u32) * 86_400_000;
        if let Some(t) = time {
            let (hms, frac) = t.split_once('.').map_or((t, None), |(a, b)| (a, Some(b)));
            let mut parts = hms.split(':');
            let (h, mi, s) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
                (Some(h), Some(mi), Some(s), None) => (num(h, 2)?, num(mi, 2)?, num(s, 2)?),
                _ => return Err(err()),
            };
            if h > 23 || mi > 59 || s > 59 {
                return Err(err());
            }
            ms += (h * 3600 + mi * 60 + s) * 1000;
            if let Some(f) = frac {
                ms += num(f, 3)?;
            }
        }
        Ok(Self(ms))
    }
}

impl Timestamp {
    /// An HTTP-date in the IMF-fixdate form (`Sun, 06 Nov 1994 08:49:37 GMT`),
    /// the only form RFC 9110 lets senders produce (used by `Retry-After`).
    pub fn parse_http_date(raw: &str) -> Option<Self> {
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let rest = raw.trim().split_once(", ")?.1;
        let mut parts = rest.split(' ');
        let (day, month, year, time, zone) = (
            parts.next()?,
            parts.next()?,
            parts.next()?,
            parts.next()?,
            parts.next()?,
        );
        if zone != "GMT" || parts.next().is_some() {
            return None;
        }
        let m = MONTHS.iter().position(|&name| name == month)? + 1;
        Self::parse_since(&format!("{year}-{m:02}-{day}T{time}Z")).ok()
    }
}

/// A proleptic Gregorian date to days since 1970-01-01 (Howard Hinnant's
/// `days_from_civil`), the inverse of [`civil_from_days`].
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
/// `civil_from_days`), so no date crate is needed for one format.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    (y, m as u32, d as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(
            Timestamp::from_millis(0).to_rfc3339(),
            "1970-01-01T00:00:00.000Z"
        );
        assert_eq!(
            Timestamp::from_millis(951_782_400_123).to_rfc3339(),
            "2000-02-29T00:00:00.123Z"
        );
        assert_eq!(
            Timestamp::from_millis(1_795_422_697_000).to_rfc3339(),
            "2026-11-23T08:31:37.000Z"
        );
        assert_eq!(
            Timestamp::from_millis(-1).to_rfc3339(),
            "1969-12-31T23:59:59.999Z"
        );
    }

    #[test]
    fn since_accepts_millis_dates_and_instants() {
        let p = |s: &str| Timestamp::parse_since(s).map(Timestamp::to_rfc3339);
        assert_eq!(p("0").unwrap(), "1970-01-01T00:00:00.000Z");
        assert_eq!(p("2000-02-29").unwrap(), "2000-02-29T00:00:00.000Z");
        assert_eq!(
            p("2026-11-23T08:31:37Z").unwrap(),
            "2026-11-23T08:31:37.000Z"
        );
        assert_eq!(
            p("2026-11-23T08:31:37.250Z").unwrap(),
            "2026-11-23T08:31:37.250Z"
        );
        for bad in [
            "2026-02-30",
            "2026-13-01",
            "2026-1-1",
            "2026-11-23T25:00:00Z",
            "2026-11-23T08:31:37",
            "soon",
            "",
            "2026-11-23T08:31:37.5Z",
        ] {
            assert!(Timestamp::parse_since(bad).is_err(), "{bad}");
        }
    }

    proptest::proptest! {
        #[test]
        fn rfc3339_round_trips(ms in -62_000_000_000_000i64..250_000_000_000_000) {
            let t = Timestamp::from_millis(ms);
            proptest::prop_assert_eq!(Timestamp::parse_since(&t.to_rfc3339()).unwrap(), t);
        }
    }

    #[test]
    fn arithmetic() {
        let t = Timestamp::from_millis(1_000);
        assert_eq!(t.plus_minutes(15).millis(), 901_000);
        assert_eq!(Timestamp::from_millis(1_999).seconds(), 1);
        assert_eq!(Timestamp::from_millis(-1).seconds(), -1);
    }
}
