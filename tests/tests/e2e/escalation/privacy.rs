//! Privacy in chat: a phone number and an email address that a customer
//! types into the answer reach every chat format masked, the way the
//! contact fields are, while the dashboard keeps the words as written.

use crate::support::api::answer_on;
use crate::support::{words_of, Stack, INBOX_SECRET};
use domain::submission::RawSubmission;
use serde_json::json;
use std::time::Duration;

/// One recipient per format, all for the service manager, each on its own
/// inbox path.
const FORMATS: [&str; 5] = ["webhook", "slack", "teams", "discord", "google_chat"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typed_contact_details_reach_every_chat_format_masked() {
    let stack = Stack::start("chat-privacy");
    let recipients: Vec<_> = FORMATS
        .iter()
        .map(|f| {
            json!({"role": "service_manager", "format": f,
                "url": stack.inbox.url(&format!("/{f}")), "secret": INBOX_SECRET})
        })
        .collect();
    stack
        .api()
        .put_site(
            "private",
            &json!({"origins": ["https://shop.example.com"], "recipients": recipients}),
        )
        .await;

    let words = "Nobody came. Call me on +44 20 7946 0000 or write to ana@example.com, please.";
    let answer = RawSubmission {
        score: Some(3),
        ..answer_on("private", words)
    };
    stack.api().submit(&answer).await;

    let got = stack.wait_for_alerts(5, Duration::from_secs(30)).await;
    for format in FORMATS {
        let path = format!("/{format}");
        let bodies: Vec<&str> = got
            .iter()
            // Google Chat's URL gains a `messageReplyOption` query.
            .filter(|r| r.path.split('?').next() == Some(path.as_str()))
            .map(|r| r.body.as_str())
            .collect();
        assert_eq!(bodies.len(), 1, "{format}: one alert");
        let body = bodies[0];
        // Discord escapes its markdown with backslashes; read past them.
        let shown = body.replace('\\', "");
        // Digits are read past ids and timestamps, which hold any digits
        // by chance; an address, a `+` or the whole number run together cannot
        // hide in them, so those are read as sent.
        let words = words_of(&shown);
        for typed in ["7946", "0000"] {
            assert!(
                !words.contains(&typed),
                "{format} received {typed:?}: {body}"
            );
        }
        for typed in ["ana@example.com", "ana@", "+44", "2079460000"] {
            assert!(
                !shown.contains(typed),
                "{format} received {typed:?}: {body}"
            );
        }
        assert!(
            shown.contains("***000") && shown.contains("a***@example.com"),
            "{format} shows the masked forms: {body}"
        );
        assert!(
            shown.contains("Nobody came."),
            "{format}: the words are there"
        );
    }

    let stored = stack.rows(&format!(
        "SELECT gaps FROM responses WHERE id = '{}'",
        answer.id
    ));
    assert_eq!(stored[0]["gaps"], words, "the dashboard keeps the original");
}
