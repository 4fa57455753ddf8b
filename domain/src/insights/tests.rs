//! The figures of one period, from hand-made answers and cases around a
//! fixed `NOW`.

use super::fixtures::*;
use super::*;
use proptest::prelude::*;

#[test]
fn the_period_is_whole_weeks_starting_monday_utc() {
    assert_eq!(period_start(at(NOW), 4), at(MON_NOV_2));
    assert_eq!(period_start(at(MON_NOV_2), 1), at(MON_NOV_2));
    assert_eq!(
        period_start(at(MON_NOV_2 - 1), 1),
        at(MON_NOV_2 - 7 * DAY_MS)
    );
    // Out-of-range week counts clamp instead of allocating or overflowing.
    assert_eq!(compute(&[], &[], at(NOW), 0).weeks.len(), 1);
    assert_eq!(compute(&[], &[], at(NOW), u32::MAX).weeks.len(), 52);
    assert_eq!(compute(&[], &[], at(i64::MIN), 52).weeks.len(), 52);
}

#[test]
fn answers_fall_into_their_week_oldest_first() {
    let answers = [
        answer(MON_NOV_2 - 1, Tier::None, None, "before the period"),
        answer(MON_NOV_2, Tier::Service, None, "first instant"),
        answer(
            MON_NOV_2 + 7 * DAY_MS - 1,
            Tier::Senior,
            Some(2),
            "sunday night",
        ),
        answer(
            MON_NOV_2 + 7 * DAY_MS,
            Tier::Account,
            Some(3),
            "second monday",
        ),
        answer(NOW, Tier::President, None, "now"),
        answer(NOW + 1, Tier::None, Some(5), "from the future"),
    ];
    let ins = compute(&answers, &[], at(NOW), 4);
    let starts: Vec<String> = ins
        .weeks
        .iter()
        .map(|w| w.start.to_rfc3339()[..10].to_owned())
        .collect();
    assert_eq!(
        starts,
        ["2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23"]
    );
    let by_tier: Vec<[usize; 5]> = ins.weeks.iter().map(|w| w.by_tier).collect();
    assert_eq!(
        by_tier,
        [[0, 1, 0, 1, 0], [0, 0, 1, 0, 0], [0; 5], [0, 0, 0, 0, 1]]
    );
    assert_eq!(ins.answers, 4);
    assert_eq!(ins.scores, [0, 1, 1, 0, 0, 2]);
    assert!(!ins.capped);
}

#[test]
fn scores_count_every_answer_once_and_ignore_impossible_scores() {
    let answers: Vec<AnswerFact> = [None, Some(1), Some(5), Some(5), Some(0), Some(9)]
        .into_iter()
        .map(|s| answer(NOW, Tier::None, s, "x"))
        .collect();
    assert_eq!(
        compute(&answers, &[], at(NOW), 4).scores,
        [1, 0, 0, 0, 2, 1]
    );
}

#[test]
fn deadlines_kept_missed_and_pending() {
    let due = NOW - HOUR / 2;
    let cases = [
        // Acknowledged before, exactly at, and after the deadline.
        CaseFact {
            acknowledged_at: Some(at(due - 1)),
            ..case(Tier::Senior)
        },
        CaseFact {
            acknowledged_at: Some(at(due)),
            ..case(Tier::Senior)
        },
        CaseFact {
            acknowledged_at: Some(at(due + 1)),
            ..case(Tier::Senior)
        },
        // Still open past the deadline: missed.
        case(Tier::Senior),
        // Still open, not yet due: pending.
        CaseFact {
            ack_due_at: Some(at(NOW + 1)),
            ..case(Tier::President)
        },
        // Acknowledged early though due later: kept.
        CaseFact {
            ack_due_at: Some(at(NOW + 1)),
            acknowledged_at: Some(at(NOW)),
            ..case(Tier::Service)
        },
        // No deadline: not counted at all.
        CaseFact {
            ack_due_at: None,
            ..case(Tier::Account)
        },
    ];
    let ins = compute(&[], &cases, at(NOW), 12);
    let row = |t: Tier| ins.sla.iter().find(|s| s.tier == t).copied().unwrap();
    let senior = row(Tier::Senior);
    assert_eq!((senior.kept, senior.missed, senior.pending), (2, 2, 0));
    assert_eq!(senior.percent(), Some(50.0));
    let president = row(Tier::President);
    assert_eq!((president.decided(), president.pending), (0, 1));
    assert_eq!(president.percent(), None);
    assert_eq!(row(Tier::Service).percent(), Some(100.0));
    assert_eq!(row(Tier::Account).decided() + row(Tier::Account).pending, 0);
    assert_eq!(ins.sla.len(), 4, "one row per tier that opens a case");
    let all = ins.sla_overall();
    assert_eq!((all.kept, all.missed, all.pending), (3, 2, 1));
    assert_eq!(ins.cases, 7);
}

#[test]
fn percentages_never_round_to_all_or_nothing_falsely() {
    let s = |kept, missed| SlaKept {
        tier: Tier::Service,
        kept,
        missed,
        pending: 0,
    };
    assert_eq!(s(199, 1).percent(), Some(99.0));
    assert_eq!(s(1, 299).percent(), Some(1.0));
    assert_eq!(s(11, 1).percent(), Some(92.0));
    assert_eq!(s(0, 3).percent(), Some(0.0));
}

