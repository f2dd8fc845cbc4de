//! EPCIS queries against a real `trace-server` process: paging through `Link` headers in
//! record order and in `orderBy` order, `eventCountLimit`, EPC patterns, record-time
//! bounds, refused parameters; and one trace across events signed by a gateway (over the
//! embedded MQTT broker) and documents captured over HTTP, with class-level quantity events
//! and a transformation.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod epcis_common;
mod epcis_http;
mod harness;

use std::collections::BTreeSet;

use epcis_http::{Epcis, all_pages, enc, event_list, ids};
use harness::{Link, SUPERVISOR, TestGateway};
use serde_json::{Value, json};
use trace_proto::event::{
    Action, AggregationEvent, BizStep, EventKind, EventTime, Location, ObjectEvent, TimeZoneOffset,
};
use trace_server::epcis::event_hash_id;

const CONTEXT: &str = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";

fn document(events: Vec<Value>) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "@context": [CONTEXT],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2024-03-01T12:00:00Z",
        "epcisBody": {"eventList": events}
    }))
    .unwrap()
}

/// Event `n` of the paging document: its own EPC and minute.
fn numbered(n: usize) -> Value {
    json!({
        "type": "ObjectEvent",
        "eventTime": format!("2024-03-01T{:02}:{:02}:00.000+01:00", 8 + n / 60, n % 60),
        "eventTimeZoneOffset": "+01:00",
        "epcList": [format!("urn:epc:id:sgtin:0614141.107346.{n}")],
        "action": "OBSERVE",
        "bizStep": "inspecting"
    })
}

fn times(epcis: &Epcis, path: &str) -> Vec<EventTime> {
    event_list(&epcis.get(path), path)
        .iter()
        .map(|e| e["eventTime"].as_str().unwrap().parse().unwrap())
        .collect()
}

#[test]
fn pages_orders_limits_and_refusals() {
    let epcis = Epcis::start();
    let job = epcis.capture(&document((0..75).map(numbered).collect()));
    assert_eq!(job["storedEvents"], 75, "{job:#}");

    let pages = all_pages(&epcis, "/epcis/events?perPage=30");
    let sizes: Vec<usize> = pages.iter().map(Vec::len).collect();
    assert_eq!(sizes, [30, 30, 15]);
    let all: BTreeSet<&String> = pages.iter().flatten().collect();
    assert_eq!(all.len(), 75, "no event twice");

    let ordered = all_pages(
        &epcis,
        "/epcis/events?perPage=30&orderBy=eventTime&orderDirection=ASC&EQ_bizStep=inspecting",
    );
    assert_eq!(
        ordered.iter().map(Vec::len).collect::<Vec<_>>(),
        [30, 30, 15]
    );
    let mut first_page = times(
        &epcis,
        "/epcis/events?perPage=75&orderBy=eventTime&orderDirection=ASC",
    );
    assert!(first_page.is_sorted());
    first_page.reverse();
    assert_eq!(
        times(&epcis, "/epcis/events?perPage=75&orderBy=eventTime"),
        first_page,
        "DESC by default"
    );

    for path in [
        "/epcis/events?perPage=30&eventCountLimit=40",
        "/epcis/events?perPage=30&eventCountLimit=40&orderBy=recordTime",
    ] {
        let sizes: Vec<usize> = all_pages(&epcis, path).iter().map(Vec::len).collect();
        assert_eq!(sizes, [30, 10], "{path}");
    }
    let pattern = enc("urn:epc:idpat:sgtin:0614141.107346.*");
    let matched = all_pages(
        &epcis,
        &format!("/epcis/events?perPage=100&MATCH_epc={pattern}"),
    );
    assert_eq!(matched[0].len(), 75);
    let one = ids(
        &epcis.get(&format!(
            "/epcis/events?MATCH_epc={}",
            enc("urn:epc:id:sgtin:0614141.107346.42")
        )),
        "one EPC",
    );
    assert_eq!(one.len(), 1);
    let other = enc("urn:epc:idpat:sgtin:0614141.107347.*");
    assert!(
        ids(
            &epcis.get(&format!("/epcis/events?MATCH_epc={other}")),
            "none"
        )
        .is_empty()
    );

    let later = EventTime::from_unix_millis(EventTime::now().unix_millis() + 60_000).unwrap();
    let later = enc(&later.to_string());
    assert!(
        ids(
            &epcis.get(&format!("/epcis/events?GE_recordTime={later}")),
            "GE"
        )
        .is_empty()
    );
    let all_before = ids(
        &epcis.get(&format!("/epcis/events?perPage=100&LT_recordTime={later}")),
        "LT",
    );
    assert_eq!(all_before.len(), 75);

    for bad in [
        "/epcis/events?MATCH_nothing=x",
        "/epcis/events?GE_eventTime=yesterday",
        "/epcis/events?orderBy=bizStep",
        "/epcis/events?perPage=0",
        "/epcis/events?nextPageToken=forged",
        "/epcis/events?EQ_action=ADD&EQ_action=DELETE",
    ] {
        let answer = epcis.get(bad);
        assert_eq!(answer.status, 400, "{bad}: {:#}", answer.body);
        assert_eq!(
            answer.body["type"], "epcisException:QueryParameterException",
            "{bad}"
        );
    }
    assert_eq!(
        epcis
            .get(&format!("/epcis/events/{}", enc("urn:uuid:nothing")))
            .status,
        404
    );
}

