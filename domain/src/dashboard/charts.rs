//! Small bar charts drawn on the server as inline SVG.
//!
//! Why SVG from the server: the dashboard's CSP allows no inline script or
//! style, and a chart library would be one more thing to load. Every chart
//! is a `figure.chart` whose `<svg role="img">` is named by its own
//! `<title>` and `<desc>`, followed by a `details.fallback` table with the
//! same numbers, so a screen-reader user, a keyboard user and someone who
//! just wants the figures all get them. Colours come only from classes in
//! `dashboard.css` (never a `style` attribute), and the `viewBox` has no
//! pixel size: CSS makes every chart as wide as its card.

use crate::insights::count_f64;
use crate::Tier;
use maud::{html, Markup};

/// Width of every chart's coordinate system; CSS scales it to the card.
const WIDTH: f64 = 640.0;
/// Room for the category labels under a column chart, and the tick labels
/// under a bar chart.
const AXIS_LABEL_ROOM: f64 = 30.0;
/// Where a horizontal bar chart's plot starts: the labels sit to its left.
const BAR_LABEL_ROOM: f64 = 170.0;
/// Room right of the longest bar for its value ("92 % (11 of 12)").
const BAR_VALUE_ROOM: f64 = 130.0;
/// Characters of a label drawn in the SVG; the table shows it whole.
const LABEL_CHARS: usize = 24;

/// Which colour a bar gets. Tier colours mark severity; everything that
/// must not look like a verdict (scores, counts of words) is `Neutral`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paint {
    Tier(Tier),
    Neutral,
    /// A second neutral, for a series shown next to a `Neutral` one.
    Muted,
}

impl Paint {
    /// The SVG fill class (`svg .bar-…` in dashboard.css).
    pub const fn bar_class(self) -> &'static str {
        match self {
            Self::Tier(Tier::None) => "bar-none",
            Self::Tier(Tier::Service) => "bar-service",
            Self::Tier(Tier::Account) => "bar-account",
            Self::Tier(Tier::Senior) => "bar-senior",
            Self::Tier(Tier::President) => "bar-president",
            Self::Neutral => "bar-neutral",
            Self::Muted => "bar-muted",
        }
    }

    /// The legend swatch's colour class (the swatch paints `currentColor`).
    pub const fn swatch_class(self) -> &'static str {
        match self {
            Self::Tier(Tier::None) => "tier-none",
            Self::Tier(Tier::Service) => "tier-service",
            Self::Tier(Tier::Account) => "tier-account",
            Self::Tier(Tier::Senior) => "tier-senior",
            Self::Tier(Tier::President) => "tier-president",
            Self::Neutral => "swatch-neutral",
            Self::Muted => "swatch-muted",
        }
    }
}

/// How a value reads in labels and tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Whole things: answers, cases, words.
    Count,
    Hours,
    Percent,
    /// A bare number such as return on satisfaction.
    Ratio,
}

impl Unit {
    pub fn format(self, value: f64) -> String {
        match self {
            Self::Count | Self::Ratio => format_number(value),
            Self::Hours => format!("{} h", format_number(value)),
            Self::Percent => format!("{} %", format_number(value.round())),
        }
    }

    /// Counts get whole-number gridlines: "2.5 answers" is not a thing.
    const fn whole(self) -> bool {
        matches!(self, Self::Count)
    }
}

/// A number for people: at most one decimal, none when it is whole, none
/// above 100 (where a tenth is noise), and a dash for a non-number.
pub fn format_number(value: f64) -> String {
    if !value.is_finite() {
        return "\u{2013}".to_owned();
    }
    // `+ 0.0` turns a negative zero into zero, so nothing prints "-0".
    let rounded = if value.abs() >= 100.0 {
        value.round() + 0.0
    } else {
        (value * 10.0).round() / 10.0 + 0.0
    };
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.1}")
    }
}

/// A coordinate in the SVG: a tenth of a unit is finer than any screen.
fn coord(value: f64) -> String {
    format_number(if value.is_finite() { value } else { 0.0 })
}

/// A value a chart can draw: negative, infinite and NaN values draw as 0
/// rather than break the geometry.
fn drawable(value: f64) -> f64 {
    if value.is_finite() && value > 0.0 {
        value
    } else {
        0.0
    }
}

/// Shortens a label drawn in the SVG; tables and tooltips show it whole.
fn clip(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        label.to_owned()
    } else {
        let mut short: String = label.chars().take(LABEL_CHARS - 1).collect();
        short.push('\u{2026}');
        short
    }
}

/// What every chart says about itself.
#[derive(Debug, Clone, Copy)]
pub struct Frame<'a> {
    /// Unique on the page; the `<title>` and `<desc>` ids derive from it.
    pub id: &'a str,
    /// The figure's caption, the SVG's title and the table's caption.
    pub caption: &'a str,
    /// One or two sentences saying what the chart shows, for screen readers.
    pub desc: &'a str,
    /// Shown instead of the chart when there is nothing to draw.
    pub empty: &'a str,
}

/// The gridlines of a value axis: a "nice" step (1, 2 or 5 × 10ⁿ) and a top
/// that is a whole number of steps, never zero, so scaling never divides
/// by zero.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Scale {
    top: f64,
    step: f64,
}

