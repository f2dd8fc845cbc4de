//! The cards in front of an MFRC522: ISO/IEC 14443-3 type A states, REQA/WUPA, the
//! bit-oriented anticollision loop over cascade levels 1–3, SELECT and HLTA.
//!
//! Bits are handled as on air: least significant bit of each byte first. Cards answer only
//! what they understand in their state; anything else sends a READY or ACTIVE card back to
//! IDLE without an answer (ISO 14443-3 §6.3). No card memory is emulated, so READ, WRITE or
//! authentication put an active card back to IDLE.

use crate::field::Field;
use crate::tag::Iso14443aTag;

/// REQA short frame.
pub const REQA: u8 = 0x26;
/// WUPA short frame.
pub const WUPA: u8 = 0x52;
/// Cascade tag that opens a cascade level whose UID continues at the next level.
pub const CASCADE_TAG: u8 = 0x88;
/// SAK of a cascade level whose UID is not complete.
pub const SAK_CASCADE: u8 = 0x04;
/// SEL codes of cascade levels 1, 2 and 3.
pub const SEL: [u8; 3] = [0x93, 0x95, 0x97];
/// HLTA command bytes (CRC_A follows).
pub const HLTA: [u8; 2] = [0x50, 0x00];
/// NVB of a SELECT: 7 whole bytes.
const NVB_SELECT: u8 = 0x70;

/// CRC_A (ISO/IEC 14443-3 Annex B) with the MFRC522's selectable preset; the card side
/// always uses preset 0x6363. Returns the two bytes in transmission order.
pub fn crc_a(preset: u16, data: &[u8]) -> [u8; 2] {
    let mut crc = preset;
    for &byte in data {
        crc ^= u16::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0x8408
            } else {
                crc >> 1
            };
        }
    }
    crc.to_le_bytes()
}

/// ISO 14443-3 card states (ACTIVE* and HALT are folded: a halted card answers only WUPA).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Idle,
    /// Ready for anticollision at this cascade level (0-based).
    Ready(usize),
    Active,
    Halt,
}

/// One card's answer on air.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The bits, in transmission order.
    pub bits: Vec<bool>,
    /// Whether the answer ends with a check byte (BCC or CRC_A) a corrupted frame gets wrong.
    pub checked: bool,
}

#[derive(Debug, Clone)]
struct Card {
    tag: Iso14443aTag,
    state: State,
}

impl Card {
    /// The 5 bytes (4 UID or CT + 3 UID, then BCC) of cascade level `level`.
    fn cascade_level(&self, level: usize) -> Option<[u8; 5]> {
        let uid = self.tag.uid();
        let levels = uid.len() / 3;
        let four: [u8; 4] = if level + 1 == levels {
            uid.get(uid.len() - 4..)?.try_into().ok()?
        } else if level + 1 < levels {
            let part = uid.get(level * 3..level * 3 + 3)?;
            [CASCADE_TAG, *part.first()?, *part.get(1)?, *part.get(2)?]
        } else {
            return None;
        };
        let bcc = four.iter().fold(0, |acc, b| acc ^ b);
        Some([four[0], four[1], four[2], four[3], bcc])
    }

    fn is_last_level(&self, level: usize) -> bool {
        level + 1 == self.tag.uid().len() / 3
    }

    fn answer(&mut self, frame: &Frame) -> Option<Answer> {
        let unexpected = |state: State| {
            if state == State::Halt {
                State::Halt
            } else {
                State::Idle
            }
        };
        match (self.state, frame) {
            (State::Idle, Frame::Short(REQA)) | (State::Idle | State::Halt, Frame::Short(WUPA)) => {
                self.state = State::Ready(0);
                Some(Answer {
                    bits: bits_of(&self.tag.atqa().to_le_bytes(), 16),
                    checked: false,
                })
            }
            (State::Ready(level), Frame::Anticollision { level: sel, known }) if *sel == level => {
                let cascade = bits_of(&self.cascade_level(level)?, 40);
                // A card whose UID does not start with the known bits stays quiet and READY.
                if cascade.get(..known.len())? != known.as_slice() {
                    return None;
                }
                Some(Answer {
                    bits: cascade.get(known.len()..)?.to_vec(),
                    checked: true,
                })
            }
            (
                State::Ready(level),
                Frame::Select {
                    level: sel,
                    cascade,
                },
            ) if *sel == level => {
                if self.cascade_level(level)? != *cascade {
                    self.state = State::Idle;
                    return None;
                }
                let sak = if self.is_last_level(level) {
                    self.state = State::Active;
                    self.tag.sak()
                } else {
                    self.state = State::Ready(level + 1);
                    SAK_CASCADE
                };
                let crc = crc_a(0x6363, &[sak]);
                Some(Answer {
                    bits: bits_of(&[sak, crc[0], crc[1]], 24),
                    checked: true,
                })
            }
            (State::Active, Frame::Halt) => {
                self.state = State::Halt;
                None
            }
            (State::Idle, _) => None,
            (state, _) => {
                self.state = unexpected(state);
                None
            }
        }
    }
}

/// What a transmitted frame means to a card.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Frame {
    Short(u8),
    Anticollision { level: usize, known: Vec<bool> },
    Select { level: usize, cascade: [u8; 5] },
    Halt,
    Other,
}

