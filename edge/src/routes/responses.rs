//! `POST /v1/responses`: parse, check the site's rules, store once, thank,
//! alert. The order matters: nothing is stored until every check passed,
//! and a retry of a stored id is answered from storage.

use crate::error::{EdgeError, EdgeResult};
use crate::office::AfterCommit;
use crate::store::abuse::{self, Counter};
use crate::store::exec::Db;
use crate::store::homes::{self, Home};
use crate::store::ingest::{self, CaseLink, NewResponse, OpenCase, Stored};
use crate::store::sites::{IngestSite, IngestSiteRow};
use crate::{http, request, turnstile};
use domain::acknowledgement::{added_to_open_case, next_step};
use domain::fields::SiteKey;
use domain::lang::Lang;
use domain::site_move::PAUSED_RETRY_SECS;
use domain::submission::ContactKeys;
use domain::{rate, RawSubmission, Reply, Submission, Tier, Timestamp};
use worker::{Context, Env, Request, Response};

pub async fn post(mut req: Request, env: &Env, ctx: &Context) -> Response {
    let origin = req.headers().get("origin").ok().flatten();
    let result = handle(&mut req, env, ctx, origin.as_deref()).await;
    // An allowed page may read why it was refused (the widget keeps a 4xx
    // answer out of its retry queue); a foreign origin learns nothing.
    let expose = !matches!(result, Err(EdgeError::OriginNotAllowed));
    let mut resp = result.unwrap_or_else(EdgeError::into_response);
    if let (Some(o), true) = (origin.as_deref(), expose) {
        http::allow_origin(&mut resp, o);
    }
    resp
}

async fn handle(
    req: &mut Request,
    env: &Env,
    ctx: &Context,
    origin: Option<&str>,
) -> EdgeResult<Response> {
    let now = crate::clock::now();
    let raw: RawSubmission = request::read_json(req).await?;
    let honeypot = raw.honeypot_filled();
    let token = raw.turnstile.clone();
    let submission = Submission::try_from(raw)?;
    let keys = submission.contact.keys(&submission.site);
    let db = Db::from_env(env)?;

    let client_ip = req
        .headers()
        .get("cf-connecting-ip")?
        .unwrap_or_else(|| "unknown".into());
    let (site, open_case) = load(&db, &submission, &keys).await?;
    // The registry row came from D1; the answer goes to the site's home.
    let (db, open_case) = match site.home {
        Home::D1 => (db, open_case),
        Home::Object => open_case_in(env, &site.key, &submission, &keys).await?,
    };

    site_admits(&site, origin, now)?;
    if !within_rate(env, &submission.site, &client_ip, site.rate_per_minute).await {
        count_abuse(ctx, env, &site.key, Counter::RateLimited, now);
        return Err(EdgeError::RateLimited(rate::LIMITER_PERIOD_SECS));
    }
    submission.check_page(&site.origins)?;

    let tier = submission.tier();
    let ack_minutes = site.sla.ack_minutes(tier);
    let reachable = submission.contact.email.is_some() || submission.contact.phone.is_some();
    // Thanked in the language the customer read the widget in.
    let lang = Lang::from_tag(submission.context.locale.as_deref());
    let reply = reply_json(
        &submission,
        tier,
        next_step(tier, reachable, ack_minutes, lang),
    )?;
    if honeypot {
        // Looks accepted, so a bot learns nothing; nothing is stored or sent.
        count_abuse(ctx, env, &site.key, Counter::Honeypot, now);
        return Ok(created(reply, 201));
    }
    if let Some(secret) = site.turnstile_secret.as_deref() {
        // A retry spends no second token: answer it from storage first.
        if let Some(resp) = replay(&db, &submission).await? {
            return Ok(resp);
        }
        let ip = (client_ip != "unknown").then_some(client_ip.as_str());
        if let Err(e) =
            turnstile::verify(env, secret, token.as_deref(), ip, submission.id.as_str()).await
        {
            count_abuse(ctx, env, &site.key, Counter::TurnstileFailed, now);
            return Err(e);
        }
    }

    let joined_reply = match &open_case {
        Some(c) => joined_reply(&submission, c, now, ack_minutes, lang)?,
        None => reply.clone(),
    };
    let base = req.url()?.origin().ascii_serialization();
    let mut new = NewResponse {
        submission: &submission,
        keys: &keys,
        reply: &reply,
        joined_reply: &joined_reply,
        now,
        ack_due: ack_minutes.map(|m| now.plus_minutes(m)),
        base_url: &base,
        may_raise: open_case.as_ref().is_some_and(|c| c.is_below(tier)),
        thanks: thanks(env, &submission, lang, [&reply, &joined_reply], &base, now),
        home: site.home,
    };
    match store(env, &db, &mut new).await? {
        Stored::Created {
            case,
            reply,
            raised,
        } => {
            let first = match case {
                CaseLink::Own => Some(ingest::opened_alert_id(submission.id.as_str(), tier)),
                CaseLink::Joined(_) => raised,
                CaseLink::None => None,
            };
            let work = AfterCommit {
                alert: first,
                mail: new
                    .thanks
                    .is_some()
                    .then(|| ingest::thanks_id(submission.id.as_str())),
                site: (new.home == Home::Object).then(|| site.key.clone()),
            };
            after_commit(ctx, env, work);
            Ok(created(reply, 201))
        }
        Stored::Replayed { site, reply } => replayed(&submission, &site, reply),
        Stored::Moved => Err(EdgeError::Internal(format!(
            "response {} stored in neither home",
            submission.id.as_str()
        ))),
    }
}

