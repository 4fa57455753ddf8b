//! Adding, changing and removing people: the same steps from the admin API
//! and the dashboard's People page, each with its audit row in the same
//! batch, and the rule that the last owner stays.

use crate::error::{EdgeError, EdgeResult};
use crate::store::exec::Db;
use crate::store::{audit, people, sessions};
use crate::{mail, random};
use domain::audit::{Action, Actor, Entry};
use domain::people::{NewPerson, Person, PersonView, Role};
use domain::sign_in::{LinkSecret, LINK_MINUTES};
use domain::Timestamp;
use worker::Env;

fn view(p: &Person) -> serde_json::Value {
    serde_json::to_value(PersonView::from(p)).unwrap_or(serde_json::Value::Null)
}

fn new_view(p: &NewPerson) -> serde_json::Value {
    serde_json::json!({"email": p.email.as_str(), "name": p.name, "role": p.role.as_str(),
        "sites": p.sites.to_stored()})
}

/// Adds `new` and mails them an invitation with a first sign-in link
/// (sent now; the mail outbox retries it). 409 if the address has an
/// account.
pub async fn invite(
    env: &Env,
    actor: &Actor,
    new: &NewPerson,
    base: &str,
    now: Timestamp,
) -> EdgeResult<Person> {
    let db = Db::from_env(env)?;
    let entry = Entry {
        actor: actor.clone(),
        action: Action::PersonAdded,
        target: new.email.as_str().to_owned(),
        before: None,
        after: Some(new_view(new)),
    };
    let row = audit::entry_if_changed(&db, &entry, now)?;
    let person = people::create(&db, &random::hex(16)?, new, row, now)
        .await?
        .ok_or(EdgeError::Conflict("this address already has an account"))?;
    let secret = mint_link(&db, &person.id, now, None)
        .await?
        .ok_or_else(|| EdgeError::Internal("an uncapped link was not stored".into()))?;
    let inviter = match actor {
        Actor::Person { name, .. } => name.clone(),
        Actor::Key { .. } | Actor::AdminToken => "Your Candor administrator".to_owned(),
    };
    let invitation = pages::mail::invitation(
        person.email.clone(),
        &inviter,
        person.role.as_str(),
        &secret.url(base, "/dashboard"),
        LINK_MINUTES,
    );
    let id = mail::queue(env, &invitation, now).await?;
    mail::send_one(env, &id).await?;
    Ok(person)
}

/// A new one-time sign-in link for `person_id`: 32 random bytes, of
/// which only the hash is stored. The caller mails it.
/// A new link for `person_id`; with `per_hour`, `None` once they had that
/// many links this hour.
pub async fn mint_link(
    db: &Db,
    person_id: &str,
    now: Timestamp,
    per_hour: Option<u32>,
) -> EdgeResult<Option<LinkSecret>> {
    let secret = LinkSecret::try_from(random::hex(32)?.as_str())?;
    let expires = LinkSecret::expires_at(now);
    let stored =
        sessions::create_link(db, &secret.hash(), person_id, now, expires, per_hour).await?;
    Ok(stored.then_some(secret))
}

/// 409 when `before` is the last owner and would stop being one.
async fn keep_an_owner(db: &Db, before: &Person, to: Option<Role>) -> EdgeResult<()> {
    let leaves = before.role == Role::Owner && to != Some(Role::Owner);
    if leaves && people::owners(db).await? <= 1 {
        return Err(EdgeError::Conflict(
            "the last owner stays: make someone else an owner first",
        ));
    }
    Ok(())
}

/// Changes a person's name, role and sites (not their address); their
/// sessions end if they lose anything.
pub async fn change(
    env: &Env,
    actor: &Actor,
    id: &str,
    after: &NewPerson,
    now: Timestamp,
) -> EdgeResult<Person> {
    let db = Db::from_env(env)?;
    let before = people::by_id(&db, id)
        .await?
        .ok_or(EdgeError::NotFound("person"))?;
    if after.email != before.email {
        return Err(domain::DomainError::invalid(
            "email",
            "cannot change; add a new person instead",
        )
        .into());
    }
    keep_an_owner(&db, &before, Some(after.role)).await?;
    let entry = Entry {
        actor: actor.clone(),
        action: Action::PersonChanged,
        target: before.email.as_str().to_owned(),
        before: Some(view(&before)),
        after: Some(new_view(after)),
    };
    people::update(&db, &before, after, audit::entry(&db, &entry, now)?, now).await?;
    people::by_id(&db, id)
        .await?
        .ok_or(EdgeError::NotFound("person"))
}

/// Removes a person; their sessions end at once.
pub async fn remove(env: &Env, actor: &Actor, id: &str, now: Timestamp) -> EdgeResult<Person> {
    let db = Db::from_env(env)?;
    let before = people::by_id(&db, id)
        .await?
        .ok_or(EdgeError::NotFound("person"))?;
    keep_an_owner(&db, &before, None).await?;
    let entry = Entry {
        actor: actor.clone(),
        action: Action::PersonRemoved,
        target: before.email.as_str().to_owned(),
        before: Some(view(&before)),
        after: None,
    };
    if !people::delete(&db, id, audit::entry_if_changed(&db, &entry, now)?).await? {
        return Err(EdgeError::NotFound("person"));
    }
    Ok(before)
}
