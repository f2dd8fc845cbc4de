//! The GET_READER_CAPABILITIES_RESPONSE body of the emulated reader: an N-antenna Gen2
//! reader with a UTC clock, one fixed channel and one RF mode, no GPIO, no access specs.

use super::codes::{Refusal, param, status};
use super::wire::Writer;

/// Transmit power the reader advertises, in 0.01 dBm.
const MAX_POWER_CENTI_DBM: u16 = 3000;
/// The one fixed channel, kHz.
const CHANNEL_KHZ: u32 = 920_625;
/// ProtocolID of EPCglobal Class 1 Gen 2.
const PROTOCOL_C1G2: u8 = 1;

/// Status and capability parameters for RequestedData `requested` (0 all, 1 general
/// device, 2 LLRP, 3 regulatory, 4 air protocol).
pub fn response_body(requested: u8, antennas: u16, firmware: &str) -> Result<Vec<u8>, Refusal> {
    if requested > 4 {
        return Err(Refusal::new(
            status::FIELD_ERROR,
            format!("RequestedData {requested} does not exist"),
        ));
    }
    let wanted = |part: u8| requested == 0 || requested == part;
    let mut w = Writer::new();
    w.status(status::SUCCESS, "");
    if wanted(1) {
        general_device(&mut w, antennas, firmware);
    }
    if wanted(2) {
        w.tlv(param::LLRP_CAPABILITIES, |w| {
            // No RF survey, no buffer warnings, no client OpSpecs, no state-aware
            // singulation, no event holding; one priority level; no limits (0).
            w.u8(0).u8(1).u16(0).u32(0).u32(0).u32(0).u32(0).u32(0);
        });
    }
    if wanted(3) {
        regulatory(&mut w);
    }
    if wanted(4) {
        w.tlv(param::C1G2_LLRP_CAPABILITIES, |w| {
            w.u8(0).u16(0);
        });
    }
    Ok(w.finish())
}

fn general_device(w: &mut Writer, antennas: u16, firmware: &str) {
    w.tlv(param::GENERAL_DEVICE_CAPABILITIES, |w| {
        // HasUTCClockCapability set, CanSetAntennaProperties clear; manufacturer and
        // model 0: the emulator belongs to no IANA enterprise.
        w.u16(antennas).u16(0x4000).u32(0).u32(0).utf8(firmware);
        w.tlv(param::RECEIVE_SENSITIVITY_ENTRY, |w| {
            w.u16(1).u16(0);
        });
        w.tlv(param::GPIO_CAPABILITIES, |w| {
            w.u16(0).u16(0);
        });
        for antenna in 1..=antennas {
            w.tlv(param::PER_ANTENNA_AIR_PROTOCOL, |w| {
                w.u16(antenna).u16(1).u8(PROTOCOL_C1G2);
            });
        }
    });
}

fn regulatory(w: &mut Writer) {
    w.tlv(param::REGULATORY_CAPABILITIES, |w| {
        // Country code 0 and communications standard 0: unspecified.
        w.u16(0).u16(0);
        w.tlv(param::UHF_BAND_CAPABILITIES, |w| {
            w.tlv(param::TRANSMIT_POWER_LEVEL_ENTRY, |w| {
                w.u16(1).u16(MAX_POWER_CENTI_DBM);
            });
            w.tlv(param::FREQUENCY_INFORMATION, |w| {
                w.u8(0).tlv(param::FIXED_FREQUENCY_TABLE, |w| {
                    w.u16(1).u32(CHANNEL_KHZ);
                });
            });
            w.tlv(param::C1G2_RF_MODE_TABLE, |w| {
                w.tlv(param::C1G2_RF_MODE_TABLE_ENTRY, |w| {
                    // Mode 0: DR 64/3, Miller 4, DSB-ASK, 250 kbps BLF, PIE 2.0,
                    // Tari 25 µs.
                    w.u32(0)
                        .u8(0x80)
                        .u8(2)
                        .u8(2)
                        .u8(1)
                        .u32(250_000)
                        .u32(2000)
                        .u32(25_000)
                        .u32(25_000)
                        .u32(0);
                });
            });
        });
    });
}
