//! `POST /v1/responses`: the wire body and its parsed form.

use crate::fields::{short_text, Email, Gaps, PageUrl, Phone, ResponseId, Score, SiteKey};
use crate::origin::OriginRule;
use crate::{DomainError, Tier};
use serde::{Deserialize, Serialize};

/// The body exactly as the widget sends it. Unknown fields are refused so a
/// typo in a client is loud, not silently dropped.
///
/// Serialised (by the tests and the benches, which post answers as a client
/// would), a field that holds its default is left out, so a minimal answer
/// is the minimal body: `domain/fixtures/wire/answer-minimal.json`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawSubmission {
    pub site: String,
    pub id: String,
    pub gaps: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<i64>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub guarantee: bool,
    #[serde(
        default,
        deserialize_with = "crate::wire::object",
        skip_serializing_if = "Option::is_none"
    )]
    pub contact: Option<RawContact>,
    #[serde(
        default,
        deserialize_with = "crate::wire::object",
        skip_serializing_if = "Option::is_none"
    )]
    pub context: Option<RawContext>,
    /// Honeypot: a field humans never see. Anything in it marks a bot.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub hp: String,
    /// A Cloudflare Turnstile token, for sites that require one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub turnstile: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawContact {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub callback: bool,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawContext {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
}

/// For `skip_serializing_if`: `false` is every flag's default on the wire.
#[allow(clippy::trivially_copy_pass_by_ref)] // serde passes a reference
const fn is_false(flag: &bool) -> bool {
    !*flag
}

impl RawSubmission {
    pub fn honeypot_filled(&self) -> bool {
        !self.hp.trim().is_empty()
    }
}

/// How a customer can be reached. `callback` is only true with a way to call.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Contact {
    pub name: Option<String>,
    pub email: Option<Email>,
    pub phone: Option<Phone>,
    pub callback: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Context {
    pub page: Option<PageUrl>,
    pub transaction: Option<String>,
    pub locale: Option<String>,
}

/// A submission that passed every rule: the only form the edge stores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Submission {
    pub site: SiteKey,
    pub id: ResponseId,
    pub gaps: Gaps,
    pub score: Option<Score>,
    pub guarantee: bool,
    pub contact: Contact,
    pub context: Context,
}

impl Submission {
    pub fn tier(&self) -> Tier {
        Tier::derive(self.score, self.guarantee, self.contact.callback)
    }

    /// The page must be on one of the site's origins: another page naming
    /// itself as the context would mislead the managers reading the case.
    pub fn check_page(&self, origins: &[OriginRule]) -> Result<(), DomainError> {
        match &self.context.page {
            Some(page) if !crate::origin::allowed(origins, &page.origin()) => Err(
                DomainError::invalid("context.page", "is not on one of this site's origins"),
            ),
            _ => Ok(()),
        }
    }
}

/// How rule 6 recognises a returning contact without keeping another copy of
/// the address: SHA-256 over the site and the normalised email or phone.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ContactKeys {
    pub email: Option<String>,
    pub phone: Option<String>,
}

impl Contact {
    pub fn keys(&self, site: &SiteKey) -> ContactKeys {
        let key =
            |kind: &str, value: &str| crate::digest::sha256_hex(&[site.as_str(), kind, value]);
        ContactKeys {
            // Addresses differ only in case in practice, never by meaning.
            email: self
                .email
                .as_ref()
                .map(|e| key("email", &e.as_str().to_lowercase())),
            // Only the digits identify a number: "+44 (0)20" vs "+44020".
            phone: self.phone.as_ref().map(|p| {
                let digits: String = p.as_str().chars().filter(char::is_ascii_digit).collect();
                key("phone", &digits)
            }),
        }
    }
}

fn optional<T, E>(
    value: Option<&str>,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<Option<T>, E> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => parse(v).map(Some),
    }
}

