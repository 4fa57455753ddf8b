//! Text rules shared by the chat renderers.
//!
//! The customer's words (`gaps`, `transaction`), the masked contact and the
//! acknowledger's name are untrusted. [`inert`] makes such text show as the
//! characters that were typed and nothing more:
//! - each character goes through the platform's escape ([`slack`], [`html`],
//!   [`discord`], or [`plain`] for Teams' `TextRun`, which parses nothing);
//! - a WORD JOINER (U+2060, invisible) goes after the colon of `://`, after a
//!   `www` that a dot follows and after an `@` that `everyone`, `here` or
//!   `channel` follows, so no chat tool turns the text into a link or a
//!   mention. A word joiner the customer typed is doubled, so the step can be
//!   undone exactly (the tests do). The dashboard shows the original words,
//!   unaltered;
//! - it is cut, on a character boundary, to the platform's limit, ending in
//!   "…".
//!
//! Fixed text (our labels, the tier and score wording, timestamps and the site
//! key, a validated slug) is written as is.

use crate::alert::{Alert, Reason};

pub(super) const WORD_JOINER: char = '\u{2060}';
pub(super) const ELLIPSIS: char = '\u{2026}';

/// How long one rendered string may be. `units` counts UTF-16 code units,
/// never fewer than characters, so a limit holds however the platform counts
/// "characters"; `json_bytes` counts the string's bytes once JSON-encoded, for
/// the platforms whose limit is on the message's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Limit {
    pub(super) units: usize,
    pub(super) json_bytes: usize,
}

impl Limit {
    pub(super) const fn chars(units: usize) -> Self {
        Self {
            units,
            json_bytes: usize::MAX,
        }
    }

    #[must_use]
    pub(super) const fn and_bytes(self, json_bytes: usize) -> Self {
        Self { json_bytes, ..self }
    }

    const fn admits(self, size: Size) -> bool {
        size.units <= self.units && size.json_bytes <= self.json_bytes
    }

    /// What is left once `fixed` is written.
    #[must_use]
    fn minus(self, fixed: &str) -> Self {
        let size = Size::of(fixed);
        Self {
            units: self.units.saturating_sub(size.units),
            json_bytes: self.json_bytes.saturating_sub(size.json_bytes),
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Size {
    units: usize,
    json_bytes: usize,
}

impl Size {
    fn of(s: &str) -> Self {
        Self {
            units: s.encode_utf16().count(),
            json_bytes: s.chars().map(json_len).sum(),
        }
    }

    const fn plus(self, other: Self) -> Self {
        Self {
            units: self.units.saturating_add(other.units),
            json_bytes: self.json_bytes.saturating_add(other.json_bytes),
        }
    }
}

/// Bytes `c` takes inside a JSON string as `serde_json` writes it.
const fn json_len(c: char) -> usize {
    match c {
        '"' | '\\' | '\u{8}' | '\u{c}' | '\n' | '\r' | '\t' => 2,
        c if (c as u32) < 0x20 => 6,
        c => c.len_utf8(),
    }
}

/// A string's length in UTF-16 code units.
pub(super) fn units(s: &str) -> usize {
    s.encode_utf16().count()
}

/// Writes one character so that a platform shows it literally.
pub(super) type Escape = fn(char, &mut String);

/// Teams' `TextRun` and anything else that parses nothing.
pub(super) fn plain(c: char, out: &mut String) {
    out.push(c);
}

/// Slack: `& < >` are its control characters (mentions and links are written
/// `<!here>`, `<@U123>`, `<https://x|y>`); everything else is shown as is.
pub(super) fn slack(c: char, out: &mut String) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        c => out.push(c),
    }
}

/// Google Chat card text is HTML: `& < > " '` become entities, so no tag,
/// attribute or entity the customer typed is read as markup.
pub(super) fn html(c: char, out: &mut String) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' => out.push_str("&quot;"),
        '\'' => out.push_str("&#39;"),
        c => out.push(c),
    }
}