impl Scale {
    fn new(max: f64, whole: bool) -> Self {
        let max = drawable(max);
        let step = nice_step(max / 4.0, whole);
        let top = ((max / step).ceil() * step).max(step);
        Self { top, step }
    }

    /// Fixed top (percentages end at 100), four steps.
    fn fixed(top: f64) -> Self {
        let top = if drawable(top) > 0.0 { top } else { 1.0 };
        Self {
            top,
            step: top / 4.0,
        }
    }

    /// Where `value` sits along an axis `length` long, from 0.
    fn length(self, value: f64, length: f64) -> f64 {
        (drawable(value) / self.top).min(1.0) * length
    }

    /// The tick values from 0 to the top.
    fn ticks(self) -> Vec<f64> {
        (0..=8u32)
            .map(|i| f64::from(i) * self.step)
            .take_while(|v| *v <= self.top + self.step / 2.0)
            .collect()
    }
}

fn nice_step(raw: f64, whole: bool) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let mut magnitude = 1.0_f64;
    // Both loops are bounded: `raw` is finite and positive.
    while magnitude * 10.0 <= raw {
        magnitude *= 10.0;
    }
    while magnitude > raw {
        magnitude /= 10.0;
    }
    let step = [1.0, 2.0, 5.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    if whole {
        step.ceil().max(1.0)
    } else {
        step
    }
}

/// The `<svg>` element every chart shares: sized by its `viewBox` only,
/// named by its `<title>` and described by its `<desc>`.
fn svg(frame: &Frame, height: f64, body: &Markup) -> Markup {
    let title_id = format!("{}-title", frame.id);
    let desc_id = format!("{}-desc", frame.id);
    html! {
        svg viewBox=(format!("0 0 {} {}", coord(WIDTH), coord(height)))
            role="img" aria-labelledby=(format!("{title_id} {desc_id}")) {
            title id=(title_id) { (frame.caption) }
            desc id=(desc_id) { (frame.desc) }
            (body)
        }
    }
}

/// A chart drawn: the SVG, its legend if it has more than one series, and
/// the same numbers as a table.
struct Drawn {
    svg: Markup,
    legend: Option<Markup>,
    table: Markup,
}

/// The figure and its table fallback; or the figure with the empty message
/// when there was nothing to draw.
fn figure(frame: &Frame, drawn: Option<&Drawn>) -> Markup {
    html! {
        figure.chart {
            figcaption { (frame.caption) }
            @if let Some(drawn) = drawn {
                (drawn.svg)
                @if let Some(legend) = &drawn.legend { (legend) }
            } @else {
                p.muted { (frame.empty) }
            }
        }
        @if let Some(drawn) = drawn {
            details.fallback {
                summary { "Show as a table" }
                div.table-wrap { (drawn.table) }
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

/// Tick numbers stay short; only percentages carry their sign, since a
/// percentage axis is not obvious from the caption alone.
fn tick_label(tick: f64, unit: Unit) -> String {
    match unit {
        Unit::Percent => format!("{}%", format_number(tick)),
        _ => format_number(tick),
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
    use super::*;

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
    fn numbers_read_without_floating_noise() {
        assert_eq!(format_number(3.5), "3.5");
        assert_eq!(format_number(3.0), "3");
        assert_eq!(format_number(0.1 + 0.2), "0.3");
        assert_eq!(format_number(2.04), "2");
        assert_eq!(format_number(1234.56), "1235");
        assert_eq!(format_number(-0.01), "0");
        assert_eq!(format_number(f64::NAN), "\u{2013}");
        assert_eq!(format_number(f64::INFINITY), "\u{2013}");
        assert_eq!(Unit::Percent.format(91.6), "92 %");
        assert_eq!(Unit::Hours.format(3.5), "3.5 h");
        assert_eq!(Unit::Ratio.format(1.25), "1.3");
    }

    #[test]
    fn axes_get_nice_steps_and_never_a_zero_top() {
        assert_eq!(
            Scale::new(0.0, true),
            Scale {
                top: 1.0,
                step: 1.0
            }
        );
        assert_eq!(
            Scale::new(f64::NAN, false),
            Scale {
                top: 1.0,
                step: 1.0
            }
        );
        assert_eq!(
            Scale::new(7.0, true),
            Scale {
                top: 8.0,
                step: 2.0
            }
        );
        assert_eq!(
            Scale::new(2.0, true),
            Scale {
                top: 2.0,
                step: 1.0
            }
        );
        assert_eq!(
            Scale::new(130.0, true),
            Scale {
                top: 150.0,
                step: 50.0
            }
        );
        let hours = Scale::new(0.3, false);
        assert!((hours.step - 0.1).abs() < 1e-9 && (hours.top - 0.3).abs() < 1e-9);
        assert_eq!(
            Scale::fixed(100.0).ticks(),
            vec![0.0, 25.0, 50.0, 75.0, 100.0]
        );
        assert_eq!(Scale::new(7.0, true).ticks(), vec![0.0, 2.0, 4.0, 6.0, 8.0]);
    }

    /// One element a line, so a snapshot diff reads like a review.
    fn lines(markup: &str) -> String {
        markup.replace("><", ">\n<")
    }

    #[test]
    fn a_small_column_chart_renders_as_reviewed() {
        insta::assert_snapshot!("chart_columns_stacked", lines(&small_columns()));
    }

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
