//! The cron's retention pass: for each site that keeps personal data a set
//! number of days (`domain::retention`), erase what is due, at most
//! [`domain::retention::CHUNK`] answers per tick and home, so a large
//! backlog drains over several minutes without holding a writer. It runs
//! in each home (`crate::tick`): D1's sites, then each site in its own
//! object, whose `sites` table holds that site alone.

use crate::error::EdgeResult;
use crate::store::exec::Db;
use crate::store::{erasure, retention};
use domain::Timestamp;

/// Erases what is due at `now` in `db`; returns how many answers were
/// erased.
pub async fn erase_due(db: &Db, now: Timestamp) -> EdgeResult<usize> {
    let mut budget = domain::retention::CHUNK;
    let mut erased = 0;
    for site in retention::sites(db).await? {
        if budget == 0 {
            break;
        }
        let Some(before) = domain::retention::cutoff(site.retention_days, now) else {
            continue;
        };
        let due = retention::due(db, &site.key, before, budget).await?;
        if due.is_empty() {
            continue;
        }
        let why = domain::retention::note(site.retention_days);
        let done = erasure::erase_answers(db, &due, "retention", &why, now).await?;
        budget = budget.saturating_sub(u32::try_from(due.len()).unwrap_or(u32::MAX));
        erased += done.len();
    }
    if erased > 0 {
        worker::console_log!("retention: {erased} answer(s) erased");
    }
    Ok(erased)
}
