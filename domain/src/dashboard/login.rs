//! The sign-in page and its form: the manager's name (recorded on every
//! step they take) and the admin token.

use crate::fields::short_text;
use crate::DomainError;
use maud::html;

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

/// The sign-in page; `error` says why the last attempt failed, `name` keeps
/// what was typed (never the token), `next` is where to go after (a path
/// [`super::layout::safe_next`] let through).
pub fn render(error: Option<&str>, name: &str, next: &str) -> String {
    let body = html! {
        div.card.signin {
            h1 { "Sign in to Candor" }
            p.muted { "The managers' dashboard: every answer, every case, every gap." }
            @if let Some(error) = error {
                div.notice.error role="alert" id="signin-error" { (error) }
            }
            form method="post" action="/dashboard/login" {
                input type="hidden" name="next" value=(next);
                div.field {
                    label for="name" { "Your name" }
                    input #name name="name" required maxlength="80" autocomplete="name" value=(name);
                    p.hint { "Recorded on every step you take on a case." }
                }
                div.field {
                    label for="token" { "Admin token" }
                    @if error.is_some() {
                        input #token name="token" type="password" required maxlength="512"
                            autocomplete="current-password" aria-invalid="true" aria-describedby="signin-error";
                    } @else {
                        input #token name="token" type="password" required maxlength="512"
                            autocomplete="current-password";
                    }
                }
                button type="submit" { "Sign in" }
            }
        }
    };
    super::page("Sign in", None, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn the_page_keeps_the_name_escaped_and_never_the_token() {
        let page = render(
            Some("That token is not right."),
            "\"><script>x</script>",
            "/dashboard",
        );
        assert!(page.contains("value=\"&quot;&gt;&lt;script&gt;x&lt;/script&gt;\""));
        assert!(page.contains("role=\"alert\""));
        assert!(!page.contains("<script>x"));
    }
}
