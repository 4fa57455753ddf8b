//! The "Erase a customer's data" form: whose personal data to erase, named
//! by one of their answers or by their email or phone, once confirmed.

use super::fields::single_fields;
use crate::fields::{Email, Phone, ResponseId, SiteKey};
use crate::submission::{Contact, ContactKeys};
use crate::DomainError;

/// Whose personal data the "Erase a customer's data" form names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EraseRequest {
    /// The customer who gave this answer (and so every answer of theirs).
    Answer(ResponseId),
    /// The customer with this email and/or phone on `site`, found by the
    /// same hashed keys rule 6 matches with.
    Contact { site: SiteKey, keys: ContactKeys },
}

/// Reads the "Erase a customer's data" form: a response id, or the
/// customer's email or phone (with the site, a hidden field), once the
/// manager ticked the confirmation.
pub fn parse_erase(body: &str) -> Result<EraseRequest, DomainError> {
    let mut fields = single_fields(body, &["id", "email", "phone", "site", "confirm"])?;
    if fields.remove("confirm").as_deref() != Some("yes") {
        return Err(DomainError::invalid(
            "confirm",
            "tick the box to confirm the erasure",
        ));
    }
    let mut given = |name| fields.remove(name).filter(|v| !v.trim().is_empty());
    let (id, email, phone, site) = (given("id"), given("email"), given("phone"), given("site"));
    match (id, email.is_some() || phone.is_some()) {
        (Some(id), false) => Ok(EraseRequest::Answer(ResponseId::try_from(id.trim())?)),
        (Some(_), true) => Err(DomainError::invalid(
            "id",
            "give either a response id or an email or phone, not both",
        )),
        (None, false) => Err(DomainError::invalid(
            "id",
            "give the response id, or the customer\u{2019}s email or phone",
        )),
        (None, true) => {
            let site = SiteKey::try_from(site.unwrap_or_default().trim())?;
            let contact = Contact {
                email: email.as_deref().map(Email::try_from).transpose()?,
                phone: phone.as_deref().map(Phone::try_from).transpose()?,
                ..Contact::default()
            };
            let keys = contact.keys(&site);
            Ok(EraseRequest::Contact { site, keys })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings_form::testing::enc;

    #[test]
    fn erasure_needs_an_id_and_the_confirmation() {
        let id = "0F8FAD5B-D9CB-469F-A165-70867728950E";
        let ok = parse_erase(&enc(&[
            ("csrf", "t"),
            ("id", &format!(" {id} ")),
            ("email", ""),
            ("phone", " "),
            ("site", "demo"),
            ("confirm", "yes"),
        ]))
        .unwrap();
        let EraseRequest::Answer(got) = ok else {
            panic!("{ok:?}")
        };
        assert_eq!(got.as_str(), "0f8fad5b-d9cb-469f-a165-70867728950e");
        let no_confirm = parse_erase(&enc(&[("id", id)])).unwrap_err();
        assert!(no_confirm.to_string().starts_with("confirm:"));
        assert!(parse_erase(&enc(&[("id", id), ("confirm", "on")])).is_err());
        assert!(
            parse_erase(&enc(&[("id", "not-a-uuid"), ("confirm", "yes")]))
                .unwrap_err()
                .to_string()
                .starts_with("id:")
        );
        assert!(parse_erase(&enc(&[("id", id), ("confirm", "yes"), ("all", "1")])).is_err());
        assert!(parse_erase(&enc(&[("confirm", "yes"), ("site", "demo")])).is_err());
    }

    #[test]
    fn erasure_by_email_or_phone_finds_the_keys_rule_six_matches_with() {
        let site = SiteKey::try_from("demo").unwrap();
        let by_contact = |pairs: &[(&str, &str)]| {
            let mut all = vec![("site", "demo"), ("confirm", "yes")];
            all.extend_from_slice(pairs);
            parse_erase(&enc(&all))
        };
        // The same keys an answer with that contact was stored under.
        let answered = Contact {
            email: Some(Email::try_from("Ana.Lima@Example.com").unwrap()),
            phone: Some(Phone::try_from("+44 20 7946 0958").unwrap()),
            ..Contact::default()
        }
        .keys(&site);
        let got = by_contact(&[("email", " ana.lima@example.com ")]).unwrap();
        assert_eq!(
            got,
            EraseRequest::Contact {
                site: site.clone(),
                keys: ContactKeys {
                    email: answered.email.clone(),
                    phone: None
                }
            }
        );
        let got = by_contact(&[("phone", "+44 (20) 7946-0958")]).unwrap();
        let EraseRequest::Contact { keys, .. } = got else {
            panic!("{got:?}")
        };
        assert_eq!(keys.phone, answered.phone);
        assert!(by_contact(&[("email", "not an email")])
            .unwrap_err()
            .to_string()
            .contains("email"));
        let both = by_contact(&[
            ("id", "0f8fad5b-d9cb-469f-a165-70867728950e"),
            ("email", "a@example.com"),
        ]);
        assert!(both.is_err());
        // The site is needed to find the keys, and must be a site key.
        assert!(parse_erase(&enc(&[("email", "a@example.com"), ("confirm", "yes")])).is_err());
        assert!(parse_erase(&enc(&[
            ("email", "a@example.com"),
            ("site", "no such/site"),
            ("confirm", "yes")
        ]))
        .is_err());
    }
}
