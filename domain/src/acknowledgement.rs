//! The thank-you the customer sees at once (docs/product-rules.md#rule-2): warm for every
//! answer, and it names the next step — who will call and within what time
//! when someone will, otherwise what the team does with the answer.
//!
//! Written in each language the widget ships ([`Lang`]): English, German
//! (formal "Sie") and Arabic; any other locale is answered in English.

use crate::lang::Lang;
use crate::Tier;

/// "15 minutes", "1 hour", "4 hours", "90 minutes" — and likewise
/// "15 Minuten", "1 Stunde", "4 Stunden" or "15 دقيقة", "ساعة واحدة",
/// "4 ساعات". Arabic counts are in the form that follows a preposition
/// ("خلال ساعتين"), which is where the acknowledgement uses them.
pub fn human_minutes(minutes: u32, lang: Lang) -> String {
    match lang {
        Lang::En => match minutes {
            1 => "1 minute".to_owned(),
            60 => "1 hour".to_owned(),
            m if m % 60 == 0 => format!("{} hours", m / 60),
            m => format!("{m} minutes"),
        },
        Lang::De => match minutes {
            1 => "1 Minute".to_owned(),
            60 => "1 Stunde".to_owned(),
            m if m % 60 == 0 => format!("{} Stunden", m / 60),
            m => format!("{m} Minuten"),
        },
        Lang::Ar => match minutes {
            m if m % 60 == 0 => arabic_count(m / 60, "ساعة", "ساعتين", "ساعات"),
            m => arabic_count(m, "دقيقة", "دقيقتين", "دقائق"),
        },
    }
}

/// An Arabic count of a feminine noun: "ساعة واحدة", "ساعتين", "3 ساعات"
/// (3–10, also 103–110, … take the plural), "15 ساعة" (11–99 and whole
/// hundreds take the singular).
fn arabic_count(n: u32, singular: &str, dual: &str, plural: &str) -> String {
    match n {
        1 => format!("{singular} واحدة"),
        2 => dual.to_owned(),
        n if (3..=10).contains(&(n % 100)) => format!("{n} {plural}"),
        n => format!("{n} {singular}"),
    }
}

/// "within 4 hours"; `None` (no SLA for the tier) is a working day.
fn within(minutes: Option<u32>, lang: Lang) -> String {
    match (lang, minutes) {
        (Lang::En, None) => "within a working day".to_owned(),
        (Lang::En, Some(m)) => format!("within {}", human_minutes(m, lang)),
        (Lang::De, None) => "innerhalb eines Werktages".to_owned(),
        (Lang::De, Some(1)) => "innerhalb einer Minute".to_owned(),
        (Lang::De, Some(60)) => "innerhalb einer Stunde".to_owned(),
        (Lang::De, Some(m)) => format!("innerhalb von {}", human_minutes(m, lang)),
        (Lang::Ar, None) => "خلال يوم عمل واحد".to_owned(),
        (Lang::Ar, Some(m)) => format!("خلال {}", human_minutes(m, lang)),
    }
}

/// Who acts next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    ServiceManager,
    AccountManager,
    AccountAndServiceManagers,
    SeniorManagement,
    President,
}

/// How a verb agrees with who acts: English and German only tell one from
/// several; Arabic also tells feminine from masculine, and two is a dual.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Agree {
    One,
    OneFeminine,
    Two,
}

