//! Acknowledge links (docs/wire-contract.md#acknowledge-links):
//! `/ack/{token}`, where the token is an HMAC-SHA256-signed, expiring
//! capability for one case of one site and one action. The site is signed
//! in so that the link finds where the site's rows live (D1 or the site's
//! own object) without a search by id; links signed before sites had homes
//! name no site, and their rows are in D1.
//! Chat apps fetch links to unfurl them, so opening the link only shows a
//! confirm page; the POST from that page acts ([`parse_form`] reads who
//! acknowledges). A reused link is refused by the case's state machine (the
//! case is no longer open).

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::fields::{short_text, SiteKey};
use crate::{DomainError, Timestamp};

type HmacSha256 = Hmac<Sha256>;

/// How long a link works after the alert that carries it was sent.
pub const LINK_LIFETIME_MINUTES: u32 = 24 * 60;

/// How long the "add more" link in a customer's thank-you mail works.
pub const MORE_LIFETIME_MINUTES: u32 = 30 * 24 * 60;

/// The action of the customer's "add more" link: it appends a `message`
/// event to the case of one answer (`subject` is the answer's id).
const MORE: &str = "more";

/// The signing key, from a Worker secret (`ACK_SECRET`).
#[derive(Clone)]
pub struct AckKey(Vec<u8>);

impl std::fmt::Debug for AckKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AckKey(..)")
    }
}

impl TryFrom<&str> for AckKey {
    type Error = DomainError;
    fn try_from(raw: &str) -> Result<Self, Self::Error> {
        if raw.len() >= 32 {
            Ok(Self(raw.as_bytes().to_vec()))
        } else {
            Err(DomainError::invalid(
                "ack_secret",
                "must be at least 32 characters",
            ))
        }
    }
}

/// What a valid link lets its holder do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AckClaim {
    /// The case's site; `None` in a link signed before sites had homes.
    pub site: Option<SiteKey>,
    pub case_id: String,
    /// The one action a link grants; today only `acknowledged`.
    pub action: &'static str,
    pub expires_at: Timestamp,
}

impl AckKey {
    fn mac(&self, payload: &str) -> HmacSha256 {
        // HMAC accepts keys of any length, so this cannot fail.
        let mut mac =
            <HmacSha256 as Mac>::new_from_slice(&self.0).unwrap_or_else(|_| unreachable!());
        mac.update(b"candor-ack-v1.");
        mac.update(payload.as_bytes());
        mac
    }

    /// A token letting its holder acknowledge `case_id` of `site` until
    /// `now + LINK_LIFETIME_MINUTES`.
    pub fn sign(&self, site: &SiteKey, case_id: &str, now: Timestamp) -> String {
        self.sign_action(site, case_id, "acknowledged", LINK_LIFETIME_MINUTES, now)
    }

    /// The customer's "add more" link for the answer `response_id`, valid
    /// for [`MORE_LIFETIME_MINUTES`]. An acknowledge token never passes as
    /// one, nor the other way round: the action is signed with the subject.
    pub fn sign_more(&self, site: &SiteKey, response_id: &str, now: Timestamp) -> String {
        self.sign_action(site, response_id, MORE, MORE_LIFETIME_MINUTES, now)
    }

    /// The answer an "add more" token is for, if it is ours and current.
    pub fn verify_more(&self, token: &str, now: Timestamp) -> Result<Subject, DomainError> {
        self.verify_action(token, MORE, now)
            .map(|(subject, _)| subject)
    }

    fn sign_action(
        &self,
        site: &SiteKey,
        id: &str,
        action: &str,
        minutes: u32,
        now: Timestamp,
    ) -> String {
        let expires = now.plus_minutes(minutes).seconds();
        let payload = format!("{site}/{id}.{action}.{expires}");
        let tag = self.mac(&payload).finalize().into_bytes();
        format!("{}.{}", B64.encode(payload), B64.encode(tag))
    }

    /// Checks the signature (in constant time) before reading anything, then
    /// the expiry. A malformed, forged or altered token is `ForgedLink`.
    pub fn verify(&self, token: &str, now: Timestamp) -> Result<AckClaim, DomainError> {
        let (Subject { site, id }, expires_at) = self.verify_action(token, "acknowledged", now)?;
        Ok(AckClaim {
            site,
            case_id: id,
            action: "acknowledged",
            expires_at,
        })
    }

