//! [`Event`] → EPCIS 2.0 JSON-LD, the inverse of [`decode`](super::decode), for query
//! responses and for hashing events that only exist in the model.
//!
//! CBV terms are written as the bare words of EPCIS 2.0 JSON-LD, identifiers as stored
//! (canonical EPC URIs), times at the event's offset, extensions with a prefix per namespace
//! (those of the EPCIS context, else `ext1`, `ext2` … declared in `@context`). Empty lists
//! are left out, so decoding the output gives back an equal event.

mod parts;

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};
use trace_proto::event::{
    Event, EventKind, EventTime, Location, PersistentDisposition, QuantityElement, TimeZoneOffset,
};

use super::context::{EPCIS_CONTEXT_URLS, EPCIS_PREFIXES};
use parts::{extensions_into, ilmd, number, sensor_element, strings, term};

/// The prefixes an encoding uses for extension namespaces.
#[derive(Debug, Clone, Default)]
pub struct Namespaces {
    declared: BTreeMap<String, String>,
}

impl Namespaces {
    /// No namespace declared yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The prefix for `namespace`: the EPCIS context's own, or a new `extN`.
    pub fn prefix(&mut self, namespace: &str) -> String {
        if let Some((prefix, _)) = EPCIS_PREFIXES.iter().find(|(_, iri)| *iri == namespace) {
            return (*prefix).to_string();
        }
        let next = format!("ext{}", self.declared.len() + 1);
        self.declared
            .entry(namespace.to_string())
            .or_insert(next)
            .clone()
    }

    /// The prefixes declared so far (beyond the EPCIS context's), as (prefix, IRI).
    pub fn declared(&self) -> impl Iterator<Item = (&str, &str)> {
        self.declared
            .iter()
            .map(|(iri, prefix)| (prefix.as_str(), iri.as_str()))
    }

    /// The `@context` for everything encoded with these namespaces.
    pub fn context(&self) -> Value {
        let mut context = vec![Value::from(EPCIS_CONTEXT_URLS[0])];
        if !self.declared.is_empty() {
            let prefixes: Map<String, Value> = self
                .declared()
                .map(|(p, iri)| (p.into(), iri.into()))
                .collect();
            context.push(Value::Object(prefixes));
        }
        Value::Array(context)
    }
}

/// One event as a stand-alone JSON-LD object, with its own `@context`.
pub fn encode_event(event: &Event) -> Map<String, Value> {
    let mut namespaces = Namespaces::new();
    let mut json = encode_event_with(event, &mut namespaces);
    json.insert("@context".into(), namespaces.context());
    json
}

/// An `EPCISDocument` holding `events`, created at `creation_date`.
pub fn encode_document(events: &[Event], creation_date: EventTime) -> Value {
    let mut namespaces = Namespaces::new();
    let list: Vec<Value> = events
        .iter()
        .map(|e| Value::Object(encode_event_with(e, &mut namespaces)))
        .collect();
    json!({
        "@context": namespaces.context(),
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": creation_date.to_string(),
        "epcisBody": { "eventList": list },
    })
}

/// One event without `@context`, its extension prefixes taken from `namespaces`.
pub fn encode_event_with(event: &Event, namespaces: &mut Namespaces) -> Map<String, Value> {
    let mut out = Map::new();
    let mut put = |key: &str, value: Value| {
        out.insert(key.into(), value);
    };
    let offset = event.event_time_zone_offset;
    put("type", event.kind.type_name().into());
    put(
        "eventTime",
        event.event_time.display_at(offset).to_string().into(),
    );
    put("eventTimeZoneOffset", offset.to_string().into());
    if let Some(id) = &event.event_id {
        put("eventID", id.as_str().into());
    }
    if let Some(declaration) = &event.error_declaration {
        let mut json = Map::new();
        let time = declaration.declaration_time.display_at(TimeZoneOffset::UTC);
        json.insert("declarationTime".into(), time.to_string().into());
        if let Some(reason) = &declaration.reason {
            json.insert("reason".into(), term(reason.word(), reason).into());
        }
        if !declaration.corrective_event_ids.is_empty() {
            json.insert(
                "correctiveEventIDs".into(),
                strings(&declaration.corrective_event_ids),
            );
        }
        extensions_into(&declaration.extensions, namespaces, &mut json);
        put("errorDeclaration", Value::Object(json));
    }
    if !event.certification_info.is_empty() {
        put("certificationInfo", strings(&event.certification_info));
    }
    kind_fields(&event.kind, namespaces, &mut put);
    if let Some(step) = &event.biz_step {
        put("bizStep", term(step.word(), step).into());
    }
    if let Some(disposition) = &event.disposition {
        put("disposition", term(disposition.word(), disposition).into());
    }
    if let Some(persistent) = &event.persistent_disposition
        && (!persistent.set.is_empty() || !persistent.unset.is_empty())
    {
        put("persistentDisposition", persistent_disposition(persistent));
    }
    for (key, location) in [
        ("readPoint", &event.read_point),
        ("bizLocation", &event.biz_location),
    ] {
        if let Some(location) = location {
            put(key, self::location(location, namespaces));
        }
    }
    if !event.biz_transactions.is_empty() {
        let list = event.biz_transactions.iter().map(|t| {
            let mut json = Map::new();
            if let Some(kind) = &t.kind {
                json.insert("type".into(), term(kind.word(), kind).into());
            }
            json.insert("bizTransaction".into(), t.id.as_str().into());
            Value::Object(json)
        });
        put("bizTransactionList", list.collect());
    }
    for (key, id_key, list) in [
        ("sourceList", "source", &event.sources),
        ("destinationList", "destination", &event.destinations),
    ] {
        if !list.is_empty() {
            let entries = list
                .iter()
                .map(|s| json!({ "type": term(s.kind.word(), &s.kind), id_key: s.id }));
            put(key, entries.collect());
        }
    }
    if !event.sensor_elements.is_empty() {
        let list = event
            .sensor_elements
            .iter()
            .map(|e| sensor_element(e, namespaces));
        put("sensorElementList", list.collect());
    }
    extensions_into(&event.extensions, namespaces, &mut out);
    out
}

