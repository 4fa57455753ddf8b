//! The Settings page as reviewed (a snapshot), what a failed save shows,
//! labels tied to their controls, and no text in any field becoming markup.

use super::controls::field_id;
use super::*;
use crate::Section;
use domain::settings_form::{bait_in, parse_general};
use domain::Timestamp;
use proptest::prelude::*;
use std::collections::BTreeMap;
use url::form_urlencoded;

fn chrome() -> Chrome {
    Chrome {
        manager: "Ana".into(),
        owner: true,
        works: true,
        csrf: "csrf-token".into(),
        section: Section::Settings,
    }
}

fn recipients() -> Vec<RecipientLine> {
    vec![
        RecipientLine {
            id: "demo-service_manager-0".into(),
            role: "service_manager".into(),
            format: "slack".into(),
            url: "https://hooks.slack.com/services/T000/B000/XXXXSECRET".into(),
        },
        RecipientLine {
            id: "demo-president-1".into(),
            role: "president".into(),
            format: "webhook".into(),
            url: "https://alerts.example.com/candor?token=SECRET".into(),
        },
    ]
}

fn dead() -> Vec<DeadLetter> {
    vec![DeadLetter {
        alert_id: "msg_0f8fad5bd9cb469fa16570867728950e_senior_opened".into(),
        recipient_id: "demo-president-1".into(),
        case_id: "0f8fad5b-d9cb-469f-a165-70867728950e".into(),
        why: "410 Gone: the webhook was deleted".into(),
        last_status: Some(410),
        at: Timestamp::from_millis(1_795_000_000_000),
    }]
}

/// One tag per line, so a snapshot reads like a page.
fn pretty(html: &str) -> String {
    html.replace("><", ">\n<")
}

fn posted_with_bait() -> GeneralForm {
    let body = "origins=https%3A%2F%2Fshop.example.com%0D%0Aftp%3A%2F%2Fnope&score=on\
                &cooldown_days=30&sla_service=240&sla_account=60&sla_senior=30&sla_president=15\
                &copy.en.question=Where+did+we+fall+short%3F\
                &copy.de.title=Geben+Sie+uns+5+stars\
                &copy.ar.question=%D8%A3%D9%8A%D9%86+%D9%82%D8%B5%D9%91%D8%B1%D9%86%D8%A7%D8%9F";
    parse_general(body)
}

#[test]
fn a_failed_save_shows_what_was_typed_and_why() {
    let form = posted_with_bait();
    let errors = form.check();
    let chrome = chrome();
    let sites = vec!["demo".to_owned(), "shop".to_owned()];
    let (recipients, dead) = (recipients(), dead());
    let page = render(&SettingsView {
        chrome: &chrome,
        site: "demo",
        sites: &sites,
        base_url: "https://feedback.example.com/",
        form: &form,
        errors: &errors,
        recipients: &recipients,
        dead_letters: &dead,
        notice: None,
        deadlines: &domain::deadlines::rows(
            &domain::deadlines::DeadlinePolicy::default(),
            &domain::sla::SlaPolicy::default(),
        ),
    });
    insta::assert_snapshot!("settings_wording_error", pretty(&page));
    // The wording error sits on the field, named in the summary too.
    assert!(page.contains(
        "id=\"f-copy-de-title\" name=\"copy.de.title\" value=\"Geben Sie uns 5 stars\" lang=\"de\" dir=\"ltr\" \
         aria-describedby=\"note-f-copy-de f-copy-de-title-error-0\" aria-invalid=\"true\""
    ), "{page}");
    assert!(page.contains("<p class=\"field-error\" id=\"f-copy-de-title-error-0\">“5 stars” nudges customers toward a high score."));
    assert!(page.contains("<a href=\"#f-copy-de-title\">German: Title</a>"));
    assert!(page.contains("<a href=\"#f-origins\">Allowed origins</a>"));
    assert!(page.contains("lang=\"ar\" dir=\"rtl\""));
    assert!(page.contains("https://shop.example.com\r\nftp://nope</textarea>"));
    // Secrets and webhook paths never reach the page.
    assert!(!page.contains("SECRET") && !page.contains("B000"));
    assert!(page.contains("https://hooks.slack.com/…"));
    // Forms: every post carries the CSRF token; the picker is a GET.
    assert_eq!(
        page.matches("method=\"post\"").count(),
        page.matches("name=\"csrf\"").count()
    );
    assert!(page.contains("action=\"/dashboard/settings/demo/recipients/demo-president-1/delete\""));
    assert!(page.contains("href=\"/v1/admin/export?site=demo&amp;format=ndjson\""));
    assert!(page.contains("&lt;script src=&quot;https://feedback.example.com/widget.js&quot; data-site=&quot;demo&quot; async&gt;&lt;/script&gt;"));
    assert!(page.contains("President · Signed webhook"));
    assert!(
        labels_match_ids(&page),
        "every control has a label and ids are unique"
    );
}

