//! Reading one field of a posted form (`application/x-www-form-urlencoded`),
//! for the few places that need a single value before or apart from the
//! form's own parser (the CSRF token, the sign-in page's `next`).

/// One field of a posted form: the first value sent under `name`, decoded.
pub fn form_field(body: &str, name: &str) -> Option<String> {
    url::form_urlencoded::parse(body.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_is_found_and_decoded() {
        assert_eq!(form_field("a=1&csrf=x%2By", "csrf").as_deref(), Some("x+y"));
        assert_eq!(form_field("a=1&a=2", "a").as_deref(), Some("1"));
        assert_eq!(form_field("a=1", "b"), None);
    }
}
