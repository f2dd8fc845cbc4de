//! One JSON-LD event object → [`Event`]: the type, then every member, each checked and put in
//! its field; members that belong to another event type, unknown members and extensions with
//! undeclared prefixes are problems.

use serde_json::{Map, Value};
use trace_proto::event::{
    Action, AggregationEvent, AssociationEvent, BizStep, Disposition, Event, EventKind, EventTime,
    Extension, ExtensionValue, Ilmd, ObjectEvent, QuantityElement, TimeZoneOffset,
    TransactionEvent, TransformationEvent,
};

use super::extension::sort_by_name;
use super::ident::IdKind;
use super::reader::Reader;
use crate::epcis::context::RDFS_NAMESPACE;
use crate::epcis::problem::JsonPath;

/// The event type names of EPCIS 2.0.
pub(super) const EVENT_TYPES: [&str; 5] = [
    "ObjectEvent",
    "AggregationEvent",
    "TransactionEvent",
    "TransformationEvent",
    "AssociationEvent",
];

/// Fields every event type has.
const COMMON: [&str; 18] = [
    "type",
    "@context",
    "eventTime",
    "eventTimeZoneOffset",
    "eventID",
    "recordTime",
    "errorDeclaration",
    "certificationInfo",
    "bizStep",
    "disposition",
    "persistentDisposition",
    "readPoint",
    "bizLocation",
    "bizTransactionList",
    "sourceList",
    "destinationList",
    "sensorElementList",
    "comment",
];

/// The "what" fields of each type, in [`EVENT_TYPES`] order.
const WHAT: [&[&str]; 5] = [
    &["action", "epcList", "quantityList", "ilmd"],
    &["action", "parentID", "childEPCs", "childQuantityList"],
    &["action", "parentID", "epcList", "quantityList"],
    &[
        "transformationID",
        "inputEPCList",
        "inputQuantityList",
        "outputEPCList",
        "outputQuantityList",
        "ilmd",
    ],
    &["action", "parentID", "childEPCs", "childQuantityList"],
];

/// The type-specific fields, read before the type's struct can be built.
#[derive(Default)]
struct What {
    action: Option<Action>,
    parent_id: Option<String>,
    epcs: Vec<String>,
    quantities: Vec<QuantityElement>,
    input_epcs: Vec<String>,
    input_quantities: Vec<QuantityElement>,
    output_epcs: Vec<String>,
    output_quantities: Vec<QuantityElement>,
    transformation_id: Option<String>,
    ilmd: Option<Ilmd>,
}

