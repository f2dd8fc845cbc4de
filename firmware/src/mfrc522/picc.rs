//! ISO/IEC 14443-3 type A activation as a state machine over card frames: REQA,
//! bit-oriented anticollision and SELECT at cascade levels 1–3, then HLTA. It says
//! what to transmit and judges what came back; the SPI driver moves the bytes.

use crc::{CRC_16_ISO_IEC_14443_3_A, Crc};
use trace_proto::link::Uid;

static CRC_A: Crc<u16> = Crc::<u16>::new(&CRC_16_ISO_IEC_14443_3_A);

/// REQA, sent as a 7-bit short frame.
const REQA: u8 = 0x26;
/// Select / anticollision command of cascade levels 1, 2 and 3.
const SEL: [u8; 3] = [0x93, 0x95, 0x97];
/// NVB of a SELECT: all 7 bytes (SEL, NVB, 4 UID bytes, BCC) are sent.
const NVB_SELECT: u8 = 0x70;
/// First UID byte of a cascade level whose UID continues at the next level.
const CASCADE_TAG: u8 = 0x88;
/// SAK bit saying the UID is not complete yet.
const SAK_CASCADE: u8 = 0x04;
/// HLTA without its CRC.
const HLTA: [u8; 2] = [0x50, 0x00];
/// UID CLn bytes and BCC: the 40 bits an anticollision loop resolves.
const LEVEL_BITS: u8 = 40;

/// Longest frame sent: SELECT with SEL, NVB, 4 UID bytes, BCC and CRC_A.
const MAX_TRANSMIT: usize = 9;

/// A frame to send to the card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Transmit {
    buf: [u8; MAX_TRANSMIT],
    len: usize,
    /// Bits of the last byte to send; 0 sends it whole.
    pub(crate) tx_last_bits: u8,
    /// Bit position at which the first received bit is stored.
    pub(crate) rx_align: u8,
}

impl Transmit {
    fn new(bytes: &[u8], tx_last_bits: u8, rx_align: u8) -> Self {
        let mut buf = [0; MAX_TRANSMIT];
        for (slot, byte) in buf.iter_mut().zip(bytes) {
            *slot = *byte;
        }
        Self {
            buf,
            len: bytes.len().min(MAX_TRANSMIT),
            tx_last_bits,
            rx_align,
        }
    }

    /// The bytes to send.
    pub(crate) fn bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or_default()
    }
}

/// What the reader chip received after a [`Transmit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reception<'a> {
    /// Nothing before the chip's timer expired.
    NoAnswer,
    /// A frame; `last_bits` valid bits in its last byte (0 = all 8).
    Frame { bytes: &'a [u8], last_bits: u8 },
    /// Cards answered at once and differ first at bit `position` (1-based, counted
    /// over the whole cascade level as the MFRC522 reports it); bytes hold the bits
    /// before it.
    Collision { bytes: &'a [u8], position: u8 },
    /// A parity, protocol or buffer error.
    Error,
}

/// Why an activation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PiccError {
    /// The BCC does not match the UID bytes.
    Bcc,
    /// The SAK's CRC_A does not match.
    Crc,
    /// A collision that the anticollision loop cannot resolve.
    Collision,
    /// An answer of the wrong length or content.
    Frame,
    /// The chip reported a transmission error.
    Transmission,
}

/// End of an activation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// No card answered (or it left the field mid-way).
    NoCard,
    /// A card, now halted until it leaves the field.
    Card(Uid),
    /// The activation failed.
    Failed(PiccError),
}

/// Next thing to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    Transmit(Transmit),
    Done(Outcome),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Request,
    Anticollision,
    Select,
    Halt,
}

/// One activation attempt.
#[derive(Debug, Clone)]
pub(crate) struct Activation {
    stage: Stage,
    /// Cascade level, 0-based.
    level: usize,
    /// UID bytes of completed levels, then of the last one.
    uid: [u8; 10],
    uid_len: usize,
    /// UID CLn and BCC of the current level, as far as known.
    known: [u8; 5],
    known_bits: u8,
    card: Option<Uid>,
}

impl Activation {
    /// Starts with a REQA.
    pub(crate) fn start() -> (Self, Transmit) {
        let activation = Self {
            stage: Stage::Request,
            level: 0,
            uid: [0; 10],
            uid_len: 0,
            known: [0; 5],
            known_bits: 0,
            card: None,
        };
        (activation, Transmit::new(&[REQA], 7, 0))
    }

    /// Judges what came back and says what to do next.
    pub(crate) fn on_reception(&mut self, reception: Reception<'_>) -> Step {
        let next = match (self.stage, reception) {
            (Stage::Halt, _) => Err(self
                .card
                .map_or(Outcome::Failed(PiccError::Frame), Outcome::Card)),
            (_, Reception::NoAnswer) => Err(Outcome::NoCard),
            (_, Reception::Error) => Err(Outcome::Failed(PiccError::Transmission)),
            // Cards with different ATQAs collide too; anticollision sorts them out.
            (Stage::Request, _) => Ok(self.anticollision()),
            (Stage::Anticollision, Reception::Frame { bytes, last_bits }) => {
                self.on_uid_bits(bytes, last_bits)
            }
            (Stage::Anticollision, Reception::Collision { bytes, position }) => {
                self.on_collision(bytes, position)
            }
            (Stage::Select, Reception::Frame { bytes, .. }) => self.on_sak(bytes),
            (Stage::Select, Reception::Collision { .. }) => {
                Err(Outcome::Failed(PiccError::Collision))
            }
        };
        match next {
            Ok(transmit) => Step::Transmit(transmit),
            Err(outcome) => Step::Done(outcome),
        }
    }

