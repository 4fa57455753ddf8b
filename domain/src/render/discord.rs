//! Discord webhooks: a short `content` line and one embed.
//!
//! `allowed_mentions: {"parse": []}` means nothing in the message pings
//! anyone; on top of that, untrusted text has every markdown character
//! backslash-escaped (so `<@123>`, `[x](url)` or `**` show as typed) and
//! `@everyone`/`@here` broken by a word joiner. Plain webhooks cannot carry
//! buttons, so the links are masked links in a field (URLs are ours).
//!
//! Limits (discord.com developer docs, "Embed Limits" and "Execute Webhook"):
//! `content` 2,000 characters; title 256; description 4,096; 25 fields, name
//! 256 and value 1,024; footer text 2,048; and 6,000 in all across every
//! title, description, field name and value, footer text and author name.

use super::text::{self, units, Limit};
use crate::alert::{Alert, Reason};
use crate::Tier;
use serde_json::{json, Value};

pub(super) const CONTENT_MAX: usize = 2000;
pub(super) const TITLE_MAX: usize = 256;
pub(super) const DESCRIPTION_MAX: usize = 4096;
pub(super) const FIELDS_MAX: usize = 25;
pub(super) const FIELD_VALUE_MAX: usize = 1024;
pub(super) const FOOTER_MAX: usize = 2048;
pub(super) const EMBED_TOTAL_MAX: usize = 6000;
const NAME_MAX: usize = 200;

const fn color(alert: &Alert) -> u32 {
    match alert.reason {
        Reason::Acknowledged { .. } => 0x2E_7D32,
        Reason::Test => 0x60_7D8B,
        Reason::Undelivered { .. } => 0xC6_2828,
        Reason::StepOverdue { .. } => 0xEF_6C00,
        Reason::Opened | Reason::NotAcknowledged { .. } | Reason::Raised { .. } => {
            match alert.level {
                Tier::President => 0xC6_2828,
                Tier::Senior => 0xEF_6C00,
                Tier::Account => 0xF9_A825,
                Tier::Service => 0x15_65C0,
                Tier::None => 0x60_7D8B,
            }
        }
    }
}

struct Field {
    name: &'static str,
    value: String,
    inline: bool,
}

fn fields(alert: &Alert) -> Vec<Field> {
    let inert = |raw: &str, max: usize| text::inert(raw, text::discord, Limit::chars(max));
    let mut fields: Vec<Field> = text::facts(alert)
        .into_iter()
        .map(|(name, value)| Field {
            name,
            value,
            inline: true,
        })
        .collect();
    if let (Some(deadline), Some(due)) = (text::deadline(alert), alert.ack_due_at) {
        // Discord shows `<t:…:R>` as "in 30 minutes" in the reader's locale.
        fields.push(Field {
            name: "Deadline",
            value: format!("{deadline} (<t:{}:R>)", due.seconds()),
            inline: true,
        });
    }
    if let Some(transaction) = text::transaction(alert) {
        fields.push(Field {
            name: "Transaction",
            value: inert(transaction, FIELD_VALUE_MAX),
            inline: true,
        });
    }
    if let Some((contact, callback)) = text::contact(alert) {
        let mut value = contact.map(|c| inert(c, NAME_MAX)).unwrap_or_default();
        if callback {
            if !value.is_empty() {
                value.push_str(" \u{b7} ");
            }
            value.push_str(text::CALLBACK);
        }
        fields.push(Field {
            name: "Contact",
            value,
            inline: true,
        });
    }
    let mut links = String::new();
    for link in text::links(alert) {
        let masked = format!("[{}]({})", link.label, link.url);
        let sep = if links.is_empty() { "" } else { " \u{b7} " };
        if units(&links) + units(sep) + units(&masked) <= FIELD_VALUE_MAX {
            links.push_str(sep);
            links.push_str(&masked);
        }
    }
    fields.push(Field {
        name: "Links",
        value: links,
        inline: false,
    });
    // Discord refuses blank field values.
    fields.retain(|f| !f.value.trim().is_empty());
    fields.truncate(FIELDS_MAX);
    fields
}

