//! EPCIS capture against a real `trace-server` process: every GS1 example document is
//! captured and each of its events read back by eventID and found by several query
//! parameters (every answer valid against GS1's schema); the same document twice is
//! stored once; malformed documents are refused with reason and path, storing nothing;
//! `proceed` keeps the good events; tokens, limits and single-event capture.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod epcis_common;
mod epcis_http;
mod harness;

use std::collections::{BTreeMap, BTreeSet};

use epcis_common::{example_files, prefix_table, read};
use epcis_http::{Epcis, assert_valid, enc, event_list, ids};
use harness::SUPERVISOR;
use serde_json::{Value, json};
use trace_proto::event::{Event, EventTime};
use trace_server::epcis::{Decoded, decode_document, decode_event};

/// The eventID the server gives a decoded event: its own, else its CBV 2.0 hash.
fn expected_id(decoded: &Decoded) -> String {
    decoded
        .event
        .event_id
        .clone()
        .unwrap_or_else(|| decoded.hash_id())
}

/// Query parameters an event answers to, from its own JSON as the server shows it.
fn queries_for(event: &Value) -> Vec<String> {
    let mut queries = vec![format!("eventType={}", event["type"].as_str().unwrap())];
    let time: EventTime = event["eventTime"].as_str().unwrap().parse().unwrap();
    let after = EventTime::from_unix_millis(time.unix_millis() + 1).unwrap();
    queries.push(format!(
        "GE_eventTime={}&LT_eventTime={}",
        enc(&time.to_string()),
        enc(&after.to_string())
    ));
    let recorded = event["recordTime"].as_str().unwrap();
    queries.push(format!("GE_recordTime={}", enc(recorded)));
    for (field, param) in [
        ("action", "EQ_action"),
        ("bizStep", "EQ_bizStep"),
        ("disposition", "EQ_disposition"),
    ] {
        if let Some(value) = event[field].as_str() {
            queries.push(format!("{param}={}", enc(value)));
        }
    }
    for (field, param) in [
        ("readPoint", "EQ_readPoint"),
        ("bizLocation", "EQ_bizLocation"),
    ] {
        if let Some(id) = event[field]["id"].as_str() {
            queries.push(format!("{param}={}", enc(id)));
        }
    }
    if let Some(set) = event["persistentDisposition"]["set"][0].as_str() {
        queries.push(format!("EQ_persistentDisposition_set={}", enc(set)));
    }
    for (field, param) in [
        ("epcList", "MATCH_epc"),
        ("childEPCs", "MATCH_epc"),
        ("inputEPCList", "MATCH_inputEPC"),
        ("outputEPCList", "MATCH_outputEPC"),
    ] {
        if let Some(epc) = event[field][0].as_str() {
            queries.push(format!("{param}={}", enc(epc)));
            queries.push(format!("MATCH_anyEPC={}", enc(epc)));
        }
    }
    if let Some(parent) = event["parentID"].as_str() {
        queries.push(format!("MATCH_parentID={}", enc(parent)));
    }
    for (field, param) in [
        ("quantityList", "MATCH_epcClass"),
        ("childQuantityList", "MATCH_epcClass"),
        ("inputQuantityList", "MATCH_anyEPCClass"),
        ("outputQuantityList", "MATCH_anyEPCClass"),
    ] {
        if let Some(class) = event[field][0]["epcClass"].as_str() {
            queries.push(format!("{param}={}", enc(class)));
        }
    }
    queries
}

/// Every event of `documents` by the eventID the server gives it. Some GS1 examples give
/// one eventID to different events; the server keeps each (see epcis/capture), and a read
/// by that ID answers one of them.
fn events_by_id(documents: &[Vec<u8>]) -> BTreeMap<String, Vec<Event>> {
    let mut by_id: BTreeMap<String, Vec<Event>> = BTreeMap::new();
    for document in documents {
        for decoded in decode_document(document, prefix_table()).unwrap() {
            let id = expected_id(&decoded);
            let mut event = decoded.event;
            event.event_id = Some(id.clone());
            let same_id = by_id.entry(id).or_default();
            if !same_id.contains(&event) {
                same_id.push(event);
            }
        }
    }
    by_id
}

