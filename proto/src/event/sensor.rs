//! Sensor data of EPCIS 2.0 events (`sensorElementList`): what a sensor measured
//! during the event, with metadata about the device and the processing.
//!
//! Field names follow EPCIS 2.0 JSON-LD in snake case. Vocabulary-valued fields
//! (`type`, `exception`, `component`, `microorganism`, `chemicalSubstance`) hold the
//! value as written: a GS1 Web Vocabulary word (`Temperature`, `ALARM_CONDITION`) or a
//! URI. Units are UN/CEFACT Recommendation 20 codes (`CEL`, `KGM`).

use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use super::decimal::Decimal;
use super::extension::{Extension, wire};
use super::time::EventTime;

/// One `sensorElement`: the metadata shared by its reports, and the reports.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SensorElement {
    /// `sensorMetadata`.
    pub metadata: Option<SensorMetadata>,
    /// `sensorReport` list.
    pub reports: Vec<SensorReport>,
    /// Extensions of the sensor element itself.
    #[serde(with = "wire")]
    pub extensions: Vec<Extension>,
}

/// `sensorMetadata`: about the device and the observation as a whole.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SensorMetadata {
    /// `time`: when the sensor data were captured (a single instant).
    pub time: Option<EventTime>,
    /// `startTime` of the observation interval.
    pub start_time: Option<EventTime>,
    /// `endTime` of the observation interval.
    pub end_time: Option<EventTime>,
    /// `deviceID`: URI of the sensor device.
    pub device_id: Option<String>,
    /// `deviceMetadata`: URL of the device's master data.
    pub device_metadata: Option<String>,
    /// `rawData`: URL of the unprocessed data.
    pub raw_data: Option<String>,
    /// `dataProcessingMethod`: URL describing the processing.
    pub data_processing_method: Option<String>,
    /// `bizRules`: URL of the business rules applied.
    pub biz_rules: Option<String>,
    /// Extensions inside `sensorMetadata`.
    #[serde(with = "wire")]
    pub extensions: Vec<Extension>,
}

/// `sensorReport`: one measured quantity or condition.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SensorReport {
    /// `type`: measurement type (`Temperature`, `gs1:RelativeHumidity`, a URI).
    pub measurement_type: Option<String>,
    /// `exception`: `ALARM_CONDITION` or `ERROR_CONDITION` (or a URI).
    pub exception: Option<String>,
    /// `deviceID` of this report's device, when it differs from the metadata's.
    pub device_id: Option<String>,
    /// `deviceMetadata` URL.
    pub device_metadata: Option<String>,
    /// `rawData` URL.
    pub raw_data: Option<String>,
    /// `dataProcessingMethod` URL.
    pub data_processing_method: Option<String>,
    /// `time` of this report.
    pub time: Option<EventTime>,
    /// `microorganism` (URI of the organism measured).
    pub microorganism: Option<String>,
    /// `chemicalSubstance` (URI of the substance measured).
    pub chemical_substance: Option<String>,
    /// `value`: the measurement.
    pub value: Option<Decimal>,
    /// `component` of a vector quantity (`x`, `y`, `z`, `latitude` …).
    pub component: Option<String>,
    /// `stringValue`.
    pub string_value: Option<String>,
    /// `booleanValue`.
    pub boolean_value: Option<bool>,
    /// `hexBinaryValue`, decoded to bytes.
    pub hex_binary_value: Option<Vec<u8>>,
    /// `uriValue`.
    pub uri_value: Option<String>,
    /// `minValue` over the observation interval.
    pub min_value: Option<Decimal>,
    /// `maxValue` over the observation interval.
    pub max_value: Option<Decimal>,
    /// `meanValue` over the observation interval.
    pub mean_value: Option<Decimal>,
    /// `sDev`: standard deviation.
    pub s_dev: Option<Decimal>,
    /// `percRank`: percentile rank of `percValue`.
    pub perc_rank: Option<Decimal>,
    /// `percValue`: value at `percRank`.
    pub perc_value: Option<Decimal>,
    /// `uom`: UN/CEFACT Rec. 20 unit code.
    pub uom: Option<String>,
    /// `coordinateReferenceSystem` URI for location components.
    pub coordinate_reference_system: Option<String>,
    /// Extensions inside the report.
    #[serde(with = "wire")]
    pub extensions: Vec<Extension>,
}
