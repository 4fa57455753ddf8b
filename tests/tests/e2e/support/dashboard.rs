//! Steps every dashboard test takes: signing in through the real form (in
//! Chromium, or over plain HTTP as [`HttpSession`]), and reading the page.

use super::{Browser, Stack};
use reqwest::header::{HeaderMap, COOKIE, LOCATION, SET_COOKIE};
use serde_json::json;
use std::time::Duration;

/// The address tests give the person called `name`: one account per name.
pub fn email_of(name: &str) -> String {
    let slug: String = name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .take(40)
        .collect();
    format!("p-{slug}@example.com")
}

/// Makes `name` a person with `role` on `sites` (`["*"]`: all) through the
/// managers' API, as an owner's automation would; they are mailed an
/// invitation. An address that already has an account is left as it is.
pub async fn add_person(stack: &Stack, name: &str, role: &str, sites: &[&str]) -> String {
    let email = email_of(name);
    let body = json!({"email": email, "name": name, "role": role, "sites": sites});
    let (status, _, reply) = stack
        .api()
        .admin(reqwest::Method::POST, "/v1/admin/people", Some(&body))
        .await;
    assert!(
        status == 201 || status == 409,
        "person {name}: {status} {reply}"
    );
    email
}

/// The sign-in link in a mail: the address to open (path, query and the
/// fragment with the secret) and the secret alone.
pub fn link_in(mail: &serde_json::Value) -> (String, String) {
    let text = mail["text"].as_str().expect("a text part");
    let url = text
        .split_whitespace()
        .find(|w| w.contains("/dashboard/login/link"))
        .expect("a sign-in link in the mail");
    let token = url.split("#t=").nth(1).expect("the secret in the fragment");
    (url.to_owned(), token.to_owned())
}

/// Opens `path`, is sent to the sign-in page, asks for a link as `name`
/// (an owner, made first), opens the link from the caught mail and signs in
/// with its button, landing back on `path`.
pub async fn sign_in(b: &Browser, stack: &Stack, path: &str, name: &str) {
    sign_in_as(b, stack, path, name, "owner", &["*"]).await;
}

/// As [`sign_in`], as a person with `role` on `sites`.
pub async fn sign_in_as(
    b: &Browser,
    stack: &Stack,
    path: &str,
    name: &str,
    role: &str,
    sites: &[&str],
) {
    let email = add_person(stack, name, role, sites).await;
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
    let before = stack.mails_to(&email).len();
    b.fill("#email", &email).await;
    b.click_and_wait("form[action='/dashboard/login'] button[type=submit]")
        .await;
    let said = b.js("document.querySelector('h1').textContent").await;
    assert_eq!(said, "Check your mail");
    let mail = stack.wait_for_mail(&email, before + 1).await;
    let (link, _) = link_in(&mail);
    b.client.goto(&link).await.expect("open the mailed link");
    b.click_and_wait("#link-sign-in button[type=submit]").await;
    let url = b.client.current_url().await.expect("url");
    assert_eq!(
        url.path(),
        path.split('?').next().unwrap_or(path),
        "back where the manager was going"
    );
}

/// Screenshots of the whole current page (not only the window) at desktop
/// width and at 390 px (a phone), under
/// `target/screenshots/dashboard-<name>[-390].png`; fails if the page
/// scrolls sideways on the phone.
pub async fn screenshots(b: &Browser, name: &str) {
    shoot(b, &format!("dashboard-{name}"), 1280, false).await;
    shoot(b, &format!("dashboard-{name}-390"), 390, true).await;
    let overflow = b
        .js("document.documentElement.scrollWidth - document.documentElement.clientWidth")
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
    let height = b.js("document.documentElement.scrollHeight").await;
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

/// How a form post is sent: the cookie, `Origin` and `Sec-Fetch-Site` it
/// carries (`None`: no such header), as a browser on some page would.
pub struct Post<'a> {
    pub cookie: Option<&'a str>,
    pub origin: Option<&'a str>,
    pub fetch_site: Option<&'a str>,
}

impl<'a> Post<'a> {
    /// From one of the dashboard's own pages (`own` is the Worker's origin).
    pub fn same_origin(own: &'a str, cookie: Option<&'a str>) -> Self {
        Self {
            cookie,
            origin: Some(own),
            fetch_site: Some("same-origin"),
        }
    }
}

