//! A site in its own Durable Object takes answers as a site in D1 does
//! (`edge/src/store/homes.rs`): two sites configured alike, one moved into
//! its object, are sent the same sequence of answers, and every reply must
//! match — status and body — once each site's own ids are named alike.
//! What the replies prove was read back from the object (a retry's stored
//! reply, a callback joining the contact's open case), D1 holds none of
//! the moved site's answers, and its first alert and thank-you mails are
//! sent from the object's outbox as the D1 site's are from D1's. The links
//! those carry (a manager's acknowledge link, the customer's "add more"
//! link) are used in Chromium and reach the rows in the site's home, and
//! the cron's passes run in every home: an overdue case climbs a level in
//! each.

use crate::support::{alert_id, answer_on, assert_error, contact, wait_until, Api, Browser, Stack};
use domain::submission::RawSubmission;
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;
use tests::receiver::{Answer, Options, Received};

/// The same origins and recipients as the demo site, so only the home
/// differs.
const SETTINGS: &[(&str, &str)] = &[("client_manager", "/inbox"), ("service_manager", "/inbox")];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_in_its_own_object_answers_as_a_site_in_d1_does() {
    // Each alert's first call fails, so its second attempt goes through the
    // queue, whose message names the site living in an object.
    let failed_once = Mutex::new(HashSet::new());
    let inbox = Options {
        responder: Box::new(move |r: &Received, _| {
            let first = r
                .header("webhook-id")
                .is_some_and(|id| failed_once.lock().unwrap().insert(id.to_owned()));
            Answer {
                status: if first { 500 } else { 200 },
                ..Answer::default()
            }
        }),
        ..Options::default()
    };
    let stack = Stack::start_full(
        "ingest-homes",
        inbox,
        vec![
            ("SITE_OBJECTS".into(), "true".into()),
            ("ALERT_SCHEDULE".into(), "0,1".into()),
        ],
    );
    let api = stack.api();
    for site in ["in-d1", "in-object"] {
        stack.put_site(site, SETTINGS, json!({})).await;
    }
    the_move_is_checked_and_safe_to_repeat(&api).await;
    // Settings saved after the move reach the object's copy, which is
    // compared with D1's before the save answers.
    // A senior case is overdue a minute after it opened.
    let settings = json!({"cooldown_days": 0, "sla_minutes": {"senior": 1}});
    stack
        .put_site("in-object", SETTINGS, settings.clone())
        .await;
    stack.put_site("in-d1", SETTINGS, settings).await;
    let (late, sent_ms) = leave_cases_unacknowledged(&stack).await;

    let (in_d1, d1_case) = replies(&api, "in-d1").await;
    let (in_object, object_case) = replies(&api, "in-object").await;
    // Stored, the retry answered from storage, a case opened, the second
    // callback joined it (read in the object), the reused id answered as
    // the first answer, the bad score refused.
    let statuses: Vec<u16> = in_object.iter().map(|(s, _)| *s).collect();
    assert_eq!(statuses, [201, 200, 201, 201, 200, 400], "{in_object:#?}");
    assert_eq!(
        in_object[1].1, in_object[0].1,
        "a retry gets the stored reply"
    );
    assert_eq!(in_object[3].1["case"], "open");
    assert_ne!(
        in_object[3].1["next"], in_object[2].1["next"],
        "the join is worded as one"
    );
    assert_eq!(in_d1.len(), in_object.len());
    for (step, (d1, object)) in in_d1.iter().zip(&in_object).enumerate() {
        assert_eq!(
            d1, object,
            "step {step}: D1 and the object answered differently"
        );
    }

    // The case's first alert (refused once, then retried from the queue)
    // and the customer's thank-you leave from each home alike: the office
    // reads the object's outbox and recipients.
    for (site, case) in [("in-d1", &d1_case), ("in-object", &object_case)] {
        let id = crate::support::alert_id(case, "senior", "opened");
        wait_until(&format!("{id} retried"), Duration::from_secs(30), || {
            let calls = stack.alerts_with_id(&id);
            // Refused, then retried: two calls to its one recipient here.
            async move { calls.len() >= 2 }
        })
        .await;
        let calls = stack.alerts_with_id(&id);
        assert!(calls[0].to_string().contains(site), "{}", calls[0]);
        stack
            .wait_for_mail(&format!("ana@{site}.example.com"), 2)
            .await;
    }

    let b = Browser::start(&stack.dir, 1000, 900).await;
    for (site, case) in [("in-d1", &d1_case), ("in-object", &object_case)] {
        links_reach_the_home(&stack, &b, site, case).await;
    }
    a_manager_works_the_objects_case_in_the_dashboard(&stack, &b, &object_case).await;
    b.close().await;
    the_cron_runs_in_every_home(&stack, &late, sent_ms).await;

    let stored = stack.rows(
        "SELECT site, count(*) AS n FROM responses WHERE site IN ('in-d1', 'in-object') GROUP BY site",
    );
    assert_eq!(stored, vec![json!({"site": "in-d1", "n": 4})], "{stored:?}");
    one_sites_list_and_export_read_its_home(&api).await;

    // A site with answers in D1 does not move this way (`cargo xtask
    // move-site` moves it: `ingest::moving`).
    let refused = move_to_object(&api, "in-d1").await;
    assert_error(&refused, 409, "conflict");
    assert_eq!(
        stack.rows("SELECT home FROM sites WHERE key = 'in-d1'"),
        vec![json!({"home": "d1"})]
    );
}

