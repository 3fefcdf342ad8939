//! Starting the service under test, waiting until it is ready, and always stopping it.
//!
//! The start command runs through [`crate::process::run`] on a scoped thread, with a cancel
//! flag: setting the flag makes `process::run` stop the service's whole process group
//! (`SIGTERM`, then `SIGKILL` after [`crate::process::GRACE`]) and return. The flag is set by a
//! guard when [`with_service`] is left in any way — normally, by an error, or by a panic of the
//! probes — and the scope joins the thread before returning, so the service is gone when
//! `with_service` returns or unwinds. A `SIGINT`/`SIGTERM` to vigil stops the group too
//! (`process::run` watches [`crate::process::interrupted`]) and makes `with_service` an error.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Result, bail};

use super::probe;
use crate::process::{End, Finished, Invocation};

/// Pause between two readiness requests.
const READY_POLL: Duration = Duration::from_millis(100);
/// Longest a single readiness request may take.
const READY_REQUEST: Duration = Duration::from_secs(2);

/// How starting the service went.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Startup {
    /// Ready after this long (0 when nothing had to be waited for).
    Ready(Duration),
    /// The start command could not be started.
    CouldNotStart(String),
    /// The service ended before it was ready.
    Exited {
        /// How it ended.
        end: End,
        /// The tail of its output.
        output: Vec<u8>,
    },
    /// The readiness URL did not answer 2xx in time.
    NotReady {
        /// How long vigil waited.
        waited: Duration,
        /// The last answer or error of the readiness URL.
        last: String,
    },
}

/// Sets the flag when dropped, so the service is stopped however its scope is left.
struct StopOnDrop<'a>(&'a AtomicBool);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// What [`with_service`] gave.
#[derive(Debug)]
pub(crate) struct Session<T> {
    /// How the start went.
    pub(crate) startup: Startup,
    /// What `work` returned, when the service became ready.
    pub(crate) value: Option<T>,
    /// How the service ended when it stopped on its own while `work` ran.
    pub(crate) died: Option<End>,
}

/// Start the service (when `start` is given), wait until `readiness` answers 2xx within
/// `timeout`, run `work`, then stop the service's process group. `work` runs only when the
/// service became ready. Errors only when vigil is interrupted.
pub(crate) fn with_service<T>(
    start: Option<&Invocation>,
    readiness: Option<&str>,
    timeout: Duration,
    work: impl FnOnce() -> T,
) -> Result<Session<T>> {
    let Some(inv) = start else {
        let startup = wait_ready(readiness, timeout, || false)?;
        let value = matches!(startup, Startup::Ready(_)).then(work);
        return Ok(Session {
            startup,
            value,
            died: None,
        });
    };
    let cancel = AtomicBool::new(false);
    std::thread::scope(|s| {
        let service = s.spawn(|| crate::process::run(inv, &cancel));
        let guard = StopOnDrop(&cancel);
        let startup = wait_ready(readiness, timeout, || service.is_finished())?;
        let value = matches!(startup, Startup::Ready(_)).then(work);
        drop(guard);
        let ended = match service.join() {
            Ok(r) => r,
            Err(_) => bail!("the thread watching the service panicked"),
        };
        if crate::process::interrupted() {
            bail!("interrupted while the service under test was running");
        }
        Ok(settle(startup, value, ended))
    })
}

/// Combine the readiness verdict with how the service process ended.
fn settle<T>(startup: Startup, value: Option<T>, ended: Result<Finished>) -> Session<T> {
    let done = match ended {
        Err(e) => {
            return Session {
                startup: Startup::CouldNotStart(format!("{e:#}")),
                value: None,
                died: None,
            };
        }
        Ok(done) => done,
    };
    let stopped_by_us = done.end == End::Interrupted;
    match startup {
        // `wait_ready` saw the process end before it was ready.
        Startup::Exited { .. } => Session {
            startup: Startup::Exited {
                end: done.end,
                output: [done.stdout, done.stderr].concat(),
            },
            value: None,
            died: None,
        },
        other => Session {
            startup: other,
            value,
            died: (!stopped_by_us).then_some(done.end),
        },
    }
}

/// Poll `url` until it answers 2xx, `exited` says the service ended, or `timeout` passes.
/// Without a URL the service counts as ready at once.
fn wait_ready(url: Option<&str>, timeout: Duration, exited: impl Fn() -> bool) -> Result<Startup> {
    let start = Instant::now();
    let Some(url) = url else {
        return Ok(Startup::Ready(Duration::ZERO));
    };
    let mut last = "no answer yet".to_owned();
    loop {
        if crate::process::interrupted() {
            bail!("interrupted while waiting for the service under test");
        }
        if exited() {
            return Ok(Startup::Exited {
                end: End::Exited(-1),
                output: Vec::new(),
            });
        }
        let left = timeout.saturating_sub(start.elapsed());
        if left.is_zero() {
            return Ok(Startup::NotReady {
                waited: start.elapsed(),
                last,
            });
        }
        match probe::status_of(url, left.min(READY_REQUEST)) {
            Ok(status) if (200..300).contains(&status) => {
                return Ok(Startup::Ready(start.elapsed()));
            }
            Ok(status) => last = format!("it answered {status}"),
            Err(why) => last = why,
        }
        std::thread::sleep(READY_POLL.min(timeout.saturating_sub(start.elapsed())));
    }
}