const FLOUR: &str = "urn:epc:class:lgtin:4012345.011111.FL1";
const LOAF_A: &str = "urn:epc:id:sgtin:0614141.812345.1";
const LOAF_B: &str = "urn:epc:id:sgtin:0614141.812345.2";
const CASE: &str = "urn:epc:id:sscc:0614141.1234567890";
const BAKERY: &str = "urn:epc:id:sgln:0614141.00001.0";

fn time(hh: u32) -> EventTime {
    format!("2024-03-01T{hh:02}:00:00Z").parse().unwrap()
}

fn signed_events() -> Vec<trace_proto::event::Event> {
    let offset = TimeZoneOffset::UTC;
    let mut packing = trace_proto::event::Event::new(
        EventKind::Aggregation(AggregationEvent {
            action: Action::Add,
            parent_id: Some(CASE.into()),
            child_epcs: vec![LOAF_A.into(), LOAF_B.into()],
            child_quantity_list: vec![],
        }),
        time(10),
        offset,
    );
    packing.biz_step = Some(BizStep::Packing);
    packing.read_point = Some(Location {
        id: BAKERY.into(),
        extensions: vec![],
    });
    let mut shipping = trace_proto::event::Event::new(
        EventKind::Object(ObjectEvent {
            action: Action::Observe,
            epc_list: vec![CASE.into()],
            quantity_list: vec![],
            ilmd: None,
        }),
        time(11),
        offset,
    );
    shipping.biz_step = Some(BizStep::Shipping);
    shipping.read_point = packing.read_point.clone();
    vec![packing, shipping]
}

