//! The Settings page's markup: one function per section. Every value goes
//! through maud, which escapes it; URLs built here percent-encode their parts.

use super::SettingsView;
use crate::dashboard::format::when;
use crate::dashboard::layout::csrf_field;
use crate::delivery::DeadLetter;
use crate::recipient::{mask_url, Format, RecipientLine, Role};
use crate::settings_form::{
    bait_in, bait_message, copy_name, FieldError, GeneralForm, Notice, SLA_FIELDS,
};
use crate::site::{COPY_KEYS, MAX_COOLDOWN_DAYS};
use crate::Tier;
use maud::{html, Markup};
use std::fmt::Write as _;
use url::form_urlencoded;

/// The locales the widget ships, always offered for copy.
pub const SHIPPED_LOCALES: [&str; 3] = ["en", "de", "ar"];

/// The whole page.
pub fn render(v: &SettingsView) -> String {
    let body = html! {
        h1 { "Settings" }
        (site_picker(v.site, v.sites))
        (notices(v.notice, v.errors, v.form))
        (general(v))
        (recipients(v))
        (embed(v.site, v.base_url))
        (dead_letters(v))
        (export(v.site))
        (erase(v))
    };
    crate::dashboard::page("Settings", Some(v.chrome), &body)
}

// ---------------------------------------------------------------- helpers

/// A path segment, percent-encoded (site keys and ids are plain already;
/// this keeps a stray `/`, `?` or `#` from changing where a form posts).
fn segment(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for b in raw.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// An element id for a form field name: `copy.de.title` → `f-copy-de-title`.
fn field_id(name: &str) -> String {
    let mut id = String::from("f-");
    id.extend(name.chars().map(|c| {
        if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
            c
        } else {
            '-'
        }
    }));
    id
}

fn settings_path(site: &str) -> String {
    format!("/dashboard/settings/{}", segment(site))
}

fn role_label(raw: &str) -> &str {
    Role::try_from(raw).map_or(raw, |r| r.label())
}

fn format_label(raw: &str) -> &str {
    match Format::try_from(raw) {
        Ok(Format::Slack) => "Slack",
        Ok(Format::Teams) => "Microsoft Teams",
        Ok(Format::Discord) => "Discord",
        Ok(Format::GoogleChat) => "Google Chat",
        Ok(Format::Webhook) => "Signed webhook",
        Err(_) => raw,
    }
}

const FORMATS: [Format; 5] = [
    Format::Slack,
    Format::Teams,
    Format::Discord,
    Format::GoogleChat,
    Format::Webhook,
];

/// The tiers that alert a role, in words ("Score 3, Score 1–2, …").
fn alerted_for(role: Role) -> String {
    let tiers: Vec<&str> = Tier::ALL
        .into_iter()
        .filter(|t| t.roles().contains(&role))
        .map(Tier::label)
        .collect();
    tiers.join(", ")
}

fn locale_name(tag: &str) -> &str {
    match tag {
        "en" => "English",
        "de" => "German",
        "ar" => "Arabic",
        other => other,
    }
}

fn is_rtl(tag: &str) -> bool {
    let primary = tag.split('-').next().unwrap_or_default();
    matches!(
        primary,
        "ar" | "he" | "iw" | "fa" | "ur" | "ps" | "sd" | "yi" | "dv" | "ug" | "ckb"
    )
}

