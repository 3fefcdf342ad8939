//! Running external commands and measuring them: the one place vigil starts a child process
//! it has to time, bound or stop (benchmarks, test commands, services).
//!
//! [`run`] starts a command — a shell line run by `/bin/sh -c`, or an argument vector run
//! directly — with extra environment variables, a working folder and an optional timeout, and
//! returns how it ended with its wall time, user and system CPU time and peak resident memory.
//!
//! **Process group.** The child is made the leader of a new process group, so that everything
//! it starts can be stopped together: on timeout or interruption the whole group gets
//! `SIGTERM`, then `SIGKILL` after [`GRACE`]. When the leader exits on its own, whatever it
//! left running in its group is killed too, so no benchmark or test leaves processes behind
//! (a process that moves itself to another session, like a daemon, is out of reach). Because
//! the group is not the terminal's foreground group, a Ctrl-C typed at the terminal does not
//! reach the child: vigil stops it itself.
//!
//! **Interruption.** [`install_signal_handlers`] (called by `run`, so any code that starts a
//! child has it) turns the first `SIGINT` or `SIGTERM` into a flag, [`interrupted`], that `run`
//! polls every [`POLL`] to stop the child; long loops (the monitor) poll it too. A second
//! signal ends vigil at once with exit code 2, for the case where something does not stop.
//!
//! **Measurements.** The wall time runs from just before the spawn to the moment the leader's
//! exit is seen, so it includes process creation (as hyperfine's does). CPU times and the peak
//! resident set size come from `wait4(2)`: they cover the leader and every descendant it waited
//! for (a shell that runs a pipeline and waits for it reports the pipeline's CPU time, and the
//! largest peak of any of them). Descendants killed as leftovers are not counted. Linux reports
//! the peak in KiB and macOS in bytes; [`Finished::peak_rss_bytes`] is always bytes.
//!
//! **Output.** Captured output goes to an unlinked temporary file rather than a pipe: a child
//! can never block on a full pipe, no reader thread is needed, and a leftover process holding
//! the descriptor cannot make vigil wait.
//!
//! Only Unix systems are supported; elsewhere [`run`] returns an error saying so.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Result;

/// How often a running child is checked for a timeout or an interruption.
pub const POLL: Duration = Duration::from_millis(20);
/// Time a process group gets between `SIGTERM` and `SIGKILL`.
pub const GRACE: Duration = Duration::from_secs(1);

/// Set by the first `SIGINT` or `SIGTERM` once [`install_signal_handlers`] ran.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Whether vigil received `SIGINT` or `SIGTERM` since the handlers were installed.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Install the `SIGINT`/`SIGTERM` handlers once: the first signal sets [`interrupted`], a second
/// one exits with code 2. Calling it again does nothing.
pub fn install_signal_handlers() -> Result<()> {
    static INSTALLED: std::sync::OnceLock<std::result::Result<(), String>> =
        std::sync::OnceLock::new();
    INSTALLED
        .get_or_init(signals::install)
        .clone()
        .map_err(|e| anyhow::anyhow!("installing the SIGINT/SIGTERM handlers: {e}"))
}

#[cfg(unix)]
mod signals {
    use super::INTERRUPTED;

    pub(super) fn install() -> std::result::Result<(), String> {
        for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            // Order matters: the shutdown hook sees the flag before this signal sets it, so
            // only a second signal exits.
            signal_hook::flag::register_conditional_shutdown(sig, 2, &INTERRUPTED)
                .map_err(|e| e.to_string())?;
            signal_hook::flag::register(sig, &INTERRUPTED).map_err(|e| e.to_string())?;
        }
        Ok(())
    }
}

#[cfg(not(unix))]
mod signals {
    pub(super) fn install() -> std::result::Result<(), String> {
        Ok(())
    }
}

/// What to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Program {
    /// A command line for `/bin/sh -c`.
    Shell(String),
    /// A program and its arguments, run without a shell; the program is looked up in `PATH`.
    Argv(Vec<String>),
}

