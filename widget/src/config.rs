//! The loader's settings: the script tag's `data-*` attributes, the page's
//! `lang` and the origin the script came from. Parsed once; an invalid
//! attribute is dropped and named in a single console warning, so a typo on
//! the host page never breaks it.

use crate::locale::Lang;

/// Where the widget draws itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// A button in a bottom corner that opens a dialog (the default).
    Launcher,
    /// The form itself, inside the element the CSS selector names.
    Inline(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub site: String,
    /// Origin of the Worker (where `widget.js` was loaded from).
    pub api: String,
    pub transaction: Option<String>,
    pub lang: Lang,
    pub mode: Mode,
    /// Launcher on the left: `data-side="left"`, or by default in RTL.
    pub left: bool,
    /// What the page passed to `Candor.identify()`, typed into the contact
    /// fields for the customer to see, change or leave (never sent unless
    /// the fields show and the customer presses Send). Full build only:
    /// the launcher has no fields to fill.
    #[cfg(feature = "form")]
    pub prefill: Prefill,
    /// The loader's Turnstile adapter (`settings.challenge`), for a site
    /// that turns Turnstile on.
    #[cfg(feature = "form")]
    pub challenge: Option<js_sys::Function>,
}

/// A name and an email to show in the contact fields.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Prefill {
    pub name: String,
    pub email: String,
}

#[cfg(feature = "form")]
impl Prefill {
    /// Each value kept only within its field's own limit; the server checks
    /// the rest.
    fn new(name: &str, email: &str) -> Self {
        let kept = |s: &str, max: usize| {
            if fits(s, max) {
                s.trim().to_owned()
            } else {
                String::new()
            }
        };
        Self {
            name: kept(name, 200),
            email: kept(email, 254),
        }
    }
}

/// The raw strings the loader hands over (empty when absent).
#[derive(Debug, Default, Clone, Copy)]
pub struct Raw<'a> {
    pub site: &'a str,
    pub api: &'a str,
    pub transaction: &'a str,
    pub locale: &'a str,
    pub mode: &'a str,
    pub target: &'a str,
    pub side: &'a str,
    pub lang: &'a str,
    /// From `Candor.identify()`.
    pub name: &'a str,
    pub email: &'a str,
}

/// At most `max` characters, none of them a control character. `nth`
/// rather than `count`: one char walker in the launcher build.
fn fits(s: &str, max: usize) -> bool {
    s.chars().nth(max).is_none() && !s.chars().any(char::is_control)
}