/// The characters Discord's markdown gives a meaning to: formatting, quotes,
/// headings, lists, masked links, `<@id>`-style mentions and `:emoji:`.
pub(super) const DISCORD_MARKDOWN: [char; 15] = [
    '\\', '*', '_', '~', '`', '|', '>', '#', '-', '[', ']', '(', ')', '<', ':',
];

/// Discord: a backslash before any markdown character shows it literally.
pub(super) fn discord(c: char, out: &mut String) {
    if DISCORD_MARKDOWN.contains(&c) {
        out.push('\\');
    }
    out.push(c);
}

/// Untrusted `raw`, escaped with `escape`, defanged and cut to `limit`.
pub(super) fn inert(raw: &str, escape: Escape, limit: Limit) -> String {
    render(raw, escape, true, limit)
}

/// Our own `raw`, only cut to `limit`.
pub(super) fn cut(raw: &str, limit: Limit) -> String {
    render(raw, plain, false, limit)
}

fn render(raw: &str, escape: Escape, defang: bool, limit: Limit) -> String {
    let ellipsis = Size::of("\u{2026}");
    let chars: Vec<char> = raw.chars().collect();
    let mut out = String::new();
    let mut used = Size::default();
    // Where `out` can be cut so that an ellipsis still fits after it.
    let mut cut_at = limit.admits(ellipsis).then_some(0);
    let mut unit = String::new();
    for (i, &c) in chars.iter().enumerate() {
        unit.clear();
        if defang && c == WORD_JOINER {
            unit.push(WORD_JOINER);
            unit.push(WORD_JOINER);
        } else {
            escape(c, &mut unit);
            if defang && needs_joiner(&chars, i) {
                unit.push(WORD_JOINER);
            }
        }
        let next = used.plus(Size::of(&unit));
        if !limit.admits(next) {
            match cut_at {
                Some(at) => {
                    out.truncate(at);
                    out.push(ELLIPSIS);
                }
                None => out.clear(),
            }
            return out;
        }
        used = next;
        out.push_str(&unit);
        if limit.admits(used.plus(ellipsis)) {
            cut_at = Some(out.len());
        }
    }
    out
}

/// Whether a word joiner goes after `chars[i]` to break a link or a mention.
fn needs_joiner(chars: &[char], i: usize) -> bool {
    let rest = chars.get(i + 1..).unwrap_or_default();
    match chars.get(i) {
        Some(':') => rest.starts_with(&['/', '/']),
        Some('w' | 'W') => {
            i >= 2
                && chars[i - 2..i].iter().all(|c| c.eq_ignore_ascii_case(&'w'))
                && rest.first() == Some(&'.')
        }
        Some('@') => ["everyone", "here", "channel"]
            .iter()
            .any(|word| starts_with_ignore_case(rest, word)),
        _ => false,
    }
}

fn starts_with_ignore_case(chars: &[char], word: &str) -> bool {
    chars.len() >= word.len()
        && word
            .chars()
            .zip(chars)
            .all(|(w, c)| c.eq_ignore_ascii_case(&w))
}

// What every format shows, so the four stay alike.

/// A new case or a re-escalation: the whole story. Acknowledgements and tests
/// are kept short.
pub(super) const fn is_full(alert: &Alert) -> bool {
    matches!(
        alert.reason,
        Reason::Opened | Reason::NotAcknowledged { .. } | Reason::Raised { .. }
    )
}

/// A title with no untrusted text in it, for the places that do not escape
/// (Slack's and Google Chat's headers): the headline, except that an
/// acknowledgement's names its acknowledger in the body instead.
pub(super) fn title(alert: &Alert) -> String {
    match &alert.reason {
        Reason::Acknowledged { .. } => "Case acknowledged".to_owned(),
        Reason::StepOverdue { step, .. } => format!("Overdue: {}", step.label()),
        _ => alert.headline(),
    }
}