/// The Worker's origin, as its own pages send it in `Origin`.
pub fn own_origin(stack: &Stack) -> String {
    stack.worker.url("").trim_end_matches('/').to_owned()
}

/// A form post to `path`, sent as `how` says; redirects are not followed.
/// Returns the status, the headers and the page.
pub async fn post(
    stack: &Stack,
    path: &str,
    form: &[(&str, &str)],
    how: &Post<'_>,
) -> (u16, HeaderMap, String) {
    let body: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let mut req = no_redirects()
        .post(stack.worker.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body);
    if let Some(c) = how.cookie {
        req = req.header(COOKIE, c);
    }
    if let Some(o) = how.origin {
        req = req.header("origin", o);
    }
    if let Some(s) = how.fetch_site {
        req = req.header("sec-fetch-site", s);
    }
    super::api::send(req).await
}

/// A page (or an API answer), with the session `cookie` if given;
/// redirects are not followed. Returns the status, the headers and the body.
pub async fn get(stack: &Stack, path: &str, cookie: Option<&str>) -> (u16, HeaderMap, String) {
    let mut req = no_redirects().get(stack.worker.url(path));
    if let Some(c) = cookie {
        req = req.header(COOKIE, c);
    }
    super::api::send(req).await
}

/// The CSRF token of the page's forms.
pub fn csrf_of(page: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = page.find(marker).expect("a form with a CSRF token") + marker.len();
    let end = page[start..].find('"').expect("end of the token") + start;
    page[start..end].to_owned()
}

/// A dashboard session over plain HTTP, as a browser on the dashboard's own
/// pages would hold it: the `candor_session=…` cookie and the CSRF token its
/// forms carry.
pub struct HttpSession {
    pub cookie: String,
    /// The whole `Set-Cookie` header that started it, with its attributes.
    pub set_cookie: String,
    pub csrf: String,
}

impl HttpSession {
    /// Signs in as `name`, an owner (made first), and reads the CSRF token
    /// from the inbox.
    pub async fn sign_in(stack: &Stack, name: &str) -> Self {
        Self::sign_in_as(stack, name, "owner", &["*"]).await
    }

    /// Signs in through the real forms as `name` with `role` on `sites`:
    /// asks for a link, takes it from the caught mail and posts its secret
    /// as the link's page does.
    pub async fn sign_in_as(stack: &Stack, name: &str, role: &str, sites: &[&str]) -> Self {
        let email = add_person(stack, name, role, sites).await;
        let own = own_origin(stack);
        let before = stack.mails_to(&email).len();
        let (status, _, page) = post(
            stack,
            "/dashboard/login",
            &[("email", &email), ("next", "/dashboard")],
            &Post::same_origin(&own, None),
        )
        .await;
        assert_eq!(status, 200, "asked for a link: {page}");
        let mail = stack.wait_for_mail(&email, before + 1).await;
        let (_, token) = link_in(&mail);
        let (status, headers, page) = post(
            stack,
            "/dashboard/login/link",
            &[("token", &token), ("next", "/dashboard")],
            &Post::same_origin(&own, None),
        )
        .await;
        assert_eq!(status, 303, "signed in: {page}");
        assert_eq!(headers[LOCATION], "/dashboard");
        let set_cookie = headers[SET_COOKIE]
            .to_str()
            .expect("a session cookie")
            .to_owned();
        let cookie = set_cookie.split(';').next().unwrap_or_default().to_owned();
        let (_, _, inbox) = get(stack, "/dashboard", Some(&cookie)).await;
        Self {
            csrf: csrf_of(&inbox),
            cookie,
            set_cookie,
        }
    }

    /// A page, with its status.
    pub async fn get(&self, stack: &Stack, path: &str) -> (u16, String) {
        let (status, _, page) = get(stack, path, Some(&self.cookie)).await;
        (status, page)
    }

    /// A dashboard form post from its own page (the CSRF token is added):
    /// the status and the `Location` it sends the browser to.
    pub async fn post(&self, stack: &Stack, path: &str, form: &[(&str, &str)]) -> (u16, String) {
        let own = own_origin(stack);
        let form: Vec<(&str, &str)> = form
            .iter()
            .copied()
            .chain([("csrf", self.csrf.as_str())])
            .collect();
        let how = Post::same_origin(&own, Some(&self.cookie));
        let (status, headers, _) = post(stack, path, &form, &how).await;
        let location = headers
            .get(LOCATION)
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