#[test]
fn time_to_close_per_tier_counts_closed_cases_only() {
    let closing = |tier, hours: i64| CaseFact {
        closed_at: Some(at(NOW - HOUR + hours * HOUR)),
        ..case(tier)
    };
    let cases = [
        closing(Tier::Senior, 1),
        closing(Tier::Senior, 2),
        closing(Tier::Senior, 10),
        closing(Tier::Service, 4),
        case(Tier::Service), // still open
        CaseFact {
            closed_at: Some(at(NOW - 2 * HOUR)), // before it opened: 0 h
            ..case(Tier::Account)
        },
    ];
    let ins = compute(&[], &cases, at(NOW), 12);
    let tiers: Vec<Tier> = ins.close.iter().map(|c| c.tier).collect();
    assert_eq!(tiers, [Tier::Service, Tier::Account, Tier::Senior]);
    let senior = ins.close.iter().find(|c| c.tier == Tier::Senior).unwrap();
    assert_eq!(
        (senior.closed, senior.median_hours, senior.p90_hours),
        (3, 2.0, 10.0)
    );
    // All five closed: 0, 1, 2, 4, 10 hours.
    assert_eq!(ins.median_close_hours, Some(2.0));
}

/// Code, customers, weighted, effort, return.
type RosRow<'a> = (&'a str, usize, usize, Option<f64>, Option<f64>);

#[test]
fn root_causes_rank_by_return_on_satisfaction() {
    let cases = [
        closed(Tier::Service, "slow-reply", Some(1.0)),
        closed(Tier::Service, "slow-reply", None),
        closed(Tier::President, "wrong-item", Some(2.0)),
        closed(Tier::Account, "typo", Some(0.0)),
        closed(Tier::Senior, "no-effort", None),
        closed(Tier::Service, "big-fix", Some(3.0)),
        closed(Tier::Service, "big-fix", Some(5.0)),
        closed(Tier::Service, "bad-effort", Some(f64::NAN)),
        // Open cases are not counted even with a code.
        CaseFact {
            root_cause: Some("typo".into()),
            ..case(Tier::President)
        },
    ];
    let ins = compute(&[], &cases, at(NOW), 12);
    let ranked: Vec<RosRow> = ins
        .ranked
        .iter()
        .map(|r| {
            (
                r.code.as_str(),
                r.customers,
                r.weighted,
                r.effort_days,
                r.ros,
            )
        })
        .collect();
    assert_eq!(
        ranked,
        [
            // 2 / max(0, 0.25)
            ("typo", 1, 2, Some(0.0), Some(8.0)),
            // 8 / 2
            ("wrong-item", 1, 8, Some(2.0), Some(4.0)),
            // 2 / 1: the largest effort recorded for the code wins
            ("slow-reply", 2, 2, Some(1.0), Some(2.0)),
            // 2 / 5
            ("big-fix", 2, 2, Some(5.0), Some(0.4)),
        ]
    );
    let unmeasured: Vec<(&str, usize)> = ins
        .unmeasured
        .iter()
        .map(|r| (r.code.as_str(), r.weighted))
        .collect();
    assert_eq!(unmeasured, [("no-effort", 4), ("bad-effort", 1)]);
    let counts: Vec<(&str, usize)> = ins
        .root_causes
        .iter()
        .map(|t| (t.name.as_str(), t.count))
        .collect();
    assert_eq!(counts[..2], [("big-fix", 2), ("slow-reply", 2)]);
    assert_eq!(counts.len(), 6);
}

#[test]
fn words_count_once_per_answer_without_stopwords() {
    let answers = [
        answer(
            NOW,
            Tier::None,
            None,
            "Delivery was LATE. Delivery, delivery, delivery!",
        ),
        answer(
            NOW,
            Tier::None,
            None,
            "late delivery again, and that's 2024",
        ),
        answer(
            NOW,
            Tier::None,
            None,
            "Die Lieferung war nicht pünktlich, über eine Woche",
        ),
        answer(NOW, Tier::None, None, "pünktlich?"),
    ];
    let ins = compute(&answers, &[], at(NOW), 4);
    let words: Vec<(&str, usize)> = ins
        .words
        .iter()
        .map(|t| (t.name.as_str(), t.count))
        .collect();
    assert_eq!(
        words,
        [
            ("delivery", 2),
            ("late", 2),
            ("pünktlich", 2),
            ("lieferung", 1),
            ("woche", 1),
        ]
    );
}

#[test]
fn only_the_fifteen_most_frequent_words_are_kept() {
    let gaps = (0..40)
        .map(|i| format!("word{i:02}"))
        .collect::<Vec<_>>()
        .join(" ");
    let answers = [answer(NOW, Tier::None, None, &gaps)];
    assert_eq!(compute(&answers, &[], at(NOW), 4).words.len(), 15);
}

proptest! {
    #[test]
    fn any_facts_and_any_clock_compute_without_panicking(
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
    }
}

#[test]
fn tagged_answers_count_toward_return_on_satisfaction() {
    let mut praise = answer(
        NOW - 1_000,
        Tier::None,
        Some(5),
        "Fine, but the cart timed out.",
    );
    praise.tags = vec!["cart-timeout".into()];
    let mut late = answer(NOW - 2_000, Tier::Senior, Some(2), "Cart lost twice.");
    late.tags = vec!["cart-timeout".into()];
    let cases = [closed(Tier::Service, "cart-timeout", Some(1.0))];
    let ins = compute(&[praise, late], &cases, at(NOW), 12);
    let row = ins
        .ranked
        .iter()
        .find(|r| r.code == "cart-timeout")
        .unwrap();
    // One closed service case (1) + a tagged none answer (1) + a tagged
    // senior answer (4).
    assert_eq!((row.customers, row.weighted), (3, 6));
    // A tag with no closed case still ranks, unmeasured (no effort yet).
    let mut only = answer(NOW - 1_000, Tier::None, None, "Slow site.");
    only.tags = vec!["slow-site".into()];
    let ins = compute(&[only], &[], at(NOW), 12);
    assert_eq!(ins.unmeasured[0].code, "slow-site");
}
