//! The sign-in page: the manager's name (recorded on every step they
//! take) and the admin token. The form's post is read by
//! `domain::sign_in::parse`.

use maud::html;

/// The sign-in page; `error` says why the last attempt failed, `name` keeps
/// what was typed (never the token), `next` is where to go after (a path
/// [`domain::sign_in::safe_next`] let through).
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
    crate::page("Sign in", None, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

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
