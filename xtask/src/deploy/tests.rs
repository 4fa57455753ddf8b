//! The whole deploy against a fake `wrangler` (`xtask/tests/fake-wrangler`)
//! that keeps an account's state and logs every call, and a local HTTP
//! server standing in for the live Worker: the order of the steps, a second
//! run that changes nothing, a run cut off at any step and finished by the
//! next, no secret in any output or call, and the tracked config's
//! environments.

use super::config::{self, Env};
use super::{deploy, Options, Wrangler};
use std::path::{Path, PathBuf};
use tests::receiver::{Answer, Options as Serve, Received, Receiver};

const FAKE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fake-wrangler");
const EDGE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../edge");
/// Options that take a value, as the fake reads them.
const VALUED: [&str; 6] = [
    "--env",
    "--config",
    "--location",
    "--jurisdiction",
    "--format",
    "--outdir",
];

/// The live Worker as the smoke check sees it.
fn live_worker() -> Receiver {
    Receiver::start(Serve {
        responder: Box::new(|r: &Received, _| {
            let (status, headers, body): (u16, Vec<(&str, String)>, &str) =
                match (r.method.as_str(), r.path.as_str()) {
                    ("GET", "/health") => {
                        (200, vec![], r#"{"ok":true,"version":"0.1.0","d1":"ok"}"#)
                    }
                    ("GET", "/widget.js") => (
                        200,
                        vec![
                            ("content-type", "text/javascript".into()),
                            ("access-control-allow-origin", "*".into()),
                        ],
                        "(function(){})();",
                    ),
                    ("GET", "/v1/admin/people") => (
                        401,
                        vec![("content-type", "application/json".into())],
                        r#"{"error":{"code":"unauthorized","message":"send Authorization"}}"#,
                    ),
                    ("OPTIONS", "/v1/responses") => (
                        204,
                        vec![(
                            "access-control-allow-origin",
                            r.header("origin").unwrap_or("").to_owned(),
                        )],
                        "",
                    ),
                    _ => (404, vec![], ""),
                };
            Answer {
                status,
                headers: headers
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v))
                    .collect(),
                body: body.into(),
                ..Answer::default()
            }
        }),
        ..Serve::default()
    })
    .expect("a stand-in for the live Worker")
}

/// A scratch `edge/` (the tracked config and migrations) and an empty
/// account.
struct Account {
    dir: PathBuf,
    live: Receiver,
}

impl Account {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("candor-deploy-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let edge = dir.join("edge");
        std::fs::create_dir_all(edge.join("migrations")).unwrap();
        for tracked in ["wrangler.toml", "office.toml"] {
            std::fs::copy(Path::new(EDGE).join(tracked), edge.join(tracked)).unwrap();
        }
        for m in std::fs::read_dir(Path::new(EDGE).join("migrations")).unwrap() {
            let m = m.unwrap();
            std::fs::copy(m.path(), edge.join("migrations").join(m.file_name())).unwrap();
        }
        Self {
            dir,
            live: live_worker(),
        }
    }

    fn wrangler(&self, fail: Option<&str>) -> Wrangler {
        Wrangler::new(Path::new(FAKE), &self.dir.join("edge"))
            .with_env("FAKE_WRANGLER_DIR", &self.dir.display().to_string())
            .with_env("FAKE_WRANGLER_URL", self.live.url("").trim_end_matches('/'))
            .with_env("FAKE_WRANGLER_FAIL", fail.unwrap_or(""))
    }

    /// One `cargo xtask deploy`: its outcome and everything it printed.
    fn deploy(&self, o: &Options, fail: Option<&str>) -> (Result<super::Deployed, String>, String) {
        let mut out = Vec::new();
        let done = deploy(
            &mut self.wrangler(fail),
            &self.dir.join("edge"),
            o,
            &mut out,
        );
        (
            done.map_err(|e| e.to_string()),
            String::from_utf8(out).unwrap(),
        )
    }

