//! Words for what the Settings page shows by its wire name: roles,
//! formats, locales, copy keys, form fields, deadlines.

use domain::recipient::{Format, Role};
use domain::settings_form::SLA_FIELDS;
use domain::site::COPY_KEYS;
use domain::Tier;

pub(super) fn role_label(raw: &str) -> &str {
    Role::try_from(raw).map_or(raw, |r| r.label())
}

pub(super) fn format_label(raw: &str) -> &str {
    match Format::try_from(raw) {
        Ok(Format::Slack) => "Slack",
        Ok(Format::Teams) => "Microsoft Teams",
        Ok(Format::Discord) => "Discord",
        Ok(Format::GoogleChat) => "Google Chat",
        Ok(Format::Webhook) => "Signed webhook",
        Err(_) => raw,
    }
}

pub(super) fn alerted_for(role: Role) -> String {
    let tiers: Vec<&str> = Tier::ALL
        .into_iter()
        .filter(|t| t.roles().contains(&role))
        .map(Tier::label)
        .collect();
    tiers.join(", ")
}

pub(super) fn locale_name(tag: &str) -> &str {
    match tag {
        "en" => "English",
        "de" => "German",
        "ar" => "Arabic",
        other => other,
    }
}

pub(super) fn is_rtl(tag: &str) -> bool {
    let primary = tag.split('-').next().unwrap_or_default();
    matches!(
        primary,
        "ar" | "he" | "iw" | "fa" | "ur" | "ps" | "sd" | "yi" | "dv" | "ug" | "ckb"
    )
}

pub(super) fn copy_label(key: &str) -> &str {
    match key {
        "title" => "Title",
        "question" => "Open question",
        "hint" => "Hint under the question",
        "score_question" => "Score question",
        "thanks" => "Thank-you message",
        other => other,
    }
}

/// Human words for a field of the "Widget & SLA" form, when the page shows it.
pub(super) fn general_label(name: &str, locales: &[String]) -> Option<String> {
    let fixed = match name {
        "origins" => Some("Allowed origins"),
        "score" => Some("Show the score"),
        "guarantee" => Some("Offer the guarantee"),
        "offer_contact" => Some("Offer contact on a low score"),
        "cooldown_days" => Some("Cooldown"),
        "retention_days" => Some("Erase personal data after"),
        _ => None,
    };
    if let Some(label) = fixed {
        return Some(label.to_owned());
    }
    if let Some((_, tier)) = SLA_FIELDS.iter().find(|(n, _)| *n == name) {
        return Some(format!("Deadline: {}", tier.label()));
    }
    let (locale, key) = name.strip_prefix("copy.")?.split_once('.')?;
    (locales.iter().any(|l| l == locale) && COPY_KEYS.contains(&key))
        .then(|| format!("{}: {}", locale_name(locale), copy_label(key)))
}

pub(super) fn human_minutes(m: u32) -> String {
    match m {
        0..=59 => format!("{m} min"),
        _ if m.is_multiple_of(60) => format!("{m} min ({} h)", m / 60),
        _ => format!("{m} min"),
    }
}

pub(super) fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}
