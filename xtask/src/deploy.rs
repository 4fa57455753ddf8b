//! `cargo xtask deploy [--dry-run]`.

use crate::step::step;
use crate::tools::{ensure, root};
use crate::{build, Result};
use xshell::{cmd, Shell};

pub fn run(args: &[String]) -> Result {
    let dry = args.iter().any(|a| a == "--dry-run");
    let tools = ensure(false)?;
    build::all(&tools)?;
    let sh = Shell::new()?;
    sh.change_dir(root().join("edge"));
    let wrangler = &tools.wrangler;
    if dry {
        let out = build::target_dir().join("deploy-dry-run");
        return step(
            "wrangler deploy --dry-run (offline)",
            "read wrangler's message above",
            || {
                // The same offline, non-interactive wrangler the tests and `dev` run.
                let status = tests::worker::wrangler()
                    .args(["deploy", "--dry-run", "--outdir"])
                    .arg(&out)
                    .status()?;
                if !status.success() {
                    return Err(format!("wrangler exited with {status}").into());
                }
                eprintln!("    the upload is in {}", out.display());
                Ok(())
            },
        );
    }
    step("apply D1 migrations remotely", "run `npx wrangler login` in edge/ or set CLOUDFLARE_API_TOKEN; create the database with `wrangler d1 create candor` and put its id in edge/wrangler.toml", || {
        cmd!(sh, "{wrangler} d1 migrations apply DB --remote").run()?;
        Ok(())
    })?;
    step(
        "create the alert queues if missing",
        "read wrangler's message above",
        || {
            for queue in ["candor-alerts", "candor-alerts-dlq"] {
                let out = cmd!(sh, "{wrangler} queues create {queue}")
                    .ignore_status()
                    .output()?;
                let said = String::from_utf8_lossy(&out.stderr).to_lowercase()
                    + &String::from_utf8_lossy(&out.stdout).to_lowercase();
                if !out.status.success() && !said.contains("already") {
                    return Err(format!("creating queue {queue} failed: {said}").into());
                }
            }
            Ok(())
        },
    )?;
    step(
        "set the Worker's secrets given in the environment",
        "export CANDOR_ADMIN_TOKEN and CANDOR_ACK_SECRET (32+ characters), or run `wrangler secret put NAME` in edge/",
        || {
            for (name, var) in [
                ("ADMIN_TOKEN", "CANDOR_ADMIN_TOKEN"),
                ("ACK_SECRET", "CANDOR_ACK_SECRET"),
                ("RESEND_API_KEY", "CANDOR_RESEND_API_KEY"),
            ] {
                match std::env::var(var) {
                    // Piped on stdin: never on a command line or in a log.
                    Ok(value) => cmd!(sh, "{wrangler} secret put {name}").stdin(value).run()?,
                    Err(_) => eprintln!(
                        "    {var} is not set: keeping the deployed {name} (set it once with `wrangler secret put {name}`)"
                    ),
                }
            }
            Ok(())
        },
    )?;
    step(
        "wrangler deploy",
        "set the ADMIN_TOKEN and ACK_SECRET secrets with `wrangler secret put NAME`",
        || {
            cmd!(sh, "{wrangler} deploy").run()?;
            Ok(())
        },
    )?;
    print_invite_yourself();
    Ok(())
}

/// The admin token signs no one into the dashboard; it makes the first
/// owner, who is mailed a sign-in link.
fn print_invite_yourself() {
    println!(
        "\nDeployed. To sign in, make yourself the first owner (you are mailed a link):\n\n  \
         curl -X POST https://<your-worker>/v1/admin/people \\\n    \
         -H \"authorization: Bearer $CANDOR_ADMIN_TOKEN\" -H 'content-type: application/json' \\\n    \
         -d '{{\"email\":\"you@example.com\",\"name\":\"Your Name\",\"role\":\"owner\"}}'\n\n\
         Mail goes through Resend: set MAIL_FROM in edge/wrangler.toml [vars] and export\n\
         CANDOR_RESEND_API_KEY before deploying (see ARCHITECTURE.md#mail).\n"
    );
}
