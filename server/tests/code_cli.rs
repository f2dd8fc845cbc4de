//! `trace-server code` as a user runs it: arguments or a pasted reader dump on stdin, a
//! table or JSON lines out, exit status 1 when any input was invalid.
#![allow(clippy::expect_used)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn trace_server(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_trace-server"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("trace-server starts");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(stdin.as_bytes())
        .expect("stdin accepts the dump");
    child.wait_with_output().expect("trace-server exits")
}

#[test]
fn reader_dump_on_stdin_gives_one_json_object_per_line() {
    let dump = "3074257BF7194E4000001A85\r\n\n(01)09506000134352(10)ABC(21)1\n\
                81234560012345678901\nnot a code\n";
    let out = trace_server(&["code", "--json"], dump);
    assert_eq!(out.status.code(), Some(1), "one input is invalid");
    let stdout = String::from_utf8(out.stdout).expect("UTF-8 output");
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON object per line"))
        .collect();
    assert_eq!(lines.len(), 4, "blank lines are skipped: {stdout}");
    assert_eq!(lines[0]["epc_uri"], "urn:epc:id:sgtin:0614141.812345.6789");
    // GS1's list, built in, gives 95060… an 11-digit company prefix.
    assert_eq!(lines[1]["epc_uri"], "urn:epc:id:sgtin:95060001343.05.1");
    assert_eq!(
        lines[1]["digital_link"],
        "https://id.gs1.org/01/09506000134352/10/ABC/21/1"
    );
    assert_eq!(lines[2]["kind"], "cn-drug");
    assert_eq!(lines[3]["input"], "not a code");
    assert!(
        lines[3]["error"]
            .as_str()
            .is_some_and(|e| e.starts_with("not a code this system reads")),
        "{}",
        lines[3]
    );
    let fields = [
        "input",
        "kind",
        "epc_uri",
        "tag_uri",
        "filter",
        "element_string",
        "fnc1",
        "ais",
        "digital_link",
        "error",
    ];
    for line in &lines {
        for field in fields {
            assert!(line.get(field).is_some(), "{field} missing in {line}");
        }
    }
}

#[test]
fn arguments_give_a_table_and_success_when_all_are_valid() {
    let out = trace_server(
        &[
            "code",
            "--as",
            "epc-uri",
            "urn:epc:id:sscc:0614141.1234567890",
        ],
        "",
    );
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).expect("UTF-8 output");
    assert!(
        stdout.contains("  element string  (00)106141412345678908\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("  Digital Link    https://id.gs1.org/00/106141412345678908\n"),
        "{stdout}"
    );
}

#[test]
fn operator_prefix_table_is_used_and_bad_tables_are_named() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let table = dir.path().join("prefixes.txt");
    std::fs::write(&table, "0614141 9\n").expect("table written");
    let table = table.to_str().expect("UTF-8 path");
    let out = trace_server(
        &[
            "code",
            "--json",
            "--gcp-table",
            table,
            "(01)80614141123458(21)6789",
        ],
        "",
    );
    assert!(out.status.success());
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(line["epc_uri"], "urn:epc:id:sgtin:061414112.8345.6789");

    let missing = dir.path().join("missing.txt");
    let missing = missing.to_str().expect("UTF-8 path");
    let out = trace_server(&["code", "--gcp-table", missing, "x"], "");
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).expect("UTF-8");
    assert!(stderr.contains("missing.txt"), "{stderr}");
}
