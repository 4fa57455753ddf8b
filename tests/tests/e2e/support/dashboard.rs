//! Steps every dashboard test takes: signing in through the real form (in
//! Chromium, or over plain HTTP as [`HttpSession`]), and reading the page.

use super::{wait_until, Browser, Stack, ADMIN_TOKEN};
use fantoccini::Locator;
use serde_json::{json, Value};
use std::time::Duration;

/// Runs `expr` in the page and returns its value.
pub async fn js(b: &Browser, expr: &str) -> Value {
    b.client
        .execute(&format!("return ({expr});"), vec![])
        .await
        .unwrap_or_else(|e| panic!("{expr}: {e}"))
}

/// Waits until `expr` is true in the page (a page being replaced may not
/// answer for a moment: that counts as not yet).
pub async fn wait_js(b: &Browser, what: &str, expr: &str) {
    wait_until(what, Duration::from_secs(30), || async {
        b.client
            .execute(&format!("return ({expr});"), vec![])
            .await
            .is_ok_and(|v| v == Value::Bool(true))
    })
    .await;
}

/// Types into the field `css` (after clearing it).
pub async fn fill(b: &Browser, css: &str, text: &str) {
    let field = b
        .client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    field.clear().await.expect("clear");
    field.send_keys(text).await.expect("type");
}

/// Clicks `css` and waits for the next page to load.
pub async fn click_and_wait(b: &Browser, css: &str) {
    js(b, "(window.__stale = true)").await;
    b.client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .expect("click");
    wait_js(
        b,
        &format!("the page after clicking {css} loads"),
        "!window.__stale && document.readyState === 'complete'",
    )
    .await;
}

/// Opens `path`, is sent to the sign-in page, signs in as `name` and lands
/// back on `path`.
pub async fn sign_in(b: &Browser, stack: &Stack, path: &str, name: &str) {
    b.client
        .goto(&stack.worker.url(path))
        .await
        .expect("open the dashboard");
    let url = b.client.current_url().await.expect("url");
    assert_eq!(
        url.path(),
        "/dashboard/login",
        "not signed in yet: sent to sign in"
    );
    fill(b, "#name", name).await;
    fill(b, "#token", ADMIN_TOKEN).await;
    click_and_wait(b, "form[action='/dashboard/login'] button[type=submit]").await;
    let url = b.client.current_url().await.expect("url");
    assert_eq!(
        url.path(),
        path.split('?').next().unwrap_or(path),
        "back where the manager was going"
    );
}

/// The page's visible text.
pub async fn text(b: &Browser) -> String {
    js(b, "document.body.innerText")
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Screenshots of the whole current page (not only the window) at desktop
/// width and at 390 px (a phone), under
/// `target/screenshots/dashboard-<name>[-390].png`; fails if the page
/// scrolls sideways on the phone.
pub async fn screenshots(b: &Browser, name: &str) {
    shoot(b, &format!("dashboard-{name}"), 1280, false).await;
    shoot(b, &format!("dashboard-{name}-390"), 390, true).await;
    let overflow = js(
        b,
        "document.documentElement.scrollWidth - document.documentElement.clientWidth",
    )
    .await;
    b.cdp("Emulation.clearDeviceMetricsOverride", json!({}))
        .await;
    assert!(
        overflow.as_i64().unwrap_or(1) <= 0,
        "{name} scrolls sideways at 390 px by {overflow} px"
    );
}

async fn shoot(b: &Browser, file: &str, width: u32, mobile: bool) {
    let metrics = |height: i64| json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile});
    b.cdp("Emulation.setDeviceMetricsOverride", metrics(800))
        .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let height = js(b, "document.documentElement.scrollHeight").await;
    let height = height.as_i64().unwrap_or(800).clamp(400, 8000);
    b.cdp("Emulation.setDeviceMetricsOverride", metrics(height))
        .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    b.screenshot(file).await;
}

/// axe-core on the whole page: no violations.
pub async fn assert_accessible(b: &Browser, page: &str) {
    let violations = b.axe_violations_in("document").await;
    assert!(violations.is_empty(), "{page}: {violations:#?}");
}

/// A dashboard session over plain HTTP, as a browser on the dashboard's own
/// pages would hold it: the `candor_session=…` cookie and the CSRF token its
/// forms carry.
pub struct HttpSession {
    pub cookie: String,
    pub csrf: String,
}

impl HttpSession {
    /// Signs in through the real form as `name`.
    pub async fn sign_in(stack: &Stack, name: &str) -> Self {
        let client = no_redirects();
        let own = stack.worker.url("").trim_end_matches('/').to_owned();
        let resp = client
            .post(stack.worker.url("/dashboard/login"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", &own)
            .header("sec-fetch-site", "same-origin")
            .body(
                url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs([
                        ("name", name),
                        ("token", ADMIN_TOKEN),
                        ("next", "/dashboard"),
                    ])
                    .finish(),
            )
            .send()
            .await
            .expect("sign in");
        assert_eq!(resp.status().as_u16(), 303, "signed in");
        let cookie = resp
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .expect("a session cookie")
            .to_owned();
        let mut session = Self {
            cookie,
            csrf: String::new(),
        };
        let (_, page) = session.get(stack, "/dashboard").await;
        let marker = "name=\"csrf\" value=\"";
        let start = page.find(marker).expect("a form with a CSRF token") + marker.len();
        let end = page[start..].find('"').expect("end of the token") + start;
        page[start..end].clone_into(&mut session.csrf);
        session
    }

    /// A page, with its status.
    pub async fn get(&self, stack: &Stack, path: &str) -> (u16, String) {
        let resp = no_redirects()
            .get(stack.worker.url(path))
            .header("cookie", &self.cookie)
            .send()
            .await
            .expect("get a page");
        let status = resp.status().as_u16();
        (status, resp.text().await.unwrap_or_default())
    }

    /// A dashboard form post from its own page (the CSRF token is added):
    /// the status and the `Location` it sends the browser to.
    pub async fn post(&self, stack: &Stack, path: &str, form: &[(&str, &str)]) -> (u16, String) {
        let own = stack.worker.url("").trim_end_matches('/').to_owned();
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form.iter().copied().chain([("csrf", self.csrf.as_str())]))
            .finish();
        let resp = no_redirects()
            .post(stack.worker.url(path))
            .header("cookie", &self.cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", &own)
            .header("sec-fetch-site", "same-origin")
            .body(body)
            .send()
            .await
            .expect("post a form");
        let status = resp.status().as_u16();
        let location = resp
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        (status, location)
    }
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client")
}
