//! 500 distinct answers sent at once to the real Worker: every one is
//! answered 201 and stored exactly once — none lost, none doubled.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::Stack;
use std::collections::BTreeSet;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_parallel_answers_are_all_stored_once() {
    let stack = Stack::start("ingest-load");
    let client = reqwest::Client::new();
    let url = stack.worker.url("/v1/responses");
    let ids: Vec<String> = (0..500).map(|_| uuid::Uuid::new_v4().to_string()).collect();
    let sends: Vec<_> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let score = [None, Some(1), Some(2), Some(3), Some(4), Some(5)][i % 6];
            let body = serde_json::json!({"site": "demo", "id": id, "gaps": format!("answer {i}"), "score": score});
            let request = client.post(&url).json(&body);
            tokio::spawn(async move {
                let resp = request.send().await.expect("send");
                let status = resp.status().as_u16();
                if status != 201 {
                    eprintln!("{status}: {:?} {}", resp.headers().clone(), resp.text().await.unwrap_or_default());
                }
                status
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for s in sends {
        statuses.push(s.await.unwrap());
    }
    let mut tally = std::collections::BTreeMap::new();
    for s in &statuses {
        *tally.entry(*s).or_insert(0) += 1;
    }
    assert_eq!(tally.get(&201), Some(&500), "statuses: {tally:?}");
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
