//! Response builders: JSON answers, pages, redirects, CORS headers. They
//! depend on nothing else in this crate (the error finisher uses them, not
//! the other way round); reading requests lives in `request.rs`.

use crate::error::EdgeResult;
use worker::{Headers, Request, Response, ResponseBuilder};

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

/// A server-rendered page with headers that keep it inert elsewhere: its
/// own CSP, no framing, no caching, and no `Referer` to other sites (its URL
/// holds a capability token).
pub fn html(status: u16, page: &pages::html::Page) -> Response {
    inert_page(status, &pages::html::Page::csp(), page.html())
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
pub fn preflight(req: &Request) -> worker::Result<Response> {
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

/// `304 Not Modified` for a dashboard poll whose copy is current.
pub fn not_modified(etag: &str) -> EdgeResult<Response> {
    let headers = Headers::new();
    headers.set("etag", etag)?;
    headers.set("cache-control", "no-store")?;
    Ok(ResponseBuilder::new()
        .with_status(304)
        .with_headers(headers)
        .empty())
}

/// A dashboard page: its strict policy (own script and stylesheet only, no
/// framing), never cached, its URL never sent to another site as a referrer.
pub fn page(status: u16, html: String) -> Response {
    inert_page(status, pages::CSP, html)
}

/// HTML under `csp`, never framed, cached or sniffed.
fn inert_page(status: u16, csp: &str, html: String) -> Response {
    let headers = Headers::new();
    let _ = headers.set("content-type", "text/html; charset=utf-8");
    let _ = headers.set("content-security-policy", csp);
    let _ = headers.set("cache-control", "no-store");
    let _ = headers.set("x-content-type-options", "nosniff");
    let _ = headers.set("x-frame-options", "DENY");
    // `same-origin`, not `no-referrer`: under `no-referrer` a browser sends
    // `Origin: null` with the page's own form post, and a browser without
    // `Sec-Fetch-Site` could then not prove the post is ours. A token in the
    // URL still never leaves this origin.
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