#[test]
fn every_example_is_captured_and_read_back_by_id_and_by_parameters() {
    let epcis = Epcis::start();
    let files: Vec<_> = example_files()
        .into_iter()
        .filter(|f| !f.ends_with("EPCISQueryDocument.jsonld"))
        .collect();
    assert_eq!(files.len(), 46);
    let documents: Vec<Vec<u8>> = files.iter().map(|f| read(f)).collect();
    for (file, document) in files.iter().zip(&documents) {
        let job = epcis.capture(document);
        assert_eq!(job["success"], true, "{}: {job:#}", file.display());
        assert_eq!(job["errors"], json!([]), "{}", file.display());
    }
    let by_id = events_by_id(&documents);
    let distinct: usize = by_id.values().map(Vec::len).sum();
    assert_eq!(
        epcis.stored_events(),
        distinct as u64,
        "each distinct event once"
    );
    assert!(
        by_id.values().any(|events| events.len() > 1),
        "GS1's reused IDs"
    );
    let mut queried = 0;
    for (id, events) in &by_id {
        let answer = epcis.get(&format!("/epcis/events/{}", enc(id)));
        assert_eq!(answer.status, 200, "{id}: {:#}", answer.body);
        assert_valid(&answer.body, id);
        assert_eq!(answer.body["eventID"], id.as_str());
        let back = decode_event(answer.body.to_string().as_bytes(), prefix_table()).unwrap();
        assert!(events.contains(&back.event), "{id}: the event as stored");
        let same_id = ids(
            &epcis.get(&format!("/epcis/events?EQ_eventID={}", enc(id))),
            id,
        );
        assert_eq!(
            same_id.len(),
            events.len(),
            "{id}: every event with this ID"
        );
        for query in queries_for(&answer.body) {
            let path = format!("/epcis/events?perPage=1000&{query}");
            let found = ids(&epcis.get(&path), &format!("{id}: {query}"));
            assert!(found.contains(id), "{query} misses {id}");
            queried += 1;
        }
    }
    assert!(queried > 300, "{queried} queries");
    let everything = epcis.get("/epcis/events?perPage=1000");
    let all = ids(&everything, "all");
    assert_eq!(all.len() as u64, epcis.stored_events());
    let distinct: BTreeSet<&String> = all.iter().collect();
    assert_eq!(distinct, by_id.keys().collect());
}

#[test]
fn the_same_document_twice_is_stored_once() {
    let epcis = Epcis::start();
    let document =
        read(&epcis_common::data_dir().join("examples/Example_9.6.1-ObjectEvent.jsonld"));
    let events = decode_document(&document, prefix_table()).unwrap().len();
    let first = epcis.capture(&document);
    assert_eq!(first["storedEvents"], events);
    let again = epcis.capture(&document);
    assert_eq!(again["success"], true);
    assert_eq!(again["storedEvents"], 0);
    assert_eq!(again["duplicateEvents"], events);
    assert_eq!(epcis.stored_events(), events as u64);
}

const CONTEXT: &str = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";

fn event(epc: &str, n: usize) -> Value {
    json!({
        "type": "ObjectEvent",
        "eventTime": format!("2024-03-01T10:{:02}:{:02}.000+01:00", n / 60 % 60, n % 60),
        "eventTimeZoneOffset": "+01:00",
        "epcList": [epc],
        "action": "OBSERVE",
        "bizStep": "shipping",
        "readPoint": {"id": "urn:epc:id:sgln:0614141.07346.1234"}
    })
}

fn document(events: Vec<Value>) -> Value {
    json!({
        "@context": [CONTEXT, {"ex": "https://ns.example.com/epcis/"}],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2024-03-01T12:00:00Z",
        "epcisBody": {"eventList": events}
    })
}

const GOOD: &str = "urn:epc:id:sgtin:0614141.107346.2017";

/// A document whose second event is broken by `edit`.
fn broken(edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut doc = document(vec![event(GOOD, 1), event(GOOD, 2)]);
    edit(&mut doc);
    serde_json::to_vec(&doc).unwrap()
}

#[test]
fn malformed_documents_are_refused_with_reason_and_path_and_store_nothing() {
    let epcis = Epcis::start();
    let second = "$.epcisBody.eventList[1]";
    let cases: Vec<(&str, Vec<u8>, String, &str)> = vec![
        (
            "bad JSON",
            br#"{"type": "EPCISDocument","#.to_vec(),
            "$".into(),
            "not JSON",
        ),
        (
            "unknown event type",
            broken(|d| d["epcisBody"]["eventList"][1]["type"] = "FooEvent".into()),
            format!("{second}.type"),
            "FooEvent",
        ),
        (
            "bad EPC",
            broken(|d| {
                d["epcisBody"]["eventList"][1]["epcList"][0] = "urn:epc:id:sgtin:0614141.1".into()
            }),
            format!("{second}.epcList[0]"),
            "sgtin",
        ),
        (
            "wrong time format",
            broken(|d| d["epcisBody"]["eventList"][1]["eventTime"] = "2024-03-01 10:00".into()),
            format!("{second}.eventTime"),
            "2024-03-01 10:00",
        ),
        (
            "bad context",
            broken(|d| d["@context"] = json!(["https://example.com/not-epcis.jsonld"])),
            r#"$["@context"]"#.into(),
            "EPCIS",
        ),
        (
            "unknown bizStep without a namespace",
            broken(|d| d["epcisBody"]["eventList"][1]["bizStep"] = "teleporting".into()),
            format!("{second}.bizStep"),
            "teleporting",
        ),
    ];
    for (what, body, path, quoted) in cases {
        let answer = epcis.post("/epcis/capture", Some(SUPERVISOR), &[], &body);
        assert_eq!(answer.status, 400, "{what}: {:#}", answer.body);
        assert_eq!(
            answer.header("content-type"),
            Some("application/problem+json")
        );
        assert_eq!(
            answer.body["type"], "epcisException:ValidationException",
            "{what}"
        );
        let errors = answer.body["errors"].as_array().unwrap();
        let at_path: Vec<&Value> = errors
            .iter()
            .filter(|e| e["path"] == path.as_str())
            .collect();
        assert!(
            at_path
                .iter()
                .any(|e| e["title"].as_str().unwrap().contains(quoted)),
            "{what}: no problem at {path} quoting {quoted:?}: {errors:#?}"
        );
        assert!(
            at_path
                .iter()
                .all(|e| e["type"] == "epcisException:ValidationException")
        );
    }
    assert_eq!(epcis.stored_events(), 0, "nothing of any of them");
    let all = epcis.get("/epcis/events");
    assert!(event_list(&all, "after refusals").is_empty());
}

