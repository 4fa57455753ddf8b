//! Every dashboard route against every role, from the one table the Worker
//! itself routes by (`domain::permissions::DASHBOARD`): a route added there
//! is tried here with no further edit, and a route the router serves
//! without a line there is a 404 for everyone. Then the sites a manager and
//! a viewer may see, the API's reads, and sessions that end when a person
//! loses their role or is removed.

use crate::support::dashboard::{own_origin, post, HttpSession, Post};
use crate::support::{answer_on, scored, Stack};
use domain::people::Role;
use domain::permissions::DASHBOARD;
use serde_json::json;

/// A path of the table with its placeholders filled.
fn concrete(pattern: &str, case: &str) -> String {
    pattern
        .replace("{id}", case)
        .replace("{site}", "demo")
        .replace("{rid}", "no-such-recipient")
        .replace("{pid}", "no-such-person")
        .replace("{kid}", "no-such-key")
        .replace("{tag}", "no-such-tag")
        .replace("{code}", "no-such-code")
}

/// A route's answer to `session`: a GET, or a post of an empty form with
/// the session's CSRF token, as the dashboard's own page would send it.
async fn call(stack: &Stack, s: &HttpSession, method: &str, path: &str) -> (u16, String) {
    if method == "GET" {
        return s.get(stack, path).await;
    }
    let own = own_origin(stack);
    let how = Post::same_origin(&own, Some(&s.cookie));
    let (status, _, page) = post(stack, path, &[("csrf", s.csrf.as_str())], &how).await;
    (status, page)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_holds_every_role_to_its_need() {
    let stack = Stack::start("people-roles");
    stack
        .put_site("other", &[("service_manager", "/other")], json!({}))
        .await;
    let mine = scored("The refund took a month.", 2);
    stack.api().submit(&mine).await;
    let theirs = answer_on("other", "Rude on the phone.");
    let theirs = domain::RawSubmission {
        score: Some(1),
        ..theirs
    };
    let (status, _, _) = stack
        .api()
        .send_from("https://shop.example.com", &theirs)
        .await;
    assert_eq!(status, 201);

    let viewer = HttpSession::sign_in_as(&stack, "Vic Viewer", "viewer", &["demo"]).await;
    let manager = HttpSession::sign_in_as(&stack, "Mia Manager", "manager", &["demo"]).await;
    let owner = HttpSession::sign_in_as(&stack, "Olu Owner", "owner", &["*"]).await;

    // Owners last: their posts are carried out.
    for (role, s) in [
        (Role::Viewer, &viewer),
        (Role::Manager, &manager),
        (Role::Owner, &owner),
    ] {
        for rule in DASHBOARD.iter().filter(|r| r.path != "/dashboard/logout") {
            let path = concrete(rule.path, &mine.id);
            let (status, page) = call(&stack, s, rule.method, &path).await;
            let what = format!("{role:?} {} {path}", rule.method);
            if role.grants(rule.need) {
                assert!(
                    ![401, 403].contains(&status) && !page.contains("no such page"),
                    "{what}: {status}"
                );
            } else {
                assert_eq!(status, 403, "{what}");
                assert!(page.contains("your role does not allow this"), "{what}");
            }
        }
    }
    let events = stack.rows(&format!(
        "SELECT type, by FROM events WHERE case_id = '{}'",
        mine.id
    ));
    assert_eq!(events.len(), 1, "empty forms changed nothing: {events:?}");

    no_session_writes_the_api(&stack, &[&viewer, &manager, &owner], &mine.id).await;
    others_sites_do_not_exist_for_them(&stack, &manager, &viewer, &theirs.id).await;
    only_owners_read_the_api(&stack, &owner, &manager).await;
    a_step_is_signed_by_the_account(&stack, &manager, &mine.id).await;
    losing_a_role_or_the_account_ends_sessions(&stack, &manager, &viewer).await;
}

async fn others_sites_do_not_exist_for_them(
    stack: &Stack,
    m: &HttpSession,
    v: &HttpSession,
    theirs: &str,
) {
    for s in [m, v] {
        let (status, _) = s.get(stack, &format!("/dashboard/cases/{theirs}")).await;
        assert_eq!(status, 404);
        for path in ["/dashboard?site=other", "/dashboard/insights?site=other"] {
            assert_eq!(s.get(stack, path).await.0, 404, "{path}");
        }
        let (status, inbox) = s.get(stack, "/dashboard?state=all").await;
        assert_eq!(status, 200);
        assert!(!inbox.contains(theirs), "another site's case is listed");
        assert!(
            !inbox.contains("value=\"other\""),
            "another site is offered as a filter"
        );
    }
    let (status, _) = m
        .post(
            stack,
            &format!("/dashboard/cases/{theirs}/events"),
            &[("type", "acknowledged")],
        )
        .await;
    assert_eq!(status, 404);
    let state = stack.rows(&format!("SELECT state FROM cases WHERE id = '{theirs}'"));
    assert_eq!(state[0]["state"], "open");
}

/// A session never writes through the managers' API, whatever the role:
/// only a bearer does. Each write is refused (403) and changes nothing.
async fn no_session_writes_the_api(stack: &Stack, sessions: &[&HttpSession], case: &str) {
    let writes = [
        (
            reqwest::Method::PUT,
            "/v1/admin/sites/demo".to_owned(),
            Some(json!({"cooldown_days": 1})),
        ),
        (
            reqwest::Method::POST,
            format!("/v1/admin/cases/{case}/events"),
            Some(json!({"type": "note", "by": "x", "note": "x"})),
        ),
        (
            reqwest::Method::DELETE,
            format!("/v1/admin/responses/{case}"),
            None,
        ),
        (
            reqwest::Method::POST,
            "/v1/admin/people".to_owned(),
            Some(json!({"email": "x@example.com", "name": "X", "role": "owner"})),
        ),
        (
            reqwest::Method::POST,
            "/v1/admin/sites/demo/recipients/demo-service/test".to_owned(),
            None,
        ),
    ];
    let client = reqwest::Client::new();
    for s in sessions {
        for (method, path, body) in &writes {
            let mut req = client
                .request(method.clone(), stack.worker.url(path))
                .header("cookie", &s.cookie)
                .header("origin", own_origin(stack));
            if let Some(b) = body {
                req = req.json(b);
            }
            let status = req.send().await.unwrap().status().as_u16();
            assert_eq!(status, 403, "{method} {path} with a session");
        }
    }
    let notes = stack.rows(&format!(
        "SELECT id FROM events WHERE case_id = '{case}' AND type = 'note'"
    ));
    assert!(notes.is_empty());
    assert!(stack
        .rows("SELECT id FROM people WHERE email = 'x@example.com'")
        .is_empty());
}

async fn only_owners_read_the_api(stack: &Stack, owner: &HttpSession, manager: &HttpSession) {
    assert_eq!(
        owner.get(stack, "/v1/admin/responses?site=demo").await.0,
        200
    );
    let (status, body) = manager.get(stack, "/v1/admin/responses?site=demo").await;
    assert_eq!(status, 403);
    assert!(body.contains("role_forbids"), "{body}");
}

async fn a_step_is_signed_by_the_account(stack: &Stack, m: &HttpSession, case: &str) {
    let (status, _) = m
        .post(
            stack,
            &format!("/dashboard/cases/{case}/events"),
            &[("type", "acknowledged"), ("by", "Someone Else")],
        )
        .await;
    assert_eq!(status, 303);
    let by = stack.rows(&format!(
        "SELECT by FROM events WHERE case_id = '{case}' AND type = 'acknowledged'"
    ));
    assert_eq!(
        by[0]["by"], "Mia Manager",
        "the account signs the step, not a typed name"
    );
}

async fn losing_a_role_or_the_account_ends_sessions(
    stack: &Stack,
    m: &HttpSession,
    v: &HttpSession,
) {
    let people = stack
        .api()
        .admin(reqwest::Method::GET, "/v1/admin/people", None)
        .await
        .2;
    let id_of = |name: &str| {
        people["people"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .map(|p| p["id"].as_str().unwrap().to_owned())
            .unwrap()
    };
    let lowered = json!({"email": crate::support::dashboard::email_of("Mia Manager"),
        "name": "Mia Manager", "role": "viewer", "sites": ["demo"]});
    let (status, _, body) = stack
        .api()
        .admin(
            reqwest::Method::PUT,
            &format!("/v1/admin/people/{}", id_of("Mia Manager")),
            Some(&lowered),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["role"], "viewer");
    assert_eq!(
        m.get(stack, "/dashboard").await.0,
        303,
        "sent to sign in again"
    );

    let (status, _, _) = stack
        .api()
        .admin(
            reqwest::Method::DELETE,
            &format!("/v1/admin/people/{}", id_of("Vic Viewer")),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(v.get(stack, "/dashboard").await.0, 303);
    let gone = stack.rows("SELECT COUNT(*) AS n FROM sessions s JOIN people p ON p.id = s.person_id WHERE p.name IN ('Mia Manager', 'Vic Viewer')");
    assert_eq!(gone[0]["n"], 0);
}
