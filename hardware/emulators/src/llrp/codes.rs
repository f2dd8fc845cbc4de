//! The numbers of LLRP 1.0.1 the emulator uses (message, parameter and status codes) and
//! the refusal a request gets answered with.

/// Message types.
pub mod msg {
    /// GET_READER_CAPABILITIES.
    pub const GET_READER_CAPABILITIES: u16 = 1;
    /// GET_READER_CONFIG.
    pub const GET_READER_CONFIG: u16 = 2;
    /// SET_READER_CONFIG.
    pub const SET_READER_CONFIG: u16 = 3;
    /// CLOSE_CONNECTION_RESPONSE.
    pub const CLOSE_CONNECTION_RESPONSE: u16 = 4;
    /// GET_READER_CAPABILITIES_RESPONSE.
    pub const GET_READER_CAPABILITIES_RESPONSE: u16 = 11;
    /// GET_READER_CONFIG_RESPONSE.
    pub const GET_READER_CONFIG_RESPONSE: u16 = 12;
    /// SET_READER_CONFIG_RESPONSE.
    pub const SET_READER_CONFIG_RESPONSE: u16 = 13;
    /// CLOSE_CONNECTION.
    pub const CLOSE_CONNECTION: u16 = 14;
    /// ADD_ROSPEC.
    pub const ADD_ROSPEC: u16 = 20;
    /// DELETE_ROSPEC.
    pub const DELETE_ROSPEC: u16 = 21;
    /// START_ROSPEC.
    pub const START_ROSPEC: u16 = 22;
    /// STOP_ROSPEC.
    pub const STOP_ROSPEC: u16 = 23;
    /// ENABLE_ROSPEC.
    pub const ENABLE_ROSPEC: u16 = 24;
    /// DISABLE_ROSPEC.
    pub const DISABLE_ROSPEC: u16 = 25;
    /// GET_ROSPECS.
    pub const GET_ROSPECS: u16 = 26;
    /// Responses to 20..=26 are the request type + 10.
    pub const ROSPEC_RESPONSE_OFFSET: u16 = 10;
    /// GET_REPORT.
    pub const GET_REPORT: u16 = 60;
    /// RO_ACCESS_REPORT.
    pub const RO_ACCESS_REPORT: u16 = 61;
    /// KEEPALIVE.
    pub const KEEPALIVE: u16 = 62;
    /// READER_EVENT_NOTIFICATION.
    pub const READER_EVENT_NOTIFICATION: u16 = 63;
    /// ENABLE_EVENTS_AND_REPORTS.
    pub const ENABLE_EVENTS_AND_REPORTS: u16 = 64;
    /// KEEPALIVE_ACK.
    pub const KEEPALIVE_ACK: u16 = 72;
    /// ERROR_MESSAGE.
    pub const ERROR_MESSAGE: u16 = 100;
}

