//! The People page, for owners: everyone with an account (role and sites,
//! changed or removed per row), the invitation form, and the API keys that
//! replace the shared token for integrations — a new key shown once.
//! `domain::people` and `domain::api_keys` read the forms.

use crate::format::when;
use crate::layout::csrf_field;
use crate::Chrome;
use domain::api_keys::KeyLine;
use domain::people::{Person, Role, Sites};
use domain::settings_form::Notice;
use maud::{html, Markup};

/// Everything the page shows.
#[derive(Debug, Clone, Copy)]
pub struct PeopleView<'a> {
    pub chrome: &'a Chrome,
    pub people: &'a [Person],
    pub keys: &'a [KeyLine],
    /// Every site, to say what "sites" may name.
    pub sites: &'a [String],
    pub notice: Option<&'a Notice>,
    /// A key just made: shown this once, never again.
    pub new_key: Option<&'a str>,
}

fn sites_text(p: &Person) -> String {
    match (&p.role, &p.sites) {
        (Role::Owner, _) | (_, Sites::All) => "every site".to_owned(),
        (_, Sites::Only(keys)) if keys.is_empty() => "no site yet".to_owned(),
        (_, Sites::Only(_)) => p.sites.to_stored().replace(',', ", "),
    }
}

fn role_select(id: &str, selected: Role, described: Option<&str>) -> Markup {
    html! {
        select id=(id) name="role" aria-describedby=[described] {
            @for r in Role::ALL {
                option value=(r.as_str()) selected[r == selected] { (r.as_str()) }
            }
        }
    }
}

fn person_row(v: &PeopleView, i: usize, p: &Person) -> Markup {
    let row = format!("person-{i}");
    let action = format!("/dashboard/people/{}", p.id);
    html! {
        tr {
            th scope="row" id={ (row) "-name" } data-label="Name" { (p.name) }
            td data-label="Email" { (p.email.as_str()) }
            td data-label="Role and sites" {
                form.inline method="post" action=(action) {
                    (csrf_field(v.chrome))
                    label.visually-hidden for={ (row) "-role" } { "Role of " (p.name) }
                    (role_select(&format!("{row}-role"), p.role, None))
                    label.visually-hidden for={ (row) "-sites" } { "Sites of " (p.name) }
                    input id={ (row) "-sites" } name="sites" value=(p.sites.to_stored())
                        placeholder="demo, shop or *" maxlength="2000";
                    button.quiet type="submit" aria-describedby={ (row) "-name" } { "Save" }
                }
                p.hint { (sites_text(p)) }
            }
            td data-label="Actions" {
                form.inline method="post" action={ (action) "/remove" } {
                    (csrf_field(v.chrome))
                    button.danger type="submit" aria-describedby={ (row) "-name" } { "Remove" }
                }
            }
        }
    }
}

fn invite(v: &PeopleView) -> Markup {
    html! {
        h3 { "Invite someone" }
        form method="post" action="/dashboard/people" {
            (csrf_field(v.chrome))
            div.row {
                div.field {
                    label for="invite-email" { "Email" }
                    input #invite-email name="email" type="email" required maxlength="254" autocomplete="off";
                }
                div.field {
                    label for="invite-name" { "Name" }
                    input #invite-name name="name" required maxlength="80" autocomplete="off";
                }
                div.field {
                    label for="invite-role" { "Role" }
                    (role_select("invite-role", Role::Manager, Some("roles-h")))
                }
                div.field {
                    label for="invite-sites" { "Sites" }
                    input #invite-sites name="sites" maxlength="2000" aria-describedby="invite-sites-hint";
                    p.hint #invite-sites-hint { "Site keys separated by commas, or * for every site. Owners see every site." }
                }
            }
            button type="submit" { "Invite by mail" }
        }
        h3 #roles-h { "Roles" }
        ul {
            li { strong { "owner" } ": everything — settings, recipients, people, keys, erasure, export." }
            li { strong { "manager" } ": works the cases of their sites." }
            li { strong { "viewer" } ": reads their sites only." }
        }
    }
}

