//! EPCIS 2.0 capture as plain logic: check a document (GS1's JSON Schema, then the decoder's
//! CBV, identifier, time and extension checks), honour `GS1-Capture-Error-Behaviour`, and
//! turn the events that pass into [`StoredEvent`](crate::store::StoredEvent)s keyed by their CBV 2.0 event hash.
//!
//! Keys and IDs of captured events are in [`keys`].

mod jobs;
pub mod keys;
mod schema;

pub use jobs::{CaptureJob, Jobs, MAX_JOBS};
pub use keys::{MAX_SLOTS, events_named, settle_slots, to_stored};

use std::collections::BTreeSet;

use serde_json::{Value, json};
use trace_proto::company_prefix::CompanyPrefixes;

use super::decode::{Decoded, decode_document, decode_event};
use super::problem::{Problem, Problems};

/// Most events one capture document may hold (`GS1-EPCIS-Capture-Limit`).
pub const CAPTURE_LIMIT: usize = 10_000;
/// Largest capture request body in bytes (`GS1-EPCIS-Capture-File-Size-Limit`).
pub const FILE_SIZE_LIMIT: usize = 16 * 1024 * 1024;
/// The RFC 7807 `type` of a refused document or event.
pub const VALIDATION_EXCEPTION: &str = "epcisException:ValidationException";

/// `GS1-Capture-Error-Behaviour`: what a problem in one event does to the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorBehaviour {
    /// The default: a document with any problem stores nothing.
    Rollback,
    /// Events without problems are stored; the others are reported in the capture job.
    Proceed,
}

impl ErrorBehaviour {
    /// The header's value; absent means [`Rollback`](Self::Rollback). `all` is refused: the
    /// standard lists it without defining it.
    pub fn from_header(value: Option<&str>) -> Result<Self, String> {
        match value.map(str::trim) {
            None | Some("rollback") => Ok(Self::Rollback),
            Some("proceed") => Ok(Self::Proceed),
            Some(other) => Err(format!(
                "GS1-Capture-Error-Behaviour {other:?} is not supported (rollback or proceed)"
            )),
        }
    }

    /// The header value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rollback => "rollback",
            Self::Proceed => "proceed",
        }
    }
}

/// Why a capture request was refused as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The document (or, under rollback, any of its events) has problems.
    Invalid(Vec<Problem>),
    /// More events than [`CAPTURE_LIMIT`].
    TooManyEvents(usize),
}

/// A document that passed: the events to store and, under proceed, those left out.
#[derive(Debug, Clone, Default)]
pub struct Checked {
    /// Events without problems, in document order.
    pub events: Vec<Decoded>,
    /// Problems of the events left out, paths as in the request.
    pub refused: Vec<Problem>,
}

/// Schema and decoder problems of `value`, and its events when there are none. `json` is
/// `value`'s text when the caller still has it, else it is written again for the decoder.
fn check_value(
    value: &Value,
    json: Option<&[u8]>,
    prefixes: &dyn CompanyPrefixes,
    single: bool,
) -> (Vec<Decoded>, Vec<Problem>) {
    let mut schema_problems = Problems::default();
    schema::check(value, &mut schema_problems);
    let mut problems = schema_problems.list().to_vec();
    let written;
    let json = match json {
        Some(json) => json,
        None => {
            written = value.to_string();
            written.as_bytes()
        }
    };
    let events = if single {
        decode_event(json, prefixes).map(|e| vec![e])
    } else {
        decode_document(json, prefixes)
    };
    match events {
        Ok(events) if problems.is_empty() => (events, problems),
        Ok(_) => (Vec::new(), problems),
        Err(error) => {
            problems.extend(error.problems());
            (Vec::new(), problems)
        }
    }
}

fn parse(json: &[u8]) -> Result<Value, Refusal> {
    serde_json::from_slice(json).map_err(|e| {
        Refusal::Invalid(vec![Problem {
            path: "$".into(),
            message: format!("not JSON: {e}"),
        }])
    })
}

/// Checks a single event (`POST /events`).
pub fn check_event(json: &[u8], prefixes: &dyn CompanyPrefixes) -> Result<Decoded, Refusal> {
    let value = parse(json)?;
    let (mut events, problems) = check_value(&value, Some(json), prefixes, true);
    match events.pop() {
        Some(event) if problems.is_empty() => Ok(event),
        _ => Err(Refusal::Invalid(problems)),
    }
}

/// The event list of a document and its JSON path, if it has one.
fn event_list(value: &mut Value) -> Option<(&mut Vec<Value>, &'static str)> {
    let query = value.get("type").and_then(Value::as_str) == Some("EPCISQueryDocument");
    if query {
        let list = value.pointer_mut("/epcisBody/queryResults/resultsBody/eventList")?;
        Some((
            list.as_array_mut()?,
            "$.epcisBody.queryResults.resultsBody.eventList",
        ))
    } else {
        let list = value.pointer_mut("/epcisBody/eventList")?;
        Some((list.as_array_mut()?, "$.epcisBody.eventList"))
    }
}

