//! 100,000 answers in the local D1 before the Worker starts, so the
//! dashboard pollers read a database of a busy site's size, not an empty
//! one. One SQL file of multi-row INSERTs in the migrated schema
//! (`edge/migrations/`), applied by `wrangler d1 execute --local --file`:
//! about 20 s for the 100,000 on a 2-core machine, where 100,000 POSTs at
//! the ingest bench's pace would take several minutes.
//!
//! The rows are what the Worker writes for an answer (response, and for a
//! tier that needs a human its case and the case's `opened` event), spread
//! over the 90 days before the run. Tiers come from `domain::tier`, the
//! Worker's own rule. One case in twenty is still being worked (open,
//! acknowledged or contacted), the rest closed: the inbox's default view
//! then holds about 2,000 active cases. No alert or delivery rows: those
//! answers were alerted long ago, and the soak counts only its own.

use crate::Result;
use domain::fields::Score;
use domain::tier::Tier;
use std::fmt::Write as _;
use std::path::Path;

/// Answers seeded (issue 21: pollers against 100,000 answers).
pub(super) const ANSWERS: usize = 100_000;

/// Rows per INSERT: few statements to parse, each well below D1's limit
/// of 100,000 bytes a statement (local D1 enforces it: SQLITE_TOOBIG).
const ROWS_PER_INSERT: usize = 200;

/// How far back the seeded answers go.
const SPAN_MS: u64 = 90 * 24 * 3_600_000;

/// The id of seeded answer `k`: a UUID v4 in shape, recognisable by its
/// `5eed` prefix, never one the soak's fresh random ids can take.
pub(super) fn id(k: usize) -> String {
    format!("5eed0000-0000-4000-8000-{k:012x}")
}

/// Score and guarantee of seeded answer `k`: most answers are good, about
/// a third ask for follow-up, one in fifty invokes the guarantee.
fn shape(k: usize) -> (Option<i64>, bool) {
    let score = match k % 10 {
        0 | 5 | 8 => Some(5),
        1 | 6 => Some(4),
        2 => None,
        3 => Some(3),
        4 => Some(2),
        _ => Some(1),
    };
    (score, k % 50 == 7)
}

fn tier(k: usize) -> Tier {
    let (score, guarantee) = shape(k);
    Tier::derive(
        score.and_then(|s| Score::try_from(s).ok()),
        guarantee,
        false,
    )
}

/// One table's rows as INSERT statements of [`ROWS_PER_INSERT`] rows.
fn inserts(sql: &mut String, head: &str, rows: &[String]) {
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        sql.push_str(head);
        sql.push_str(" VALUES\n");
        sql.push_str(&chunk.join(",\n"));
        sql.push_str(";\n");
    }
}

/// The SQL that seeds `n` answers, the newest a little before `now_ms`.
pub(super) fn sql(n: usize, now_ms: u64) -> String {
    let step = SPAN_MS / u64::try_from(n.max(1)).unwrap_or(1);
    let first = now_ms.saturating_sub(SPAN_MS + 3_600_000);
    let (mut responses, mut cases, mut events) = (Vec::new(), Vec::new(), Vec::new());
    for k in 0..n {
        let id = id(k);
        let at = first + step * u64::try_from(k).unwrap_or(0);
        let (score, guarantee) = shape(k);
        let tier = tier(k).as_str();
        let opens = tier != "none";
        let case_id = if opens {
            format!("'{id}'")
        } else {
            "NULL".into()
        };
        let score = score.map_or_else(|| "NULL".into(), |s| s.to_string());
        let case = if opens { "open" } else { "none" };
        responses.push(format!(
            "('{id}','demo',{at},'Seeded answer {k}: the delivery came late and nobody said why.',\
             {score},{},'{tier}',0,'http://127.0.0.1:5173/checkout','order-{k}','en',{case_id},\
             '{{\"id\":\"{id}\",\"tier\":\"{tier}\",\"case\":\"{case}\"}}')",
            u8::from(guarantee)
        ));
        if opens {
            // Three answers in 150, all of score 3: 2 % of the answers, one
            // case in twenty.
            let state = match k % 150 {
                3 => "open",
                53 => "acknowledged",
                103 => "contacted",
                _ => "closed",
            };
            let updated = if state == "open" { at } else { at + 1_800_000 };
            cases.push(format!(
                "('{id}','demo','{tier}','{state}','{tier}',{at},{},{updated},{updated})",
                at + 3_600_000
            ));
            events.push(format!("('{id}','opened','customer','tier {tier}',{at})"));
        }
    }
    let mut sql = String::from("-- The soak's seed: see xtask/src/bench/soak/seed.rs.\n");
    inserts(
        &mut sql,
        "INSERT INTO responses (id, site, received_at, gaps, score, guarantee, tier, callback, \
         page, transaction_ref, locale, case_id, reply)",
        &responses,
    );
    inserts(
        &mut sql,
        "INSERT INTO cases (id, site, tier, state, level, opened_at, ack_due_at, updated_at, state_at)",
        &cases,
    );
    inserts(
        &mut sql,
        "INSERT INTO events (case_id, type, by, note, at)",
        &events,
    );
    let _ = writeln!(sql, "-- {n} answers, {} cases", cases.len());
    sql
}

/// Migrates the fresh local D1 in `state` and seeds it from `file`.
pub(super) fn apply(state: &Path, file: &Path, now_ms: u64) -> Result {
    ::tests::worker::migrate(state)?;
    std::fs::write(file, sql(ANSWERS, now_ms))?;
    ::tests::worker::execute_file(None, state, file, "seeding 100,000 answers")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The seed runs on the migrated schema (real SQLite, D1's engine) and
    /// stores what it says: every answer, the cases its tiers open, one
    /// `opened` event each, and a few thousand active cases per 100,000.
    #[test]
    fn the_seed_fits_the_migrated_schema() {
        let db = crate::schema::migrated();
        let n = 3_000;
        let seed = sql(n, 1_800_000_000_000);
        let longest = seed.split(";\n").map(str::len).max().unwrap();
        assert!(longest < 100_000, "a statement of {longest} bytes");
        db.execute_batch(&seed).unwrap();
        let count = |q: &str| db.query_row(q, [], |r| r.get::<_, i64>(0)).unwrap();
        let opening = (0..n).filter(|&k| tier(k).opens_case()).count();
        assert_eq!(count("SELECT COUNT(*) FROM responses"), 3_000);
        assert_eq!(
            count("SELECT COUNT(*) FROM cases"),
            i64::try_from(opening).unwrap()
        );
        assert_eq!(
            count("SELECT COUNT(*) FROM events"),
            i64::try_from(opening).unwrap()
        );
        assert_eq!(
            count("SELECT COUNT(*) FROM responses WHERE case_id IS NOT NULL"),
            i64::try_from(opening).unwrap()
        );
        let active = count("SELECT COUNT(*) FROM cases WHERE state != 'closed'");
        assert!(active > 0 && active * 10 < i64::try_from(opening).unwrap());
        assert_eq!(
            count("SELECT MAX(received_at) < 1800000000000 FROM responses"),
            1,
            "every seeded answer is older than the run"
        );
    }

    #[test]
    fn seeded_ids_are_uuids_the_soak_never_sends() {
        let id = id(99_999);
        assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
        assert!(id.starts_with("5eed"));
        assert_ne!(super::id(1), super::id(2));
    }
}
