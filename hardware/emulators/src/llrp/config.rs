//! The reader's settings: those it starts with ([`LlrpConfig`]) and those a client reads
//! and changes with GET/SET_READER_CONFIG (KeepaliveSpec, ROReportSpec).

use std::time::Duration;

use super::LlrpReader;
use super::codes::{Refusal, param, status};
use super::report::{ReportSpec, ReportTrigger, parse_report_spec};
use super::wire::{Reader, Writer};

/// Settings of the emulated reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LlrpConfig {
    /// Antenna ports, numbered from 1.
    pub antennas: u16,
    /// Wall-clock time (since the Unix epoch) at emulated time zero; timestamps in reports
    /// and notifications are this plus emulated time.
    pub utc_at_start: Duration,
    /// Time between two inventory rounds.
    pub read_interval: Duration,
    /// KEEPALIVE period before any SET_READER_CONFIG changes it.
    pub keepalive: Option<Duration>,
}

impl Default for LlrpConfig {
    fn default() -> Self {
        Self {
            antennas: 4,
            utc_at_start: Duration::from_secs(1_700_000_000),
            read_interval: Duration::from_millis(100),
            keepalive: None,
        }
    }
}

impl LlrpReader {
    /// The GET_READER_CONFIG_RESPONSE body: status, KeepaliveSpec and ROReportSpec.
    pub(super) fn reader_config(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.status(status::SUCCESS, "");
        let period = self
            .keepalive
            .map_or(0, |p| u32::try_from(p.as_millis()).unwrap_or(u32::MAX));
        w.tlv(param::KEEPALIVE_SPEC, |w| {
            w.u8(u8::from(self.keepalive.is_some())).u32(period);
        });
        let spec = self.default_report;
        let (trigger, n) = match spec.trigger {
            ReportTrigger::None => (0, 0),
            ReportTrigger::EveryN(n) => (2, n),
        };
        w.tlv(param::RO_REPORT_SPEC, |w| {
            w.u8(trigger)
                .u16(n)
                .tlv(param::TAG_REPORT_CONTENT_SELECTOR, |w| {
                    w.u16(spec.content.flags);
                    w.tlv(param::C1G2_EPC_MEMORY_SELECTOR, |w| {
                        w.u8(u8::from(spec.content.crc) << 7 | u8::from(spec.content.pc) << 6);
                    });
                });
        });
        w.finish()
    }

    /// SET_READER_CONFIG: KeepaliveSpec and ROReportSpec take effect, the rest is accepted.
    pub(super) fn set_reader_config(&mut self, body: &[u8]) -> Result<(), Refusal> {
        let mut reader = Reader::new(body);
        let reset = reader.u8().ok_or_else(|| {
            Refusal::new(status::PARAMETER_ERROR, "SET_READER_CONFIG is truncated")
        })?;
        if reset & 0x80 != 0 {
            self.keepalive = self.config.keepalive;
            self.default_report = ReportSpec::default();
        }
        while let Some((kind, body)) = reader.tlv() {
            match kind {
                param::KEEPALIVE_SPEC => {
                    let mut fields = Reader::new(body);
                    self.keepalive = match (fields.u8(), fields.u32()) {
                        (Some(1), Some(ms)) if ms > 0 => Some(Duration::from_millis(u64::from(ms))),
                        (Some(_), Some(_)) => None,
                        _ => {
                            return Err(Refusal::new(
                                status::PARAMETER_ERROR,
                                "KeepaliveSpec is truncated",
                            ));
                        }
                    };
                    self.next_keepalive = self.clock.now() + self.keepalive.unwrap_or_default();
                }
                param::RO_REPORT_SPEC => self.default_report = parse_report_spec(body)?,
                // Antenna, event and access report settings change nothing emulated.
                _ => {}
            }
        }
        Ok(())
    }
}
