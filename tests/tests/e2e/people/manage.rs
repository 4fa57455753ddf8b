//! An owner manages people and keys in the dashboard (Chromium): invites a
//! manager by mail, lowers them to viewer, makes an API key (shown once)
//! that then works within its scope and stops when revoked; the last owner
//! stays. Every kind of change leaves an audit row, and the People and
//! Audit pages pass axe.

use crate::support::dashboard::{assert_accessible, email_of, screenshots, sign_in, HttpSession};
use crate::support::{scored, wait_until, Browser, Stack};
use serde_json::json;
use std::collections::BTreeSet;
use std::time::Duration;

async fn bearer(
    stack: &Stack,
    method: reqwest::Method,
    path: &str,
    key: &str,
    body: Option<serde_json::Value>,
) -> (u16, String) {
    let mut req = reqwest::Client::new()
        .request(method, stack.worker.url(path))
        .bearer_auth(key);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owners_manage_people_and_keys_and_every_change_is_audited() {
    let stack = Stack::start("people-manage");
    let b = Browser::start(&stack.dir, 1280, 900).await;
    sign_in(&b, &stack, "/dashboard/people", "Olu Owner").await;
    assert_accessible(&b, "people").await;

    // Invite a manager of the demo site, by mail.
    let mia = "mia@example.com";
    b.fill("#invite-email", mia).await;
    b.fill("#invite-name", "Mia Manager").await;
    b.fill("#invite-sites", "demo").await;
    b.click_and_wait("form[action='/dashboard/people'] button[type=submit]")
        .await;
    let invitation = stack.wait_for_mail(mia, 1).await;
    assert_eq!(invitation["subject"], "Olu Owner invited you to Candor");
    let people = stack.rows("SELECT role, sites FROM people WHERE email = 'mia@example.com'");
    assert_eq!(
        (people[0]["role"].as_str(), people[0]["sites"].as_str()),
        (Some("manager"), Some("demo"))
    );

    // Make a write key; it is on the page once.
    b.fill("#key-name", "CRM sync").await;
    b.js("document.getElementById('key-scope').value = 'write'")
        .await;
    b.click_and_wait("form[action='/dashboard/keys'] button[type=submit]")
        .await;
    let key = b.js("document.getElementById('new-key').textContent").await;
    let key = key.as_str().unwrap().to_owned();
    assert!(key.starts_with("cnd_"), "{key}");
    assert_accessible(&b, "people with a new key").await;
    screenshots(&b, "people").await;
    let stored = stack.rows("SELECT hash FROM api_keys");
    assert!(
        !stored[0]["hash"].as_str().unwrap().contains(&key[21..]),
        "only a hash is kept"
    );
    b.client
        .goto(&stack.worker.url("/dashboard/people"))
        .await
        .unwrap();
    let again = b.js("document.body.textContent").await;
    assert!(!again.as_str().unwrap().contains(&key), "shown once");

    a_key_works_within_its_scope(&stack, &key).await;

    // Lower Mia to viewer in her row, then revoke the key.
    let owner = HttpSession::sign_in(&stack, "Olu Owner").await;
    let mia_id = lower_mia_and_revoke(&stack, &owner, &key).await;

    // A read key cannot write.
    let reader = make_key(&b, "Reporting", "read").await;
    let (status, body) = bearer(
        &stack,
        reqwest::Method::PUT,
        "/v1/admin/sites/keyed",
        &reader,
        Some(json!({"origins": ["https://shop.example.com"]})),
    )
    .await;
    assert_eq!(status, 403);
    assert!(body.contains("role_forbids"), "{body}");

    settings_and_recipients_and_erasure(&stack, &owner).await;
    the_last_owner_stays(&stack, &owner).await;
    let (status, location) = owner
        .post(&stack, &format!("/dashboard/people/{mia_id}/remove"), &[])
        .await;
    assert_eq!(
        (status, location.as_str()),
        (303, "/dashboard/people?done=removed")
    );
    every_kind_of_change_is_audited(&stack, &key);

    b.client
        .goto(&stack.worker.url("/dashboard/audit"))
        .await
        .unwrap();
    assert_accessible(&b, "audit").await;
    screenshots(&b, "audit").await;
    let page = b.js("document.querySelector('main').textContent").await;
    assert!(page.as_str().unwrap().contains("Person changed"));
    b.close().await;
}

/// Makes a key on the People page and reads it, the once it is shown.
async fn make_key(b: &Browser, name: &str, scope: &str) -> String {
    b.fill("#key-name", name).await;
    b.js(&format!(
        "document.getElementById('key-scope').value = '{scope}'"
    ))
    .await;
    b.click_and_wait("form[action='/dashboard/keys'] button[type=submit]")
        .await;
    let key = b.js("document.getElementById('new-key').textContent").await;
    let key = key.as_str().unwrap().to_owned();
    assert!(key.starts_with("cnd_"), "{key}");
    key
}

/// The key reads, writes a site and exports; people are not its business.
async fn a_key_works_within_its_scope(stack: &Stack, key: &str) {
    let (status, _) = bearer(
        stack,
        reqwest::Method::GET,
        "/v1/admin/responses?site=demo",
        key,
        None,
    )
    .await;
    assert_eq!(status, 200);
    let site = json!({"origins": ["https://shop.example.com"], "cooldown_days": 14});
    let (status, body) = bearer(
        stack,
        reqwest::Method::PUT,
        "/v1/admin/sites/keyed",
        key,
        Some(site),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = bearer(
        stack,
        reqwest::Method::GET,
        "/v1/admin/export?site=demo&format=csv",
        key,
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = bearer(
        stack,
        reqwest::Method::POST,
        "/v1/admin/people",
        key,
        Some(json!({"email": "x@example.com", "name": "X", "role": "owner"})),
    )
    .await;
    assert_eq!(status, 403, "a key never makes people");
}

/// Lowers Mia to viewer in her row and revokes `key`; returns Mia's id.
async fn lower_mia_and_revoke(stack: &Stack, owner: &HttpSession, key: &str) -> String {
    let mia_id = stack.rows("SELECT id FROM people WHERE email = 'mia@example.com'")[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, location) = owner
        .post(
            stack,
            &format!("/dashboard/people/{mia_id}"),
            &[("role", "viewer"), ("sites", "demo")],
        )
        .await;
    assert_eq!(
        (status, location.as_str()),
        (303, "/dashboard/people?done=changed")
    );
    let key_id = &key[4..20];
    let (status, _) = owner
        .post(stack, &format!("/dashboard/keys/{key_id}/revoke"), &[])
        .await;
    assert_eq!(status, 303);
    let (status, _) = bearer(
        stack,
        reqwest::Method::GET,
        "/v1/admin/responses?site=demo",
        key,
        None,
    )
    .await;
    assert_eq!(status, 403, "a revoked key opens nothing");
    mia_id
}

fn every_kind_of_change_is_audited(stack: &Stack, key: &str) {
    let actions: BTreeSet<String> = stack
        .rows("SELECT DISTINCT action FROM audit")
        .iter()
        .map(|r| r["action"].as_str().unwrap().to_owned())
        .collect();
    for want in [
        "settings_saved",
        "recipient_added",
        "recipient_removed",
        "person_added",
        "person_changed",
        "person_removed",
        "key_created",
        "key_revoked",
        "erased",
        "exported",
    ] {
        assert!(
            actions.contains(want),
            "no audit row for {want}: {actions:?}"
        );
    }
    let all = stack.rows("SELECT by, before, after FROM audit");
    let text = serde_json::to_string(&all).unwrap();
    assert!(
        !text.contains(&key[21..]),
        "a key's secret is in the audit log"
    );
    assert!(
        !text.contains("whsec_"),
        "a webhook secret is in the audit log"
    );
    assert!(
        !text.contains("/hook-path-secret"),
        "a recipient URL's path is in the audit log"
    );
    assert!(
        text.contains("API key “CRM sync”"),
        "the key is named as the actor"
    );
}

/// The settings page's changes: a save, a recipient added and removed, an
/// erasure — each with its audit row.
async fn settings_and_recipients_and_erasure(stack: &Stack, owner: &HttpSession) {
    let (status, page) = owner.get(stack, "/dashboard/settings?site=demo").await;
    assert_eq!(status, 200);
    let (status, _) = owner
        .post(
            stack,
            "/dashboard/settings/demo/recipients",
            &[
                ("role", "president"),
                ("format", "slack"),
                ("url", "https://hooks.slack.com/services/hook-path-secret"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let rid = stack.rows("SELECT id FROM recipients WHERE role = 'president' AND format = 'slack'")
        [0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, _) = owner
        .post(
            stack,
            &format!("/dashboard/settings/demo/recipients/{rid}/delete"),
            &[],
        )
        .await;
    assert_eq!(status, 303);
    assert!(page.contains("name=\"origins\""));
    let form: Vec<(&str, &str)> = vec![
        ("origins", "http://127.0.0.1:*\nhttp://localhost:*"),
        ("score", "on"),
        ("cooldown_days", "21"),
        ("rate_per_minute", "1000"),
    ];
    let (status, _) = owner.post(stack, "/dashboard/settings/demo", &form).await;
    assert!(status == 303 || status == 400, "settings save: {status}");
    let answer = scored("Slow.", 2);
    stack.api().submit(&answer).await;
    let (status, _) = owner
        .post(
            stack,
            "/dashboard/erase",
            &[("id", answer.id.as_str()), ("confirm", "yes")],
        )
        .await;
    assert_eq!(status, 303);
    wait_until("the save is audited", Duration::from_secs(5), || {
        let n = stack.rows("SELECT COUNT(*) AS n FROM audit WHERE action = 'settings_saved'")[0]
            ["n"]
            .as_i64();
        async move { n.unwrap_or(0) >= 1 }
    })
    .await;
}

async fn the_last_owner_stays(stack: &Stack, owner: &HttpSession) {
    let others = stack.rows(&format!(
        "SELECT id FROM people WHERE role = 'owner' AND email != '{}'",
        email_of("Olu Owner")
    ));
    for o in &others {
        let id = o["id"].as_str().unwrap();
        let (status, _) = owner
            .post(stack, &format!("/dashboard/people/{id}/remove"), &[])
            .await;
        assert_eq!(status, 303);
    }
    let me = stack.rows(&format!(
        "SELECT id FROM people WHERE email = '{}'",
        email_of("Olu Owner")
    ));
    let me = me[0]["id"].as_str().unwrap();
    let (status, _) = owner
        .post(stack, &format!("/dashboard/people/{me}/remove"), &[])
        .await;
    assert_eq!(status, 409, "the last owner stays");
    let (status, _) = owner
        .post(
            stack,
            &format!("/dashboard/people/{me}"),
            &[("role", "viewer"), ("sites", "*")],
        )
        .await;
    assert_eq!(status, 409);
}