impl Program {
    /// The command as a user would type it.
    pub fn display(&self) -> String {
        match self {
            Self::Shell(line) => line.clone(),
            Self::Argv(args) => args
                .iter()
                .map(|a| {
                    if a.is_empty() || a.contains(|c: char| c.is_whitespace() || c == '\'') {
                        format!("'{}'", a.replace('\'', r"'\''"))
                    } else {
                        a.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(" "),
        }
    }
}

/// What to keep of an output stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Capture {
    /// Send it to the null device.
    #[default]
    Discard,
    /// Keep the first this many bytes.
    First(usize),
    /// Keep the last this many bytes.
    Last(usize),
}

/// A command to run once.
#[derive(Debug, Clone)]
pub struct Invocation {
    /// The command.
    pub program: Program,
    /// Working folder.
    pub cwd: PathBuf,
    /// Variables added to (or replacing those of) vigil's own environment.
    pub env: BTreeMap<String, String>,
    /// Stop the command after this long; `None` waits for ever.
    pub timeout: Option<Duration>,
    /// What to keep of standard output.
    pub stdout: Capture,
    /// What to keep of standard error.
    pub stderr: Capture,
}

impl Invocation {
    /// `program` in `cwd`, with no extra environment, no timeout and output discarded.
    pub fn new(program: Program, cwd: impl Into<PathBuf>) -> Self {
        Self {
            program,
            cwd: cwd.into(),
            env: BTreeMap::new(),
            timeout: None,
            stdout: Capture::Discard,
            stderr: Capture::Discard,
        }
    }
}

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// It exited with this status code.
    Exited(i32),
    /// A signal (this number) killed it, and vigil did not send it.
    Signaled(i32),
    /// It ran past its timeout and was stopped.
    TimedOut,
    /// vigil was interrupted (or the caller cancelled) and stopped it.
    Interrupted,
}

impl End {
    /// Whether the command exited with status 0.
    pub fn is_success(self) -> bool {
        self == Self::Exited(0)
    }

    /// Short description, e.g. `exited with status 3`.
    pub fn describe(self) -> String {
        match self {
            Self::Exited(code) => format!("exited with status {code}"),
            Self::Signaled(sig) => format!("was killed by signal {sig}"),
            Self::TimedOut => "timed out".to_owned(),
            Self::Interrupted => "was interrupted".to_owned(),
        }
    }
}

/// A finished command and its measurements.
#[derive(Debug, Clone, PartialEq)]
pub struct Finished {
    /// How it ended.
    pub end: End,
    /// Wall time from spawn to exit.
    pub wall: Duration,
    /// CPU time in user mode of the command and the descendants it waited for.
    pub user_cpu: Duration,
    /// CPU time in kernel mode of the command and the descendants it waited for.
    pub system_cpu: Duration,
    /// Largest resident set size of the command or a descendant it waited for, in bytes.
    pub peak_rss_bytes: u64,
    /// Kept standard output (see [`Invocation::stdout`]).
    pub stdout: Vec<u8>,
    /// Kept standard error (see [`Invocation::stderr`]).
    pub stderr: Vec<u8>,
}

/// Run `inv` to its end, stopping it early when it times out, when vigil is interrupted, or
/// when `cancel` becomes true.
///
/// Errors only when the command cannot be started (missing program, bad working folder) or the
/// system refuses to wait for it; a command that fails is an [`End`], not an error.
pub fn run(inv: &Invocation, cancel: &AtomicBool) -> Result<Finished> {
    install_signal_handlers()?;
    imp::run(inv, cancel)
}

#[cfg(unix)]
mod imp {
    use std::fs::File;
    use std::io::{Read, Seek, SeekFrom};
    use std::os::unix::process::CommandExt;
    use std::process::{Command, Stdio};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::{Duration, Instant};

    use anyhow::{Context, Result};
    use crossbeam_channel::{Receiver, RecvTimeoutError};

    use super::{Capture, End, Finished, GRACE, INTERRUPTED, Invocation, POLL, Program};

