//! `/dashboard/settings`: one site's widget settings, copy (with the wording
//! check beside each line), recipients and test alerts, the embed snippet,
//! dead letters with a retry, export and erasure. Every change goes through
//! the same parsing (`SiteConfig::parse`) as `PUT /v1/admin/sites/{site}`.

use super::chrome;
use crate::auth::{self, Manager};
use crate::error::{EdgeError, EdgeResult};
use crate::routes::admin_alerts;
use crate::store::exec::Db;
use crate::store::{audit as store_audit, dashboard, erasure, homes, outbox, sites};
use crate::{clock, http};
use domain::audit::{self, Action, Entry};
use domain::deadlines::{self, DeadlinePolicy};
use domain::fields::SiteKey;
use domain::form::form_field;
use domain::recipient::mask_url;
use domain::settings_form::{
    parse_erase, parse_general, parse_recipient, parse_retry, EraseRequest, FieldError,
    GeneralForm, Notice,
};
use domain::site::SiteConfig;
use domain::sla::SlaPolicy;
use pages::settings::{self, SettingsView};
use pages::Section;
use worker::{Env, Request, Response};

/// The confirmation after a redirect (`?done=`): fixed texts, so nothing a
/// person typed travels in a URL.
fn done_notice(code: &str) -> Option<Notice> {
    let (ok, text) = match code {
        "saved" => (true, "Settings saved. The widget picks them up within five minutes."),
        "deadlines-saved" => (true, "Step deadlines saved. Cases in a step are measured against them from the next minute."),
        "recipient-added" => (true, "Recipient added. Send it a test alert to be sure it arrives."),
        "recipient-removed" => (true, "Recipient removed."),
        "retried" => (true, "The alert is queued again; its delivery shows on the case."),
        "retry-gone" => (false, "That dead letter was already retried or belongs to another site."),
        "erased" => (true, "The customer's personal data is erased from every answer they gave; the anonymous record and the audit trail remain."),
        "not-erased" => (false, "Nothing to erase: no such answer or customer, or their data was erased already."),
        _ => return None,
    };
    Some(Notice {
        ok,
        text: text.to_owned(),
    })
}

fn settings_url(site: &SiteKey, done: &str) -> String {
    format!("/dashboard/settings?site={}&done={done}", site.as_str())
}

/// Draws the page for `site` with the given form values, errors and notice.
async fn render(
    env: &Env,
    m: &Manager,
    site: &SiteKey,
    base: &str,
    form: Option<(GeneralForm, Vec<FieldError>)>,
    notice: Option<Notice>,
) -> EdgeResult<String> {
    let db = Db::from_env(env)?;
    let (form, errors) = match form {
        Some(f) => f,
        None => (
            GeneralForm::from_config(&sites::raw_config(&db, site.as_str()).await?),
            Vec::new(),
        ),
    };
    let sites = dashboard::site_keys(&db, None).await?;
    let recipients = sites::recipient_lines(&db, site.as_str()).await?;
    let dead_letters = outbox::dead_letter_lines(&db, site.as_str()).await?;
    let deadline_rows = match sites::site(&db, site.as_str()).await {
        Ok(s) => deadlines::rows(&s.deadlines, &s.sla),
        Err(EdgeError::NotFound(_)) => {
            deadlines::rows(&DeadlinePolicy::default(), &SlaPolicy::default())
        }
        Err(e) => return Err(e),
    };
    let chrome = chrome(m, Section::Settings);
    Ok(settings::render(&SettingsView {
        chrome: &chrome,
        site: site.as_str(),
        sites: &sites,
        base_url: base,
        form: &form,
        errors: &errors,
        recipients: &recipients,
        dead_letters: &dead_letters,
        notice: notice.as_ref(),
        deadlines: &deadline_rows,
    }))
}

/// The page again with what went wrong at the top (400): nothing was saved.
async fn refused(
    env: &Env,
    m: &Manager,
    site: &SiteKey,
    base: &str,
    form: Option<(GeneralForm, Vec<FieldError>)>,
    text: String,
) -> EdgeResult<Response> {
    let notice = Notice { ok: false, text };
    Ok(http::page(
        400,
        render(env, m, site, base, form, Some(notice)).await?,
    ))
}

