//! What every end-to-end test starts and shares: the real Worker with a
//! fresh local D1 and a receiver as the demo site's chat inbox ([`Stack`]),
//! its HTTP API as a customer's widget and a manager call it ([`api`]), real
//! headless Chromium through ChromeDriver ([`Browser`]) and the dashboard's
//! steps ([`dashboard`]). Everything stops on drop.

pub mod api;
mod browser;
pub mod dashboard;
mod stack;
mod text;
pub mod turnstile;

pub use api::{answer, answer_on, assert_error, call, contact, scored, Api};
pub use browser::Browser;
pub use stack::Stack;
pub use text::words_of;

use std::time::{Duration, Instant};

pub const INBOX_SECRET: &str = "whsec_dGVzdC1pbmJveC1zZWNyZXQtZm9yLWNhbmRvci1lMmU=";
pub const ADMIN_TOKEN: &str = "e2e-admin-token";
/// Signs the acknowledge links in the tests' alerts.
pub const ACK_SECRET: &str = "e2e-ack-secret-at-least-32-characters";

/// An acknowledge link's token for `case` of `site`, signed now with
/// [`ACK_SECRET`], as the Worker signs the links in its alerts.
pub fn ack_token(site: &str, case: &str) -> String {
    let site = domain::fields::SiteKey::try_from(site).unwrap();
    domain::ack::AckKey::try_from(ACK_SECRET).unwrap().sign(
        &site,
        case,
        domain::Timestamp::from_millis(now_s() * 1000),
    )
}

/// A token as acknowledge links were before sites had homes (no site in
/// the payload), signed at `at_s` and made here from the contract
/// (docs/wire-contract.md#acknowledge-links), not by the Worker's code:
/// links already sitting in chat rooms must keep working.
pub fn ack_token_before_homes(case: &str, at_s: i64) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
    use base64::Engine as _;
    use hmac::{Hmac, Mac};
    let payload = format!("{case}.acknowledged.{}", at_s + 24 * 3600);
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(ACK_SECRET.as_bytes()).unwrap();
    mac.update(format!("candor-ack-v1.{payload}").as_bytes());
    let tag = mac.finalize().into_bytes();
    format!("{}.{}", B64.encode(payload), B64.encode(tag))
}

/// Polls `check` every 50 ms until it holds or `limit` passes; says `what`
/// on failure. For UI state that settles after an animation or a request.
pub async fn wait_until<F, Fut>(what: &str, limit: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while !check().await {
        assert!(
            start.elapsed() < limit,
            "timed out after {limit:?} waiting until {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Every role, each to the inbox's `/inbox`.
pub const ALL_ROLES_TO_INBOX: [(&str, &str); 4] = [
    ("service_manager", "/inbox"),
    ("client_manager", "/inbox"),
    ("senior_management", "/inbox"),
    ("president", "/inbox"),
];

/// `msg_<case>_<level>_<reason>`: an alert's idempotency id, as the Worker
/// builds it.
pub fn alert_id(case: &str, level: &str, reason: &str) -> String {
    format!("msg_{}_{level}_{reason}", case.replace('-', ""))
}

pub fn now_s() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}
