//! `GET /v1/admin/responses?site=&tier=&state=&since=&cursor=&limit=`: the
//! managers' list query, parsed whole, and its opaque page cursor.

use crate::case::CaseState;
use crate::fields::{ResponseId, SiteKey};
use crate::{DomainError, Tier, Timestamp};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// Where the next page starts: after this (time, id) in newest-first order.
/// Clients treat it as opaque; it is base64url so it travels in a URL as is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub received_at: Timestamp,
    pub id: ResponseId,
}

impl Cursor {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}.{}", self.received_at.millis(), self.id))
    }

    pub fn decode(raw: &str) -> Result<Self, DomainError> {
        let err = || DomainError::invalid("cursor", "is not a cursor this API gave out");
        let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| err())?;
        let text = String::from_utf8(bytes).map_err(|_| err())?;
        let (ms, id) = text.split_once('.').ok_or_else(err)?;
        Ok(Self {
            received_at: Timestamp::from_millis(ms.parse().map_err(|_| err())?),
            id: ResponseId::try_from(id).map_err(|_| err())?,
        })
    }
}

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseQuery {
    pub site: Option<SiteKey>,
    pub tier: Option<Tier>,
    /// Only answers whose case is in this state.
    pub state: Option<CaseState>,
    pub since: Option<Timestamp>,
    pub cursor: Option<Cursor>,
    pub limit: u32,
}

impl ResponseQuery {
    /// Parses the query string's pairs. Unknown names are refused, so a typo
    /// (`teir=`) does not silently return everything.
    pub fn parse<K: AsRef<str>, V: AsRef<str>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Self, DomainError> {
        let mut q = Self {
            site: None,
            tier: None,
            state: None,
            since: None,
            cursor: None,
            limit: DEFAULT_LIMIT,
        };
        for (name, value) in pairs {
            let value = value.as_ref();
            if value.is_empty() {
                continue;
            }
            match name.as_ref() {
                "site" => q.site = Some(SiteKey::try_from(value)?),
                "tier" => {
                    q.tier = Some(Tier::parse(value).ok_or_else(|| {
                        DomainError::invalid("tier", "none, service, account, senior or president")
                    })?);
                }
                "state" => {
                    q.state = Some(CaseState::parse(value).ok_or_else(|| {
                        DomainError::invalid(
                            "state",
                            "open, acknowledged, contacted, report_sent or closed",
                        )
                    })?);
                }
                "since" => q.since = Some(Timestamp::parse_since(value)?),
                "cursor" => q.cursor = Some(Cursor::decode(value)?),
                "limit" => {
                    q.limit = value
                        .parse()
                        .ok()
                        .filter(|n| (1..=MAX_LIMIT).contains(n))
                        .ok_or_else(|| {
                            DomainError::invalid("limit", format!("1 to {MAX_LIMIT}"))
                        })?;
                }
                other => {
                    return Err(DomainError::invalid(
                        "query",
                        format!(
                            "unknown parameter {:?}; use site, tier, state, since, cursor, limit",
                            crate::fields::clean_text(other, false)
                        ),
                    ));
                }
            }
        }
        Ok(q)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ID: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";

    #[test]
    fn a_full_query_parses() {
        let q = ResponseQuery::parse([
            ("site", "demo"),
            ("tier", "senior"),
            ("state", "open"),
            ("since", "2026-11-01"),
            ("limit", "10"),
            ("cursor", ""),
        ])
        .unwrap();
        assert_eq!(q.site.unwrap().as_str(), "demo");
        assert_eq!(q.tier, Some(Tier::Senior));
        assert_eq!(q.state, Some(CaseState::Open));
        assert_eq!(q.since.unwrap().to_rfc3339(), "2026-11-01T00:00:00.000Z");
        assert_eq!(q.limit, 10);
        assert_eq!(q.cursor, None);
    }

    #[test]
    fn bad_values_name_their_parameter() {
        for (name, value, code) in [
            ("tier", "gold", "invalid_tier"),
            ("state", "done", "invalid_state"),
            ("since", "yesterday", "invalid_since"),
            ("limit", "0", "invalid_limit"),
            ("limit", "999", "invalid_limit"),
            ("cursor", "!!", "invalid_cursor"),
            ("site", "A B", "invalid_site"),
            ("teir", "senior", "invalid_query"),
        ] {
            assert_eq!(
                ResponseQuery::parse([(name, value)]).unwrap_err().code(),
                code,
                "{name}={value}"
            );
        }
    }

    #[test]
    fn a_cursor_for_another_thing_is_refused() {
        let fake = URL_SAFE_NO_PAD.encode("12.not-an-id");
        assert!(Cursor::decode(&fake).is_err());
    }

    proptest! {
        #[test]
        fn cursors_round_trip(ms in any::<i64>(), bytes in any::<[u8; 16]>()) {
            let id = uuid::Builder::from_random_bytes(bytes).into_uuid().to_string();
            let c = Cursor { received_at: Timestamp::from_millis(ms), id: ResponseId::try_from(id.as_str()).unwrap() };
            prop_assert_eq!(Cursor::decode(&c.encode()).unwrap(), c);
        }

        #[test]
        fn any_cursor_text_parses_or_is_refused(s in any::<String>()) {
            let _ = Cursor::decode(&s);
        }
    }

    #[test]
    fn cursor_example() {
        let c = Cursor {
            received_at: Timestamp::from_millis(5),
            id: ResponseId::try_from(ID).unwrap(),
        };
        assert_eq!(Cursor::decode(&c.encode()).unwrap(), c);
    }
}
