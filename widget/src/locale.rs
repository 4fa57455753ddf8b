//! Every string the widget shows, per language. English is the fallback; a
//! site's own copy (checked for score bait by the server) replaces the
//! matching lines for its language.

/// The languages the widget ships.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    De,
    Ar,
}

impl Lang {
    /// The first of `candidates` (language tags, best first) the widget
    /// speaks, else English.
    pub fn pick(candidates: &[&str]) -> Self {
        candidates
            .iter()
            .find_map(|tag| {
                let primary = tag.split(['-', '_']).next().unwrap_or_default();
                [Self::En, Self::De, Self::Ar]
                    .into_iter()
                    .find(|lang| primary.eq_ignore_ascii_case(lang.code()))
            })
            .unwrap_or(Self::En)
    }

    pub const fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::De => "de",
            Self::Ar => "ar",
        }
    }

    pub const fn rtl(self) -> bool {
        matches!(self, Self::Ar)
    }

    /// The launcher's label, on its own so the launcher build carries no
    /// other string.
    pub const fn launcher(self) -> &'static str {
        match self {
            Self::En | Self::De => "Feedback",
            Self::Ar => "ملاحظات",
        }
    }

    pub const fn strings(self) -> &'static Strings {
        match self {
            Self::En => &EN,
            Self::De => &DE,
            Self::Ar => &AR,
        }
    }
}

pub struct Strings {
    pub title: &'static str,
    pub question: &'static str,
    pub hint: &'static str,
    pub score_question: &'static str,
    pub score_low: &'static str,
    pub score_high: &'static str,
    pub score_clear: &'static str,
    pub callback: &'static str,
    pub name: &'static str,
    pub email: &'static str,
    pub phone: &'static str,
    pub contact_hint: &'static str,
    /// Shown with the contact fields when a score of 1 to 3 offers them:
    /// an invitation, never a condition.
    pub contact_offer: &'static str,
    pub guarantee: &'static str,
    pub guarantee_hint: &'static str,
    pub send: &'static str,
    pub sending: &'static str,
    pub close: &'static str,
    pub need_gaps: &'static str,
    pub need_contact: &'static str,
    pub thanks: &'static str,
    pub saved: &'static str,
    pub offline: &'static str,
    pub failed: &'static str,
}

pub const EN: Strings = Strings {
    title: "Tell us where we fell short",
    question: "Where did we fall short?",
    hint: "Required. Anything that was slow, unclear or not what you expected.",
    score_question: "How well did we meet your needs? (optional)",
    score_low: "1 = not at all",
    score_high: "5 = completely",
    score_clear: "Press the chosen number again to clear it.",
    callback: "I'd like a call back",
    name: "Name (optional)",
    email: "Email",
    phone: "Phone",
    contact_hint: "An email address or a phone number, so we can reach you.",
    contact_offer: "We’d like to understand what happened. If you’re willing, leave a way to reach you. You don’t have to.",
    guarantee: "Not worth what you paid? Tell us what you think it was worth — our president will call you.",
    guarantee_hint: "Write what you think it was worth in your answer above.",
    send: "Send",
    sending: "Sending…",
    close: "Close",
    need_gaps: "Please tell us where we fell short before sending.",
    need_contact: "Please give an email address or a phone number so we can call you back.",
    thanks: "Thank you",
    saved: "Saved on this device",
    offline: "You seem to be offline. Your answer is saved on this device and will be sent by itself when you are back online.",
    failed: "We could not send this. Your text is still here. Reason: ",
};

pub const DE: Strings = Strings {
    title: "Sagen Sie uns, wo wir Sie enttäuscht haben",
    question: "Wo sind wir hinter Ihren Erwartungen zurückgeblieben?",
    hint: "Pflichtfeld. Alles, was langsam, unklar oder anders als erwartet war.",
    score_question: "Wie gut haben wir Ihre Bedürfnisse erfüllt? (optional)",
    score_low: "1 = gar nicht",
    score_high: "5 = vollständig",
    score_clear: "Drücken Sie die gewählte Zahl noch einmal, um sie zu entfernen.",
    callback: "Ich möchte zurückgerufen werden",
    name: "Name (optional)",
    email: "E-Mail",
    phone: "Telefon",
    contact_hint: "Eine E-Mail-Adresse oder Telefonnummer, damit wir Sie erreichen.",
    contact_offer: "Wir möchten verstehen, was passiert ist. Wenn Sie möchten, hinterlassen Sie einen Weg, Sie zu erreichen. Sie müssen nicht.",
    guarantee: "War es nicht wert, was Sie bezahlt haben? Sagen Sie uns, was es Ihnen wert war — unser Präsident ruft Sie an.",
    guarantee_hint: "Schreiben Sie oben in Ihre Antwort, was es Ihnen wert war.",
    send: "Senden",
    sending: "Wird gesendet …",
    close: "Schließen",
    need_gaps: "Bitte sagen Sie uns vor dem Senden, wo wir Sie enttäuscht haben.",
    need_contact: "Bitte geben Sie eine E-Mail-Adresse oder Telefonnummer an, damit wir Sie zurückrufen können.",
    thanks: "Vielen Dank",
    saved: "Auf diesem Gerät gespeichert",
    offline: "Sie scheinen offline zu sein. Ihre Antwort ist auf diesem Gerät gespeichert und wird von selbst gesendet, sobald Sie wieder online sind.",
    failed: "Das konnten wir nicht senden. Ihr Text ist noch da. Grund: ",
};

