//! The pre-hash string of one JSON-LD event (docs/event-hash.md §1-4): its fields in the
//! canonical order, each as `name=value` or a container name followed by its children, with
//! unordered lists and extensions sorted by code point.

use serde_json::{Map, Value};

use super::normalise::{
    BIZ_STEP, BIZ_TRANSACTION_TYPE, COMPONENT, DISPOSITION, Field, GS1_VOC, SOURCE_DEST_TYPE,
    leaf_text, normalise,
};
use crate::epcis::context::{Context, RDFS_NAMESPACE};

/// Event fields that are neither rendered by position nor extensions.
const EXCLUDED: [&str; 6] = [
    "eventID",
    "recordTime",
    "errorDeclaration",
    "@context",
    "comment",
    "type",
];

/// The standard event fields, in canonical order (§3, rows 2-25).
const ORDERED: [&str; 24] = [
    "eventTime",
    "eventTimeZoneOffset",
    "certificationInfo",
    "epcList",
    "parentID",
    "inputEPCList",
    "childEPCs",
    "quantityList",
    "childQuantityList",
    "inputQuantityList",
    "outputEPCList",
    "outputQuantityList",
    "action",
    "transformationID",
    "bizStep",
    "disposition",
    "persistentDisposition",
    "readPoint",
    "bizLocation",
    "bizTransactionList",
    "sourceList",
    "destinationList",
    "sensorElementList",
    "ilmd",
];

const METADATA_FIELDS: [(&str, Field); 8] = [
    ("time", Field::Time),
    ("startTime", Field::Time),
    ("endTime", Field::Time),
    ("deviceID", Field::Plain),
    ("deviceMetadata", Field::Plain),
    ("rawData", Field::Plain),
    ("dataProcessingMethod", Field::Plain),
    ("bizRules", Field::Plain),
];

const REPORT_FIELDS: [(&str, Field); 24] = [
    ("type", GS1_VOC),
    ("exception", GS1_VOC),
    ("deviceID", Field::Plain),
    ("deviceMetadata", Field::Plain),
    ("rawData", Field::Plain),
    ("dataProcessingMethod", Field::Plain),
    ("time", Field::Time),
    ("microorganism", Field::Plain),
    ("chemicalSubstance", Field::Plain),
    ("value", Field::Plain),
    ("component", COMPONENT),
    ("stringValue", Field::Plain),
    ("booleanValue", Field::Plain),
    ("hexBinaryValue", Field::Plain),
    ("uriValue", Field::Plain),
    ("minValue", Field::Plain),
    ("maxValue", Field::Plain),
    ("meanValue", Field::Plain),
    ("sDev", Field::Plain),
    ("percRank", Field::Plain),
    ("percValue", Field::Plain),
    ("uom", Field::Plain),
    ("coordinateReferenceSystem", Field::Plain),
    // `bizRules` is metadata; a report carrying it keeps it as a field, not an extension.
    ("bizRules", Field::Plain),
];

/// Renders the pre-hash string of `event`, read with the prefixes of `context`.
pub(crate) fn pre_hash(event: &Map<String, Value>, context: &Context) -> String {
    let r = Renderer { context };
    let rdfs_comment = format!("{{{RDFS_NAMESPACE}}}comment");
    let mut out = String::new();
    if let Some(kind) = event.get("type").and_then(leaf_text) {
        out.push_str("eventType=");
        out.push_str(&kind);
    }
    for name in ORDERED {
        if let Some(value) = event.get(name) {
            out.push_str(&r.field(name, value));
        }
    }
    let extensions = event.iter().filter(|(key, _)| {
        !ORDERED.contains(&key.as_str())
            && !EXCLUDED.contains(&key.as_str())
            && r.key(key) != rdfs_comment
    });
    out.push_str(&sorted(r.extensions(extensions)));
    out
}

struct Renderer<'c> {
    context: &'c Context,
}

