//! Owners of cases: the first person to acknowledge a case in the
//! dashboard takes it; an acknowledgement from a chat link records the
//! typed name and leaves the case "acknowledged from chat, not yet owned";
//! a manager gives a case to someone who works its site; the inbox filters
//! Mine and Unassigned.

use crate::support::dashboard::{get, own_origin, post, HttpSession, Post};
use crate::support::{scored, Stack};

fn owner_of(stack: &Stack, case: &str) -> (Option<String>, Option<String>) {
    let row = &stack.rows(&format!(
        "SELECT owner_name, ack_from FROM cases WHERE id = '{case}'"
    ))[0];
    (
        row["owner_name"].as_str().map(str::to_owned),
        row["ack_from"].as_str().map(str::to_owned),
    )
}

fn owner_notes(stack: &Stack, case: &str) -> Vec<String> {
    stack
        .rows(&format!(
            "SELECT note FROM events WHERE case_id = '{case}' AND type = 'owner' ORDER BY id"
        ))
        .iter()
        .map(|r| r["note"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cases_are_owned_taken_and_assigned() {
    let stack = Stack::start("people-ownership");
    let (mine, chat) = (
        scored("The refund took a month.", 2),
        scored("Nobody answered.", 2),
    );
    stack.api().submit(&mine).await;
    stack.api().submit(&chat).await;
    let mia = HttpSession::sign_in_as(&stack, "Mia Manager", "manager", &["demo"]).await;

    let (status, _) = mia
        .post(
            &stack,
            &format!("/dashboard/cases/{}/events", mine.id),
            &[("type", "acknowledged")],
        )
        .await;
    assert_eq!(status, 303);
    assert_eq!(
        owner_of(&stack, &mine.id),
        (Some("Mia Manager".into()), Some("dashboard".into()))
    );
    assert_eq!(owner_notes(&stack, &mine.id), ["Mia Manager took the case"]);

    // A chat link: the typed name is recorded; nobody owns the case.
    let token = crate::support::ack_token("demo", &chat.id);
    let own = own_origin(&stack);
    let (status, _, _) = post(
        &stack,
        &format!("/ack/{token}"),
        &[("by", "Dana")],
        &Post::same_origin(&own, None),
    )
    .await;
    assert_eq!(status, 201, "the acknowledgement is recorded");
    assert_eq!(owner_of(&stack, &chat.id), (None, Some("chat".into())));
    let by = stack.rows(&format!(
        "SELECT by FROM events WHERE case_id = '{}' AND type = 'acknowledged'",
        chat.id
    ));
    assert_eq!(by[0]["by"], "Dana (alert link)");

    let (_, _, inbox) = get(&stack, "/dashboard?owner=mine", Some(&mia.cookie)).await;
    assert!(
        inbox.contains(&mine.id) && !inbox.contains(&chat.id),
        "Mine"
    );
    let (_, _, inbox) = get(&stack, "/dashboard?owner=unassigned", Some(&mia.cookie)).await;
    assert!(
        inbox.contains(&chat.id) && !inbox.contains(&mine.id),
        "Unassigned"
    );
    assert!(inbox.contains("Acknowledged from chat, not yet owned"));

    // An owner gives the chat-acknowledged case to Mia; not to a viewer.
    let olu = HttpSession::sign_in(&stack, "Olu Owner").await;
    let _viewer = HttpSession::sign_in_as(&stack, "Vic Viewer", "viewer", &["demo"]).await;
    let id_of = |name: &str| {
        stack.rows(&format!("SELECT id FROM people WHERE name = '{name}'"))[0]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let path = format!("/dashboard/cases/{}/owner", chat.id);
    let (status, _) = olu
        .post(&stack, &path, &[("person", &id_of("Vic Viewer"))])
        .await;
    assert_eq!(status, 400, "a viewer cannot own a case");
    assert_eq!(owner_of(&stack, &chat.id).0, None);
    let (status, location) = olu
        .post(&stack, &path, &[("person", &id_of("Mia Manager"))])
        .await;
    assert_eq!(status, 303, "{location}");
    assert_eq!(owner_of(&stack, &chat.id).0.as_deref(), Some("Mia Manager"));
    assert_eq!(
        owner_notes(&stack, &chat.id),
        ["Olu Owner assigned the case to Mia Manager"]
    );
    let (_, _, inbox) = get(&stack, "/dashboard?owner=mine", Some(&mia.cookie)).await;
    assert!(inbox.contains(&chat.id) && inbox.contains(&mine.id));
    let (_, page) = mia
        .get(&stack, &format!("/dashboard/cases/{}", chat.id))
        .await;
    assert!(
        page.contains("Olu Owner assigned the case to Mia Manager"),
        "the change is in the case's log"
    );
}
