//! What every settings form parser shares: reading a body's pairs (only
//! so many: a flood is not one of our forms), the single values of a small
//! form, and cutting what is echoed back in a message.

use crate::DomainError;
use std::collections::BTreeMap;
use url::form_urlencoded;

/// A settings form has a few fixed fields and five per locale; a body with
/// more pairs than this is not one of ours.
pub(super) const MAX_PAIRS: usize = 400;
/// Field names echoed back in an error are cut to this many characters.
const NAME_ECHO: usize = 60;

/// The pairs of a form body, at most [`MAX_PAIRS`] of them.
pub(super) fn pairs(body: &str) -> impl Iterator<Item = (String, String)> + '_ {
    form_urlencoded::parse(body.as_bytes())
        .take(MAX_PAIRS + 1)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
}

/// The single values of a small form, refusing unknown and repeated names.
pub(super) fn single_fields(
    body: &str,
    known: &[&'static str],
) -> Result<BTreeMap<&'static str, String>, DomainError> {
    let mut out = BTreeMap::new();
    for (n, (name, value)) in pairs(body).enumerate() {
        if n >= MAX_PAIRS {
            return Err(DomainError::invalid("form", "too many fields"));
        }
        if name == "csrf" {
            continue;
        }
        let Some(field) = known.iter().copied().find(|k| *k == name) else {
            return Err(DomainError::invalid(
                "form",
                format!("unknown field \u{201c}{}\u{201d}", echo(&name)),
            ));
        };
        if out.insert(field, value).is_some() {
            return Err(DomainError::invalid(field, "was sent more than once"));
        }
    }
    Ok(out)
}

/// Text cut for echoing in a message.
pub(super) fn echo(raw: &str) -> String {
    let mut cut: String = raw.chars().take(NAME_ECHO).collect();
    if raw.chars().nth(NAME_ECHO).is_some() {
        cut.push('\u{2026}');
    }
    cut
}