    fn sel(&self) -> u8 {
        SEL.get(self.level).copied().unwrap_or(0)
    }

    fn anticollision(&mut self) -> Transmit {
        self.stage = Stage::Anticollision;
        let whole = usize::from(self.known_bits / 8);
        let partial = self.known_bits % 8;
        let nvb = ((2 + self.known_bits / 8) << 4) | partial;
        let [k0, k1, k2, k3, k4] = self.known;
        let bytes = [self.sel(), nvb, k0, k1, k2, k3, k4];
        let sent = 2 + whole + usize::from(partial > 0);
        Transmit::new(bytes.get(..sent).unwrap_or_default(), partial, partial)
    }

    fn on_uid_bits(&mut self, bytes: &[u8], last_bits: u8) -> Result<Transmit, Outcome> {
        let align = self.known_bits % 8;
        let received = (bytes.len() * 8).checked_sub(usize::from(align));
        let unused = if last_bits == 0 {
            0
        } else {
            8 - usize::from(last_bits)
        };
        let total = received
            .and_then(|r| r.checked_sub(unused))
            .map(|r| r + usize::from(self.known_bits));
        if total != Some(usize::from(LEVEL_BITS)) || !self.merge(bytes) {
            return Err(Outcome::Failed(PiccError::Frame));
        }
        let [a, b, c, d, bcc] = self.known;
        if a ^ b ^ c ^ d != bcc {
            return Err(Outcome::Failed(PiccError::Bcc));
        }
        self.stage = Stage::Select;
        let command = [self.sel(), NVB_SELECT, a, b, c, d, bcc];
        let [crc_lo, crc_hi] = crc_a(&command);
        let select = [self.sel(), NVB_SELECT, a, b, c, d, bcc, crc_lo, crc_hi];
        Ok(Transmit::new(&select, 0, 0))
    }

    fn on_collision(&mut self, bytes: &[u8], position: u8) -> Result<Transmit, Outcome> {
        // Without progress the loop would never end; with it, it ends within 32 steps.
        if position <= self.known_bits || position > LEVEL_BITS - 8 || !self.merge(bytes) {
            return Err(Outcome::Failed(PiccError::Collision));
        }
        // Keep the bits before the collision, and follow the cards whose bit is 1.
        let bit = usize::from(position - 1);
        for (i, byte) in self.known.iter_mut().enumerate() {
            let bits_before = bit.saturating_sub(i * 8);
            if bits_before < 8 {
                *byte &= (1u8 << bits_before) - 1;
            }
        }
        if let Some(byte) = self.known.get_mut(bit / 8) {
            *byte |= 1 << (bit % 8);
        }
        self.known_bits = position;
        Ok(self.anticollision())
    }

    fn on_sak(&mut self, bytes: &[u8]) -> Result<Transmit, Outcome> {
        let &[sak, crc_lo, crc_hi] = bytes else {
            return Err(Outcome::Failed(PiccError::Frame));
        };
        if crc_a(&[sak]) != [crc_lo, crc_hi] {
            return Err(Outcome::Failed(PiccError::Crc));
        }
        let [first, rest @ .., _bcc] = self.known;
        if sak & SAK_CASCADE != 0 {
            if first != CASCADE_TAG || self.level + 1 >= SEL.len() {
                return Err(Outcome::Failed(PiccError::Frame));
            }
            self.append_uid(&rest)?;
            self.level += 1;
            self.known = [0; 5];
            self.known_bits = 0;
            return Ok(self.anticollision());
        }
        self.append_uid(&[first])?;
        self.append_uid(&rest)?;
        let uid = self.uid.get(..self.uid_len).unwrap_or_default();
        let uid = Uid::from_slice(uid).map_err(|_| Outcome::Failed(PiccError::Frame))?;
        self.card = Some(uid);
        self.stage = Stage::Halt;
        let [halt, zero] = HLTA;
        let [crc_lo, crc_hi] = crc_a(&HLTA);
        Ok(Transmit::new(&[halt, zero, crc_lo, crc_hi], 0, 0))
    }

    fn append_uid(&mut self, bytes: &[u8]) -> Result<(), Outcome> {
        let end = self.uid_len + bytes.len();
        let slots = self
            .uid
            .get_mut(self.uid_len..end)
            .ok_or(Outcome::Failed(PiccError::Frame))?;
        slots.copy_from_slice(bytes);
        self.uid_len = end;
        Ok(())
    }

    /// Stores received bits after the known ones; false if they do not fit.
    fn merge(&mut self, bytes: &[u8]) -> bool {
        let first = usize::from(self.known_bits / 8);
        let known_low = (1u8 << (self.known_bits % 8)) - 1;
        for (i, &byte) in bytes.iter().enumerate() {
            let Some(slot) = self.known.get_mut(first + i) else {
                return false;
            };
            *slot = if i == 0 {
                (*slot & known_low) | (byte & !known_low)
            } else {
                byte
            };
        }
        true
    }
}

/// CRC_A as transmitted: low byte first.
pub(crate) fn crc_a(bytes: &[u8]) -> [u8; 2] {
    CRC_A.checksum(bytes).to_le_bytes()
}

#[cfg(test)]
mod tests;
