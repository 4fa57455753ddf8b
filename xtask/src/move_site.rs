//! `cargo xtask move-site --site SITE [--url URL] [--resume]`: moves one
//! site with its answers from D1 into its own Durable Object, through the
//! Worker's `POST /v1/admin/sites/{site}/move` (`domain::site_move` names
//! the steps, `edge/src/store/moving.rs` runs them). The admin token comes
//! from `CANDOR_ADMIN_TOKEN`, never a flag, which a shell would keep.
//!
//! Pause the site's answers (the widget's outbox holds them and sends them
//! again), copy its settings, copy every page, compare every page, flip,
//! then delete its rows from D1 page by page (what the object lacks is
//! carried over first).
//! Every step is safe to repeat, so after any failure the same command
//! picks up where it stopped; a site that moved already only has its
//! leftovers in D1 purged. A flip refused because something changed after
//! the compare copies and compares again, up to three times. `--resume`
//! lifts the pause without moving.

use crate::Result;
use domain::site_move::{MoveReply, MoveStep, RawMoveStep, PAUSE_LEASE_MINUTES};
use std::time::{Duration, Instant};

/// What the operator asked for.
struct Options {
    site: String,
    url: String,
    resume: bool,
}

fn options(args: &[String]) -> Result<Options> {
    let mut o = Options {
        site: String::new(),
        url: "http://127.0.0.1:8787".into(),
        resume: false,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = || args.next().cloned().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--site" => o.site = value()?,
            "--url" => value()?.trim_end_matches('/').clone_into(&mut o.url),
            "--resume" => o.resume = true,
            other => return Err(format!("move-site: unknown option {other}").into()),
        }
    }
    if o.site.is_empty() {
        return Err("move-site needs --site SITE".into());
    }
    Ok(o)
}

pub fn run(args: &[String]) -> Result {
    let o = options(args)?;
    let token = std::env::var("CANDOR_ADMIN_TOKEN")
        .map_err(|_| "set CANDOR_ADMIN_TOKEN to the Worker's admin token")?;
    let worker = Worker {
        url: format!("{}/v1/admin/sites/{}/move", o.url, o.site),
        token,
        agent: ureq::AgentBuilder::new()
            .timeout(Duration::from_mins(1))
            .build(),
    };
    if o.resume {
        let r = worker.step(&MoveStep::Resume)?;
        println!("{}: answers taken again (home: {})", r.site, r.home);
        return Ok(());
    }
    let before = worker.step(&MoveStep::Status)?;
    print_counts("before", &before);
    if before.home == "d1" {
        move_rows(&worker)?;
    } else {
        println!(
            "{} lives in its own object already: purging what D1 still holds",
            o.site
        );
    }
    let mut purged = 0;
    loop {
        let r = worker.step(&MoveStep::Purge)?;
        purged += r.rows;
        if r.next.is_none() {
            break;
        }
    }
    println!("purged {purged} rows from D1");
    let after = worker.step(&MoveStep::Status)?;
    print_counts("after", &after);
    let left: Vec<&String> = after
        .counts
        .iter()
        .filter(|(_, c)| c.d1 != 0)
        .map(|(t, _)| t)
        .collect();
    if after.home != "object" || !left.is_empty() {
        return Err(format!(
            "{}: not moved (home {}, rows left in D1: {left:?}); run the command again",
            o.site, after.home
        )
        .into());
    }
    println!("{} lives in its own object", o.site);
    Ok(())
}

/// Pause, settings, copy, compare and flip; copy and compare again if the
/// flip finds the site changed meanwhile.
fn move_rows(worker: &Worker) -> Result {
    for attempt in 1..=3 {
        let mut paused_at = worker.pause()?;
        worker.step(&MoveStep::Settings)?;
        for write in [true, false] {
            let mut after = None;
            let mut rows = 0;
            loop {
                // Renewed well before the lease runs out.
                if paused_at.elapsed() > Duration::from_secs(u64::from(PAUSE_LEASE_MINUTES) * 20) {
                    paused_at = worker.pause()?;
                }
                let step = if write {
                    MoveStep::Copy { after }
                } else {
                    MoveStep::Compare { after }
                };
                let r = worker.step(&step)?;
                rows += r.rows;
                match r.next {
                    Some(next) => after = Some(next),
                    None => break,
                }
            }
            println!("{} {rows} rows", if write { "copied" } else { "compared" });
        }
        match worker.try_step(&MoveStep::Flip)? {
            Ok(r) => {
                print_counts("flipped", &r);
                return Ok(());
            }
            Err((409, why)) if attempt < 3 => {
                println!("the flip was refused ({why}); copying again");
            }
            Err((status, why)) => return Err(format!("flip: {status} {why}").into()),
        }
    }
    Err("the flip was refused three times: the site keeps changing; try again later".into())
}

struct Worker {
    url: String,
    token: String,
    agent: ureq::Agent,
}

impl Worker {
    fn pause(&self) -> Result<Instant> {
        let at = Instant::now();
        let r = self.step(&MoveStep::Pause)?;
        if r.paused_until.is_none() {
            return Err(format!("{}: the pause did not hold (home {})", r.site, r.home).into());
        }
        Ok(at)
    }

    fn step(&self, step: &MoveStep) -> Result<MoveReply> {
        self.try_step(step)?
            .map_err(|(status, why)| format!("{step:?}: {status} {why}").into())
    }

    /// The step's reply, or its refusal (status, body).
    fn try_step(&self, step: &MoveStep) -> Result<std::result::Result<MoveReply, (u16, String)>> {
        let body = serde_json::to_string(&RawMoveStep::from(step))?;
        let resp = match self
            .agent
            .post(&self.url)
            .set("authorization", &format!("Bearer {}", self.token))
            .set("content-type", "application/json")
            .send_string(&body)
        {
            Ok(resp) | Err(ureq::Error::Status(_, resp)) => resp,
            Err(e) => return Err(format!("{}: {e}", self.url).into()),
        };
        let status = resp.status();
        let text = resp.into_string()?;
        if status != 200 {
            return Ok(Err((status, text)));
        }
        Ok(Ok(serde_json::from_str(&text)?))
    }
}

fn print_counts(when: &str, r: &MoveReply) {
    let counts: Vec<String> = r
        .counts
        .iter()
        .map(|(t, c)| format!("{t} {}/{}", c.d1, c.object))
        .collect();
    println!(
        "{when}: {} in {} (rows in D1/object: {})",
        r.site,
        r.home,
        counts.join(", ")
    );
}

#[cfg(test)]
mod tests {
    use super::options;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn options_read_as_documented() {
        let o = options(&args(&["--site", "acme", "--url", "http://127.0.0.1:9/"]));
        let o = o.ok().map(|o| (o.site, o.url, o.resume));
        assert_eq!(o, Some(("acme".into(), "http://127.0.0.1:9".into(), false)));
        assert!(options(&args(&["--url", "x"])).is_err(), "a site is needed");
        assert!(options(&args(&["--site"])).is_err());
        assert!(options(&args(&["--site", "a", "--token", "t"])).is_err());
    }
}
