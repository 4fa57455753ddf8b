//! Rule 7 on the Insights page: root causes ranked by return on
//! satisfaction, as a table (with the causes whose effort is not recorded
//! yet) and as a chart, with the formula in words.

use crate::charts::{self, format_number, Bar, Bars, Frame, Paint, Unit};
use domain::insights::{Insights, TOP};
use maud::{html, Markup};

/// Rule 7, the table and the chart, with the formula in words.
pub(super) fn ros_section(insights: &Insights) -> Markup {
    html! {
        p {
            "Return on satisfaction is the number of customers a root cause touched, each \
             weighted by how far the case escalated (\u{d7}1 callback, \u{d7}2 score 3, \
             \u{d7}4 score 1\u{2013}2, \u{d7}8 guarantee), divided by the person-days of its \
             systemic fix (at least 0.25): fix the highest first."
        }
        @if insights.ranked.is_empty() && insights.unmeasured.is_empty() {
            p.muted { "No closed case has a root cause in this period." }
        } @else {
            (ros_table(insights))
            (ros_chart(insights))
        }
    }
}

fn ros_table(insights: &Insights) -> Markup {
    html! {
        div.table-wrap {
            table.data {
                caption { "Root causes ranked by return on satisfaction" }
                thead {
                    tr {
                        th.num scope="col" { "Rank" }
                        th scope="col" { "Root cause" }
                        th.num scope="col" { "Customers" }
                        th.num scope="col" { "Weighted" }
                        th.num scope="col" { "Effort (days)" }
                        th.num scope="col" { "Return" }
                    }
                }
                tbody {
                    @for (i, r) in insights.ranked.iter().enumerate() {
                        tr {
                            td.num { (i + 1) }
                            th scope="row" { (r.code) }
                            td.num { (r.customers) }
                            td.num { (r.weighted) }
                            td.num { (r.effort_days.map_or_else(String::new, format_number)) }
                            td.num { (r.ros.map_or_else(String::new, format_number)) }
                        }
                    }
                }
                @if !insights.unmeasured.is_empty() {
                    tbody {
                        tr { th scope="colgroup" colspan="6" { "Effort not recorded" } }
                        @for r in &insights.unmeasured {
                            tr {
                                td.num { "\u{2013}" }
                                th scope="row" { (r.code) }
                                td.num { (r.customers) }
                                td.num { (r.weighted) }
                                td.num { "not recorded" }
                                td.num { "\u{2013}" }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn ros_chart(insights: &Insights) -> Markup {
    let bars: Vec<Bar> = insights
        .ranked
        .iter()
        .take(TOP)
        .map(|r| Bar {
            label: r.code.clone(),
            value: r.ros.unwrap_or(0.0),
            paint: Paint::Neutral,
            note: None,
        })
        .collect();
    let frame = Frame {
        id: "chart-ros",
        caption: "Return on satisfaction per root cause",
        desc: "One bar per root cause with a recorded effort, highest return first.",
        empty: "No effort is recorded yet, so no root cause can be ranked.",
    };
    charts::bars(
        &frame,
        &Bars {
            label_heading: "Root cause",
            value_heading: "Return",
            bars: &bars,
            unit: Unit::Ratio,
            max: None,
        },
    )
}
