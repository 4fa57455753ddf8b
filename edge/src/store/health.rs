//! The one query `/health` runs: does D1 answer?

use crate::store::exec::Db;

/// `true` when D1 runs a trivial read.
pub async fn answers(db: &Db) -> bool {
    #[derive(serde::Deserialize)]
    struct One {
        one: i64,
    }
    let Ok(stmt) = db.prepare("SELECT 1 AS one").bind(&[]) else {
        return false;
    };
    matches!(stmt.first_row::<One>().await, Ok(Some(One { one: 1 })))
}
