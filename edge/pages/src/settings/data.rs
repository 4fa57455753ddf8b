//! The customers' data: the export links (CSV, NDJSON) and the form that
//! erases one customer's personal data.

use super::SettingsView;
use crate::layout::csrf_field;
use maud::{html, Markup};
use url::form_urlencoded;

pub(super) fn export(site: &str) -> Markup {
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

pub(super) fn erase(v: &SettingsView) -> Markup {
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
