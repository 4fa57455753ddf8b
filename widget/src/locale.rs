//! Every string the widget shows, per locale. English is the fallback.

pub struct Strings {
    pub launcher: &'static str,
    pub title: &'static str,
    pub gaps_label: &'static str,
    pub gaps_hint: &'static str,
    pub score_legend: &'static str,
    pub score_low: &'static str,
    pub score_high: &'static str,
    pub submit: &'static str,
    pub sending: &'static str,
    pub close: &'static str,
    pub need_gaps: &'static str,
    pub failed: &'static str,
}

pub const EN: Strings = Strings {
    launcher: "Feedback",
    title: "Tell us where we fell short",
    gaps_label: "Where did we fall short?",
    gaps_hint: "Required. Anything that was slow, unclear or not what you expected.",
    score_legend: "How well did we meet your needs? (optional)",
    score_low: "1 = not at all",
    score_high: "5 = fully",
    submit: "Send",
    sending: "Sending…",
    close: "Close",
    need_gaps: "Please tell us where we fell short before sending.",
    failed: "We could not send this. Your text is kept here; please try again.",
};

pub fn strings(_locale: &str) -> &'static Strings {
    &EN
}