fn copy_label(key: &str) -> &str {
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
fn general_label(name: &str, locales: &[String]) -> Option<String> {
    let fixed = match name {
        "origins" => Some("Allowed origins"),
        "score" => Some("Show the score"),
        "guarantee" => Some("Offer the guarantee"),
        "cooldown_days" => Some("Cooldown"),
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

/// What a field shows and how it is described.
struct Field<'a> {
    name: &'a str,
    label: &'a str,
    hint: Option<&'a str>,
    /// Ids of hints shared with other fields (a fieldset's).
    shared: &'a [&'a str],
    errors: Vec<String>,
}

/// The attributes a control needs to point at its label, hint and errors.
struct Control {
    id: String,
    described: Option<String>,
    invalid: Option<&'static str>,
}

/// A labelled field: label, hint, errors (each described on the control),
/// then the control `draw` makes.
fn field(f: &Field, draw: impl FnOnce(&Control) -> Markup) -> Markup {
    let id = field_id(f.name);
    let hint_id = format!("{id}-hint");
    let errors: Vec<(String, &String)> = f
        .errors
        .iter()
        .enumerate()
        .map(|(i, e)| (format!("{id}-error-{i}"), e))
        .collect();
    let mut refs: Vec<&str> = Vec::new();
    if f.hint.is_some() {
        refs.push(&hint_id);
    }
    refs.extend(f.shared.iter().copied());
    refs.extend(errors.iter().map(|(eid, _)| eid.as_str()));
    let control = Control {
        described: (!refs.is_empty()).then(|| refs.join(" ")),
        invalid: (!errors.is_empty()).then_some("true"),
        id,
    };
    html! {
        div.field {
            label for=(control.id) { (f.label) }
            @if let Some(hint) = f.hint { p.hint id=(hint_id) { (hint) } }
            @for (eid, message) in &errors { p.field-error id=(eid) { (message) } }
            (draw(&control))
        }
    }
}

fn errors_for(errors: &[FieldError], name: &str) -> Vec<String> {
    errors
        .iter()
        .filter(|e| e.field == name)
        .map(|e| e.message.clone())
        .collect()
}

fn number_input(c: &Control, name: &str, value: &str, min: u32, max: u32) -> Markup {
    html! {
        input type="number" id=(c.id) name=(name) value=(value) min=(min) max=(max) step="1"
            inputmode="numeric" required aria-describedby=[c.described.as_deref()]
            aria-invalid=[c.invalid];
    }
}

// --------------------------------------------------------------- sections

fn site_picker(site: &str, sites: &[String]) -> Markup {
    let listed = sites.iter().any(|s| s == site);
    html! {
        form.row method="get" action="/dashboard/settings" {
            div.field {
                label for="site-picker" { "Site" }
                select #site-picker name="site" {
                    @if !listed { option value=(site) selected { (site) } }
                    @for s in sites { option value=(s) selected[s == site] { (s) } }
                }
            }
            div.field { button.quiet type="submit" { "Open" } }
        }
    }
}

