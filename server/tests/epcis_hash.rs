//! The CBV 2.0 event hash against published expectations: the worked examples of
//! docs/event-hash.md §7, the reference generator's vectors (tests/data/epcis/hash-vectors,
//! see SOURCE.md), its GS1 identifier normalisation cases, and the IDs it gives GS1's
//! examples.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod epcis_common;

use std::path::Path;

use epcis_common::{data_dir, prefix_table, read};
use serde_json::{Value, json};
use trace_server::epcis::hash::canonical_gs1_identifier;
use trace_server::epcis::{decode_document, decode_event, pre_hash};

fn lines(path: &Path) -> Vec<String> {
    String::from_utf8(read(path))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// An event of event-hash.md §7 with the `@context` the document states for it.
fn worked_example(mut event: Value, extra_prefixes: &[(&str, &str)]) -> Vec<u8> {
    let mut prefixes = serde_json::Map::new();
    prefixes.insert("ex".into(), "https://ns.example.com/epcis/".into());
    for (prefix, iri) in extra_prefixes {
        prefixes.insert((*prefix).into(), (*iri).into());
    }
    event["@context"] = json!([
        "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
        prefixes
    ]);
    serde_json::to_vec(&event).unwrap()
}

fn assert_worked_example(json: &[u8], pre_hash_lines: &[&str], hash_id: &str) {
    let decoded = decode_event(json, prefix_table()).unwrap();
    assert_eq!(decoded.pre_hash, pre_hash_lines.concat());
    assert_eq!(decoded.hash_id(), hash_id);
    // An event that only exists in the model gets the same ID from the JSON we write for it.
    assert_eq!(pre_hash(&decoded.event), decoded.pre_hash);
}

#[test]
fn worked_example_a_object_event() {
    let event = json!({"type":"ObjectEvent","eventID":"urn:uuid:1","eventTime":"2024-03-01T10:15:30.1235+01:00","eventTimeZoneOffset":"+01:00","epcList":["urn:epc:id:sgtin:4012345.011111.1002","https://example.com/gtin/4012345111118/ser/1001?linkType=all"],"action":"OBSERVE","bizStep":"shipping","disposition":"in_transit","readPoint":{"id":"urn:epc:id:sgln:4012345.00001.0"},"bizTransactionList":[{"type":"po","bizTransaction":"urn:epcglobal:cbv:bt:4012345000009:PO-77"}],"ex:count":"0010.50","ex:batch":"  B-17 "});
    assert_worked_example(
        &worked_example(event, &[]),
        &[
            "eventType=ObjectEventeventTime=2024-03-01T09:15:30.124ZeventTimeZoneOffset=+01:00",
            "epcListepc=https://id.gs1.org/01/04012345111118/21/1001epc=https://id.gs1.org/01/04012345111118/21/1002",
            "action=OBSERVEbizStep=https://ref.gs1.org/cbv/BizStep-shippingdisposition=https://ref.gs1.org/cbv/Disp-in_transit",
            "readPointid=https://id.gs1.org/414/4012345000016",
            "bizTransactionListtype=https://ref.gs1.org/cbv/BTT-pobizTransaction=urn:epcglobal:cbv:bt:4012345000009:PO-77",
            "{https://ns.example.com/epcis/}batch=B-17{https://ns.example.com/epcis/}count=10.5",
        ],
        "ni:///sha-256;a1b0d47a246a4c72d17f3cd54b2c143d6e3a2cf1f005d514fa8a1b2ffd14f733?ver=CBV2.0",
    );
}

#[test]
fn worked_example_b_aggregation_event() {
    let event = json!({"type":"AggregationEvent","eventTime":"2024-03-01T08:00:00Z","eventTimeZoneOffset":"+00:00","parentID":"urn:epc:id:sscc:4012345.0000000111","childEPCs":["urn:epc:id:sgtin:4012345.011111.B2","urn:epc:id:sgtin:4012345.011111.A1"],"childQuantityList":[{"epcClass":"urn:epc:class:lgtin:4012345.011111.LOT9","quantity":10.0,"uom":"KGM"}],"action":"ADD","bizStep":"packing","readPoint":{"id":"https://id.gs1.org/414/4012345000016"},"bizLocation":{"id":"urn:epc:id:sgln:4012345.00001.12","ex:dock":"D4"}});
    assert_worked_example(
        &worked_example(event, &[]),
        &[
            "eventType=AggregationEventeventTime=2024-03-01T08:00:00.000ZeventTimeZoneOffset=+00:00",
            "parentID=https://id.gs1.org/00/040123450000001112",
            "childEPCsepc=https://id.gs1.org/01/04012345111118/21/A1epc=https://id.gs1.org/01/04012345111118/21/B2",
            "childQuantityListquantityElementepcClass=https://id.gs1.org/01/04012345111118/10/LOT9quantity=10uom=KGM",
            "action=ADDbizStep=https://ref.gs1.org/cbv/BizStep-packingreadPointid=https://id.gs1.org/414/4012345000016",
            "bizLocationid=https://id.gs1.org/414/4012345000016/254/12{https://ns.example.com/epcis/}dock=D4",
        ],
        "ni:///sha-256;3d219172d31ff323a00e98c93a17ce3a6e1ea04db94a4e7b96aa240015e555e9?ver=CBV2.0",
    );
}

#[test]
fn worked_example_c_transformation_event() {
    let event = json!({"type":"TransformationEvent","eventTime":"2024-03-02T23:30:00-02:00","eventTimeZoneOffset":"-02:00","inputQuantityList":[{"epcClass":"urn:epc:class:lgtin:4012345.099999.L1","quantity":2.50,"uom":"KGM"}],"outputEPCList":["urn:epc:id:sgtin:4012345.077777.9"],"bizStep":"commissioning","disposition":"active","sensorElementList":[{"sensorMetadata":{"time":"2024-03-02T23:29:00-02:00","deviceID":"urn:epc:id:giai:4012345.SENSOR1"},"sensorReport":[{"type":"Temperature","value":4.20,"uom":"CEL"},{"type":"RelativeHumidity","value":55,"uom":"P1"}]}],"ilmd":{"ex:lot":"L1","cbvmda:bestBeforeDate":"2024-04-01"}});
    assert_worked_example(
        &worked_example(event, &[("cbvmda", "urn:epcglobal:cbv:mda:")]),
        &[
            "eventType=TransformationEventeventTime=2024-03-03T01:30:00.000ZeventTimeZoneOffset=-02:00",
            "inputQuantityListquantityElementepcClass=https://id.gs1.org/01/04012345999990/10/L1quantity=2.5uom=KGM",
            "outputEPCListepc=https://id.gs1.org/01/04012345777772/21/9",
            "bizStep=https://ref.gs1.org/cbv/BizStep-commissioningdisposition=https://ref.gs1.org/cbv/Disp-active",
            "sensorElementListsensorElementsensorMetadatatime=2024-03-03T01:29:00.000ZdeviceID=https://id.gs1.org/8004/4012345SENSOR1",
            "sensorReporttype=https://gs1.org/voc/RelativeHumidityvalue=55uom=P1sensorReporttype=https://gs1.org/voc/Temperaturevalue=4.2uom=CEL",
            "ilmd{https://ns.example.com/epcis/}lot=L1{urn:epcglobal:cbv:mda:}bestBeforeDate=2024-04-01",
        ],
        "ni:///sha-256;aa777689e92698285b98ca48e2fd57c9c42ce634ee548fb090368bc001422ab8?ver=CBV2.0",
    );
}

#[test]
fn reference_generator_vectors() {
    let table = prefix_table();
    let dir = data_dir().join("hash-vectors");
    let mut checked = 0;
    for name in [
        "ReferenceEventHashAlgorithm",
        "EPCISQueryDocument",
        "epcisDocWithAllGS1Keys",
        "TimeStampRoundOff",
    ] {
        let decoded = decode_document(&read(&dir.join(format!("{name}.jsonld"))), table)
            .unwrap_or_else(|e| panic!("{name}:\n{e}"));
        let hashes: Vec<String> = decoded.iter().map(|d| d.hash_id()).collect();
        assert_eq!(hashes, lines(&dir.join(format!("{name}.hashes"))), "{name}");
        let pre_hashes = dir.join(format!("{name}.prehashes"));
        if pre_hashes.exists() {
            let ours: Vec<String> = decoded.iter().map(|d| d.pre_hash.clone()).collect();
            assert_eq!(ours, lines(&pre_hashes), "{name}");
        }
        checked += decoded.len();
    }
    assert_eq!(checked, 6);
}

#[test]
fn reference_generator_moves_location_extensions_where_we_do_not() {
    let dir = data_dir().join("hash-vectors");
    let decoded = decode_document(
        &read(&dir.join("ReferenceEventHashAlgorithm3.jsonld")),
        prefix_table(),
    )
    .unwrap();
    let theirs = &lines(&dir.join("ReferenceEventHashAlgorithm3.reference-prehashes"))[0];
    let extension = "{https://ns.example.com/epcis/}myField1=AB-12";
    // Ours: inside readPoint (event-hash.md §4). Theirs: a second `readPoint` at the end (§9.5).
    let ours = &decoded[0].pre_hash;
    let in_place = format!("readPointid=https://id.gs1.org/414/4012345000115{extension}");
    assert!(ours.contains(&in_place), "{ours}");
    let moved = theirs
        .replace(&format!("readPoint{extension}"), "")
        .replace(
            "readPointid=https://id.gs1.org/414/4012345000115",
            &in_place,
        );
    assert_eq!(&moved, ours);
    assert_ne!(
        decoded[0].hash_id(),
        lines(&dir.join("ReferenceEventHashAlgorithm3.reference-hashes"))[0]
    );
}

#[test]
fn gs1_examples_get_the_reference_generators_ids() {
    let table = prefix_table();
    let expected = lines(&data_dir().join("hash-vectors/EPCISQueryDocument.hashes"));
    // The same two events, as a document, a query document, with SBDH-like header fields and
    // with an `rdfs:comment`, which the hash leaves out.
    for file in [
        "Example_9.6.1-ObjectEvent.jsonld",
        "Example_9.6.1-ObjectEvent-with-pseudo-SBDH-headers.jsonld",
        "Example_9.6.1-with-comment.jsonld",
        "EPCISQueryDocument.jsonld",
    ] {
        let decoded =
            decode_document(&read(&data_dir().join("examples").join(file)), table).unwrap();
        let hashes: Vec<String> = decoded.iter().map(|d| d.hash_id()).collect();
        assert_eq!(hashes, expected, "{file}");
    }
}

#[test]
fn gs1_identifiers_normalise_like_the_reference_generator() {
    // The generator's own normaliser cases; rows that expect the input back are those it
    // does not normalise.
    let table =
        String::from_utf8(read(&data_dir().join("hash-vectors/gs1-identifiers.tsv"))).unwrap();
    let mut rows = 0;
    for line in table.lines().skip(1) {
        let (input, expected) = line.split_once('\t').unwrap();
        assert_eq!(canonical_gs1_identifier(input), expected, "{input}");
        rows += 1;
    }
    assert_eq!(rows, 66);
}