/// A language tag as the server accepts it (`en`, `de-AT`, `ar`).
fn is_tag(s: &str) -> bool {
    (2..=35).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Same rule as the server's `SiteKey`.
fn is_site(s: &str) -> bool {
    (1..=63).contains(&s.len())
        && !s.starts_with('-')
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn without_trailing_slashes(mut s: &str) -> &str {
    while let Some(rest) = s.strip_suffix('/') {
        s = rest;
    }
    s
}

impl Config {
    /// What one answer rests the widget for (rule 6): the transaction on
    /// the site when the page names one, so answering for `order-1` leaves
    /// `order-2` to ask; otherwise the site. `#` cannot be in a site key, so
    /// the two kinds never meet.
    pub fn cooldown_key(&self) -> String {
        let mut key = self.site.clone();
        if let Some(t) = &self.transaction {
            key.push('#');
            key.push_str(t);
        }
        key
    }

    /// The settings, and the attributes that were ignored. `None` when the
    /// widget cannot run at all (no usable `data-site` or script origin).
    pub fn parse(raw: &Raw) -> Option<(Self, Vec<&'static str>)> {
        if !is_site(raw.site) || !raw.api.starts_with("http") {
            return None;
        }
        let mut ignored = Vec::new();
        let transaction = match raw.transaction {
            "" => None,
            t if fits(t, 200) => Some(t.to_owned()),
            _ => {
                ignored.push("data-transaction");
                None
            }
        };
        let locale = if raw.locale.is_empty() || is_tag(raw.locale) {
            raw.locale
        } else {
            ignored.push("data-locale");
            ""
        };
        let lang = Lang::pick(&[locale, raw.lang]);
        let mode = match (raw.mode, raw.target) {
            ("" | "inline", t) if !t.is_empty() => Mode::Inline(t.to_owned()),
            ("inline", _) => {
                ignored.push("data-mode (inline needs data-target)");
                Mode::Launcher
            }
            ("" | "launcher", _) => Mode::Launcher,
            _ => {
                ignored.push("data-mode");
                Mode::Launcher
            }
        };
        let left = match raw.side {
            "left" => true,
            "right" => false,
            other => {
                if !other.is_empty() {
                    ignored.push("data-side");
                }
                lang.rtl()
            }
        };
        let config = Self {
            site: raw.site.to_owned(),
            api: without_trailing_slashes(raw.api).to_owned(),
            transaction,
            lang,
            mode,
            left,
            #[cfg(feature = "form")]
            prefill: Prefill::new(raw.name, raw.email),
            #[cfg(feature = "form")]
            challenge: None,
        };
        Some((config, ignored))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    const API: &str = "https://feedback.example.com";

    fn raw() -> Raw<'static> {
        Raw {
            site: "demo",
            api: API,
            ..Raw::default()
        }
    }

    #[wasm_bindgen_test]
    fn defaults_to_an_english_launcher_on_the_right() {
        let (c, ignored) = Config::parse(&raw()).unwrap();
        assert_eq!(c.mode, Mode::Launcher);
        assert_eq!(c.lang, Lang::En);
        assert!(!c.left);
        assert!(ignored.is_empty());
        assert_eq!(c.transaction, None);
    }

    #[wasm_bindgen_test]
    fn a_transaction_has_its_own_cooldown() {
        let (site, _) = Config::parse(&raw()).unwrap();
        let (one, _) = Config::parse(&Raw {
            transaction: "order-1",
            ..raw()
        })
        .unwrap();
        let (two, _) = Config::parse(&Raw {
            transaction: "order-2",
            ..raw()
        })
        .unwrap();
        assert_eq!(site.cooldown_key(), "demo");
        assert_eq!(one.cooldown_key(), "demo#order-1");
        assert_ne!(one.cooldown_key(), two.cooldown_key());
    }

    #[wasm_bindgen_test]
    fn identify_fills_in_what_fits_the_fields() {
        let (c, ignored) = Config::parse(&Raw {
            name: " Ana ",
            email: "ana@example.com",
            ..raw()
        })
        .unwrap();
        assert_eq!(c.prefill.name, "Ana");
        assert_eq!(c.prefill.email, "ana@example.com");
        assert!(ignored.is_empty());
        let long = "x".repeat(255);
        let (c, _) = Config::parse(&Raw {
            name: "a\nb",
            email: &long,
            ..raw()
        })
        .unwrap();
        assert_eq!(c.prefill, Prefill::default());
    }

    #[wasm_bindgen_test]
    fn the_api_loses_trailing_slashes_and_a_transaction_may_have_200_chars() {
        let (c, _) = Config::parse(&Raw {
            api: "https://f.example//",
            ..raw()
        })
        .unwrap();
        assert_eq!(c.api, "https://f.example");
        for (n, kept) in [(200, true), (201, false)] {
            let t = "é".repeat(n);
            let (c, ignored) = Config::parse(&Raw {
                transaction: &t,
                ..raw()
            })
            .unwrap();
            assert_eq!(c.transaction.is_some(), kept, "{n}");
            assert_eq!(ignored.is_empty(), kept, "{n}");
        }
    }

    #[wasm_bindgen_test]
    fn without_a_usable_site_or_origin_nothing_mounts() {
        for site in ["", "Demo", "-x", "a b", &"x".repeat(64)] {
            assert!(Config::parse(&Raw { site, ..raw() }).is_none(), "{site}");
        }
        assert!(Config::parse(&Raw { api: "", ..raw() }).is_none());
    }

    #[wasm_bindgen_test]
    fn invalid_attributes_are_named_and_ignored() {
        let long = "x".repeat(201);
        let (c, ignored) = Config::parse(&Raw {
            transaction: &long,
            locale: "<script>",
            mode: "popup",
            side: "middle",
            ..raw()
        })
        .unwrap();
        assert_eq!(
            ignored,
            ["data-transaction", "data-locale", "data-mode", "data-side"]
        );
        assert_eq!(c.transaction, None);
        assert_eq!(c.mode, Mode::Launcher);
        let (_, ignored) = Config::parse(&Raw {
            transaction: "order\u{7}1",
            mode: "inline",
            ..raw()
        })
        .unwrap();
        assert_eq!(
            ignored,
            ["data-transaction", "data-mode (inline needs data-target)"]
        );
    }

    #[wasm_bindgen_test]
    fn a_target_means_inline_and_rtl_puts_the_launcher_left() {
        let (c, _) = Config::parse(&Raw {
            target: "#feedback",
            transaction: "order-123",
            ..raw()
        })
        .unwrap();
        assert_eq!(c.mode, Mode::Inline("#feedback".into()));
        assert_eq!(c.transaction.as_deref(), Some("order-123"));
        let (c, _) = Config::parse(&Raw {
            lang: "ar-EG",
            ..raw()
        })
        .unwrap();
        assert_eq!(c.lang, Lang::Ar);
        assert!(c.left);
        let (c, _) = Config::parse(&Raw {
            lang: "ar",
            side: "right",
            ..raw()
        })
        .unwrap();
        assert!(!c.left);
    }

    #[wasm_bindgen_test]
    fn data_locale_wins_over_the_page_then_english() {
        let pick = |locale, lang| {
            Config::parse(&Raw {
                locale,
                lang,
                ..raw()
            })
            .unwrap()
            .0
            .lang
        };
        assert_eq!(pick("de", "ar"), Lang::De);
        assert_eq!(pick("fr", "de-AT"), Lang::De);
        assert_eq!(pick("", "ar"), Lang::Ar);
        assert_eq!(pick("fr", "it"), Lang::En);
    }
}
