//! The shared trace workload (`../shared/bench/trace-workload/`), side by side: our store
//! and PostgreSQL load the same CSV files and answer the same three questions in one run.
//!
//! `cargo bench -p trace-server --bench trace_workload -- DIR [--reuse] [--runs N]
//! [--point-runs N] [--ours]`, DIR holding gen.py's output: imports DIR into a fresh redb
//! store in `DIR/trace-server-store` (`--reuse`: keep a complete one), times Q1 (forward
//! trace of meta.json's recall lot with each affected unit's last location — the engine
//! behind `/api/v1/recalls`), Q2 (backward trace of the origin unit) and Q3 (events naming
//! the look-up unit, with their contents) warm (Q1 `--runs` times, Q2 and Q3
//! `--point-runs` times, by default 20 × `--runs`); loads DIR into PostgreSQL database
//! `trace_workload_<size>` and times q1/q2/q3 there; prints one table and checks both
//! found the same identifiers and events, unit by unit
//! (`--ours`: our store alone, timings only — for profiling it).
//!
//! Without `--bench` (as `cargo test --all-targets` runs it) it generates a small workload
//! (gen.py --seed 42 --units 20000 --recall-units 5000: gen.py needs a few sold units outside
//! the recall lot to pick Q2/Q3 from, which `--units 2000` does not give) and asserts our
//! answers against meta.json and PostgreSQL's. The workload folder is found above this crate
//! (`shared/bench/trace-workload`) or named by `TRACE_WORKLOAD_SQL`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "trace_workload/compare.rs"]
mod compare;
#[path = "trace_workload/pg.rs"]
mod pg;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use trace_server::import::{self, Meta};
use trace_server::store::Store;
use trace_server::store::redb_store::RedbStore;
use trace_server::trace::{self, Direction, Trace};

use compare::{Answers, Ours};

/// The server binary's allocator (see its Cargo.toml), so the figures are the server's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The folder holding gen.py and the SQL files.
fn workload_sql() -> PathBuf {
    if let Some(dir) = std::env::var_os("TRACE_WORKLOAD_SQL") {
        return dir.into();
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|a| a.join("shared/bench/trace-workload"))
        .find(|p| p.join("gen.py").is_file())
        .expect("shared/bench/trace-workload above the crate, or TRACE_WORKLOAD_SQL")
}

fn size_label(meta: &Meta) -> String {
    match meta.units {
        277_000 => "s".into(),
        2_770_000 => "l".into(),
        units => format!("u{units}"),
    }
}

/// Imports `dir` into the store in `store_dir` (afresh unless `reuse` and complete).
fn load_ours(dir: &Path, store_dir: &Path, meta: &Meta, reuse: bool) -> (RedbStore, Duration) {
    if !reuse && store_dir.exists() {
        std::fs::remove_dir_all(store_dir).unwrap();
    }
    let mut store = RedbStore::open(store_dir).unwrap();
    if store.stats().unwrap().events == meta.rows.events {
        eprintln!("reusing the store in {}", store_dir.display());
        return (store, Duration::ZERO);
    }
    let done = import::import(&store, dir, |p| {
        eprint!(
            "\rimport: {} events, {} rows, {:.0} rows/s   ",
            p.events,
            p.rows,
            p.rows_per_second()
        );
    })
    .unwrap();
    eprintln!("\ncompacting");
    let compacting = Instant::now();
    store.compact().unwrap();
    (store, done.elapsed + compacting.elapsed())
}

/// Where the store's bytes are, table by table, largest first.
fn print_table_sizes(store: &RedbStore) {
    let mut sizes = store.table_sizes().unwrap();
    sizes.sort_by_key(|t| std::cmp::Reverse(t.stored + t.overhead));
    eprintln!("\n| table | entries MB | B-tree overhead MB |\n|---|---|---|");
    for t in sizes {
        eprintln!(
            "| {} | {:.1} | {:.1} |",
            t.name,
            t.stored as f64 / 1e6,
            t.overhead as f64 / 1e6
        );
    }
}

/// `runs` timings of `query` after one unmeasured run; returns them and the last answer.
fn timed<T>(runs: usize, mut query: impl FnMut() -> T) -> (Vec<Duration>, T) {
    let mut answer = query();
    let times = (0..runs)
        .map(|_| {
            let started = Instant::now();
            answer = std::hint::black_box(query());
            started.elapsed()
        })
        .collect();
    (times, answer)
}

/// Our three answers, each timed `runs` times.
fn ask_ours(store: &RedbStore, meta: &Meta, runs: (usize, usize)) -> ([Vec<Duration>; 3], Ours) {
    let forward = || trace::trace(store, &meta.recall_lgtin, Direction::Forward).unwrap();
    let backward = || trace::trace(store, &meta.q2_epc, Direction::Backward).unwrap();
    let point = || {
        let rows = store.events_naming(&meta.q3_epc).unwrap();
        let keys: Vec<_> = rows.iter().map(|r| r.key).collect();
        store.event_summaries(&keys).unwrap()
    };
    let (t1, recall): (_, Trace) = timed(runs.0, forward);
    let (t2, origin): (_, Trace) = timed(runs.1, backward);
    let (t3, events) = timed(runs.1, point);
    let point = events
        .into_iter()
        .map(|s| s.unwrap().event.event_id.unwrap())
        .collect();
    ([t1, t2, t3], Ours::new(recall, origin, point))
}