    fn verify_action(
        &self,
        token: &str,
        want: &str,
        now: Timestamp,
    ) -> Result<(Subject, Timestamp), DomainError> {
        let forged = DomainError::ForgedLink;
        if token.len() > 512 {
            return Err(forged("it is too long"));
        }
        let (payload_b64, tag_b64) = token.split_once('.').ok_or(forged("it is incomplete"))?;
        let payload = B64
            .decode(payload_b64)
            .ok()
            .and_then(|p| String::from_utf8(p).ok())
            .ok_or(forged("it is not one of ours"))?;
        let tag = B64
            .decode(tag_b64)
            .map_err(|_| forged("it is not one of ours"))?;
        self.mac(&payload)
            .verify_slice(&tag)
            .map_err(|_| forged("its signature does not match"))?;
        // Signed by us, so the shape is ours; parsed defensively all the same.
        let mut parts = payload.rsplitn(3, '.');
        let (expires, action, subject) = (parts.next(), parts.next(), parts.next());
        let (Some(expires), Some(action), Some(subject)) = (expires, action, subject) else {
            return Err(forged("it grants nothing"));
        };
        let subject = Subject::parse(subject).ok_or(forged("it grants nothing"))?;
        if action != want {
            return Err(forged("it grants nothing"));
        }
        let expires: i64 = expires.parse().map_err(|_| forged("it grants nothing"))?;
        let expires_at = Timestamp::from_millis(expires.saturating_mul(1000));
        if now >= expires_at {
            return Err(DomainError::ExpiredLink);
        }
        Ok((subject, expires_at))
    }
}

/// What a link is for: one case or one answer, of one site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// `None` in a link signed before sites had homes: its rows are in D1.
    pub site: Option<SiteKey>,
    pub id: String,
}

impl Subject {
    /// `<site>/<id>`, or a bare `<id>` from before homes. Ids are UUIDs and
    /// site keys hold no `/`, so the first one splits them.
    fn parse(raw: &str) -> Option<Self> {
        let (site, id) = match raw.split_once('/') {
            Some((site, id)) => (Some(SiteKey::try_from(site).ok()?), id),
            None => (None, raw),
        };
        (!id.is_empty() && !id.contains('/')).then(|| Self {
            site,
            id: id.to_owned(),
        })
    }
}

/// The "add more" form's body: the customer's further words, checked as
/// the answer's own are (1–4000 characters once cleaned).
pub fn parse_more_form(body: &str) -> Result<crate::fields::Gaps, DomainError> {
    let words = url::form_urlencoded::parse(body.as_bytes())
        .find(|(k, _)| k == "message")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    crate::fields::Gaps::try_from(words.as_str())
        .map_err(|_| DomainError::invalid("message", "write 1 to 4000 characters"))
}