pub(super) fn body(alert: &Alert) -> Value {
    let title = text::headline(alert, text::discord, Limit::chars(TITLE_MAX));
    let footer = text::cut(&text::footer(alert), Limit::chars(FOOTER_MAX));
    let fields = fields(alert);
    let used = units(&title)
        + units(&footer)
        + fields
            .iter()
            .map(|f| units(f.name) + units(&f.value))
            .sum::<usize>();
    let room = DESCRIPTION_MAX.min(EMBED_TOTAL_MAX.saturating_sub(used));

    let mut embed = json!({
        "title": title,
        "url": alert.dashboard_url,
        "color": color(alert),
        "fields": fields
            .iter()
            .map(|f| json!({"name": f.name, "value": f.value, "inline": f.inline}))
            .collect::<Vec<_>>(),
        "footer": {"text": footer},
        "timestamp": alert.opened_at.to_rfc3339(),
    });
    if let Some(words) = text::words(alert) {
        let description = text::inert(words, text::discord, Limit::chars(room));
        if !description.trim().is_empty() {
            embed["description"] = json!(description);
        }
    }
    let content = format!("{title} \u{b7} {}", alert.site);
    json!({
        "content": text::cut(&content, Limit::chars(CONTENT_MAX)),
        "allowed_mentions": {"parse": []},
        "embeds": [embed],
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    const FIELD_NAME_MAX: usize = 256;

    fn render(alert: &Alert) -> Value {
        let raw = super::super::body(alert, crate::recipient::Format::Discord, NOW);
        serde_json::from_str(&raw).unwrap()
    }

    /// What must be escaped, listed apart from the renderer's own list so
    /// the tests catch a character dropped from it.
    const MARKDOWN: [char; 15] = [
        '\\', '*', '_', '~', '`', '|', '>', '#', '-', '[', ']', '(', ')', '<', ':',
    ];

    fn unescape(s: &str) -> String {
        unescape_backslashes(s, &MARKDOWN).unwrap()
    }

    fn field<'a>(v: &'a Value, name: &str) -> Option<&'a str> {
        v["embeds"][0]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .map(|f| f["value"].as_str().unwrap())
    }

    fn check_limits(v: &Value) {
        assert_eq!(v["allowed_mentions"], json!({"parse": []}));
        assert!(units(v["content"].as_str().unwrap()) <= CONTENT_MAX);
        let embeds = v["embeds"].as_array().unwrap();
        assert!(embeds.len() <= 10);
        let mut total = 0;
        for e in embeds {
            let title = units(e["title"].as_str().unwrap_or_default());
            let description = units(e["description"].as_str().unwrap_or_default());
            let footer = units(e["footer"]["text"].as_str().unwrap_or_default());
            assert!(title <= TITLE_MAX, "title {title}");
            assert!(description <= DESCRIPTION_MAX, "description {description}");
            assert!(footer <= FOOTER_MAX);
            total += title + description + footer;
            let fields = e["fields"].as_array().unwrap();
            assert!(fields.len() <= FIELDS_MAX);
            for f in fields {
                let name = f["name"].as_str().unwrap();
                let value = f["value"].as_str().unwrap();
                assert!(!name.trim().is_empty() && !value.trim().is_empty());
                assert!(units(name) <= FIELD_NAME_MAX);
                assert!(units(value) <= FIELD_VALUE_MAX, "{name} {}", units(value));
                total += units(name) + units(value);
            }
        }
        assert!(total <= EMBED_TOTAL_MAX, "embed total {total}");
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
        let v = render(&opened_with(&gaps, &transaction));
        check_limits(&v);
        let description = v["embeds"][0]["description"].as_str().unwrap();
        assert!(
            units(description) > 2500,
            "cut too short: {}",
            units(description)
        );
        assert_words_round_trip(&gaps, &unescape(description));
        assert_round_trip(&transaction, &unescape(field(&v, "Transaction").unwrap()));
        check_limits(&render(&acknowledged_by(&huge("by"))));
    }

    fn round_trips(gaps: &str, transaction: &str, by: &str) {
        let v = render(&opened_with(gaps, transaction));
        check_limits(&v);
        let description = v["embeds"][0]["description"].as_str();
        match description {
            Some(d) => assert_words_round_trip(gaps, &unescape(d)),
            None => assert!(gaps.trim().is_empty()),
        }
        match field(&v, "Transaction") {
            Some(t) => assert_round_trip(transaction, &unescape(t)),
            None => assert!(transaction.trim().is_empty()),
        }

        check_limits(&render(&call_overdue(by)));

        let v = render(&acknowledged_by(by));
        check_limits(&v);
        let title = v["embeds"][0]["title"].as_str().unwrap();
        let content = v["content"].as_str().unwrap();
        for shown in [title, content.strip_suffix(" \u{b7} demo").unwrap()] {
            let name = shown.strip_prefix("Acknowledged by ").unwrap();
            assert_round_trip(by, &unescape(name));
        }
    }

    // Every renderer's `round_trips(gaps, transaction, by)` over the same
    // hostile, arbitrary and over-long text.
    crate::render::testing::inert_round_trip_properties!(round_trips);
}
