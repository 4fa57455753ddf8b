//! Reading a received payload as a person reads it.

/// The words of a payload with every id, timestamp and signed token taken
/// out: runs of nine or more letters, digits, `-` or `_` are dropped, the
/// rest split at anything else. A random case id such as `…a794668a…`
/// holds "7946" by chance; a phone number typed in groups of four never
/// survives as such a run, so a test can ask whether a group was sent.
pub fn words_of(body: &str) -> Vec<&str> {
    body.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .filter(|word| !word.is_empty() && word.len() < 9)
        .collect()
}

#[test]
fn ids_and_timestamps_go_and_typed_groups_stay() {
    let payload = r#"{"id":"msg_91db3beb7a8a4541a794668a59746bf1","at":1796690058110,"text":"Call +44 20 7946 0000 or ana@example.com"}"#;
    assert_eq!(
        words_of(payload),
        ["id", "at", "text", "Call", "44", "20", "7946", "0000", "or", "ana", "example", "com"]
    );
}