impl Renderer<'_> {
    fn field(&self, name: &str, value: &Value) -> String {
        match name {
            "eventTime" => self.leaf(name, value, Field::Time),
            "eventTimeZoneOffset" => leaf_text(value)
                .filter(|t| !t.trim().is_empty())
                .map(|t| format!("{name}={}", t.trim()))
                .unwrap_or_default(),
            "certificationInfo" => sorted(
                items(value)
                    .map(|v| self.leaf(name, v, Field::Plain))
                    .collect(),
            ),
            "epcList" | "inputEPCList" | "childEPCs" | "outputEPCList" => {
                let epcs = items(value)
                    .map(|v| self.leaf("epc", v, Field::Plain))
                    .collect();
                container(name, sorted(epcs))
            }
            "quantityList" | "childQuantityList" | "inputQuantityList" | "outputQuantityList" => {
                let elements = items(value).map(|v| self.quantity(v)).collect();
                container(name, sorted(elements))
            }
            "bizStep" => self.leaf(name, value, BIZ_STEP),
            "disposition" => self.leaf(name, value, DISPOSITION),
            "persistentDisposition" => {
                let part = |key: &str| {
                    let values = value.get(key).map(items).into_iter().flatten();
                    sorted(values.map(|v| self.leaf(key, v, DISPOSITION)).collect())
                };
                container(name, format!("{}{}", part("set"), part("unset")))
            }
            "readPoint" | "bizLocation" => {
                self.object(name, value, &[("id", Field::Plain)], Vec::new())
            }
            "bizTransactionList" => {
                self.typed_list(name, value, "bizTransaction", BIZ_TRANSACTION_TYPE)
            }
            "sourceList" => self.typed_list(name, value, "source", SOURCE_DEST_TYPE),
            "destinationList" => self.typed_list(name, value, "destination", SOURCE_DEST_TYPE),
            "sensorElementList" => {
                let elements = items(value).map(|v| self.sensor_element(v)).collect();
                container(name, sorted(elements))
            }
            "ilmd" => match value {
                Value::Object(map) => container(name, sorted(self.extensions(map.iter()))),
                _ => String::new(),
            },
            _ => self.leaf(name, value, Field::Plain),
        }
    }

    /// `name=value`, or nothing for an empty or non-leaf value.
    fn leaf(&self, name: &str, value: &Value, field: Field) -> String {
        match leaf_text(value) {
            Some(text) if !text.trim().is_empty() => {
                format!("{name}={}", normalise(&text, field, self.context))
            }
            _ => String::new(),
        }
    }

    fn quantity(&self, element: &Value) -> String {
        let fields: String = ["epcClass", "quantity", "uom"]
            .iter()
            .filter_map(|key| element.get(key).map(|v| self.leaf(key, v, Field::Plain)))
            .collect();
        container("quantityElement", fields)
    }

    fn typed_list(&self, name: &str, value: &Value, id_key: &str, type_field: Field) -> String {
        let entries = items(value).map(|entry| {
            let kind = entry.get("type").map(|t| self.leaf("type", t, type_field));
            let id = entry
                .get(id_key)
                .map(|v| self.leaf(id_key, v, Field::Plain));
            format!("{}{}", kind.unwrap_or_default(), id.unwrap_or_default())
        });
        container(name, sorted(entries.collect()))
    }

    /// `name`, the `fields` in order, `inner` sorted, then the other keys as extensions.
    fn object(
        &self,
        name: &str,
        value: &Value,
        fields: &[(&str, Field)],
        inner: Vec<String>,
    ) -> String {
        let Value::Object(map) = value else {
            return String::new();
        };
        let mut out: String = fields
            .iter()
            .filter_map(|(key, field)| map.get(*key).map(|v| self.leaf(key, v, *field)))
            .collect();
        out.push_str(&sorted(inner));
        let known = |key: &str| fields.iter().any(|(k, _)| *k == key);
        let rest = map.iter().filter(|(key, _)| !known(key));
        out.push_str(&sorted(self.extensions(rest)));
        container(name, out)
    }

    fn sensor_element(&self, element: &Value) -> String {
        let metadata = element
            .get("sensorMetadata")
            .map(|m| self.object("sensorMetadata", m, &METADATA_FIELDS, Vec::new()))
            .unwrap_or_default();
        let reports = element.get("sensorReport").map(items).into_iter().flatten();
        let reports = reports
            .map(|r| self.object("sensorReport", r, &REPORT_FIELDS, Vec::new()))
            .collect::<Vec<_>>();
        let Value::Object(map) = element else {
            return String::new();
        };
        let own = map
            .iter()
            .filter(|(key, _)| !matches!(key.as_str(), "sensorMetadata" | "sensorReport"));
        let body = format!(
            "{metadata}{}{}",
            sorted(reports),
            sorted(self.extensions(own))
        );
        container("sensorElement", body)
    }

    /// Each extension rendered (§4); arrays give one entry per item.
    fn extensions<'a>(
        &self,
        entries: impl Iterator<Item = (&'a String, &'a Value)>,
    ) -> Vec<String> {
        let mut out = Vec::new();
        for (key, value) in entries {
            self.extension(&self.key(key), value, &mut out);
        }
        out
    }

    fn extension(&self, name: &str, value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Null => {}
            Value::Array(values) => {
                for value in values {
                    self.extension(name, value, out);
                }
            }
            Value::Object(map) => {
                out.push(format!("{name}{}", sorted(self.extensions(map.iter()))))
            }
            leaf => match leaf_text(leaf) {
                Some(text) if !text.trim().is_empty() => {
                    out.push(format!(
                        "{name}={}",
                        normalise(&text, Field::Plain, self.context)
                    ));
                }
                _ => out.push(name.to_string()),
            },
        }
    }

    /// `{IRI}local` for a declared prefix or an IRI key; the key as written otherwise.
    fn key(&self, key: &str) -> String {
        match self.context.expand_key(key) {
            Some(Ok((namespace, local))) => format!("{{{namespace}}}{local}"),
            _ => key.to_string(),
        }
    }
}

/// The items of a list; a single value counts as a list of one.
fn items(value: &Value) -> impl Iterator<Item = &Value> {
    match value {
        Value::Array(values) => values.iter(),
        single => std::slice::from_ref(single).iter(),
    }
}

/// Sorts rendered siblings by code point and concatenates them.
fn sorted(mut parts: Vec<String>) -> String {
    parts.retain(|p| !p.is_empty());
    parts.sort();
    parts.concat()
}

/// `name` and its children, or nothing when there are no children.
fn container(name: &str, children: String) -> String {
    if children.is_empty() {
        String::new()
    } else {
        format!("{name}{children}")
    }
}
