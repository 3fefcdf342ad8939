//! A snapshot of the machine a run measured on: CPU model and count, load average, memory, and
//! the disk space of the repository's file system.
//!
//! Benchmark numbers only compare between similar machines; keeping the host's facts with
//! every run (as metrics, so they land in history) lets a reader tell a regression from a
//! slower or busier runner. CPU, memory and load come from the `sysinfo` crate (only its
//! `system` part is compiled); the disk numbers come from `statvfs(3)` on the repository root,
//! which names the file system the repository is actually on, where a list of mounts would have
//! to be matched against the path. The CPU model and system name go to the check's note, since
//! metrics are numbers.

use std::path::Path;

use anyhow::Result;
use sysinfo::{CpuRefreshKind, MemoryRefreshKind, RefreshKind, System};

use crate::model::{Metric, Pipeline};
use crate::pipelines::{Built, Check, CheckContext, CheckSpec, Sink};
use crate::walk::FileIndex;

const DOCS: &str = include_str!("host.md");

/// Registry entry.
pub const SPEC: CheckSpec = CheckSpec {
    id: "host",
    pipeline: Pipeline::Performance,
    rules: &[],
    docs: DOCS,
    build,
};

fn build(_ctx: &CheckContext<'_>) -> Result<Built> {
    Ok(Built::Ready(Box::new(HostCheck)))
}

/// Records the host's resources.
struct HostCheck;

impl Check for HostCheck {
    fn check_repo(
        &self,
        ctx: &CheckContext<'_>,
        _index: &FileIndex,
        sink: &mut Sink,
    ) -> Result<()> {
        Snapshot::take(ctx.root).emit(sink);
        Ok(())
    }
}

/// Memory available to new processes right now, in bytes (0 when unknown).
pub(crate) fn available_memory() -> u64 {
    let sys = System::new_with_specifics(
        RefreshKind::nothing().with_memory(MemoryRefreshKind::nothing().with_ram()),
    );
    sys.available_memory()
}

/// The host's facts at one moment.
#[derive(Debug, Clone, PartialEq)]
struct Snapshot {
    cpu_model: Option<String>,
    logical_cpus: usize,
    physical_cores: Option<usize>,
    /// 1, 5 and 15 minute load averages (`None` where the system has none).
    load: Option<[f64; 3]>,
    memory_total: u64,
    memory_available: u64,
    /// Total and available bytes of the repository's file system.
    disk: Option<(u64, u64)>,
    os: Option<String>,
}

impl Snapshot {
    fn take(root: &Path) -> Self {
        let sys = System::new_with_specifics(
            RefreshKind::nothing()
                .with_cpu(CpuRefreshKind::nothing())
                .with_memory(MemoryRefreshKind::nothing().with_ram()),
        );
        let cpu_model = sys
            .cpus()
            .first()
            .map(|c| c.brand().trim().to_owned())
            .filter(|b| !b.is_empty());
        let logical_cpus = if sys.cpus().is_empty() {
            std::thread::available_parallelism().map_or(0, |n| n.get())
        } else {
            sys.cpus().len()
        };
        let l = System::load_average();
        let load = (cfg!(unix) && (l.one, l.five, l.fifteen) != (0.0, 0.0, 0.0))
            .then_some([l.one, l.five, l.fifteen]);
        Self {
            cpu_model,
            logical_cpus,
            physical_cores: System::physical_core_count(),
            load,
            memory_total: sys.total_memory(),
            memory_available: sys.available_memory(),
            disk: disk_space(root),
            os: System::long_os_version(),
        }
    }

    fn emit(&self, sink: &mut Sink) {
        let count = |name: &str, v: usize| Metric::new(name, v as f64, "count");
        let bytes = |name: &str, v: u64| Metric::new(name, v as f64, "bytes");
        let pct = |part: u64, whole: u64| 100.0 * part as f64 / whole as f64;
        if self.logical_cpus > 0 {
            sink.metric(count("host.cpu_logical", self.logical_cpus));
        }
        if let Some(n) = self.physical_cores {
            sink.metric(count("host.cpu_physical", n));
        }
        if let Some([one, five, fifteen]) = self.load {
            sink.metric(Metric::new("host.load_1m", one, "load"));
            sink.metric(Metric::new("host.load_5m", five, "load"));
            sink.metric(Metric::new("host.load_15m", fifteen, "load"));
        }
        if self.memory_total > 0 {
            sink.metric(bytes("host.memory_total_bytes", self.memory_total));
            sink.metric(bytes("host.memory_available_bytes", self.memory_available));
            sink.metric(Metric::new(
                "host.memory_available_pct",
                pct(self.memory_available, self.memory_total),
                "%",
            ));
        }
        if let Some((total, available)) = self.disk.filter(|(t, _)| *t > 0) {
            sink.metric(bytes("host.disk_total_bytes", total));
            sink.metric(bytes("host.disk_available_bytes", available));
            sink.metric(Metric::new(
                "host.disk_available_pct",
                pct(available, total),
                "%",
            ));
        }
        sink.note(self.describe());
    }

