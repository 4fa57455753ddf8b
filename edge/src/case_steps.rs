//! A step on a case, whichever door it comes through (the managers' API or
//! an acknowledge link): checked by the `domain` state machine, recorded in
//! one guarded transaction, and — for an acknowledgement — followed by an
//! alert that tells the case's channel who took it.

use crate::error::{EdgeError, EdgeResult};
use crate::store::cases::{self, CaseRow};
use crate::store::exec::Db;
use crate::store::outbox::NewAlert;
use domain::alert::{idempotency_id, Reason};
use domain::case::{Action, CaseEvent, CaseState, Tell};
use domain::fields::Email;
use domain::lang::Lang;
use domain::mail::Mail;
use domain::people::Person;
use domain::{Tier, Timestamp};
use worker::{Context, Env};

/// Which door a step came through. A person in the dashboard who
/// acknowledges an unowned case becomes its owner; a chat link's typed name
/// proves no account, so that case stays unowned.
#[derive(Debug, Clone, Copy)]
pub enum Door<'a> {
    Dashboard(&'a Person),
    Api,
    Chat,
}

impl Door<'_> {
    const fn name(self) -> &'static str {
        match self {
            Self::Dashboard(_) => "dashboard",
            Self::Api => "api",
            Self::Chat => "chat",
        }
    }
}

#[allow(clippy::too_many_arguments)] // each is a separate fact of the step
pub async fn record(
    db: &Db,
    env: &Env,
    ctx: &Context,
    case: &CaseRow,
    event: &CaseEvent,
    door: Door<'_>,
    base_url: &str,
    now: Timestamp,
) -> EdgeResult<()> {
    let from = CaseState::parse(&case.state).ok_or_else(|| {
        EdgeError::Internal(format!("case {} has state {:?}", case.id, case.state))
    })?;
    let to = from.apply(&event.action)?;
    if matches!(event.action, Action::NoContact { .. }) && case.reachable.unwrap_or(0) != 0 {
        return Err(EdgeError::Conflict(
            "this customer left an email or phone: call them and record the contact",
        ));
    }
    let level = Tier::parse(&case.level).unwrap_or(Tier::Service);
    let reason = Reason::Acknowledged {
        by: event.by.clone(),
    };
    let id = idempotency_id(&case.id, level, &reason);
    let follow_up = (event.action == Action::Acknowledged).then(|| NewAlert {
        id: &id,
        case_id: &case.id,
        level,
        reason: &reason,
        base_url,
        now,
        queued: true,
    });
    let mail = customer_mail(db, &case.id, event).await?;
    let step = cases::Step {
        from,
        to,
        event,
        door: door.name(),
        taker: match door {
            Door::Dashboard(p) if event.action == Action::Acknowledged => Some(p),
            _ => None,
        },
        mail: mail.as_ref().map(|(id, m)| (id.as_str(), m)),
    };
    cases::record(db, &case.id, &step, now, follow_up.as_ref()).await?;
    // Work after the commit finds its rows where they were written: D1, or
    // the site's own object.
    if let Some((id, _)) = mail {
        let (env, db) = (env.clone(), db.clone());
        ctx.wait_until(async move {
            if let Err(e) = crate::mail::send_one_in(&env, &db, &id).await {
                worker::console_error!("mail {id}: not sent yet: {e}");
            }
        });
    }
    if let Action::Closed(closure) = &event.action {
        track_fix(db, env, ctx, &case.site, closure, base_url, now).await?;
    }
    if follow_up.is_some() {
        let (env, db, ids) = (env.clone(), db.clone(), vec![id]);
        ctx.wait_until(async move {
            let sent = crate::alerts::deliver_after_commit(&env, &db, &ids).await;
            if let Err(e) = sent {
                worker::console_error!("alert {}: not sent or queued yet: {e}", ids[0]);
            }
        });
    }
    Ok(())
}

/// The mail a step sends the customer, with its outbox id: the report's
/// committed actions, or at closure what changed. Refused (409) when the
/// customer left no email (or it was erased): the step can be recorded only.
pub async fn customer_mail(
    db: &Db,
    case_id: &str,
    event: &CaseEvent,
) -> EdgeResult<Option<(String, Mail)>> {
    let Some(id) = domain::case::tell_mail_id(case_id, &event.tell) else {
        return Ok(None);
    };
    let customer = cases::customer(db, case_id)
        .await?
        .ok_or(EdgeError::Conflict(
            "the customer left no email to write to: record the step without mail",
        ))?;
    let to = Email::try_from(customer.contact_email.as_str())
        .map_err(|e| EdgeError::Internal(format!("case {case_id}: stored email: {e}")))?;
    let lang = Lang::from_tag(customer.locale.as_deref());
    let reference = domain::case::reference(case_id);
    let mail = match (&event.tell, &event.action) {
        (Tell::Report, Action::ReportSent { actions }) => {
            pages::mail::customer_report(to, lang, &reference, actions)
        }
        (Tell::Changed(note), _) => pages::mail::customer_changed(to, lang, &reference, note),
        _ => return Ok(None),
    };
    Ok(Some((id, mail)))
}

/// A closing that names a systemic fix makes it tracked (rule 7); one that
/// hits a cause whose fix was marked done reopens it and mails its owner.
async fn track_fix(
    db: &Db,
    env: &Env,
    ctx: &Context,
    site: &str,
    closure: &domain::case::Closure,
    base_url: &str,
    now: Timestamp,
) -> EdgeResult<()> {
    if !domain::fixes::names_a_fix(&closure.systemic_fix) {
        return Ok(());
    }
    let code = &closure.root_cause;
    let reopened =
        crate::store::fixes::on_close(db, site, code, &closure.systemic_fix, now).await?;
    let Some(Some(owner_id)) = reopened else {
        return Ok(());
    };
    // People live in the control database, whatever the case's home.
    let Some(owner) = crate::store::people::by_id(&Db::from_env(env)?, &owner_id).await? else {
        return Ok(());
    };
    let url = format!(
        "{}/dashboard/insights?site={site}",
        base_url.trim_end_matches('/')
    );
    let mail = pages::mail::fix_reopened(owner.email, code, site, &url);
    let id = crate::mail::queue(env, &mail, now).await?;
    let env = env.clone();
    ctx.wait_until(async move {
        if let Err(e) = crate::mail::send_one(&env, &id).await {
            worker::console_error!("mail {id}: not sent yet: {e}");
        }
    });
    Ok(())
}