    fn state(&self) -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(self.dir.join("state.json")).unwrap())
            .unwrap()
    }

    fn read(&self, file: &str) -> String {
        std::fs::read_to_string(self.dir.join(file)).unwrap_or_default()
    }

    /// The commands called (first two words), in order.
    fn commands(&self) -> Vec<String> {
        self.read("calls.log")
            .lines()
            .map(|l| {
                let mut words = Vec::new();
                let mut tokens = l.split_whitespace();
                while let Some(t) = tokens.next() {
                    if VALUED.contains(&t) {
                        tokens.next();
                    } else if !t.starts_with('-') {
                        words.push(t);
                    }
                }
                words.into_iter().take(2).collect::<Vec<_>>().join(" ")
            })
            .collect()
    }

    /// The secret values the account was given, by name.
    fn secret(&self, name: &str) -> Vec<String> {
        self.read("secret-values.log")
            .lines()
            .filter_map(|l| l.strip_prefix(&format!("{name}=")).map(str::to_owned))
            .collect()
    }
}

fn staging_in_the_eu() -> Options {
    Options::parse(&["--env", "staging", "--jurisdiction", "eu"].map(String::from)).unwrap()
}

fn assert_complete(a: &Account) {
    let s = a.state();
    assert_eq!(s["dbs"].as_array().unwrap().len(), 1, "{s}");
    assert_eq!(s["dbs"][0]["name"], "candor-staging");
    assert_eq!(s["dbs"][0]["jurisdiction"], "eu");
    assert_eq!(
        s["queues"],
        serde_json::json!(["candor-staging-alerts", "candor-staging-alerts-dlq"])
    );
    assert_eq!(
        s["secrets"]["candor-staging"],
        serde_json::json!(["ACK_SECRET"])
    );
    assert_eq!(
        s["secrets"]["candor-staging-office"],
        serde_json::json!(["ADMIN_TOKEN", "ACK_SECRET"])
    );
    let migrations = std::fs::read_dir(Path::new(EDGE).join("migrations"))
        .unwrap()
        .count();
    assert_eq!(
        s["migrated"]["candor-staging"].as_array().unwrap().len(),
        migrations
    );
    assert!(s["deploys"].as_u64().unwrap() >= 2);
    assert_eq!(
        s["workers"],
        serde_json::json!(["candor-staging-office", "candor-staging"]),
        "the office first: the front binds it"
    );
}

#[test]
fn a_fresh_account_gets_each_resource_once_and_a_second_run_changes_nothing() {
    let a = Account::new("fresh");
    let (first, out1) = a.deploy(&staging_in_the_eu(), None);
    let first = first.unwrap_or_else(|e| panic!("{e}\n{out1}"));
    assert_eq!(
        a.commands(),
        [
            "whoami",
            "d1 list",
            "d1 create",
            "d1 list",
            "queues list",
            "queues create",
            "queues create",
            "d1 time-travel",
            "d1 migrations",
            "secret list",
            "secret list",
            "secret put",
            "secret put",
            "secret put",
            "deploy",
            "deploy"
        ]
    );
    assert_complete(&a);
    let id = a.state()["dbs"][0]["uuid"].as_str().unwrap().to_owned();
    for (tracked, generated) in config::WORKERS {
        let generated = std::fs::read_to_string(a.dir.join("edge").join(generated)).unwrap();
        assert!(
            generated.contains(&format!("database_id = \"{id}\"")),
            "{generated}"
        );
        let tracked = std::fs::read_to_string(a.dir.join("edge").join(tracked)).unwrap();
        assert!(
            !tracked.contains(&id),
            "the tracked config is never written"
        );
    }
    for words in [
        first.url.as_str(),
        "/widget.js\" data-site=",
        "/dashboard",
        "/v1/admin/people",
        "d1 time-travel restore DB --env staging",
        "jurisdiction eu",
        "smoke check passed",
    ] {
        assert!(out1.contains(words), "the report shows {words:?}:\n{out1}");
    }

    let calls_before = a.commands().len();
    let (second, out2) = a.deploy(&staging_in_the_eu(), None);
    second.unwrap_or_else(|e| panic!("{e}\n{out2}"));
    let again: Vec<String> = a.commands()[calls_before..].to_vec();
    assert_eq!(
        again,
        [
            "whoami",
            "d1 list",
            "queues list",
            "d1 time-travel",
            "d1 migrations",
            "secret list",
            "secret list",
            "deploy",
            "deploy"
        ],
        "the second run creates and sets nothing"
    );
    assert_eq!(a.state()["deploys"], 4);

    // The admin token is shown once, on the run that made it; no other
    // secret is ever printed or passed as an argument.
    let admin = a.secret("ADMIN_TOKEN");
    let ack = a.secret("ACK_SECRET");
    assert_eq!(
        (admin.len(), ack.len()),
        (1, 2),
        "the ack secret on both Workers"
    );
    assert_eq!(
        ack[0], ack[1],
        "the same ack secret: the front signs what the office checks"
    );
    assert!(admin[0].len() >= 64 && ack[0].len() >= 64, "256 bits each");
    assert_eq!(out1.matches(&admin[0]).count(), 1);
    assert!(!out2.contains(&admin[0]));
    let calls = a.read("calls.log");
    for secret in [&admin[0], &ack[0]] {
        assert!(
            !calls.contains(secret.as_str()),
            "a secret on a command line"
        );
    }
    assert!(!out1.contains(&ack[0]) && !out2.contains(&ack[0]));
}