#[test]
fn proceed_stores_the_good_events_and_reports_the_others() {
    let epcis = Epcis::start();
    let body = broken(|d| d["epcisBody"]["eventList"][1]["epcList"][0] = "nonsense".into());
    let job = epcis.capture_with(&body, &[("GS1-Capture-Error-Behaviour", "proceed")]);
    assert_eq!(job["success"], false, "{job:#}");
    assert_eq!(job["captureErrorBehaviour"], "proceed");
    assert_eq!(job["storedEvents"], 1);
    let errors = job["errors"].as_array().unwrap();
    assert!(!errors.is_empty());
    assert!(
        errors.iter().all(|e| e["path"]
            .as_str()
            .unwrap()
            .starts_with("$.epcisBody.eventList[1]")),
        "{errors:#?}"
    );
    assert_eq!(epcis.stored_events(), 1);
    let odd = epcis.post(
        "/epcis/capture",
        Some(SUPERVISOR),
        &[("GS1-Capture-Error-Behaviour", "sometimes")],
        &body,
    );
    assert_eq!(odd.status, 400, "{:#}", odd.body);
}

#[test]
fn single_events_tokens_and_limits() {
    let epcis = Epcis::start();
    let mut one = event(GOOD, 7);
    one["@context"] = json!([CONTEXT]);
    let body = serde_json::to_vec(&one).unwrap();
    let denied = epcis.post("/epcis/events", None, &[], &body);
    assert_eq!(denied.status, 401);
    assert_eq!(denied.body["type"], "epcisException:SecurityException");
    let denied = epcis.post("/epcis/capture", Some("wrong"), &[], &body);
    assert_eq!(denied.status, 401);
    assert_eq!(epcis.get_as("/epcis/events", None).status, 401);

    let created = epcis.post("/epcis/events", Some(SUPERVISOR), &[], &body);
    assert_eq!(created.status, 201, "{:#}", created.body);
    assert_valid(&created.body, "created event");
    let id = created.body["eventID"].as_str().unwrap().to_owned();
    assert!(
        id.starts_with("ni:///sha-256;") && id.ends_with("?ver=CBV2.0"),
        "{id}"
    );
    let location = created.header("location").unwrap().to_owned();
    assert_eq!(location, format!("/epcis/events/{}", enc(&id)));
    assert_eq!(epcis.get(&location).body["eventID"], id.as_str());
    let again = epcis.post("/epcis/events", Some(SUPERVISOR), &[], &body);
    assert_eq!(again.status, 409, "{:#}", again.body);
    assert_eq!(again.header("location"), Some(location.as_str()));
    assert_eq!(epcis.stored_events(), 1);

    for answer in [&created, &denied] {
        assert_eq!(answer.header("gs1-epcis-version"), Some("2.0.0"));
        let limit: usize = answer
            .header("gs1-epcis-capture-limit")
            .unwrap()
            .parse()
            .unwrap();
        let size: usize = answer
            .header("gs1-epcis-capture-file-size-limit")
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(limit, trace_server::epcis::capture::CAPTURE_LIMIT);
        assert_eq!(size, trace_server::epcis::capture::FILE_SIZE_LIMIT);
    }
    let many: Vec<Value> = (0..=trace_server::epcis::capture::CAPTURE_LIMIT)
        .map(|n| event(GOOD, n))
        .collect();
    let too_many = serde_json::to_vec(&document(many)).unwrap();
    let refused = epcis.post("/epcis/capture", Some(SUPERVISOR), &[], &too_many);
    assert_eq!(refused.status, 413, "{:#}", refused.body);
    assert_eq!(
        refused.body["type"],
        "epcisException:CaptureLimitExceededException"
    );
    let title = refused.body["title"].as_str().unwrap();
    assert!(
        title.starts_with("10001 events"),
        "counted, so bodies over 1 MiB are read: {title}"
    );
    let huge = vec![b' '; trace_server::epcis::capture::FILE_SIZE_LIMIT + 1];
    let refused = epcis.post("/epcis/capture", Some(SUPERVISOR), &[], &huge);
    assert_eq!(refused.status, 413);
    assert!(refused.body["title"].as_str().unwrap().contains("bytes"));
    assert_eq!(epcis.stored_events(), 1);

    let openapi = epcis.get_as("/epcis/openapi.json", None);
    assert_eq!(openapi.status, 200);
    assert_eq!(openapi.body["openapi"], "3.0.3");
}