/// Whether the site takes this answer now: from its origin (none: not a
/// browser's), and not while it moves into its own object (the widget's
/// outbox sends it again after `Retry-After`).
fn site_admits(site: &IngestSite, origin: Option<&str>, now: Timestamp) -> EdgeResult<()> {
    if origin.is_some_and(|o| !domain::origin::allowed(&site.origins, o)) {
        return Err(EdgeError::OriginNotAllowed);
    }
    match domain::site_move::paused_retry_after(site.paused_until, now) {
        Some(secs) => Err(EdgeError::RateLimited(secs)),
        None => Ok(()),
    }
}

/// Committed: now the alert's first attempt and the thank-you mail's first
/// send, after the answer is thanked ([`crate::alerts::deliver_after_commit`],
/// [`crate::mail::send_one`]). The front hands them to the office, which
/// has the senders (`office.rs`). If this is lost, the cron finds the
/// outbox rows and sends them.
fn after_commit(ctx: &Context, env: &Env, work: AfterCommit) {
    if work.is_empty() {
        return;
    }
    let env = env.clone();
    ctx.wait_until(async move {
        #[cfg(not(feature = "office"))]
        if let Err(e) = crate::office::after_commit(&env, &work).await {
            worker::console_error!("after the commit: not handed to the office: {e}");
        }
        #[cfg(feature = "office")]
        crate::office::send_after_commit(&env, work).await;
    });
}

/// Whether the site's rate limiter (a Workers binding: no database work)
/// lets this client send one more answer. A limiter that is missing or
/// fails lets the answer through, logged: an answer is never refused for a
/// fault of ours.
async fn within_rate(env: &Env, site: &SiteKey, client_ip: &str, per_minute: u32) -> bool {
    let (_, binding) = rate::limiter_for(per_minute);
    let outcome = match env.rate_limiter(binding) {
        Ok(limiter) => limiter.limit(rate::limiter_key(site, client_ip)).await,
        Err(e) => Err(e),
    };
    outcome.map_or_else(
        |e| {
            worker::console_error!("rate limiter {binding}: {e}");
            true
        },
        |o| o.success,
    )
}

/// The site's own object, and the contact's open case read there (the
/// first round trip read D1, where such a site has none).
async fn open_case_in(
    env: &Env,
    site: &str,
    submission: &Submission,
    keys: &ContactKeys,
) -> EdgeResult<(Db, Option<OpenCase>)> {
    let home = Db::site_object(env, site)?;
    if !submission.contact.callback {
        return Ok((home, None));
    }
    let read = ingest::select_open_case(&home, site, keys)?;
    // As in `load`: a row that does not read as an open case is none.
    let open_case = read.first_row::<OpenCase>().await.ok().flatten();
    Ok((home, open_case))
}

/// Stores the answer in `home`. One that was on its way while its site
/// moved into its own object wrote nothing in D1, and is stored there; one
/// that reached D1 while the site paused to move wrote nothing either, and
/// is asked to come back (the widget's outbox does).
async fn store(env: &Env, home: &Db, new: &mut NewResponse<'_>) -> EdgeResult<Stored> {
    let stored = ingest::insert(home, new).await?;
    if stored != Stored::Moved {
        return Ok(stored);
    }
    let site = new.submission.site.as_str();
    match homes::home_of(&Db::from_env(env)?, site).await? {
        Some(Home::Object) => {}
        Some(Home::D1) => return Err(EdgeError::RateLimited(PAUSED_RETRY_SECS)),
        None => return Err(EdgeError::NotFound("site")),
    }
    new.home = Home::Object;
    ingest::insert(&Db::site_object(env, site)?, new).await
}

/// One read-only round trip for everything the checks need: the site and
/// (for a callback) the contact's open case. Nothing is written before the
/// origin and the rate are checked.
async fn load(
    db: &Db,
    submission: &Submission,
    keys: &ContactKeys,
) -> EdgeResult<(IngestSite, Option<OpenCase>)> {
    let site_key = submission.site.as_str();
    let mut reads = vec![crate::store::sites::select_ingest_site(db, site_key)?];
    if submission.contact.callback {
        reads.push(ingest::select_open_case(db, site_key, keys)?);
    }
    let results = db.batch(reads).await?;
    let site = match results.first() {
        Some(r) => r.results::<IngestSiteRow>()?.into_iter().next(),
        None => None,
    };
    let site = site.ok_or(EdgeError::NotFound("site"))?.try_into()?;
    // A row that does not read as an open case is no open case: the insert
    // decides again inside its transaction.
    let open_case = match results.get(1) {
        Some(r) => r
            .results::<OpenCase>()
            .ok()
            .and_then(|rows| rows.into_iter().next()),
        None => None,
    };
    Ok((site, open_case))
}