#[test]
fn a_run_cut_off_at_any_step_is_finished_by_the_next() {
    for step in [
        "d1 create",
        "queues create",
        "d1 time-travel",
        "d1 migrations",
        "secret put",
        "deploy",
    ] {
        let a = Account::new(&step.replace(' ', "-"));
        let (cut, out) = a.deploy(&staging_in_the_eu(), Some(step));
        assert!(
            cut.is_err(),
            "{step}: the fake failed, so must the deploy:\n{out}"
        );
        let (done, out) = a.deploy(&staging_in_the_eu(), Some(step));
        done.unwrap_or_else(|e| panic!("{step}: the rerun: {e}\n{out}"));
        assert_complete(&a);
    }
}

#[test]
fn nothing_happens_until_wrangler_is_logged_in() {
    let a = Account::new("logged-out");
    std::fs::write(
        a.dir.join("state.json"),
        r#"{"logged_in": false, "dbs": [], "queues": [], "secrets": {}, "migrated": {}, "deploys": 0, "failed": []}"#,
    )
    .unwrap();
    let (done, _) = a.deploy(&staging_in_the_eu(), None);
    assert!(done.unwrap_err().contains("wrangler login"));
    assert_eq!(a.commands(), ["whoami"]);
}

#[test]
fn options_are_checked() {
    let parse = |s: &[&str]| Options::parse(&s.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>());
    assert_eq!(parse(&[]).unwrap().env, Env::Production);
    assert!(parse(&["--env", "prod"]).is_err());
    assert!(parse(&["--jurisdiction", "us"]).is_err());
    assert!(parse(&["--location"]).is_err());
    assert!(parse(&["--domain", "https://x.example/"]).is_err());
    assert_eq!(
        parse(&["--domain", "Feedback.Example.com"])
            .unwrap()
            .domain
            .as_deref(),
        Some("feedback.example.com")
    );
    assert!(parse(&["--force"]).is_err());
}

#[test]
fn the_generated_config_fills_in_only_its_environment() {
    let office = std::fs::read_to_string(Path::new(EDGE).join("office.toml")).unwrap();
    let generated = config::generate(&office, Env::Staging, "8c3a", None).unwrap();
    let at = generated.find("8c3a").unwrap();
    let section = generated[..at].rfind("[[env.").unwrap();
    assert!(generated[section..].starts_with("[[env.staging.d1_databases]]"));
    let tracked = std::fs::read_to_string(Path::new(EDGE).join("wrangler.toml")).unwrap();
    let id = "8c3a1b2e-0000-4000-8000-000000000001";
    let prod =
        config::generate(&tracked, Env::Production, id, Some("feedback.example.com")).unwrap();
    assert_eq!(prod.matches(id).count(), 1);
    let at = prod.find(id).unwrap();
    let section = prod[..at].rfind("[[env.").unwrap();
    assert!(prod[section..].starts_with("[[env.production.d1_databases]]"));
    assert!(prod.contains(
        "[[env.production.routes]]\npattern = \"feedback.example.com\"\ncustom_domain = true"
    ));
    let staging = config::generate(&tracked, Env::Staging, id, None).unwrap();
    let at = staging.find(id).unwrap();
    let section = staging[..at].rfind("[[env.").unwrap();
    assert!(staging[section..].starts_with("[[env.staging.d1_databases]]"));
}