    /// One line for the report, e.g. `host: AMD EPYC, 2 logical CPUs, …`.
    fn describe(&self) -> String {
        let gib = |b: u64| b as f64 / (1024.0 * 1024.0 * 1024.0);
        let mut parts = vec![
            self.cpu_model
                .clone()
                .unwrap_or_else(|| "unknown CPU".to_owned()),
            format!("{} logical CPUs", self.logical_cpus),
        ];
        if let Some(os) = &self.os {
            parts.push(os.clone());
        }
        if let Some([one, five, fifteen]) = self.load {
            parts.push(format!("load {one:.2} {five:.2} {fifteen:.2}"));
        }
        if self.memory_total > 0 {
            parts.push(format!(
                "memory {:.1} of {:.1} GiB available",
                gib(self.memory_available),
                gib(self.memory_total)
            ));
        }
        if let Some((total, available)) = self.disk {
            parts.push(format!(
                "disk {:.1} of {:.1} GiB available",
                gib(available),
                gib(total)
            ));
        }
        format!("host: {}", parts.join(", "))
    }
}

/// Total and available bytes of the file system holding `path`.
#[cfg(unix)]
fn disk_space(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    // SAFETY: `st` is a plain C struct the call fills in; zeroed is a valid value.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is a valid NUL-terminated path and `st` outlives the call.
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
        return None;
    }
    // The field types differ between platforms (u32, u64, c_ulong).
    fn wide<T: TryInto<u64>>(v: T) -> u64 {
        v.try_into().unwrap_or(0)
    }
    let (frsize, blocks, avail) = (wide(st.f_frsize), wide(st.f_blocks), wide(st.f_bavail));
    Some((blocks.saturating_mul(frsize), avail.saturating_mul(frsize)))
}

#[cfg(not(unix))]
fn disk_space(_path: &Path) -> Option<(u64, u64)> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::pipelines::testing::{fixture, run_check_with_metrics};

    #[test]
    fn snapshot_has_the_host_facts() {
        let outcome =
            run_check_with_metrics(&SPEC, &fixture("performance/host"), &Config::default());
        assert!(outcome.findings.is_empty());
        let get = |n: &str| outcome.metric(n).unwrap_or_else(|| panic!("{n} missing"));
        assert!(get("host.cpu_logical") >= 1.0);
        assert!(get("host.memory_total_bytes") > 0.0);
        let avail = get("host.memory_available_pct");
        assert!((0.0..=100.0).contains(&avail), "{avail}");
        let disk = get("host.disk_total_bytes");
        assert!(disk > 0.0);
        assert!(get("host.disk_available_bytes") <= disk);
        #[cfg(target_os = "linux")]
        assert!(get("host.load_1m") >= 0.0);
        assert!(available_memory() > 0);
    }

    #[test]
    fn description_names_cpu_memory_and_disk() {
        let s = Snapshot {
            cpu_model: Some("Test CPU".into()),
            logical_cpus: 4,
            physical_cores: Some(2),
            load: Some([1.0, 0.5, 0.25]),
            memory_total: 8 << 30,
            memory_available: 2 << 30,
            disk: Some((100 << 30, 25 << 30)),
            os: Some("Linux 12".into()),
        };
        assert_eq!(
            s.describe(),
            "host: Test CPU, 4 logical CPUs, Linux 12, load 1.00 0.50 0.25, memory 2.0 of 8.0 \
             GiB available, disk 25.0 of 100.0 GiB available"
        );
        let mut sink = Sink::default();
        s.emit(&mut sink);
        let names: Vec<&str> = sink.metrics.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "host.cpu_logical",
                "host.cpu_physical",
                "host.load_1m",
                "host.load_5m",
                "host.load_15m",
                "host.memory_total_bytes",
                "host.memory_available_bytes",
                "host.memory_available_pct",
                "host.disk_total_bytes",
                "host.disk_available_bytes",
                "host.disk_available_pct"
            ]
        );
        let pct = sink
            .metrics
            .iter()
            .find(|m| m.name == "host.memory_available_pct")
            .map(|m| m.value);
        assert_eq!(pct, Some(25.0));
    }
}