pub const AR: Strings = Strings {
    title: "أخبرونا أين قصّرنا",
    question: "أين قصّرنا معكم؟",
    hint: "مطلوب. أي شيء كان بطيئًا أو غير واضح أو على غير ما توقعتم.",
    score_question: "إلى أي حد لبّينا احتياجاتكم؟ (اختياري)",
    score_low: "1 = لم نلبِّها إطلاقًا",
    score_high: "5 = لبّيناها تمامًا",
    score_clear: "اضغطوا الرقم المختار مرة أخرى لإلغائه.",
    callback: "أرغب في أن تتصلوا بي",
    name: "الاسم (اختياري)",
    email: "البريد الإلكتروني",
    phone: "الهاتف",
    contact_hint: "بريد إلكتروني أو رقم هاتف لنتمكن من التواصل معكم.",
    contact_offer: "نودّ أن نفهم ما حدث. إن رغبتم، اتركوا وسيلة للتواصل معكم. هذا ليس إلزاميًا.",
    guarantee: "ألم تكن الخدمة تستحق ما دفعتم؟ أخبرونا كم تستحق برأيكم — وسيتصل بكم رئيس الشركة.",
    guarantee_hint: "اكتبوا في إجابتكم أعلاه كم تستحق برأيكم.",
    send: "إرسال",
    sending: "جارٍ الإرسال…",
    close: "إغلاق",
    need_gaps: "يرجى إخبارنا أين قصّرنا قبل الإرسال.",
    need_contact: "يرجى كتابة بريد إلكتروني أو رقم هاتف لنتمكن من معاودة الاتصال بكم.",
    thanks: "شكرًا لكم",
    saved: "حُفظت على هذا الجهاز",
    offline:
        "يبدو أنكم غير متصلين بالإنترنت. حُفظت إجابتكم على هذا الجهاز وستُرسل تلقائيًا عند عودة الاتصال.",
    failed: "تعذّر الإرسال. نصّكم ما زال هنا. السبب: ",
};

/// The lines a site may reword (the server's `COPY_KEYS`), after its copy
/// for this language has been applied.
pub struct Copy {
    pub title: String,
    pub question: String,
    pub hint: String,
    pub score_question: String,
    pub thanks: String,
}

impl Copy {
    /// `site(key)` is the site's text for that key in this language, if any.
    pub fn new(lang: Lang, site: impl Fn(&str) -> Option<String>) -> Self {
        let t = lang.strings();
        let line = |key: &str, default: &str| {
            site(key)
                .filter(|s| !s.trim().is_empty())
                .unwrap_or_else(|| default.to_owned())
        };
        Self {
            title: line("title", t.title),
            question: line("question", t.question),
            hint: line("hint", t.hint),
            score_question: line("score_question", t.score_question),
            thanks: line("thanks", t.thanks),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn picks_the_first_language_the_widget_speaks() {
        assert_eq!(Lang::pick(&["de-AT", "en"]), Lang::De);
        assert_eq!(Lang::pick(&["", "AR"]), Lang::Ar);
        assert_eq!(Lang::pick(&["fr", "ja"]), Lang::En);
        assert_eq!(Lang::pick(&[]), Lang::En);
        assert!(Lang::Ar.rtl() && !Lang::De.rtl());
    }

    #[wasm_bindgen_test]
    fn every_language_fills_every_line_and_never_baits_a_score() {
        for lang in [Lang::En, Lang::De, Lang::Ar] {
            let t = lang.strings();
            let lines = [
                lang.launcher(),
                t.title,
                t.question,
                t.hint,
                t.score_question,
                t.score_low,
                t.score_high,
                t.score_clear,
                t.callback,
                t.name,
                t.email,
                t.phone,
                t.contact_hint,
                t.contact_offer,
                t.guarantee,
                t.guarantee_hint,
                t.send,
                t.sending,
                t.close,
                t.need_gaps,
                t.need_contact,
                t.thanks,
                t.saved,
                t.offline,
                t.failed,
            ];
            for line in lines {
                assert!(!line.trim().is_empty(), "{lang:?}");
                let lower = line.to_lowercase();
                for bait in [
                    "excellent",
                    "star",
                    "perfect",
                    "ausgezeichnet",
                    "sterne",
                    "ممتاز",
                    "نجوم",
                ] {
                    assert!(!lower.contains(bait), "{lang:?}: {line}");
                }
            }
        }
    }

    #[wasm_bindgen_test]
    fn site_copy_replaces_only_its_own_non_empty_lines() {
        let copy = Copy::new(Lang::De, |key| match key {
            "question" => Some("Was hat gefehlt?".into()),
            "hint" => Some("  ".into()),
            _ => None,
        });
        assert_eq!(copy.question, "Was hat gefehlt?");
        assert_eq!(copy.hint, DE.hint);
        assert_eq!(copy.title, DE.title);
    }
}