struct Args {
    dir: Option<PathBuf>,
    bench: bool,
    reuse: bool,
    ours_only: bool,
    runs: usize,
    /// Q2 and Q3 runs (`--point-runs N`; default 20 × `runs`), to profile them alone.
    point_runs: Option<usize>,
}

fn args() -> Args {
    let mut args = Args {
        dir: None,
        bench: false,
        reuse: false,
        ours_only: false,
        runs: 10,
        point_runs: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--bench" => args.bench = true,
            "--reuse" => args.reuse = true,
            "--ours" => args.ours_only = true,
            "--runs" => args.runs = it.next().and_then(|n| n.parse().ok()).expect("--runs N"),
            "--point-runs" => {
                args.point_runs = Some(
                    it.next()
                        .and_then(|n| n.parse().ok())
                        .expect("--point-runs N"),
                );
            }
            other if other.starts_with('-') => {}
            dir => args.dir = Some(dir.into()),
        }
    }
    args
}

fn main() {
    let args = args();
    let sql = workload_sql();
    if !args.bench {
        smoke(&sql);
        return;
    }
    let dir = args
        .dir
        .expect("usage: cargo bench -p trace-server --bench trace_workload -- DIR");
    let meta = Meta::read(&dir).unwrap();
    let store_dir = dir.join("trace-server-store");
    let (store, our_load) = load_ours(&dir, &store_dir, &meta, args.reuse);
    let our_bytes = store.stats().unwrap().bytes_on_disk;
    print_table_sizes(&store);
    let runs = (args.runs, args.point_runs.unwrap_or(args.runs * 20));
    let (our_times, ours) = ask_ours(&store, &meta, runs);
    drop(store);
    if args.ours_only {
        for (query, times) in ["Q1", "Q2", "Q3"].iter().zip(&our_times) {
            let mut times = times.clone();
            times.sort();
            println!("{query}: median {:?}", times[times.len() / 2]);
        }
        println!("Q1: {} affected identifiers", ours.affected.len());
        return;
    }
    let pg = pg::Pg {
        db: format!("trace_workload_{}", size_label(&meta)),
        sql,
    };
    eprintln!("PostgreSQL: loading {}", pg.db);
    let (pg_load, pg_bytes) = pg.load(&dir);
    let pg_times = pg.timings(&meta.recall_lgtin, &meta.q2_epc, &meta.q3_epc, runs);
    let theirs = Answers::read(&pg, &meta);
    let problems = compare::check(&meta, &ours, &theirs);
    compare::table(
        &meta,
        [our_load, pg_load],
        [our_bytes, pg_bytes],
        [&our_times, &pg_times],
        &ours,
        &theirs,
    );
    if !problems.is_empty() {
        eprintln!("\n!!! MISMATCH between rfid-trace and PostgreSQL !!!");
        for problem in &problems {
            eprintln!("!!! {problem}");
        }
        std::process::exit(1);
    }
    println!(
        "\nanswers agree: same affected identifiers, unit locations, origin and look-up events"
    );
}

/// A small workload, answered by both, every answer checked.
fn smoke(sql: &Path) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("workload");
    let generated = std::process::Command::new("python3")
        .arg(sql.join("gen.py"))
        .args(["--seed", "42", "--units", "20000", "--recall-units", "5000"])
        .arg("--out")
        .arg(&dir)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(generated.success(), "gen.py failed");
    let meta = Meta::read(&dir).unwrap();
    let (store, _) = load_ours(&dir, &tmp.path().join("store"), &meta, false);
    assert_eq!(store.stats().unwrap().events, meta.rows.events);
    let (_, ours) = ask_ours(&store, &meta, (0, 0));
    assert_eq!(ours.recall.units.len() as u64, meta.recall_units);
    let packed = ours.recall.units.iter().filter(|u| u.container.is_some());
    let packed = packed.count() as u64;
    assert!(
        packed > 0 && packed < meta.recall_units,
        "both unit location rules checked"
    );
    let pg = pg::Pg {
        db: format!("trace_workload_smoke_{}", std::process::id()),
        sql: sql.to_path_buf(),
    };
    pg.load(&dir);
    let theirs = Answers::read(&pg, &meta);
    pg.drop();
    let problems = compare::check(&meta, &ours, &theirs);
    assert!(problems.is_empty(), "mismatches: {problems:#?}");
    println!(
        "trace workload smoke: {} affected identifiers, {} origin events, {} look-up events; \
         both systems agree",
        ours.affected.len(),
        ours.origin.len(),
        ours.point.len()
    );
}
