//! Vertical column charts: series × categories, stacked (a total made of
//! parts) or grouped (comparable figures side by side), with a legend when
//! there is more than one series.

use super::scale::Scale;
use super::{
    clip, coord, drawable, figure, svg, tick_label, Drawn, Frame, Paint, Unit, AXIS_LABEL_ROOM,
    WIDTH,
};
use domain::insights::count_f64;
use maud::{html, Markup};

/// One column of a column chart: a short label under the axis, and a long
/// one for the table and tooltips ("23 Nov" / "Week of 2026-11-23").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    pub short: String,
    pub long: String,
}

impl Category {
    pub fn new(label: impl Into<String>) -> Self {
        let label = label.into();
        Self {
            short: label.clone(),
            long: label,
        }
    }
}

/// One named row of values, one value per category.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub paint: Paint,
    pub values: Vec<f64>,
}

impl Series {
    /// The value for a category; a missing one is 0.
    fn at(&self, category: usize) -> f64 {
        drawable(self.values.get(category).copied().unwrap_or(0.0))
    }
}

/// Stacked columns show a total made of parts (answers per week by tier);
/// grouped ones put comparable figures side by side (median and 90th
/// percentile).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stack {
    Stacked,
    Grouped,
}

/// A vertical column chart: series × categories.
#[derive(Debug, Clone, Copy)]
pub struct Columns<'a> {
    /// The table's heading for the category column ("Week").
    pub heading: &'a str,
    pub categories: &'a [Category],
    pub series: &'a [Series],
    pub stack: Stack,
    pub unit: Unit,
}

const COLUMN_HEIGHT: f64 = 260.0;
const COLUMN_TOP: f64 = 10.0;
const COLUMN_LEFT: f64 = 44.0;
const COLUMN_RIGHT: f64 = 8.0;

/// A column chart, or `frame.empty` when there are no categories or series.
pub fn columns(frame: &Frame, data: &Columns) -> Markup {
    if data.categories.is_empty() || data.series.is_empty() {
        return figure(frame, None);
    }
    let drawn = Drawn {
        svg: svg(frame, COLUMN_HEIGHT, &column_body(data)),
        legend: (data.series.len() > 1).then(|| legend(data.series)),
        table: columns_table(frame, data),
    };
    figure(frame, Some(&drawn))
}

fn column_body(data: &Columns) -> Markup {
    let plot_w = WIDTH - COLUMN_LEFT - COLUMN_RIGHT;
    let plot_h = COLUMN_HEIGHT - COLUMN_TOP - AXIS_LABEL_ROOM;
    let base = COLUMN_TOP + plot_h;
    let scale = Scale::new(column_max(data), data.unit.whole());
    let slot = plot_w / count_f64(data.categories.len());
    html! {
        (value_axis_y(scale, plot_h, data.unit))
        @for (i, category) in data.categories.iter().enumerate() {
            (column_group(data, i, category, scale, slot, plot_h))
        }
        (category_labels(data.categories, slot, base + 18.0))
        line.axis x1=(coord(COLUMN_LEFT)) y1=(coord(base)) x2=(coord(WIDTH - COLUMN_RIGHT)) y2=(coord(base)) {}
    }
}

fn column_max(data: &Columns) -> f64 {
    (0..data.categories.len())
        .map(|i| match data.stack {
            Stack::Stacked => data.series.iter().map(|s| s.at(i)).sum(),
            Stack::Grouped => data.series.iter().map(|s| s.at(i)).fold(0.0, f64::max),
        })
        .fold(0.0, f64::max)
}

/// The horizontal gridlines and their numbers, left of a column chart.
fn value_axis_y(scale: Scale, plot_h: f64, unit: Unit) -> Markup {
    let base = COLUMN_TOP + plot_h;
    html! {
        @for tick in scale.ticks() {
            @let y = base - scale.length(tick, plot_h);
            @if tick > 0.0 {
                line.gridline x1=(coord(COLUMN_LEFT)) y1=(coord(y)) x2=(coord(WIDTH - COLUMN_RIGHT)) y2=(coord(y)) {}
            }
            text x=(coord(COLUMN_LEFT - 6.0)) y=(coord(y + 4.0)) text-anchor="end" { (tick_label(tick, unit)) }
        }
        line.axis x1=(coord(COLUMN_LEFT)) y1=(coord(COLUMN_TOP)) x2=(coord(COLUMN_LEFT)) y2=(coord(base)) {}
    }
}