/// The confirm form's body (`application/x-www-form-urlencoded`): the name
/// of whoever acknowledges, 1–120 characters.
pub fn parse_form(body: &str) -> Result<String, DomainError> {
    let by = url::form_urlencoded::parse(body.as_bytes())
        .find(|(k, _)| k == "by")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    short_text("by", &by, 120)?
        .ok_or_else(|| DomainError::invalid("by", "say who is acknowledging"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const CASE: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";

    fn key() -> AckKey {
        AckKey::try_from("an-ack-secret-of-at-least-32-chars!").unwrap()
    }

    fn acme() -> SiteKey {
        SiteKey::try_from("acme-2").unwrap()
    }

    /// A link as the Worker signed them before sites had homes (no site in
    /// the payload): `CASE`, signed with `key()` at 1_795_422_697 s, made
    /// outside this code (Python's `hmac`) from the contract in
    /// docs/wire-contract.md#acknowledge-links.
    const LINK_BEFORE_HOMES: &str = "MGY4ZmFkNWItZDljYi00NjlmLWExNjUtNzA4Njc3Mjg5NTBlLmFja25vd2xlZGdlZC4xNzk1NTA5MDk3.spzmF7L7WNe01EhB_3nK1L8P1Qz6NruyyhuS3APQV28";

    #[test]
    fn a_link_signed_before_homes_still_works_and_names_no_site() {
        let now = Timestamp::from_millis(1_795_422_697_000);
        let claim = key().verify(LINK_BEFORE_HOMES, now).unwrap();
        assert_eq!(claim.site, None);
        assert_eq!(claim.case_id, CASE);
        let later = now.plus_minutes(LINK_LIFETIME_MINUTES);
        assert_eq!(
            key().verify(LINK_BEFORE_HOMES, later),
            Err(DomainError::ExpiredLink)
        );
    }

    #[test]
    fn a_link_names_its_site_and_another_site_breaks_the_signature() {
        let now = Timestamp::from_millis(1_795_422_697_000);
        let token = key().sign(&acme(), CASE, now);
        assert_eq!(key().verify(&token, now).unwrap().site, Some(acme()));
        let (payload, tag) = token.split_once('.').unwrap();
        let decoded = String::from_utf8(B64.decode(payload).unwrap()).unwrap();
        assert!(decoded.starts_with("acme-2/"), "{decoded}");
        for altered in [
            decoded.replace("acme-2/", "other/"),
            decoded.replace("acme-2/", ""),
            decoded.replace("acme-2/", "Bad Site/"),
        ] {
            let forged = format!("{}.{tag}", B64.encode(altered));
            assert!(matches!(
                key().verify(&forged, now),
                Err(DomainError::ForgedLink(_))
            ));
        }
    }

    #[test]
    fn a_subject_is_a_site_and_an_id_or_an_id_alone() {
        let s = Subject::parse("acme-2/abc").unwrap();
        assert_eq!((s.site, s.id.as_str()), (Some(acme()), "abc"));
        assert_eq!(Subject::parse("abc").unwrap().site, None);
        for bad in ["", "acme/", "/abc", "Acme/abc", "a/b/c"] {
            assert_eq!(Subject::parse(bad), None, "{bad}");
        }
    }

    proptest! {
        #[test]
        fn any_site_and_id_survive_signing(
            site in "[a-z0-9][a-z0-9-]{0,62}",
            id in "[0-9a-f-]{1,40}",
        ) {
            let now = Timestamp::from_millis(1_795_422_697_000);
            let site = SiteKey::try_from(site.as_str()).unwrap();
            let claim = key().verify(&key().sign(&site, &id, now), now).unwrap();
            prop_assert_eq!(claim.site, Some(site.clone()));
            prop_assert_eq!(claim.case_id, id.clone());
            let more = key().verify_more(&key().sign_more(&site, &id, now), now).unwrap();
            prop_assert_eq!(more, Subject { site: Some(site), id });
        }
    }

    #[test]
    fn a_more_link_works_for_thirty_days_and_is_no_acknowledge_link() {
        let now = Timestamp::from_millis(1_795_422_697_000);
        let more = key().sign_more(&acme(), CASE, now);
        assert_eq!(key().verify_more(&more, now).unwrap().id, CASE);
        let later = now.plus_minutes(MORE_LIFETIME_MINUTES);
        assert!(matches!(
            key().verify_more(&more, later),
            Err(DomainError::ExpiredLink)
        ));
        assert!(key().verify(&more, now).is_err(), "not an acknowledge link");
        assert!(key()
            .verify_more(&key().sign(&acme(), CASE, now), now)
            .is_err());
    }

    #[test]
    fn the_more_form_takes_words_like_an_answer() {
        assert_eq!(
            parse_more_form("message=It+came+broken+too.")
                .unwrap()
                .as_str(),
            "It came broken too."
        );
        for bad in ["", "message=", "message=+++", "other=x"] {
            assert!(parse_more_form(bad).is_err(), "{bad}");
        }
        let long = format!("message={}", "a".repeat(4001));
        assert!(parse_more_form(&long).is_err());
    }

    #[test]
    fn a_signed_link_works_for_a_day_and_no_longer() {
        let now = Timestamp::from_millis(1_795_422_697_000);
        let token = key().sign(&acme(), CASE, now);
        let claim = key().verify(&token, now).unwrap();
        assert_eq!(claim.case_id, CASE);
        assert_eq!(claim.action, "acknowledged");
        let almost = now.plus_minutes(LINK_LIFETIME_MINUTES - 1);
        assert!(key().verify(&token, almost).is_ok());
        let later = now.plus_minutes(LINK_LIFETIME_MINUTES);
        assert_eq!(key().verify(&token, later), Err(DomainError::ExpiredLink));
    }

    #[test]
    fn forged_altered_and_foreign_links_are_refused() {
        let now = Timestamp::from_millis(1_795_422_697_000);
        let token = key().sign(&acme(), CASE, now);
        let other = AckKey::try_from("another-secret-that-is-32-chars-long").unwrap();
        assert!(matches!(
            other.verify(&token, now),
            Err(DomainError::ForgedLink(_))
        ));
        // Another case or a later expiry under the same signature.
        let (payload, tag) = token.split_once('.').unwrap();
        let decoded = String::from_utf8(B64.decode(payload).unwrap()).unwrap();
        for altered in [
            decoded.replace(CASE, "11111111-d9cb-469f-a165-70867728950e"),
            decoded.replace(".acknowledged.", ".closed."),
            format!("{decoded}9"),
        ] {
            let forged = format!("{}.{tag}", B64.encode(altered));
            assert!(matches!(
                key().verify(&forged, now),
                Err(DomainError::ForgedLink(_))
            ));
        }
        for junk in ["", ".", "abc", "a.b.c", &"x".repeat(600)] {
            assert!(matches!(
                key().verify(junk, now),
                Err(DomainError::ForgedLink(_))
            ));
        }
        assert!(AckKey::try_from("short").is_err());
    }

    #[test]
    fn the_form_needs_a_name() {
        assert_eq!(parse_form("by=Ana+Lima").unwrap(), "Ana Lima");
        assert_eq!(parse_form("x=1&by=%E2%9C%93%20Bo").unwrap(), "✓ Bo");
        for bad in ["", "by=", "by=+++", &format!("by={}", "a".repeat(121))] {
            assert!(parse_form(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn no_arbitrary_token_verifies(token in ".{0,200}") {
            let now = Timestamp::from_millis(1_795_422_697_000);
            prop_assert!(key().verify(&token, now).is_err());
        }

        #[test]
        fn flipping_any_character_breaks_the_link(i in 0usize..200, c in "[A-Za-z0-9_.-]") {
            let now = Timestamp::from_millis(1_795_422_697_000);
            let token = key().sign(&acme(), CASE, now);
            let i = i % token.len();
            let mut altered = token.clone();
            altered.replace_range(i..=i, &c);
            prop_assume!(altered != token);
            prop_assert!(key().verify(&altered, now).is_err());
        }
    }
}
