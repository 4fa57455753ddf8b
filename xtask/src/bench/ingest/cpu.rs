//! Where the time goes: the user + system CPU time of every process in a
//! Worker's process group, read from `/proc` before and after a round
//! (workerd: the Worker, the assets router and local D1's SQLite; node:
//! wrangler's dev proxy and logging). Where `/proc` cannot be read (not
//! Linux) nothing is counted and the report leaves the CPU rows out.

use std::collections::BTreeMap;
use std::time::Duration;

/// Clock ticks per second of `/proc/<pid>/stat` times.
pub(super) fn clock_ticks() -> u64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .filter(|&t| t > 0)
        .unwrap_or(100)
}

/// User + system CPU ticks of every live process in process group `pgid`,
/// summed by command name. Empty where `/proc` cannot be read (not Linux).
pub(super) fn group_cpu(pgid: u32) -> BTreeMap<String, u64> {
    let mut by_command = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return by_command;
    };
    for entry in entries.flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // `pid (comm) state ppid pgrp … utime stime …`; comm may hold spaces.
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let command = stat.get(open + 1..close).unwrap_or_default();
        let fields: Vec<&str> = stat
            .get(close + 1..)
            .unwrap_or_default()
            .split_whitespace()
            .collect();
        let field = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok());
        if field(2) == Some(u64::from(pgid)) {
            let ticks = field(11).unwrap_or(0) + field(12).unwrap_or(0);
            *by_command.entry(command.to_owned()).or_insert(0) += ticks;
        }
    }
    by_command
}

/// Adds what the group spent between two `group_cpu` readings.
pub(super) fn add_cpu(
    total: &mut BTreeMap<String, Duration>,
    before: &BTreeMap<String, u64>,
    after: &BTreeMap<String, u64>,
    ticks_per_sec: u64,
) {
    for (command, &t) in after {
        let spent = t.saturating_sub(before.get(command).copied().unwrap_or(0));
        let nanos = spent.saturating_mul(1_000_000_000) / ticks_per_sec;
        *total.entry(command.clone()).or_default() += Duration::from_nanos(nanos);
    }
}

/// CPU per request of the processes called `command`, over `n` requests.
pub(super) fn per_request(
    cpu: &BTreeMap<String, Duration>,
    command: &str,
    n: usize,
) -> Option<Duration> {
    let n = u32::try_from(n).ok().filter(|&n| n > 0)?;
    cpu.get(command).map(|d| *d / n)
}
