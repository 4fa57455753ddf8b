//! The Step deadlines section: how long the call, the report and the close
//! may take per tier (rule 5), each empty for its default, which the field
//! shows. Posted to `/dashboard/settings/{site}/deadlines` and read by
//! `domain::deadlines::parse_form`.

use super::{settings_path, SettingsView};
use crate::format::span;
use crate::layout::csrf_field;
use domain::deadlines::{field_name, MINUTES};
use maud::{html, Markup};

pub(super) fn deadlines(v: &SettingsView) -> Markup {
    html! {
        section.card aria-labelledby="deadlines-h" {
            h2 #deadlines-h { "Step deadlines" }
            p #deadlines-hint {
                "After a case is acknowledged: call the customer, then send the report, then close. "
                "Each step has a deadline per tier, in minutes; a missed one alerts the case's level once. "
                "Leave a field empty for its default (shown)."
            }
            form method="post" action={ (settings_path(v.site)) "/deadlines" } {
                (csrf_field(v.chrome))
                div.row {
                    @for r in v.deadlines {
                        @let name = field_name(r.tier, r.step);
                        div.field {
                            label for=(name) { (r.tier.label()) ": " (r.step.label()) }
                            input type="number" id=(name) name=(name) min=(MINUTES.start()) max=(MINUTES.end())
                                step="1" inputmode="numeric" value=[r.value]
                                placeholder=(r.default) aria-describedby={ (name) "-hint deadlines-hint" };
                            p.hint id={ (name) "-hint" } {
                                "Default: " (span(i64::from(r.default) * 60_000)) "."
                            }
                        }
                    }
                }
                button type="submit" { "Save deadlines" }
            }
        }
    }
}
