//! The Insights page: where the gaps are, and which fixes buy the most
//! satisfaction (DESIGN §2 rules 3, 5 and 7). `domain::insights::compute`
//! makes the figures; [`render`] draws them.

use super::charts::{self, format_number, Bar, Bars, Category, Columns, Frame, Paint};
use super::charts::{Series, Stack, Unit};
use crate::insights::{
    count_f64, Filter, Insights, SlaKept, Tally, MAX_ANSWERS, TOP, WEEK_CHOICES,
};
use crate::{Tier, Timestamp};
use maud::{html, Markup};

/// The UTC date of an instant, "2026-11-23".
fn iso_date(t: Timestamp) -> String {
    let iso = t.to_rfc3339();
    iso.get(..10).map_or_else(|| iso.clone(), str::to_owned)
}

/// A short date for an axis label, "23 Nov" (the table gives the full one).
fn short_date(t: Timestamp) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let iso = iso_date(t);
    let month = iso
        .get(5..7)
        .and_then(|m| m.parse::<usize>().ok())
        .and_then(|m| MONTHS.get(m.checked_sub(1)?));
    let day = iso.get(8..10).map(|d| d.trim_start_matches('0'));
    match (day, month) {
        (Some(day), Some(month)) => format!("{day} {month}"),
        _ => iso,
    }
}

/// The whole Insights page.
pub fn render(
    chrome: &super::Chrome,
    sites: &[String],
    filter: &Filter,
    insights: &Insights,
) -> String {
    let body = html! {
        h1 { "Insights" }
        (filter_form(sites, filter))
        (period_note(filter, insights))
        section.card aria-labelledby="volume-h" {
            h2 #volume-h { "Answers and cases" }
            (headline(insights))
            (weekly_chart(insights))
        }
        div.grid {
            section.card aria-labelledby="scores-h" {
                h2 #scores-h { "Scores" }
                (score_chart(insights))
            }
            section.card aria-labelledby="sla-h" {
                h2 #sla-h { "Deadlines kept" }
                (sla_chart(insights))
            }
        }
        section.card aria-labelledby="close-h" {
            h2 #close-h { "Time to close" }
            (close_chart(insights))
        }
        div.grid {
            section.card aria-labelledby="causes-h" {
                h2 #causes-h { "Gap themes: root causes" }
                (causes_chart(insights))
            }
            section.card aria-labelledby="words-h" {
                h2 #words-h { "Gap themes: customers' words" }
                (words_chart(insights))
            }
        }
        section.card aria-labelledby="ros-h" {
            h2 #ros-h { "Return on satisfaction" }
            (ros_section(insights))
        }
    };
    super::page("Insights", Some(chrome), &body)
}

/// A plain GET form: the filter is in the URL, so a view can be bookmarked
/// and shared, and no CSRF token is needed for reading.
fn filter_form(sites: &[String], filter: &Filter) -> Markup {
    html! {
        form.row method="get" action="/dashboard/insights" aria-label="Filter" {
            div.field {
                label for="site" { "Site" }
                select #site name="site" {
                    option value="" selected[filter.site.is_none()] { "All sites" }
                    @for site in sites {
                        option value=(site) selected[filter.site.as_ref() == Some(site)] { (site) }
                    }
                }
            }
            div.field {
                label for="weeks" { "Period" }
                select #weeks name="weeks" {
                    @for weeks in WEEK_CHOICES {
                        option value=(weeks) selected[weeks == filter.weeks] { "Last " (weeks) " weeks" }
                    }
                }
            }
            div.field { button type="submit" { "Show" } }
        }
    }
}

fn period_note(filter: &Filter, insights: &Insights) -> Markup {
    html! {
        p.muted {
            (filter.site.as_deref().unwrap_or("All sites")) ": "
            (insights.weeks.len()) " weeks, " (iso_date(insights.from)) " to " (iso_date(insights.to))
            " (UTC). Weeks start on Monday; the last one is still under way."
        }
        @if insights.capped {
            p.notice {
                "Only the latest " (MAX_ANSWERS) " answers of this period are counted. "
                "Pick a shorter period to see all of them."
            }
        }
    }
}

/// The four numbers a manager looks at first.
fn headline(insights: &Insights) -> Markup {
    let sla = insights.sla_overall();
    let stat = |label: &str, value: String, detail: String| {
        html! {
            div {
                dt { (label) }
                dd { (value) @if !detail.is_empty() { " " span.small.muted { (detail) } } }
            }
        }
    };
    html! {
        dl.stats {
            (stat("Answers", insights.answers.to_string(), String::new()))
            (stat("Cases opened", insights.cases.to_string(), String::new()))
            (stat(
                "Acknowledged in time",
                sla.percent().map_or_else(|| "\u{2013}".to_owned(), |p| Unit::Percent.format(p)),
                if sla.decided() == 0 {
                    "no deadline has passed".to_owned()
                } else {
                    format!("{} of {}", sla.kept, sla.decided())
                },
            ))
            (stat(
                "Median time to close",
                insights.median_close_hours.map_or_else(|| "\u{2013}".to_owned(), |h| Unit::Hours.format(h)),
                if insights.median_close_hours.is_none() { "no case closed".to_owned() } else { String::new() },
            ))
        }
    }
}

