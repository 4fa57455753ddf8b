//! Slack incoming webhooks, as Block Kit.
//!
//! Untrusted text sits in `mrkdwn` text objects with `verbatim: true` (Slack
//! then neither auto-links URLs nor parses bare mentions) and `& < >` escaped
//! to entities, so `<!channel>`, `<@U123>` or `<https://x|y>` show as typed.
//! The top-level `text` (the notification fallback, also `mrkdwn`) is escaped
//! the same way.
//!
//! Limits (docs.slack.dev, Block Kit reference): 50 blocks a message; header
//! text 150 characters; section text 3,000; section fields 10, each 2,000;
//! button text 75 and URL 3,000; `action_id` 255. The top-level `text` is
//! kept within 4,000, the length Slack recommends (it truncates at 40,000).

use super::text::{self, Limit};
use crate::alert::{Alert, Reason};
use serde_json::{json, Value};

pub(super) const HEADER_MAX: usize = 150;
pub(super) const SECTION_MAX: usize = 3000;
pub(super) const FIELD_MAX: usize = 2000;
pub(super) const FIELDS_MAX: usize = 10;
pub(super) const BUTTON_TEXT_MAX: usize = 75;
pub(super) const BUTTON_URL_MAX: usize = 3000;
pub(super) const FALLBACK_MAX: usize = 4000;
/// The acknowledger's name, a contact: short by nature, cut well before any
/// Slack limit.
const NAME_MAX: usize = 300;

fn mrkdwn(text: &str) -> Value {
    json!({"type": "mrkdwn", "text": text, "verbatim": true})
}

fn section(block_id: &str, text: &str) -> Value {
    json!({"type": "section", "block_id": block_id, "text": mrkdwn(text)})
}

/// `*label*` over untrusted `raw`, within `max` in all.
fn labelled(label: &str, raw: &str, max: usize) -> String {
    let prefix = format!("*{label}*\n");
    let room = max.saturating_sub(prefix.encode_utf16().count());
    format!(
        "{prefix}{}",
        text::inert(raw, text::slack, Limit::chars(room))
    )
}

