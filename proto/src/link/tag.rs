//! Raw tag identities as the reader modules deliver them (see the reader facts in
//! `shared/READERS.md`): EM4100 5-byte IDs, ISO/IEC 14443-3 type A UIDs, and the EPC
//! memory bank of EPC Gen2 (ISO/IEC 18000-63) UHF tags. Turning these into identifiers
//! (EPC URIs, `urn:rfid-trace:uid:…`) is the gateway's job; the link carries the bytes.

use serde::{Deserialize, Serialize};

/// Longest EPC (without the PC word) a Gen2 PC word can announce: 31 words.
pub const MAX_EPC_LEN: usize = 62;

/// Longest EPC bank slice carried: the PC word plus [`MAX_EPC_LEN`].
const MAX_BANK_LEN: usize = 2 + MAX_EPC_LEN;

/// Why raw tag bytes do not form a valid tag identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TagIdError {
    /// An ISO 14443A UID must be 4, 7 or 10 bytes (single, double or triple size).
    #[error("ISO 14443A UID of {length} bytes: only 4, 7 or 10 bytes exist")]
    UidLength {
        /// The length given.
        length: usize,
    },
    /// The EPC bank slice is shorter than the 2-byte PC word.
    #[error("EPC bank of {length} bytes has no complete PC word (needs 2 bytes)")]
    MissingPc {
        /// The length given.
        length: usize,
    },
    /// The PC word's length field (bits 15–11) announces another EPC length.
    #[error("PC word 0x{pc:04X} announces {expected} EPC bytes but {found} follow it")]
    EpcLength {
        /// The PC word.
        pc: u16,
        /// EPC bytes announced by the PC word: 2 × (PC >> 11).
        expected: usize,
        /// EPC bytes present after the PC word.
        found: usize,
    },
}

/// A tag identity: the technology and its raw bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TagId {
    /// EM4100 (125 kHz): the version/customer byte then the 4 ID bytes.
    Em4100([u8; 5]),
    /// ISO/IEC 14443A (13.56 MHz) UID, from a PN532 or an MFRC522.
    Iso14443a(Uid),
    /// EPC Gen2 UHF: the EPC bank from the PC word on.
    Gen2(EpcBank),
}

/// An ISO/IEC 14443-3 type A UID; the three sizes are the only ones that exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Uid {
    /// Single-size UID (4 bytes).
    Single([u8; 4]),
    /// Double-size UID (7 bytes).
    Double([u8; 7]),
    /// Triple-size UID (10 bytes).
    Triple([u8; 10]),
}

impl Uid {
    /// Builds a UID from its bytes (cascade tags already removed).
    pub fn from_slice(bytes: &[u8]) -> Result<Self, TagIdError> {
        let length = bytes.len();
        let bad = TagIdError::UidLength { length };
        match length {
            4 => bytes.try_into().map(Self::Single).map_err(|_| bad),
            7 => bytes.try_into().map(Self::Double).map_err(|_| bad),
            10 => bytes.try_into().map(Self::Triple).map_err(|_| bad),
            _ => Err(bad),
        }
    }

    /// The UID bytes, first transmitted byte first.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Self::Single(b) => b,
            Self::Double(b) => b,
            Self::Triple(b) => b,
        }
    }
}

/// The EPC bank of a Gen2 tag as inventoried: the PC word (big-endian, as on the air)
/// followed by exactly as many EPC bytes as the PC word's length field announces.
///
/// XPC words and the CRC-16 are not carried: the module has checked the CRC, and the
/// EPC length does not depend on the XPC.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "heapless::Vec<u8, MAX_BANK_LEN>")]
pub struct EpcBank {
    bytes: heapless::Vec<u8, MAX_BANK_LEN>,
}

impl EpcBank {
    /// Builds the bank from the bytes as inventoried: PC word, then the EPC.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, TagIdError> {
        match bytes {
            [hi, lo, epc @ ..] => Self::new(u16::from_be_bytes([*hi, *lo]), epc),
            _ => Err(TagIdError::MissingPc {
                length: bytes.len(),
            }),
        }
    }

    /// Builds the bank from a PC word and the EPC bytes that follow it, checking the
    /// EPC length against the PC word's length field.
    pub fn new(pc: u16, epc: &[u8]) -> Result<Self, TagIdError> {
        let expected = 2 * usize::from(pc >> 11);
        let mismatch = TagIdError::EpcLength {
            pc,
            expected,
            found: epc.len(),
        };
        if epc.len() != expected {
            return Err(mismatch);
        }
        let mut bytes = heapless::Vec::new();
        bytes
            .extend_from_slice(&pc.to_be_bytes())
            .map_err(|_| mismatch)?;
        bytes.extend_from_slice(epc).map_err(|_| mismatch)?;
        Ok(Self { bytes })
    }

    /// The Protocol Control word.
    pub fn pc(&self) -> u16 {
        match self.bytes.as_slice() {
            [hi, lo, ..] => u16::from_be_bytes([*hi, *lo]),
            _ => 0,
        }
    }

    /// The EPC bytes (what the EPC Tag Data Standard decodes).
    pub fn epc(&self) -> &[u8] {
        self.bytes.get(2..).unwrap_or_default()
    }

    /// PC word and EPC, as carried on the link.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }
}

impl TryFrom<heapless::Vec<u8, MAX_BANK_LEN>> for EpcBank {
    type Error = TagIdError;

    fn try_from(bytes: heapless::Vec<u8, MAX_BANK_LEN>) -> Result<Self, TagIdError> {
        Self::from_bytes(&bytes)
    }
}
