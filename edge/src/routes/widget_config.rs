use crate::error::EdgeResult;
use crate::store;
use domain::fields::SiteKey;
use worker::{Env, Response};

/// `GET /v1/sites/{site}/widget`: the public configuration the widget reads.
pub async fn get(env: &Env, site: &str) -> EdgeResult<Response> {
    let key = SiteKey::try_from(site)?;
    let site = store::site(&env.d1("DB")?, key.as_str()).await?;
    let body = serde_json::json!({
        "site": site.key,
        "show_score": site.show_score,
        "show_guarantee": site.show_guarantee,
        "cooldown_days": site.cooldown_days,
        "callback_sla_minutes": site.sla.service,
    });
    let mut resp = crate::http::json(200, &body);
    let h = resp.headers_mut();
    h.set("cache-control", "public, max-age=60")?;
    h.set("access-control-allow-origin", "*")?;
    Ok(resp)
}