fn keys(v: &PeopleView) -> Markup {
    html! {
        section.card aria-labelledby="keys-h" {
            h2 #keys-h { "API keys" }
            p { "For integrations, in place of the shared admin token. A key reads, or reads and writes; it never manages people or keys." }
            @if let Some(key) = v.new_key {
                div.notice.ok role="status" {
                    p { strong { "Copy the new key now: it is shown only this once." } }
                    p { code #new-key { (key) } }
                    button.quiet type="button" data-copy="new-key" { "Copy" }
                }
            }
            @if v.keys.is_empty() {
                p { "No keys yet." }
            } @else {
                div.table-wrap {
                    table.data.stack {
                        thead { tr { th scope="col" { "Name" } th scope="col" { "Scope" }
                                     th scope="col" { "Made" } th scope="col" { "Actions" } } }
                        tbody {
                            @for (i, k) in v.keys.iter().enumerate() {
                                tr {
                                    th scope="row" id={ "key-" (i) } data-label="Name" { (k.name) }
                                    td data-label="Scope" { @if k.scope == "write" { "read and write" } @else { "read" } }
                                    td data-label="Made" { (when(k.created_at)) " by " (k.created_by) }
                                    td data-label="Actions" {
                                        @if let Some(at) = k.revoked_at {
                                            "Revoked " (when(at))
                                        } @else {
                                            form.inline method="post" action={ "/dashboard/keys/" (k.id) "/revoke" } {
                                                (csrf_field(v.chrome))
                                                button.danger type="submit" aria-describedby={ "key-" (i) } { "Revoke" }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            h3 { "Make a key" }
            form method="post" action="/dashboard/keys" {
                (csrf_field(v.chrome))
                div.row {
                    div.field {
                        label for="key-name" { "Name" }
                        input #key-name name="name" required maxlength="60" autocomplete="off"
                            aria-describedby="key-name-hint";
                        p.hint #key-name-hint { "After what uses it, e.g. “CRM sync”." }
                    }
                    div.field {
                        label for="key-scope" { "Scope" }
                        select #key-scope name="scope" {
                            option value="read" { "read" }
                            option value="write" { "read and write" }
                        }
                    }
                }
                button type="submit" { "Make key" }
            }
        }
    }
}

/// The whole page.
pub fn render(v: &PeopleView) -> String {
    let body = html! {
        h1 { "People" }
        @if let Some(n) = v.notice {
            @if n.ok { div.notice.ok role="status" { p { (n.text) } } }
            @else { div.notice.error role="alert" { p { (n.text) } } }
        }
        section.card aria-labelledby="people-h" {
            h2 #people-h { "Who can sign in" }
            div.table-wrap {
                table.data.stack {
                    thead { tr { th scope="col" { "Name" } th scope="col" { "Email" }
                                 th scope="col" { "Role and sites" } th scope="col" { "Actions" } } }
                    tbody {
                        @for (i, p) in v.people.iter().enumerate() { (person_row(v, i, p)) }
                    }
                }
            }
            p.hint { "Sites: " @if v.sites.is_empty() { "none yet" } @else { (v.sites.join(", ")) } "." }
            (invite(v))
        }
        (keys(v))
    };
    crate::page("People", Some(v.chrome), &body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Section;
    use domain::people::account_email;
    use domain::Timestamp;

    fn chrome() -> Chrome {
        Chrome {
            manager: "Olu".into(),
            owner: true,
            works: true,
            csrf: "t".into(),
            section: Section::People,
        }
    }

    #[test]
    fn people_and_keys_are_escaped_and_a_new_key_shows_once() {
        let people = [Person {
            id: "a".repeat(32),
            email: account_email("mia@example.com").unwrap(),
            name: "<b>Mia</b>".into(),
            role: Role::Manager,
            sites: Sites::parse("demo").unwrap(),
        }];
        let keys = [KeyLine {
            id: "0123456789abcdef".into(),
            name: "<CRM>".into(),
            scope: "write".into(),
            created_at: Timestamp::from_millis(0),
            created_by: "Olu".into(),
            revoked_at: None,
        }];
        let c = chrome();
        let mut v = PeopleView {
            chrome: &c,
            people: &people,
            keys: &keys,
            sites: &["demo".into()],
            notice: None,
            new_key: Some("cnd_0123456789abcdef_00"),
        };
        let page = render(&v);
        assert!(page.contains("&lt;b&gt;Mia&lt;/b&gt;") && !page.contains("<b>Mia"));
        assert!(page.contains("&lt;CRM&gt;"));
        assert!(page.contains("cnd_0123456789abcdef_00"));
        assert!(page.contains("action=\"/dashboard/keys/0123456789abcdef/revoke\""));
        v.new_key = None;
        insta::assert_snapshot!(render(&v));
    }
}
