//! The nested parts of an encoded event: extensions, ILMD, sensor elements, numbers.

use std::fmt::Display;

use serde_json::{Map, Number, Value};
use trace_proto::event::{
    CBVMDA_NAMESPACE, Decimal, EventTime, Extension, ExtensionValue, Ilmd, SensorElement,
    SensorMetadata, SensorReport,
};

use super::Namespaces;
use crate::epcis::decode::{EPCIS_NAMESPACE, REPORT_BIZ_RULES};

/// A CBV term as its bare word, a custom term as its URI.
pub(super) fn term(word: Option<&str>, value: &impl Display) -> String {
    word.map_or_else(|| value.to_string(), str::to_string)
}

/// A list of strings as a JSON array.
pub(super) fn strings(list: &[String]) -> Value {
    list.iter().map(|s| Value::from(s.as_str())).collect()
}

/// A decimal as a JSON number: an integer when it has no fraction, else the `f64` whose
/// shortest text is the decimal (exact for up to 15 significant digits).
pub(super) fn number(value: Decimal) -> Value {
    if value.scale() == 0 {
        return Value::from(value.mantissa());
    }
    let text = value.to_string();
    text.parse::<f64>()
        .ok()
        .and_then(Number::from_f64)
        .map_or(Value::String(text), Value::Number)
}

/// Adds `extensions` to `into` under prefixed keys; repeated names become one array, which
/// the event hash renders the same as separate elements.
pub(super) fn extensions_into(
    extensions: &[Extension],
    namespaces: &mut Namespaces,
    into: &mut Map<String, Value>,
) {
    for extension in extensions {
        let key = format!(
            "{}:{}",
            namespaces.prefix(&extension.namespace),
            extension.name
        );
        let value = extension_value(&extension.value, namespaces);
        insert_merging(into, key, value);
    }
}

fn insert_merging(into: &mut Map<String, Value>, key: String, value: Value) {
    match into.get_mut(&key) {
        Some(Value::Array(items)) => items.push(value),
        Some(existing) => {
            let first = existing.take();
            *existing = Value::Array(vec![first, value]);
        }
        None => {
            into.insert(key, value);
        }
    }
}

fn extension_value(value: &ExtensionValue, namespaces: &mut Namespaces) -> Value {
    match value {
        ExtensionValue::Text(text) => Value::from(text.as_str()),
        ExtensionValue::Number(n) => number(*n),
        ExtensionValue::Bool(b) => Value::Bool(*b),
        ExtensionValue::Object(children) => {
            let mut map = Map::new();
            extensions_into(children, namespaces, &mut map);
            Value::Object(map)
        }
        ExtensionValue::List(items) => items
            .iter()
            .map(|item| extension_value(item, namespaces))
            .collect(),
    }
}

/// `ilmd`: the CBV master data attributes, then the other attributes.
pub(super) fn ilmd(ilmd: &Ilmd, namespaces: &mut Namespaces) -> Value {
    let mut map = Map::new();
    let prefix = namespaces.prefix(CBVMDA_NAMESPACE);
    let mut put = |name: &str, value: Option<String>| {
        if let Some(value) = value {
            map.insert(format!("{prefix}:{name}"), Value::String(value));
        }
    };
    put("lotNumber", ilmd.lot_number.clone());
    put(
        "itemExpirationDate",
        ilmd.item_expiration_date.map(|d| d.to_string()),
    );
    put(
        "productionDate",
        ilmd.production_date.map(|d| d.to_string()),
    );
    put(
        "bestBeforeDate",
        ilmd.best_before_date.map(|d| d.to_string()),
    );
    put("sellByDate", ilmd.sell_by_date.map(|d| d.to_string()));
    put("countryOfOrigin", ilmd.country_of_origin.clone());
    extensions_into(&ilmd.extensions, namespaces, &mut map);
    Value::Object(map)
}

/// Puts the fields that are set, in order.
struct Fields(Map<String, Value>);

impl Fields {
    fn text(&mut self, key: &str, value: &Option<String>) {
        if let Some(value) = value {
            self.0.insert(key.into(), value.as_str().into());
        }
    }

    fn time(&mut self, key: &str, value: Option<EventTime>) {
        if let Some(time) = value {
            self.0.insert(key.into(), time.to_string().into());
        }
    }

    fn number(&mut self, key: &str, value: Option<Decimal>) {
        if let Some(n) = value {
            self.0.insert(key.into(), number(n));
        }
    }
}

pub(super) fn sensor_element(element: &SensorElement, namespaces: &mut Namespaces) -> Value {
    let mut map = Map::new();
    if let Some(metadata) = &element.metadata {
        map.insert(
            "sensorMetadata".into(),
            sensor_metadata(metadata, namespaces),
        );
    }
    let reports = element.reports.iter().map(|r| sensor_report(r, namespaces));
    map.insert("sensorReport".into(), reports.collect());
    extensions_into(&element.extensions, namespaces, &mut map);
    Value::Object(map)
}

fn sensor_metadata(metadata: &SensorMetadata, namespaces: &mut Namespaces) -> Value {
    let mut f = Fields(Map::new());
    f.time("time", metadata.time);
    f.time("startTime", metadata.start_time);
    f.time("endTime", metadata.end_time);
    f.text("deviceID", &metadata.device_id);
    f.text("deviceMetadata", &metadata.device_metadata);
    f.text("rawData", &metadata.raw_data);
    f.text("dataProcessingMethod", &metadata.data_processing_method);
    f.text("bizRules", &metadata.biz_rules);
    extensions_into(&metadata.extensions, namespaces, &mut f.0);
    Value::Object(f.0)
}

fn sensor_report(report: &SensorReport, namespaces: &mut Namespaces) -> Value {
    let mut f = Fields(Map::new());
    f.text("type", &report.measurement_type);
    f.text("exception", &report.exception);
    f.text("deviceID", &report.device_id);
    f.text("deviceMetadata", &report.device_metadata);
    f.text("rawData", &report.raw_data);
    f.text("dataProcessingMethod", &report.data_processing_method);
    f.time("time", report.time);
    f.text("microorganism", &report.microorganism);
    f.text("chemicalSubstance", &report.chemical_substance);
    f.number("value", report.value);
    f.text("component", &report.component);
    f.text("stringValue", &report.string_value);
    if let Some(b) = report.boolean_value {
        f.0.insert("booleanValue".into(), Value::Bool(b));
    }
    if let Some(bytes) = &report.hex_binary_value {
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        f.0.insert("hexBinaryValue".into(), hex.into());
    }
    f.text("uriValue", &report.uri_value);
    f.number("minValue", report.min_value);
    f.number("maxValue", report.max_value);
    f.number("meanValue", report.mean_value);
    f.number("sDev", report.s_dev);
    f.number("percRank", report.perc_rank);
    f.number("percValue", report.perc_value);
    f.text("uom", &report.uom);
    f.text(
        "coordinateReferenceSystem",
        &report.coordinate_reference_system,
    );
    // The model has no `bizRules` on a report; the decoder keeps it as this extension.
    let (biz_rules, others): (Vec<&Extension>, Vec<&Extension>) = report
        .extensions
        .iter()
        .partition(|e| e.namespace == EPCIS_NAMESPACE && e.name == REPORT_BIZ_RULES);
    for rule in biz_rules {
        if let ExtensionValue::Text(uri) = &rule.value {
            f.0.insert(REPORT_BIZ_RULES.into(), uri.as_str().into());
        }
    }
    let others: Vec<Extension> = others.into_iter().cloned().collect();
    extensions_into(&others, namespaces, &mut f.0);
    Value::Object(f.0)
}