fn kind_fields(kind: &EventKind, namespaces: &mut Namespaces, put: &mut impl FnMut(&str, Value)) {
    let (action, parent, ilmd_of) = match kind {
        EventKind::Object(o) => {
            epcs(put, "epcList", &o.epc_list);
            quantities(put, "quantityList", &o.quantity_list);
            (Some(o.action), None, o.ilmd.as_ref())
        }
        EventKind::Aggregation(a) => {
            epcs(put, "childEPCs", &a.child_epcs);
            quantities(put, "childQuantityList", &a.child_quantity_list);
            (Some(a.action), a.parent_id.as_deref(), None)
        }
        EventKind::Transaction(t) => {
            epcs(put, "epcList", &t.epc_list);
            quantities(put, "quantityList", &t.quantity_list);
            (Some(t.action), t.parent_id.as_deref(), None)
        }
        EventKind::Transformation(t) => {
            epcs(put, "inputEPCList", &t.input_epc_list);
            epcs(put, "outputEPCList", &t.output_epc_list);
            quantities(put, "inputQuantityList", &t.input_quantity_list);
            quantities(put, "outputQuantityList", &t.output_quantity_list);
            if let Some(id) = &t.transformation_id {
                put("transformationID", id.as_str().into());
            }
            (None, None, t.ilmd.as_ref())
        }
        EventKind::Association(a) => {
            epcs(put, "childEPCs", &a.child_epcs);
            quantities(put, "childQuantityList", &a.child_quantity_list);
            (Some(a.action), Some(a.parent_id.as_str()), None)
        }
    };
    if let Some(action) = action {
        put("action", action.to_string().into());
    }
    if let Some(parent) = parent {
        put("parentID", parent.into());
    }
    if let Some(data) = ilmd_of {
        put("ilmd", ilmd(data, namespaces));
    }
}

fn epcs(put: &mut impl FnMut(&str, Value), key: &str, list: &[String]) {
    if !list.is_empty() {
        put(key, strings(list));
    }
}

fn quantities(put: &mut impl FnMut(&str, Value), key: &str, list: &[QuantityElement]) {
    if list.is_empty() {
        return;
    }
    let elements = list.iter().map(|q| {
        let mut json = Map::new();
        json.insert("epcClass".into(), q.epc_class.as_str().into());
        if let Some(quantity) = q.quantity {
            json.insert("quantity".into(), number(quantity));
        }
        if let Some(uom) = &q.uom {
            json.insert("uom".into(), uom.as_str().into());
        }
        Value::Object(json)
    });
    put(key, elements.collect());
}

fn persistent_disposition(persistent: &PersistentDisposition) -> Value {
    let mut json = Map::new();
    for (key, list) in [("set", &persistent.set), ("unset", &persistent.unset)] {
        if !list.is_empty() {
            let terms = list.iter().map(|d| Value::from(term(d.word(), d)));
            json.insert(key.into(), terms.collect());
        }
    }
    Value::Object(json)
}

fn location(location: &Location, namespaces: &mut Namespaces) -> Value {
    let mut json = Map::new();
    json.insert("id".into(), location.id.as_str().into());
    extensions_into(&location.extensions, namespaces, &mut json);
    Value::Object(json)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::epcis::decode::decode_event;
    use crate::epcis::hash::pre_hash;
    use trace_proto::company_prefix::BuiltIn;
    use trace_proto::event::{Action, BizStep, Extension, ObjectEvent};

    #[test]
    fn repeated_extension_names_become_one_array_with_the_same_hash() {
        let what = ObjectEvent {
            action: Action::Observe,
            epc_list: vec!["urn:epc:id:sgtin:0614141.107346.2017".into()],
            quantity_list: Vec::new(),
            ilmd: None,
        };
        let time = "2024-03-01T10:00:00Z".parse().unwrap();
        let mut event = Event::new(EventKind::Object(what), time, TimeZoneOffset::UTC);
        event.biz_step = Some(BizStep::Custom(
            "https://ns.example.com/steps/weighing".into(),
        ));
        event.extensions = vec![
            Extension::text("https://ns.example.com/x/", "tag", "a"),
            Extension::text("urn:epcglobal:cbv:mda:", "note", "n"),
            Extension::text("https://ns.example.com/x/", "tag", "b"),
        ];
        let json = encode_event(&event);
        assert_eq!(json["ext1:tag"], json!(["a", "b"]));
        assert_eq!(json["cbvmda:note"], "n");
        assert_eq!(json["bizStep"], "https://ns.example.com/steps/weighing");
        assert_eq!(
            json["@context"][1],
            json!({"ext1": "https://ns.example.com/x/"})
        );
        let decoded = decode_event(&serde_json::to_vec(&json).unwrap(), &BuiltIn).unwrap();
        assert_eq!(decoded.pre_hash, pre_hash(&event));
        let tail = "{https://ns.example.com/x/}tag=a{https://ns.example.com/x/}tag=b{urn:epcglobal:cbv:mda:}note=n";
        assert!(decoded.pre_hash.ends_with(tail), "{}", decoded.pre_hash);
    }
}
