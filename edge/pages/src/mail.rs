//! The mails the product sends, as text and HTML from the same words:
//! a sign-in link, an invitation (a first sign-in link with who asked), a
//! reopened fix, and the customer's thank-you in their language.
//! Every value is escaped by maud in the HTML part; the text part is plain.

use domain::fields::Email;
use domain::lang::Lang;
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

/// The operator notice to a site's owner: `count` alerts became dead
/// letters since the last notice (sent at most once an hour).
pub fn undelivered(to: Email, site: &str, count: u32, url: &str) -> Mail {
    let what = if count == 1 {
        "1 alert".to_owned()
    } else {
        format!("{count} alerts")
    };
    let subject = format!("{what} on {site} could not be delivered");
    let text = format!(
        "{what} on {site} could not be delivered: the chat tools refused them or never answered, \
         so the people they were meant for have not seen them.\n\n\
         Settings, Undelivered alerts, lists each one with its last error. Fix the recipient, \
         check it with Send test alert, then press Retry.\n\n{url}\n\n\
         You get this at most once an hour while alerts keep failing.\n"
    );
    let body = html! {
        h1 style="font-size:1.25rem" { (what) " on " (site) " could not be delivered" }
        p { "The chat tools refused them or never answered, so the people they were meant for have not seen them." }
        p { "Settings \u{2192} Undelivered alerts lists each one with its last error. Fix the recipient, check it with " strong { "Send test alert" } ", then press " strong { "Retry" } "." }
        (button(url, "Open the settings"))
        p { "You get this at most once an hour while alerts keep failing." }
    };
    Mail {
        kind: MailKind::Undelivered,
        to,
        subject,
        html: frame("Alerts could not be delivered", &body),
        text,
    }
}

/// The words of the customer's thank-you mail, per language.
struct ThanksWords {
    code: &'static str,
    dir: &'static str,
    subject: &'static str,
    reference: &'static str,
    more: &'static str,
    more_button: &'static str,
    paste: &'static str,
    why: &'static str,
}

fn thanks_words(lang: Lang) -> ThanksWords {
    match lang {
        Lang::En => ThanksWords {
            code: "en",
            dir: "ltr",
            subject: "Thank you for telling us",
            reference: "Your reference",
            more: "Something to add? Write it here; it goes to the same people:",
            more_button: "Add to my answer",
            paste: "Or paste this address into your browser:",
            why: "You get this mail because you left this address with your answer. \
                  We send nothing else unless we follow up on it.",
        },
        Lang::De => ThanksWords {
            code: "de",
            dir: "ltr",
            subject: "Danke, dass Sie es uns gesagt haben",
            reference: "Ihre Referenz",
            more: "Möchten Sie etwas ergänzen? Schreiben Sie es hier; es geht an dieselben Personen:",
            more_button: "Meine Antwort ergänzen",
            paste: "Oder kopieren Sie diese Adresse in Ihren Browser:",
            why: "Sie erhalten diese E-Mail, weil Sie diese Adresse mit Ihrer Antwort hinterlassen haben. \
                  Wir schreiben Ihnen sonst nur, wenn wir darauf zurückkommen.",
        },
        Lang::Ar => ThanksWords {
            code: "ar",
            dir: "rtl",
            subject: "شكرًا لأنكم أخبرتمونا",
            reference: "رقمكم المرجعي",
            more: "هل تودّون إضافة شيء؟ اكتبوه هنا، وسيصل إلى الأشخاص أنفسهم:",
            more_button: "أضيفوا إلى إجابتكم",
            paste: "أو انسخوا هذا العنوان في متصفحكم:",
            why: "تصلكم هذه الرسالة لأنكم تركتم هذا العنوان مع إجابتكم. \
                  لن نرسل غيرها إلا إذا تابعنا معكم.",
        },
    }
}

