//! The `trace-server import` command: opens the store, imports with a progress line on
//! stderr, and prints the load time and the store's size.

use std::io::Write;
use std::path::Path;

use super::{ImportError, Progress, import};
use crate::store::Store;
use crate::store::redb_store::RedbStore;

/// Imports the workload in `workload` into the redb store in `data`, writing progress
/// to `progress` (rows/s, once per commit) and the summary to `out`.
pub fn run(
    data: &Path,
    workload: &Path,
    progress: &mut dyn Write,
    out: &mut dyn Write,
) -> Result<Progress, ImportError> {
    let mut store = RedbStore::open(data)?;
    let io = |source| ImportError::Io {
        path: workload.to_path_buf(),
        source,
    };
    let mut failed = None;
    let done = import(&store, workload, |p| {
        let line = write!(
            progress,
            "\r{} events, {} rows, {:.0} rows/s   ",
            p.events,
            p.rows,
            p.rows_per_second()
        );
        if let Err(e) = line.and_then(|()| progress.flush()) {
            failed.get_or_insert(e);
        }
    })?;
    if let Some(e) = failed {
        return Err(io(e));
    }
    writeln!(progress).map_err(io)?;
    writeln!(progress, "compacting {}", data.display()).map_err(io)?;
    store.compact()?;
    let stats = store.stats()?;
    writeln!(
        out,
        "imported {} events ({} already stored) from {} rows in {:.1} s ({:.0} rows/s); \
         store: {} events, {:.1} MB on disk in {}",
        done.events,
        done.duplicates,
        done.rows,
        done.elapsed.as_secs_f64(),
        done.rows_per_second(),
        stats.events,
        stats.bytes_on_disk as f64 / 1e6,
        data.display()
    )
    .map_err(io)?;
    Ok(done)
}