/// The managers' list and an export of one site read that site's home:
/// both sites list and export their four answers alike.
async fn one_sites_list_and_export_read_its_home(api: &Api) {
    for site in ["in-d1", "in-object"] {
        let listed = api
            .admin(
                Method::GET,
                &format!("/v1/admin/responses?site={site}"),
                None,
            )
            .await;
        assert_eq!(listed.0, 200, "{site}: {}", listed.2);
        let items = listed.2["items"].as_array().map(Vec::len);
        assert_eq!(items, Some(4), "{site}: {}", listed.2);
        let export = api
            .client
            .get(api.url(&format!("/v1/admin/export?site={site}&format=ndjson")))
            .bearer_auth(crate::support::ADMIN_TOKEN);
        let (status, _, text) = crate::support::api::send(export).await;
        assert_eq!(status, 200, "{site}: {text}");
        assert_eq!(text.lines().count(), 4, "{site}: {text}");
        assert!(text.contains(&format!("\"site\":\"{site}\"")), "{text}");
    }
}

/// The case's acknowledge link, opened from its alert and used as a
/// manager would, and the customer's "add more" link from the thank-you
/// mail: the site is signed into each, so each finds its rows in the
/// site's home (a case only the object holds, for the moved site).
async fn links_reach_the_home(stack: &Stack, b: &Browser, site: &str, case: &str) {
    let opened = stack.alerts_with_id(&alert_id(case, "senior", "opened"));
    let link = opened.last().unwrap()["data"]["ack_url"]
        .as_str()
        .expect("an acknowledge link")
        .to_owned();
    b.client.goto(&link).await.unwrap();
    assert!(b.text().await.contains(case), "{site}: {}", b.text().await);
    b.fill("#by", "Dana").await;
    b.click_and_wait("button[type=submit]").await;
    assert!(
        b.text().await.contains("thank you, Dana"),
        "{site}: {}",
        b.text().await
    );
    // The page's way on to the case names the site whose object holds it.
    let onward = b
        .js("document.querySelector('a[href*=\"/dashboard/\"]').getAttribute('href')")
        .await;
    let path = match site {
        "in-object" => format!("/dashboard/sites/in-object/cases/{case}"),
        _ => format!("/dashboard/cases/{case}"),
    };
    assert!(
        onward.as_str().is_some_and(|h| h.ends_with(&path)),
        "{site}: {onward}"
    );
    // The chat hears who took it: the follow-up alert was written and sent
    // from the same home.
    let told = stack
        .wait_for_alert(&alert_id(case, "senior", "acknowledged"))
        .await;
    assert_eq!(told["data"]["reason"]["by"], "Dana (alert link)", "{site}");
    assert_eq!(told["data"]["site"], site);
    // The case's new state is read where it was written.
    b.client.goto(&link).await.unwrap();
    assert!(
        b.text().await.contains("Already acknowledged"),
        "{site}: {}",
        b.text().await
    );

    let mails = stack.mails_to(&format!("ana@{site}.example.com"));
    let more = mails
        .iter()
        .filter_map(|m| m["text"].as_str())
        .flat_map(str::split_whitespace)
        .find(|w| w.contains("/more/"))
        .expect("a link to add more")
        .to_owned();
    b.client.goto(&more).await.unwrap();
    assert!(
        b.text().await.contains("What would you like to add?"),
        "{site}: {}",
        b.text().await
    );
    b.fill("#message", "The second charge is still there.")
        .await;
    b.click_and_wait("button[type=submit]").await;
    assert!(
        b.text().await.contains("Added. Thank you."),
        "{site}: {}",
        b.text().await
    );
}

