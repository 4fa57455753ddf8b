//! Host names are read in their ASCII form only: `xn--bcher-kva.de`, not
//! `bücher.de`.
//!
//! The URL parser's IDNA back end is switched off: `Cargo.lock` pins
//! `idna_adapter` to its 1.0 stub, which refuses a non-ASCII host instead of
//! mapping it with ICU4X's Unicode tables. Those tables were 46 KB of the
//! gzip module that takes every answer, and nothing a browser sends needs
//! them: a page's `location.href` and its `Origin` header always carry the
//! ASCII form, and a site's allowed origins were ASCII-only already
//! ([`crate::origin`]). Only a person typing a Unicode host into the
//! settings (a webhook, an Access team domain) meets the refusal, and the
//! reason tells them what to write (ARCHITECTURE.md, "Cross-cutting
//! concerns").

/// Why `raw` did not parse as a URL: `otherwise`, unless its host holds
/// non-ASCII characters, which the reason then names.
pub(crate) fn why_unparsed(raw: &str, otherwise: &'static str) -> &'static str {
    let after_scheme = raw.split_once("://").map_or(raw, |(_, rest)| rest);
    let authority = after_scheme
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default();
    if authority.is_ascii() {
        otherwise
    } else {
        "has a host name that is not ASCII: write an international name in its xn-- form"
    }
}

#[cfg(test)]
mod tests {
    use super::why_unparsed;

    /// Pins the choice in `Cargo.lock`: should `idna_adapter` move back to a
    /// Unicode back end, this fails, and the module's size with it
    /// (BENCHMARKS.md, "Worker module size").
    #[test]
    fn a_unicode_host_is_refused_and_its_ascii_form_taken() {
        assert!(url::Url::parse("https://bücher.de/").is_err());
        let url = url::Url::parse("https://XN--BCHER-KVA.de/ü").unwrap();
        assert_eq!(url.as_str(), "https://xn--bcher-kva.de/%C3%BC");
        let url = url::Url::parse("https://Shop.Example.COM./").unwrap();
        assert_eq!(url.host_str(), Some("shop.example.com."));
    }

    #[test]
    fn the_reason_names_a_unicode_host_and_nothing_else() {
        let other = "is not a URL";
        assert_ne!(why_unparsed("https://bücher.de/x", other), other);
        assert_ne!(why_unparsed("bücher.de", other), other);
        assert_eq!(why_unparsed("https://example.com/ü", other), other);
        assert_eq!(why_unparsed("https://exa mple.com/", other), other);
        assert_eq!(why_unparsed("", other), other);
    }
}
