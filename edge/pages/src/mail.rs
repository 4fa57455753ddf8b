//! The mails the dashboard sends, as text and HTML from the same words:
//! a sign-in link, and an invitation (a first sign-in link with who asked).
//! Every value is escaped by maud in the HTML part; the text part is plain.

use domain::fields::Email;
use domain::mail::{Mail, MailKind};
use maud::{html, Markup, DOCTYPE};

fn frame(title: &str, body: &Markup) -> String {
    html! {
        (DOCTYPE)
        html lang="en" {
            head { meta charset="utf-8"; title { (title) } }
            body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1a1a1a;max-width:36rem;margin:0 auto;padding:1rem" {
                (body)
                p style="color:#555;font-size:.875rem" { "Candor — where the service fell short, followed to a closed loop." }
            }
        }
    }
    .into_string()
}

fn button(url: &str, label: &str) -> Markup {
    html! {
        p {
            a href=(url) style="display:inline-block;background:#1f4fd1;color:#fff;padding:.6rem 1rem;border-radius:.4rem;text-decoration:none" { (label) }
        }
        p style="color:#555;font-size:.875rem" { "Or paste this address into your browser: " br; (url) }
    }
}

/// The mail with a one-time sign-in link to `url`, valid for `minutes`.
pub fn sign_in(to: Email, url: &str, minutes: u32) -> Mail {
    let subject = "Your Candor sign-in link".to_owned();
    let text = format!(
        "Sign in to Candor:\n\n{url}\n\nThe link works once, for {minutes} minutes. \
         If you did not ask for it, ignore this mail: nobody can use it without your mailbox.\n"
    );
    let body = html! {
        h1 style="font-size:1.25rem" { "Sign in to Candor" }
        (button(url, "Sign in"))
        p { "The link works once, for " (minutes) " minutes. If you did not ask for it, ignore this mail: nobody can use it without your mailbox." }
    };
    Mail {
        kind: MailKind::SignIn,
        to,
        subject,
        html: frame("Sign in to Candor", &body),
        text,
    }
}

/// The mail inviting `to` as `role`, from `inviter`, with a first sign-in
/// link valid for `minutes` (after that, the sign-in page mails a new one).
pub fn invitation(to: Email, inviter: &str, role: &str, url: &str, minutes: u32) -> Mail {
    let subject = format!("{inviter} invited you to Candor");
    let text = format!(
        "{inviter} invited you to Candor as a {role}.\n\nSign in:\n\n{url}\n\n\
         The link works once, for {minutes} minutes. After that, ask for a new one \
         on the sign-in page with this address.\n"
    );
    let body = html! {
        h1 style="font-size:1.25rem" { (inviter) " invited you to Candor" }
        p { "You are invited as a " strong { (role) } "." }
        (button(url, "Sign in"))
        p { "The link works once, for " (minutes) " minutes. After that, ask for a new one on the sign-in page with this address." }
    };
    Mail {
        kind: MailKind::Invitation,
        to,
        subject,
        html: frame("You are invited to Candor", &body),
        text,
    }
}

/// The mail to a fix's owner when a new case reopened it.
pub fn fix_reopened(to: Email, code: &str, site: &str, url: &str) -> Mail {
    let subject = format!("Reopened: the systemic fix for {code}");
    let text = format!(
        "A new case on {site} closed with the root cause {code}, whose systemic fix was marked done. \
         The fix is planned again, and you own it.\n\n{url}\n"
    );
    let body = html! {
        h1 style="font-size:1.25rem" { "Reopened: the systemic fix for " code { (code) } }
        p { "A new case on " (site) " closed with the root cause " code { (code) } ", whose systemic fix was marked done. The fix is planned again, and you own it." }
        (button(url, "Open Insights"))
    };
    Mail {
        kind: MailKind::FixReopened,
        to,
        subject,
        html: frame("A systemic fix is reopened", &body),
        text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn to() -> Email {
        domain::people::account_email("ana@example.com").unwrap()
    }

    #[test]
    fn the_sign_in_mail_carries_the_link_in_both_parts() {
        let url = "https://c.example/dashboard/login/link?next=%2Fdashboard#t=ab";
        let m = sign_in(to(), url, 15);
        assert!(m.text.contains(url));
        assert!(m
            .html
            .contains("href=\"https://c.example/dashboard/login/link?next=%2Fdashboard#t=ab\""));
        assert!(m.text.contains("15 minutes"));
        insta::assert_snapshot!(m.html);
    }

    #[test]
    fn an_invitation_escapes_who_sent_it() {
        let m = invitation(to(), "<Olu>", "manager", "https://c.example/x#t=1", 15);
        assert!(m.html.contains("&lt;Olu&gt; invited you"));
        assert!(!m.html.contains("<Olu>"));
        assert_eq!(m.subject, "<Olu> invited you to Candor");
        assert_eq!(m.kind, MailKind::Invitation);
    }
}
