//! Per-test working folders and names: each test gets a fresh folder for keys, outboxes,
//! data and logs, and ids no other run on the same broker uses.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::error::{E2eError, Result};

/// A fresh folder, removed when dropped unless the test is failing (its logs are then
/// kept and their path printed).
#[derive(Debug)]
pub struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    /// A new folder under the system temporary folder, named after `test`.
    pub fn new(test: &str) -> Result<Self> {
        let dir = std::env::temp_dir().join(unique(&format!("rfid-trace-e2e-{test}")));
        std::fs::create_dir_all(&dir)
            .map_err(E2eError::io(format!("creating {}", dir.display())))?;
        Ok(Self { dir })
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// A path inside the folder.
    pub fn join(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("test files and logs kept in {}", self.dir.display());
        } else {
            // Best effort: a leftover folder in /tmp harms nothing.
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// `prefix` made unique across processes and runs: process id, time, a counter.
pub fn unique(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{prefix}-{}-{nanos:x}-{n}", std::process::id())
}
