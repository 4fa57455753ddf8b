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
        "wrangler deploy",
        "set the ADMIN_TOKEN secret with `wrangler secret put ADMIN_TOKEN`",
        || {
            cmd!(sh, "{wrangler} deploy").run()?;
            Ok(())
        },
    )
}
