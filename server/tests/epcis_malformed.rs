//! Malformed EPCIS input is refused with every problem and the JSON path of each.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod epcis_common;

use epcis_common::prefix_table;
use serde_json::{Value, json};
use trace_server::epcis::problem::MAX_PROBLEMS;
use trace_server::epcis::{DecodeError, decode_document, decode_event};

const EPCIS_CONTEXT: &str = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";

fn event() -> Value {
    json!({
        "type": "ObjectEvent",
        "eventTime": "2024-03-01T10:15:30.123+01:00",
        "eventTimeZoneOffset": "+01:00",
        "epcList": ["urn:epc:id:sgtin:0614141.107346.2017"],
        "action": "OBSERVE",
        "bizStep": "shipping",
        "readPoint": {"id": "urn:epc:id:sgln:0614141.07346.1234"},
        "ex:batch": "B-17"
    })
}

fn document(events: Vec<Value>) -> Value {
    json!({
        "@context": [EPCIS_CONTEXT, {"ex": "https://ns.example.com/epcis/"}],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2024-03-01T12:00:00Z",
        "epcisBody": {"eventList": events}
    })
}

/// The (path, message) pairs decoding `json` reports; panics if it decodes.
fn problems(json: &Value) -> Vec<(String, String)> {
    match decode_document(&serde_json::to_vec(json).unwrap(), prefix_table()) {
        Ok(_) => panic!("decoded:\n{json:#}"),
        Err(e) => e
            .problems()
            .into_iter()
            .map(|p| (p.path, p.message))
            .collect(),
    }
}

/// The single problem of a document whose first event has `key` set to `value`.
fn problem_with(key: &str, value: Value) -> (String, String) {
    let mut bad = event();
    bad[key] = value;
    let found = problems(&document(vec![event(), bad]));
    assert_eq!(found.len(), 1, "{found:#?}");
    found.into_iter().next().unwrap()
}

#[test]
fn the_valid_base_document_decodes() {
    let json = serde_json::to_vec(&document(vec![event(), event()])).unwrap();
    assert_eq!(decode_document(&json, prefix_table()).unwrap().len(), 2);
}

#[test]
fn bad_json() {
    let err = decode_document(br#"{"type": "EPCISDocument","#, prefix_table()).unwrap_err();
    assert!(matches!(err, DecodeError::Json(_)));
    let problems = err.problems();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].path, "$");
    assert!(
        problems[0].message.starts_with("not JSON: "),
        "{}",
        problems[0].message
    );
}