    pub(super) fn run(inv: &Invocation, cancel: &AtomicBool) -> Result<Finished> {
        let mut cmd = match &inv.program {
            Program::Shell(line) => {
                let mut c = Command::new("/bin/sh");
                c.arg("-c").arg(line);
                c
            }
            Program::Argv(args) => {
                let (first, rest) = args
                    .split_first()
                    .context("the command is an empty list; name a program to run")?;
                let mut c = Command::new(first);
                c.args(rest);
                c
            }
        };
        let stdout = capture_file(inv.stdout)?;
        let stderr = capture_file(inv.stderr)?;
        cmd.current_dir(&inv.cwd)
            .envs(&inv.env)
            .stdin(Stdio::null())
            .stdout(stdio(stdout.as_ref())?)
            .stderr(stdio(stderr.as_ref())?)
            .process_group(0);

        let start = Instant::now();
        let child = cmd.spawn().with_context(|| {
            format!(
                "cannot start `{}` in {}",
                inv.program.display(),
                inv.cwd.display()
            )
        })?;
        let pid = libc::pid_t::try_from(child.id()).context("process id out of range")?;
        // The child is waited for below with waitid/wait4, never through `child`.
        drop(child);

        let (done_tx, done_rx) = crossbeam_channel::bounded::<()>(1);
        let (wall, verdict) = std::thread::scope(|s| {
            let watchdog = s.spawn(|| watch(pid, inv.timeout, cancel, &done_rx));
            let exited = wait_exited(pid);
            let wall = start.elapsed();
            // The watchdog ends as soon as it sees this (or the channel closing).
            drop(done_tx);
            let verdict = watchdog.join().unwrap_or(None);
            (exited.map(|()| wall), verdict)
        });
        let wall = wall?;
        // The leader is a zombie until reaped, so its group id still names only its group:
        // kill whatever it left behind, then reap it.
        signal_group(pid, libc::SIGKILL);
        let (status, usage) = reap(pid)?;
        let end = verdict.unwrap_or_else(|| {
            if libc::WIFEXITED(status) {
                End::Exited(libc::WEXITSTATUS(status))
            } else if libc::WIFSIGNALED(status) {
                End::Signaled(libc::WTERMSIG(status))
            } else {
                End::Exited(-1)
            }
        });
        Ok(Finished {
            end,
            wall,
            user_cpu: duration(usage.ru_utime),
            system_cpu: duration(usage.ru_stime),
            peak_rss_bytes: peak_rss_bytes(usage.ru_maxrss),
            stdout: read_capture(stdout, inv.stdout)?,
            stderr: read_capture(stderr, inv.stderr)?,
        })
    }

    /// Stop the group when the timeout passes or an interruption comes, unless `done` says the
    /// leader exited first. Returns why it stopped the group, if it did.
    fn watch(
        pid: libc::pid_t,
        timeout: Option<Duration>,
        cancel: &AtomicBool,
        done: &Receiver<()>,
    ) -> Option<End> {
        let start = Instant::now();
        loop {
            let wait = timeout.map_or(POLL, |t| t.saturating_sub(start.elapsed()).min(POLL));
            match done.recv_timeout(wait) {
                Ok(()) | Err(RecvTimeoutError::Disconnected) => return None,
                Err(RecvTimeoutError::Timeout) => {}
            }
            let verdict = if cancel.load(Ordering::SeqCst) || INTERRUPTED.load(Ordering::SeqCst) {
                End::Interrupted
            } else if timeout.is_some_and(|t| start.elapsed() >= t) {
                End::TimedOut
            } else {
                continue;
            };
            signal_group(pid, libc::SIGTERM);
            if matches!(done.recv_timeout(GRACE), Err(RecvTimeoutError::Timeout)) {
                signal_group(pid, libc::SIGKILL);
            }
            return Some(verdict);
        }
    }

    /// Block until `pid` has exited, without reaping it.
    fn wait_exited(pid: libc::pid_t) -> Result<()> {
        loop {
            // SAFETY: `info` is a plain C struct the call fills in; zeroed is a valid value.
            let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
            // SAFETY: waitid only writes into `info`, which outlives the call.
            let r = unsafe {
                libc::waitid(
                    libc::P_PID,
                    libc::id_t::try_from(pid).unwrap_or_default(),
                    &mut info,
                    libc::WEXITED | libc::WNOWAIT,
                )
            };
            if r == 0 {
                return Ok(());
            }
            let err = std::io::Error::last_os_error();
            if err.kind() != std::io::ErrorKind::Interrupted {
                return Err(err).context("waiting for a child process");
            }
        }
    }

    /// Reap `pid`, returning its wait status and resource usage.
    fn reap(pid: libc::pid_t) -> Result<(libc::c_int, libc::rusage)> {
        loop {
            let mut status: libc::c_int = 0;
            // SAFETY: `rusage` is a plain C struct the call fills in; zeroed is a valid value.
            let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
            // SAFETY: wait4 only writes into `status` and `usage`, which outlive the call.
            let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
            if r == pid {
                return Ok((status, usage));
            }
            let err = std::io::Error::last_os_error();
            if err.kind() != std::io::ErrorKind::Interrupted {
                return Err(err).context("collecting a child process");
            }
        }
    }

    /// Send `sig` to the process group led by `pid`; a group that no longer exists is fine.
    fn signal_group(pid: libc::pid_t, sig: libc::c_int) {
        // SAFETY: kill has no memory effects; a negative pid addresses the group.
        unsafe {
            libc::kill(-pid, sig);
        }
    }

    fn duration(tv: libc::timeval) -> Duration {
        let secs = u64::try_from(tv.tv_sec).unwrap_or(0);
        let micros = u32::try_from(tv.tv_usec).unwrap_or(0);
        Duration::from_secs(secs) + Duration::from_micros(u64::from(micros))
    }

