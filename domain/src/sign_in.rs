//! Signing in to the dashboard: what the sign-in form posts (the manager's
//! name, recorded on every step they take, and the admin token) and where
//! the browser may go afterwards.

use crate::fields::short_text;
use crate::DomainError;

/// What the sign-in form posts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignIn {
    pub name: String,
    pub token: String,
}

/// Parses `name=…&token=…`. The token is compared by the caller, in
/// constant time; here it only has to be present and of sane length.
pub fn parse(body: &str) -> Result<SignIn, DomainError> {
    let mut name = String::new();
    let mut token = String::new();
    for (k, v) in url::form_urlencoded::parse(body.as_bytes()) {
        match k.as_ref() {
            "name" => name = v.into_owned(),
            "token" => token = v.into_owned(),
            _ => {}
        }
    }
    let name = short_text("name", &name, 80)?.ok_or_else(|| {
        DomainError::invalid(
            "name",
            "say who you are: it is recorded on every step you take",
        )
    })?;
    let token = token.trim().to_owned();
    if token.is_empty() || token.len() > 512 {
        return Err(DomainError::invalid("token", "enter the admin token"));
    }
    Ok(SignIn { name, token })
}

/// Where to go after signing in: only a dashboard path of plain
/// characters, so the parameter cannot send anyone to another site.
pub fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n)
            if n.starts_with("/dashboard")
                && n.len() <= 200
                && n.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"/-_".contains(&b)) =>
        {
            n
        }
        _ => "/dashboard",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::form_field;

    #[test]
    fn the_form_needs_a_name_and_a_token() {
        assert_eq!(
            parse("name=Ana+Lima&token=abc").unwrap(),
            SignIn {
                name: "Ana Lima".into(),
                token: "abc".into()
            }
        );
        assert!(parse("name=&token=abc").is_err());
        assert!(parse("name=Ana&token=+").is_err());
        assert!(parse("token=abc").is_err());
        assert!(parse(&format!("name=Ana&token={}", "a".repeat(600))).is_err());
    }

    #[test]
    fn only_dashboard_paths_are_followed_after_sign_in() {
        assert_eq!(
            safe_next(Some("/dashboard/cases/0f8fad5b-d9cb")),
            "/dashboard/cases/0f8fad5b-d9cb"
        );
        for bad in [
            "//evil.example",
            "https://evil.example/dashboard",
            "/dashboard/../x",
            "/dashboard?x=1",
            "/dashboard\\x",
        ] {
            assert_eq!(safe_next(Some(bad)), "/dashboard", "{bad}");
        }
        assert_eq!(safe_next(None), "/dashboard");
        assert_eq!(form_field("a=1&csrf=x%2By", "csrf").as_deref(), Some("x+y"));
    }
}
