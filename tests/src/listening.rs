//! Which loopback ports a process group listens on, read from `/proc`
//! (Linux). wrangler's local proxy stands between a client and workerd and
//! may rewrite what it forwards (it turns a POST with no body into one with
//! an empty body); a test that must reach workerd as a raw client would —
//! the way Cloudflare's edge hands requests to it — finds workerd's own
//! entry port here.

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// Socket inodes held open by every process of process group `pgid`.
fn socket_inodes(pgid: u32) -> BTreeSet<u64> {
    let mut inodes = BTreeSet::new();
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return inodes;
    };
    for entry in procs.flatten() {
        let path = entry.path();
        let Ok(stat) = std::fs::read_to_string(path.join("stat")) else {
            continue;
        };
        // `pid (comm) state ppid pgrp …`: comm may hold spaces, so count
        // fields after its closing parenthesis.
        let pgrp = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(2))
            .and_then(|p| p.parse::<u32>().ok());
        if pgrp != Some(pgid) {
            continue;
        }
        let Ok(fds) = std::fs::read_dir(path.join("fd")) else {
            continue;
        };
        for fd in fds.flatten() {
            let link = std::fs::read_link(fd.path()).unwrap_or_default();
            let link = link.to_string_lossy();
            if let Some(inode) = link
                .strip_prefix("socket:[")
                .and_then(|s| s.strip_suffix(']'))
                .and_then(|s| s.parse().ok())
            {
                inodes.insert(inode);
            }
        }
    }
    inodes
}

/// TCP ports on 127.0.0.1 in the LISTEN state that process group `pgid`
/// holds.
pub fn loopback_ports_of_group(pgid: u32) -> Vec<u16> {
    let inodes = socket_inodes(pgid);
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap_or_default();
    let mut ports: Vec<u16> = table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let cols: Vec<&str> = line.split_whitespace().collect();
            let (local, state, inode) = (cols.get(1)?, cols.get(3)?, cols.get(9)?);
            let (addr, port) = local.split_once(':')?;
            // 0100007F is 127.0.0.1 (little-endian hex); 0A is LISTEN.
            let ours = addr == "0100007F" && *state == "0A";
            let held = inodes.contains(&inode.parse().ok()?);
            (ours && held)
                .then(|| u16::from_str_radix(port, 16).ok())
                .flatten()
        })
        .collect();
    ports.sort_unstable();
    ports.dedup();
    ports
}

/// Whether `GET /health` on this port gets the Worker's own answer.
pub fn answers_health(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let request =
        format!("GET /health HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).contains("\"ok\":true")
}
