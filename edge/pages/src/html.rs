//! Small server-rendered pages (the acknowledge link's pages): escaping for
//! HTML text and attributes, and one page shell whose only style is allowed
//! by hash in its Content-Security-Policy (no inline script, no
//! `unsafe-inline`).

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use sha2::{Digest, Sha256};

/// Escapes text for an HTML text node or a double- or single-quoted attribute.
pub fn escape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        escape_char(c, &mut out);
    }
    out
}

/// One character of [`escape`].
fn escape_char(c: char, out: &mut String) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' => out.push_str("&quot;"),
        '\'' => out.push_str("&#39;"),
        c => out.push(c),
    }
}

const STYLE: &str = "body{font:16px/1.5 system-ui,sans-serif;max-width:34em;margin:40px auto;padding:0 16px;color:#1b1b1f;background:#fff}\
h1{font-size:22px;overflow-wrap:anywhere}dl{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:4px 16px}dt{color:#555}dd{margin:0;overflow-wrap:anywhere}\
label{display:block;margin:16px 0 4px;font-weight:600}input{font:inherit;padding:8px;width:100%;box-sizing:border-box;border:1px solid #767676;border-radius:4px}\
button{font:inherit;margin-top:16px;padding:10px 20px;border:0;border-radius:4px;background:#1d4ed8;color:#fff;cursor:pointer}\
button:focus-visible,input:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}.muted{color:#555}\
@media (prefers-color-scheme:dark){body{color:#eee;background:#18181b}dt,.muted{color:#bbb}input{background:#27272a;color:#eee}}";

/// A whole page: `title` is text (escaped here), `body` is markup the caller
/// built from escaped parts.
pub struct Page {
    pub title: String,
    pub body: String,
}

impl Page {
    pub fn html(&self) -> String {
        format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
             <meta name=\"robots\" content=\"noindex\"><title>{} · Candor</title>\
             <style>{STYLE}</style></head><body><main>{}</main></body></html>",
            escape(&self.title),
            self.body
        )
    }

    /// The page's Content-Security-Policy: nothing but its own style and a
    /// form that posts back to the same origin.
    pub fn csp() -> String {
        let hash = B64.encode(Sha256::digest(STYLE.as_bytes()));
        format!(
            "default-src 'none'; style-src 'sha256-{hash}'; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"<a href="x" onclick='y'>&</a>"#),
            "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
        );
    }

    #[test]
    fn the_policy_allows_exactly_the_page_style() {
        let csp = Page::csp();
        assert!(csp.starts_with("default-src 'none'; style-src 'sha256-"));
        assert!(!csp.contains("unsafe"));
        let page = Page {
            title: "<Ack>".into(),
            body: String::new(),
        }
        .html();
        assert!(page.contains("<title>&lt;Ack&gt; · Candor</title>"));
    }

    proptest! {
        #[test]
        fn escaped_text_has_no_markup_and_unescapes_to_itself(raw in ".*") {
            let out = escape(&raw);
            prop_assert!(!out.contains(['<', '>', '"', '\'']));
            let back = out
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&amp;", "&");
            prop_assert_eq!(back, raw);
        }
    }
}
