//! Readiness waits: poll a condition until it holds or a deadline passes. Deadlines are
//! liveness guards (how long a broken run may hang), never assertions about speed.

use std::time::{Duration, Instant};

use crate::error::{E2eError, Result};

/// How long to wait for a process or a chain of processes to do something a working
/// system does in well under a second; generous because CI machines are shared.
pub const LIVENESS: Duration = Duration::from_secs(60);
/// Pause between two polls.
const POLL: Duration = Duration::from_millis(50);

/// Calls `probe` until it returns `Ok`, at most for `timeout`. `probe` returns
/// `Err(observation)` while the condition does not hold yet; the last observation ends
/// up in the timeout error. Fixture errors (a dead process) end the wait at once.
pub fn wait_for<T>(
    what: &str,
    timeout: Duration,
    mut probe: impl FnMut() -> Result<std::result::Result<T, String>>,
) -> Result<T> {
    let start = Instant::now();
    loop {
        let last = match probe()? {
            Ok(value) => return Ok(value),
            Err(observation) => observation,
        };
        if start.elapsed() >= timeout {
            return Err(E2eError::Timeout {
                what: what.to_owned(),
                waited: start.elapsed(),
                last,
            });
        }
        std::thread::sleep(POLL);
    }
}
