//! The `people` table: accounts, their role and their sites.

use super::{millis, stored, text};
use crate::error::EdgeResult;
use crate::store::exec::{Db, Stmt};
use domain::fields::Email;
use domain::people::{account_email, NewPerson, Person, Role, Sites};
use domain::Timestamp;
use serde::Deserialize;

pub const COLUMNS: &str = "p.id, p.email, p.name, p.role, p.sites";

/// A `people` row as D1 returns it.
#[derive(Deserialize)]
pub struct Row {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: String,
    pub sites: String,
}

impl Row {
    /// The stored row as a [`Person`]; a value we no longer accept is a
    /// bad stored value (500), never a guess at someone's rights.
    pub fn person(self) -> EdgeResult<Person> {
        Ok(Person {
            email: stored("email", &self.email, |e| account_email(e).ok())?,
            role: stored("role", &self.role, |r| Role::try_from(r).ok())?,
            sites: stored("sites", &self.sites, |s| Sites::parse(s).ok())?,
            id: self.id,
            name: self.name,
        })
    }
}

pub async fn by_email(db: &Db, email: &Email) -> EdgeResult<Option<Person>> {
    let row: Option<Row> = db
        .prepare(format!("SELECT {COLUMNS} FROM people p WHERE p.email = ?1"))
        .bind(&[text(email.as_str())])?
        .first_row()
        .await?;
    row.map(Row::person).transpose()
}

pub async fn by_id(db: &Db, id: &str) -> EdgeResult<Option<Person>> {
    let row: Option<Row> = db
        .prepare(format!("SELECT {COLUMNS} FROM people p WHERE p.id = ?1"))
        .bind(&[text(id)])?
        .first_row()
        .await?;
    row.map(Row::person).transpose()
}

pub async fn list(db: &Db) -> EdgeResult<Vec<Person>> {
    let rows: Vec<Row> = db
        .prepare(format!(
            "SELECT {COLUMNS} FROM people p ORDER BY p.email LIMIT 1000"
        ))
        .all_rows()
        .await?
        .results()?;
    rows.into_iter().map(Row::person).collect()
}

/// Adds a person, with `audit` (built by `audit::entry_if_changed`) in the
/// same batch; `None` when the address already has an account (nothing
/// changes: the caller answers 409).
pub async fn create(
    db: &Db,
    id: &str,
    p: &NewPerson,
    audit: Stmt,
    now: Timestamp,
) -> EdgeResult<Option<Person>> {
    let insert = db
        .prepare(
            "INSERT INTO people (id, email, name, role, sites, created_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) ON CONFLICT(email) DO NOTHING",
        )
        .bind(&[
            text(id),
            text(p.email.as_str()),
            text(&p.name),
            text(p.role.as_str()),
            text(&p.sites.to_stored()),
            millis(now),
        ])?;
    let results = db.batch(vec![insert, audit]).await?;
    if super::first_changes(&results) == 0 {
        return Ok(None);
    }
    by_id(db, id).await
}

/// Changes a person's name, role and sites. Their sessions end in the same
/// batch when they lose anything (a lower role, fewer sites): what they can
/// do changes now, not at their next sign-in.
pub async fn update(
    db: &Db,
    before: &Person,
    after: &NewPerson,
    audit: Stmt,
    now: Timestamp,
) -> EdgeResult<()> {
    let lowered = before.role.is_lowered_to(after.role) || loses_sites(before, after);
    let mut batch = vec![
        audit,
        db.prepare(
            "UPDATE people SET name = ?2, role = ?3, sites = ?4, updated_at = ?5 WHERE id = ?1",
        )
        .bind(&[
            text(&before.id),
            text(&after.name),
            text(after.role.as_str()),
            text(&after.sites.to_stored()),
            millis(now),
        ])?,
    ];
    if lowered {
        batch.push(
            db.prepare("DELETE FROM sessions WHERE person_id = ?1")
                .bind(&[text(&before.id)])?,
        );
    }
    db.batch(batch).await?;
    Ok(())
}

/// Whether `after` sees fewer sites than `before` did.
fn loses_sites(before: &Person, after: &NewPerson) -> bool {
    let seen = Person {
        role: after.role,
        sites: after.sites.clone(),
        ..before.clone()
    };
    match before.scope() {
        None => seen.scope().is_some(),
        Some(keys) => keys.iter().any(|k| !seen.sees(k)),
    }
}

/// Removes a person, their sessions and their unused links, with `audit`
/// (an `entry_if_changed`), in one batch.
pub async fn delete(db: &Db, id: &str, audit: Stmt) -> EdgeResult<bool> {
    let results = db
        .batch(vec![
            db.prepare("DELETE FROM people WHERE id = ?1")
                .bind(&[text(id)])?,
            audit,
            db.prepare("DELETE FROM sessions WHERE person_id = ?1")
                .bind(&[text(id)])?,
            db.prepare("DELETE FROM sign_in_links WHERE person_id = ?1")
                .bind(&[text(id)])?,
        ])
        .await?;
    Ok(super::first_changes(&results) > 0)
}

/// How many owners there are: the last one may not be removed or lowered.
pub async fn owners(db: &Db) -> EdgeResult<u32> {
    #[derive(Deserialize)]
    struct Row {
        n: u32,
    }
    let row: Option<Row> = db
        .prepare("SELECT COUNT(*) AS n FROM people WHERE role = 'owner'")
        .first_row()
        .await?;
    Ok(row.map_or(0, |r| r.n))
}
