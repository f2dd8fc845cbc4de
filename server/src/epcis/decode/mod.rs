//! EPCIS 2.0 JSON-LD → [`Event`]s: an `EPCISDocument`, an `EPCISQueryDocument` (its events
//! are decoded the same way) or a single event as `POST /events` takes it.
//!
//! Everything is checked, and every problem is reported with its JSON path, up to
//! [`MAX_PROBLEMS`](super::problem::MAX_PROBLEMS): required fields, the five event types,
//! times and offsets, CBV terms (bare word, web URI or URN), identifiers through trace-proto
//! (see decode/ident.rs for Digital Links), units, and extension keys (a prefix must be declared in
//! `@context`; an unknown key without a prefix is refused). A document with any problem gives
//! no events at all.
//!
//! Each event comes with the pre-hash string of its JSON as received (see
//! [`hash`](super::hash) for why the JSON and not the model).

mod event;
mod extension;
mod ident;
mod parts;
mod reader;
mod sensor;

use serde_json::{Map, Value};
use trace_proto::company_prefix::CompanyPrefixes;
use trace_proto::event::Event;

use super::context::{Context, EPCIS_CONTEXT_URLS};
use super::hash::{hash_id, pre_hash_json};
use super::problem::{DecodeError, JsonPath, Problems};
use event::EVENT_TYPES;
use reader::Reader;

/// The EPCIS namespace (`epcis:` in the EPCIS context).
pub const EPCIS_NAMESPACE: &str = "https://ref.gs1.org/epcis/";
/// Name of the [`EPCIS_NAMESPACE`] extension that holds a sensor report's `bizRules`, which
/// the event model has no field for.
pub const REPORT_BIZ_RULES: &str = "bizRules";

/// A decoded event and the pre-hash string of its JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The event.
    pub event: Event,
    /// The CBV 2.0 pre-hash string of the event as received.
    pub pre_hash: String,
}

impl Decoded {
    /// The event's CBV 2.0 hash ID, `ni:///sha-256;…?ver=CBV2.0`.
    pub fn hash_id(&self) -> String {
        hash_id(&self.pre_hash)
    }
}

/// Decodes an `EPCISDocument`, an `EPCISQueryDocument` or a single event, events in document
/// order.
pub fn decode_document(
    json: &[u8],
    prefixes: &dyn CompanyPrefixes,
) -> Result<Vec<Decoded>, DecodeError> {
    decode(json, prefixes, false)
}

/// Decodes a single event object (with its own `@context`), as `POST /events` takes it.
pub fn decode_event(json: &[u8], prefixes: &dyn CompanyPrefixes) -> Result<Decoded, DecodeError> {
    let mut events = decode(json, prefixes, true)?;
    // Without problems, a single-event input gives exactly one event.
    events.pop().ok_or_else(|| {
        let mut problems = Problems::default();
        problems.push(&JsonPath::root(), "no event");
        DecodeError::Invalid(problems)
    })
}

fn decode(
    json: &[u8],
    prefixes: &dyn CompanyPrefixes,
    single: bool,
) -> Result<Vec<Decoded>, DecodeError> {
    let root: Value = serde_json::from_slice(json)?;
    let mut problems = Problems::default();
    let path = JsonPath::root();
    let mut r = Reader {
        context: Context::default(),
        prefixes,
        problems: &mut problems,
    };
    let mut events = Vec::new();
    if let Some(map) = r.object(&root, &path) {
        r.context = match map.get("@context") {
            Some(declared) => {
                Context::default().extended(declared, &path.key("@context"), r.problems)
            }
            None => {
                r.problem(&path, "@context is required");
                Context::default()
            }
        };
        if map.contains_key("@context") && !r.context.has_epcis() {
            let message = format!(
                "@context must reference the EPCIS 2.0 context ({})",
                EPCIS_CONTEXT_URLS[0]
            );
            r.problem(&path.key("@context"), message);
        }
        let kind = map.get("type").and_then(Value::as_str).unwrap_or_default();
        match kind {
            kind if EVENT_TYPES.contains(&kind) => events.extend(r.listed_event(&root, &path)),
            "EPCISDocument" | "EPCISQueryDocument" if !single => {
                for (item, path) in r.document(map, kind == "EPCISQueryDocument") {
                    events.extend(r.listed_event(item, &path));
                }
            }
            _ if !map.contains_key("type") => r.problem(&path, "type is required"),
            _ => {
                let found = map.get("type").map(Value::to_string).unwrap_or_default();
                let types = EVENT_TYPES.join(", ");
                let message = if single {
                    format!("{found} is not an EPCIS event type ({types})")
                } else {
                    format!(
                        "{found} is not an EPCIS document or event type (EPCISDocument, EPCISQueryDocument, {types})"
                    )
                };
                r.problem(&path.key("type"), message);
            }
        }
    }
    if problems.is_empty() {
        Ok(events)
    } else {
        Err(DecodeError::Invalid(problems))
    }
}