/// One rectangle of a column chart.
struct Rect<'a> {
    series: &'a Series,
    value: f64,
    x: f64,
    y: f64,
    width: f64,
    height: f64,
}

/// Where one category's rectangles go: stacked bottom-up in the middle 70 %
/// of the slot, or side by side in its middle 80 %. Zero values draw nothing.
fn column_rects<'a>(
    data: &Columns<'a>,
    index: usize,
    scale: Scale,
    slot: f64,
    plot_h: f64,
) -> Vec<Rect<'a>> {
    let base = COLUMN_TOP + plot_h;
    let left = COLUMN_LEFT + slot * count_f64(index);
    let mut below = 0.0;
    let mut rects = Vec::new();
    for (k, series) in data.series.iter().enumerate() {
        let value = series.at(index);
        if value <= 0.0 {
            continue;
        }
        let rect = match data.stack {
            Stack::Stacked => {
                let bottom = base - scale.length(below, plot_h);
                let top = base - scale.length(below + value, plot_h);
                below += value;
                Rect {
                    series,
                    value,
                    x: left + slot * 0.15,
                    y: top,
                    width: slot * 0.7,
                    height: bottom - top,
                }
            }
            Stack::Grouped => {
                let width = slot * 0.8 / count_f64(data.series.len());
                let height = scale.length(value, plot_h);
                Rect {
                    series,
                    value,
                    x: left + slot * 0.1 + width * count_f64(k),
                    y: base - height,
                    width,
                    height,
                }
            }
        };
        rects.push(rect);
    }
    rects
}

fn column_group(
    data: &Columns,
    index: usize,
    category: &Category,
    scale: Scale,
    slot: f64,
    plot_h: f64,
) -> Markup {
    html! {
        @for r in column_rects(data, index, scale, slot, plot_h) {
            rect class=(r.series.paint.bar_class()) x=(coord(r.x)) y=(coord(r.y))
                width=(coord(r.width)) height=(coord(r.height)) {
                title { (category.long) " \u{b7} " (r.series.name) ": " (data.unit.format(r.value)) }
            }
        }
    }
}

/// Category labels under the columns; when columns are narrow (a year of
/// weeks) only every few get a label, so none overlap.
fn category_labels(categories: &[Category], slot: f64, y: f64) -> Markup {
    let mut every = 1usize;
    while slot * count_f64(every) < 48.0 && every < categories.len() {
        every += 1;
    }
    html! {
        @for (i, category) in categories.iter().enumerate().filter(|(i, _)| i % every == 0) {
            text x=(coord(COLUMN_LEFT + slot * (count_f64(i) + 0.5))) y=(coord(y)) text-anchor="middle" {
                (clip(&category.short))
            }
        }
    }
}

fn columns_table(frame: &Frame, data: &Columns) -> Markup {
    let stacked = data.stack == Stack::Stacked && data.series.len() > 1;
    html! {
        table.data {
            caption { (frame.caption) }
            thead {
                tr {
                    th scope="col" { (data.heading) }
                    @for s in data.series { th.num scope="col" { (s.name) } }
                    @if stacked { th.num scope="col" { "Total" } }
                }
            }
            tbody {
                @for (i, category) in data.categories.iter().enumerate() {
                    tr {
                        th scope="row" { (category.long) }
                        @for s in data.series { td.num { (data.unit.format(s.at(i))) } }
                        @if stacked {
                            td.num { (data.unit.format(data.series.iter().map(|s| s.at(i)).sum())) }
                        }
                    }
                }
            }
        }
    }
}

