//! 500 distinct answers sent at once to the real Worker: every one is stored
//! exactly once — none lost, none doubled.
//!
//! Under 500 simultaneous connections on two cores, wrangler's local dev
//! proxy sometimes drops its connection to workerd and answers a plain-text
//! 503 "Your worker restarted mid-request" (the plain-JS reference Worker in
//! `edge/bench/` gets the same). A browser sees that as a failed request,
//! and the widget retries it with the same id; so does this test, which is
//! how it also checks that a retry after a lost answer stores nothing twice.
//! A 5xx from the Worker itself (the JSON error shape) fails the test.

use crate::support::{answer, Stack};
use domain::submission::RawSubmission;
use std::collections::{BTreeMap, BTreeSet};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_parallel_answers_are_all_stored_once() {
    let stack = Stack::start("ingest-load");
    let api = stack.api();
    let answers: Vec<RawSubmission> = (0..500)
        .map(|i| RawSubmission {
            score: [None, Some(1), Some(2), Some(3), Some(4), Some(5)][i % 6],
            ..answer(&format!("answer {i}"))
        })
        .collect();
    let ids: Vec<String> = answers.iter().map(|a| a.id.clone()).collect();
    let sends: Vec<_> = answers
        .into_iter()
        .map(|given| {
            let api = api.clone();
            tokio::spawn(async move { api.send_despite_lost_requests(&given).await })
        })
        .collect();
    let mut tally = BTreeMap::new();
    let mut retried = 0;
    for s in sends {
        let sent = s.await.unwrap();
        let (status, text) = (sent.status, &sent.text);
        assert!(status < 500, "the Worker answered {status}: {text}");
        *tally.entry(status).or_insert(0) += 1;
        retried += sent.resent;
    }
    println!("statuses {tally:?}; {retried} requests lost by the dev proxy and retried");
    // 201 first time; 200 if a lost attempt had in fact been stored.
    assert_eq!(
        tally.get(&201).unwrap_or(&0) + tally.get(&200).unwrap_or(&0),
        500,
        "{tally:?}"
    );
    let rows = stack.rows("SELECT id FROM responses");
    let stored: BTreeSet<String> = rows
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(rows.len(), 500, "one row per answer");
    assert_eq!(stored, ids.into_iter().collect::<BTreeSet<_>>());
    // Scores 1, 2 and 3 open cases: 3 of every 6 answers.
    let cases = stack.rows("SELECT count(*) AS n FROM cases");
    assert_eq!(cases[0]["n"], 250);
}
