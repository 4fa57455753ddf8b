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
//!
//! Here is what every chart shares (colours, units, numbers for people, the
//! figure with its table); [`columns()`] and [`bars()`] draw the two kinds.

mod bars;
mod columns;
mod scale;

pub use bars::{bars, Bar, Bars};
pub use columns::{columns, Category, Columns, Series, Stack};

use domain::Tier;
use maud::{html, Markup};

/// Width of every chart's coordinate system; CSS scales it to the card.
const WIDTH: f64 = 640.0;
/// Room for the category labels under a column chart, and the tick labels
/// under a bar chart.
const AXIS_LABEL_ROOM: f64 = 30.0;
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

/// Tick numbers stay short; only percentages carry their sign, since a
/// percentage axis is not obvious from the caption alone.
fn tick_label(tick: f64, unit: Unit) -> String {
    match unit {
        Unit::Percent => format!("{}%", format_number(tick)),
        _ => format_number(tick),
    }
}

/// One element a line, so a snapshot diff reads like a review.
#[cfg(test)]
fn lines(markup: &str) -> String {
    markup.replace("><", ">\n<")
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
