//! Tag sightings collected during inventory and their TagReportData encoding.

use super::rospec::{Content, select};
use super::wire::{Writer, param, tv};
use crate::tag::Gen2Tag;

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
