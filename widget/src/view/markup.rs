//! Builds a view from a compact description of its elements, our own
//! constant, instead of one hand-written call per element and attribute:
//! the description compresses to a fraction of the code it replaces
//! (BENCHMARKS.md, "The first render under 12 KiB").
//!
//! Nothing is parsed as HTML: each element is made with `createElement` and
//! `setAttribute`, and every text, the site's copy included, goes in as a
//! text node. So the page's Trusted Types and CSP never see markup, and no
//! text can become an element.
//!
//! The description, read left to right:
//! - `<tag|name=value|flag>` opens an element under the current one; `</>`
//!   closes it. Attributes are separated by `|`, so values may hold spaces.
//! - `?x` among the attributes keeps the element (and all inside it) only
//!   when `x` is among the `shown` letters.
//! - `@x` keeps the element in [`Refs`] under the letter `x`.
//! - Text between tags is a text node. A value or text of exactly `{x}` is
//!   `text[x]`, where `a` is the first: the caller's strings, in order.

use wasm_bindgen::prelude::*;
use web_sys::{Document, Element};

/// The elements marked `@a` to `@z`, by letter.
pub struct Refs([Option<Element>; 26]);

/// `a` → 0 … `z` → 25; any other byte is no letter.
fn letter(b: u8) -> Option<usize> {
    b.is_ascii_lowercase().then(|| usize::from(b - b'a'))
}

impl Refs {
    /// The element marked `@x`, once: it is moved out.
    pub fn take(&mut self, x: u8) -> Option<Element> {
        letter(x)
            .and_then(|i| self.0.get_mut(i))
            .and_then(Option::take)
    }

    /// Like [`Refs::take`], for an element the description always draws.
    pub fn must(&mut self, x: u8) -> Result<Element, JsValue> {
        self.take(x)
            .ok_or_else(|| "markup: a marked element is missing".into())
    }
}

/// Where the first `byte` (ASCII) is in `s`: a char boundary. By hand:
/// `str::find` would bring its searcher and `memchr` to the build.
fn find(s: &str, byte: u8) -> Option<usize> {
    s.bytes().position(|b| b == byte)
}

/// `s` cut at its first `byte` (ASCII), which is dropped; all of `s`
/// before nothing if it has none.
fn cut(s: &str, byte: u8) -> (&str, &str) {
    match find(s, byte) {
        Some(i) => (
            s.get(..i).unwrap_or_default(),
            s.get(i + 1..).unwrap_or_default(),
        ),
        None => (s, ""),
    }
}

/// `{x}` is `text[x]`; anything else is itself.
fn resolve<'a>(value: &'a str, text: &[&'a str]) -> &'a str {
    match value.as_bytes() {
        [b'{', x, b'}'] => letter(*x).and_then(|i| text.get(i)).copied().unwrap_or(""),
        _ => value,
    }
}

/// Draws `markup` inside `parent`. Fails on a description that does not
/// close every element it opens, or closes more than it opened.
pub fn build(
    doc: &Document,
    parent: &Element,
    markup: &str,
    text: &[&str],
    shown: &[u8],
) -> Result<Refs, JsValue> {
    let mut refs = Refs(Default::default());
    let mut open = vec![parent.clone()];
    // How deep inside an element that is not shown: nothing is drawn there.
    let mut skipped = 0_u32;
    let mut rest = markup;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("</>") {
            rest = after;
            if skipped > 0 {
                skipped -= 1;
            } else if open.len() > 1 {
                open.pop();
            } else {
                return Err("markup: closes more than it opens".into());
            }
        } else if let Some(after) = rest.strip_prefix('<') {
            find(after, b'>').ok_or("markup: a tag is not closed")?;
            let (head, after) = cut(after, b'>');
            rest = after;
            if skipped > 0 {
                skipped += 1;
                continue;
            }
            let (tag, mut attributes) = cut(head, b'|');
            let element = doc.create_element(tag)?;
            let mut keep = true;
            let mut mark = None;
            while !attributes.is_empty() {
                let (part, more) = cut(attributes, b'|');
                attributes = more;
                match part.as_bytes() {
                    [b'?', x] => keep &= shown.contains(x),
                    [b'@', x] => mark = letter(*x),
                    _ => {
                        let (name, value) = cut(part, b'=');
                        element.set_attribute(name, resolve(value, text))?;
                    }
                }
            }
            if !keep {
                skipped = 1;
                continue;
            }
            if let Some(parent) = open.last() {
                parent.append_child(&element)?;
            }
            if let Some(slot) = mark.and_then(|i| refs.0.get_mut(i)) {
                *slot = Some(element.clone());
            }
            open.push(element);
        } else {
            let end = find(rest, b'<').unwrap_or(rest.len());
            let (words, after) = (rest.get(..end), rest.get(end..));
            let (words, after) = (words.unwrap_or_default(), after.unwrap_or_default());
            rest = after;
            if let (0, Some(parent)) = (skipped, open.last()) {
                parent.append_with_str_1(resolve(words, text))?;
            }
        }
    }
    if open.len() == 1 {
        Ok(refs)
    } else {
        Err("markup: an element is not closed".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn draw(markup: &str, text: &[&str], shown: &[u8]) -> Result<(Element, Refs), JsValue> {
        let doc = crate::dom::window().document().unwrap();
        let root = doc.create_element("div").unwrap();
        build(&doc, &root, markup, text, shown).map(|refs| (root, refs))
    }

    #[wasm_bindgen_test]
    fn draws_elements_attributes_text_and_marks() {
        let (root, mut refs) = draw(
            "<p|id=x|class=a b|hidden>{a}<b|@q|title={b}>bold</></><i></>",
            &["one", "two"],
            &[],
        )
        .unwrap();
        assert_eq!(
            root.inner_html(),
            r#"<p id="x" class="a b" hidden="">one<b title="two">bold</b></p><i></i>"#
        );
        assert_eq!(refs.must(b'q').unwrap().tag_name(), "B");
        assert!(refs.take(b'q').is_none(), "taken once");
        assert!(refs.must(b'z').is_err());
    }

    #[wasm_bindgen_test]
    fn text_is_never_markup() {
        let (root, _) = draw(
            "<p>{a}</><p|title={a}></>",
            &["<img src=x onerror=alert(1)>"],
            &[],
        )
        .unwrap();
        assert_eq!(root.query_selector_all("img").unwrap().length(), 0);
        assert_eq!(
            root.first_element_child().unwrap().text_content().unwrap(),
            "<img src=x onerror=alert(1)>"
        );
    }

    #[wasm_bindgen_test]
    fn an_element_not_shown_takes_what_is_inside_with_it() {
        let markup = "<div|?s|@s><p><b|@b></></>x</><i|@i></>";
        let (root, mut refs) = draw(markup, &[], &[]).unwrap();
        assert_eq!(root.inner_html(), "<i></i>");
        assert!(refs.take(b's').is_none() && refs.take(b'b').is_none());
        assert!(refs.take(b'i').is_some());
        let (root, _) = draw(markup, &[], b"s").unwrap();
        assert_eq!(root.inner_html(), "<div><p><b></b></p>x</div><i></i>");
    }

    #[wasm_bindgen_test]
    fn an_unbalanced_description_is_an_error() {
        for bad in ["<p>", "<p></></>", "</>", "<p|id=x"] {
            assert!(draw(bad, &[], &[]).is_err(), "{bad}");
        }
    }
}