#[test]
fn unknown_event_type() {
    let (path, message) = problem_with("type", json!("FooEvent"));
    assert_eq!(path, "$.epcisBody.eventList[1].type");
    assert!(
        message.starts_with(r#""FooEvent" is not an EPCIS event type"#),
        "{message}"
    );
}

#[test]
fn bad_epc() {
    let (path, message) = problem_with(
        "epcList",
        json!(["urn:epc:id:sgtin:0614141.107346.1", "urn:epc:id:sgtin:123"]),
    );
    assert_eq!(path, "$.epcisBody.eventList[1].epcList[1]");
    assert!(
        message.starts_with(r#""urn:epc:id:sgtin:123" is not an EPC: "#),
        "{message}"
    );
}

#[test]
fn bad_digital_link_and_class_in_an_object_list() {
    let (path, message) = problem_with(
        "epcList",
        json!(["https://id.gs1.org/01/09506000134353/21/1"]),
    );
    assert_eq!(path, "$.epcisBody.eventList[1].epcList[0]");
    assert!(
        message.contains("is not a valid GS1 Digital Link"),
        "{message}"
    );
    let (_, message) = problem_with(
        "epcList",
        json!(["urn:epc:class:lgtin:4012345.012345.998877"]),
    );
    assert!(
        message.contains("names a class of objects, not one object"),
        "{message}"
    );
}

#[test]
fn wrong_time_and_offset_formats() {
    let (path, message) = problem_with("eventTime", json!("2024-03-01 10:15:30+01:00"));
    assert_eq!(path, "$.epcisBody.eventList[1].eventTime");
    assert!(
        message.starts_with(r#""2024-03-01 10:15:30+01:00" is not a date-time"#),
        "{message}"
    );
    let (path, _) = problem_with("eventTime", json!("2024-03-01T10:15:30"));
    assert_eq!(path, "$.epcisBody.eventList[1].eventTime");
    let (path, message) = problem_with("eventTimeZoneOffset", json!("+1:00"));
    assert_eq!(path, "$.epcisBody.eventList[1].eventTimeZoneOffset");
    assert!(message.contains("is not a time zone offset"), "{message}");
}

#[test]
fn unknown_biz_step_without_namespace() {
    let (path, message) = problem_with("bizStep", json!("shiping"));
    assert_eq!(path, "$.epcisBody.eventList[1].bizStep");
    assert!(
        message.contains("is not a CBV 2.0 business step"),
        "{message}"
    );
    assert!(message.contains("must be an absolute URI"), "{message}");
    // In a namespace of its own a business step is anyone's to define.
    let mut custom = event();
    custom["bizStep"] = json!("https://ns.example.com/steps/shiping");
    let json = serde_json::to_vec(&document(vec![custom])).unwrap();
    assert!(decode_document(&json, prefix_table()).is_ok());
}

#[test]
fn undeclared_extension_prefix_and_unknown_fields() {
    let mut bad = event();
    bad["foo:bar"] = json!("x");
    bad["colour"] = json!("red");
    bad["parentID"] = json!("urn:epc:id:sscc:0614141.1234567890");
    bad["readPoint"]["nope:x"] = json!(1);
    let found = problems(&document(vec![bad]));
    let paths: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        paths,
        [
            "$.epcisBody.eventList[0].colour",
            r#"$.epcisBody.eventList[0]["foo:bar"]"#,
            "$.epcisBody.eventList[0].parentID",
            r#"$.epcisBody.eventList[0].readPoint["nope:x"]"#,
        ]
    );
    assert!(
        found[0].1.starts_with(r#"unknown field "colour""#),
        "{}",
        found[0].1
    );
    assert!(
        found[1]
            .1
            .contains(r#"prefix "foo" of "foo:bar" is not declared in @context"#),
        "{}",
        found[1].1
    );
    assert_eq!(found[2].1, "parentID is not a field of ObjectEvent");
}

#[test]
fn bad_context() {
    let mut json = document(vec![event()]);
    json["@context"] = json!([EPCIS_CONTEXT, 42, {"ex": "not an IRI"}]);
    let found = problems(&json);
    let paths: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
    // The bad `ex` declaration leaves `ex:batch` undeclared too.
    assert_eq!(
        paths,
        [
            r#"$["@context"][1]"#,
            r#"$["@context"][2].ex"#,
            r#"$.epcisBody.eventList[0]["ex:batch"]"#
        ]
    );
    json["@context"] = json!({"ex": "https://ns.example.com/epcis/"});
    let found = problems(&json);
    assert_eq!(found[0].0, r#"$["@context"]"#);
    assert!(
        found[0]
            .1
            .starts_with("@context must reference the EPCIS 2.0 context"),
        "{}",
        found[0].1
    );
}

#[test]
fn missing_fields_are_reported_at_their_object() {
    let mut bad = event();
    let map = bad.as_object_mut().unwrap();
    map.remove("eventTime");
    map.remove("action");
    let found = problems(&document(vec![bad]));
    let messages: Vec<&str> = found.iter().map(|(_, m)| m.as_str()).collect();
    assert_eq!(messages, ["eventTime is required", "action is required"]);
    assert!(found.iter().all(|(p, _)| p == "$.epcisBody.eventList[0]"));
}

#[test]
fn every_problem_is_collected_up_to_the_cap() {
    let mut bad = event();
    bad["bizStep"] = json!("shiping");
    let mut worse = event();
    worse["epcList"] = (0..MAX_PROBLEMS + 20)
        .map(|i| json!(format!("urn:epc:id:sgtin:{i}")))
        .collect();
    let json = serde_json::to_vec(&document(vec![bad, event(), worse])).unwrap();
    let DecodeError::Invalid(found) = decode_document(&json, prefix_table()).unwrap_err() else {
        panic!("expected problems");
    };
    assert_eq!(found.list().len(), MAX_PROBLEMS);
    assert_eq!(found.omitted(), 21);
    assert_eq!(found.list()[0].path, "$.epcisBody.eventList[0].bizStep");
    assert_eq!(found.list()[1].path, "$.epcisBody.eventList[2].epcList[0]");
}

#[test]
fn a_single_event_must_be_an_event_with_its_context() {
    let json = serde_json::to_vec(&document(vec![event()])).unwrap();
    let err = decode_event(&json, prefix_table()).unwrap_err();
    assert_eq!(err.problems()[0].path, "$.type");
    let mut bare = event();
    let without_context = serde_json::to_vec(&bare).unwrap();
    let err = decode_event(&without_context, prefix_table()).unwrap_err();
    assert!(
        err.problems()
            .iter()
            .any(|p| p.path == "$" && p.message == "@context is required")
    );
    bare["@context"] = json!([EPCIS_CONTEXT, {"ex": "https://ns.example.com/epcis/"}]);
    let decoded = decode_event(&serde_json::to_vec(&bare).unwrap(), prefix_table()).unwrap();
    assert_eq!(decoded.event.extensions[0].name, "batch");
}
