//! A spawned binary under test: its standard output arrives line by line for readiness
//! waits, its standard error goes to a log file kept for the failure message, and the
//! process is killed (SIGKILL) when the guard is dropped, so a failing test leaves no
//! stray process behind.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use crate::error::{E2eError, Result};

/// How much of a log a failure message quotes.
const LOG_TAIL: usize = 4000;

/// A running process; SIGKILLed on drop.
#[derive(Debug)]
pub struct Process {
    name: String,
    child: Child,
    log: PathBuf,
    lines: Receiver<String>,
}

impl Process {
    /// Spawns `command` as `name`, its stderr appended to `log`.
    pub fn spawn(name: &str, mut command: Command, log: &Path) -> Result<Self> {
        let stderr = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .map_err(E2eError::io(format!("opening {}", log.display())))?;
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr);
        let mut child = command
            .spawn()
            .map_err(E2eError::io(format!("starting {name} ({command:?})")))?;
        let (tx, lines) = mpsc::channel();
        if let Some(stdout) = child.stdout.take() {
            std::thread::spawn(move || {
                for line in BufReader::new(stdout)
                    .lines()
                    .map_while(std::io::Result::ok)
                {
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        Ok(Self {
            name: name.to_owned(),
            child,
            log: log.to_owned(),
            lines,
        })
    }

    /// The next stdout line that starts with `prefix`, without the prefix; earlier lines
    /// are skipped.
    pub fn wait_line(&mut self, prefix: &str, timeout: Duration) -> Result<String> {
        let start = Instant::now();
        loop {
            let left = timeout.saturating_sub(start.elapsed());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    if let Some(rest) = line.strip_prefix(prefix) {
                        return Ok(rest.to_owned());
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    return Err(E2eError::Timeout {
                        what: format!("{} to print `{prefix}…`", self.name),
                        waited: start.elapsed(),
                        last: self.log_tail(),
                    });
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(self.exited(&format!("waiting for `{prefix}…` on stdout")));
                }
            }
        }
    }

    /// Fails with [`E2eError::Exited`] if the process has ended.
    pub fn check_running(&mut self, what: &str) -> Result<()> {
        match self.child.try_wait() {
            Ok(None) => Ok(()),
            Ok(Some(_)) | Err(_) => Err(self.exited(what)),
        }
    }

    /// SIGKILL (`kill -9`): no shutdown code runs. Waits until the process is gone.
    pub fn kill(&mut self) {
        // An error means the process already exited, which is what is wanted.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// The end of the process's log.
    fn log_tail(&self) -> String {
        log_tail(&self.log)
    }

    fn exited(&mut self, what: &str) -> E2eError {
        let status = match self.child.try_wait() {
            Ok(Some(status)) => status.to_string(),
            _ => "stdout closed".to_owned(),
        };
        E2eError::Exited {
            name: format!("{} ({status})", self.name),
            what: what.to_owned(),
            log_tail: self.log_tail(),
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The last few kilobytes of the file at `path` (empty if unreadable).
fn log_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut start = text.len().saturating_sub(LOG_TAIL);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    text.get(start..).unwrap_or_default().to_owned()
}
