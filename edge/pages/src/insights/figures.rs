//! The Insights page's charts, one function per figure: what each shows,
//! its caption and description for screen readers, and what it says when
//! the period has nothing to draw.

use super::{iso_date, short_date};
use crate::charts::{self, Bar, Bars, Category, Columns, Frame, Paint};
use crate::charts::{Series, Stack, Unit};
use domain::insights::{count_f64, Insights, SlaKept, Tally, TOP};
use domain::Tier;
use maud::{html, Markup};

const NO_ANSWERS: &str = "No answers in this period.";
const NO_CASES: &str = "No cases in this period.";

pub(super) fn weekly_chart(insights: &Insights) -> Markup {
    let has_data = insights.answers > 0;
    let categories: Vec<Category> = insights
        .weeks
        .iter()
        .filter(|_| has_data)
        .map(|w| Category {
            short: short_date(w.start),
            long: format!("Week of {}", iso_date(w.start)),
        })
        .collect();
    let series: Vec<Series> = Tier::ALL
        .into_iter()
        .map(|tier| Series {
            name: tier.label().to_owned(),
            paint: Paint::Tier(tier),
            values: insights
                .weeks
                .iter()
                .map(|w| count_f64(w.of(tier)))
                .collect(),
        })
        .collect();
    let busiest = insights.weeks.iter().max_by_key(|w| w.total());
    let desc = format!(
        "Stacked columns, one per week, oldest on the left, split by tier. {} answers in all{}.",
        insights.answers,
        busiest.map_or_else(String::new, |w| format!(
            "; the busiest week, starting {}, had {}",
            iso_date(w.start),
            w.total()
        ))
    );
    let frame = Frame {
        id: "chart-weekly",
        caption: "Answers per week, by tier",
        desc: &desc,
        empty: NO_ANSWERS,
    };
    charts::columns(
        &frame,
        &Columns {
            heading: "Week",
            categories: &categories,
            series: &series,
            stack: Stack::Stacked,
            unit: Unit::Count,
        },
    )
}

/// Rule 1: every score, and no score, in the same neutral colour.
pub(super) fn score_chart(insights: &Insights) -> Markup {
    let labels = ["1", "2", "3", "4", "5", "No score"];
    let categories: Vec<Category> = labels
        .iter()
        .filter(|_| insights.answers > 0)
        .map(|l| Category {
            short: (*l).to_owned(),
            long: if l.len() == 1 {
                format!("Score {l}")
            } else {
                (*l).to_owned()
            },
        })
        .collect();
    let series = [Series {
        name: "Answers".to_owned(),
        paint: Paint::Neutral,
        values: insights.scores.iter().map(|n| count_f64(*n)).collect(),
    }];
    let no_score = insights.scores.get(5).copied().unwrap_or(0);
    let desc = format!(
        "One column per score from 1 to 5, then answers without a score, all in one colour. \
         {} answers; {no_score} without a score.",
        insights.answers
    );
    let frame = Frame {
        id: "chart-scores",
        caption: "Answers by score",
        desc: &desc,
        empty: NO_ANSWERS,
    };
    html! {
        (charts::columns(&frame, &Columns {
            heading: "Score",
            categories: &categories,
            series: &series,
            stack: Stack::Grouped,
            unit: Unit::Count,
        }))
        p.hint { "The score is optional. The gaps customers describe matter more than the number." }
    }
}

/// "92 % (11 of 12)": short enough to sit at the end of a bar.
fn sla_note(s: &SlaKept) -> String {
    s.percent().map_or_else(
        || "none due yet".to_owned(),
        |p| {
            format!(
                "{} ({} of {})",
                Unit::Percent.format(p),
                s.kept,
                s.decided()
            )
        },
    )
}

