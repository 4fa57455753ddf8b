//! The bodies alerts are posted with, one module per chat format
//! (docs/wire-contract.md#formats). Pure: the edge posts [`body`] to
//! [`target_url`].
//!
//! Every native format treats the customer's words, the masked contact and
//! the acknowledger's name as untrusted: they are escaped with the platform's
//! own rule, defanged so they cannot become links or mentions, and cut to the
//! platform's limits (see [`text`]). Payloads are built as `serde_json` values,
//! never by pasting strings together, so no text can break the JSON. The
//! dashboard, behind the alert's link, shows the customer's original words.

mod discord;
mod google_chat;
mod slack;
mod teams;
mod text;

#[cfg(test)]
mod testing;

use crate::alert::Alert;
use crate::recipient::Format;
use crate::Timestamp;

/// The JSON body to POST to a recipient of `format`. `now` is the send time
/// (used by the generic webhook body's timestamp).
pub fn body(alert: &Alert, format: Format, now: Timestamp) -> String {
    let value = match format {
        Format::Slack => slack::body(alert),
        Format::Teams => teams::body(alert),
        Format::Discord => discord::body(alert),
        Format::GoogleChat => google_chat::body(alert),
        Format::Webhook => return alert.webhook_body(now),
    };
    value.to_string()
}

/// The URL to POST to: unchanged, except Google Chat gets
/// `messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD` appended so
/// `thread.threadKey` threads a case's alerts.
pub fn target_url(format: Format, url: &str) -> String {
    match format {
        Format::GoogleChat => google_chat::target_url(url),
        Format::Slack | Format::Teams | Format::Discord | Format::Webhook => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;
    use crate::alert::tests::facts;
    use crate::alert::Reason;
    use crate::Tier;
    use serde_json::Value;

    const NATIVE: [Format; 4] = [
        Format::Slack,
        Format::Teams,
        Format::Discord,
        Format::GoogleChat,
    ];

    #[test]
    fn the_generic_webhook_gets_the_standard_body() {
        let alert = opened();
        assert_eq!(body(&alert, Format::Webhook, NOW), alert.webhook_body(NOW));
        assert_eq!(
            target_url(Format::Webhook, "https://x.example/a?b=1"),
            "https://x.example/a?b=1"
        );
    }

    #[test]
    fn only_google_chat_urls_change() {
        let reply = "messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD";
        let chat = |url| target_url(Format::GoogleChat, url);
        assert_eq!(
            chat("https://chat.googleapis.com/v1/spaces/S/messages?key=k&token=t%3D"),
            format!("https://chat.googleapis.com/v1/spaces/S/messages?key=k&token=t%3D&{reply}")
        );
        assert_eq!(
            chat("https://chat.googleapis.com/v1/spaces/S/messages"),
            format!("https://chat.googleapis.com/v1/spaces/S/messages?{reply}")
        );
        assert_eq!(
            chat("https://chat.googleapis.com/v1/m?"),
            format!("https://chat.googleapis.com/v1/m?{reply}")
        );
        assert_eq!(
            chat("https://chat.googleapis.com/v1/m?key=k&"),
            format!("https://chat.googleapis.com/v1/m?key=k&{reply}")
        );
        assert_eq!(
            chat("https://chat.googleapis.com/v1/m?key=k#frag"),
            format!("https://chat.googleapis.com/v1/m?key=k&{reply}#frag")
        );
        // A manager who chose a reply option keeps it.
        let chosen =
            "https://chat.googleapis.com/v1/m?key=k&messageReplyOption=REPLY_MESSAGE_OR_FAIL";
        assert_eq!(chat(chosen), chosen);
        for format in [Format::Slack, Format::Teams, Format::Discord] {
            assert_eq!(
                target_url(format, "https://h.example/x"),
                "https://h.example/x"
            );
        }
    }

    /// Every alert shows what docs/wire-contract.md#alert-reasons asks, in
    /// every format, and never the customer's email or phone number.
    #[test]
    fn every_format_shows_the_essentials() {
        let mut f = facts();
        f.tier = Tier::President;
        f.level = Tier::President;
        f.guarantee = true;
        let alert = Alert::new(f, Reason::Opened, BASE, Some(ACK.to_owned()));
        for format in NATIVE {
            let raw = body(&alert, format, NOW);
            let v: Value = serde_json::from_str(&raw).unwrap();
            let all = leaves(&v)
                .into_iter()
                .map(|(_, s)| s)
                .collect::<Vec<_>>()
                .join("\n");
            for needle in [
                "New case: Guarantee invoked",
                "demo",
                "the president",
                "Score 2 of 5",
                "Guarantee invoked",
                "order-123",
                "a***@example.com",
                "callback requested",
                "Acknowledge by 2026-11-23T09:01:37.000Z",
                ACK,
                "https://feedback.example.com/dashboard/cases/0f8fad5b-d9cb-469f-a165-70867728950e",
                "Open in dashboard",
                "Nobody called",
                "0f8fad5b-d9cb-469f-a165-70867728950e",
            ] {
                let shown = all.contains(needle)
                    // Discord escapes markdown in the customer's text.
                    || all.contains(&needle.replace('*', "\\*").replace('-', "\\-"));
                assert!(shown, "{format:?} lacks {needle:?}: {all}");
            }
            assert!(!raw.contains("ana@") && !raw.contains("7946"), "{raw}");
        }
    }

    #[test]
    fn no_acknowledge_link_once_there_is_nothing_to_acknowledge() {
        let alert = Alert::new(facts(), Reason::Opened, BASE, None);
        for format in NATIVE {
            let raw = body(&alert, format, NOW);
            assert!(!raw.contains("/ack/"), "{format:?}: {raw}");
            assert!(raw.contains("Open in dashboard"), "{format:?}: {raw}");
        }
    }

    #[test]
    fn short_alerts_are_still_valid_json() {
        for alert in [acknowledged(), test_alert(), undelivered()] {
            for format in NATIVE {
                let raw = body(&alert, format, NOW);
                let v: Value = serde_json::from_str(&raw).unwrap();
                assert!(v.is_object());
                assert!(raw.contains("demo"), "{format:?}: {raw}");
            }
        }
    }
}