fn legend(series: &[Series]) -> Markup {
    html! {
        ul.legend {
            @for s in series {
                li { span class={ "swatch " (s.paint.swatch_class()) } aria-hidden="true" {} (s.name) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::lines;
    use super::*;
    use domain::Tier;

    fn frame() -> Frame<'static> {
        Frame {
            id: "c1",
            caption: "Answers per week",
            desc: "Two weeks, two tiers.",
            empty: "No answers in this period.",
        }
    }

    fn small_columns() -> String {
        let categories = [Category::new("2 Nov"), Category::new("9 Nov")];
        let series = [
            Series {
                name: "Callback requested".into(),
                paint: Paint::Tier(Tier::Service),
                values: vec![3.0, 1.0],
            },
            Series {
                name: "Guarantee invoked".into(),
                paint: Paint::Tier(Tier::President),
                values: vec![0.0, 2.0],
            },
        ];
        columns(
            &frame(),
            &Columns {
                heading: "Week",
                categories: &categories,
                series: &series,
                stack: Stack::Stacked,
                unit: Unit::Count,
            },
        )
        .into_string()
    }

    #[test]
    fn a_small_column_chart_renders_as_reviewed() {
        insta::assert_snapshot!("chart_columns_stacked", lines(&small_columns()));
    }

    #[test]
    fn charts_are_named_described_and_have_a_table() {
        let out = small_columns();
        assert!(out.contains(r#"role="img" aria-labelledby="c1-title c1-desc""#));
        assert!(out.contains(r#"<title id="c1-title">Answers per week</title>"#));
        assert!(out.contains(r#"<desc id="c1-desc">Two weeks, two tiers.</desc>"#));
        assert!(out.contains(r#"viewBox="0 0 640 260""#));
        assert!(!out.contains("width=\"640\""), "no fixed pixel size");
        assert!(out.contains("<summary>Show as a table</summary>"));
        assert!(out.contains("<caption>Answers per week</caption>"));
        assert!(out.contains(r#"<th scope="row">9 Nov</th>"#));
        assert!(out.contains(r#"class="swatch tier-president""#));
        assert!(out.contains(r#"class="bar-service""#));
        assert!(!out.contains("style"), "the CSP forbids inline styles");
        assert!(!out.contains("NaN") && !out.contains("inf"));
    }

    #[test]
    fn nothing_to_draw_says_so_instead_of_a_broken_chart() {
        let empty = columns(
            &frame(),
            &Columns {
                heading: "Week",
                categories: &[],
                series: &[],
                stack: Stack::Stacked,
                unit: Unit::Count,
            },
        )
        .into_string();
        assert!(empty.contains("No answers in this period."));
        assert!(!empty.contains("<svg") && !empty.contains("<details"));
        // Categories with only zeros and junk still draw an axis, not NaN.
        let categories = [Category::new("x")];
        let series = [Series {
            name: "s".into(),
            paint: Paint::Neutral,
            values: vec![f64::NAN, f64::INFINITY, -3.0],
        }];
        let zeros = columns(
            &frame(),
            &Columns {
                heading: "x",
                categories: &categories,
                series: &series,
                stack: Stack::Grouped,
                unit: Unit::Hours,
            },
        )
        .into_string();
        assert!(zeros.contains("<svg") && !zeros.contains("NaN") && !zeros.contains("inf"));
    }

    #[test]
    fn a_year_of_weeks_labels_only_every_few_columns() {
        let categories: Vec<Category> = (0..52).map(|i| Category::new(format!("w{i}"))).collect();
        let series = [Series {
            name: "n".into(),
            paint: Paint::Neutral,
            values: vec![1.0; 52],
        }];
        let out = columns(
            &frame(),
            &Columns {
                heading: "Week",
                categories: &categories,
                series: &series,
                stack: Stack::Stacked,
                unit: Unit::Count,
            },
        )
        .into_string();
        assert_eq!(out.matches("<rect").count(), 52);
        assert!(out.contains(">w0</text>") && !out.contains(">w1</text>"));
        assert!(
            !out.contains("<ul class=\"legend\""),
            "one series needs no legend"
        );
    }
}
