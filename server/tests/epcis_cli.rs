//! `trace-server epcis hash`, run as a user runs it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod epcis_common;

use std::process::{Command, Output};

use epcis_common::data_dir;

fn trace_server(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trace-server"))
        .args(args)
        .current_dir(data_dir())
        .output()
        .unwrap()
}

fn stdout_lines(output: &Output) -> Vec<String> {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone())
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn expected(file: &str) -> Vec<String> {
    let text = std::fs::read_to_string(data_dir().join(file)).unwrap();
    text.lines().map(str::to_string).collect()
}

#[test]
fn hashes_every_event_of_every_file_in_order() {
    let output = trace_server(&[
        "epcis",
        "hash",
        "hash-vectors/EPCISQueryDocument.jsonld",
        "hash-vectors/ReferenceEventHashAlgorithm.jsonld",
    ]);
    let mut lines = expected("hash-vectors/EPCISQueryDocument.hashes");
    lines.extend(expected("hash-vectors/ReferenceEventHashAlgorithm.hashes"));
    assert_eq!(stdout_lines(&output), lines);
}

#[test]
fn prints_pre_hash_strings_on_request() {
    let output = trace_server(&[
        "epcis",
        "hash",
        "--prehash",
        "hash-vectors/epcisDocWithAllGS1Keys.jsonld",
    ]);
    assert_eq!(
        stdout_lines(&output),
        expected("hash-vectors/epcisDocWithAllGS1Keys.prehashes")
    );
}

#[test]
fn an_invalid_document_fails_with_its_problems() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.jsonld");
    let document = r#"{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2024-03-01T12:00:00Z",
        "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventTime": "2024-03-01T12:00:00Z",
        "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "epcList": ["urn:epc:id:sgtin:123"]}]}}"#;
    std::fs::write(&file, document).unwrap();
    let output = trace_server(&["epcis", "hash", file.to_str().unwrap()]);
    assert!(!output.status.success());
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("bad.jsonld is not a valid EPCIS 2.0 document"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            r#"$.epcisBody.eventList[0].epcList[0]: "urn:epc:id:sgtin:123" is not an EPC"#
        ),
        "{stderr}"
    );
}

#[test]
fn help_names_the_command() {
    let output = trace_server(&["epcis", "hash", "--help"]);
    let help = stdout_lines(&output).join("\n");
    assert!(help.contains("CBV 2.0 event hash ID"), "{help}");
    assert!(help.contains("--prehash"), "{help}");
}
