//! The Recipients section: who is alerted, through which chat tool, with
//! the URL masked (it is a credential), a test alert and removal per row,
//! the form to add one, and who is alerted for what.

use super::labels::{alerted_for, format_label, role_label};
use super::{segment, settings_path, SettingsView};
use crate::layout::csrf_field;
use domain::recipient::{mask_url, Format, RecipientLine, Role};
use maud::{html, Markup};

pub(super) const FORMATS: [Format; 5] = [
    Format::Slack,
    Format::Teams,
    Format::Discord,
    Format::GoogleChat,
    Format::Webhook,
];

pub(super) fn recipients(v: &SettingsView) -> Markup {
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

pub(super) fn recipient_row(v: &SettingsView, base: &str, i: usize, r: &RecipientLine) -> Markup {
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

pub(super) fn add_recipient(v: &SettingsView, base: &str) -> Markup {
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

pub(super) fn who_is_alerted() -> Markup {
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
