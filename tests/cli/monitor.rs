//! `vigil monitor`: one cycle, continuous cycles, and a clean stop on SIGTERM that leaves no
//! process behind and no half-written file.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{read, read_json, vigil};

/// A repository whose vigil.yml holds `benchmarks` (YAML list items, indented by 4).
fn repo(benchmarks: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let root = tmp.path().join("repo");
    std::fs::create_dir_all(&root).expect("repo dir");
    std::fs::write(
        root.join("vigil.yml"),
        format!("version: 1\nperformance:\n  benchmarks:\n{benchmarks}"),
    )
    .expect("vigil.yml");
    (tmp, root)
}

const QUICK: &str = "    - { name: quick, command: \"true\", runs: 3, warmup: 0 }\n";

fn records(out: &Path) -> Vec<PathBuf> {
    let Ok(dir) = std::fs::read_dir(out.join("runs")) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = dir.filter_map(|e| e.ok().map(|e| e.path())).collect();
    files.sort();
    files
}

/// Start `vigil monitor ARGS` in the background with a scrubbed environment.
fn spawn_monitor(args: &[&str], root: &Path, out: &Path) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vigil"));
    cmd.env_clear();
    for key in ["PATH", "HOME"] {
        if let Some(v) = std::env::var_os(key) {
            cmd.env(key, v);
        }
    }
    cmd.env("NO_COLOR", "1")
        .arg("monitor")
        .args(args)
        .arg("--out")
        .arg(out)
        .arg(root)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("vigil starts")
}

fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Wait for `child` to exit within `limit`; kill it and fail otherwise.
fn exit_code(child: &mut Child, limit: Duration) -> Option<i32> {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return status.code();
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("vigil monitor did not stop within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn sigterm(child: &Child) {
    let pid = libc::pid_t::try_from(child.id()).expect("pid");
    // SAFETY: kill has no memory effects.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
}

fn stderr_of(child: &mut Child) -> String {
    use std::io::Read;
    let mut s = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut s);
    }
    s
}

/// Every record parses as a history record, and no temporary file is left next to them.
fn assert_history_is_whole(out: &Path) -> usize {
    let files = records(out);
    for f in &files {
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or("");
        assert!(name.ends_with(".json"), "stray file {name} in runs/");
        let text = read(f);
        serde_json::from_str::<vigil::history::HistoryRecord>(&text)
            .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
    }
    files.len()
}

/// Whether `pid` is gone (a zombie nobody reaped yet runs no code).
fn is_gone(pid: i32) -> bool {
    // SAFETY: signal 0 only checks for existence.
    let alive = unsafe { libc::kill(pid, 0) } == 0;
    let zombie = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            s.rsplit_once(')')
                .map(|(_, rest)| rest.trim_start().starts_with('Z'))
        })
        .unwrap_or(false);
    !alive || zombie
}

#[test]
fn once_records_one_cycle_and_exits_like_check() {
    let (tmp, root) = repo(QUICK);
    let out = tmp.path().join("out");
    vigil()
        .args(["monitor", "--once", "--out"])
        .arg(&out)
        .arg(&root)
        .assert()
        .code(0);
    assert_eq!(assert_history_is_whole(&out), 1);
    let report = read_json(&out.join("latest/monitor.json"));
    let perf = &report["pipelines"][0];
    assert_eq!(perf["pipeline"], "performance");
    let metric = |name: &str| {
        perf["metrics"]
            .as_array()
            .expect("metrics")
            .iter()
            .find(|m| m["name"] == name)
            .map(|m| m["value"].clone())
    };
    assert_eq!(metric("performance.quick.samples"), Some(3.0.into()));
    assert!(metric("host.memory_total_bytes").is_some());
    assert!(report["scores"]["performance_score"]["value"].is_number());
    // The history record keeps the per-benchmark statistics the next cycle compares with.
    let record = read_json(&records(&out)[0]);
    assert!(record["metrics"]["performance.quick.mean_ms"].is_number());
    assert!(out.join("logs").is_dir());

    // A failing benchmark fails the error-rate gate: exit 1.
    let (tmp, root) = repo("    - { name: broken, command: \"exit 1\", runs: 2, warmup: 0 }\n");
    let out = tmp.path().join("out");
    let assert = vigil()
        .args(["monitor", "--once", "--out"])
        .arg(&out)
        .arg(&root)
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(err.contains("FAILED error_rate_max"), "{err}");
}

#[test]
fn usage_and_config_errors_exit_2() {
    let (tmp, root) = repo("    - { name: x, command: \"true\", runs: 0 }\n");
    let assert = vigil()
        .args(["monitor", "--once", "--out"])
        .arg(tmp.path().join("out"))
        .arg(&root)
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(err.contains("performance.benchmarks[0].runs"), "{err}");
    vigil()
        .args(["monitor", "--once", "--interval", "5"])
        .arg(&root)
        .assert()
        .code(2);
    vigil()
        .args(["monitor", "--interval", "0"])
        .arg(&root)
        .assert()
        .code(2);
}

#[test]
fn sigterm_mid_cycle_stops_cleanly_and_kills_the_benchmark() {
    // The second benchmark idles (with a grandchild) once `armed` exists, so a cycle can be
    // caught in the middle of a run.
    let (tmp, root) = repo(&format!(
        "{QUICK}    - name: armed\n      command: \"if [ -e armed ]; then sleep 30 & echo $! >> \
         pids; echo $$ >> pids; wait; fi\"\n      runs: 1\n      warmup: 0\n"
    ));
    let out = tmp.path().join("out");
    let mut child = spawn_monitor(&["--interval", "1"], &root, &out);
    wait_for("the first record", Duration::from_secs(60), || {
        !records(&out).is_empty()
    });
    std::fs::write(root.join("armed"), "").expect("arm");
    let pids_file = root.join("pids");
    wait_for("the armed benchmark", Duration::from_secs(30), || {
        std::fs::read_to_string(&pids_file).is_ok_and(|s| s.lines().count() >= 2)
    });
    let recorded_before = records(&out).len();
    sigterm(&child);
    let start = Instant::now();
    let code = exit_code(&mut child, Duration::from_secs(10));
    let stderr = stderr_of(&mut child);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    assert!(
        stderr.contains("interrupted; the unfinished cycle was not recorded"),
        "{stderr}"
    );
    // The interrupted cycle left no record, and every record is whole.
    assert_eq!(assert_history_is_whole(&out), recorded_before);
    for pid in read(&pids_file).split_whitespace() {
        let pid: i32 = pid.parse().expect("pid");
        wait_for(
            &format!("process {pid} to end"),
            Duration::from_secs(5),
            || is_gone(pid),
        );
    }
}

#[test]
fn sigterm_during_the_sleep_ends_it_promptly() {
    let (tmp, root) = repo(QUICK);
    let out = tmp.path().join("out");
    let mut child = spawn_monitor(&["--interval", "3600"], &root, &out);
    wait_for("the first record", Duration::from_secs(60), || {
        !records(&out).is_empty()
    });
    // Give the monitor time to print and fall asleep.
    std::thread::sleep(Duration::from_millis(200));
    sigterm(&child);
    let start = Instant::now();
    let code = exit_code(&mut child, Duration::from_secs(10));
    assert_eq!(code, Some(0), "{}", stderr_of(&mut child));
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(assert_history_is_whole(&out), 1);
}