const NO_ANSWERS: &str = "No answers in this period.";
const NO_CASES: &str = "No cases in this period.";

fn weekly_chart(insights: &Insights) -> Markup {
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
fn score_chart(insights: &Insights) -> Markup {
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

fn sla_chart(insights: &Insights) -> Markup {
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

fn close_chart(insights: &Insights) -> Markup {
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

fn causes_chart(insights: &Insights) -> Markup {
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

fn words_chart(insights: &Insights) -> Markup {
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

/// Rule 7, the table and the chart, with the formula in words.
fn ros_section(insights: &Insights) -> Markup {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dashboard::{Chrome, Section};
    use crate::insights::{compute, AnswerFact, CaseFact};
    use proptest::prelude::*;

    const HOUR: i64 = 3_600_000;
    const DAY_MS: i64 = 86_400_000;
    /// Monday 2026-11-02 00:00 UTC.
    const MON_NOV_2: i64 = 1_793_577_600_000;
    /// Wednesday 2026-11-25 12:00 UTC.
    const NOW: i64 = 1_795_608_000_000;

    fn at(ms: i64) -> Timestamp {
        Timestamp::from_millis(ms)
    }

    fn answer(ms: i64, tier: Tier, score: Option<u8>, gaps: &str) -> AnswerFact {
        AnswerFact {
            received_at: at(ms),
            tier,
            score,
            gaps: gaps.to_owned(),
        }
    }

    /// A case opened an hour before `NOW` with a 30-minute deadline.
    fn case(tier: Tier) -> CaseFact {
        CaseFact {
            tier,
            opened_at: at(NOW - HOUR),
            ack_due_at: Some(at(NOW - HOUR / 2)),
            acknowledged_at: None,
            closed_at: None,
            root_cause: None,
            effort: None,
        }
    }

    fn closed(tier: Tier, code: &str, effort: Option<f64>) -> CaseFact {
        CaseFact {
            acknowledged_at: Some(at(NOW - HOUR)),
            closed_at: Some(at(NOW)),
            root_cause: Some(code.to_owned()),
            effort,
            ..case(tier)
        }
    }

    fn chrome() -> Chrome {
        Chrome {
            manager: "Ada".into(),
            csrf: "t".into(),
            section: Section::Insights,
        }
    }

    #[test]
    fn empty_input_renders_without_nan_or_broken_charts() {
        let ins = compute(&[], &[], at(NOW), 12);
        let out = render(&chrome(), &[], &Filter::default(), &ins);
        assert!(out.contains("<h1>Insights</h1>"));
        assert!(out.contains("No answers in this period."));
        assert!(out.contains("No cases in this period."));
        assert!(!out.contains("<svg"), "no chart has anything to draw");
        for bad in ["NaN", "inf", "style="] {
            assert!(!out.contains(bad), "{bad}");
        }
    }

    fn sample() -> Insights {
        let answers = [
            answer(
                MON_NOV_2 + HOUR,
                Tier::Senior,
                Some(2),
                "The delivery was late",
            ),
            answer(NOW - HOUR, Tier::None, None, "Delivery box was damaged"),
            answer(NOW - HOUR, Tier::President, None, "Not worth the price"),
        ];
        let cases = [
            closed(Tier::Senior, "late-delivery", Some(2.0)),
            closed(Tier::President, "pricing", None),
            case(Tier::Account),
        ];
        compute(&answers, &cases, at(NOW), 4)
    }

    #[test]
    fn the_page_has_its_form_and_sections_in_order() {
        let sites = ["demo".to_owned(), "shop".to_owned()];
        let filter = Filter {
            site: Some("shop".into()),
            weeks: 4,
        };
        let out = render(&chrome(), &sites, &filter, &sample());
        assert!(out.contains(r#"<form class="row" method="get" action="/dashboard/insights""#));
        assert!(out.contains(r#"<label for="site">Site</label>"#));
        assert!(out.contains(r#"<option value="">All sites</option>"#));
        assert!(out.contains(r#"<option value="shop" selected>shop</option>"#));
        assert!(out.contains(r#"<option value="4" selected>Last 4 weeks</option>"#));
        assert!(out.contains(r#"<button type="submit">Show</button>"#));
        let order = [
            "chart-weekly",
            "chart-scores",
            "chart-sla",
            "chart-close",
            "chart-causes",
            "chart-words",
            "chart-ros",
        ];
        let positions: Vec<usize> = order.iter().map(|id| out.find(id).unwrap()).collect();
        assert!(positions.windows(2).all(|p| p[0] < p[1]), "{positions:?}");
        // Rule 1: the score chart uses only the neutral colour.
        let scores = &out[positions[1]..positions[2]];
        assert!(scores.contains("bar-neutral"));
        assert!(!scores.contains("bar-service") && !scores.contains("bar-senior"));
        assert!(out.contains("Effort not recorded"));
        assert!(out.contains("<dt>Answers</dt><dd>3</dd>"));
        assert!(out.contains("67 % <span class=\"small muted\">2 of 3</span>"));
        assert!(!out.contains("style=") && !out.contains("NaN"));
        assert_eq!(
            out.matches("<script").count(),
            1,
            "only the external script"
        );
        assert_eq!(out.matches("<svg").count(), 7);
        assert_eq!(out.matches("role=\"img\"").count(), 7);
        assert_eq!(out.matches("Show as a table").count(), 7);
    }

    #[test]
    fn a_full_cap_of_answers_is_said_on_the_page() {
        let answers = vec![answer(NOW, Tier::None, None, "x"); MAX_ANSWERS];
        let ins = compute(&answers, &[], at(NOW), 4);
        assert!(ins.capped);
        let out = render(&chrome(), &[], &Filter::default(), &ins);
        assert!(out.contains("Only the latest 5000 answers"));
    }

    /// Text that would be markup if it reached the page unescaped. The page
    /// has no tag named "zq…", so a `<zq` in the output is the input
    /// escaping; a `"zq` is too, unless it opens an attribute value (`="zq`)
    /// where the input is allowed to be.
    fn hostile() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop_oneof![
                Just("<script>alert(1)</script>".to_owned()),
                Just("\"".to_owned()),
                Just("'".to_owned()),
                Just("&".to_owned()),
                Just("&amp;".to_owned()),
                Just("<".to_owned()),
                Just(">".to_owned()),
                "(zq| ){1,4}",
                any::<String>(),
            ],
            0..8,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest! {
        #[test]
        fn hostile_text_never_becomes_markup_and_never_panics(
            gaps in prop::collection::vec(hostile(), 0..6),
            codes in prop::collection::vec(hostile(), 0..6),
            efforts in prop::collection::vec(any::<Option<f64>>(), 0..6),
            site in hostile(),
            offsets in prop::collection::vec(any::<i64>(), 0..6),
        ) {
            let answers: Vec<AnswerFact> = gaps
                .iter()
                .enumerate()
                .map(|(i, g)| answer(NOW - i64::try_from(i).unwrap() * DAY_MS, Tier::ALL[i % 5], None, g))
                .collect();
            let cases: Vec<CaseFact> = codes
                .iter()
                .enumerate()
                .map(|(i, code)| CaseFact {
                    closed_at: offsets.get(i).map(|o| at(NOW.saturating_add(*o))),
                    acknowledged_at: offsets.get(i + 1).map(|o| at(*o)),
                    ..closed(Tier::ALL[i % 5], code, efforts.get(i).copied().flatten())
                })
                .collect();
            let ins = compute(&answers, &cases, at(NOW), 52);
            let filter = Filter { site: Some(site.clone()), weeks: 52 };
            let out = render(&chrome(), &[site], &filter, &ins);
            prop_assert_eq!(out.matches("<script").count(), 1);
            for bad in ["<zq", "<script>alert", "NaN"] {
                prop_assert!(!out.contains(bad), "{} in output", bad);
            }
            let breakout = out.match_indices("\"zq").any(|(i, _)| !out[..i].ends_with('='));
            prop_assert!(!breakout, "a quote in the input closed an attribute");
        }

        #[test]
        fn any_facts_and_any_clock_render_without_nan(
            now in any::<i64>(),
            weeks in any::<u32>(),
            times in prop::collection::vec(any::<i64>(), 0..12),
            gaps in any::<String>(),
        ) {
            let answers: Vec<AnswerFact> = times
                .iter()
                .map(|t| answer(*t, Tier::Senior, Some(2), &gaps))
                .collect();
            let cases: Vec<CaseFact> = times
                .windows(3)
                .map(|w| CaseFact {
                    opened_at: at(w[0]),
                    ack_due_at: Some(at(w[1])),
                    acknowledged_at: Some(at(w[2])),
                    closed_at: Some(at(w[1])),
                    ..closed(Tier::President, &gaps, Some(1.0))
                })
                .collect();
            let ins = compute(&answers, &cases, at(now), weeks);
            prop_assert!(!ins.weeks.is_empty() && ins.weeks.len() <= 52);
            let out = render(&chrome(), &[], &Filter::default(), &ins);
            prop_assert!(!out.contains("NaN"));
        }
    }
}
