//! `GET /v1/sites/{site}/widget`: the public configuration the widget reads.
//! Cacheable: browsers and Cloudflare keep it a minute and revalidate with
//! `If-None-Match`, so a launcher on every page view costs a 304 at most.

use crate::error::{EdgeError, EdgeResult};
use crate::store;
use crate::store::exec::Db;
use domain::fields::SiteKey;
use domain::widget_settings::WidgetSettings;
use worker::{Env, Request, Response, ResponseBuilder};

const CACHE_CONTROL: &str = "public, max-age=60, stale-while-revalidate=600";

pub async fn get(req: &Request, env: &Env, site: &str) -> EdgeResult<Response> {
    let key = SiteKey::try_from(site)?;
    let site = store::sites::site(&Db::from_env(env)?, key.as_str()).await?;
    let settings = WidgetSettings {
        callback_sla_minutes: site.sla.service,
        cooldown_days: site.cooldown_days,
        copy: site.copy,
        offer_contact: site.offer_contact,
        show_guarantee: site.show_guarantee,
        show_score: site.show_score,
        site: site.key,
        turnstile_sitekey: site.turnstile_sitekey,
    };
    // Strings, numbers and maps with string keys: this cannot fail, but if
    // it ever did the answer is a logged 500, never a panic.
    let body = serde_json::to_string(&settings)
        .map_err(|e| EdgeError::Internal(format!("widget settings did not serialise: {e}")))?;
    let etag = domain::digest::etag(&body);
    let fresh = req.headers().get("if-none-match")?.is_some_and(|v| {
        v.split(',')
            .any(|t| t.trim().trim_start_matches("W/") == etag)
    });
    let mut resp = if fresh {
        ResponseBuilder::new().with_status(304).empty()
    } else {
        crate::http::json_text(200, body)
    };
    let h = resp.headers_mut();
    h.set("cache-control", CACHE_CONTROL)?;
    h.set("etag", &etag)?;
    h.set("access-control-allow-origin", "*")?;
    Ok(resp)
}
