//! Why a piece of the end-to-end set-up failed. Every variant names what was being done
//! and carries what a reader of a failed run needs (the last answer seen, a log tail).

use std::time::Duration;

/// A failure of the end-to-end fixtures.
#[derive(Debug, thiserror::Error)]
pub enum E2eError {
    /// A file, directory or process could not be used.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A wait ran out.
    #[error("waited {waited:?} in vain for {what}; last seen: {last}")]
    Timeout {
        /// What was awaited.
        what: String,
        /// How long.
        waited: Duration,
        /// The last observation, for the failure message.
        last: String,
    },
    /// A process ended while something still needed it.
    #[error("{name} exited while {what}; its log ends:\n{log_tail}")]
    Exited {
        /// The process.
        name: String,
        /// What it was needed for.
        what: String,
        /// The end of its log.
        log_tail: String,
    },
    /// An HTTP request failed below the status line (no answer, unreadable body).
    #[error("{method} {url}: {message}")]
    Http {
        /// GET, POST.
        method: &'static str,
        /// The URL.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// The machine lacks something the tests need, or a tool refused to work.
    #[error("{0}")]
    Setup(String),
}

impl E2eError {
    /// An [`E2eError::Io`] naming `what`.
    pub fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> Self {
        let what = what.into();
        move |source| Self::Io { what, source }
    }
}

/// Result of the fixtures.
pub type Result<T> = std::result::Result<T, E2eError>;
