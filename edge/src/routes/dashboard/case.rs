//! The inbox and the case page, and a manager's step on a case (the same
//! guarded transaction the API and acknowledge links use).

use super::chrome;
use crate::auth::Manager;
use crate::error::{EdgeError, EdgeResult};
use crate::store::exec::Db;
use crate::store::{admin_view, cases, dashboard, people};
use crate::{case_steps, clock, http};
use domain::case::{Action, CaseEvent, CaseState, Tell};
use domain::case_view::{self, Answer, CaseDetail, Flash};
use domain::fields::{ResponseId, SiteKey};
use domain::form::form_field;
use domain::inbox::{self, Filter};
use domain::ownership;
use pages::{case as case_page, inbox as inbox_page, Section};
use worker::{Context, Env, Request, Response};

pub async fn inbox(req: &Request, env: &Env, m: &Manager) -> EdgeResult<Response> {
    let filter = Filter::parse(req.url()?.query().unwrap_or_default())?;
    if let Some(site) = &filter.site {
        m.require_site(site.as_str(), "site")?;
    }
    let db = Db::from_env(env)?;
    let now = clock::now();
    // Open tabs poll every 10 s: a poll of an unchanged inbox is one
    // indexed read and a 304, not the whole query and page.
    let etag = inbox::etag(dashboard::cases_changed_at(&db).await?, now);
    if inbox::unchanged(req.headers().get("if-none-match")?.as_deref(), &etag) {
        return http::not_modified(&etag);
    }
    let scope = m.person.scope();
    let mut cases = dashboard::inbox(&db, &filter, scope.as_deref(), &m.person.id, now).await?;
    inbox::sort(&mut cases, now);
    let sites = dashboard::site_keys(&db, scope.as_deref()).await?;
    let html = inbox_page::render(&chrome(m, Section::Inbox), &sites, &filter, &cases, now);
    let mut resp = http::page(200, html);
    resp.headers_mut().set("etag", &etag)?;
    Ok(resp)
}

/// The home of a case named by its page's path: D1 for
/// `/dashboard/cases/{id}`, the site's for `/dashboard/sites/{site}/cases/{id}`
/// (`domain::case_view::case_path`). A site that is not there is no case.
async fn home_of_case(env: &Env, site: Option<&str>) -> EdgeResult<Db> {
    let site = site
        .map(SiteKey::try_from)
        .transpose()
        .map_err(|_| EdgeError::NotFound("case"))?;
    crate::store::homes::db_of_link(env, site.as_ref(), "case").await
}

/// The case `id` in `db`, if it is there and of `site` when the path names
/// one; then the manager must work its site.
async fn case_in(
    db: &Db,
    m: &Manager,
    site: Option<&str>,
    id: &ResponseId,
) -> EdgeResult<cases::CaseRow> {
    let case = cases::case(db, id.as_str())
        .await?
        .filter(|c| site.is_none_or(|s| c.site == s))
        .ok_or(EdgeError::NotFound("case"))?;
    m.require_site(&case.site, "case")?;
    Ok(case)
}

async fn detail(
    env: &Env,
    m: &Manager,
    site: Option<&str>,
    id: &ResponseId,
) -> EdgeResult<CaseDetail> {
    let db = home_of_case(env, site).await?;
    let d1 = Db::from_env(env)?;
    let case = dashboard::case(&db, id.as_str())
        .await?
        .filter(|c| site.is_none_or(|s| c.site == s))
        .ok_or(EdgeError::NotFound("case"))?;
    m.require_site(&case.site, "case")?;
    // People live in the control database, whatever the case's home.
    let assignable = people::list(&d1)
        .await?
        .into_iter()
        .filter(|p| ownership::may_own(p, &case.site))
        .map(|p| (p.id, p.name))
        .collect();
    let r = admin_view::one(&db, id.as_str())
        .await?
        .ok_or(EdgeError::NotFound("case"))?;
    let answer = Answer {
        received_at: Some(crate::store::ms(r.received_at)),
        transaction: r.transaction_ref,
        page: r.page,
        locale: r.locale,
        name: r.contact_name,
        email: r.contact_email,
        phone: r.contact_phone,
        callback: r.callback != 0.0,
        erased: r.erased_at.is_some(),
    };
    Ok(CaseDetail {
        case,
        answer,
        added: dashboard::added_answers(&db, id.as_str()).await?,
        events: dashboard::event_lines(cases::events(&db, id.as_str()).await?),
        deliveries: dashboard::deliveries(&db, id.as_str()).await?,
        mails: dashboard::mails(&db, id.as_str()).await?,
        customer_email: cases::customer(&db, id.as_str())
            .await?
            .map(|c| c.contact_email),
        assignable,
        object_site: db.object_site().map(str::to_owned),
    })
}