/// [`Alert::headline`] as fixed text, plus the acknowledger's name that ends
/// it when the alert is an acknowledgement.
pub(super) fn headline_parts(alert: &Alert) -> (String, Option<&str>) {
    let full = alert.headline();
    match &alert.reason {
        Reason::Acknowledged { by } => {
            let prefix = full
                .strip_suffix(by.as_str())
                .unwrap_or("Acknowledged by ")
                .to_owned();
            (prefix, Some(by.as_str()))
        }
        Reason::StepOverdue {
            step,
            owner: Some(owner),
        } => {
            let prefix = full.strip_suffix(owner.as_str()).map_or_else(
                || format!("Overdue: {}. Owner: ", step.label()),
                str::to_owned,
            );
            (prefix, Some(owner.as_str()))
        }
        _ => (full, None),
    }
}

/// The headline with the acknowledger's name made inert, all within `limit`.
pub(super) fn headline(alert: &Alert, escape: Escape, limit: Limit) -> String {
    let (fixed, by) = headline_parts(alert);
    let fixed = cut(&fixed, limit);
    match by {
        Some(by) => {
            let name = inert(by, escape, limit.minus(&fixed));
            format!("{fixed}{name}")
        }
        None => fixed,
    }
}

/// "Score 2 of 5", and "· Guarantee invoked" when it is.
pub(super) fn score_line(alert: &Alert) -> String {
    let score = alert.score_text();
    if alert.guarantee {
        format!("{score} \u{b7} Guarantee invoked")
    } else {
        score
    }
}

/// The facts shown as label and value; all fixed text.
pub(super) fn facts(alert: &Alert) -> Vec<(&'static str, String)> {
    if let Reason::Undelivered { count } = alert.reason {
        return vec![
            ("Site", alert.site.clone()),
            ("Not delivered", count.to_string()),
        ];
    }
    let mut facts = vec![
        ("Site", alert.site.clone()),
        ("Tier", alert.tier.label().to_owned()),
    ];
    if is_full(alert) {
        facts.push(("Sent to", alert.level.audience().to_owned()));
    }
    facts.push(("Score", score_line(alert)));
    facts
}

/// The acknowledgement deadline, on the alerts that ask for one.
pub(super) fn deadline(alert: &Alert) -> Option<String> {
    is_full(alert).then(|| alert.deadline_text()).flatten()
}

/// The label over the customer's words (a test alert carries a sample).
pub(super) const fn words_label(alert: &Alert) -> &'static str {
    match alert.reason {
        Reason::Test => "Sample text",
        Reason::Undelivered { .. } => "What to do",
        _ => "The customer wrote",
    }
}

/// The customer's words, on every alert but an acknowledgement.
pub(super) fn words(alert: &Alert) -> Option<&str> {
    (!matches!(alert.reason, Reason::Acknowledged { .. })).then_some(alert.gaps.as_str())
}

/// The transaction the customer named, on full alerts.
pub(super) fn transaction(alert: &Alert) -> Option<&str> {
    if is_full(alert) {
        alert.transaction.as_deref()
    } else {
        None
    }
}

pub(super) const CALLBACK: &str = "callback requested";

/// The masked contact and whether a callback was asked for, on full alerts.
pub(super) fn contact(alert: &Alert) -> Option<(Option<&str>, bool)> {
    let contact = alert.contact.as_deref();
    (is_full(alert) && (contact.is_some() || alert.callback)).then_some((contact, alert.callback))
}

/// A link the alert offers: ours, never the customer's.
pub(super) struct Link<'a> {
    /// A stable id (Slack's `action_id`).
    pub(super) id: &'static str,
    pub(super) label: &'static str,
    pub(super) url: &'a str,
    /// The action the alert asks for.
    pub(super) primary: bool,
}

/// Acknowledge (when there is something to acknowledge), then the dashboard.
pub(super) fn links(alert: &Alert) -> Vec<Link<'_>> {
    let ack = alert.ack_url.as_deref().map(|url| Link {
        id: "acknowledge",
        label: "Acknowledge",
        url,
        primary: true,
    });
    let dashboard = Link {
        id: "open_dashboard",
        label: "Open in dashboard",
        url: &alert.dashboard_url,
        primary: false,
    };
    ack.into_iter().chain([dashboard]).collect()
}

