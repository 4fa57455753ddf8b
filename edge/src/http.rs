//! Small HTTP helpers: JSON answers, capped body reads, CORS headers.

use crate::error::{EdgeError, EdgeResult};
use futures_util::StreamExt;
use worker::{Headers, Request, Response, ResponseBuilder};

/// DESIGN §4: bodies over 16 KiB are refused.
pub const MAX_BODY: usize = 16 * 1024;

/// A JSON answer. Serialising plain values cannot fail; should it, the
/// client still gets the status with an empty object.
pub fn json(status: u16, body: &impl serde::Serialize) -> Response {
    json_text(
        status,
        serde_json::to_string(body).unwrap_or_else(|_| "{}".into()),
    )
}

/// A JSON answer from text that already is JSON (a stored reply).
pub fn json_text(status: u16, text: String) -> Response {
    let headers = Headers::new();
    let _ = headers.set("content-type", "application/json; charset=utf-8");
    let _ = headers.set("cache-control", "no-store");
    let _ = headers.set("x-content-type-options", "nosniff");
    ResponseBuilder::new()
        .with_status(status)
        .with_headers(headers)
        .fixed(text.into_bytes())
}

/// Reads a JSON body, refusing other media types (415) and anything over
/// `MAX_BODY` (413) while reading, so a missing or lying `Content-Length`
/// cannot smuggle a larger body in.
pub async fn read_json_body(req: &mut Request) -> EdgeResult<Vec<u8>> {
    read_body(req, "application/json", MAX_BODY).await
}

/// A form post's body (`application/x-www-form-urlencoded`), at most 4 KiB.
pub async fn read_form_body(req: &mut Request) -> EdgeResult<String> {
    read_form_body_max(req, 4096).await
}

/// A form post's body of at most `max` bytes (the dashboard's settings form
/// carries every line of copy in three scripts, so it gets more room).
pub async fn read_form_body_max(req: &mut Request, max: usize) -> EdgeResult<String> {
    let body = read_body(req, "application/x-www-form-urlencoded", max).await?;
    String::from_utf8(body).map_err(|_| EdgeError::BadJson("the form is not UTF-8".into()))
}

async fn read_body(req: &mut Request, media_type: &str, max: usize) -> EdgeResult<Vec<u8>> {
    let ctype = req.headers().get("content-type")?.unwrap_or_default();
    let media = ctype
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    if media != media_type {
        return Err(EdgeError::UnsupportedMediaType);
    }
    if let Some(len) = req
        .headers()
        .get("content-length")?
        .and_then(|v| v.parse::<u64>().ok())
    {
        if len > max as u64 {
            return Err(EdgeError::TooLarge(max));
        }
    }
    let mut body = Vec::new();
    // workerd hands a request with neither `Content-Length` nor
    // `Transfer-Encoding` over with a null body, which `req.stream()` calls
    // an error. For HTTP that is an empty body, and the parser says why it
    // is not enough (400), never a 500.
    if req.inner().body().is_none() {
        return Ok(body);
    }
    let mut stream = req.stream()?;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        if body.len() + chunk.len() > max {
            return Err(EdgeError::TooLarge(max));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// A server-rendered page with headers that keep it inert elsewhere: its
/// own CSP, no framing, no caching, and no `Referer` to other sites (its URL
/// holds a capability token).
pub fn html(status: u16, page: &pages::html::Page) -> Response {
    let headers = Headers::new();
    let _ = headers.set("content-type", "text/html; charset=utf-8");
    let _ = headers.set("content-security-policy", &pages::html::Page::csp());
    let _ = headers.set("cache-control", "no-store");
    let _ = headers.set("x-content-type-options", "nosniff");
    let _ = headers.set("x-frame-options", "DENY");
    // `same-origin`, not `no-referrer`: under `no-referrer` a browser sends
    // `Origin: null` with the page's own form post, and a browser without
    // `Sec-Fetch-Site` could then not prove the post is ours. The token still
    // never leaves this origin.
    let _ = headers.set("referrer-policy", "same-origin");
    ResponseBuilder::new()
        .with_status(status)
        .with_headers(headers)
        .fixed(page.html().into_bytes())
}

/// Refuses a form post that another site's page made (403): the rule is
/// `domain::origin::same_origin_post`.
pub fn same_origin_post(req: &Request) -> EdgeResult<()> {
    let own = req.url()?.origin().ascii_serialization();
    let headers = req.headers();
    let site = headers.get("sec-fetch-site")?;
    let origin = headers.get("origin")?;
    if domain::origin::same_origin_post(site.as_deref(), origin.as_deref(), &own) {
        Ok(())
    } else {
        Err(EdgeError::Forbidden)
    }
}

/// Reads and parses a body that must be one JSON object (`domain::wire`).
pub async fn read_json<T: serde::de::DeserializeOwned>(req: &mut Request) -> EdgeResult<T> {
    let body = read_json_body(req).await?;
    domain::wire::from_object(&body).map_err(|e| EdgeError::BadJson(e.to_string()))
}

/// CORS headers granting `origin` a credential-less call.
pub fn allow_origin(resp: &mut Response, origin: &str) {
    let h = resp.headers_mut();
    let _ = h.set("access-control-allow-origin", origin);
    let _ = h.set("vary", "Origin");
}

/// The answer to a CORS preflight for `POST /v1/responses`.
///
/// The site is named in the body, which a preflight does not carry, so the
/// preflight admits any http(s) origin and the POST itself enforces the
/// site's allowlist (403 without CORS headers, so the page cannot read it).
pub fn preflight(req: &Request) -> EdgeResult<Response> {
    let origin = req.headers().get("origin")?.unwrap_or_default();
    let mut resp = Response::empty()?.with_status(204);
    if origin.starts_with("http://") || origin.starts_with("https://") {
        allow_origin(&mut resp, &origin);
        let h = resp.headers_mut();
        h.set("access-control-allow-methods", "POST, OPTIONS")?;
        h.set("access-control-allow-headers", "content-type")?;
        h.set("access-control-max-age", "600")?;
    }
    Ok(resp)
}

/// A dashboard page: its strict policy (own script and stylesheet only, no
/// framing), never cached, its URL never sent to another site as a referrer.
pub fn page(status: u16, html: String) -> Response {
    let headers = Headers::new();
    let _ = headers.set("content-type", "text/html; charset=utf-8");
    let _ = headers.set("content-security-policy", pages::CSP);
    let _ = headers.set("cache-control", "no-store");
    let _ = headers.set("x-content-type-options", "nosniff");
    let _ = headers.set("x-frame-options", "DENY");
    // Same-origin, not no-referrer: with no-referrer the browser sends
    // `Origin: null` on form posts, and the origin check needs the real one.
    let _ = headers.set("referrer-policy", "same-origin");
    ResponseBuilder::new()
        .with_status(status)
        .with_headers(headers)
        .fixed(html.into_bytes())
}

/// `303 See Other`: where a browser goes after a form post (so a reload
/// does not post again).
pub fn see_other(location: &str) -> Response {
    let headers = Headers::new();
    let _ = headers.set("location", location);
    let _ = headers.set("cache-control", "no-store");
    ResponseBuilder::new()
        .with_status(303)
        .with_headers(headers)
        .empty()
}