    fn peak_rss_bytes(maxrss: libc::c_long) -> u64 {
        let v = u64::try_from(maxrss).unwrap_or(0);
        if cfg!(target_os = "macos") {
            v
        } else {
            v.saturating_mul(1024)
        }
    }

    fn capture_file(capture: Capture) -> Result<Option<File>> {
        match capture {
            Capture::Discard => Ok(None),
            Capture::First(_) | Capture::Last(_) => tempfile::tempfile()
                .map(Some)
                .context("creating a temporary file for a command's output"),
        }
    }

    fn stdio(file: Option<&File>) -> Result<Stdio> {
        match file {
            None => Ok(Stdio::null()),
            Some(f) => Ok(Stdio::from(
                f.try_clone()
                    .context("sharing a temporary file with a command")?,
            )),
        }
    }

    fn read_capture(file: Option<File>, capture: Capture) -> Result<Vec<u8>> {
        let Some(mut file) = file else {
            return Ok(Vec::new());
        };
        let len = file.seek(SeekFrom::End(0))?;
        let (from, limit) = match capture {
            Capture::Discard => return Ok(Vec::new()),
            Capture::First(n) => (0, n as u64),
            Capture::Last(n) => (len.saturating_sub(n as u64), n as u64),
        };
        file.seek(SeekFrom::Start(from))?;
        let mut out = Vec::new();
        file.take(limit)
            .read_to_end(&mut out)
            .context("reading a command's output")?;
        Ok(out)
    }
}

#[cfg(not(unix))]
mod imp {
    use std::sync::atomic::AtomicBool;

    use anyhow::{Result, bail};

    use super::{Finished, Invocation};

    pub(super) fn run(inv: &Invocation, _cancel: &AtomicBool) -> Result<Finished> {
        bail!(
            "cannot run `{}`: measuring commands needs a Unix system",
            inv.program.display()
        )
    }
}

/// Test helper: whether `pid` is gone (or a zombie nobody reaped yet, which runs no code),
/// waiting up to two seconds, since a killed process may take a moment to disappear.
#[cfg(all(test, unix))]
pub(crate) fn is_gone(pid: i32) -> bool {
    for _ in 0..100 {
        // SAFETY: signal 0 only checks for existence.
        let alive = unsafe { libc::kill(pid, 0) } == 0;
        let zombie = std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|s| {
                s.rsplit_once(')')
                    .map(|(_, rest)| rest.trim_start().starts_with('Z'))
            })
            .unwrap_or(false);
        if !alive || zombie {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::time::Instant;

    fn sh(line: &str) -> Invocation {
        Invocation::new(Program::Shell(line.to_owned()), std::env::temp_dir())
    }

    fn never() -> AtomicBool {
        AtomicBool::new(false)
    }

    #[test]
    fn exit_status_and_wall_time() {
        let done = run(&sh("sleep 0.05; exit 3"), &never()).expect("runs");
        assert_eq!(done.end, End::Exited(3));
        assert!(!done.end.is_success());
        assert!(done.wall >= Duration::from_millis(50), "{:?}", done.wall);
        assert!(done.wall < Duration::from_secs(2), "{:?}", done.wall);
        let ok = run(&sh("true"), &never()).expect("runs");
        assert!(ok.end.is_success());
    }

    #[test]
    fn argv_runs_without_a_shell_and_env_and_cwd_apply() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut inv = Invocation::new(
            Program::Argv(vec![
                "sh".into(),
                "-c".into(),
                "printf '%s %s' \"$GREETING\" \"$(pwd)\"".into(),
            ]),
            dir.path(),
        );
        inv.env.insert("GREETING".into(), "hello there".into());
        inv.stdout = Capture::First(1024);
        let done = run(&inv, &never()).expect("runs");
        let text = String::from_utf8(done.stdout).expect("utf-8");
        let cwd = dir.path().canonicalize().expect("canonical");
        assert_eq!(text, format!("hello there {}", cwd.display()));
    }

    #[test]
    fn captures_first_or_last_bytes() {
        let mut inv = sh("printf 'abcdefghij'; printf 'KLMNOPQRST' >&2");
        inv.stdout = Capture::First(4);
        inv.stderr = Capture::Last(3);
        let done = run(&inv, &never()).expect("runs");
        assert_eq!(done.stdout, b"abcd");
        assert_eq!(done.stderr, b"RST");
    }

    #[test]
    fn a_missing_program_is_an_error() {
        let inv = Invocation::new(
            Program::Argv(vec!["vigil-no-such-program-xyz".into()]),
            std::env::temp_dir(),
        );
        let err = run(&inv, &never()).expect_err("cannot start");
        assert!(
            format!("{err:#}").contains("vigil-no-such-program-xyz"),
            "{err:#}"
        );
        let empty = Invocation::new(Program::Argv(vec![]), std::env::temp_dir());
        assert!(run(&empty, &never()).is_err());
    }

    #[test]
    fn timeout_kills_the_whole_group() {
        let dir = tempfile::tempdir().expect("tmp");
        let pids = dir.path().join("pids");
        // The grandchild (the background sleep) is in the child's group and must die too.
        let mut inv = sh(&format!(
            "sleep 30 & echo $! > {p}; echo $$ >> {p}; wait",
            p = pids.display()
        ));
        inv.timeout = Some(Duration::from_millis(200));
        let start = Instant::now();
        let done = run(&inv, &never()).expect("runs");
        assert_eq!(done.end, End::TimedOut);
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{:?}",
            start.elapsed()
        );
        for pid in read_pids(&pids) {
            assert!(is_gone(pid), "process {pid} survived the timeout");
        }
    }

