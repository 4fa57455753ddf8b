//! Mail the product sends (sign-in links, invitations; later, customers'
//! reports): what one message is, and when a failed send is tried again.
//! The words and the HTML are drawn by `candor-pages` (`pages::mail`); the
//! Worker writes every mail to its outbox before sending it.

use crate::fields::Email;
use crate::Timestamp;

/// What a mail is for; stored with it, and decides whether its body is
/// kept after sending (a body that signs someone in is not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailKind {
    SignIn,
    Invitation,
    /// A systemic fix marked done was reopened by a new case.
    FixReopened,
    /// The customer's thank-you, at once, when they left an email: the
    /// next step as the page said it, and a link to add more.
    CustomerThanks,
    /// The actions committed to the customer, from the `report_sent` step.
    CustomerReport,
    /// At closure, what changed because the customer spoke up.
    CustomerChanged,
    /// To a site's owners: alerts became dead letters (at most hourly).
    Undelivered,
}

impl MailKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignIn => "sign_in",
            Self::Invitation => "invitation",
            Self::FixReopened => "fix_reopened",
            Self::CustomerThanks => "customer_thanks",
            Self::CustomerReport => "customer_report",
            Self::CustomerChanged => "customer_changed",
            Self::Undelivered => "undelivered",
        }
    }

    /// Whether the body holds a secret (a sign-in link, or the customer's
    /// link to their case), so the outbox forgets it once the mail is sent
    /// or given up.
    pub fn body_is_secret(kind: &str) -> bool {
        matches!(kind, "sign_in" | "invitation" | "customer_thanks")
    }
}

/// One mail, ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub kind: MailKind,
    pub to: Email,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// How many sends are tried before a mail is marked failed.
pub const MAX_ATTEMPTS: u32 = 6;

/// When to try again after `attempts` failed sends: 1, 2, 5, 10, 30 minutes;
/// `None` when the mail has had its tries and is marked failed (and logged).
/// A sign-in link lives 15 minutes, so its retries come early.
pub fn next_try(attempts: u32, now: Timestamp) -> Option<Timestamp> {
    const MINUTES: [u32; 5] = [1, 2, 5, 10, 30];
    if attempts >= MAX_ATTEMPTS {
        return None;
    }
    let i = usize::try_from(attempts.saturating_sub(1)).unwrap_or(usize::MAX);
    MINUTES.get(i).map(|m| now.plus_minutes(*m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_sends_back_off_then_stop() {
        let now = Timestamp::from_millis(0);
        let waits: Vec<i64> = (1..=5)
            .map(|a| next_try(a, now).unwrap().millis() / 60_000)
            .collect();
        assert_eq!(waits, [1, 2, 5, 10, 30]);
        assert_eq!(next_try(MAX_ATTEMPTS, now), None);
        assert_eq!(next_try(99, now), None);
    }

    #[test]
    fn bodies_with_links_are_secret() {
        assert!(MailKind::body_is_secret(MailKind::SignIn.as_str()));
        assert!(MailKind::body_is_secret(MailKind::Invitation.as_str()));
        assert!(!MailKind::body_is_secret("report"));
    }
}