pub async fn page(req: &Request, env: &Env, m: &Manager) -> EdgeResult<Response> {
    let url = req.url()?;
    let base = url.origin().ascii_serialization();
    let param = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    let db = Db::from_env(env)?;
    // No site named: the first one (most installs have one).
    let site = if let Some(s) = param("site").filter(|s| !s.is_empty()) {
        s
    } else {
        dashboard::site_keys(&db, None)
            .await?
            .into_iter()
            .next()
            .ok_or(EdgeError::NotFound(
                "site yet: create one with PUT /v1/admin/sites/{site} (see the README)",
            ))?
    };
    let site = SiteKey::try_from(site.as_str())?;
    let notice = param("done").as_deref().and_then(done_notice);
    Ok(http::page(
        200,
        render(env, m, &site, &base, None, notice).await?,
    ))
}

pub async fn save(
    env: &Env,
    m: &Manager,
    site: &str,
    body: &str,
    base: &str,
) -> EdgeResult<Response> {
    let site = SiteKey::try_from(site)?;
    let db = Db::from_env(env)?;
    let stored = sites::raw_config(&db, site.as_str()).await?;
    let form = parse_general(body);
    let errors = form.check();
    if !errors.is_empty() {
        let html = render(env, m, &site, base, Some((form, errors)), None).await?;
        return Ok(http::page(400, html));
    }
    let before = audit::stored_site_view(stored.clone());
    match SiteConfig::parse(form.clone().apply(stored), auth::allow_loopback(env)) {
        Ok(config) => {
            save_with_audit(env, &db, m, &site, &config, before).await?;
            Ok(http::see_other(&settings_url(&site, "saved")))
        }
        Err(e) => {
            let form = Some((form, Vec::new()));
            refused(env, m, &site, base, form, format!("Not saved: {e}")).await
        }
    }
}

pub async fn add_recipient(
    env: &Env,
    m: &Manager,
    site: &str,
    body: &str,
    base: &str,
) -> EdgeResult<Response> {
    let site = SiteKey::try_from(site)?;
    let db = Db::from_env(env)?;
    let mut raw = sites::raw_config(&db, site.as_str()).await?;
    let checked = parse_recipient(body).and_then(|r| {
        raw.recipients.push(r);
        SiteConfig::parse(raw, auth::allow_loopback(env))
    });
    match checked {
        Ok(config) => {
            let Some(added) = config.recipients.last() else {
                return Err(EdgeError::Internal(
                    "a parsed config lost its new recipient".into(),
                ));
            };
            let id = sites::new_recipient_id(&site, added.role)?;
            let now = clock::now();
            let entry = Entry {
                actor: m.actor(),
                action: Action::RecipientAdded,
                target: site.as_str().to_owned(),
                before: None,
                after: Some(
                    serde_json::json!({"id": id.as_str(), "role": added.role.as_str(),
                    "format": added.format.as_str(), "url": mask_url(added.url.as_str())}),
                ),
            };
            let audit = store_audit::entry(&db, &entry, now)?;
            sites::insert_recipient(&db, site.as_str(), &id, added, audit, now).await?;
            homes::mirror(env, &db, site.as_str()).await?;
            Ok(http::see_other(&settings_url(&site, "recipient-added")))
        }
        Err(e) => {
            refused(
                env,
                m,
                &site,
                base,
                None,
                format!("Recipient not added: {e}"),
            )
            .await
        }
    }
}

pub async fn remove_recipient(
    env: &Env,
    m: &Manager,
    site: &str,
    rid: &str,
) -> EdgeResult<Response> {
    let site = SiteKey::try_from(site)?;
    let db = Db::from_env(env)?;
    if !sites::delete_recipient(&db, site.as_str(), rid, &m.actor(), clock::now()).await? {
        return Err(EdgeError::NotFound("recipient"));
    }
    homes::mirror(env, &db, site.as_str()).await?;
    Ok(http::see_other(&settings_url(&site, "recipient-removed")))
}