impl Frame {
    fn decode(bytes: &[u8], bit_count: usize) -> Frame {
        if bit_count == 7 {
            return bytes
                .first()
                .map_or(Frame::Other, |b| Frame::Short(b & 0x7F));
        }
        let with_valid_crc = |len: usize| {
            bit_count == len * 8 && bytes.len() == len && {
                let (data, crc) = bytes.split_at(len - 2);
                crc_a(0x6363, data) == crc
            }
        };
        match bytes {
            [h0, h1, _, _] if [*h0, *h1] == HLTA && with_valid_crc(4) => Frame::Halt,
            [sel, NVB_SELECT, c0, c1, c2, c3, c4, _, _] if with_valid_crc(9) => {
                match level_of(*sel) {
                    Some(level) => Frame::Select {
                        level,
                        cascade: [*c0, *c1, *c2, *c3, *c4],
                    },
                    None => Frame::Other,
                }
            }
            [sel, nvb, ..] => {
                let known_bits = usize::from(nvb >> 4) * 8 + usize::from(nvb & 0x0F);
                match (level_of(*sel), known_bits.checked_sub(16)) {
                    (Some(level), Some(known))
                        if known < 40 && nvb & 0x0F < 8 && known_bits == bit_count =>
                    {
                        Frame::Anticollision {
                            level,
                            known: bits_of(bytes, bit_count).split_off(16),
                        }
                    }
                    _ => Frame::Other,
                }
            }
            _ => Frame::Other,
        }
    }
}

fn level_of(sel: u8) -> Option<usize> {
    SEL.iter().position(|&code| code == sel)
}

/// The first `count` bits of `bytes`, least significant bit of each byte first.
pub fn bits_of(bytes: &[u8], count: usize) -> Vec<bool> {
    bytes
        .iter()
        .flat_map(|byte| (0..8).map(move |bit| byte >> bit & 1 != 0))
        .take(count)
        .collect()
}

/// The cards in range of the antenna and their protocol states.
#[derive(Debug, Default)]
pub struct Cards {
    cards: Vec<Card>,
}

impl Cards {
    /// Follows the field: cards that left are forgotten, new ones start IDLE.
    pub fn sync(&mut self, field: &Field) {
        let present = field.iso14443a();
        self.cards.retain(|card| present.contains(&&card.tag));
        for tag in present {
            if !self.cards.iter().any(|card| card.tag == *tag) {
                self.cards.push(Card {
                    tag: tag.clone(),
                    state: State::Idle,
                });
            }
        }
    }

    /// The RF field went off: every card loses power and restarts IDLE.
    pub fn power_off(&mut self) {
        for card in &mut self.cards {
            card.state = State::Idle;
        }
    }

    /// Sends a frame of `bit_count` bits; returns every card's answer.
    pub fn exchange(&mut self, bytes: &[u8], bit_count: usize) -> Vec<Answer> {
        let frame = Frame::decode(bytes, bit_count);
        self.cards
            .iter_mut()
            .filter_map(|card| card.answer(&frame))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tag::Tag;

    fn bytes_of(bits: &[bool]) -> Vec<u8> {
        bits.chunks(8)
            .map(|chunk| {
                chunk
                    .iter()
                    .enumerate()
                    .fold(0u8, |acc, (i, &b)| acc | (u8::from(b) << i))
            })
            .collect()
    }

    #[test]
    fn crc_a_matches_the_catalogue() {
        let catalogue = crc::Crc::<u16>::new(&crc::CRC_16_ISO_IEC_14443_3_A);
        let data = [0x93, 0x70, 0x90, 0x1F, 0x2A, 0xA4, 0x41];
        assert_eq!(
            crc_a(0x6363, &data),
            catalogue.checksum(&data).to_le_bytes()
        );
        assert_eq!(crc_a(0x6363, &HLTA), [0x57, 0xCD]);
    }

    #[test]
    fn seven_byte_uid_takes_two_cascade_levels() {
        let mut field = Field::default();
        field.enter("iso14443a:04A1B2C3D4E5F6".parse::<Tag>().unwrap(), 1, -40);
        let mut cards = Cards::default();
        cards.sync(&field);
        let atqa = cards.exchange(&[REQA], 7);
        assert_eq!(bytes_of(&atqa[0].bits), [0x44, 0x00]);
        let cl1 = bytes_of(&cards.exchange(&[0x93, 0x20], 16)[0].bits);
        assert_eq!(cl1, [0x88, 0x04, 0xA1, 0xB2, 0x88 ^ 0x04 ^ 0xA1 ^ 0xB2]);
        let mut select = vec![0x93, 0x70];
        select.extend(&cl1);
        select.extend(crc_a(0x6363, &select));
        let sak = bytes_of(&cards.exchange(&select, 72)[0].bits);
        assert_eq!(sak[0], SAK_CASCADE);
        assert_eq!(&sak[1..], crc_a(0x6363, &[SAK_CASCADE]));
        let cl2 = bytes_of(&cards.exchange(&[0x95, 0x20], 16)[0].bits);
        assert_eq!(&cl2[..4], [0xC3, 0xD4, 0xE5, 0xF6]);
        // A REQA now is unexpected: the card drops back to IDLE and stays quiet.
        assert!(cards.exchange(&[REQA], 7).is_empty());
        assert_eq!(cards.exchange(&[REQA], 7).len(), 1);
    }
}
