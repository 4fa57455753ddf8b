//! The Insights page drawn from figures computed over hand-made answers
//! and cases: its form and sections, empty periods, the answer cap, and
//! hostile text in every field.

use super::FixesView;
use super::*;
use crate::{Chrome, Section};
use domain::insights::fixtures::*;
use domain::insights::{compute, AnswerFact, CaseFact};
use domain::Tier;
use proptest::prelude::*;

fn chrome() -> Chrome {
    Chrome {
        manager: "Ada".into(),
        owner: true,
        works: true,
        csrf: "t".into(),
        section: Section::Insights,
    }
}

#[test]
fn empty_input_renders_without_nan_or_broken_charts() {
    let ins = compute(&[], &[], at(NOW), 12);
    let out = render(
        &chrome(),
        &[],
        &Filter::default(),
        &ins,
        &FixesView::default(),
    );
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
    let out = render(&chrome(), &sites, &filter, &sample(), &FixesView::default());
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
    let out = render(
        &chrome(),
        &[],
        &Filter::default(),
        &ins,
        &FixesView::default(),
    );
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
        let out = render(&chrome(), &[site], &filter, &ins, &FixesView::default());
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
        let out = render(&chrome(), &[], &Filter::default(), &ins, &FixesView::default());
        prop_assert!(!out.contains("NaN"));
    }
}

#[test]
fn open_fixes_are_listed_with_their_form() {
    use domain::fixes::{FixLine, FixStatus};
    let fixes = [FixLine {
        site: "demo".into(),
        code: "cart-timeout".into(),
        description: "<b>Longer</b> cart sessions".into(),
        status: FixStatus::InProgress,
        owner_id: Some("a".repeat(32)),
        owner_name: Some("Mia".into()),
        due_at: None,
        reopened_at: Some(domain::Timestamp::from_millis(0)),
        ros: Some(6.0),
        weighted: 6,
    }];
    let people = [("a".repeat(32), "Mia".to_owned())];
    let v = FixesView {
        fixes: &fixes,
        assignable: &people,
    };
    let out = render(&chrome(), &[], &Filter::default(), &sample(), &v);
    assert!(out.contains("Open systemic fixes"));
    assert!(out.contains("&lt;b&gt;Longer&lt;/b&gt;"));
    assert!(out.contains("action=\"/dashboard/fixes/demo/cart-timeout\""));
    assert!(out.contains("reopened"));
    assert!(out.contains("<option value=\"in_progress\" selected>"));
}