impl Reader<'_> {
    /// The event at `path`; `None` when any problem was found in it.
    pub(super) fn event(&mut self, json: &Map<String, Value>, path: &JsonPath) -> Option<Event> {
        let before = self.problems.count();
        let type_index = match json.get("type") {
            None => {
                self.problem(path, "type is required");
                return None;
            }
            Some(Value::String(t)) if EVENT_TYPES.contains(&t.as_str()) => {
                EVENT_TYPES.iter().position(|name| name == t)
            }
            Some(other) => {
                let message = format!(
                    "{other} is not an EPCIS event type ({})",
                    EVENT_TYPES.join(", ")
                );
                self.problem(&path.key("type"), message);
                return None;
            }
        }?;
        let what_fields = WHAT.get(type_index).copied().unwrap_or_default();
        // Common fields go straight into the event; its time, offset and type-specific
        // fields replace these placeholders once all members are read.
        let mut event = Event::new(
            EventKind::Transformation(TransformationEvent::default()),
            EventTime::from_unix_millis(0).ok()?,
            TimeZoneOffset::UTC,
        );
        let (mut time, mut offset, mut what) = (None, None, What::default());
        for (key, value) in json.iter().filter(|(_, v)| !v.is_null()) {
            let path = path.key(key);
            let key = key.as_str();
            if key.contains(':') {
                event.extensions.extend(self.extension(key, value, &path));
            } else if what_fields.contains(&key) {
                self.what_field(key, value, &path, &mut what);
            } else if COMMON.contains(&key) {
                match key {
                    "eventTime" => time = self.time(value, &path),
                    "eventTimeZoneOffset" => offset = self.offset(value, &path),
                    _ => self.common_field(key, value, &path, &mut event),
                }
            } else if WHAT.iter().any(|fields| fields.contains(&key)) {
                let type_name = EVENT_TYPES.get(type_index).copied().unwrap_or_default();
                self.problem(&path, format!("{key} is not a field of {type_name}"));
            } else {
                self.unknown_key(key, &path);
            }
        }
        let absent = |name: &str| json.get(name).is_none_or(Value::is_null);
        for name in ["eventTime", "eventTimeZoneOffset"] {
            if absent(name) {
                self.problem(path, format!("{name} is required"));
            }
        }
        sort_by_name(&mut event.extensions);
        event.kind = self.kind(type_index, what, path, absent)?;
        event.event_time = time?;
        event.event_time_zone_offset = offset?;
        if let Err(e) = event.validate() {
            self.problem(path, e);
        }
        (self.problems.count() == before).then_some(event)
    }

    /// The type's struct; `absent` tells which members the event lacks.
    fn kind(
        &mut self,
        type_index: usize,
        what: What,
        path: &JsonPath,
        absent: impl Fn(&str) -> bool,
    ) -> Option<EventKind> {
        let needs_action = type_index != 3;
        if needs_action && absent("action") {
            self.problem(path, "action is required");
        }
        let action = what.action.unwrap_or(Action::Observe);
        Some(match type_index {
            0 => EventKind::Object(ObjectEvent {
                action,
                epc_list: what.epcs,
                quantity_list: what.quantities,
                ilmd: what.ilmd,
            }),
            1 => EventKind::Aggregation(AggregationEvent {
                action,
                parent_id: what.parent_id,
                child_epcs: what.epcs,
                child_quantity_list: what.quantities,
            }),
            2 => EventKind::Transaction(TransactionEvent {
                action,
                parent_id: what.parent_id,
                epc_list: what.epcs,
                quantity_list: what.quantities,
            }),
            3 => EventKind::Transformation(TransformationEvent {
                transformation_id: what.transformation_id,
                input_epc_list: what.input_epcs,
                input_quantity_list: what.input_quantities,
                output_epc_list: what.output_epcs,
                output_quantity_list: what.output_quantities,
                ilmd: what.ilmd,
            }),
            _ => {
                let Some(parent_id) = what.parent_id else {
                    if absent("parentID") {
                        self.problem(path, "parentID is required in an AssociationEvent");
                    }
                    return None;
                };
                EventKind::Association(AssociationEvent {
                    action,
                    parent_id,
                    child_epcs: what.epcs,
                    child_quantity_list: what.quantities,
                })
            }
        })
    }

    fn what_field(&mut self, key: &str, value: &Value, path: &JsonPath, what: &mut What) {
        match key {
            "action" => {
                let text = self.string(value, path);
                what.action = text.and_then(|t| t.parse().map_err(|e| self.problem(path, e)).ok());
            }
            "parentID" => what.parent_id = self.id(value, path, IdKind::Object),
            "epcList" | "childEPCs" => what.epcs = self.ids(value, path, IdKind::Object),
            "inputEPCList" => what.input_epcs = self.ids(value, path, IdKind::Object),
            "outputEPCList" => what.output_epcs = self.ids(value, path, IdKind::Object),
            "quantityList" | "childQuantityList" => what.quantities = self.quantities(value, path),
            "inputQuantityList" => what.input_quantities = self.quantities(value, path),
            "outputQuantityList" => what.output_quantities = self.quantities(value, path),
            "transformationID" => what.transformation_id = self.id(value, path, IdKind::Other),
            _ => what.ilmd = self.ilmd(value, path),
        }
    }

    fn common_field(&mut self, key: &str, value: &Value, path: &JsonPath, event: &mut Event) {
        match key {
            "eventID" => event.event_id = self.uri(value, path),
            "recordTime" => {
                // Set by the repository that stores the event; checked, not kept.
                self.time(value, path);
            }
            "errorDeclaration" => event.error_declaration = self.error_declaration(value, path),
            "certificationInfo" => {
                let items = match value {
                    Value::Array(items) => items
                        .iter()
                        .enumerate()
                        .map(|(i, v)| (v, path.at(i)))
                        .collect(),
                    single => vec![(single, path.clone())],
                };
                event.certification_info = items
                    .into_iter()
                    .filter_map(|(v, p)| self.uri(v, &p))
                    .collect();
            }
            "bizStep" => event.biz_step = self.term(value, path, BizStep::parse),
            "disposition" => event.disposition = self.term(value, path, Disposition::parse),
            "persistentDisposition" => {
                event.persistent_disposition = self.persistent_disposition(value, path)
            }
            "readPoint" => event.read_point = self.location(value, path),
            "bizLocation" => event.biz_location = self.location(value, path),
            "bizTransactionList" => event.biz_transactions = self.biz_transactions(value, path),
            "sourceList" => event.sources = self.sources(value, path, "source"),
            "destinationList" => event.destinations = self.sources(value, path, "destination"),
            "sensorElementList" => {
                let items = self.array(value, path);
                event.sensor_elements = (0..items.len())
                    .filter_map(|i| {
                        items
                            .get(i)
                            .and_then(|e| self.sensor_element(e, &path.at(i)))
                    })
                    .collect();
            }
            "comment" => {
                if let Some(text) = self.string(value, path) {
                    event.extensions.push(Extension {
                        namespace: RDFS_NAMESPACE.into(),
                        name: "comment".into(),
                        value: ExtensionValue::Text(text.into()),
                    });
                }
            }
            _ => {}
        }
    }
}