/// The thank-you for an answer that joins the contact's open case (rule 6).
/// Joining never lowers severity: a more severe answer raises the case to
/// its own tier, and its own, sooner deadline applies.
fn joined_reply(
    s: &Submission,
    open: &OpenCase,
    now: Timestamp,
    ack_minutes: Option<u32>,
    lang: Lang,
) -> EdgeResult<String> {
    let tier = s.tier();
    let case_tier = Tier::parse(&open.tier).unwrap_or(Tier::Service);
    let left = open.ack_due_at.map(|due| minutes_until(now, due));
    let (case_tier, left) = if tier > case_tier {
        let sooner = match (left, ack_minutes) {
            (Some(l), Some(m)) => Some(l.min(m)),
            (l, m) => l.or(m),
        };
        (tier, sooner)
    } else {
        (case_tier, left)
    };
    reply_json(s, tier, added_to_open_case(case_tier, left, lang))
}

/// The customer's thank-you mail, when they left an email address, in both
/// versions ([`ingest::Thanks`]): it says the next step exactly as the page
/// does (`replies`: alone, joined), gives a short reference, and links to a
/// page to add more when a case follows the answer up.
fn thanks(
    env: &Env,
    s: &Submission,
    lang: Lang,
    replies: [&str; 2],
    base: &str,
    now: Timestamp,
) -> Option<ingest::Thanks> {
    let to = s.contact.email.clone()?;
    let id = s.id.as_str();
    let reference = domain::case::reference(id);
    let more = env
        .secret("ACK_SECRET")
        .ok()
        .and_then(|k| domain::ack::AckKey::try_from(k.to_string().as_str()).ok())
        .map(|key| format!("{base}/more/{}", key.sign_more(&s.site, id, now)));
    let next = |reply: &str| {
        serde_json::from_str::<Reply>(reply)
            .map(|r| r.next)
            .unwrap_or_default()
    };
    let mail = |reply: &str, has_case: bool| {
        let link = more.as_deref().filter(|_| has_case);
        pages::mail::customer_thanks(to.clone(), lang, &next(reply), &reference, link)
    };
    Some(ingest::Thanks {
        alone: mail(replies[0], s.tier().opens_case()),
        joined: mail(replies[1], true),
    })
}

fn reply_json(s: &Submission, tier: Tier, next: String) -> EdgeResult<String> {
    let reply = Reply {
        id: s.id.to_string(),
        tier,
        case: tier.opens_case().then(|| "open".to_owned()),
        next,
    };
    serde_json::to_string(&reply).map_err(|e| EdgeError::Internal(e.to_string()))
}

/// Whole minutes from `now` to a deadline in epoch ms, rounded up; 0 if past.
fn minutes_until(now: Timestamp, due_ms: f64) -> u32 {
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let left = ((due_ms - now.millis() as f64) / 60_000.0)
        .ceil()
        .clamp(0.0, 1e6) as u32;
    left
}

/// The stored reply's exact bytes (a retry gets what the first call got).
fn created(reply: String, status: u16) -> Response {
    http::json_text(status, reply)
}

/// Counted after answering, so a flood does not slow the refusals down.
fn count_abuse(ctx: &Context, env: &Env, site: &str, counter: Counter, now: Timestamp) {
    let (env, site) = (env.clone(), site.to_owned());
    ctx.wait_until(async move {
        let bumped = match Db::from_env(&env) {
            Ok(db) => abuse::bump(&db, &site, counter, now).await,
            Err(e) => Err(e.into()),
        };
        if let Err(e) = bumped {
            worker::console_error!("counter {counter:?} for {site}: {e}");
        }
    });
}

/// The stored answer for this id, if it was stored before (Turnstile sites).
async fn replay(db: &Db, s: &Submission) -> EdgeResult<Option<Response>> {
    match ingest::stored_reply(db, s.id.as_str()).await? {
        Some((site, reply)) => replayed(s, &site, reply).map(Some),
        None => Ok(None),
    }
}

/// A retry of a stored id gets the first answer's exact bytes with `200`;
/// the same id under another site is someone else's answer (409).
fn replayed(s: &Submission, stored_site: &str, reply: String) -> EdgeResult<Response> {
    if stored_site == s.site.as_str() {
        Ok(created(reply, 200))
    } else {
        Err(EdgeError::Conflict(
            "this id belongs to another site's response",
        ))
    }
}