fn notices(notice: Option<&Notice>, errors: &[FieldError], form: &GeneralForm) -> Markup {
    let locales = locales(form);
    html! {
        @if let Some(n) = notice {
            @if n.ok {
                div.notice.ok role="status" { p { (n.text) } }
            } @else {
                div.notice.error role="alert" { p { (n.text) } }
            }
        }
        @if !errors.is_empty() {
            div.notice.error role="alert" {
                p { strong { "Nothing was saved. " }
                    @if errors.len() == 1 { "One field needs a change:" }
                    @else { (errors.len()) " fields need a change:" } }
                ul {
                    @for e in errors {
                        li {
                            @if let Some(label) = general_label(&e.field, &locales) {
                                a href={ "#" (field_id(&e.field)) } { (label) } ": " (e.message)
                            } @else {
                                "\u{201c}" (e.field) "\u{201d}: " (e.message)
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The locales the copy section offers: the shipped ones, then any other
/// the site already has copy for.
fn locales(form: &GeneralForm) -> Vec<String> {
    let mut out: Vec<String> = SHIPPED_LOCALES.iter().map(|l| (*l).to_owned()).collect();
    for l in form.copy.keys() {
        if !out.contains(l) {
            out.push(l.clone());
        }
    }
    out
}

fn general(v: &SettingsView) -> Markup {
    let f = v.form;
    html! {
        section.card aria-labelledby="general-h" {
            h2 #general-h { "Widget & SLA" }
            form method="post" action=(settings_path(v.site)) {
                (csrf_field(v.chrome))
                div.grid {
                    (field(&Field {
                        name: "origins",
                        label: "Allowed origins",
                        hint: Some("One per line, like https://shop.example.com (add :* for any port). \
                                    Only pages on these origins can show the widget and send answers. At most 50."),
                        shared: &[],
                        errors: errors_for(v.errors, "origins"),
                    }, |c| html! {
                        textarea id=(c.id) name="origins" rows="4" spellcheck="false" autocapitalize="off"
                            aria-describedby=[c.described.as_deref()] aria-invalid=[c.invalid] { (f.origins) }
                    }))
                    div {
                        (switches(f, v.errors))
                        (field(&Field {
                            name: "cooldown_days",
                            label: "Cooldown (days)",
                            hint: Some("After an answer, the widget does not offer itself again in that \
                                        browser for this many days. Default 30; 0 offers it again at once."),
                            shared: &[],
                            errors: errors_for(v.errors, "cooldown_days"),
                        }, |c| number_input(c, "cooldown_days", &f.cooldown_days, 0, MAX_COOLDOWN_DAYS)))
                    }
                }
                (sla(f, v.errors))
                h3 { "Wording" }
                p.hint { "The widget asks for the gaps, not the score. Wording that nudges customers \
                          toward a high score (\u{201c}excellent\u{201d}, \u{201c}5 stars\u{201d}, \
                          \u{201c}would you give us\u{201d}) is refused in every language." }
                div.grid {
                    @for locale in locales(f) { (copy_fieldset(f, &locale, v.errors)) }
                }
                button type="submit" { "Save settings" }
            }
        }
    }
}

fn switches(f: &GeneralForm, errors: &[FieldError]) -> Markup {
    let switch = |name: &str, label: &str, hint: &str, on: bool| {
        let id = field_id(name);
        let hint_id = format!("{id}-hint");
        let errs = errors_for(errors, name);
        let mut described = hint_id.clone();
        for i in 0..errs.len() {
            let _ = write!(described, " {id}-error-{i}");
        }
        html! {
            div.field {
                label.check for=(id) {
                    input type="checkbox" id=(id) name=(name) value="on" checked[on]
                        aria-describedby=(described) aria-invalid=[(!errs.is_empty()).then_some("true")];
                    (label)
                }
                p.hint id=(hint_id) { (hint) }
                @for (i, e) in errs.iter().enumerate() {
                    p.field-error id={ (id) "-error-" (i) } { (e) }
                }
            }
        }
    };
    html! {
        fieldset {
            legend { "What the widget offers" }
            (switch("score", "Show the score",
                "An optional, neutral 1\u{2013}5 score after the customer\u{2019}s own words. \
                 Below 4 it alerts people (see Recipients).", f.score))
            (switch("guarantee", "Offer the guarantee",
                "\u{201c}Not worth what you paid? Pay what you think it was worth \u{2014} talk to the \
                 president.\u{201d} Invoking it alerts everyone up to the president.", f.guarantee))
        }
    }
}

fn human_minutes(m: u32) -> String {
    match m {
        0..=59 => format!("{m} min"),
        _ if m.is_multiple_of(60) => format!("{m} min ({} h)", m / 60),
        _ => format!("{m} min"),
    }
}

fn sla(f: &GeneralForm, errors: &[FieldError]) -> Markup {
    html! {
        fieldset {
            legend { "Acknowledge deadlines (minutes)" }
            p.hint id="sla-hint" { "A case nobody acknowledges in time is re-escalated one level \
                                    up, once per level. 1 to 10080 minutes (a week)." }
            div.row {
                @for (name, tier) in SLA_FIELDS {
                    @let hint = tier.default_ack_minutes()
                        .map(|m| format!("{}. Default {}.", capitalised(tier.audience()), human_minutes(m)));
                    (field(&Field {
                        name,
                        label: tier.label(),
                        hint: hint.as_deref(),
                        shared: &["sla-hint"],
                        errors: errors_for(errors, name),
                    }, |c| number_input(c, name, f.sla_field(name).unwrap_or_default(), 1, 10_080)))
                }
            }
        }
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// A copy field's errors; the wording check shows even when the caller did
/// not run [`GeneralForm::check`] (copy stored before the check existed).
fn copy_errors(errors: &[FieldError], name: &str, value: &str) -> Vec<String> {
    let mut found = errors_for(errors, name);
    if found.is_empty() {
        found.extend(bait_in(value).map(bait_message));
    }
    found
}

fn copy_fieldset(f: &GeneralForm, locale: &str, errors: &[FieldError]) -> Markup {
    let dir = if is_rtl(locale) { "rtl" } else { "ltr" };
    // Not `…-hint`: `copy.<locale>.hint` is a field, and its id ends so.
    let hint_id = format!("note-{}", field_id(&format!("copy.{locale}")));
    let lines = f.copy.get(locale);
    html! {
        fieldset {
            legend { (locale_name(locale)) " (" (locale) ")" }
            p.hint id=(hint_id) {
                "Leave a line empty to use the widget\u{2019}s built-in " (locale_name(locale))
                " text. At most 500 characters; line breaks become spaces."
            }
            @for key in COPY_KEYS {
                @let name = copy_name(locale, key);
                @let value = lines.and_then(|l| l.get(key)).map_or("", String::as_str);
                (field(&Field {
                    name: &name,
                    label: copy_label(key),
                    hint: None,
                    shared: &[hint_id.as_str()],
                    errors: copy_errors(errors, &name, value),
                }, |c| html! {
                    @if matches!(key, "title" | "score_question") {
                        input type="text" id=(c.id) name=(name) value=(value) lang=(locale) dir=(dir)
                            aria-describedby=[c.described.as_deref()] aria-invalid=[c.invalid];
                    } @else {
                        textarea id=(c.id) name=(name) rows="2" lang=(locale) dir=(dir)
                            aria-describedby=[c.described.as_deref()] aria-invalid=[c.invalid] { (value) }
                    }
                }))
            }
        }
    }
}

fn recipients(v: &SettingsView) -> Markup {
    let base = settings_path(v.site);
    html! {
        section.card aria-labelledby="recipients-h" {
            h2 #recipients-h { "Recipients" }
            @if v.recipients.is_empty() {
                p { "No recipients yet: alerts for this site reach nobody until you add one." }
            } @else {
                div.table-wrap {
                    table.data.stack {
                        thead { tr { th scope="col" { "Role" } th scope="col" { "Format" }
                                     th scope="col" { "URL" } th scope="col" { "Alerted for" }
                                     th scope="col" { "Actions" } } }
                        tbody {
                            @for (i, r) in v.recipients.iter().enumerate() {
                                (recipient_row(v, &base, i, r))
                            }
                        }
                    }
                }
            }
            (add_recipient(v, &base))
            (who_is_alerted())
        }
    }
}

fn recipient_row(v: &SettingsView, base: &str, i: usize, r: &RecipientLine) -> Markup {
    let row = format!("rcpt-{i}");
    let described = format!("{row}-role {row}-format {row}-url");
    let action = |verb: &str| format!("{base}/recipients/{}/{verb}", segment(&r.id));
    let alerted = Role::try_from(r.role.as_str()).map_or_else(|_| String::new(), alerted_for);
    html! {
        tr {
            td id={ (row) "-role" } data-label="Role" { (role_label(&r.role)) }
            td id={ (row) "-format" } data-label="Format" { (format_label(&r.format)) }
            td.words-cell id={ (row) "-url" } data-label="URL" { code { (mask_url(&r.url)) } }
            td data-label="Alerted for" { (alerted) }
            td {
                div.row {
                    form.inline method="post" action=(action("test")) {
                        (csrf_field(v.chrome))
                        button.quiet type="submit" aria-describedby=(described) { "Send test alert" }
                    }
                    form.inline method="post" action=(action("delete")) {
                        (csrf_field(v.chrome))
                        button.danger type="submit" aria-describedby=(described) { "Remove" }
                    }
                }
            }
        }
    }
}

fn add_recipient(v: &SettingsView, base: &str) -> Markup {
    html! {
        h3 { "Add a recipient" }
        form method="post" action={ (base) "/recipients" } {
            (csrf_field(v.chrome))
            div.row {
                div.field {
                    label for="recipient-role" { "Role" }
                    select #recipient-role name="role" required {
                        @for role in Role::ALL { option value=(role.as_str()) { (role_label(role.as_str())) } }
                    }
                }
                div.field {
                    label for="recipient-format" { "Format" }
                    select #recipient-format name="format" required {
                        @for format in FORMATS { option value=(format.as_str()) { (format_label(format.as_str())) } }
                    }
                }
            }
            div.field {
                label for="recipient-url" { "Webhook URL" }
                p.hint #recipient-url-hint {
                    "https on the platform\u{2019}s own host (hooks.slack.com, a Teams Workflows URL, \
                     discord.com, chat.googleapis.com), or any public https host for a signed webhook. \
                     Shown afterwards only up to the host."
                }
                input #recipient-url type="url" name="url" required autocomplete="off" spellcheck="false"
                    aria-describedby="recipient-url-hint";
            }
            div.field {
                label for="recipient-secret" { "Signing secret (signed webhook only)" }
                p.hint #recipient-secret-hint {
                    "The whsec_\u{2026} secret your receiver uses to check the webhook-signature header \
                     (Standard Webhooks). Ignored for chat formats; never shown again."
                }
                input #recipient-secret type="password" name="secret" autocomplete="off"
                    aria-describedby="recipient-secret-hint";
            }
            button type="submit" { "Add recipient" }
        }
    }
}

fn who_is_alerted() -> Markup {
    html! {
        h3 { "Who is alerted when" }
        dl.facts {
            @for role in Role::ALL {
                dt { (role_label(role.as_str())) }
                dd { (alerted_for(role)) }
            }
        }
        p.hint {
            "Score 3 alerts the client and service managers; 1\u{2013}2 adds senior management; \
             the guarantee adds the president; a callback request alone alerts the service manager. \
             A case not acknowledged in time is re-escalated one level up."
        }
    }
}

fn embed(site: &str, base_url: &str) -> Markup {
    let snippet = format!(
        "<script src=\"{}/widget.js\" data-site=\"{site}\" async></script>",
        base_url.trim_end_matches('/')
    );
    html! {
        section.card aria-labelledby="embed-h" {
            h2 #embed-h { "Embed snippet" }
            p { "Paste this tag into the pages where customers should find the widget. \
                 Their origin must be listed under Allowed origins." }
            pre.snippet #embed-snippet { code { (snippet) } }
            button.quiet type="button" data-copy="embed-snippet" { "Copy" }
            p.hint {
                "Add " code { "data-transaction=\"order-123\"" } " to link an order or ticket id to the \
                 answer, or " code { "data-mode=\"inline\" data-target=\"#feedback\"" }
                " to draw the form inside that element instead of a launcher button."
            }
        }
    }
}

fn dead_letters(v: &SettingsView) -> Markup {
    html! {
        section.card aria-labelledby="dead-h" {
            h2 #dead-h { "Undelivered alerts" }
            p.hint { "Alerts a recipient refused (400, 403, 404, 410) or that failed after every retry. \
                      Fix the recipient, then retry." }
            @if v.dead_letters.is_empty() {
                p { "No undelivered alerts." }
            } @else {
                div.table-wrap {
                    table.data.stack {
                        thead { tr { th scope="col" { "Alert" } th scope="col" { "Recipient" }
                                     th scope="col" { "Case" } th scope="col" { "Why" }
                                     th scope="col" { "Last status" } th scope="col" { "When" }
                                     th scope="col" { "Action" } } }
                        tbody {
                            @for (i, d) in v.dead_letters.iter().enumerate() {
                                (dead_letter_row(v, i, d))
                            }
                        }
                    }
                }
            }
        }
    }
}

fn dead_letter_row(v: &SettingsView, i: usize, d: &DeadLetter) -> Markup {
    let alert_cell = format!("dead-{i}-alert");
    let recipient = v
        .recipients
        .iter()
        .find(|r| r.id == d.recipient_id)
        .map(|r| format!("{} \u{b7} {}", role_label(&r.role), format_label(&r.format)));
    html! {
        tr {
            td.words-cell id=(alert_cell) data-label="Alert" { code { (d.alert_id) } }
            td data-label="Recipient" {
                @if let Some(r) = recipient { (r) br; span.muted.small { (d.recipient_id) } }
                @else { (d.recipient_id) }
            }
            td data-label="Case" {
                @if d.case_id.is_empty() { "\u{2014}" }
                @else { a href={ "/dashboard/cases/" (segment(&d.case_id)) } { "Open case" } }
            }
            td.words-cell data-label="Why" { (d.why) }
            td.num data-label="Last status" {
                @if let Some(s) = d.last_status { (s) } @else { span.muted { "no answer" } }
            }
            td data-label="When" { (when(d.at)) }
            td {
                form.inline method="post" action="/dashboard/dead-letters/retry" {
                    (csrf_field(v.chrome))
                    input type="hidden" name="alert_id" value=(d.alert_id);
                    input type="hidden" name="recipient_id" value=(d.recipient_id);
                    input type="hidden" name="site" value=(v.site);
                    button.quiet type="submit" aria-describedby=(alert_cell) { "Retry" }
                }
            }
        }
    }
}

fn export(site: &str) -> Markup {
    let link = |format: &str| {
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("site", site)
            .append_pair("format", format)
            .finish();
        format!("/v1/admin/export?{query}")
    };
    html! {
        section.card aria-labelledby="export-h" {
            h2 #export-h { "Export" }
            p { "Every answer for this site, with its case, as a file." }
            div.row {
                a.button.quiet href=(link("csv")) { "Download CSV" }
                a.button.quiet href=(link("ndjson")) { "Download NDJSON" }
            }
            p.hint { "CSV opens in a spreadsheet (cells that could run as formulas are neutralised); \
                      NDJSON is one JSON object a line, for scripts." }
        }
    }
}

fn erase(v: &SettingsView) -> Markup {
    html! {
        section.card aria-labelledby="erase-h" {
            h2 #erase-h { "Erase a customer\u{2019}s data" }
            p { "Removes one customer\u{2019}s personal data from every answer they gave on this \
                 site: their words, name, email, phone, page and order id. Name the customer by one \
                 of their answers, or by their email or phone. The anonymous record (tier, score, \
                 dates) and the audit trail of who did what remain, and the case log notes the \
                 erasure. This cannot be undone." }
            form method="post" action="/dashboard/erase" {
                (csrf_field(v.chrome))
                input type="hidden" name="site" value=(v.site);
                div.field {
                    label for="erase-id" { "Response id" }
                    p.hint #erase-id-hint { "The id on the case page, like 0f8fad5b-d9cb-469f-a165-70867728950e." }
                    input #erase-id type="text" name="id" autocomplete="off" spellcheck="false"
                        aria-describedby="erase-id-hint";
                }
                div.field {
                    label for="erase-email" { "or their email" }
                    input #erase-email type="email" name="email" autocomplete="off" spellcheck="false";
                }
                div.field {
                    label for="erase-phone" { "or their phone" }
                    input #erase-phone type="tel" name="phone" autocomplete="off";
                }
                label.check for="erase-confirm" {
                    input #erase-confirm type="checkbox" name="confirm" value="yes" required;
                    "I understand the personal data cannot be restored"
                }
                button.danger type="submit" { "Erase personal data" }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dashboard::{Chrome, Section};
    use crate::settings_form::parse_general;
    use crate::Timestamp;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn chrome() -> Chrome {
        Chrome {
            manager: "Ana".into(),
            csrf: "csrf-token".into(),
            section: Section::Settings,
        }
    }

    fn recipients() -> Vec<RecipientLine> {
        vec![
            RecipientLine {
                id: "demo-service_manager-0".into(),
                role: "service_manager".into(),
                format: "slack".into(),
                url: "https://hooks.slack.com/services/T000/B000/XXXXSECRET".into(),
            },
            RecipientLine {
                id: "demo-president-1".into(),
                role: "president".into(),
                format: "webhook".into(),
                url: "https://alerts.example.com/candor?token=SECRET".into(),
            },
        ]
    }

    fn dead() -> Vec<DeadLetter> {
        vec![DeadLetter {
            alert_id: "msg_0f8fad5bd9cb469fa16570867728950e_senior_opened".into(),
            recipient_id: "demo-president-1".into(),
            case_id: "0f8fad5b-d9cb-469f-a165-70867728950e".into(),
            why: "410 Gone: the webhook was deleted".into(),
            last_status: Some(410),
            at: Timestamp::from_millis(1_795_000_000_000),
        }]
    }

    /// One tag per line, so a snapshot reads like a page.
    fn pretty(html: &str) -> String {
        html.replace("><", ">\n<")
    }

    fn posted_with_bait() -> GeneralForm {
        let body = "origins=https%3A%2F%2Fshop.example.com%0D%0Aftp%3A%2F%2Fnope&score=on\
                    &cooldown_days=30&sla_service=240&sla_account=60&sla_senior=30&sla_president=15\
                    &copy.en.question=Where+did+we+fall+short%3F\
                    &copy.de.title=Geben+Sie+uns+5+stars\
                    &copy.ar.question=%D8%A3%D9%8A%D9%86+%D9%82%D8%B5%D9%91%D8%B1%D9%86%D8%A7%D8%9F";
        parse_general(body)
    }

    #[test]
    fn a_failed_save_shows_what_was_typed_and_why() {
        let form = posted_with_bait();
        let errors = form.check();
        let chrome = chrome();
        let sites = vec!["demo".to_owned(), "shop".to_owned()];
        let (recipients, dead) = (recipients(), dead());
        let page = render(&SettingsView {
            chrome: &chrome,
            site: "demo",
            sites: &sites,
            base_url: "https://feedback.example.com/",
            form: &form,
            errors: &errors,
            recipients: &recipients,
            dead_letters: &dead,
            notice: None,
        });
        insta::assert_snapshot!("settings_wording_error", pretty(&page));
        // The wording error sits on the field, named in the summary too.
        assert!(page.contains(
            "id=\"f-copy-de-title\" name=\"copy.de.title\" value=\"Geben Sie uns 5 stars\" lang=\"de\" dir=\"ltr\" \
             aria-describedby=\"note-f-copy-de f-copy-de-title-error-0\" aria-invalid=\"true\""
        ), "{page}");
        assert!(page.contains("<p class=\"field-error\" id=\"f-copy-de-title-error-0\">“5 stars” nudges customers toward a high score."));
        assert!(page.contains("<a href=\"#f-copy-de-title\">German: Title</a>"));
        assert!(page.contains("<a href=\"#f-origins\">Allowed origins</a>"));
        assert!(page.contains("lang=\"ar\" dir=\"rtl\""));
        assert!(page.contains("https://shop.example.com\r\nftp://nope</textarea>"));
        // Secrets and webhook paths never reach the page.
        assert!(!page.contains("SECRET") && !page.contains("B000"));
        assert!(page.contains("https://hooks.slack.com/…"));
        // Forms: every post carries the CSRF token; the picker is a GET.
        assert_eq!(
            page.matches("method=\"post\"").count(),
            page.matches("name=\"csrf\"").count()
        );
        assert!(
            page.contains("action=\"/dashboard/settings/demo/recipients/demo-president-1/delete\"")
        );
        assert!(page.contains("href=\"/v1/admin/export?site=demo&amp;format=ndjson\""));
        assert!(page.contains("&lt;script src=&quot;https://feedback.example.com/widget.js&quot; data-site=&quot;demo&quot; async&gt;&lt;/script&gt;"));
        assert!(page.contains("President · Signed webhook"));
        assert!(
            labels_match_ids(&page),
            "every control has a label and ids are unique"
        );
    }

    /// Every `label for` names an id present once, every form control
    /// (other than hidden inputs and buttons) has a `label for` naming it,
    /// and no id repeats.
    fn labels_match_ids(page: &str) -> bool {
        let attr_values = |attr: &str| -> Vec<String> {
            page.match_indices(attr)
                .filter_map(|(i, _)| {
                    let rest = page.get(i + attr.len()..)?;
                    Some(rest.split('"').next()?.to_owned())
                })
                .collect()
        };
        let ids = attr_values(" id=\"");
        let fors = attr_values(" for=\"");
        let mut unique = ids.clone();
        unique.sort();
        unique.dedup();
        let controls: Vec<String> = ["<input ", "<select ", "<textarea "]
            .iter()
            .flat_map(|tag| page.match_indices(tag).map(|(i, _)| i))
            .filter_map(|i| {
                let tag = page.get(i..)?.split('>').next()?;
                if tag.contains("type=\"hidden\"") {
                    return None;
                }
                Some(tag.split(" id=\"").nth(1)?.split('"').next()?.to_owned())
            })
            .collect();
        unique.len() == ids.len()
            && fors.iter().all(|f| ids.contains(f))
            && controls.iter().all(|c| fors.contains(c))
            && controls.len()
                == page.matches("<input ").count()
                    + page.matches("<select ").count()
                    + page.matches("<textarea ").count()
                    - page.matches("type=\"hidden\"").count()
    }

    #[test]
    fn stored_settings_render_without_errors_and_with_notices() {
        let mut copy = BTreeMap::new();
        copy.insert(
            "fr-ca".to_owned(),
            BTreeMap::from([("title".to_owned(), "Votre avis".to_owned())]),
        );
        let form = GeneralForm {
            copy,
            ..GeneralForm::default()
        };
        let chrome = chrome();
        let ok = Notice {
            ok: true,
            text: "Settings saved.".into(),
        };
        let page = render(&SettingsView {
            chrome: &chrome,
            site: "new-site",
            sites: &[],
            base_url: "https://feedback.example.com",
            form: &form,
            errors: &[],
            recipients: &[],
            dead_letters: &[],
            notice: Some(&ok),
        });
        assert!(
            page.contains("<div class=\"notice ok\" role=\"status\"><p>Settings saved.</p></div>")
        );
        assert!(!page.contains("aria-invalid") && !page.contains("Nothing was saved"));
        assert!(page.contains("<option value=\"new-site\" selected>new-site</option>"));
        assert!(page.contains("<legend>fr-ca (fr-ca)</legend>"));
        assert!(page.contains("No undelivered alerts."));
        assert!(page.contains("No recipients yet"));
        assert!(page.contains("name=\"sla_senior\" value=\"30\""));
        assert!(page.contains("name=\"score\" value=\"on\" checked"));
        assert!(!page.contains("name=\"guarantee\" value=\"on\" checked"));
        assert!(labels_match_ids(&page));
        let headings: Vec<usize> = ["<h1", "<h2", "<h3"]
            .iter()
            .map(|h| page.find(h).unwrap())
            .collect();
        assert!(headings[0] < headings[1] && headings[1] < headings[2]);
    }

    #[test]
    fn the_wording_check_shows_even_on_stored_copy() {
        let mut form = GeneralForm::default();
        form.copy.insert(
            "de".into(),
            BTreeMap::from([("thanks".to_owned(), "Bitte fünf Sterne!".to_owned())]),
        );
        let chrome = chrome();
        let page = render(&SettingsView {
            chrome: &chrome,
            site: "demo",
            sites: &[],
            base_url: "",
            form: &form,
            errors: &[],
            recipients: &[],
            dead_letters: &[],
            notice: None,
        });
        assert!(page.contains("aria-invalid=\"true\""));
        assert!(page.contains("“fünf sterne” nudges customers toward a high score"));
        assert!(
            !page.contains("Nothing was saved"),
            "no summary without a save"
        );
    }

    #[test]
    fn segments_and_field_ids_are_plain() {
        assert_eq!(segment("a/b?c#d é"), "a%2Fb%3Fc%23d%20%C3%A9");
        assert_eq!(field_id("copy.pt-br.title"), "f-copy-pt-br-title");
    }

    const ALLOWED_TAGS: &[&str] = &[
        "html", "head", "meta", "title", "link", "script", "body", "a", "header", "nav", "form",
        "span", "button", "main", "input", "h1", "h2", "h3", "div", "label", "select", "option",
        "p", "strong", "ul", "li", "section", "textarea", "fieldset", "legend", "table", "thead",
        "tbody", "tr", "th", "td", "code", "dl", "dt", "dd", "pre", "time", "br",
    ];

    /// Every `<` opens a known tag, a closing tag or the doctype, and every
    /// `&` starts an entity: nothing from the data became markup.
    fn only_our_markup(page: &str) -> Result<(), String> {
        for (i, _) in page.match_indices('<') {
            let rest = page.get(i + 1..).unwrap_or_default();
            let rest = rest.strip_prefix('/').unwrap_or(rest);
            if rest.starts_with("!DOCTYPE html>") {
                continue;
            }
            let name: String = rest
                .chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect();
            let after = rest.chars().nth(name.len());
            let known = ALLOWED_TAGS.contains(&name.as_str());
            if !known || !matches!(after, Some(' ' | '>')) {
                return Err(format!(
                    "stray markup at {i}: {}",
                    rest.chars().take(40).collect::<String>()
                ));
            }
        }
        for (i, _) in page.match_indices('&') {
            let rest = page.get(i + 1..).unwrap_or_default();
            if !["amp;", "lt;", "gt;", "quot;", "#"]
                .iter()
                .any(|e| rest.starts_with(e))
            {
                return Err(format!("bare & at {i}"));
            }
        }
        if page.matches("<script").count() != 1 {
            return Err("a second script".into());
        }
        Ok(())
    }

    fn hostile() -> impl Strategy<Value = String> {
        let marker = prop::sample::select(vec![
            "<script>alert(1)</script>",
            "\"><img src=x onerror=alert(1)>",
            "' onfocus='alert(1)",
            "</textarea><script>x</script>",
            "&lt;b&gt; &amp; &#60;",
            "5 stars",
            "ممتاز",
        ]);
        ("\\PC{0,20}", marker, "\\PC{0,20}").prop_map(|(a, m, b)| format!("{a}{m}{b}"))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn no_text_in_any_field_becomes_markup(
            values in prop::collection::vec(hostile(), 12),
            status in any::<Option<u16>>(),
            ok in any::<bool>(),
        ) {
            let v = |i: usize| values.get(i).cloned().unwrap_or_default();
            let names = [
                "origins", "cooldown_days", "sla_service", "sla_president",
                "copy.en.title", "copy.de.question", "copy.ar.thanks", "copy.en.hint",
            ];
            let body = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(names.iter().enumerate().map(|(i, n)| (*n, v(i))))
                .append_pair(&v(8), &v(9))
                .finish();
            let form = parse_general(&body);
            let errors = form.check();
            let chrome = Chrome { manager: v(10), csrf: v(11), section: Section::Settings };
            let recipients = vec![RecipientLine { id: v(0), role: v(1), format: v(2), url: v(3) }];
            let dead = vec![DeadLetter {
                alert_id: v(4), recipient_id: v(0), case_id: v(5), why: v(6),
                last_status: status, at: Timestamp::from_millis(0),
            }];
            let sites = vec![v(7), "demo".to_owned()];
            let notice = Notice { ok, text: v(8) };
            let page = render(&SettingsView {
                chrome: &chrome, site: &v(9), sites: &sites, base_url: &v(10), form: &form,
                errors: &errors, recipients: &recipients, dead_letters: &dead, notice: Some(&notice),
            });
            prop_assert!(only_our_markup(&page).is_ok(), "{:?}", only_our_markup(&page));
            prop_assert_eq!(page.matches("<textarea").count(), page.matches("</textarea>").count());
            for (i, name) in names.iter().enumerate().skip(4) {
                if bait_in(&v(i)).is_some() {
                    let id = field_id(name);
                    let invalid = format!("{id}-error-0\" aria-invalid=\"true\"");
                    prop_assert!(page.contains(&invalid), "{} not marked", name);
                }
            }
        }
    }
}
