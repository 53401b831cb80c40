//! Who this process is, in a form other processes can check: `host/pid/start/instance`.
//!
//! Leases carry it. A lease is taken back from another process only when it expired, or when that
//! process is provably gone: same host, and no process with that pid and start time exists. The
//! start time makes a reused pid harmless; the instance tells two engines in one process apart.

use std::sync::Arc;

/// This process's identity as lease owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProcessOwner(Arc<str>);

impl ProcessOwner {
    /// `instance` comes from the caller's randomness, so two engines never share an identity.
    pub(crate) fn this_process(instance: u64) -> ProcessOwner {
        let pid = std::process::id();
        let start = process_start(pid).unwrap_or(0);
        ProcessOwner(Arc::from(format!("{}/{pid}/{start}/{instance:016x}", host_name())))
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `owner` names a process that no longer exists. False whenever that cannot be proven
    /// (another host, another OS, an unreadable owner), so the lease's expiry decides instead.
    pub(crate) fn is_gone(&self, owner: &str) -> bool {
        if owner == self.as_str() {
            return false;
        }
        let mut parts = owner.split('/');
        let (Some(host), Some(pid), Some(start)) = (parts.next(), parts.next(), parts.next()) else {
            return false;
        };
        let (Ok(pid), Ok(start)) = (pid.parse::<u32>(), start.parse::<u64>()) else { return false };
        if host != host_name() || !cfg!(target_os = "linux") {
            return false;
        }
        if pid == std::process::id() {
            // Another engine in this very process (a test, the desktop app's fallback): alive.
            return false;
        }
        match process_start(pid) {
            None => true,
            // The pid was reused by a younger process: the owner is gone all the same.
            Some(now_start) => start != 0 && now_start != start,
        }
    }
}

/// The machine's name, as leases record it.
fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().replace('/', "_"))
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_string())
}

/// When process `pid` started, in clock ticks since boot (field 22 of /proc/PID/stat); None when
/// there is no such process, or on a system without /proc.
fn process_start(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces and parentheses; fields after the last ')' are plain.
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(19)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_finished_child_is_gone() {
        let me = ProcessOwner::this_process(1);
        let other_engine_here = ProcessOwner::this_process(2);
        assert!(!me.is_gone(other_engine_here.as_str()), "another engine in this process is alive");
        assert_ne!(me, other_engine_here, "but has its own identity");
        if !cfg!(target_os = "linux") {
            return;
        }
        let mut child = std::process::Command::new("true").spawn().expect("`true` runs");
        let pid = child.id();
        let start = process_start(pid).unwrap_or(1);
        let owner = format!("{}/{pid}/{start}/00", host_name());
        child.wait().expect("the child ends");
        assert!(me.is_gone(&owner), "a process that exited is provably gone: {owner}");
        let elsewhere = format!("another-host/{pid}/{start}/00");
        assert!(!me.is_gone(&elsewhere), "a process on another host cannot be checked, so it is not called gone");
        assert!(!me.is_gone("garbage"), "an unreadable owner is not called gone");
    }
}
