//! What the reader reports and when (ROReportSpec, TagReportContentSelector,
//! C1G2EPCMemorySelector), the tag sightings collected during inventory, and their
//! TagReportData encoding.

use super::codes::{Refusal, param, status, truncated, tv};
use super::wire::{Reader, Writer};
use crate::tag::Gen2Tag;

/// When reports are sent (ROReportTrigger).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportTrigger {
    /// Only on GET_REPORT.
    None,
    /// After every N tag reports (N > 0) and when the ROSpec ends. Triggers 1 and 2 are
    /// treated alike: an AISpec ending does not flush on its own.
    EveryN(u16),
}

/// Bit numbers of the TagReportContentSelector enable flags (u16, bit 15 first).
pub mod select {
    /// EnableROSpecID.
    pub const ROSPEC_ID: u8 = 15;
    /// EnableSpecIndex.
    pub const SPEC_INDEX: u8 = 14;
    /// EnableInventoryParameterSpecID.
    pub const INVENTORY_PARAMETER_SPEC_ID: u8 = 13;
    /// EnableAntennaID.
    pub const ANTENNA_ID: u8 = 12;
    /// EnableChannelIndex.
    pub const CHANNEL_INDEX: u8 = 11;
    /// EnablePeakRSSI.
    pub const PEAK_RSSI: u8 = 10;
    /// EnableFirstSeenTimestamp.
    pub const FIRST_SEEN: u8 = 9;
    /// EnableLastSeenTimestamp.
    pub const LAST_SEEN: u8 = 8;
    /// EnableTagSeenCount.
    pub const SEEN_COUNT: u8 = 7;
    /// EnableAccessSpecID.
    pub const ACCESS_SPEC_ID: u8 = 6;
}

/// Which fields each TagReportData carries (TagReportContentSelector).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Content {
    /// The selector's 10 enable bits as sent (bit 15 ROSpecID … bit 6 AccessSpecID).
    pub flags: u16,
    /// C1G2EPCMemorySelector EnableCRC.
    pub crc: bool,
    /// C1G2EPCMemorySelector EnablePCBits.
    pub pc: bool,
}

impl Content {
    /// Whether the enable bit `bit` (one of [`select`]) is set.
    pub fn has(&self, bit: u8) -> bool {
        self.flags >> bit & 1 != 0
    }
}

/// The reporting part of a ROSpec or of the reader configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportSpec {
    /// When to report.
    pub trigger: ReportTrigger,
    /// What to report.
    pub content: Content,
}

impl Default for ReportSpec {
    /// A report per tag read with AntennaID, PeakRSSI and FirstSeenTimestamp: what the
    /// emulated reader does for a ROSpec without an ROReportSpec.
    fn default() -> Self {
        Self {
            trigger: ReportTrigger::EveryN(1),
            content: Content {
                flags: 1 << select::ANTENNA_ID | 1 << select::PEAK_RSSI | 1 << select::FIRST_SEEN,
                crc: false,
                pc: false,
            },
        }
    }
}

/// Everything known about one tag on one antenna since the last report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sighting {
    /// The tag.
    pub tag: Gen2Tag,
    /// The antenna that saw it.
    pub antenna: u16,
    /// Strongest RSSI seen, dBm.
    pub peak_rssi: i8,
    /// First sighting, µs since the Unix epoch.
    pub first_seen_us: u64,
    /// Last sighting, µs since the Unix epoch.
    pub last_seen_us: u64,
    /// Number of sightings.
    pub count: u16,
    /// The ROSpec that read it.
    pub rospec_id: u32,
    /// 1-based index of the AISpec in that ROSpec.
    pub spec_index: u16,
    /// Its InventoryParameterSpecID.
    pub inventory_spec_id: u16,
}

/// Sightings waiting to be reported, one entry per tag, antenna and ROSpec.
#[derive(Debug, Default)]
pub struct ReportBuffer {
    entries: Vec<Sighting>,
}

impl ReportBuffer {
    /// Records a sighting, merging it into the entry of the same tag, antenna and ROSpec.
    pub fn record(&mut self, seen: Sighting) {
        let same = |entry: &&mut Sighting| {
            entry.tag == seen.tag
                && entry.antenna == seen.antenna
                && entry.rospec_id == seen.rospec_id
        };
        match self.entries.iter_mut().find(same) {
            Some(entry) => {
                entry.peak_rssi = entry.peak_rssi.max(seen.peak_rssi);
                entry.last_seen_us = seen.last_seen_us;
                entry.count = entry.count.saturating_add(1);
            }
            None => self.entries.push(seen),
        }
    }