#[test]
fn one_trace_across_gateway_events_and_captured_documents() {
    let epcis = Epcis::start();
    let supplier = document(vec![
        json!({
            "type": "ObjectEvent", "action": "ADD", "bizStep": "commissioning",
            "eventTime": "2024-03-01T06:00:00Z", "eventTimeZoneOffset": "+00:00",
            "quantityList": [{"epcClass": FLOUR, "quantity": 500, "uom": "KGM"}],
            "readPoint": {"id": "urn:epc:id:sgln:4012345.00001.0"}
        }),
        json!({
            "type": "ObjectEvent", "action": "OBSERVE", "bizStep": "shipping",
            "eventTime": "2024-03-01T07:00:00Z", "eventTimeZoneOffset": "+00:00",
            "quantityList": [{"epcClass": FLOUR, "quantity": 200, "uom": "KGM"}],
            "readPoint": {"id": "urn:epc:id:sgln:4012345.00001.0"}
        }),
    ]);
    let bakery = document(vec![json!({
        "type": "TransformationEvent", "bizStep": "commissioning",
        "eventTime": "2024-03-01T09:00:00Z", "eventTimeZoneOffset": "+00:00",
        "inputQuantityList": [{"epcClass": FLOUR, "quantity": 200, "uom": "KGM"}],
        "outputEPCList": [LOAF_A, LOAF_B],
        "readPoint": {"id": BAKERY}
    })]);
    let retailer = document(vec![json!({
        "type": "ObjectEvent", "action": "OBSERVE", "bizStep": "receiving",
        "eventTime": "2024-03-02T14:00:00Z", "eventTimeZoneOffset": "+00:00",
        "epcList": [CASE],
        "readPoint": {"id": "urn:epc:id:sgln:0614141.00777.0"}
    })]);
    for doc in [&supplier, &bakery] {
        assert_eq!(epcis.capture(doc)["success"], true);
    }
    let mut gateway = TestGateway::new("gw-epcis-query", 9);
    epcis.server.enroll(&gateway);
    let mut link = Link::connect(epcis.server.mqtt_port.unwrap(), &gateway.id);
    let events = signed_events();
    let gateway_ids: Vec<String> = events.iter().map(event_hash_id).collect();
    let signed: Vec<_> = events.into_iter().map(|e| gateway.sign(e)).collect();
    link.publish(&signed);
    link.wait_ack(2);
    assert_eq!(epcis.capture(&retailer)["success"], true);
    assert_eq!(epcis.stored_events(), 6);

    let (status, trace) = epcis.server.get(
        &format!("/api/v1/trace?code={}&direction=backward", enc(LOAF_A)),
        None,
    );
    assert_eq!(status, 200, "{trace:#}");
    let hops = trace["events"].as_array().unwrap();
    let steps: BTreeSet<(String, bool)> = hops
        .iter()
        .map(|h| {
            let kind = format!(
                "{} {}",
                h["event_type"].as_str().unwrap(),
                h["biz_step"].as_str().unwrap_or("-")
            );
            (kind, h["signed_by"].is_null())
        })
        .collect();
    for (step, captured) in [
        ("ObjectEvent commissioning", true),
        ("TransformationEvent commissioning", true),
        ("AggregationEvent packing", false),
        ("ObjectEvent shipping", false),
        ("ObjectEvent receiving", true),
    ] {
        assert!(
            steps.contains(&(step.to_owned(), captured)),
            "{step}: {steps:#?}"
        );
    }
    assert!(trace["reached"].as_array().unwrap().contains(&json!(FLOUR)));

    let (status, forward) = epcis.server.get(
        &format!("/api/v1/trace?code={}&direction=forward", enc(FLOUR)),
        Some(SUPERVISOR),
    );
    assert_eq!(status, 200, "{forward:#}");
    let units: BTreeSet<&str> = forward["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap())
        .collect();
    assert!(
        units.contains(LOAF_A) && units.contains(LOAF_B),
        "{units:?}"
    );

    let naming_a = ids(
        &epcis.get(&format!("/epcis/events?MATCH_anyEPC={}", enc(LOAF_A))),
        "MATCH_anyEPC",
    );
    assert_eq!(naming_a.len(), 2, "the transformation and the packing");
    assert!(
        naming_a.contains(&gateway_ids[0]),
        "the gateway event by its CBV hash"
    );
    let by_id = epcis.get(&format!("/epcis/events/{}", enc(&gateway_ids[0])));
    assert_eq!(by_id.status, 200, "{:#}", by_id.body);
    assert_eq!(by_id.body["type"], "AggregationEvent");
    let flour = ids(
        &epcis.get(&format!("/epcis/events?MATCH_anyEPCClass={}", enc(FLOUR))),
        "class",
    );
    assert_eq!(flour.len(), 3, "two quantity events and the transformation");
    let only_lists = ids(
        &epcis.get(&format!("/epcis/events?MATCH_epcClass={}", enc(FLOUR))),
        "epcClass",
    );
    assert_eq!(only_lists.len(), 2, "quantityList only, not inputs");
    let at_bakery = ids(
        &epcis.get(&format!(
            "/epcis/events?EQ_readPoint={}&orderBy=eventTime&orderDirection=ASC",
            enc(BAKERY)
        )),
        "read point",
    );
    assert_eq!(at_bakery.len(), 3);
    assert_eq!(at_bakery[1], gateway_ids[0]);
}