/// The customer's thank-you, sent at once when they left an email: `next`
/// is the next step exactly as the widget's page said it, `reference` a
/// short case reference, `more_url` the signed link to add more (absent
/// when no case was opened). In the customer's language, with a plain-text
/// part, and no images or tracking of any kind.
pub fn customer_thanks(
    to: Email,
    lang: Lang,
    next: &str,
    reference: &str,
    more_url: Option<&str>,
) -> Mail {
    let w = thanks_words(lang);
    let subject = format!("{} ({reference})", w.subject);
    let more = more_url.map_or_else(String::new, |url| format!("\n{}\n{url}\n", w.more));
    let text = format!(
        "{next}\n\n{}: {reference}\n{more}\n{}\n",
        w.reference, w.why
    );
    let html = html! {
        (DOCTYPE)
        html lang=(w.code) dir=(w.dir) {
            head { meta charset="utf-8"; title { (w.subject) } }
            body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1a1a1a;max-width:36rem;margin:0 auto;padding:1rem" {
                h1 style="font-size:1.25rem" { (w.subject) }
                p { (next) }
                p { (w.reference) ": " strong { (reference) } }
                @if let Some(url) = more_url {
                    p { (w.more) }
                    p {
                        a href=(url) style="display:inline-block;background:#1f4fd1;color:#fff;padding:.6rem 1rem;border-radius:.4rem;text-decoration:none" { (w.more_button) }
                    }
                    p style="color:#555;font-size:.875rem" { (w.paste) " " br; (url) }
                }
                p style="color:#555;font-size:.875rem" { (w.why) }
            }
        }
    }
    .into_string();
    Mail {
        kind: MailKind::CustomerThanks,
        to,
        subject,
        text,
        html,
    }
}

/// The frame of a mail that follows a case up (the report, what changed).
struct FollowUpWords {
    subject: &'static str,
    hello: &'static str,
    lead: &'static str,
    thanks: &'static str,
}

fn report_words(lang: Lang) -> FollowUpWords {
    match lang {
        Lang::En => FollowUpWords {
            subject: "What we are doing about your feedback",
            hello: "Hello,",
            lead: "You told us where we fell short. This is what we have committed to:",
            thanks: "Thank you for telling us.",
        },
        Lang::De => FollowUpWords {
            subject: "Was wir wegen Ihrer Rückmeldung tun",
            hello: "Guten Tag,",
            lead: "Sie haben uns gesagt, wo wir nicht gut genug waren. Dazu haben wir uns verpflichtet:",
            thanks: "Danke, dass Sie es uns gesagt haben.",
        },
        Lang::Ar => FollowUpWords {
            subject: "ما نفعله بشأن ملاحظاتكم",
            hello: "مرحبًا،",
            lead: "أخبرتمونا أين قصّرنا. وهذا ما التزمنا به:",
            thanks: "شكرًا لأنكم أخبرتمونا.",
        },
    }
}

fn changed_words(lang: Lang) -> FollowUpWords {
    match lang {
        Lang::En => FollowUpWords {
            subject: "What changed because you spoke up",
            hello: "Hello,",
            lead: "Because you told us where we fell short, this has changed:",
            thanks: "Thank you for speaking up.",
        },
        Lang::De => FollowUpWords {
            subject: "Was sich durch Ihre Rückmeldung geändert hat",
            hello: "Guten Tag,",
            lead: "Weil Sie uns gesagt haben, wo wir nicht gut genug waren, hat sich das geändert:",
            thanks: "Danke, dass Sie es uns gesagt haben.",
        },
        Lang::Ar => FollowUpWords {
            subject: "ما تغيّر لأنكم تحدثتم إلينا",
            hello: "مرحبًا،",
            lead: "لأنكم أخبرتمونا أين قصّرنا، تغيّر ما يلي:",
            thanks: "شكرًا لأنكم تحدثتم إلينا.",
        },
    }
}

/// A follow-up in the customer's language: the manager's `words` as they
/// wrote them (plain text, paragraphs kept), under a short frame.
fn follow_up(
    kind: MailKind,
    w: &FollowUpWords,
    to: Email,
    lang: Lang,
    reference: &str,
    words: &str,
) -> Mail {
    let t = thanks_words(lang);
    let subject = format!("{} ({reference})", w.subject);
    let text = format!(
        "{}\n\n{}\n\n{words}\n\n{}\n\n{}: {reference}\n",
        w.hello, w.lead, w.thanks, t.reference
    );
    let html = html! {
        (DOCTYPE)
        html lang=(t.code) dir=(t.dir) {
            head { meta charset="utf-8"; title { (w.subject) } }
            body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1a1a1a;max-width:36rem;margin:0 auto;padding:1rem" {
                h1 style="font-size:1.25rem" { (w.subject) }
                p { (w.hello) }
                p { (w.lead) }
                @for para in words.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
                    p style="white-space:pre-line;border-inline-start:3px solid #1f4fd1;padding-inline-start:.75rem" { (para) }
                }
                p { (w.thanks) }
                p style="color:#555;font-size:.875rem" { (t.reference) ": " strong { (reference) } }
            }
        }
    }
    .into_string();
    Mail {
        kind,
        to,
        subject,
        text,
        html,
    }
}

