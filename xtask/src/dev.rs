//! `cargo xtask dev`: the whole product on this machine, as README.md#run-it says.
//! Worker on 127.0.0.1:8787 (`--port`), local chat inbox on 127.0.0.1:8789
//! appending to `target/dev/inbox.ndjson`, demo site seeded so every tier
//! alerts that inbox, and the mail catcher on the same port
//! (`/mail`, appending to `target/dev/mail.ndjson`) with the owner
//! `owner@example.com` seeded. Runs until Ctrl-C or SIGTERM, then stops all
//! it started.

use crate::step::step;
use crate::{build, tools, Result};
use std::sync::mpsc;
use tests::receiver::{Options, Receiver};
use tests::worker::{Config, LocalWorker, Seed};

pub const INBOX_PORT: u16 = 8789;
/// The dev inbox's signing secret. Dev only: the demo site's recipients are
/// reseeded with it on every start; production secrets are set per recipient.
pub const DEV_INBOX_SECRET: &str = "whsec_Y2FuZG9yLWRldi1pbmJveC1zZWNyZXQtMDAwMDAwMDA=";

/// Signs acknowledge links in dev. Dev only: production's is a Worker secret
/// (`wrangler secret put ACK_SECRET`), set by `cargo xtask deploy`.
pub const DEV_ACK_SECRET: &str = "candor-dev-ack-secret-not-for-production";

/// Cron Triggers do not fire by themselves under `wrangler dev`: this
/// thread plays the every-minute SLA tick until the receiver side hangs up.
fn start_ticker(url: String, stop: mpsc::Receiver<()>) {
    std::thread::spawn(move || {
        let agent = ureq::AgentBuilder::new()
            .timeout(std::time::Duration::from_secs(30))
            .build();
        while let Err(mpsc::RecvTimeoutError::Timeout) =
            stop.recv_timeout(std::time::Duration::from_mins(1))
        {
            if let Err(e) = agent.get(&url).call() {
                eprintln!("SLA tick failed: {e}");
            }
        }
    });
}

fn port_arg(args: &[String]) -> Result<u16> {
    match args.iter().position(|a| a == "--port") {
        None => Ok(8787),
        Some(i) => Ok(args.get(i + 1).ok_or("--port needs a number")?.parse()?),
    }
}

pub fn run(args: &[String]) -> Result {
    let port = port_arg(args)?;
    let tools = tools::ensure(false)?;
    build::all(&tools)?;
    let dev_dir = build::target_dir().join("dev");
    std::fs::create_dir_all(&dev_dir)?;
    let inbox_file = dev_dir.join("inbox.ndjson");
    let mail_file = dev_dir.join("mail.ndjson");

    let (stop_tx, stop_rx) = mpsc::channel();
    ctrlc::set_handler(move || {
        let _ = stop_tx.send(());
    })?;

    let inbox = step(
        "start the local chat inbox on 127.0.0.1:8789",
        "free port 8789 (another `cargo xtask dev`?)",
        || {
            Ok(Receiver::start(Options {
                port: INBOX_PORT,
                ndjson: Some(inbox_file.clone()),
                print: true,
                mail: Some(mail_file.clone()),
                ..Options::default()
            })?)
        },
    )?;
    let admin_token =
        std::env::var("CANDOR_ADMIN_TOKEN").unwrap_or_else(|_| "dev-admin-token".into());
    let worker = step(
        &format!("migrate, seed and start the Worker on 127.0.0.1:{port}"),
        "free the port or pass --port N; wrangler's output above says more",
        || {
            Ok(LocalWorker::start(Config {
                port,
                state_dir: dev_dir.join("state"),
                vars: vec![
                    ("ALLOW_LOOPBACK_WEBHOOKS".into(), "true".into()),
                    ("ADMIN_TOKEN".into(), admin_token.clone()),
                    // Dev only: production's key is a `wrangler secret`.
                    ("ACK_SECRET".into(), DEV_ACK_SECRET.into()),
                    ("MAIL_URL".into(), inbox.url("/mail")),
                ],
                log: None,
                seed: Some(Seed {
                    inbox_url: inbox.url("/inbox"),
                    inbox_secret: DEV_INBOX_SECRET.into(),
                }),
                test_scheduled: true,
            })?)
        },
    )?;

    let (tick_stop, tick_rx) = mpsc::channel();
    start_ticker(worker.url("/__scheduled?cron=*+*+*+*+*"), tick_rx);

    println!("\nCandor is running.");
    println!("  demo page   {}", worker.url("/demo/"));
    println!("  health      {}", worker.url("/health"));
    println!(
        "  chat inbox  {} → {}",
        inbox.url("/inbox"),
        inbox_file.display()
    );
    println!(
        "  dashboard   {} (sign in as owner@example.com)",
        worker.url("/dashboard")
    );
    println!(
        "  mail        {} → {}",
        inbox.url("/mail"),
        mail_file.display()
    );
    println!(
        "  admin token {} (the API's bearer; it signs no one in)",
        if admin_token == "dev-admin-token" {
            "dev-admin-token"
        } else {
            "from CANDOR_ADMIN_TOKEN"
        }
    );
    println!("Press Ctrl-C to stop.\n");
    let _ = stop_rx.recv();
    eprintln!("\nstopping…");
    drop(tick_stop);
    drop(worker);
    drop(inbox);
    Ok(())
}