/// Sends the test alert and shows the platform's answer at once.
pub async fn test_recipient(
    env: &Env,
    m: &Manager,
    site: &str,
    rid: &str,
    base: &str,
) -> EdgeResult<Response> {
    let site = SiteKey::try_from(site)?;
    let t = admin_alerts::send_test(env, &site, rid, base).await?;
    let status = t
        .status
        .map_or_else(|| "no answer".to_owned(), |s| format!("HTTP {s}"));
    let notice = match t.result.as_str() {
        "delivered" => Notice {
            ok: true,
            text: format!(
                "Test alert delivered to {} ({status}, {} ms).",
                t.format, t.duration_ms
            ),
        },
        verdict => Notice {
            ok: false,
            text: format!(
                "Test alert {verdict}: {status}{}. Check the URL and the channel's settings.",
                t.error.map(|e| format!(" ({e})")).unwrap_or_default()
            ),
        },
    };
    Ok(http::page(
        200,
        render(env, m, &site, base, None, Some(notice)).await?,
    ))
}

pub async fn retry(env: &Env, body: &str) -> EdgeResult<Response> {
    let (alert_id, recipient_id) = parse_retry(body)?;
    let site = SiteKey::try_from(form_field(body, "site").unwrap_or_default().as_str())?;
    let db = Db::from_env(env)?;
    if !outbox::revive(&db, site.as_str(), &alert_id, &recipient_id, clock::now()).await? {
        return Ok(http::see_other(&settings_url(&site, "retry-gone")));
    }
    if let Err(e) = crate::alerts::enqueue(env, &db, std::slice::from_ref(&alert_id)).await {
        // The cron re-queues unfinished alerts, so this only delays it.
        worker::console_error!("alert {alert_id}: not queued yet: {e}");
    }
    Ok(http::see_other(&settings_url(&site, "retried")))
}

pub async fn erase(env: &Env, m: &Manager, body: &str) -> EdgeResult<Response> {
    let request = parse_erase(body)?;
    let db = Db::from_env(env)?;
    let who = match &request {
        EraseRequest::Answer(id) => erasure::Customer::Answer(id.as_str()),
        EraseRequest::Contact { site, keys } => erasure::Customer::Contact {
            site: site.as_str(),
            keys,
        },
    };
    let erased = erasure::erase(&db, &who, m.name(), clock::now()).await?;
    // The site the erasure read the answer from: no second look-up.
    let site = erased
        .site
        .as_deref()
        .and_then(|s| SiteKey::try_from(s).ok());
    let done = if erased.answers.is_empty() {
        "not-erased"
    } else {
        "erased"
    };
    Ok(http::see_other(&match (site, erased.case_id) {
        // The case page shows what is left and logs the erasure.
        (Some(_), Some(case)) if done == "erased" => {
            format!("/dashboard/cases/{case}?done=erased")
        }
        (Some(site), _) => settings_url(&site, done),
        (None, _) => format!("/dashboard/settings?done={done}"),
    }))
}

/// `POST /dashboard/settings/{site}/deadlines`: the step deadlines, checked
/// as the API's `deadline_minutes` is, saved with the rest of the site as
/// stored, audited.
pub async fn save_deadlines(
    env: &Env,
    m: &Manager,
    site: &str,
    body: &str,
    base: &str,
) -> EdgeResult<Response> {
    let site = SiteKey::try_from(site)?;
    let policy = match deadlines::parse_form(body) {
        Ok(p) => p,
        Err(e) => {
            return refused(
                env,
                m,
                &site,
                base,
                None,
                format!("Deadlines not saved: {e}"),
            )
            .await
        }
    };
    let db = Db::from_env(env)?;
    let mut stored = sites::raw_config(&db, site.as_str()).await?;
    let before = audit::stored_site_view(stored.clone());
    stored.deadline_minutes = serde_json::to_value(policy).ok();
    let config = SiteConfig::parse(stored, auth::allow_loopback(env))?;
    save_with_audit(env, &db, m, &site, &config, before).await?;
    Ok(http::see_other(&settings_url(&site, "deadlines-saved")))
}

/// Saves a site's settings with the audit entry of the change, in one batch.
async fn save_with_audit(
    env: &Env,
    db: &Db,
    m: &Manager,
    site: &SiteKey,
    config: &SiteConfig,
    before: Option<serde_json::Value>,
) -> EdgeResult<()> {
    let now = clock::now();
    let entry = Entry {
        actor: m.actor(),
        action: Action::SettingsSaved,
        target: site.as_str().to_owned(),
        before,
        after: Some(audit::site_view(config)),
    };
    let row = store_audit::entry(db, &entry, now)?;
    sites::save_settings(db, site.as_str(), config, row, now).await?;
    homes::mirror(env, db, site.as_str()).await
}
