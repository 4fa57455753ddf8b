//! The ingest section of BENCHMARKS.md: Rust against the JS reference,
//! throughput, latency percentiles, CPU per request, and how it was measured.

use super::{Figures, Report};
use crate::Result;
use std::fmt::Write as _;
use std::time::Duration;

fn ms2(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// A table row comparing two CPU times, if both were measured.
fn cpu_row(md: &mut String, what: &str, rust: Option<Duration>, js: Option<Duration>) -> Result {
    if let (Some(rust), Some(js)) = (rust, js) {
        let ratio = js.as_secs_f64() / rust.as_secs_f64().max(f64::EPSILON);
        writeln!(
            md,
            "| {what} | {} | {} | JS/Rust {ratio:.2}× |",
            ms2(rust),
            ms2(js)
        )?;
    }
    Ok(())
}

impl Report {
    pub fn throughput_ratio(&self) -> f64 {
        self.rust.throughput() / self.js.throughput()
    }

    /// The Rust Worker's answers/s with its site in its own object over
    /// the same Worker's with the site in D1, in the same session.
    pub fn object_ratio(&self) -> f64 {
        let [d1, object] = &self.homes;
        object.throughput() / d1.throughput().max(f64::EPSILON)
    }

    /// The two homes side by side.
    fn homes_table(&self) -> Result<String> {
        let [d1, object] = &self.homes;
        let mut md = String::from(
            "\n**A site in its own Durable Object** (the Rust Worker twice, rounds alternating):\n\n\
             | | site in D1 | site in its object | ratio |\n|---|---:|---:|---:|\n",
        );
        writeln!(
            md,
            "| throughput, median of {} rounds | {:.0} req/s | {:.0} req/s | object/D1 {:.2}× |",
            self.options.rounds,
            d1.throughput(),
            object.throughput(),
            self.object_ratio()
        )?;
        for p in [50_u8, 99] {
            let (a, b) = (d1.latency_ms(p.into()), object.latency_ms(p.into()));
            writeln!(md, "| p{p} latency | {a:.1} ms | {b:.1} ms | |")?;
        }
        if let (Some(a), Some(b)) = (
            d1.cpu_per_request("workerd"),
            object.cpu_per_request("workerd"),
        ) {
            writeln!(
                md,
                "| CPU per answer, workerd | {} | {} | |",
                ms2(a),
                ms2(b)
            )?;
        }
        Ok(md)
    }

    /// The markdown section written to BENCHMARKS.md and printed.
    pub fn markdown(&self) -> Result<String> {
        let mut md = self.table()?;
        md.push_str(&self.homes_table()?);
        let o = &self.options;
        writeln!(
            md,
            "\nHow measured: {} closed-loop clients on keep-alive connections post valid, distinct \
             answers (fresh UUID v4 each; the same mix for both: half open a case, half do not) to \
             `POST /v1/responses`; {} warm-up answers each, then {} rounds of {} answers, \
             alternating Rust and JS (A B B A …). Both Workers run at once on 127.0.0.1 under \
             `wrangler dev` (local workerd, local D1 = SQLite, each with its own fresh database and \
             the same migrations and bench site, both behind the same static-assets router, each \
             in `wrangler dev`'s two-Worker mode: the Rust front with its back office, the JS \
             Worker with an idle one, since wrangler carries logs more cheaply in that mode); the \
             JS Worker is `edge/bench/js-reference/worker.js`; the Rust front runs with an \
             `ACK_SECRET`, as deployed, and does all it does in production: the access log line, \
             and hands the office the thank-you mail (no mail backend: its one attempt fails for \
             good) and each new case's first alert attempt (no recipients: dead letters), whose \
             CPU is counted too. CPU per request is read from \
             `/proc` for each Worker's process group (workerd: the Worker, the assets router and \
             local D1's SQLite; wrangler's Node: its dev proxy and request log), so it says where \
             the time goes whatever else the machine is doing; `GET /health` is the fixed cost of \
             any request. Machine: 2 cores, the load generator on the same cores. Ratios > 1 mean \
             Rust is faster. The homes table runs the Rust Worker again beside a second one \
             whose bench site was moved into its own Durable Object (`SITE_OBJECTS=true`), the \
             same answers and rounds alternating, and then counts the object's answers and \
             cases through the move route's `status`: the object's CPU is in the same workerd \
             process group.",
            o.clients, o.warmup, o.rounds, o.requests
        )?;
        Ok(md)
    }

    fn table(&self) -> Result<String> {
        let (rust, js) = (&self.rust, &self.js);
        let ratio = self.throughput_ratio();
        let verdict = if ratio >= 1.0 {
            "meets the ≥ 1.0× budget"
        } else {
            "BELOW the ≥ 1.0× budget"
        };
        let mut md =
            String::from("| | Rust Worker | plain-JS reference | ratio |\n|---|---:|---:|---:|\n");
        writeln!(
            md,
            "| throughput, median of {} rounds | {:.0} req/s | {:.0} req/s | **Rust/JS {ratio:.2}×**, {verdict} |",
            self.options.rounds,
            rust.throughput(),
            js.throughput()
        )?;
        for p in [50_u8, 99] {
            let (fast, slow) = (rust.latency_ms(p.into()), js.latency_ms(p.into()));
            let ratio = slow / fast.max(f64::EPSILON);
            writeln!(
                md,
                "| p{p} latency | {fast:.1} ms | {slow:.1} ms | JS/Rust {ratio:.2}× |"
            )?;
        }
        let rounds = |f: &Figures| {
            let each: Vec<String> = f.rounds.iter().map(|x| format!("{x:.0}")).collect();
            each.join(", ")
        };
        writeln!(
            md,
            "| rounds (req/s) | {} | {} | |",
            rounds(rust),
            rounds(js)
        )?;
        for (command, what) in [("workerd", "workerd"), ("node", "wrangler's Node")] {
            let what = format!("CPU per answer, {what}");
            cpu_row(
                &mut md,
                &what,
                rust.cpu_per_request(command),
                js.cpu_per_request(command),
            )?;
        }
        writeln!(
            md,
            "| trivial route `GET /health` (one `SELECT 1`), one round | {:.0} req/s | {:.0} req/s | Rust/JS {:.2}× |",
            rust.health,
            js.health,
            rust.health / js.health.max(f64::EPSILON)
        )?;
        for (command, what) in [("workerd", "workerd"), ("node", "wrangler's Node")] {
            let what = format!("CPU per `GET /health`, {what}");
            let (a, b) = (
                rust.health_cpu_per_request(command),
                js.health_cpu_per_request(command),
            );
            cpu_row(&mut md, &what, a, b)?;
        }
        writeln!(
            md,
            "| errors (non-201) | 0 of {} | 0 of {} | |",
            rust.latencies.len(),
            js.latencies.len()
        )?;
        Ok(md)
    }
}
