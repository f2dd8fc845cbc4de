//! `sensorElementList`: sensor metadata and reports.

use serde_json::Value;
use trace_proto::event::{Extension, ExtensionValue, SensorElement, SensorMetadata, SensorReport};

use super::extension::sort_by_name;
use super::ident::IdKind;
use super::reader::Reader;
use super::{EPCIS_NAMESPACE, REPORT_BIZ_RULES};
use crate::epcis::problem::JsonPath;

/// GS1 Web Vocabulary terms (`type`, `exception`) are kept as their bare words.
const GS1_VOC: &str = "https://gs1.org/voc/";
/// CBV component terms (`component`) are kept as their bare words.
const CBV_COMPONENT: &str = "https://ref.gs1.org/cbv/Comp-";

impl Reader<'_> {
    pub(super) fn sensor_element(
        &mut self,
        value: &Value,
        path: &JsonPath,
    ) -> Option<SensorElement> {
        let map = self.object(value, path)?;
        let mut element = SensorElement::default();
        if !map.contains_key("sensorReport") {
            self.problem(path, "sensorReport is required in a sensor element");
        }
        for (key, value) in map.iter().filter(|(_, v)| !v.is_null()) {
            let path = path.key(key);
            match key.as_str() {
                "sensorMetadata" => element.metadata = self.sensor_metadata(value, &path),
                "sensorReport" => {
                    let reports = self.array(value, &path);
                    element.reports = (0..reports.len())
                        .filter_map(|i| {
                            reports
                                .get(i)
                                .and_then(|r| self.sensor_report(r, &path.at(i)))
                        })
                        .collect();
                }
                key => element.extensions.extend(self.extension(key, value, &path)),
            }
        }
        sort_by_name(&mut element.extensions);
        Some(element)
    }

    fn sensor_metadata(&mut self, value: &Value, path: &JsonPath) -> Option<SensorMetadata> {
        let map = self.object(value, path)?;
        let mut m = SensorMetadata::default();
        for (key, value) in map.iter().filter(|(_, v)| !v.is_null()) {
            let path = path.key(key);
            match key.as_str() {
                "time" => m.time = self.time(value, &path),
                "startTime" => m.start_time = self.time(value, &path),
                "endTime" => m.end_time = self.time(value, &path),
                "deviceID" => m.device_id = self.id(value, &path, IdKind::Other),
                "deviceMetadata" => m.device_metadata = self.uri(value, &path),
                "rawData" => m.raw_data = self.uri(value, &path),
                "dataProcessingMethod" => m.data_processing_method = self.uri(value, &path),
                "bizRules" => m.biz_rules = self.uri(value, &path),
                key => m.extensions.extend(self.extension(key, value, &path)),
            }
        }
        sort_by_name(&mut m.extensions);
        Some(m)
    }

    fn sensor_report(&mut self, value: &Value, path: &JsonPath) -> Option<SensorReport> {
        let map = self.object(value, path)?;
        let mut r = SensorReport::default();
        for (key, value) in map.iter().filter(|(_, v)| !v.is_null()) {
            let path = path.key(key);
            match key.as_str() {
                "type" => r.measurement_type = self.word_or_uri(value, &path, GS1_VOC),
                "exception" => r.exception = self.word_or_uri(value, &path, GS1_VOC),
                "deviceID" => r.device_id = self.id(value, &path, IdKind::Other),
                "deviceMetadata" => r.device_metadata = self.uri(value, &path),
                "rawData" => r.raw_data = self.uri(value, &path),
                "dataProcessingMethod" => r.data_processing_method = self.uri(value, &path),
                "time" => r.time = self.time(value, &path),
                "microorganism" => r.microorganism = self.uri(value, &path),
                "chemicalSubstance" => r.chemical_substance = self.uri(value, &path),
                "value" => r.value = self.decimal(value, &path),
                "component" => r.component = self.word_or_uri(value, &path, CBV_COMPONENT),
                "stringValue" => match value {
                    Value::String(text) => r.string_value = Some(text.clone()),
                    other => self.problem(&path, format!("{other} is not a string")),
                },
                "booleanValue" => r.boolean_value = self.boolean(value, &path),
                "hexBinaryValue" => r.hex_binary_value = self.hex(value, &path),
                "uriValue" => r.uri_value = self.uri(value, &path),
                "minValue" => r.min_value = self.decimal(value, &path),
                "maxValue" => r.max_value = self.decimal(value, &path),
                "meanValue" => r.mean_value = self.decimal(value, &path),
                "sDev" => r.s_dev = self.decimal(value, &path),
                "percRank" => r.perc_rank = self.decimal(value, &path),
                "percValue" => r.perc_value = self.decimal(value, &path),
                "uom" => r.uom = self.uom(value, &path),
                "coordinateReferenceSystem" => {
                    r.coordinate_reference_system = self.uri(value, &path)
                }
                // EPCIS allows bizRules on a report too; the model has no field for it there.
                "bizRules" => r
                    .extensions
                    .extend(self.uri(value, &path).map(|uri| Extension {
                        namespace: EPCIS_NAMESPACE.into(),
                        name: REPORT_BIZ_RULES.into(),
                        value: ExtensionValue::Text(uri),
                    })),
                key => r.extensions.extend(self.extension(key, value, &path)),
            }
        }
        sort_by_name(&mut r.extensions);
        Some(r)
    }

    fn hex(&mut self, value: &Value, path: &JsonPath) -> Option<Vec<u8>> {
        let text = self.string(value, path)?;
        let digits: Option<Vec<u8>> = text
            .chars()
            .map(|c| c.to_digit(16).map(|d| d as u8))
            .collect();
        match digits {
            Some(digits) if digits.len() % 2 == 0 => Some(
                digits
                    .chunks(2)
                    .map(|pair| pair.iter().fold(0, |byte, d| byte * 16 + d))
                    .collect(),
            ),
            _ => {
                self.problem(
                    path,
                    format!("{text:?} is not hexBinary (an even number of hex digits)"),
                );
                None
            }
        }
    }
}
