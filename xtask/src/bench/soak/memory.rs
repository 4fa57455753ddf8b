//! The Worker's memory over the soak: the resident set (VmRSS) of every
//! `workerd` process in wrangler's process group (the Worker, the assets
//! router, local D1's SQLite), summed, read from `/proc` about every 10 s.
//! Where `/proc` cannot be read (not Linux) there are no samples and the
//! report says so.

/// One reading: seconds into the run, and workerd's resident KiB.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Sample {
    pub at_s: f64,
    pub rss_kib: u64,
}

/// `(command, process group)` from a `/proc/<pid>/stat` line; the command
/// may hold spaces and parentheses, so it is cut at the last `)`.
fn command_and_group(stat: &str) -> Option<(&str, u32)> {
    let (open, close) = (stat.find('(')?, stat.rfind(')')?);
    let command = stat.get(open + 1..close)?;
    // After the command: state, ppid, pgrp.
    let pgrp = stat
        .get(close + 1..)?
        .split_whitespace()
        .nth(2)?
        .parse()
        .ok()?;
    Some((command, pgrp))
}

/// `VmRSS` in KiB from a `/proc/<pid>/status` text.
fn vm_rss_kib(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// The summed resident KiB of the `workerd` processes in group `pgid`;
/// `None` when there are none (or no `/proc`).
pub(super) fn workerd_rss_kib(pgid: u32) -> Option<u64> {
    let mut total = None;
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        if command_and_group(&stat) != Some(("workerd", pgid)) {
            continue;
        }
        let status = std::fs::read_to_string(entry.path().join("status")).unwrap_or_default();
        if let Some(kib) = vm_rss_kib(&status) {
            *total.get_or_insert(0) += kib;
        }
    }
    total
}

/// What the samples say: first, smallest, largest and last, and the growth
/// from the first quarter of the run to the last (medians of each, so one
/// garbage collection does not decide it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Trend {
    pub first: u64,
    pub min: u64,
    pub max: u64,
    pub last: u64,
    /// Median of the last quarter minus median of the first, KiB.
    pub growth_kib: i64,
}

/// Growth below this share of the first quarter's median is noise.
const FLAT_SHARE: f64 = 0.10;

impl Trend {
    pub fn of(samples: &[Sample]) -> Option<Self> {
        let rss: Vec<u64> = samples.iter().map(|s| s.rss_kib).collect();
        let (&first, &last) = (rss.first()?, rss.last()?);
        let quarter = rss.len().div_ceil(4);
        let median = |part: &[u64]| {
            let mut v = part.to_vec();
            v.sort_unstable();
            v.get(v.len() / 2).copied().unwrap_or(0)
        };
        let early = median(rss.get(..quarter)?);
        let late = median(rss.get(rss.len() - quarter..)?);
        Some(Self {
            first,
            min: rss.iter().copied().min()?,
            max: rss.iter().copied().max()?,
            last,
            growth_kib: i64::try_from(late).unwrap_or(i64::MAX)
                - i64::try_from(early).unwrap_or(i64::MAX),
        })
    }

    /// Whether the last quarter sits clearly above the first.
    pub fn grows(&self) -> bool {
        #[allow(clippy::cast_precision_loss)]
        let noise = (self.first as f64 * FLAT_SHARE).max(4096.0);
        #[allow(clippy::cast_precision_loss)]
        let grew = self.growth_kib as f64 > noise;
        grew
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_and_group_come_from_the_stat_line() {
        let stat = "4242 (workerd) S 4200 4100 4100 0 -1 4194560 100 0 0 0 12 3 0 0 20 0 9 0";
        assert_eq!(command_and_group(stat), Some(("workerd", 4100)));
        let odd = "7 (a (b) c) R 1 77 77 0";
        assert_eq!(command_and_group(odd), Some(("a (b) c", 77)));
        assert_eq!(command_and_group("garbage"), None);
    }

    #[test]
    fn the_resident_set_is_read_in_kib() {
        let status = "Name:\tworkerd\nVmPeak:\t 900 kB\nVmRSS:\t  123456 kB\nThreads:\t9\n";
        assert_eq!(vm_rss_kib(status), Some(123_456));
        assert_eq!(vm_rss_kib("Name:\tzombie\n"), None);
    }

    fn samples(rss: &[u64]) -> Vec<Sample> {
        rss.iter()
            .enumerate()
            .map(|(i, &rss_kib)| Sample {
                #[allow(clippy::cast_precision_loss)]
                at_s: i as f64 * 10.0,
                rss_kib,
            })
            .collect()
    }

    #[test]
    fn a_steady_worker_does_not_grow() {
        let t = Trend::of(&samples(&[
            100_000, 120_000, 110_000, 115_000, 112_000, 118_000, 111_000, 114_000,
        ]))
        .unwrap();
        assert_eq!(
            (t.first, t.min, t.max, t.last),
            (100_000, 100_000, 120_000, 114_000)
        );
        assert!(!t.grows(), "{t:?}");
    }

    #[test]
    fn a_leak_is_growth() {
        let rising: Vec<u64> = (0..12).map(|i| 100_000 + i * 10_000).collect();
        let t = Trend::of(&samples(&rising)).unwrap();
        assert_eq!(t.growth_kib, 200_000 - 110_000);
        assert!(t.grows());
        assert_eq!(Trend::of(&[]), None);
    }
}
