//! `RedbStore::compact` after a bulk import: the tables come out packed (the identifier
//! records' B-tree slack mostly gone, the file smaller) and every answer is the same,
//! also after reopening. The data is a small run of the shared trace workload's generator
//! (`shared/bench/trace-workload/gen.py`, found above this crate or named by
//! `TRACE_WORKLOAD_SQL`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use trace_server::import::{self, Meta};
use trace_server::store::Store;
use trace_server::store::redb_store::RedbStore;
use trace_server::trace::{Direction, Trace, trace};

fn generator() -> PathBuf {
    if let Some(dir) = std::env::var_os("TRACE_WORKLOAD_SQL") {
        return PathBuf::from(dir).join("gen.py");
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|a| a.join("shared/bench/trace-workload/gen.py"))
        .find(|p| p.is_file())
        .expect("shared/bench/trace-workload/gen.py above the crate, or TRACE_WORKLOAD_SQL")
}

/// The recall, the origin and the look-up the workload names, and the event count.
fn answers(store: &RedbStore, meta: &Meta) -> (Trace, Trace, usize, u64) {
    let recall = trace(store, &meta.recall_lgtin, Direction::Forward).unwrap();
    let origin = trace(store, &meta.q2_epc, Direction::Backward).unwrap();
    let naming = store.events_naming(&meta.q3_epc).unwrap().len();
    (recall, origin, naming, store.stats().unwrap().events)
}

fn records_overhead(store: &RedbStore) -> (u64, u64) {
    let sizes = store.table_sizes().unwrap();
    let records = sizes.iter().find(|t| t.name == "ident_records").unwrap();
    (records.stored, records.overhead)
}

#[test]
fn compacting_packs_the_tables_and_keeps_every_answer() {
    let tmp = tempfile::tempdir().unwrap();
    let workload = tmp.path().join("workload");
    let generated = Command::new("python3")
        .arg(generator())
        .args(["--seed", "7", "--units", "20000", "--recall-units", "5000"])
        .arg("--out")
        .arg(&workload)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(generated.success(), "gen.py failed");
    let meta = Meta::read(&workload).unwrap();
    let data = tmp.path().join("data");

    let (before, size_before, slack_before) = {
        let store = RedbStore::open(&data).unwrap();
        import::import(&store, &workload, |_| {}).unwrap();
        let answers = answers(&store, &meta);
        assert_eq!(answers.0.units.len() as u64, meta.recall_units);
        let size = store.stats().unwrap().bytes_on_disk;
        (answers, size, records_overhead(&store))
    };
    let mut store = RedbStore::open(&data).unwrap();
    assert!(store.compact().unwrap(), "the import left pages to free");
    assert_eq!(
        answers(&store, &meta),
        before,
        "same answers after compaction"
    );
    let slack_after = records_overhead(&store);
    assert_eq!(
        slack_after.0, slack_before.0,
        "the records' bytes are unchanged"
    );
    assert!(
        slack_after.1 * 3 < slack_before.1,
        "identifier records repacked: B-tree overhead {} bytes before, {} after",
        slack_before.1,
        slack_after.1
    );
    let size_after = store.stats().unwrap().bytes_on_disk;
    assert!(
        size_after < size_before,
        "{size_before} → {size_after} bytes"
    );
    drop(store);

    let store = RedbStore::open(&data).unwrap();
    assert_eq!(
        answers(&store, &meta),
        before,
        "same answers after reopening"
    );
    assert_eq!(records_overhead(&store), slack_after);
}