/// The report of the `report_sent` step: the committed `actions`, exactly
/// as the manager previewed them.
pub fn customer_report(to: Email, lang: Lang, reference: &str, actions: &str) -> Mail {
    follow_up(
        MailKind::CustomerReport,
        &report_words(lang),
        to,
        lang,
        reference,
        actions,
    )
}

/// At closure, the manager's short note of what changed.
pub fn customer_changed(to: Email, lang: Lang, reference: &str, note: &str) -> Mail {
    follow_up(
        MailKind::CustomerChanged,
        &changed_words(lang),
        to,
        lang,
        reference,
        note,
    )
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
    fn the_undelivered_notice_says_how_many_and_where_to_fix_them() {
        let url = "https://c.example/dashboard/settings/demo#dead-h";
        let one = undelivered(to(), "demo", 1, url);
        assert_eq!(one.subject, "1 alert on demo could not be delivered");
        let m = undelivered(to(), "demo", 3, url);
        assert_eq!(m.subject, "3 alerts on demo could not be delivered");
        assert!(m.text.contains(url) && m.html.contains(url));
        assert!(!MailKind::body_is_secret(m.kind.as_str()));
        insta::assert_snapshot!("undelivered_text", m.text);
    }

    #[test]
    fn an_invitation_escapes_who_sent_it() {
        let m = invitation(to(), "<Olu>", "manager", "https://c.example/x#t=1", 15);
        assert!(m.html.contains("&lt;Olu&gt; invited you"));
        assert!(!m.html.contains("<Olu>"));
        assert_eq!(m.subject, "<Olu> invited you to Candor");
        assert_eq!(m.kind, MailKind::Invitation);
    }

    #[test]
    fn the_customers_thanks_is_in_their_language_with_the_pages_next_step() {
        let next =
            "Thank you for being honest with us. Our service manager will call you within 4 hours.";
        let url = "https://c.example/more/abc?x=<b>";
        let m = customer_thanks(to(), Lang::En, next, "0F8FAD5B", Some(url));
        assert_eq!(m.kind, MailKind::CustomerThanks);
        assert_eq!(m.subject, "Thank you for telling us (0F8FAD5B)");
        assert!(m.text.starts_with(next) && m.text.contains(url));
        assert!(m.html.contains("x=&lt;b&gt;") && !m.html.contains("<img"));
        insta::assert_snapshot!("customer_thanks_en_text", m.text);
        let ar = customer_thanks(to(), Lang::Ar, "شكرًا لكم.", "0F8FAD5B", None);
        assert!(ar.html.contains("dir=\"rtl\"") && ar.html.contains("lang=\"ar\""));
        assert!(!ar.text.contains("http"), "no case, no link");
        let de = customer_thanks(to(), Lang::De, "Vielen Dank.", "0F8FAD5B", Some(url));
        assert!(de.subject.starts_with("Danke") && de.text.contains("ergänzen"));
        insta::assert_snapshot!("customer_thanks_de_html", de.html);
    }

    #[test]
    fn the_report_carries_the_actions_as_written_in_the_customers_language() {
        let actions = "1. A refund of the shipping, by Friday.\n\n2. A new courier <from> May.";
        let m = customer_report(to(), Lang::En, "0F8FAD5B", actions);
        assert_eq!(m.kind, MailKind::CustomerReport);
        assert!(m.text.contains(actions), "the exact text: {}", m.text);
        assert!(m.html.contains("&lt;from&gt;") && !m.html.contains("<from>"));
        assert!(!m.html.contains("<img") && !m.text.contains("http"));
        insta::assert_snapshot!("customer_report_en_text", m.text);
        let ar = customer_changed(to(), Lang::Ar, "0F8FAD5B", "غيّرنا شركة الشحن.");
        assert!(ar.html.contains("dir=\"rtl\"") && ar.subject.starts_with("ما تغيّر"));
        let de = customer_report(to(), Lang::De, "0F8FAD5B", "Erstattung.");
        assert!(de.subject.starts_with("Was wir"));
        insta::assert_snapshot!(
            "customer_changed_de_html",
            customer_changed(to(), Lang::De, "0F8FAD5B", "Neuer Kurier.").html
        );
    }
}