/// The role as the subject of a sentence, and how its verbs agree.
fn subject(role: Role, lang: Lang) -> (&'static str, Agree) {
    use Agree::{One, OneFeminine, Two};
    match (lang, role) {
        (Lang::En, Role::ServiceManager) => ("Our service manager", One),
        (Lang::En, Role::AccountManager) => ("Your account manager", One),
        (Lang::En, Role::AccountAndServiceManagers) => {
            ("Your account manager and our service manager", Two)
        }
        (Lang::En, Role::SeniorManagement) => ("Our senior management", One),
        (Lang::En, Role::President) => ("Our president", One),
        (Lang::De, Role::ServiceManager) => ("Unsere Serviceleitung", OneFeminine),
        (Lang::De, Role::AccountManager) => ("Ihre Kundenbetreuung", OneFeminine),
        (Lang::De, Role::AccountAndServiceManagers) => {
            ("Ihre Kundenbetreuung und unsere Serviceleitung", Two)
        }
        (Lang::De, Role::SeniorManagement) => ("Unsere Geschäftsleitung", OneFeminine),
        (Lang::De, Role::President) => ("Unser Präsident", One),
        (Lang::Ar, Role::ServiceManager) => ("مدير الخدمة لدينا", One),
        (Lang::Ar, Role::AccountManager) => ("مدير حسابكم", One),
        (Lang::Ar, Role::AccountAndServiceManagers) => ("مدير حسابكم ومدير الخدمة لدينا", Two),
        (Lang::Ar, Role::SeniorManagement) => ("الإدارة العليا لدينا", OneFeminine),
        (Lang::Ar, Role::President) => ("رئيس الشركة", One),
    }
}

/// "<who> will call you back <when>."
fn will_call(role: Role, when: &str, lang: Lang) -> String {
    let (who, agree) = subject(role, lang);
    match lang {
        Lang::En => format!("{who} will call you back {when}."),
        Lang::De => {
            let will = if agree == Agree::Two {
                "werden"
            } else {
                "wird"
            };
            format!("{who} {will} Sie {when} zurückrufen.")
        }
        Lang::Ar => {
            // Verb first, so it takes the gender of the first subject and
            // stays singular even for two.
            let will_call = if agree == Agree::OneFeminine {
                "ستتصل"
            } else {
                "سيتصل"
            };
            format!("{will_call} بكم {who} {when}.")
        }
    }
}

/// "<who> has been told and will act on it <when>." — no call promised.
fn has_been_told(role: Role, when: &str, lang: Lang) -> String {
    let (who, agree) = subject(role, lang);
    match lang {
        Lang::En => {
            let has = if agree == Agree::Two { "have" } else { "has" };
            format!("{who} {has} been told and will act on it {when}.")
        }
        Lang::De => {
            let (is, takes_care) = if agree == Agree::Two {
                ("sind", "kümmern")
            } else {
                ("ist", "kümmert")
            };
            format!("{who} {is} bereits informiert und {takes_care} sich {when} darum.")
        }
        Lang::Ar => {
            let will_act = match agree {
                Agree::One => "وسيتخذ",
                Agree::OneFeminine => "وستتخذ",
                Agree::Two => "وسيتخذان",
            };
            format!("تم إبلاغ {who}، {will_act} الإجراء اللازم {when}.")
        }
    }
}

/// The acknowledgement text for a stored response, in the customer's
/// language.
///
/// `reachable` says whether the customer left an email or phone number, so
/// the text never promises a call nobody can make. `ack_minutes` is the
/// tier's acknowledge deadline from the site's SLA.
pub fn next_step(tier: Tier, reachable: bool, ack_minutes: Option<u32>, lang: Lang) -> String {
    let role = match tier {
        Tier::None => return plain_answer(lang).to_owned(),
        Tier::Service => Role::ServiceManager,
        Tier::Account => Role::AccountAndServiceManagers,
        Tier::Senior => Role::SeniorManagement,
        Tier::President => Role::President,
    };
    // Critical answers are thanked for their honesty, as warmly as praise.
    let thanks = match (lang, tier == Tier::Service) {
        (Lang::En, true) => "Thank you.",
        (Lang::En, false) => {
            "Thank you for being honest with us — this is exactly what we need to hear."
        }
        (Lang::De, true) => "Vielen Dank.",
        (Lang::De, false) => "Vielen Dank für Ihre Offenheit – genau das müssen wir wissen.",
        (Lang::Ar, true) => "شكرًا لكم.",
        (Lang::Ar, false) => "شكرًا لصراحتكم معنا، فهذا بالضبط ما نحتاج إلى سماعه.",
    };
    let when = within(ack_minutes, lang);
    let next = if reachable {
        will_call(role, &when, lang)
    } else {
        has_been_told(role, &when, lang)
    };
    format!("{thanks} {next}")
}