/// `GET /dashboard/cases/{id}` or `/dashboard/sites/{site}/cases/{id}`;
/// `?done=<step>` confirms the step just taken.
pub async fn get(
    req: &Request,
    env: &Env,
    m: &Manager,
    site: Option<&str>,
    id: &str,
) -> EdgeResult<Response> {
    let url = req.url()?;
    let done = url
        .query_pairs()
        .find(|(k, _)| k == "done")
        .map(|(_, v)| v.into_owned());
    let flash = done
        .as_deref()
        .and_then(case_view::recorded)
        .map(|text| (200, Flash::Recorded(text)));
    page(env, m, (site, id), flash).await
}

/// A case as its page's path names it: the site whose object holds it, if
/// the path names one, and its id.
type CasePath<'a> = (Option<&'a str>, &'a str);

async fn page(
    env: &Env,
    m: &Manager,
    (site, id): CasePath<'_>,
    flash: Option<(u16, Flash)>,
) -> EdgeResult<Response> {
    let id = ResponseId::try_from(id).map_err(|_| EdgeError::NotFound("case"))?;
    let d = detail(env, m, site, &id).await?;
    let (status, flash) = flash.map_or((200, None), |(s, f)| (s, Some(f)));
    let html = case_page::render(&chrome(m, Section::Inbox), &d, flash.as_ref(), clock::now());
    Ok(http::page(status, html))
}

/// Records the posted step, then shows the case again (303, so a reload
/// does not post twice). A refused step re-renders the page with the reason
/// and the status that says why (400 invalid, 409 out of order).
pub async fn step(
    env: &Env,
    ctx: &Context,
    m: &Manager,
    (site, id): CasePath<'_>,
    body: &str,
    base: &str,
) -> EdgeResult<Response> {
    let case_id = ResponseId::try_from(id).map_err(|_| EdgeError::NotFound("case"))?;
    let db = home_of_case(env, site).await?;
    let case = case_in(&db, m, site, &case_id).await?;
    let path = case_view::case_path(&case.id, db.object_site());
    let parsed = case_view::parse_event_form(body, m.name()).and_then(CaseEvent::try_from);
    if let Ok(event) = &parsed {
        if let Some(html) = report_preview(&db, m, (&case, &path), event, body).await? {
            return Ok(http::page(200, html));
        }
    }
    let recorded = match parsed {
        Ok(event) => case_steps::record(
            &db,
            env,
            ctx,
            &case,
            &event,
            case_steps::Door::Dashboard(&m.person),
            base,
            clock::now(),
        )
        .await
        .map(|()| match event.tell {
            Tell::Report => "report_mailed",
            _ => event.action.kind(),
        }),
        Err(e) => Err(e.into()),
    };
    match recorded {
        Ok(kind) => Ok(http::see_other(&format!("{path}?done={kind}"))),
        Err(e @ (EdgeError::Domain(_) | EdgeError::Conflict(_))) => {
            let flash = Flash::Refused(e.to_string());
            page(env, m, (site, id), Some((e.status(), flash))).await
        }
        Err(e) => Err(e),
    }
}

/// The report the customer would get, shown before anything is recorded:
/// a `report_sent` step posted without a `mail` choice, on a case whose
/// customer left an email, and that the case may take now. `None`: record
/// the step as posted (an illegal one is refused there).
async fn report_preview(
    db: &Db,
    m: &Manager,
    (case, path): (&cases::CaseRow, &str),
    event: &CaseEvent,
    body: &str,
) -> EdgeResult<Option<String>> {
    let Action::ReportSent { actions } = &event.action else {
        return Ok(None);
    };
    let legal = CaseState::parse(&case.state).is_some_and(|s| s.apply(&event.action).is_ok());
    if form_field(body, "mail").is_some() || !legal {
        return Ok(None);
    }
    let told = CaseEvent {
        tell: Tell::Report,
        ..event.clone()
    };
    let mail = match case_steps::customer_mail(db, &case.id, &told).await {
        Ok(Some((_, mail))) => mail,
        Ok(None) | Err(EdgeError::Conflict(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    Ok(Some(case_page::report_preview(
        &chrome(m, Section::Inbox),
        path,
        &mail,
        actions,
    )))
}

/// `POST /dashboard/cases/{id}/owner`: `person=<id>`. Taking the case or
/// giving it to someone who works its site; the change is an event.
pub async fn assign(
    env: &Env,
    m: &Manager,
    (site, id): CasePath<'_>,
    body: &str,
) -> EdgeResult<Response> {
    let case_id = ResponseId::try_from(id).map_err(|_| EdgeError::NotFound("case"))?;
    let db = home_of_case(env, site).await?;
    let case = case_in(&db, m, site, &case_id).await?;
    let chosen = form_field(body, "person").unwrap_or_default();
    // People live in the control database, whatever the case's home.
    let to = match people::by_id(&Db::from_env(env)?, &chosen).await? {
        Some(p) if ownership::may_own(&p, &case.site) => p,
        _ => {
            let why = "Choose someone who works this site's cases.".to_owned();
            return page(env, m, (site, id), Some((400, Flash::Refused(why)))).await;
        }
    };
    cases::assign(&db, &case.id, &m.person, &to, clock::now()).await?;
    let path = case_view::case_path(&case.id, db.object_site());
    Ok(http::see_other(&format!("{path}?done=owner")))
}
