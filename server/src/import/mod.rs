//! `trace-server import`: bulk-loads the shared trace workload
//! (`../shared/bench/trace-workload/`, written by its `gen.py`) into a [`Store`], so the
//! store answers the same recall, origin and look-up questions as PostgreSQL on the same
//! files.
//!
//! The four CSV files are read together, each in `event_id` order (as `gen.py` writes
//! them): every `events.csv` row takes the `event_epcs.csv`, `aggregations.csv` and
//! `transformations.csv` rows of its id and becomes one [`Event`](trace_proto::event::Event)
//! ([`build`]). Events are stored as captured (`captured_by: "import"`, no gateway
//! signature) under a key derived from the workload's event id ([`build::key`]), and
//! committed in large [`CommitBatch`]es: one thread parses while the caller's thread
//! commits. Rows that do not parse or disagree stop the import with an error naming the
//! file, line and column.

pub mod build;
pub mod cli;
mod read;
pub mod rows;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::store::{CommitBatch, Store, StoreError};

/// Events per commit: large enough that the per-transaction cost vanishes, small enough
/// that a batch stays tens of megabytes.
pub const BATCH_EVENTS: usize = 25_000;

/// The `meta.json` fields this server uses.
#[derive(Debug, Clone, Deserialize)]
pub struct Meta {
    /// The generator's seed.
    pub seed: u64,
    /// The generator's arguments (`--units` …).
    pub args: serde_json::Map<String, serde_json::Value>,
    /// The recall lot (Q1).
    pub recall_lgtin: String,
    /// Its number of units.
    pub recall_units: u64,
    /// The sold unit whose origin Q2 asks.
    pub q2_epc: String,
    /// The unit Q3 looks up.
    pub q3_epc: String,
    /// Total units.
    pub units: u64,
    /// Rows per file.
    pub rows: MetaRows,
}

/// Row counts per file, as `meta.json` states them.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct MetaRows {
    /// `events.csv`.
    pub events: u64,
    /// `event_epcs.csv`.
    pub event_epcs: u64,
    /// `aggregations.csv`.
    pub aggregations: u64,
    /// `transformations.csv`.
    pub transformations: u64,
}

impl Meta {
    /// Reads `dir/meta.json`.
    pub fn read(dir: &Path) -> Result<Self, ImportError> {
        let path = dir.join("meta.json");
        let text = std::fs::read_to_string(&path).map_err(|source| ImportError::Io {
            path: path.clone(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|e| ImportError::Meta {
            path,
            detail: e.to_string(),
        })
    }

    /// What tells this workload from another generated with other arguments: the seed
    /// and the arguments except the output folder (the same data in another folder is the
    /// same workload). The key of every imported event is derived from it.
    pub fn namespace(&self) -> String {
        let mut args = self.args.clone();
        args.remove("out");
        format!(
            "seed={};args={}",
            self.seed,
            serde_json::Value::Object(args)
        )
    }
}

/// An import failure.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A file could not be read.
    #[error("reading {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// `meta.json` is not the generator's.
    #[error("{path}: {detail}")]
    Meta {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// A field does not parse.
    #[error("{file} line {line}, column {column}: {problem}")]
    Field {
        /// The file name.
        file: &'static str,
        /// 1-based line.
        line: u64,
        /// The column's name.
        column: &'static str,
        /// What is wrong.
        problem: String,
    },
    /// Rows of one file disagree with the others, or are out of `event_id` order.
    #[error("{file} line {line}: {detail}")]
    Inconsistent {
        /// The file name.
        file: &'static str,
        /// 1-based line (of the `events.csv` row when the disagreement is found there).
        line: u64,
        /// What is wrong.
        detail: String,
    },
    /// The thread reading the CSV files panicked (a bug, not bad input).
    #[error("the CSV reader thread stopped unexpectedly")]
    Reader,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// How far an import got; given to the progress callback after each commit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Events committed.
    pub events: u64,
    /// CSV rows read (all four files).
    pub rows: u64,
    /// Events skipped because they were stored already.
    pub duplicates: u64,
    /// Since the import started.
    pub elapsed: Duration,
}

impl Progress {
    /// CSV rows per second so far.
    pub fn rows_per_second(&self) -> f64 {
        self.rows as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Imports the workload in `dir` into `store`; `progress` is called after each commit.
/// Returns the final progress: events stored, rows read, load time.
pub fn import(
    store: &dyn Store,
    dir: &Path,
    mut progress: impl FnMut(Progress),
) -> Result<Progress, ImportError> {
    let meta = Meta::read(dir)?;
    let namespace = meta.namespace();
    let started = Instant::now();
    let mut done = Progress::default();
    std::thread::scope(|scope| {
        let (send, batches) = std::sync::mpsc::sync_channel::<(CommitBatch, u64)>(1);
        let reader = scope.spawn(|| read::batches(dir, &namespace, send));
        for (batch, rows) in batches {
            let report = store.commit(&batch)?;
            done.events += report.stored as u64;
            done.duplicates += report.duplicates as u64;
            done.rows += rows;
            done.elapsed = started.elapsed();
            progress(done);
        }
        match reader.join() {
            Ok(result) => result,
            Err(_) => Err(ImportError::Reader),
        }
    })?;
    done.elapsed = started.elapsed();
    Ok(done)
}