impl Reader<'_> {
    /// Checks the document's own members and returns its events with their paths.
    fn document<'v>(
        &mut self,
        map: &'v Map<String, Value>,
        query: bool,
    ) -> Vec<(&'v Value, JsonPath)> {
        let root = JsonPath::root();
        let mut fields = vec![
            "@context",
            "id",
            "type",
            "schemaVersion",
            "creationDate",
            "epcisBody",
        ];
        if !query {
            fields.extend(["instanceIdentifier", "sender", "receiver", "epcisHeader"]);
        }
        self.members(map, &fields, &root);
        match map.get("schemaVersion") {
            Some(Value::String(v)) if v.starts_with("2.") => {}
            Some(other) => self.problem(
                &root.key("schemaVersion"),
                format!("{other} is not EPCIS schema version 2.x"),
            ),
            None if !query => self.problem(&root, "schemaVersion is required"),
            None => {}
        }
        match map.get("creationDate") {
            Some(date) => {
                self.time(date, &root.key("creationDate"));
            }
            None if !query => self.problem(&root, "creationDate is required"),
            None => {}
        }
        let mut body = self.required_object(map, "epcisBody", &root);
        if query {
            body = body.and_then(|(b, p)| {
                self.members(b, &["queryResults"], &p);
                self.required_object(b, "queryResults", &p)
            });
            body = body.and_then(|(q, p)| {
                self.members(q, &["queryName", "subscriptionID", "resultsBody"], &p);
                self.required_object(q, "resultsBody", &p)
            });
        }
        let Some((body, path)) = body else {
            return Vec::new();
        };
        let listed = if query {
            ["eventList", "vocabularyList"].as_slice()
        } else {
            &["eventList"]
        };
        self.members(body, listed, &path);
        let Some(list) = body.get("eventList") else {
            self.problem(&path, "eventList is required");
            return Vec::new();
        };
        let path = path.key("eventList");
        let items = self.array(list, &path);
        items
            .iter()
            .enumerate()
            .map(|(i, item)| (item, path.at(i)))
            .collect()
    }

    /// An event of a list (or the whole input), read with its own `@context` added.
    fn listed_event(&mut self, item: &Value, path: &JsonPath) -> Option<Decoded> {
        let map = self.object(item, path)?;
        let document_context = self.context.clone();
        if let Some(declared) = map.get("@context") {
            self.context =
                document_context.extended(declared, &path.key("@context"), self.problems);
        }
        let event = self.event(map, path);
        let pre_hash = pre_hash_json(map, &self.context);
        self.context = document_context;
        Some(Decoded {
            event: event?,
            pre_hash,
        })
    }

    fn required_object<'v>(
        &mut self,
        map: &'v Map<String, Value>,
        key: &str,
        path: &JsonPath,
    ) -> Option<(&'v Map<String, Value>, JsonPath)> {
        let Some(value) = map.get(key) else {
            self.problem(path, format!("{key} is required"));
            return None;
        };
        let path = path.key(key);
        self.object(value, &path).map(|m| (m, path))
    }

    /// Reports members outside `fields` that are not extensions with a declared prefix.
    fn members(&mut self, map: &Map<String, Value>, fields: &[&str], path: &JsonPath) {
        for key in map.keys().filter(|k| !fields.contains(&k.as_str())) {
            match self.context.expand_key(key) {
                Some(Ok(_)) => {}
                Some(Err(message)) => self.problem(&path.key(key), message),
                None => self.unknown_key(key, &path.key(key)),
            }
        }
    }
}