/// Every `label for` names an id present once, every form control
/// (other than hidden inputs and buttons) has a `label for` naming it,
/// and no id repeats.
fn labels_match_ids(page: &str) -> bool {
    let attr_values = |attr: &str| -> Vec<String> {
        page.match_indices(attr)
            .filter_map(|(i, _)| {
                let rest = page.get(i + attr.len()..)?;
                Some(rest.split('"').next()?.to_owned())
            })
            .collect()
    };
    let ids = attr_values(" id=\"");
    let fors = attr_values(" for=\"");
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    let controls: Vec<String> = ["<input ", "<select ", "<textarea "]
        .iter()
        .flat_map(|tag| page.match_indices(tag).map(|(i, _)| i))
        .filter_map(|i| {
            let tag = page.get(i..)?.split('>').next()?;
            if tag.contains("type=\"hidden\"") {
                return None;
            }
            Some(tag.split(" id=\"").nth(1)?.split('"').next()?.to_owned())
        })
        .collect();
    unique.len() == ids.len()
        && fors.iter().all(|f| ids.contains(f))
        && controls.iter().all(|c| fors.contains(c))
        && controls.len()
            == page.matches("<input ").count()
                + page.matches("<select ").count()
                + page.matches("<textarea ").count()
                - page.matches("type=\"hidden\"").count()
}

#[test]
fn stored_settings_render_without_errors_and_with_notices() {
    let mut copy = BTreeMap::new();
    copy.insert(
        "fr-ca".to_owned(),
        BTreeMap::from([("title".to_owned(), "Votre avis".to_owned())]),
    );
    let form = GeneralForm {
        copy,
        ..GeneralForm::default()
    };
    let chrome = chrome();
    let ok = Notice {
        ok: true,
        text: "Settings saved.".into(),
    };
    let page = render(&SettingsView {
        chrome: &chrome,
        site: "new-site",
        sites: &[],
        base_url: "https://feedback.example.com",
        form: &form,
        errors: &[],
        recipients: &[],
        dead_letters: &[],
        notice: Some(&ok),
        deadlines: &[],
    });
    assert!(page.contains("<div class=\"notice ok\" role=\"status\"><p>Settings saved.</p></div>"));
    assert!(!page.contains("aria-invalid") && !page.contains("Nothing was saved"));
    assert!(page.contains("<option value=\"new-site\" selected>new-site</option>"));
    assert!(page.contains("<legend>fr-ca (fr-ca)</legend>"));
    assert!(page.contains("No undelivered alerts."));
    assert!(page.contains("No recipients yet"));
    assert!(page.contains("name=\"sla_senior\" value=\"30\""));
    assert!(page.contains("name=\"score\" value=\"on\" checked"));
    assert!(!page.contains("name=\"guarantee\" value=\"on\" checked"));
    assert!(labels_match_ids(&page));
    let headings: Vec<usize> = ["<h1", "<h2", "<h3"]
        .iter()
        .map(|h| page.find(h).unwrap())
        .collect();
    assert!(headings[0] < headings[1] && headings[1] < headings[2]);
}

#[test]
fn the_wording_check_shows_even_on_stored_copy() {
    let mut form = GeneralForm::default();
    form.copy.insert(
        "de".into(),
        BTreeMap::from([("thanks".to_owned(), "Bitte fünf Sterne!".to_owned())]),
    );
    let chrome = chrome();
    let page = render(&SettingsView {
        chrome: &chrome,
        site: "demo",
        sites: &[],
        base_url: "",
        form: &form,
        errors: &[],
        recipients: &[],
        dead_letters: &[],
        notice: None,
        deadlines: &[],
    });
    assert!(page.contains("aria-invalid=\"true\""));
    assert!(page.contains("“fünf sterne” nudges customers toward a high score"));
    assert!(
        !page.contains("Nothing was saved"),
        "no summary without a save"
    );
}

