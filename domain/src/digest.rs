//! SHA-256 as lowercase hex: keys that must match without storing what they
//! identify (client IPs, contact addresses) and cache validators.

use sha2::{Digest, Sha256};
use std::fmt::Write;

/// SHA-256 over `parts` joined by newlines (no part may contain one for the
/// joining to be unambiguous; callers pass keys, kinds and normalised values).
pub fn sha256_hex(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            hasher.update(b"\n");
        }
        hasher.update(part.as_bytes());
    }
    hasher
        .finalize()
        .iter()
        .fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// A strong `ETag` for a response body.
pub fn etag(body: &str) -> String {
    format!("\"{}\"", sha256_hex(&[body]).get(..32).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digest_and_etag_shape() {
        assert_eq!(
            sha256_hex(&["abc"]),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(sha256_hex(&["a", "b"]), sha256_hex(&["a\nb"]));
        let tag = etag("{}");
        assert_eq!(tag.len(), 34);
        assert!(tag.starts_with('"') && tag.ends_with('"'));
        assert_ne!(etag("{}"), etag("{ }"));
    }
}
