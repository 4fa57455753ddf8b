//! The sign-in pages: the address form (read by
//! `domain::sign_in::LinkRequest`), the same "check your mail" answer for
//! every address, and the page a mailed link opens, whose button posts the
//! link's secret (the script moves it from the fragment into the form).

use maud::html;

/// The address form; `error` says why the last post was refused, `email`
/// keeps what was typed, `next` is where to go after (a path
/// [`domain::sign_in::safe_next`] let through).
pub fn render(error: Option<&str>, email: &str, next: &str) -> String {
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
                    label for="email" { "Your work email" }
                    @if error.is_some() {
                        input #email name="email" type="email" required maxlength="254"
                            autocomplete="email" value=(email)
                            aria-invalid="true" aria-describedby="signin-error";
                    } @else {
                        input #email name="email" type="email" required maxlength="254"
                            autocomplete="email" value=(email);
                    }
                    p.hint { "We mail you a link that signs you in. It works once, for 15 minutes." }
                }
                button type="submit" { "Mail me a sign-in link" }
            }
        }
    };
    crate::page("Sign in", None, &body)
}

/// The answer to every address, known or not: the page must not tell a
/// stranger who has an account.
pub fn link_sent(minutes: u32) -> String {
    let body = html! {
        div.card.signin {
            h1 { "Check your mail" }
            p role="status" {
                "If that address belongs to a Candor account, a sign-in link is on its way. "
                "It works once, for " (minutes) " minutes."
            }
            p.muted { "No mail? Check the address and your spam folder, or ask an owner to invite you." }
            p { a href="/dashboard/login" { "Use another address" } }
        }
    };
    crate::page("Check your mail", None, &body)
}

/// The page a mailed link opens. Its secret is in the URL's fragment, which
/// never reaches a server; `dashboard.js` copies it into the form, and the
/// button posts it. Opening the page (as a mail scanner does) changes nothing.
pub fn link_page(next: &str, error: Option<&str>) -> String {
    let body = html! {
        div.card.signin {
            h1 { "Sign in to Candor" }
            @if let Some(error) = error {
                div.notice.error role="alert" { (error) }
                p { a href="/dashboard/login" { "Mail me a new link" } }
            } @else {
                p { "You opened a sign-in link. Continue to sign in on this device." }
                form #link-sign-in method="post" action="/dashboard/login/link" {
                    input type="hidden" name="next" value=(next);
                    input #link-token type="hidden" name="token" value="";
                    button type="submit" { "Sign in" }
                }
                noscript {
                    p.notice.error { "This page needs JavaScript to read the link. Turn it on, or sign in on another browser." }
                }
            }
        }
    };
    crate::page("Sign in", None, &body)
}

/// The one page of Cloudflare Access for an address with no account.
pub fn no_account(email: &str) -> String {
    let body = html! {
        div.card.signin {
            h1 { "No Candor account" }
            p { "You are signed in to your company as " strong { (email) } ", but no Candor account has that address." }
            p { "Ask an owner of your Candor dashboard to invite you." }
        }
    };
    crate::page("No account", None, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_keeps_the_address_escaped() {
        let page = render(
            Some("email: is not an email address"),
            "\"><script>x</script>",
            "/dashboard",
        );
        assert!(page.contains("value=\"&quot;&gt;&lt;script&gt;x&lt;/script&gt;\""));
        assert!(page.contains("role=\"alert\""));
        assert!(!page.contains("<script>x"));
        assert!(!page.contains("token"), "no admin token any more");
    }

    #[test]
    fn every_address_gets_the_same_answer() {
        let page = link_sent(15);
        assert!(page.contains("If that address belongs to a Candor account"));
        assert!(page.contains("15 minutes"));
    }

    #[test]
    fn the_link_page_holds_no_secret_and_posts_one() {
        let page = link_page("/dashboard/cases/x", None);
        assert!(page.contains("id=\"link-token\""));
        assert!(page.contains("action=\"/dashboard/login/link\""));
        assert!(page.contains("value=\"/dashboard/cases/x\""));
        let refused = link_page("/dashboard", Some("This link was used already."));
        assert!(!refused.contains("link-token"));
        assert!(refused.contains("Mail me a new link"));
        assert!(no_account("<a@b.co>").contains("&lt;a@b.co&gt;"));
    }
}