/// The small print: which case, and when it was opened.
pub(super) fn footer(alert: &Alert) -> String {
    if let Reason::Undelivered { .. } = alert.reason {
        return format!(
            "Candor \u{b7} operator notice \u{b7} {}",
            alert.opened_at.to_rfc3339()
        );
    }
    format!(
        "Candor \u{b7} case {} \u{b7} opened {}",
        alert.case_id,
        alert.opened_at.to_rfc3339()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_only_escaped() {
        assert_eq!(
            inert("a < b & c", slack, Limit::chars(100)),
            "a &lt; b &amp; c"
        );
        assert_eq!(
            inert("it's \"x\"", html, Limit::chars(100)),
            "it&#39;s &quot;x&quot;"
        );
        assert_eq!(
            inert("*a* [b](c)", discord, Limit::chars(100)),
            "\\*a\\* \\[b\\]\\(c\\)"
        );
        assert_eq!(inert("<at>x</at>", plain, Limit::chars(100)), "<at>x</at>");
    }

    #[test]
    fn links_and_mentions_are_broken_by_a_word_joiner() {
        let wj = WORD_JOINER;
        assert_eq!(
            inert("see https://evil.example", plain, Limit::chars(100)),
            format!("see https:{wj}//evil.example")
        );
        assert_eq!(
            inert("WWW.evil.example", plain, Limit::chars(100)),
            format!("WWW{wj}.evil.example")
        );
        assert_eq!(
            inert("hi @everyone @Here @channel @ana", plain, Limit::chars(100)),
            format!("hi @{wj}everyone @{wj}Here @{wj}channel @ana")
        );
        assert_eq!(
            inert("a\u{2060}b", plain, Limit::chars(100)),
            format!("a{wj}{wj}b")
        );
        // `cut` is for our own text: nothing is defanged.
        assert_eq!(cut("https://x", Limit::chars(100)), "https://x");
    }

    #[test]
    fn long_text_is_cut_on_a_character_boundary_with_an_ellipsis() {
        assert_eq!(inert("abcdef", plain, Limit::chars(6)), "abcdef");
        assert_eq!(inert("abcdefg", plain, Limit::chars(6)), "abcde\u{2026}");
        // An emoji is two UTF-16 units: it is never split.
        let cut_emoji = inert("ab😀😀", plain, Limit::chars(4));
        assert_eq!(cut_emoji, "ab\u{2026}");
        assert!(units(&cut_emoji) <= 4);
        // Escapes are never split either, and count at their full size.
        assert_eq!(inert("a&b&c", slack, Limit::chars(8)), "a&amp;b\u{2026}");
        assert_eq!(inert("a&b&c", slack, Limit::chars(7)), "a&amp;\u{2026}");
        assert_eq!(inert("a*b", discord, Limit::chars(3)), "a\u{2026}");
        // A byte limit counts the JSON encoding: a control character is 6.
        let limit = Limit::chars(100).and_bytes(8);
        assert_eq!(inert("\u{1}\u{1}", plain, limit), "\u{2026}");
        assert_eq!(
            inert("\u{1}\u{1}", plain, Limit::chars(100).and_bytes(10)),
            "\u{1}\u{2026}"
        );
        assert_eq!(inert("", plain, Limit::chars(0)), "");
        assert_eq!(inert("abc", plain, Limit::chars(0)), "");
    }

    #[test]
    fn json_sizes_match_serde_json() {
        for c in [
            'a', '"', '\\', '\n', '\u{1}', '\u{7f}', 'é', '😀', '\u{2028}',
        ] {
            let encoded = serde_json::Value::String(c.to_string()).to_string();
            assert_eq!(json_len(c), encoded.len() - 2, "{c:?}");
        }
    }
}