/// The thank-you for an answer that alerts nobody: what the team does with it.
fn plain_answer(lang: Lang) -> &'static str {
    match lang {
        Lang::En => {
            "Thank you for telling us where we fell short. Every answer is read by \
             our team, and the most common gaps go to the top of our list of fixes."
        }
        Lang::De => {
            "Vielen Dank, dass Sie uns sagen, wo wir nicht gut genug waren. Unser Team \
             liest jede Antwort, und die häufigsten Schwachstellen setzen wir ganz oben \
             auf unsere Liste der Verbesserungen."
        }
        Lang::Ar => {
            "شكرًا لأنكم أخبرتمونا أين قصّرنا. يقرأ فريقنا كل إجابة، وتتصدّر أوجه القصور \
             الأكثر تكرارًا قائمة الإصلاحات لدينا."
        }
    }
}

/// The thank-you when a callback request joins the contact's open case
/// (rule 6): no second case, but the customer still hears who will call and
/// by when. `minutes_left` is the open case's time to its acknowledge
/// deadline (`None` or `0` once it has passed).
pub fn added_to_open_case(case_tier: Tier, minutes_left: Option<u32>, lang: Lang) -> String {
    let role = match case_tier {
        Tier::None | Tier::Service => Role::ServiceManager,
        Tier::Account => Role::AccountManager,
        Tier::Senior => Role::SeniorManagement,
        Tier::President => Role::President,
    };
    let when = match (minutes_left, lang) {
        (Some(m), _) if m > 0 => within(Some(m), lang),
        (_, Lang::En) => "very soon".to_owned(),
        (_, Lang::De) => "in Kürze".to_owned(),
        (_, Lang::Ar) => "في أقرب وقت".to_owned(),
    };
    let thanks = match lang {
        Lang::En => {
            "Thank you — we have added this to the request you already have open with us, \
             so nothing gets lost."
        }
        Lang::De => {
            "Vielen Dank – wir haben Ihre Nachricht Ihrer bereits offenen Anfrage \
             zugeordnet, damit nichts verloren geht."
        }
        Lang::Ar => "شكرًا لكم، لقد أضفنا رسالتكم إلى طلبكم القائم لدينا حتى لا يضيع شيء.",
    };
    format!("{thanks} {}", will_call(role, &when, lang))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const TIERS: [Tier; 5] = [
        Tier::None,
        Tier::Service,
        Tier::Account,
        Tier::Senior,
        Tier::President,
    ];
    const LANGS: [Lang; 3] = [Lang::En, Lang::De, Lang::Ar];

    /// Words that would show an English phrase left in a translation
    /// ("Minute" is German too).
    const ENGLISH: [&str; 22] = [
        "thank",
        "thanks",
        "you",
        "your",
        "our",
        "we",
        "call",
        "back",
        "within",
        "minutes",
        "hour",
        "hours",
        "day",
        "has",
        "have",
        "been",
        "told",
        "manager",
        "management",
        "senior",
        "president",
        "soon",
    ];

    fn words(text: &str) -> impl Iterator<Item = String> + '_ {
        text.split(|c: char| !c.is_alphabetic())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
    }

    /// What names who acts next for a tier, in each language.
    fn names(tier: Tier, lang: Lang) -> &'static [&'static str] {
        match (lang, tier) {
            (Lang::En, Tier::None) => &["our team"],
            (Lang::En, Tier::Service) => &["service manager"],
            (Lang::En, Tier::Account) => &["account manager", "service manager"],
            (Lang::En, Tier::Senior) => &["senior management"],
            (Lang::En, Tier::President) => &["president"],
            (Lang::De, Tier::None) => &["Unser Team"],
            (Lang::De, Tier::Service) => &["Serviceleitung"],
            (Lang::De, Tier::Account) => &["Kundenbetreuung", "Serviceleitung"],
            (Lang::De, Tier::Senior) => &["Geschäftsleitung"],
            (Lang::De, Tier::President) => &["Präsident"],
            (Lang::Ar, Tier::None) => &["فريقنا"],
            (Lang::Ar, Tier::Service) => &["مدير الخدمة"],
            (Lang::Ar, Tier::Account) => &["مدير حسابكم", "مدير الخدمة"],
            (Lang::Ar, Tier::Senior) => &["الإدارة العليا"],
            (Lang::Ar, Tier::President) => &["رئيس الشركة"],
        }
    }

    /// What promises a call, in each language.
    fn promises_a_call(text: &str, lang: Lang) -> bool {
        match lang {
            Lang::En => text.contains("call"),
            Lang::De => text.contains("ruf"),
            Lang::Ar => text.contains("تصل"),
        }
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human_minutes(15, Lang::En), "15 minutes");
        assert_eq!(human_minutes(60, Lang::En), "1 hour");
        assert_eq!(human_minutes(240, Lang::En), "4 hours");
        assert_eq!(human_minutes(90, Lang::En), "90 minutes");
        assert_eq!(human_minutes(1, Lang::En), "1 minute");
    }

    #[test]
    fn durations_read_naturally_in_german() {
        assert_eq!(human_minutes(15, Lang::De), "15 Minuten");
        assert_eq!(human_minutes(1, Lang::De), "1 Minute");
        assert_eq!(human_minutes(60, Lang::De), "1 Stunde");
        assert_eq!(human_minutes(240, Lang::De), "4 Stunden");
        assert_eq!(human_minutes(90, Lang::De), "90 Minuten");
        assert_eq!(within(Some(60), Lang::De), "innerhalb einer Stunde");
        assert_eq!(within(Some(30), Lang::De), "innerhalb von 30 Minuten");
        assert_eq!(within(None, Lang::De), "innerhalb eines Werktages");
    }

    #[test]
    fn durations_read_naturally_in_arabic() {
        assert_eq!(human_minutes(1, Lang::Ar), "دقيقة واحدة");
        assert_eq!(human_minutes(2, Lang::Ar), "دقيقتين");
        assert_eq!(human_minutes(5, Lang::Ar), "5 دقائق");
        assert_eq!(human_minutes(10, Lang::Ar), "10 دقائق");
        assert_eq!(human_minutes(15, Lang::Ar), "15 دقيقة");
        assert_eq!(human_minutes(90, Lang::Ar), "90 دقيقة");
        assert_eq!(human_minutes(105, Lang::Ar), "105 دقائق");
        assert_eq!(human_minutes(60, Lang::Ar), "ساعة واحدة");
        assert_eq!(human_minutes(120, Lang::Ar), "ساعتين");
        assert_eq!(human_minutes(240, Lang::Ar), "4 ساعات");
        assert_eq!(human_minutes(24 * 60, Lang::Ar), "24 ساعة");
        assert_eq!(within(Some(30), Lang::Ar), "خلال 30 دقيقة");
    }

    #[test]
    fn callbacks_name_who_and_when() {
        assert_eq!(
            next_step(Tier::Service, true, Some(240), Lang::En),
            "Thank you. Our service manager will call you back within 4 hours."
        );
        let president = next_step(Tier::President, true, Some(15), Lang::En);
        assert!(president.contains("Our president will call you back within 15 minutes"));
    }

    #[test]
    fn escalations_without_contact_promise_no_call() {
        let t = next_step(Tier::Account, false, Some(60), Lang::En);
        assert!(!t.contains("call"), "{t}");
        assert!(t.contains("have been told"), "{t}");
        assert!(next_step(Tier::Senior, false, Some(30), Lang::En).contains("has been told"));
    }

    #[test]
    fn plain_answers_say_what_happens_with_them() {
        let t = next_step(Tier::None, false, None, Lang::En);
        assert!(t.starts_with("Thank you"));
        assert!(t.contains("list of fixes"));
    }

    #[test]
    fn a_joined_case_still_says_who_calls_and_when() {
        assert_eq!(
            added_to_open_case(Tier::Senior, Some(12), Lang::En),
            "Thank you — we have added this to the request you already have open with us, \
             so nothing gets lost. Our senior management will call you back within 12 minutes."
        );
        assert!(added_to_open_case(Tier::Service, Some(0), Lang::En)
            .ends_with("Our service manager will call you back very soon."));
        assert!(added_to_open_case(Tier::President, None, Lang::En).contains("Our president"));
    }

    #[test]
    fn english_is_unchanged() {
        assert_eq!(
            next_step(Tier::Senior, true, Some(30), Lang::En),
            "Thank you for being honest with us — this is exactly what we need to hear. \
             Our senior management will call you back within 30 minutes."
        );
        assert_eq!(
            next_step(Tier::Account, false, None, Lang::En),
            "Thank you for being honest with us — this is exactly what we need to hear. \
             Your account manager and our service manager have been told and will act on \
             it within a working day."
        );
        assert_eq!(
            next_step(Tier::None, true, Some(60), Lang::En),
            "Thank you for telling us where we fell short. Every answer is read by our \
             team, and the most common gaps go to the top of our list of fixes."
        );
    }

    #[test]
    fn german_speaks_formally_and_naturally() {
        assert_eq!(
            next_step(Tier::Senior, true, Some(30), Lang::De),
            "Vielen Dank für Ihre Offenheit – genau das müssen wir wissen. \
             Unsere Geschäftsleitung wird Sie innerhalb von 30 Minuten zurückrufen."
        );
        assert_eq!(
            next_step(Tier::Account, false, Some(60), Lang::De),
            "Vielen Dank für Ihre Offenheit – genau das müssen wir wissen. \
             Ihre Kundenbetreuung und unsere Serviceleitung sind bereits informiert und \
             kümmern sich innerhalb einer Stunde darum."
        );
        assert_eq!(
            next_step(Tier::Service, true, Some(240), Lang::De),
            "Vielen Dank. Unsere Serviceleitung wird Sie innerhalb von 4 Stunden zurückrufen."
        );
        assert_eq!(
            added_to_open_case(Tier::Service, Some(0), Lang::De),
            "Vielen Dank – wir haben Ihre Nachricht Ihrer bereits offenen Anfrage \
             zugeordnet, damit nichts verloren geht. Unsere Serviceleitung wird Sie in \
             Kürze zurückrufen."
        );
        for tier in TIERS {
            for reachable in [true, false] {
                let t = next_step(tier, reachable, Some(30), Lang::De);
                if reachable || tier == Tier::None {
                    assert!(t.contains(" Sie "), "{t}");
                }
                for informal in ["du", "dich", "dir", "dein", "deine", "euch"] {
                    assert!(words(&t).all(|w| w != informal), "{informal}: {t}");
                }
            }
        }
    }

    #[test]
    fn arabic_agrees_with_who_acts() {
        assert_eq!(
            next_step(Tier::Senior, true, Some(30), Lang::Ar),
            "شكرًا لصراحتكم معنا، فهذا بالضبط ما نحتاج إلى سماعه. \
             ستتصل بكم الإدارة العليا لدينا خلال 30 دقيقة."
        );
        assert_eq!(
            next_step(Tier::Senior, false, Some(30), Lang::Ar),
            "شكرًا لصراحتكم معنا، فهذا بالضبط ما نحتاج إلى سماعه. \
             تم إبلاغ الإدارة العليا لدينا، وستتخذ الإجراء اللازم خلال 30 دقيقة."
        );
        assert_eq!(
            next_step(Tier::Account, false, Some(60), Lang::Ar),
            "شكرًا لصراحتكم معنا، فهذا بالضبط ما نحتاج إلى سماعه. \
             تم إبلاغ مدير حسابكم ومدير الخدمة لدينا، وسيتخذان الإجراء اللازم خلال ساعة واحدة."
        );
        assert_eq!(
            next_step(Tier::Service, true, Some(240), Lang::Ar),
            "شكرًا لكم. سيتصل بكم مدير الخدمة لدينا خلال 4 ساعات."
        );
        assert_eq!(
            added_to_open_case(Tier::President, Some(15), Lang::Ar),
            "شكرًا لكم، لقد أضفنا رسالتكم إلى طلبكم القائم لدينا حتى لا يضيع شيء. \
             سيتصل بكم رئيس الشركة خلال 15 دقيقة."
        );
    }

    #[test]
    fn verbs_agree_with_one_or_several() {
        let agree = |tier, lang, reachable| next_step(tier, reachable, Some(60), lang);
        assert!(agree(Tier::Account, Lang::De, true).contains(" werden Sie "));
        assert!(agree(Tier::Senior, Lang::De, true).contains(" wird Sie "));
        assert!(agree(Tier::Account, Lang::De, false).contains(" sind bereits "));
        assert!(agree(Tier::President, Lang::De, false).contains(" ist bereits "));
        assert!(agree(Tier::Account, Lang::Ar, false).contains("وسيتخذان"));
        assert!(agree(Tier::President, Lang::Ar, false).contains("وسيتخذ "));
        assert!(agree(Tier::Senior, Lang::Ar, true).contains("ستتصل بكم"));
        assert!(agree(Tier::President, Lang::Ar, true).contains("سيتصل بكم"));
    }

    #[test]
    fn every_tier_names_who_acts_in_every_language() {
        for lang in LANGS {
            for tier in TIERS {
                for reachable in [true, false] {
                    for minutes in [None, Some(1), Some(15), Some(60), Some(240)] {
                        let t = next_step(tier, reachable, minutes, lang);
                        assert!(!t.trim().is_empty());
                        for name in names(tier, lang) {
                            assert!(t.contains(name), "{lang:?} {tier:?}: {name} in {t}");
                        }
                        let calls = tier != Tier::None && reachable;
                        assert_eq!(promises_a_call(&t, lang), calls, "{lang:?}: {t}");
                    }
                }
                let joined = added_to_open_case(tier, Some(20), lang);
                let who = if tier == Tier::None {
                    names(Tier::Service, lang)[0]
                } else {
                    names(tier, lang)[0]
                };
                assert!(joined.contains(who), "{lang:?} {tier:?}: {joined}");
                assert!(promises_a_call(&joined, lang), "{joined}");
            }
        }
    }

    #[test]
    fn translations_leave_no_english_behind() {
        for lang in [Lang::De, Lang::Ar] {
            for tier in TIERS {
                for reachable in [true, false] {
                    for minutes in [None, Some(1), Some(30), Some(60), Some(240)] {
                        for t in [
                            next_step(tier, reachable, minutes, lang),
                            added_to_open_case(tier, minutes, lang),
                        ] {
                            assert!(!t.contains("Thank"), "{t}");
                            for w in words(&t) {
                                assert!(!ENGLISH.contains(&w.as_str()), "{w:?} in {t}");
                            }
                            if lang == Lang::Ar {
                                assert!(!t.chars().any(|c| c.is_ascii_alphabetic()), "{t}");
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn other_locales_get_english() {
        for tag in [Some("fr"), Some("fr-ca"), Some(""), Some("x"), None] {
            let lang = Lang::from_tag(tag);
            for tier in TIERS {
                assert_eq!(
                    next_step(tier, true, Some(30), lang),
                    next_step(tier, true, Some(30), Lang::En)
                );
                assert_eq!(
                    added_to_open_case(tier, Some(5), lang),
                    added_to_open_case(tier, Some(5), Lang::En)
                );
            }
        }
        assert!(
            next_step(Tier::Senior, true, Some(30), Lang::from_tag(Some("de-at")))
                .starts_with("Vielen Dank")
        );
        assert!(
            next_step(Tier::Senior, true, Some(30), Lang::from_tag(Some("ar-eg")))
                .starts_with("شكرًا")
        );
    }

    proptest! {
        #[test]
        fn any_locale_gets_a_thank_you(
            tag in proptest::option::of(any::<String>()),
            tier in proptest::sample::select(TIERS.to_vec()),
            reachable in any::<bool>(),
            minutes in proptest::option::of(any::<u32>()),
        ) {
            let lang = Lang::from_tag(tag.as_deref());
            let t = next_step(tier, reachable, minutes, lang);
            prop_assert!(!t.trim().is_empty());
            let joined = added_to_open_case(tier, minutes, lang);
            prop_assert!(!joined.trim().is_empty());
        }
    }
}
