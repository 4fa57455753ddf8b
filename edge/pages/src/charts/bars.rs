//! Horizontal bar charts: one labelled bar per row, in the given order, with
//! its value (or a note such as "92 % (11 of 12)") at its end.

use super::scale::Scale;
use super::{
    clip, coord, drawable, figure, svg, tick_label, Drawn, Frame, Paint, Unit, AXIS_LABEL_ROOM,
    WIDTH,
};
use domain::insights::count_f64;
use maud::{html, Markup};

/// Where a horizontal bar chart's plot starts: the labels sit to its left.
const BAR_LABEL_ROOM: f64 = 170.0;
/// Room right of the longest bar for its value ("92 % (11 of 12)").
const BAR_VALUE_ROOM: f64 = 130.0;

/// One bar of a horizontal bar chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub paint: Paint,
    /// What to print for the value instead of the bare number, e.g.
    /// "92 % (11 of 12)".
    pub note: Option<String>,
}

impl Bar {
    fn text(&self, unit: Unit) -> String {
        self.note.clone().unwrap_or_else(|| unit.format(self.value))
    }
}

/// A horizontal bar chart: label → value, one row each, in the given order.
#[derive(Debug, Clone, Copy)]
pub struct Bars<'a> {
    /// Table headings for the label and value columns.
    pub label_heading: &'a str,
    pub value_heading: &'a str,
    pub bars: &'a [Bar],
    pub unit: Unit,
    /// A fixed end of the axis (100 for percentages); otherwise the largest
    /// value decides.
    pub max: Option<f64>,
}

const ROW: f64 = 26.0;
const BAR_TOP: f64 = 6.0;

/// A horizontal bar chart, or `frame.empty` when there are no bars.
pub fn bars(frame: &Frame, data: &Bars) -> Markup {
    if data.bars.is_empty() {
        return figure(frame, None);
    }
    let plot_h = ROW * count_f64(data.bars.len());
    let height = BAR_TOP + plot_h + AXIS_LABEL_ROOM;
    let drawn = Drawn {
        svg: svg(frame, height, &bar_body(data, plot_h)),
        legend: None,
        table: bars_table(frame, data),
    };
    figure(frame, Some(&drawn))
}

fn bar_body(data: &Bars, plot_h: f64) -> Markup {
    let plot_w = WIDTH - BAR_LABEL_ROOM - BAR_VALUE_ROOM;
    let scale = data.max.map_or_else(
        || {
            let max = data
                .bars
                .iter()
                .map(|b| drawable(b.value))
                .fold(0.0, f64::max);
            Scale::new(max, data.unit.whole())
        },
        Scale::fixed,
    );
    let base = BAR_TOP + plot_h;
    html! {
        @for tick in scale.ticks() {
            @let x = BAR_LABEL_ROOM + scale.length(tick, plot_w);
            @if tick > 0.0 {
                line.gridline x1=(coord(x)) y1=(coord(BAR_TOP)) x2=(coord(x)) y2=(coord(base)) {}
            }
            text x=(coord(x)) y=(coord(base + 18.0)) text-anchor="middle" { (tick_label(tick, data.unit)) }
        }
        @for (i, bar) in data.bars.iter().enumerate() {
            @let y = BAR_TOP + ROW * count_f64(i);
            @let width = scale.length(bar.value, plot_w);
            text x=(coord(BAR_LABEL_ROOM - 8.0)) y=(coord(y + ROW / 2.0 + 4.0)) text-anchor="end" { (clip(&bar.label)) }
            @if width > 0.0 {
                rect class=(bar.paint.bar_class()) x=(coord(BAR_LABEL_ROOM)) y=(coord(y + 5.0))
                    width=(coord(width)) height=(coord(ROW - 10.0)) {
                    title { (bar.label) ": " (bar.text(data.unit)) }
                }
            }
            text x=(coord(BAR_LABEL_ROOM + width + 6.0)) y=(coord(y + ROW / 2.0 + 4.0)) { (bar.text(data.unit)) }
        }
        line.axis x1=(coord(BAR_LABEL_ROOM)) y1=(coord(BAR_TOP)) x2=(coord(BAR_LABEL_ROOM)) y2=(coord(base)) {}
    }
}

fn bars_table(frame: &Frame, data: &Bars) -> Markup {
    html! {
        table.data {
            caption { (frame.caption) }
            thead {
                tr {
                    th scope="col" { (data.label_heading) }
                    th.num scope="col" { (data.value_heading) }
                }
            }
            tbody {
                @for bar in data.bars {
                    tr {
                        th scope="row" { (bar.label) }
                        td.num { (bar.text(data.unit)) }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::lines;
    use super::*;
    use domain::Tier;

    #[test]
    fn a_small_bar_chart_renders_as_reviewed() {
        let bars_data = [
            Bar {
                label: "Callback requested".into(),
                value: 92.0,
                paint: Paint::Tier(Tier::Service),
                note: Some("92 % (11 of 12)".into()),
            },
            Bar {
                label: "a-very-long-root-cause-code-that-is-clipped".into(),
                value: 0.0,
                paint: Paint::Neutral,
                note: None,
            },
        ];
        let frame = Frame {
            id: "c2",
            caption: "Deadlines kept",
            desc: "One bar per tier.",
            empty: "No cases in this period.",
        };
        let out = bars(
            &frame,
            &Bars {
                label_heading: "Tier",
                value_heading: "Kept",
                bars: &bars_data,
                unit: Unit::Percent,
                max: Some(100.0),
            },
        )
        .into_string();
        insta::assert_snapshot!("chart_bars_percent", lines(&out));
    }
}