    #[test]
    fn leftovers_are_killed_when_the_leader_exits() {
        let dir = tempfile::tempdir().expect("tmp");
        let pids = dir.path().join("pids");
        let inv = sh(&format!("sleep 30 & echo $! > {}", pids.display()));
        let done = run(&inv, &never()).expect("runs");
        assert!(done.end.is_success());
        let pids = read_pids(&pids);
        assert_eq!(pids.len(), 1);
        assert!(is_gone(pids[0]), "the background sleep was left running");
    }

    #[test]
    fn cancel_stops_the_command_promptly() {
        let cancel = AtomicBool::new(false);
        let start = Instant::now();
        let done = std::thread::scope(|s| {
            s.spawn(|| {
                std::thread::sleep(Duration::from_millis(100));
                cancel.store(true, Ordering::SeqCst);
            });
            run(&sh("sleep 30"), &cancel).expect("runs")
        });
        assert_eq!(done.end, End::Interrupted);
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "{:?}",
            start.elapsed()
        );
    }

    #[test]
    fn a_command_ignoring_sigterm_is_killed_after_the_grace_period() {
        let mut inv = sh("trap '' TERM; sleep 30 & wait; wait");
        inv.timeout = Some(Duration::from_millis(100));
        let start = Instant::now();
        let done = run(&inv, &never()).expect("runs");
        assert_eq!(done.end, End::TimedOut);
        let took = start.elapsed();
        assert!(took >= GRACE, "{took:?}");
        assert!(took < GRACE + Duration::from_secs(3), "{took:?}");
    }

    #[test]
    fn cpu_time_and_peak_memory_of_waited_descendants() {
        // A shell holding ~100 MB in a variable: only coreutils and sh are needed.
        let inv = sh("x=$(head -c 100000000 /dev/zero | tr '\\0' a); echo ${#x} > /dev/null");
        let done = run(&inv, &never()).expect("runs");
        assert!(done.end.is_success(), "{:?}", done.end);
        assert!(
            done.peak_rss_bytes >= 100_000_000,
            "peak RSS {} bytes",
            done.peak_rss_bytes
        );
        // Busy work in a child the shell waits for shows up as CPU time.
        let busy = run(
            &sh("i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done"),
            &never(),
        )
        .expect("runs");
        assert!(
            busy.user_cpu + busy.system_cpu >= Duration::from_millis(20),
            "{:?} + {:?}",
            busy.user_cpu,
            busy.system_cpu
        );
        assert!(busy.user_cpu + busy.system_cpu <= busy.wall + Duration::from_millis(50));
    }

    #[test]
    fn signals_other_than_ours_are_reported() {
        let done = run(&sh("kill -9 $$"), &never()).expect("runs");
        assert_eq!(done.end, End::Signaled(9));
        assert_eq!(done.end.describe(), "was killed by signal 9");
    }

    #[test]
    fn argv_display_quotes_what_needs_it() {
        let p = Program::Argv(vec!["echo".into(), "a b".into(), "it's".into(), "".into()]);
        assert_eq!(p.display(), r"echo 'a b' 'it'\''s' ''");
    }

    fn read_pids(path: &std::path::Path) -> Vec<i32> {
        std::fs::read_to_string(path)
            .expect("pid file")
            .split_whitespace()
            .map(|p| p.parse().expect("pid"))
            .collect()
    }
}