impl TryFrom<RawContact> for Contact {
    type Error = DomainError;
    fn try_from(raw: RawContact) -> Result<Self, Self::Error> {
        let contact = Self {
            name: optional(raw.name.as_deref(), |v| short_text("contact.name", v, 200))?.flatten(),
            email: optional(raw.email.as_deref(), |v| Email::try_from(v))?,
            phone: optional(raw.phone.as_deref(), |v| Phone::try_from(v))?,
            callback: raw.callback,
        };
        if contact.callback && contact.email.is_none() && contact.phone.is_none() {
            return Err(DomainError::invalid(
                "contact",
                "a callback needs an email address or a phone number",
            ));
        }
        Ok(contact)
    }
}

impl TryFrom<RawContext> for Context {
    type Error = DomainError;
    fn try_from(raw: RawContext) -> Result<Self, Self::Error> {
        Ok(Self {
            page: optional(raw.page.as_deref(), |v| PageUrl::try_from(v))?,
            transaction: optional(raw.transaction.as_deref(), |v| {
                short_text("context.transaction", v, 200)
            })?
            .flatten(),
            locale: optional(raw.locale.as_deref(), |v| {
                let ok = v.len() <= 35 && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
                if ok {
                    Ok(v.to_ascii_lowercase())
                } else {
                    Err(DomainError::invalid(
                        "context.locale",
                        "is not a language tag",
                    ))
                }
            })?,
        })
    }
}

impl TryFrom<RawSubmission> for Submission {
    type Error = DomainError;
    fn try_from(raw: RawSubmission) -> Result<Self, Self::Error> {
        Ok(Self {
            site: SiteKey::try_from(raw.site.as_str())?,
            id: ResponseId::try_from(raw.id.as_str())?,
            gaps: Gaps::try_from(raw.gaps.as_str())?,
            score: raw.score.map(Score::try_from).transpose()?,
            guarantee: raw.guarantee,
            contact: raw
                .contact
                .map(Contact::try_from)
                .transpose()?
                .unwrap_or_default(),
            context: raw
                .context
                .map(Context::try_from)
                .transpose()?
                .unwrap_or_default(),
        })
    }
}

