//! Every answer is visible: the All answers page lists tier `none` too,
//! searches the words, pages through many, and a manager's root-cause tag
//! makes an answer count toward return on satisfaction in Insights.

use crate::support::dashboard::{assert_accessible, sign_in, HttpSession};
use crate::support::{answer, scored, Browser, Stack};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_is_listed_searchable_paged_and_taggable() {
    let stack = Stack::start("people-answers");
    let praise = scored("All fine, only the cart timed out once.", 5);
    let unscored = answer("Checkout was confusing.");
    let poor = scored("Refund took a month.", 2);
    for a in [&praise, &unscored, &poor] {
        stack.api().submit(a).await;
    }
    let viewer = HttpSession::sign_in_as(&stack, "Vic Viewer", "viewer", &["demo"]).await;
    let (status, page) = viewer.get(&stack, "/dashboard/answers").await;
    assert_eq!(status, 200);
    for a in [&praise, &unscored, &poor] {
        assert!(page.contains(&a.gaps), "{} is listed", a.gaps);
    }
    assert!(page.contains("No follow-up"), "tier none is shown as such");
    assert!(!page.contains("/tags\""), "a viewer gets no tag form");
    let (_, found) = viewer.get(&stack, "/dashboard/answers?q=CART+timed").await;
    assert!(
        found.contains(&praise.gaps) && !found.contains(&poor.gaps),
        "the search finds the words"
    );
    let (_, none) = viewer.get(&stack, "/dashboard/answers?q=100%25").await;
    assert!(!none.contains(&praise.gaps), "% is matched literally");

    let mia = HttpSession::sign_in_as(&stack, "Mia Manager", "manager", &["demo"]).await;
    let path = format!("/dashboard/answers/{}/tags", praise.id);
    let (status, _) = mia.post(&stack, &path, &[("tag", "Cart-Timeout")]).await;
    assert_eq!(status, 303);
    let (status, _) = mia.post(&stack, &path, &[("tag", "not a code")]).await;
    assert_eq!(status, 400);
    let (status, _) = viewer.post(&stack, &path, &[("tag", "x")]).await;
    assert_eq!(status, 403);
    let (_, tagged) = mia.get(&stack, "/dashboard/answers?tag=cart-timeout").await;
    assert!(tagged.contains(&praise.gaps) && !tagged.contains(&unscored.gaps));
    let (_, insights) = mia.get(&stack, "/dashboard/insights").await;
    assert!(
        insights.contains("cart-timeout"),
        "the tag counts toward return on satisfaction"
    );

    // Fifty-one more: the page holds fifty, "Older answers" the rest.
    for n in 0..51 {
        stack
            .api()
            .submit(&scored(&format!("Answer number {n}."), 4))
            .await;
    }
    let (_, first) = mia.get(&stack, "/dashboard/answers").await;
    let marker = "href=\"/dashboard/answers?cursor=";
    let start = first.find(marker).expect("an Older link") + "href=\"".len();
    let end = first[start..].find('"').unwrap() + start;
    let older = first[start..end].replace("&amp;", "&");
    let (status, second) = mia.get(&stack, &older).await;
    assert_eq!(status, 200);
    let rows = |p: &str| p.matches("data-label=\"Received\"").count();
    assert_eq!(
        (rows(&first), rows(&second)),
        (50, 4),
        "54 answers over two pages"
    );

    let b = Browser::start(&stack.dir, 1280, 900).await;
    sign_in(&b, &stack, "/dashboard/answers", "Olu Owner").await;
    assert_accessible(&b, "all answers").await;
    b.close().await;
}
