//! Microsoft Teams, through a Workflows webhook: a message carrying one
//! Adaptive Card (v1.4) whose only actions are `Action.OpenUrl`.
//!
//! Untrusted text goes only into `TextRun`s inside `RichTextBlock`s: a
//! `TextRun` does not process markdown, so the text shows as typed; and with
//! no `msteams.entities` an `<at>` tag is never a mention. Our own labels and
//! facts use `TextBlock` and `FactSet`.
//!
//! Limit (learn.microsoft.com, "Create Incoming Webhooks" and the Teams
//! connector's known limits): a message is at most about 28 KB. Some senders
//! report 413s above ~21 KB in practice, so bodies are kept under 20,000
//! bytes: the customer's words are cut to 3,000 characters and 12,000 bytes.

use super::text::{self, Limit};
use crate::alert::Alert;
use serde_json::{json, Value};

const WORDS: Limit = Limit::chars(3000).and_bytes(12_000);
const TRANSACTION: Limit = Limit::chars(500).and_bytes(2000);
const NAME: Limit = Limit::chars(200).and_bytes(800);

fn run(text: impl Into<String>) -> Value {
    json!({"type": "TextRun", "text": text.into()})
}

fn bold_run(text: impl Into<String>) -> Value {
    json!({"type": "TextRun", "text": text.into(), "weight": "Bolder"})
}

fn rich(id: &str, inlines: &[Value]) -> Value {
    json!({"type": "RichTextBlock", "id": id, "inlines": inlines})
}

fn inert(raw: &str, limit: Limit) -> String {
    text::inert(raw, text::plain, limit)
}