pub(super) fn sla_chart(insights: &Insights) -> Markup {
    let bars: Vec<Bar> = insights
        .sla
        .iter()
        .filter(|s| s.decided() + s.pending > 0)
        .map(|s| Bar {
            label: s.tier.label().to_owned(),
            value: s.percent().unwrap_or(0.0),
            paint: Paint::Tier(s.tier),
            note: Some(sla_note(s)),
        })
        .collect();
    let overall = insights.sla_overall();
    let desc = format!(
        "One bar per tier: the share of cases acknowledged by their deadline. \
         {} kept, {} missed, {} not yet due.",
        overall.kept, overall.missed, overall.pending
    );
    let frame = Frame {
        id: "chart-sla",
        caption: "Cases acknowledged by their deadline",
        desc: &desc,
        empty: NO_CASES,
    };
    html! {
        (charts::bars(&frame, &Bars {
            label_heading: "Tier",
            value_heading: "Acknowledged in time",
            bars: &bars,
            unit: Unit::Percent,
            max: Some(100.0),
        }))
        p.hint {
            "A case still open after its deadline counts as missed; "
            "one that is not yet due is pending and not counted"
            @if overall.pending > 0 { " (" (overall.pending) " now)" }
            "."
        }
    }
}

pub(super) fn close_chart(insights: &Insights) -> Markup {
    let categories: Vec<Category> = insights
        .close
        .iter()
        .map(|c| Category {
            short: c.tier.label().to_owned(),
            long: format!("{} ({} closed)", c.tier.label(), c.closed),
        })
        .collect();
    let series = [
        Series {
            name: "Median".to_owned(),
            paint: Paint::Neutral,
            values: insights.close.iter().map(|c| c.median_hours).collect(),
        },
        Series {
            name: "90th percentile".to_owned(),
            paint: Paint::Muted,
            values: insights.close.iter().map(|c| c.p90_hours).collect(),
        },
    ];
    let desc = "For each tier with closed cases, the median hours from opening to closing \
                and the 90th percentile (nine in ten cases closed within it).";
    let frame = Frame {
        id: "chart-close",
        caption: "Hours from opening to closing, per tier",
        desc,
        empty: "No case was closed in this period.",
    };
    charts::columns(
        &frame,
        &Columns {
            heading: "Tier",
            categories: &categories,
            series: &series,
            stack: Stack::Grouped,
            unit: Unit::Hours,
        },
    )
}

/// A "top N" bar chart of tallies, in one neutral colour.
fn tally_chart(frame: &Frame, headings: (&str, &str), tallies: &[Tally]) -> Markup {
    let bars: Vec<Bar> = tallies
        .iter()
        .take(TOP)
        .map(|t| Bar {
            label: t.name.clone(),
            value: count_f64(t.count),
            paint: Paint::Neutral,
            note: None,
        })
        .collect();
    html! {
        (charts::bars(frame, &Bars {
            label_heading: headings.0,
            value_heading: headings.1,
            bars: &bars,
            unit: Unit::Count,
            max: None,
        }))
        @if tallies.len() > TOP {
            p.hint { "The " (TOP) " most frequent of " (tallies.len()) "." }
        }
    }
}

pub(super) fn causes_chart(insights: &Insights) -> Markup {
    let desc = format!(
        "One bar per root-cause code recorded when closing a case, most frequent first; \
         {} codes in all.",
        insights.root_causes.len()
    );
    let frame = Frame {
        id: "chart-causes",
        caption: "Root causes by number of closed cases",
        desc: &desc,
        empty: "No closed case has a root cause in this period.",
    };
    tally_chart(&frame, ("Root cause", "Cases"), &insights.root_causes)
}

pub(super) fn words_chart(insights: &Insights) -> Markup {
    let frame = Frame {
        id: "chart-words",
        caption: "Frequent words in the answers",
        desc: "The words found in the most answers (each answer counts a word once), \
               leaving out short and common words.",
        empty: if insights.answers == 0 {
            NO_ANSWERS
        } else {
            "No word recurs in the answers yet."
        },
    };
    tally_chart(&frame, ("Word", "Answers"), &insights.words)
}