    /// Entries waiting.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is waiting.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Takes the first `count` entries (all if fewer).
    pub fn take(&mut self, count: usize) -> Vec<Sighting> {
        self.entries
            .drain(..count.min(self.entries.len()))
            .collect()
    }

    /// Drops every entry.
    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

/// Appends one TagReportData parameter with the fields `content` enables, in the order
/// LLRP 1.0.1 §13.2.3 lists them.
pub fn write_tag_report(w: &mut Writer, seen: &Sighting, content: &Content) {
    w.tlv(param::TAG_REPORT_DATA, |w| {
        let epc = seen.tag.epc();
        if epc.len() == 12 {
            w.tv(tv::EPC_96).bytes(epc);
        } else {
            w.tlv(param::EPC_DATA, |w| {
                w.u16(u16::try_from(epc.len() * 8).unwrap_or(u16::MAX))
                    .bytes(epc);
            });
        }
        if content.has(select::ROSPEC_ID) {
            w.tv(tv::ROSPEC_ID).u32(seen.rospec_id);
        }
        if content.has(select::SPEC_INDEX) {
            w.tv(tv::SPEC_INDEX).u16(seen.spec_index);
        }
        if content.has(select::INVENTORY_PARAMETER_SPEC_ID) {
            w.tv(tv::INVENTORY_PARAMETER_SPEC_ID)
                .u16(seen.inventory_spec_id);
        }
        if content.has(select::ANTENNA_ID) {
            w.tv(tv::ANTENNA_ID).u16(seen.antenna);
        }
        if content.has(select::PEAK_RSSI) {
            w.tv(tv::PEAK_RSSI).bytes(&seen.peak_rssi.to_be_bytes());
        }
        if content.has(select::CHANNEL_INDEX) {
            w.tv(tv::CHANNEL_INDEX).u16(1);
        }
        if content.has(select::FIRST_SEEN) {
            w.tv(tv::FIRST_SEEN_UTC).u64(seen.first_seen_us);
        }
        if content.has(select::LAST_SEEN) {
            w.tv(tv::LAST_SEEN_UTC).u64(seen.last_seen_us);
        }
        if content.has(select::SEEN_COUNT) {
            w.tv(tv::TAG_SEEN_COUNT).u16(seen.count);
        }
        if content.pc {
            w.tv(tv::C1G2_PC).u16(seen.tag.pc());
        }
        if content.crc {
            w.tv(tv::C1G2_CRC).u16(seen.tag.crc());
        }
        if content.has(select::ACCESS_SPEC_ID) {
            w.tv(tv::ACCESS_SPEC_ID).u32(0);
        }
    });
}

/// Parses an ROReportSpec body (also used by SET_READER_CONFIG).
pub fn parse_report_spec(body: &[u8]) -> Result<ReportSpec, Refusal> {
    let mut reader = Reader::new(body);
    let trigger = reader.u8().ok_or_else(|| truncated("ROReportSpec"))?;
    let n = reader.u16().ok_or_else(|| truncated("ROReportSpec"))?;
    let trigger = match trigger {
        0 => ReportTrigger::None,
        1 | 2 => ReportTrigger::EveryN(n),
        other => {
            return Err(Refusal::new(
                status::FIELD_ERROR,
                format!("ROReportTrigger {other} does not exist"),
            ));
        }
    };
    let Some((param::TAG_REPORT_CONTENT_SELECTOR, selector)) = reader.tlv() else {
        return Err(Refusal::new(
            status::MISSING_PARAMETER,
            "ROReportSpec has no TagReportContentSelector",
        ));
    };
    let mut fields = Reader::new(selector);
    let flags = fields
        .u16()
        .ok_or_else(|| truncated("TagReportContentSelector"))?;
    let mut content = Content {
        flags,
        crc: false,
        pc: false,
    };
    while let Some((kind, body)) = fields.tlv() {
        if kind == param::C1G2_EPC_MEMORY_SELECTOR {
            let bits = body.first().copied().unwrap_or(0);
            content.crc = bits & 0x80 != 0;
            content.pc = bits & 0x40 != 0;
        }
    }
    Ok(ReportSpec { trigger, content })
}