pub(super) fn body(alert: &Alert) -> Value {
    let mut blocks = vec![json!({
        "type": "header",
        "text": {
            "type": "plain_text",
            "text": text::cut(&text::title(alert), Limit::chars(HEADER_MAX)),
            "emoji": false,
        },
    })];
    if matches!(
        alert.reason,
        Reason::Acknowledged { .. } | Reason::StepOverdue { owner: Some(_), .. }
    ) {
        let headline = text::headline(alert, text::slack, Limit::chars(NAME_MAX));
        blocks.push(section("headline", &headline));
    }

    let mut fields: Vec<Value> = text::facts(alert)
        .into_iter()
        .map(|(label, value)| mrkdwn(&format!("*{label}*\n{value}")))
        .collect();
    if let Some(deadline) = text::deadline(alert) {
        fields.push(mrkdwn(&format!("*Deadline*\n{deadline}")));
    }
    if let Some(transaction) = text::transaction(alert) {
        fields.push(mrkdwn(&labelled("Transaction", transaction, FIELD_MAX)));
    }
    if let Some((contact, callback)) = text::contact(alert) {
        let mut value = match contact {
            Some(c) => labelled("Contact", c, NAME_MAX),
            None => "*Contact*\n".to_owned(),
        };
        if callback {
            if contact.is_some() {
                value.push_str(" \u{b7} ");
            }
            value.push_str(text::CALLBACK);
        }
        fields.push(mrkdwn(&value));
    }
    fields.truncate(FIELDS_MAX);
    blocks.push(json!({"type": "section", "block_id": "facts", "fields": fields}));

    if let Some(words) = text::words(alert) {
        let text = labelled(text::words_label(alert), words, SECTION_MAX);
        blocks.push(section("gaps", &text));
    }

    let buttons: Vec<Value> = text::links(alert)
        .into_iter()
        .filter(|link| link.url.len() <= BUTTON_URL_MAX)
        .map(|link| {
            let mut button = json!({
                "type": "button",
                "action_id": link.id,
                "text": {
                    "type": "plain_text",
                    "text": text::cut(link.label, Limit::chars(BUTTON_TEXT_MAX)),
                    "emoji": false,
                },
                "url": link.url,
            });
            if link.primary {
                button["style"] = json!("primary");
            }
            button
        })
        .collect();
    if !buttons.is_empty() {
        blocks.push(json!({"type": "actions", "block_id": "links", "elements": buttons}));
    }
    blocks.push(json!({
        "type": "context",
        "elements": [mrkdwn(&text::footer(alert))],
    }));

    let fallback = format!(
        "{} \u{b7} {}",
        text::headline(alert, text::slack, Limit::chars(NAME_MAX)),
        alert.site
    );
    json!({
        "text": text::cut(&fallback, Limit::chars(FALLBACK_MAX)),
        "blocks": blocks,
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    /// Slack's documented block limit.
    const BLOCKS_MAX: usize = 50;
    const ENTITIES: [(&str, char); 3] = [("&amp;", '&'), ("&lt;", '<'), ("&gt;", '>')];

    fn render(alert: &Alert) -> Value {
        let raw = super::super::body(alert, crate::recipient::Format::Slack, NOW);
        serde_json::from_str(&raw).unwrap()
    }

    fn block<'a>(v: &'a Value, id: &str) -> Option<&'a Value> {
        v["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["block_id"] == id)
    }

    /// The untrusted part of a `*label*\n…` text, un-escaped.
    fn after_label<'a>(text: &'a str, label: &str) -> &'a str {
        text.strip_prefix(&format!("*{label}*\n")).unwrap()
    }

    fn check_limits(v: &Value) {
        let blocks = v["blocks"].as_array().unwrap();
        assert!(blocks.len() <= BLOCKS_MAX);
        assert!(units(v["text"].as_str().unwrap()) <= FALLBACK_MAX);
        for b in blocks {
            match b["type"].as_str().unwrap() {
                "header" => assert!(units(b["text"]["text"].as_str().unwrap()) <= HEADER_MAX),
                "section" => {
                    if let Some(t) = b["text"]["text"].as_str() {
                        assert!(units(t) <= SECTION_MAX, "{}", units(t));
                    }
                    if let Some(fields) = b["fields"].as_array() {
                        assert!(fields.len() <= FIELDS_MAX);
                        for f in fields {
                            assert!(units(f["text"].as_str().unwrap()) <= FIELD_MAX);
                        }
                    }
                }
                "actions" => {
                    let elements = b["elements"].as_array().unwrap();
                    assert!(elements.len() <= 25);
                    for e in elements {
                        assert!(units(e["text"]["text"].as_str().unwrap()) <= BUTTON_TEXT_MAX);
                        assert!(units(e["url"].as_str().unwrap()) <= BUTTON_URL_MAX);
                        assert!(units(e["action_id"].as_str().unwrap()) <= 255);
                    }
                }
                "context" => {
                    let elements = b["elements"].as_array().unwrap();
                    assert!(elements.len() <= 10);
                    for e in elements {
                        assert!(units(e["text"].as_str().unwrap()) <= SECTION_MAX);
                    }
                }
                other => panic!("unexpected block {other}"),
            }
        }
    }

    /// No `<` or `>` anywhere but in our URLs, and every `&` is an entity:
    /// nothing in the payload can be a Slack mention or link.
    fn check_inert(v: &Value) {
        for (path, s) in leaves(v) {
            if path.ends_with("/url") {
                continue;
            }
            assert!(!s.contains(['<', '>']), "{path}: {s:?}");
            unescape_entities(s, &ENTITIES).unwrap();
        }
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
        let alerts = [
            opened_with(&gaps, &huge("tx")),
            acknowledged_by(&huge("by")),
        ];
        for alert in alerts {
            let v = render(&alert);
            check_limits(&v);
            check_inert(&v);
        }
        let v = render(&opened_with(&gaps, "t"));
        let shown = after_label(
            block(&v, "gaps").unwrap()["text"]["text"].as_str().unwrap(),
            "The customer wrote",
        );
        assert!(
            units(shown) > SECTION_MAX - 100,
            "cut too short: {}",
            units(shown)
        );
        assert_words_round_trip(&gaps, &unescape_entities(shown, &ENTITIES).unwrap());
    }

    fn round_trips(gaps: &str, transaction: &str, by: &str) {
        let v = render(&opened_with(gaps, transaction));
        check_limits(&v);
        check_inert(&v);
        let shown = block(&v, "gaps").unwrap()["text"]["text"].as_str().unwrap();
        let shown = after_label(shown, "The customer wrote");
        assert_words_round_trip(gaps, &unescape_entities(shown, &ENTITIES).unwrap());
        let fields = block(&v, "facts").unwrap()["fields"].as_array().unwrap();
        let tx = fields
            .iter()
            .find_map(|f| f["text"].as_str().unwrap().strip_prefix("*Transaction*\n"))
            .unwrap();
        assert_round_trip(transaction, &unescape_entities(tx, &ENTITIES).unwrap());

        // An owner's name in an overdue alert is as inert as an acknowledger's.
        let v = render(&call_overdue(by));
        check_limits(&v);
        check_inert(&v);

        let v = render(&acknowledged_by(by));
        check_limits(&v);
        check_inert(&v);
        for shown in [
            block(&v, "headline").unwrap()["text"]["text"]
                .as_str()
                .unwrap(),
            v["text"]
                .as_str()
                .unwrap()
                .strip_suffix(" \u{b7} demo")
                .unwrap(),
        ] {
            let name = shown.strip_prefix("Acknowledged by ").unwrap();
            assert_round_trip(by, &unescape_entities(name, &ENTITIES).unwrap());
        }
    }

    // Every renderer's `round_trips(gaps, transaction, by)` over the same
    // hostile, arbitrary and over-long text.
    crate::render::testing::inert_round_trip_properties!(round_trips);
}