/// The acknowledged case of the site in its object, opened from its
/// alert's dashboard link by a manager who signs in on the way, and
/// worked there: the contact recorded, read back from the object.
async fn a_manager_works_the_objects_case_in_the_dashboard(stack: &Stack, b: &Browser, case: &str) {
    let opened = stack.alerts_with_id(&alert_id(case, "senior", "opened"));
    let url = opened.last().unwrap()["data"]["dashboard_url"]
        .as_str()
        .expect("a dashboard link")
        .to_owned();
    let path = format!("/dashboard/sites/in-object/cases/{case}");
    assert!(url.ends_with(&path), "{url}");
    crate::support::dashboard::sign_in(b, stack, &path, "Olga").await;
    assert!(
        b.text().await.contains("Dana (alert link)"),
        "{}",
        b.text().await
    );
    b.fill("#note", "Called Ana; the double charge is refunded.")
        .await;
    b.click_and_wait("form input[value=contacted] ~ button")
        .await;
    let now = b.client.current_url().await.unwrap();
    assert_eq!(now.path(), path, "back on the case's own path");
    let text = b.text().await;
    assert!(
        text.contains("Called Ana; the double charge is refunded."),
        "{text}"
    );
    // One site's insights are read in its home: both sites count alike.
    let mut counted = Vec::new();
    for site in ["in-d1", "in-object"] {
        let insights = stack
            .worker
            .url(&format!("/dashboard/insights?site={site}"));
        b.client.goto(&insights).await.unwrap();
        let html = b.js("document.body.innerHTML").await;
        let html = html.as_str().unwrap_or_default();
        let n = html
            .split(" answers in all")
            .next()
            .and_then(|before| before.rsplit(' ').next())
            .and_then(|n| n.parse::<u32>().ok());
        counted.push(n);
    }
    assert!(counted[0].is_some_and(|n| n > 0), "{counted:?}");
    assert_eq!(counted[0], counted[1], "the same answers in both homes");
    // The case lives in the object only: the plain path finds nothing.
    let plain = stack.worker.url(&format!("/dashboard/cases/{case}"));
    b.client.goto(&plain).await.unwrap();
    assert!(!b.text().await.contains("Called Ana"), "{}", b.text().await);
}

