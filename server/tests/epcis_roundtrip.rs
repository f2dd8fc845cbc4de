//! Event → JSON-LD → event gives the same event for every GS1 example; the JSON we write is
//! valid against GS1's EPCIS 2.0 JSON Schema; and the hash of the JSON we write equals the
//! hash of the JSON received (the one exception, hexBinary case, is asserted as such).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod epcis_common;

use epcis_common::{data_dir, example_files, prefix_table, read};
use serde_json::Value;
use trace_proto::event::EventTime;
use trace_server::epcis::{decode_document, decode_event, encode_document, encode_event, pre_hash};

fn schema_validator() -> jsonschema::Validator {
    let schema: Value =
        serde_json::from_slice(&read(&data_dir().join("EPCIS-JSON-Schema.json"))).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

fn schema_errors(validator: &jsonschema::Validator, json: &Value) -> Vec<String> {
    validator
        .iter_errors(json)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn the_schema_accepts_the_examples_themselves() {
    let validator = schema_validator();
    for file in example_files() {
        let json: Value = serde_json::from_slice(&read(&file)).unwrap();
        let errors = schema_errors(&validator, &json);
        assert!(errors.is_empty(), "{}: {errors:#?}", file.display());
    }
    // And it is not a schema that accepts anything.
    let mut broken: Value = serde_json::from_slice(&read(
        &data_dir().join("examples/Example_9.6.3-AggregationEvent.jsonld"),
    ))
    .unwrap();
    broken["epcisBody"]["eventList"][0]["childQuantityList"][0]["uom"] = "kilogram".into();
    assert!(!schema_errors(&validator, &broken).is_empty());
}

#[test]
fn every_example_event_survives_encode_and_decode() {
    let table = prefix_table();
    let mut events = 0;
    for file in example_files() {
        for decoded in decode_document(&read(&file), table).unwrap() {
            let json = serde_json::to_vec(&encode_event(&decoded.event)).unwrap();
            let again = decode_event(&json, table)
                .unwrap_or_else(|e| panic!("{}: re-decoding failed:\n{e}", file.display()));
            assert_eq!(again.event, decoded.event, "{}", file.display());
            events += 1;
        }
    }
    assert_eq!(events, 56);
}

#[test]
fn encoded_events_and_documents_are_valid_epcis_json() {
    let validator = schema_validator();
    let table = prefix_table();
    let created = "2024-03-01T00:00:00Z".parse::<EventTime>().unwrap();
    for file in example_files() {
        let events: Vec<_> = decode_document(&read(&file), table)
            .unwrap()
            .into_iter()
            .map(|d| d.event)
            .collect();
        for event in &events {
            let json = Value::Object(encode_event(event));
            let errors = schema_errors(&validator, &json);
            assert!(
                errors.is_empty(),
                "{}: {errors:#?}\n{json:#}",
                file.display()
            );
        }
        let document = encode_document(&events, created);
        let errors = schema_errors(&validator, &document);
        assert!(errors.is_empty(), "{}: {errors:#?}", file.display());
        let decoded = decode_document(&serde_json::to_vec(&document).unwrap(), table).unwrap();
        let again: Vec<_> = decoded.into_iter().map(|d| d.event).collect();
        assert_eq!(again, events, "{}", file.display());
    }
}

/// The model keeps `hexBinaryValue` as bytes and we write lower-case hex, so an event whose
/// sender wrote upper case gets another hash from our JSON (event-hash.md: values are hashed
/// as written).
const HEX_CASE_LOST: &str = "SensorDataExample7.jsonld";

#[test]
fn hashing_our_json_gives_the_hash_of_the_json_received() {
    let table = prefix_table();
    let mut differing = Vec::new();
    for file in example_files() {
        for decoded in decode_document(&read(&file), table).unwrap() {
            if pre_hash(&decoded.event) != decoded.pre_hash {
                differing.push(file.file_name().unwrap().to_string_lossy().into_owned());
            }
        }
    }
    assert_eq!(differing, [HEX_CASE_LOST]);
}

#[test]
fn numbers_too_large_for_a_decimal_keep_their_value_and_hash() {
    let event = serde_json::json!({
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"ex": "https://ns.example.com/"}],
        "type": "ObjectEvent", "eventTime": "2024-03-01T10:00:00Z", "eventTimeZoneOffset": "+00:00",
        "action": "OBSERVE", "ex:big": 1e30, "ex:small": 0.0000001
    });
    let decoded = decode_event(&serde_json::to_vec(&event).unwrap(), prefix_table()).unwrap();
    assert!(
        decoded.pre_hash.ends_with("{https://ns.example.com/}big=1000000000000000000000000000000{https://ns.example.com/}small=0.0000001"),
        "{}",
        decoded.pre_hash
    );
    assert_eq!(pre_hash(&decoded.event), decoded.pre_hash);
}