/// The body of a `201`/`200` answer to `POST /v1/responses`. Stored with the
/// response so a retry gets the identical bytes back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    pub id: String,
    pub tier: Tier,
    /// `"open"` when a case was opened, else `null`.
    pub case: Option<String>,
    pub next: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ID: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";

    fn parse(json: &str) -> Result<Submission, String> {
        let raw: RawSubmission =
            crate::wire::from_object(json.as_bytes()).map_err(|e| e.to_string())?;
        Submission::try_from(raw).map_err(|e| e.code())
    }

    #[test]
    fn minimal_body() {
        let s = parse(&format!(
            r#"{{"site":"demo","id":"{ID}","gaps":"the wait"}}"#
        ))
        .unwrap();
        assert_eq!(s.score, None);
        assert_eq!(s.tier(), Tier::None);
        assert_eq!(s.contact, Contact::default());
    }

    #[test]
    fn full_body() {
        let s = parse(&format!(
            r#"{{"site":"demo","id":"{ID}","gaps":"late","score":2,"guarantee":false,
            "contact":{{"name":"Ana","email":"ana@example.com","phone":"","callback":true}},
            "context":{{"page":"https://shop.example.com/x","transaction":"order-123","locale":"en-GB"}},
            "hp":""}}"#
        ))
        .unwrap();
        assert_eq!(s.tier(), Tier::Senior);
        assert_eq!(s.contact.phone, None);
        assert_eq!(s.context.locale.as_deref(), Some("en-gb"));
        assert_eq!(s.context.transaction.as_deref(), Some("order-123"));
    }

    #[test]
    fn refusals_name_the_field() {
        let cases = [
            (
                format!(r#"{{"site":"demo","id":"{ID}","gaps":"  "}}"#),
                "invalid_gaps",
            ),
            (
                format!(r#"{{"site":"demo","id":"{ID}","gaps":"x","score":7}}"#),
                "invalid_score",
            ),
            (
                format!(r#"{{"site":"demo","id":"{ID}","gaps":"x","score":0}}"#),
                "invalid_score",
            ),
            (
                format!(r#"{{"site":"Demo!","id":"{ID}","gaps":"x"}}"#),
                "invalid_site",
            ),
            (
                r#"{"site":"demo","id":"nope","gaps":"x"}"#.to_owned(),
                "invalid_id",
            ),
            (
                format!(
                    r#"{{"site":"demo","id":"{ID}","gaps":"x","contact":{{"callback":true}}}}"#
                ),
                "invalid_contact",
            ),
            (
                format!(
                    r#"{{"site":"demo","id":"{ID}","gaps":"x","context":{{"page":"javascript:1"}}}}"#
                ),
                "invalid_context_page",
            ),
        ];
        for (body, code) in cases {
            assert_eq!(parse(&body).unwrap_err(), code, "{body}");
        }
    }

    #[test]
    fn unknown_fields_and_wrong_types_fail_to_deserialize() {
        for body in [
            format!(r#"{{"site":"demo","id":"{ID}","gaps":"x","stars":5}}"#),
            format!(r#"{{"site":"demo","id":"{ID}","gaps":"x","score":"5"}}"#),
            format!(r#"{{"site":"demo","id":"{ID}","gaps":"x","score":2.5}}"#),
            format!(r#"{{"site":"demo","id":"{ID}","gaps":"x","score":1e400}}"#),
            format!(r#"{{"site":"demo","id":"{ID}","gaps":["x"]}}"#),
            r#"{"site":"demo"}"#.to_owned(),
            format!(r#"{{"site":"demo","id":"{ID}","gaps":"x","contact":[]}}"#),
            format!(r#"{{"site":"demo","id":"{ID}","gaps":"x","context":["https://x.example"]}}"#),
            format!(r#"["demo","{ID}","x"]"#),
        ] {
            assert!(
                crate::wire::from_object::<RawSubmission>(body.as_bytes()).is_err(),
                "{body}"
            );
        }
    }

    #[test]
    fn the_page_must_be_on_the_sites_origins() {
        let origins = vec![OriginRule::try_from("https://shop.example.com").unwrap()];
        let on = parse(&format!(
            r#"{{"site":"demo","id":"{ID}","gaps":"x","context":{{"page":"https://shop.example.com/cart?x=1"}}}}"#
        ))
        .unwrap();
        assert!(on.check_page(&origins).is_ok());
        let off = parse(&format!(
            r#"{{"site":"demo","id":"{ID}","gaps":"x","context":{{"page":"https://evil.example.net/shop.example.com"}}}}"#
        ))
        .unwrap();
        assert_eq!(
            off.check_page(&origins).unwrap_err().code(),
            "invalid_context_page"
        );
        let none = parse(&format!(r#"{{"site":"demo","id":"{ID}","gaps":"x"}}"#)).unwrap();
        assert!(none.check_page(&origins).is_ok());
    }

    #[test]
    fn contact_keys_match_the_same_person_only() {
        let site = SiteKey::try_from("demo").unwrap();
        let other = SiteKey::try_from("other").unwrap();
        let contact = |email: &str, phone: &str| {
            Contact::try_from(RawContact {
                email: Some(email.into()),
                phone: Some(phone.into()),
                ..RawContact::default()
            })
            .unwrap()
        };
        let a = contact("Ana@Example.com", "+44 (0)20 7946 0000");
        let b = contact("ana@example.com", "+44020 7946-0000");
        assert_eq!(a.keys(&site), b.keys(&site));
        assert_ne!(a.keys(&site).email, a.keys(&other).email);
        assert_ne!(
            a.keys(&site),
            contact("bo@example.com", "+44 20 7946 0001").keys(&site)
        );
        let k = a.keys(&site).email.unwrap();
        assert_eq!(k.len(), 64);
        assert!(!k.contains("ana"));
        assert_eq!(Contact::default().keys(&site), ContactKeys::default());
    }

    const FULL: &str = include_str!("../fixtures/wire/answer-full.json");
    const MINIMAL: &str = include_str!("../fixtures/wire/answer-minimal.json");

    fn json(text: &str) -> serde_json::Value {
        serde_json::from_str(text).unwrap()
    }

    /// The fixture's answer, built field by field as a client would.
    fn full_answer() -> RawSubmission {
        RawSubmission {
            site: "demo".into(),
            id: ID.into(),
            gaps: "The parcel came two days late and nobody told me.".into(),
            score: Some(2),
            guarantee: true,
            contact: Some(RawContact {
                name: Some("Ana".into()),
                email: Some("ana@example.com".into()),
                phone: Some("+44 20 7946 0000".into()),
                callback: true,
            }),
            context: Some(RawContext {
                page: Some("https://shop.example.com/orders".into()),
                transaction: Some("order-123".into()),
                locale: Some("en".into()),
            }),
            hp: String::new(),
            turnstile: Some("XXXX.DUMMY.TOKEN.XXXX".into()),
        }
    }

    fn minimal_answer() -> RawSubmission {
        RawSubmission {
            site: "demo".into(),
            id: ID.into(),
            gaps: "The parcel came two days late and nobody told me.".into(),
            ..RawSubmission::default()
        }
    }

    #[test]
    fn the_full_answer_fixture_is_a_valid_answer() {
        let s = parse(FULL).unwrap();
        assert_eq!(s.site.as_str(), "demo");
        assert_eq!(s.id.to_string(), ID);
        assert_eq!(s.score.map(Score::get), Some(2));
        assert!(s.guarantee && s.contact.callback);
        assert_eq!(s.contact.name.as_deref(), Some("Ana"));
        assert_eq!(
            s.contact.email.as_ref().map(Email::as_str),
            Some("ana@example.com")
        );
        assert_eq!(
            s.contact.phone.as_ref().map(Phone::as_str),
            Some("+44 20 7946 0000")
        );
        assert_eq!(
            s.context.page.as_ref().map(PageUrl::as_str),
            Some("https://shop.example.com/orders")
        );
        assert_eq!(s.context.transaction.as_deref(), Some("order-123"));
        assert_eq!(s.context.locale.as_deref(), Some("en"));
        let raw: RawSubmission = crate::wire::from_object(FULL.as_bytes()).unwrap();
        assert_eq!(raw.turnstile.as_deref(), Some("XXXX.DUMMY.TOKEN.XXXX"));
        assert!(!raw.honeypot_filled());
    }

    #[test]
    fn the_minimal_answer_fixture_is_a_valid_answer() {
        let s = parse(MINIMAL).unwrap();
        assert_eq!(s, Submission::try_from(minimal_answer()).unwrap());
        assert_eq!((s.score, s.guarantee), (None, false));
        assert_eq!(s.contact, Contact::default());
        assert_eq!(s.context, Context::default());
    }

    /// Defaults are left out, so a client's minimal answer is the minimal
    /// body, byte for byte as the fixture prints it.
    #[test]
    fn a_minimal_answer_serialises_to_the_minimal_fixture() {
        let answer = minimal_answer();
        assert_eq!(serde_json::to_value(&answer).unwrap(), json(MINIMAL));
        let mut pretty = serde_json::to_string_pretty(&answer).unwrap();
        pretty.push('\n');
        assert_eq!(pretty, MINIMAL);
    }

    /// Every field the body has, in the fixture's order. The one field left
    /// out is the empty honeypot: the fixture is what the widget sends, and
    /// the widget always sends `"hp": ""`, which is also its default here.
    #[test]
    fn a_full_answer_serialises_to_the_full_fixture_less_its_empty_honeypot() {
        let mut want = json(FULL);
        let fixture = want.as_object_mut().unwrap();
        assert_eq!(fixture.remove("hp"), Some(serde_json::Value::from("")));
        assert_eq!(serde_json::to_value(full_answer()).unwrap(), want);
        let read: RawSubmission = crate::wire::from_object(FULL.as_bytes()).unwrap();
        assert_eq!(
            serde_json::to_value(read).unwrap(),
            serde_json::to_value(full_answer()).unwrap()
        );
    }

    proptest! {
        #[test]
        fn any_score_parses_only_inside_one_to_five(score in any::<i64>()) {
            let body = format!(r#"{{"site":"demo","id":"{ID}","gaps":"x","score":{score}}}"#);
            prop_assert_eq!(parse(&body).is_ok(), (1..=5).contains(&score));
        }

        #[test]
        fn arbitrary_json_strings_never_panic(gaps in any::<String>(), site in any::<String>()) {
            let raw = RawSubmission { site, id: ID.into(), gaps, ..RawSubmission::default() };
            let _ = Submission::try_from(raw);
        }
    }
}