/// A case left unacknowledged on each site, whose senior deadline is a
/// minute (the sites' SLA): the ids, and when they were sent.
async fn leave_cases_unacknowledged(stack: &Stack) -> (Vec<(&'static str, String)>, i64) {
    let sent_ms = crate::support::now_s() * 1000;
    let mut late = Vec::new();
    for site in ["in-d1", "in-object"] {
        let answer = RawSubmission {
            score: Some(1),
            ..answer_on(site, "The delivery was a week late.")
        };
        stack.api().submit(&answer).await;
        late.push((site, answer.id));
    }
    (late, sent_ms)
}

/// One cron tick once the late cases are overdue (cron triggers do not
/// fire under `wrangler dev`; `/__scheduled` runs the handler): each case
/// climbs to the president, written in its site's home and sent from
/// there.
async fn the_cron_runs_in_every_home(stack: &Stack, late: &[(&str, String)], sent_ms: i64) {
    let wait = (sent_ms + 62_000 - crate::support::now_s() * 1000).max(0);
    tokio::time::sleep(Duration::from_millis(u64::try_from(wait).unwrap())).await;
    let resp = reqwest::get(stack.worker.url("/__scheduled?cron=*+*+*+*+*"))
        .await
        .unwrap();
    let status = resp.status().as_u16();
    assert_eq!(status, 200, "{}", resp.text().await.unwrap_or_default());
    for (site, case) in late {
        let up = stack
            .wait_for_alert(&alert_id(case, "president", "overdue"))
            .await;
        assert_eq!(up["data"]["site"], *site, "{up}");
        assert_eq!(up["data"]["level"], "president", "{up}");
        assert_eq!(
            up["data"]["reason"],
            json!({"kind": "not_acknowledged", "minutes": 1}),
            "{up}"
        );
    }
    // The same tick's notice pass: alerts to roles these sites give no
    // recipient are dead letters, kept in each home; the owner (a person
    // of the control database) is mailed for each site.
    for site in ["in-d1", "in-object"] {
        let subject = format!("could not be delivered on {site}");
        wait_until(&subject, Duration::from_secs(30), || {
            let told = stack.mails_to("owner@example.com").iter().any(|m| {
                m["subject"]
                    .as_str()
                    .is_some_and(|s| s.ends_with(&format!("on {site} could not be delivered")))
            });
            async move { told }
        })
        .await;
    }
}

/// Bad requests change nothing; the move answers once `moved: true`, then
/// `moved: false`, and leaves one audit line.
async fn the_move_is_checked_and_safe_to_repeat(api: &Api) {
    let path = "/v1/admin/sites/in-object/home";
    let unsigned = crate::support::api::call(
        &api.client,
        Method::POST,
        &api.url(path),
        None,
        Some(&json!({"home": "object"})),
    )
    .await;
    assert_error(&unsigned, 401, "unauthorized");
    let elsewhere = api
        .admin(Method::POST, path, Some(&json!({"home": "mars"})))
        .await;
    assert_error(&elsewhere, 400, "invalid_json");
    let unknown = move_to_object(api, "no-such-site").await;
    assert_error(&unknown, 404, "unknown_site");
    let wrong_method = api.admin(Method::GET, path, None).await;
    assert_error(&wrong_method, 405, "method_not_allowed");

    for moved in [true, false] {
        let got = move_to_object(api, "in-object").await;
        assert_eq!(got.0, 200, "{}", got.2);
        assert_eq!(
            got.2,
            json!({"site": "in-object", "home": "object", "moved": moved})
        );
    }
}

async fn move_to_object(api: &Api, site: &str) -> crate::support::api::Reply {
    api.admin(
        Method::POST,
        &format!("/v1/admin/sites/{site}/home"),
        Some(&json!({"home": "object"})),
    )
    .await
}

/// The sequence, on `site`: a plain answer, its retry, a callback that
/// opens a case, a second callback of the same contact (which joins it),
/// the first answer's id with other words, and a refused score. Each reply
/// with the site's own ids and site key named alike; and the id of the
/// case the first callback opened.
async fn replies(api: &Api, site: &str) -> (Vec<(u16, Value)>, String) {
    let mut sent: Vec<RawSubmission> = Vec::new();
    let plain = answer_on(site, "Nobody told me the parcel was late.");
    let callback = RawSubmission {
        score: Some(2),
        contact: Some(contact(&format!("ana@{site}.example.com"), true)),
        ..answer_on(site, "I was charged twice.")
    };
    let again = RawSubmission {
        score: Some(1),
        contact: Some(contact(&format!("ana@{site}.example.com"), true)),
        ..answer_on(site, "Still charged twice, and no call.")
    };
    let reused = RawSubmission {
        gaps: "Other words under the same id.".into(),
        ..plain.clone()
    };
    let out_of_range = RawSubmission {
        score: Some(9),
        ..answer_on(site, "A score out of range.")
    };
    for a in [&plain, &plain, &callback, &again, &reused, &out_of_range] {
        sent.push(a.clone());
    }
    let mut out = Vec::new();
    for a in &sent {
        let (status, _, body) = api.send(a).await;
        out.push((status, named_alike(&body, site, &sent)));
    }
    (out, callback.id)
}

/// `body` with `site` and each sent answer's id replaced by a name that
/// does not depend on which site it was sent to.
fn named_alike(body: &Value, site: &str, sent: &[RawSubmission]) -> Value {
    let mut text = body.to_string().replace(site, "SITE");
    for (i, a) in sent.iter().enumerate() {
        text = text.replace(&a.id, &format!("ANSWER-{i}"));
    }
    serde_json::from_str(&text).unwrap_or(Value::Null)
}