/// TLV parameter types.
pub mod param {
    /// UTCTimestamp.
    pub const UTC_TIMESTAMP: u16 = 128;
    /// GeneralDeviceCapabilities.
    pub const GENERAL_DEVICE_CAPABILITIES: u16 = 137;
    /// ReceiveSensitivityTableEntry.
    pub const RECEIVE_SENSITIVITY_ENTRY: u16 = 139;
    /// PerAntennaAirProtocol.
    pub const PER_ANTENNA_AIR_PROTOCOL: u16 = 140;
    /// GPIOCapabilities.
    pub const GPIO_CAPABILITIES: u16 = 141;
    /// LLRPCapabilities.
    pub const LLRP_CAPABILITIES: u16 = 142;
    /// RegulatoryCapabilities.
    pub const REGULATORY_CAPABILITIES: u16 = 143;
    /// UHFBandCapabilities.
    pub const UHF_BAND_CAPABILITIES: u16 = 144;
    /// TransmitPowerLevelTableEntry.
    pub const TRANSMIT_POWER_LEVEL_ENTRY: u16 = 145;
    /// FrequencyInformation.
    pub const FREQUENCY_INFORMATION: u16 = 146;
    /// FixedFrequencyTable.
    pub const FIXED_FREQUENCY_TABLE: u16 = 148;
    /// ROSpec.
    pub const ROSPEC: u16 = 177;
    /// ROBoundarySpec.
    pub const RO_BOUNDARY_SPEC: u16 = 178;
    /// ROSpecStartTrigger.
    pub const ROSPEC_START_TRIGGER: u16 = 179;
    /// ROSpecStopTrigger.
    pub const ROSPEC_STOP_TRIGGER: u16 = 182;
    /// AISpec.
    pub const AI_SPEC: u16 = 183;
    /// AISpecStopTrigger.
    pub const AI_SPEC_STOP_TRIGGER: u16 = 184;
    /// InventoryParameterSpec.
    pub const INVENTORY_PARAMETER_SPEC: u16 = 186;
    /// KeepaliveSpec.
    pub const KEEPALIVE_SPEC: u16 = 220;
    /// ROReportSpec.
    pub const RO_REPORT_SPEC: u16 = 237;
    /// TagReportContentSelector.
    pub const TAG_REPORT_CONTENT_SELECTOR: u16 = 238;
    /// TagReportData.
    pub const TAG_REPORT_DATA: u16 = 240;
    /// EPCData.
    pub const EPC_DATA: u16 = 241;
    /// ReaderEventNotificationData.
    pub const READER_EVENT_NOTIFICATION_DATA: u16 = 246;
    /// ConnectionAttemptEvent.
    pub const CONNECTION_ATTEMPT_EVENT: u16 = 256;
    /// LLRPStatus.
    pub const LLRP_STATUS: u16 = 287;
    /// C1G2LLRPCapabilities.
    pub const C1G2_LLRP_CAPABILITIES: u16 = 327;
    /// UHFC1G2RFModeTable.
    pub const C1G2_RF_MODE_TABLE: u16 = 328;
    /// UHFC1G2RFModeTableEntry.
    pub const C1G2_RF_MODE_TABLE_ENTRY: u16 = 329;
    /// C1G2EPCMemorySelector.
    pub const C1G2_EPC_MEMORY_SELECTOR: u16 = 348;
}

/// TV parameter types (one byte `0x80 | type`, then a fixed-size value).
pub mod tv {
    /// AntennaID, u16.
    pub const ANTENNA_ID: u8 = 1;
    /// FirstSeenTimestampUTC, u64 µs.
    pub const FIRST_SEEN_UTC: u8 = 2;
    /// LastSeenTimestampUTC, u64 µs.
    pub const LAST_SEEN_UTC: u8 = 4;
    /// PeakRSSI, i8 dBm.
    pub const PEAK_RSSI: u8 = 6;
    /// ChannelIndex, u16.
    pub const CHANNEL_INDEX: u8 = 7;
    /// TagSeenCount, u16.
    pub const TAG_SEEN_COUNT: u8 = 8;
    /// ROSpecID, u32.
    pub const ROSPEC_ID: u8 = 9;
    /// InventoryParameterSpecID, u16.
    pub const INVENTORY_PARAMETER_SPEC_ID: u8 = 10;
    /// C1G2CRC, u16.
    pub const C1G2_CRC: u8 = 11;
    /// C1G2PC, u16.
    pub const C1G2_PC: u8 = 12;
    /// EPC-96, 12 bytes.
    pub const EPC_96: u8 = 13;
    /// SpecIndex, u16.
    pub const SPEC_INDEX: u8 = 14;
    /// AccessSpecID, u32.
    pub const ACCESS_SPEC_ID: u8 = 16;
}

/// LLRPStatus codes.
pub mod status {
    /// M_Success.
    pub const SUCCESS: u16 = 0;
    /// M_ParameterError.
    pub const PARAMETER_ERROR: u16 = 100;
    /// M_FieldError.
    pub const FIELD_ERROR: u16 = 101;
    /// M_MissingParameter.
    pub const MISSING_PARAMETER: u16 = 103;
    /// M_UnsupportedMessage.
    pub const UNSUPPORTED_MESSAGE: u16 = 109;
    /// M_UnsupportedVersion.
    pub const UNSUPPORTED_VERSION: u16 = 110;
    /// M_UnsupportedParameter.
    pub const UNSUPPORTED_PARAMETER: u16 = 111;
}

/// A request the reader turns down, answered with this LLRPStatus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// LLRPStatus code.
    pub code: u16,
    /// ErrorDescription.
    pub description: String,
}

impl Refusal {
    /// A refusal with `code` and `description`.
    pub fn new(code: u16, description: impl Into<String>) -> Self {
        Self {
            code,
            description: description.into(),
        }
    }
}

pub(crate) fn truncated(what: &str) -> Refusal {
    Refusal::new(status::PARAMETER_ERROR, format!("{what} is truncated"))
}