#[test]
fn segments_and_field_ids_are_plain() {
    assert_eq!(segment("a/b?c#d é"), "a%2Fb%3Fc%23d%20%C3%A9");
    assert_eq!(field_id("copy.pt-br.title"), "f-copy-pt-br-title");
}

const ALLOWED_TAGS: &[&str] = &[
    "html", "head", "meta", "title", "link", "script", "body", "a", "header", "nav", "form",
    "span", "button", "main", "input", "h1", "h2", "h3", "div", "label", "select", "option", "p",
    "strong", "ul", "li", "section", "textarea", "fieldset", "legend", "table", "thead", "tbody",
    "tr", "th", "td", "code", "dl", "dt", "dd", "pre", "time", "br",
];

/// Every `<` opens a known tag, a closing tag or the doctype, and every
/// `&` starts an entity: nothing from the data became markup.
fn only_our_markup(page: &str) -> Result<(), String> {
    for (i, _) in page.match_indices('<') {
        let rest = page.get(i + 1..).unwrap_or_default();
        let rest = rest.strip_prefix('/').unwrap_or(rest);
        if rest.starts_with("!DOCTYPE html>") {
            continue;
        }
        let name: String = rest
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        let after = rest.chars().nth(name.len());
        let known = ALLOWED_TAGS.contains(&name.as_str());
        if !known || !matches!(after, Some(' ' | '>')) {
            return Err(format!(
                "stray markup at {i}: {}",
                rest.chars().take(40).collect::<String>()
            ));
        }
    }
    for (i, _) in page.match_indices('&') {
        let rest = page.get(i + 1..).unwrap_or_default();
        if !["amp;", "lt;", "gt;", "quot;", "#"]
            .iter()
            .any(|e| rest.starts_with(e))
        {
            return Err(format!("bare & at {i}"));
        }
    }
    if page.matches("<script").count() != 1 {
        return Err("a second script".into());
    }
    Ok(())
}

fn hostile() -> impl Strategy<Value = String> {
    let marker = prop::sample::select(vec![
        "<script>alert(1)</script>",
        "\"><img src=x onerror=alert(1)>",
        "' onfocus='alert(1)",
        "</textarea><script>x</script>",
        "&lt;b&gt; &amp; &#60;",
        "5 stars",
        "ممتاز",
    ]);
    ("\\PC{0,20}", marker, "\\PC{0,20}").prop_map(|(a, m, b)| format!("{a}{m}{b}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn no_text_in_any_field_becomes_markup(
        values in prop::collection::vec(hostile(), 12),
        status in any::<Option<u16>>(),
        ok in any::<bool>(),
    ) {
        let v = |i: usize| values.get(i).cloned().unwrap_or_default();
        let names = [
            "origins", "cooldown_days", "sla_service", "sla_president",
            "copy.en.title", "copy.de.question", "copy.ar.thanks", "copy.en.hint",
        ];
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(names.iter().enumerate().map(|(i, n)| (*n, v(i))))
            .append_pair(&v(8), &v(9))
            .finish();
        let form = parse_general(&body);
        let errors = form.check();
        let chrome = Chrome { manager: v(10), owner: true, works: true, csrf: v(11), section: Section::Settings };
        let recipients = vec![RecipientLine { id: v(0), role: v(1), format: v(2), url: v(3) }];
        let dead = vec![DeadLetter {
            alert_id: v(4), recipient_id: v(0), case_id: v(5), why: v(6),
            last_status: status, at: Timestamp::from_millis(0),
        }];
        let sites = vec![v(7), "demo".to_owned()];
        let notice = Notice { ok, text: v(8) };
        let page = render(&SettingsView {
            chrome: &chrome, site: &v(9), sites: &sites, base_url: &v(10), form: &form,
            errors: &errors, recipients: &recipients, dead_letters: &dead, notice: Some(&notice),
            deadlines: &[],
        });
        prop_assert!(only_our_markup(&page).is_ok(), "{:?}", only_our_markup(&page));
        prop_assert_eq!(page.matches("<textarea").count(), page.matches("</textarea>").count());
        for (i, name) in names.iter().enumerate().skip(4) {
            if bait_in(&v(i)).is_some() {
                let id = field_id(name);
                let invalid = format!("{id}-error-0\" aria-invalid=\"true\"");
                prop_assert!(page.contains(&invalid), "{} not marked", name);
            }
        }
    }
}
