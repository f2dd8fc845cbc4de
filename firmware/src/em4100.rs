//! EM4100 125 kHz tags through an RDM6300-class UART module (9600 8N1, output only).
//!
//! Frame: `02` STX, 10 ASCII hex digits (version/customer byte and 4 ID bytes), 2 ASCII
//! hex digits of checksum (XOR of the 5 data bytes), `03` ETX. The module repeats the
//! frame about every 50 ms while a tag is in the field; de-bouncing merges them.

use trace_proto::link::{FaultKind, TagId};

use crate::deframe::{Deframer, Framing, Scan};
use crate::driver::SerialDriver;
use crate::event::{ReaderEvent, TagSighting};
use crate::stats::{LineError, Stats};

const STX: u8 = 0x02;
const ETX: u8 = 0x03;
/// STX, 10 + 2 hex digits, ETX.
const FRAME_LEN: usize = 14;

/// Driver for an RDM6300-class EM4100 module.
///
/// The module cannot be queried, so a silent module and an empty field look alike:
/// this driver reports [`ReaderEvent::Ready`] at its first poll and never times out.
#[derive(Default)]
pub struct Em4100 {
    deframer: Deframer<Em4100Framing, FRAME_LEN>,
    stats: Stats,
    announced: bool,
}

impl Em4100 {
    /// A driver waiting for the first frame.
    pub fn new() -> Self {
        Self::default()
    }
}

impl SerialDriver for Em4100 {
    fn poll(&mut self, _now_ms: u64) -> Option<ReaderEvent> {
        (!core::mem::replace(&mut self.announced, true)).then_some(ReaderEvent::Ready)
    }

    fn push(&mut self, byte: u8) {
        if let Some(error) = self.deframer.push(byte) {
            self.stats.record(error);
        }
    }

    fn next_event(&mut self) -> Option<ReaderEvent> {
        while let Some(result) = self.deframer.pop() {
            match result {
                Ok(id) => {
                    crate::stats::bump(&mut self.stats.frames);
                    return Some(ReaderEvent::Tag(TagSighting::new(TagId::Em4100(id))));
                }
                Err(error) => {
                    self.stats.record(error);
                    if error == LineError::Checksum {
                        return Some(ReaderEvent::Fault(FaultKind::Checksum));
                    }
                }
            }
        }
        None
    }

    fn pending_tx(&self) -> &[u8] {
        &[]
    }

    fn consume_tx(&mut self, _written: usize) {}

    fn pending_rx(&self) -> usize {
        self.deframer.pending()
    }

    fn stats(&self) -> &Stats {
        &self.stats
    }
}

/// The RDM6300 frame format.
pub(crate) struct Em4100Framing;

impl Framing for Em4100Framing {
    type Frame = [u8; 5];

    fn candidate_start(window: &[u8]) -> usize {
        window
            .iter()
            .position(|&b| b == STX)
            .unwrap_or(window.len())
    }

    fn is_idle(_byte: u8) -> bool {
        false
    }

    fn scan(window: &[u8]) -> Scan<[u8; 5]> {
        let mut bytes = [0u8; 6];
        for (i, &digit) in window.iter().skip(1).take(12).enumerate() {
            let Some(value) = hex_value(digit) else {
                return Scan::Reject(LineError::Malformed);
            };
            if let Some(byte) = bytes.get_mut(i / 2) {
                *byte = (*byte << 4) | value;
            }
        }
        match window.get(FRAME_LEN - 1) {
            None => return Scan::Incomplete,
            Some(&ETX) => {}
            Some(_) => return Scan::Reject(LineError::Malformed),
        }
        let [data @ .., checksum] = bytes;
        if data.iter().fold(0, |acc, b| acc ^ b) != checksum {
            return Scan::Reject(LineError::Checksum);
        }
        Scan::Frame(data, FRAME_LEN)
    }
}

/// Value of one ASCII hex digit; modules differ in case, so both are accepted.
fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        _ => None,
    }
}