/// Dev-only switches (loopback receivers, the tests' tokens and stand-ins)
/// are passed by `cargo xtask dev` and the tests; no deployable
/// configuration may carry one.
#[test]
fn no_deployable_configuration_enables_a_dev_switch() {
    let mut configs = Vec::new();
    for (file, _) in config::WORKERS {
        let tracked = std::fs::read_to_string(Path::new(EDGE).join(file)).unwrap();
        for env in [Env::Staging, Env::Production] {
            configs.push(config::generate(&tracked, env, "id", None).unwrap());
            assert!(
                tracked.contains(&format!("[env.{}]", env.name())),
                "edge/{file} declares {}",
                env.name()
            );
        }
        configs.push(tracked);
    }
    for text in configs {
        for line in text.lines().map(|l| l.split('#').next().unwrap_or("")) {
            for switch in [
                "ALLOW_LOOPBACK_WEBHOOKS",
                "ADMIN_TOKEN",
                "ACK_SECRET",
                "MAIL_URL",
                "TURNSTILE_VERIFY_URL",
                "FAULT_",
                "ALERT_SCHEDULE",
                "ALERT_LOST_AFTER_SECS",
                "SITE_OBJECTS",
            ] {
                assert!(
                    !line.contains(switch),
                    "a deployable config sets {switch}: {line}"
                );
            }
        }
    }
}

/// Every environment declares each rate limiter `domain::rate::LIMITERS`
/// names, with its limit per minute (a missing one would let a site's
/// answers through unlimited), and no two share a namespace: each
/// environment spends its own counts.
#[test]
fn every_environment_declares_the_answer_rate_limiters() {
    let tracked = std::fs::read_to_string(Path::new(EDGE).join("wrangler.toml")).unwrap();
    let mut namespaces = std::collections::BTreeSet::new();
    for prefix in ["", "env.staging.", "env.production."] {
        for (limit, name) in domain::rate::LIMITERS {
            let header = format!("[[{prefix}ratelimits]]\nname = \"{name}\"\nnamespace_id = \"");
            let at = tracked
                .find(&header)
                .unwrap_or_else(|| panic!("{prefix}{name} is not declared"));
            let rest = &tracked[at + header.len()..];
            let (id, rest) = rest.split_once("\"\n").unwrap();
            assert!(id.parse::<u32>().is_ok(), "{prefix}{name}: namespace {id}");
            assert!(namespaces.insert(id.to_owned()), "namespace {id} twice");
            assert!(
                rest.starts_with(&format!(
                    "simple = {{ limit = {limit}, period = {} }}",
                    domain::rate::LIMITER_PERIOD_SECS
                )),
                "{prefix}{name}: {}",
                rest.lines().next().unwrap_or_default()
            );
        }
    }
    assert_eq!(
        tracked.matches("ratelimits]]").count(),
        namespaces.len(),
        "no undeclared limiter"
    );
}

/// The back office is reachable only through the front's service binding
/// (its `/internal/*` paths trust that): in no environment does it get a
/// `workers.dev` address, a preview URL or a route, and in each the front
/// binds `OFFICE` to the office of the same environment.
#[test]
fn the_office_has_no_address_of_its_own_and_the_front_binds_it() {
    let office = std::fs::read_to_string(Path::new(EDGE).join("office.toml")).unwrap();
    let front = std::fs::read_to_string(Path::new(EDGE).join("wrangler.toml")).unwrap();
    let code = |text: &str| -> Vec<String> {
        text.lines()
            .map(|l| l.split('#').next().unwrap_or("").trim().to_owned())
            .filter(|l| !l.is_empty())
            .collect()
    };
    let office_lines = code(&office);
    assert!(
        !office_lines
            .iter()
            .any(|l| l.contains("route") || l.contains("[assets]")),
        "the office declares a route: {office_lines:?}"
    );
    for (prefix, section) in [
        ("", None),
        ("env.staging.", Some("[env.staging]")),
        ("env.production.", Some("[env.production]")),
    ] {
        // The keys of this environment's own table, up to its next table.
        let table: Vec<&String> = match section {
            None => office_lines
                .iter()
                .take_while(|l| !l.starts_with('['))
                .collect(),
            Some(header) => office_lines
                .iter()
                .skip_while(|l| l.as_str() != header)
                .skip(1)
                .take_while(|l| !l.starts_with('['))
                .collect(),
        };
        for key in ["workers_dev = false", "preview_urls = false"] {
            assert!(
                table.iter().any(|l| l.as_str() == key),
                "{prefix}: {key} in {table:?}"
            );
        }
        let name = table
            .iter()
            .find_map(|l| l.strip_prefix("name = "))
            .unwrap_or_else(|| panic!("{prefix}: the office has no name"));
        let binding = format!("[[{prefix}services]]\nbinding = \"OFFICE\"\nservice = {name}\n");
        assert!(
            front.contains(&binding),
            "the front's {prefix}services bind {name}"
        );
    }
}