/// The index of the event a path lies in, and the rest of the path.
fn split_event_path<'p>(path: &'p str, list: &str) -> Option<(usize, &'p str)> {
    let rest = path.strip_prefix(list)?.strip_prefix('[')?;
    let (index, rest) = rest.split_once(']')?;
    Some((index.parse().ok()?, rest))
}

/// Checks a capture document (`EPCISDocument` or `EPCISQueryDocument`).
pub fn check_document(
    json: &[u8],
    prefixes: &dyn CompanyPrefixes,
    behaviour: ErrorBehaviour,
) -> Result<Checked, Refusal> {
    let mut value = parse(json)?;
    let count = event_list(&mut value).map_or(0, |(list, _)| list.len());
    if count > CAPTURE_LIMIT {
        return Err(Refusal::TooManyEvents(count));
    }
    // Under proceed, events with problems are taken out and the rest checked again, until
    // what is left passes; `kept[i]` is the request index of the i-th event left.
    let mut kept: Vec<usize> = (0..count).collect();
    let mut refused = Vec::new();
    loop {
        // The request's own text until events are taken out of it.
        let text = (kept.len() == count).then_some(json);
        let (events, problems) = check_value(&value, text, prefixes, false);
        if problems.is_empty() {
            return Ok(Checked { events, refused });
        }
        if behaviour == ErrorBehaviour::Rollback {
            return Err(Refusal::Invalid(problems));
        }
        let Some((list, list_path)) = event_list(&mut value) else {
            return Err(Refusal::Invalid(problems));
        };
        let mut bad = BTreeSet::new();
        for problem in &problems {
            let Some((index, rest)) = split_event_path(&problem.path, list_path) else {
                return Err(Refusal::Invalid(problems.clone()));
            };
            let Some(original) = kept.get(index) else {
                return Err(Refusal::Invalid(problems.clone()));
            };
            bad.insert(index);
            refused.push(Problem {
                path: format!("{list_path}[{original}]{rest}"),
                message: problem.message.clone(),
            });
        }
        for index in bad.iter().rev() {
            list.remove(*index);
            kept.remove(*index);
        }
        if kept.is_empty() {
            return Ok(Checked {
                events: Vec::new(),
                refused,
            });
        }
    }
}

/// One problem as an RFC 7807 problem object, with its JSON path as the `path` member.
pub fn problem_details(problem: &Problem) -> Value {
    json!({
        "type": VALIDATION_EXCEPTION,
        "title": problem.message,
        "status": 400,
        "detail": problem.to_string(),
        "path": problem.path,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use keys::{hash_key, id_key};
    use trace_proto::company_prefix::BuiltIn;
    use trace_proto::event::EventTime;

    fn document(events: Value) -> Vec<u8> {
        json!({
            "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": "2024-03-01T12:00:00Z",
            "epcisBody": {"eventList": events}
        })
        .to_string()
        .into_bytes()
    }

    fn event(epc: &str) -> Value {
        json!({
            "type": "ObjectEvent",
            "eventTime": "2024-03-01T10:15:30.123+01:00",
            "eventTimeZoneOffset": "+01:00",
            "epcList": [epc],
            "action": "OBSERVE",
            "bizStep": "shipping"
        })
    }

    #[test]
    fn proceed_keeps_good_events_and_names_bad_ones_by_request_index() {
        let good = "urn:epc:id:sgtin:0614141.107346.2017";
        let json = document(json!([
            event("nonsense"),
            event(good),
            event("urn:epc:id:sgtin:1")
        ]));
        let refused = check_document(&json, &BuiltIn, ErrorBehaviour::Rollback).unwrap_err();
        assert!(matches!(refused, Refusal::Invalid(p) if !p.is_empty()));
        let checked = check_document(&json, &BuiltIn, ErrorBehaviour::Proceed).unwrap();
        assert_eq!(checked.events.len(), 1);
        let paths: BTreeSet<_> = checked
            .refused
            .iter()
            .map(|p| p.path.split(']').next().unwrap_or_default().to_owned())
            .collect();
        let expected: BTreeSet<_> = ["$.epcisBody.eventList[0", "$.epcisBody.eventList[2"]
            .map(String::from)
            .into();
        assert_eq!(paths, expected, "{:#?}", checked.refused);
    }

    #[test]
    fn keys_follow_the_event_id() {
        let json = document(json!([event("urn:epc:id:sgtin:0614141.107346.2017")]));
        let decoded = check_document(&json, &BuiltIn, ErrorBehaviour::Rollback)
            .unwrap()
            .events;
        let now = EventTime::now();
        let plain = to_stored(decoded[0].clone(), "t", now);
        let hash = decoded[0].hash_id();
        assert_eq!(plain.event.event_id.as_deref(), Some(hash.as_str()));
        assert_eq!(hash_key(&hash), Some(plain.key));
        let mut named = decoded[0].clone();
        named.event.event_id = Some("urn:uuid:1".into());
        let named = to_stored(named, "t", now);
        assert_ne!(named.key, plain.key);
        assert_eq!(named.key, id_key("urn:uuid:1", 0));
    }
}
