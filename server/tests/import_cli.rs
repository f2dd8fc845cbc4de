//! `trace-server import` on a hand-written workload in the layout of
//! `shared/bench/trace-workload/gen.py`: the store then answers a recall through the
//! containment and the transformation the CSV rows describe; importing again stores
//! nothing twice; a bad field or rows that disagree stop it with the file, line and column.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

use trace_server::store::Store;
use trace_server::store::redb_store::RedbStore;
use trace_server::trace::{Direction, trace};

const LOT: &str = "urn:epc:class:lgtin:0614141.812345.L1";
const MADE: &str = "urn:epc:class:lgtin:0614141.812346.L2";
const CASE: &str = "urn:epc:id:sscc:0614141.0000000001";
const DOCK: &str = "urn:epc:id:sgln:0614141.00001.2";

fn unit(n: u32) -> String {
    format!("urn:epc:id:sgtin:0614141.812345.{n}")
}

fn write_workload(dir: &Path, events: &str) {
    std::fs::create_dir_all(dir).unwrap();
    let (u1, u2) = (unit(1), unit(2));
    let t2 = "2024-01-01 00:00:10+00";
    let files = [
        ("events.csv", events.to_owned()),
        (
            "event_epcs.csv",
            format!(
                "1,{u1},epc\n1,{u2},epc\n2,{CASE},parent\n2,{u1},child\n2,{u2},child\n\
                 3,{CASE},epc\n4,{LOT},input\n4,{MADE},output\n"
            ),
        ),
        (
            "aggregations.csv",
            format!("{CASE},{u1},2,{t2},ADD\n{CASE},{u2},2,{t2},ADD\n"),
        ),
        ("transformations.csv", format!("4,{LOT},{MADE}\n")),
        (
            "meta.json",
            format!(
                r#"{{"seed": 1, "args": {{"units": 2, "out": "x"}}, "recall_lgtin": "{LOT}",
                "recall_units": 2, "q2_epc": "{u1}", "q3_epc": "{u2}", "units": 2,
                "rows": {{"events": 4, "event_epcs": 8, "aggregations": 2, "transformations": 1}}}}"#
            ),
        ),
    ];
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

fn events(commissioned_at: &str) -> String {
    let line = "urn:epc:id:sgln:0614141.00001.1";
    let factory = "urn:epc:id:sgln:0614141.00001.0";
    format!(
        "1,O,ADD,commissioning,active,{line},{factory},{commissioned_at},{LOT}\n\
         2,A,ADD,packing,in_progress,{line},{factory},2024-01-01 00:00:10+00,\n\
         3,O,OBSERVE,shipping,in_transit,{DOCK},,2024-01-02 00:00:00+00,\n\
         4,T,,transforming,active,{line},{factory},2024-01-03 00:00:00+00,\n"
    )
}

fn import(data: &Path, workload: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trace-server"))
        .arg("import")
        .arg("--data")
        .arg(data)
        .arg("--workload")
        .arg(workload)
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("trace-server runs")
}

#[test]
fn imported_rows_answer_a_recall_through_case_and_transformation() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, workload) = (tmp.path().join("data"), tmp.path().join("w"));
    write_workload(&workload, &events("2024-01-01 00:00:00+00"));
    let out = import(&data, &workload);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("imported 4 events (0 already stored) from 15 rows"),
        "{stdout}"
    );
    assert!(stdout.contains("MB on disk"), "{stdout}");

    let again = import(&data, &workload);
    let stdout = String::from_utf8_lossy(&again.stdout);
    assert!(
        stdout.contains("imported 0 events (4 already stored)"),
        "{stdout}"
    );

    let store = RedbStore::open(&data).unwrap();
    assert_eq!(store.stats().unwrap().events, 4);
    let recall = trace(&store, LOT, Direction::Forward).unwrap();
    for reached in [unit(1), unit(2), CASE.to_owned(), MADE.to_owned()] {
        assert!(
            recall.reached.contains(&reached),
            "{reached}: {:?}",
            recall.reached
        );
    }
    assert_eq!(recall.units.len(), 2);
    for status in &recall.units {
        assert_eq!(
            status.location.as_deref(),
            Some(DOCK),
            "shipped in its case"
        );
        assert_eq!(status.container.as_deref(), Some(CASE));
    }
    let origin = trace(&store, &unit(1), Direction::Backward).unwrap();
    let ids: Vec<&str> = origin.events.iter().map(|h| h.event_id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "urn:rfid-trace:workload:1",
            "urn:rfid-trace:workload:2",
            "urn:rfid-trace:workload:3"
        ]
    );
}

#[test]
fn a_bad_field_or_disagreeing_rows_name_file_line_and_column() {
    let tmp = tempfile::tempdir().unwrap();
    let workload = tmp.path().join("w");
    write_workload(&workload, &events("2024-01-01T00:00:00"));
    let out = import(&tmp.path().join("d1"), &workload);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("events.csv line 1, column event_time"),
        "{stderr}"
    );

    write_workload(&workload, &events("2024-01-01 00:00:00+00"));
    let agg = std::fs::read_to_string(workload.join("aggregations.csv")).unwrap();
    std::fs::write(
        workload.join("aggregations.csv"),
        agg.replace(",ADD\n", ",DELETE\n"),
    )
    .unwrap();
    let out = import(&tmp.path().join("d2"), &workload);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("events.csv line 2: aggregations.csv:"),
        "{stderr}"
    );
}
