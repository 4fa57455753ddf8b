//! The operator notice (cron): when alerts of a site become dead letters,
//! one chat message to each of the site's recipients and one mail to each
//! owner, at most once an hour per site. A dead letter often means a
//! recipient is broken, so the mail is the channel that still works.
//!
//! A notice is sent once: the `notices` row is claimed before anything is
//! sent, and neither the chat posts nor the mails are retried as alerts are
//! (the mail outbox retries its own sends). If every channel fails, the
//! dead letters are still listed in Settings.

use super::send::Target;
use super::Settings;
use crate::error::EdgeResult;
use crate::store::exec::Db;
use crate::store::{mails, notices, people, sites};
use domain::alert::Alert;
use domain::Timestamp;
use worker::Env;

const HOUR_MS: i64 = 3_600_000;

/// Sends the notices due at `now` for the dead letters in `db` (D1, or a
/// site's own object); returns how many sites were told. The owners are
/// people of the control database, `d1`, and their mails go to its outbox.
pub async fn send_due(env: &Env, d1: &Db, db: &Db, now: Timestamp) -> EdgeResult<usize> {
    let quiet_since = Timestamp::from_millis(now.millis() - HOUR_MS);
    let since = Timestamp::from_millis(now.millis() - 24 * HOUR_MS);
    let mut told = 0;
    for u in notices::uncovered_dead_letters(db, since, quiet_since).await? {
        if !notices::claim(db, &u, now, quiet_since).await? {
            continue;
        }
        told += 1;
        let base = u.base_url.as_deref().unwrap_or_default();
        let alert = Alert::undelivered(&u.site, u.count, now, base, u.newest);
        post_to_recipients(db, env, &u.site, &alert).await?;
        mail_owners(d1, &u, &alert.dashboard_url, now).await?;
        worker::console_log!(
            "notice: {} undelivered alert(s) on site {}",
            u.count,
            u.site
        );
    }
    Ok(told)
}

async fn post_to_recipients(db: &Db, env: &Env, site: &str, alert: &Alert) -> EdgeResult<()> {
    let settings = Settings::from_env(env);
    for r in sites::sendable_recipients(db, site).await? {
        let target = Target {
            format: &r.format,
            url: &r.url,
            secret: r.secret.as_deref(),
        };
        let sent = settings.send(&target, alert).await;
        if sent.status.is_none_or(|s| !(200..300).contains(&s)) {
            worker::console_warn!(
                "notice to recipient {}: {}",
                r.id,
                sent.error.as_deref().unwrap_or("refused")
            );
        }
    }
    Ok(())
}

/// One mail per owner, its id naming the notice (the newest dead letter it
/// covers), so a repeated run writes none twice.
async fn mail_owners(db: &Db, u: &notices::Uncovered, url: &str, now: Timestamp) -> EdgeResult<()> {
    let owners = people::list(db)
        .await?
        .into_iter()
        .filter(|p| p.role == domain::people::Role::Owner);
    for owner in owners {
        let mail = pages::mail::undelivered(owner.email, &u.site, u.count, url);
        let id = format!("undelivered-{}-{}-{}", u.site, u.newest, owner.id);
        mails::insert_once(db, &id, &mail, now).await?;
    }
    Ok(())
}
