//! Standard Webhooks signing (<https://www.standardwebhooks.com/>): the
//! generic alert format, and the check any receiver (ours in tests) runs.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::DomainError;

type HmacSha256 = Hmac<Sha256>;

/// A signing secret in the `whsec_<base64 key>` form.
#[derive(Clone)]
pub struct WebhookSecret(Vec<u8>);

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Secrets never reach logs.
        f.write_str("WebhookSecret(..)")
    }
}

impl TryFrom<&str> for WebhookSecret {
    type Error = DomainError;
    fn try_from(raw: &str) -> Result<Self, Self::Error> {
        let err =
            || DomainError::invalid("secret", "must be whsec_ followed by base64 of 24-64 bytes");
        let b64 = raw.strip_prefix("whsec_").ok_or_else(err)?;
        let key = B64.decode(b64).map_err(|_| err())?;
        if (24..=64).contains(&key.len()) {
            Ok(Self(key))
        } else {
            Err(err())
        }
    }
}

impl WebhookSecret {
    /// Builds a secret from random bytes the caller drew (no randomness here).
    pub fn from_key(key: [u8; 32]) -> Self {
        Self(key.to_vec())
    }

    pub fn to_whsec(&self) -> String {
        format!("whsec_{}", B64.encode(&self.0))
    }

    fn mac(&self, id: &str, timestamp_s: i64, body: &[u8]) -> HmacSha256 {
        // HMAC accepts keys of any length, so this cannot fail.
        let mut mac =
            <HmacSha256 as Mac>::new_from_slice(&self.0).unwrap_or_else(|_| unreachable!());
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp_s.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac
    }

    /// The `webhook-signature` header value: `v1,<base64 HMAC-SHA256>`.
    pub fn sign(&self, id: &str, timestamp_s: i64, body: &[u8]) -> String {
        let tag = self.mac(id, timestamp_s, body).finalize().into_bytes();
        format!("v1,{}", B64.encode(tag))
    }

    /// Checks a `webhook-signature` header (space-separated `v1,<sig>` list)
    /// in constant time, and that the timestamp is within `tolerance_s` of
    /// `now_s` so a captured request cannot be replayed later.
    pub fn verify(
        &self,
        id: &str,
        timestamp_s: i64,
        body: &[u8],
        header: &str,
        now_s: i64,
        tolerance_s: i64,
    ) -> bool {
        if (now_s - timestamp_s).abs() > tolerance_s {
            return false;
        }
        header
            .split(' ')
            .filter_map(|s| s.strip_prefix("v1,"))
            .any(|sig| {
                B64.decode(sig)
                    .is_ok_and(|tag| self.mac(id, timestamp_s, body).verify_slice(&tag).is_ok())
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // The worked example published with the Standard Webhooks specification.
    const SPEC_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const SPEC_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const SPEC_TS: i64 = 1_614_265_330;
    const SPEC_BODY: &[u8] = br#"{"test": 2432232314}"#;
    const SPEC_SIG: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    #[test]
    fn matches_the_specification_example() {
        let secret = WebhookSecret::try_from(SPEC_SECRET).unwrap();
        assert_eq!(secret.sign(SPEC_ID, SPEC_TS, SPEC_BODY), SPEC_SIG);
        assert!(secret.verify(SPEC_ID, SPEC_TS, SPEC_BODY, SPEC_SIG, SPEC_TS + 10, 300));
    }

    #[test]
    fn refuses_tampering_and_stale_timestamps() {
        let secret = WebhookSecret::try_from(SPEC_SECRET).unwrap();
        assert!(!secret.verify(SPEC_ID, SPEC_TS, b"{}", SPEC_SIG, SPEC_TS, 300));
        assert!(!secret.verify("msg_other", SPEC_TS, SPEC_BODY, SPEC_SIG, SPEC_TS, 300));
        assert!(!secret.verify(SPEC_ID, SPEC_TS, SPEC_BODY, SPEC_SIG, SPEC_TS + 301, 300));
        assert!(!secret.verify(SPEC_ID, SPEC_TS, SPEC_BODY, "v1,AAAA", SPEC_TS, 300));
        // Several signatures (key rotation): any valid one passes.
        let both = format!("v1,AAAA {SPEC_SIG}");
        assert!(secret.verify(SPEC_ID, SPEC_TS, SPEC_BODY, &both, SPEC_TS, 300));
    }

    #[test]
    fn secrets_parse_strictly_and_hide_in_debug() {
        assert!(WebhookSecret::try_from("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").is_err());
        assert!(WebhookSecret::try_from("whsec_!!!").is_err());
        assert!(WebhookSecret::try_from("whsec_AAAA").is_err());
        let s = WebhookSecret::from_key([7; 32]);
        assert_eq!(format!("{s:?}"), "WebhookSecret(..)");
        assert!(WebhookSecret::try_from(s.to_whsec().as_str()).is_ok());
    }

    proptest! {
        #[test]
        fn sign_then_verify(key in any::<[u8; 32]>(), id in "[a-z_0-9]{1,40}", ts in 0i64..4_000_000_000, body in any::<Vec<u8>>()) {
            let s = WebhookSecret::from_key(key);
            let sig = s.sign(&id, ts, &body);
            prop_assert!(s.verify(&id, ts, &body, &sig, ts, 300));
        }
    }
}