pub(super) fn body(alert: &Alert) -> Value {
    let (fixed, by) = text::headline_parts(alert);
    let mut headline = vec![json!({
        "type": "TextRun", "text": fixed, "weight": "Bolder", "size": "Large",
    })];
    if let Some(by) = by {
        headline.push(json!({
            "type": "TextRun", "text": inert(by, NAME), "weight": "Bolder", "size": "Large",
        }));
    }
    let mut body = vec![rich("headline", &headline)];

    let mut facts: Vec<Value> = text::facts(alert)
        .into_iter()
        .map(|(title, value)| json!({"title": title, "value": value}))
        .collect();
    if let Some(deadline) = text::deadline(alert) {
        facts.push(json!({"title": "Deadline", "value": deadline}));
    }
    body.push(json!({"type": "FactSet", "id": "facts", "facts": facts}));

    if let Some(transaction) = text::transaction(alert) {
        body.push(rich(
            "transaction",
            &[
                bold_run("Transaction: "),
                run(inert(transaction, TRANSACTION)),
            ],
        ));
    }
    if let Some((contact, callback)) = text::contact(alert) {
        let mut inlines = vec![bold_run("Contact: ")];
        if let Some(c) = contact {
            inlines.push(run(inert(c, NAME)));
        }
        if callback {
            let sep = if contact.is_some() { " \u{b7} " } else { "" };
            inlines.push(run(format!("{sep}{}", text::CALLBACK)));
        }
        body.push(rich("contact", &inlines));
    }
    if let Some(words) = text::words(alert) {
        body.push(json!({
            "type": "TextBlock", "text": text::words_label(alert), "weight": "Bolder",
            "wrap": true, "spacing": "Medium",
        }));
        body.push(rich("gaps", &[run(inert(words, WORDS))]));
    }
    body.push(json!({
        "type": "TextBlock", "text": text::footer(alert), "isSubtle": true,
        "size": "Small", "wrap": true, "spacing": "Medium",
    }));

    let actions: Vec<Value> = text::links(alert)
        .into_iter()
        .map(|link| {
            let mut action =
                json!({"type": "Action.OpenUrl", "title": link.label, "url": link.url});
            if link.primary {
                action["style"] = json!("positive");
            }
            action
        })
        .collect();

    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "body": body,
                "actions": actions,
            },
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    /// Under the documented 28 KB, with room to spare (see the module doc).
    const BODY_MAX_BYTES: usize = 20_000;

    fn raw(alert: &Alert) -> String {
        super::super::body(alert, crate::recipient::Format::Teams, NOW)
    }

    fn render(alert: &Alert) -> Value {
        serde_json::from_str(&raw(alert)).unwrap()
    }

    fn card(v: &Value) -> &Value {
        &v["attachments"][0]["content"]
    }

    /// The inlines of the `RichTextBlock` with `id`.
    fn inlines<'a>(v: &'a Value, id: &str) -> &'a [Value] {
        card(v)["body"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["id"] == id)
            .and_then(|b| b["inlines"].as_array())
            .unwrap()
    }

    fn check_limits(alert: &Alert) {
        let raw = raw(alert);
        assert!(raw.len() <= BODY_MAX_BYTES, "{} bytes", raw.len());
        let v: Value = serde_json::from_str(&raw).unwrap();
        assert_eq!(v["type"], "message");
        assert!(card(&v).get("msteams").is_none());
        for action in card(&v)["actions"].as_array().unwrap() {
            assert_eq!(action["type"], "Action.OpenUrl");
        }
    }

    /// Every string outside a `TextRun`'s text.
    fn skeleton(v: &Value) -> Vec<(String, String)> {
        let runs: Vec<String> = leaves(v)
            .into_iter()
            .filter(|(path, _)| path.ends_with("/type"))
            .filter(|(_, s)| *s == "TextRun")
            .map(|(path, _)| format!("{}/text", path.trim_end_matches("/type")))
            .collect();
        leaves(v)
            .into_iter()
            .filter(|(path, _)| !runs.contains(path))
            .map(|(path, s)| (path, s.to_owned()))
            .collect()
    }

    #[test]
    fn snapshots() {
        insta::assert_json_snapshot!("opened", render(&opened()));
        insta::assert_json_snapshot!("overdue_president", render(&overdue()));
        insta::assert_json_snapshot!("raised_president", render(&raised()));
        insta::assert_json_snapshot!("acknowledged", render(&acknowledged()));
        insta::assert_json_snapshot!("test", render(&test_alert()));
        insta::assert_json_snapshot!("undelivered", render(&undelivered()));
        insta::assert_json_snapshot!("call_overdue", render(&call_overdue("Maria Silva")));
    }

    #[test]
    fn huge_text_respects_every_limit() {
        let gaps = huge("gaps");
        let transaction = huge("tx");
        let alert = opened_with(&gaps, &transaction);
        check_limits(&alert);
        let v = render(&alert);
        let shown = inlines(&v, "gaps")[0]["text"].as_str().unwrap();
        assert!(units(shown) > 1500, "cut too short: {}", units(shown));
        assert_words_round_trip(&gaps, shown);
        assert_round_trip(
            &transaction,
            inlines(&v, "transaction")[1]["text"].as_str().unwrap(),
        );
        check_limits(&acknowledged_by(&huge("by")));
        // The worst case for bytes: control characters, six bytes each in JSON.
        let controls: String = "\u{1}\"\\😀".repeat(25_000);
        check_limits(&opened_with(&controls, &controls));
        check_limits(&acknowledged_by(&controls));
    }

    fn round_trips(gaps: &str, transaction: &str, by: &str) {
        let alert = opened_with(gaps, transaction);
        check_limits(&alert);
        let v = render(&alert);
        assert_words_round_trip(gaps, inlines(&v, "gaps")[0]["text"].as_str().unwrap());
        let tx = inlines(&v, "transaction")[1]["text"].as_str().unwrap();
        assert_round_trip(transaction, tx);
        // The customer's text changes nothing but `TextRun` texts.
        assert_eq!(skeleton(&v), skeleton(&render(&opened_with("x", "y"))));

        // An owner's name in an overdue alert stays within the limits.
        check_limits(&call_overdue(by));

        let alert = acknowledged_by(by);
        check_limits(&alert);
        let v = render(&alert);
        assert_round_trip(by, inlines(&v, "headline")[1]["text"].as_str().unwrap());
        assert_eq!(skeleton(&v), skeleton(&render(&acknowledged_by("z"))));
    }

    // Every renderer's `round_trips(gaps, transaction, by)` over the same
    // hostile, arbitrary and over-long text.
    crate::render::testing::inert_round_trip_properties!(round_trips);
}
