//! Google Chat incoming webhooks: one card (cards v2), threaded per case.
//!
//! `textParagraph` and `decoratedText` text is HTML, so untrusted text is
//! HTML-escaped (`& < > " '`): `<users/all>` or `<a href>` show as typed. The
//! card header (plain text) only ever holds our own words. There is no
//! top-level `text`: it would parse `<users/all>` mentions. `thread.threadKey`
//! is the case id, and [`target_url`] asks Chat to reply in that thread.
//!
//! Limit (developers.google.com, "Send a message"): a message, text and cards
//! included, is at most 32,000 bytes. The customer's words are cut to 4,000
//! characters and 16,000 bytes, which keeps the whole well under it.

use super::text::{self, Limit};
use crate::alert::{Alert, Reason};
use serde_json::{json, Value};

const WORDS: Limit = Limit::chars(4000).and_bytes(16_000);
const TRANSACTION: Limit = Limit::chars(500).and_bytes(2000);
const NAME: Limit = Limit::chars(200).and_bytes(1000);
const REPLY_OPTION: &str = "messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD";

/// `url` with [`REPLY_OPTION`] added to its query, unless it names a reply
/// option already.
pub(super) fn target_url(url: &str) -> String {
    let (base, fragment) = url.split_at(url.find('#').unwrap_or(url.len()));
    let query = base.split_once('?').map(|(_, q)| q);
    if query.is_some_and(|q| q.split('&').any(|p| p.starts_with("messageReplyOption="))) {
        return url.to_owned();
    }
    let sep = match query {
        None => "?",
        Some(q) if q.is_empty() || q.ends_with('&') => "",
        Some(_) => "&",
    };
    format!("{base}{sep}{REPLY_OPTION}{fragment}")
}

fn inert(raw: &str, limit: Limit) -> String {
    text::inert(raw, text::html, limit)
}

fn decorated(label: &str, text: &str) -> Value {
    json!({"decoratedText": {"topLabel": label, "text": text, "wrapText": true}})
}

pub(super) fn body(alert: &Alert) -> Value {
    let mut widgets = Vec::new();
    if matches!(
        alert.reason,
        Reason::Acknowledged { .. } | Reason::StepOverdue { owner: Some(_), .. }
    ) {
        let headline = text::headline(alert, text::html, NAME);
        widgets.push(json!({"textParagraph": {"text": headline}}));
    }
    for (label, value) in text::facts(alert) {
        widgets.push(decorated(label, &value));
    }
    if let Some(deadline) = text::deadline(alert) {
        widgets.push(decorated("Deadline", &deadline));
    }
    if let Some(transaction) = text::transaction(alert) {
        widgets.push(decorated("Transaction", &inert(transaction, TRANSACTION)));
    }
    if let Some((contact, callback)) = text::contact(alert) {
        let mut value = contact.map(|c| inert(c, NAME)).unwrap_or_default();
        if callback {
            if contact.is_some() {
                value.push_str(" \u{b7} ");
            }
            value.push_str(text::CALLBACK);
        }
        widgets.push(decorated("Contact", &value));
    }
    let mut sections = vec![json!({"widgets": widgets})];
    if let Some(words) = text::words(alert) {
        sections.push(json!({
            "header": text::words_label(alert),
            "widgets": [{"textParagraph": {"text": inert(words, WORDS)}}],
        }));
    }
    let buttons: Vec<Value> = text::links(alert)
        .into_iter()
        .map(|link| json!({"text": link.label, "onClick": {"openLink": {"url": link.url}}}))
        .collect();
    sections.push(json!({"widgets": [{"buttonList": {"buttons": buttons}}]}));

    json!({
        "cardsV2": [{
            "cardId": "case-alert",
            "card": {
                "header": {
                    "title": text::title(alert),
                    "subtitle": text::footer(alert),
                },
                "sections": sections,
            },
        }],
        "thread": {"threadKey": alert.case_id},
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    const ENTITIES: [(&str, char); 5] = [
        ("&amp;", '&'),
        ("&lt;", '<'),
        ("&gt;", '>'),
        ("&quot;", '"'),
        ("&#39;", '\''),
    ];

    /// Google Chat's documented message size limit.
    const BODY_MAX_BYTES: usize = 32_000;

    fn raw(alert: &Alert) -> String {
        super::super::body(alert, crate::recipient::Format::GoogleChat, NOW)
    }

    fn render(alert: &Alert) -> Value {
        serde_json::from_str(&raw(alert)).unwrap()
    }

    fn unescape(s: &str) -> String {
        unescape_entities(s, &ENTITIES).unwrap()
    }

    fn sections(v: &Value) -> &[Value] {
        v["cardsV2"][0]["card"]["sections"].as_array().unwrap()
    }

    fn words(v: &Value) -> &str {
        sections(v)
            .iter()
            .find(|s| s["header"].is_string())
            .unwrap()["widgets"][0]["textParagraph"]["text"]
            .as_str()
            .unwrap()
    }

    fn decorated_text<'a>(v: &'a Value, label: &str) -> &'a str {
        sections(v)[0]["widgets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["decoratedText"]["topLabel"] == label)
            .unwrap()["decoratedText"]["text"]
            .as_str()
            .unwrap()
    }

    fn check_limits(alert: &Alert) {
        let raw = raw(alert);
        assert!(raw.len() <= BODY_MAX_BYTES, "{} bytes", raw.len());
        let v: Value = serde_json::from_str(&raw).unwrap();
        assert_eq!(
            v["thread"]["threadKey"].as_str(),
            Some(alert.case_id.as_str())
        );
        assert!(v.get("text").is_none());
        // No raw HTML from anyone: every `<`, `"`, `'` and `&` is escaped.
        for (path, s) in leaves(&v) {
            if path.ends_with("/url") {
                continue;
            }
            assert!(!s.contains(['<', '>', '"', '\'']), "{path}: {s:?}");
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
        let transaction = huge("tx");
        let alert = opened_with(&gaps, &transaction);
        check_limits(&alert);
        let v = render(&alert);
        assert!(
            units(words(&v)) > 2000,
            "cut too short: {}",
            units(words(&v))
        );
        assert_words_round_trip(&gaps, &unescape(words(&v)));
        assert_round_trip(&transaction, &unescape(decorated_text(&v, "Transaction")));
        check_limits(&acknowledged_by(&huge("by")));
        // The worst case for bytes: six bytes a character, in HTML or JSON.
        let worst: String = "\"\u{1}'😀".repeat(25_000);
        check_limits(&opened_with(&worst, &worst));
        check_limits(&acknowledged_by(&worst));
    }

    fn round_trips(gaps: &str, transaction: &str, by: &str) {
        let alert = opened_with(gaps, transaction);
        check_limits(&alert);
        let v = render(&alert);
        assert_words_round_trip(gaps, &unescape(words(&v)));
        assert_round_trip(transaction, &unescape(decorated_text(&v, "Transaction")));

        // An owner's name in an overdue alert stays within the limits.
        check_limits(&call_overdue(by));

        let alert = acknowledged_by(by);
        check_limits(&alert);
        let v = render(&alert);
        let headline = sections(&v)[0]["widgets"][0]["textParagraph"]["text"]
            .as_str()
            .unwrap();
        let name = headline.strip_prefix("Acknowledged by ").unwrap();
        assert_round_trip(by, &unescape(name));
    }

    // Every renderer's `round_trips(gaps, transaction, by)` over the same
    // hostile, arbitrary and over-long text.
    crate::render::testing::inert_round_trip_properties!(round_trips);
}
