//! The tags an emulated field can hold, one type per air interface, and the text form a
//! scenario file or a command-line flag names them by.
//!
//! Text forms (hex in either case):
//! - `em4100:100086F444`: the 5 bytes an EM4100 tag sends (version/customer byte, 4 ID bytes);
//! - `iso14443a:901F2AA4`: a 4, 7 or 10-byte ISO/IEC 14443-A UID, ATQA and SAK as a
//!   MIFARE Classic (4 bytes) or NTAG/Ultralight (7 and 10 bytes) would answer;
//! - `epc:30751FEB705C5904E3D50D70`: EPC bank bytes of a Gen2 tag (whole 16-bit words);
//! - `urn:epc:tag:sgtin-96:3.0614141.812345.6789` or `urn:epc:id:sgtin:0614141.812345.6789`:
//!   an EPC URI, encoded with trace-proto (a pure identity gets filter 0 and the shortest
//!   scheme that holds it);
//! - `urn:rfid-trace:uid:em4100:…` / `urn:rfid-trace:uid:iso14443a:…`: the URI rfid-trace
//!   itself gives a UID tag.

use core::fmt;
use core::str::FromStr;

use trace_proto::epc::{Epc, EpcError, EpcId};
use trace_proto::uid::{TagUid, UidError, UidTech};

/// Largest EPC a Gen2 PC word can announce: 31 words.
pub const MAX_EPC_BYTES: usize = 62;

/// Why a tag description is not usable.
#[derive(Debug, thiserror::Error)]
pub enum TagError {
    /// The text does not start with a known tag kind.
    #[error(
        "unknown tag kind in {0:?}: expected em4100:, iso14443a:, epc: or an urn:epc:/urn:rfid-trace:uid: URI"
    )]
    UnknownKind(String),
    /// A character that is not a hex digit.
    #[error("character {found:?} at position {position} is not a hex digit")]
    BadHex {
        /// 0-based character offset inside the hex text.
        position: usize,
        /// The character found.
        found: char,
    },
    /// Hex with an odd number of digits.
    #[error("odd number of hex digits ({0})")]
    OddHex(usize),
    /// The byte count is not one the tag kind has.
    #[error("a {kind} tag has {expected} bytes, not {found}")]
    Length {
        /// The tag kind.
        kind: &'static str,
        /// The lengths it allows.
        expected: &'static str,
        /// The length given.
        found: usize,
    },
    /// A PC word whose length field disagrees with the EPC.
    #[error("PC {pc:#06X} announces {announced} EPC words but the EPC has {actual}")]
    PcLength {
        /// The PC word given.
        pc: u16,
        /// Words announced by PC bits 15..11.
        announced: u16,
        /// Words in the EPC.
        actual: usize,
    },
    /// The EPC URI is not valid.
    #[error("EPC URI: {0}")]
    Epc(#[from] EpcError),
    /// The UID URI is not valid.
    #[error("UID URI: {0}")]
    Uid(#[from] UidError),
}

/// An EM4100 125 kHz tag: one version/customer byte and four ID bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Em4100Tag {
    data: [u8; 5],
}

impl Em4100Tag {
    /// A tag sending these 5 data bytes.
    pub const fn new(data: [u8; 5]) -> Self {
        Self { data }
    }

    /// The 5 data bytes, version byte first.
    pub const fn data(&self) -> [u8; 5] {
        self.data
    }

    /// XOR of the 5 data bytes, as the RDM6300 frame carries it.
    pub fn checksum(&self) -> u8 {
        self.data.iter().fold(0, |acc, b| acc ^ b)
    }
}

/// An ISO/IEC 14443-A card as the anticollision loop sees it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Iso14443aTag {
    uid: Vec<u8>,
    atqa: u16,
    sak: u8,
    ats: Vec<u8>,
}

impl Iso14443aTag {
    /// A card with a 4, 7 or 10-byte UID. ATQA and SAK default to those of a MIFARE Classic
    /// 1K (4 bytes: ATQA 0x0004, SAK 0x08) or an NTAG/Ultralight (7: 0x0044, 10: 0x0084;
    /// SAK 0x00).
    pub fn new(uid: &[u8]) -> Result<Self, TagError> {
        let (atqa, sak) = match uid.len() {
            4 => (0x0004, 0x08),
            7 => (0x0044, 0x00),
            10 => (0x0084, 0x00),
            found => {
                return Err(TagError::Length {
                    kind: "iso14443a",
                    expected: "4, 7 or 10",
                    found,
                });
            }
        };
        Ok(Self {
            uid: uid.to_vec(),
            atqa,
            sak,
            ats: Vec::new(),
        })
    }

    /// The same card with another ATQA (as a number: `0x0004` is sent `04 00` on air).
    pub fn with_atqa(mut self, atqa: u16) -> Self {
        self.atqa = atqa;
        self
    }

    /// The same card with another SAK of the final cascade level.
    pub fn with_sak(mut self, sak: u8) -> Self {
        self.sak = sak;
        self
    }

    /// The same card answering RATS with these ATS bytes (used when SAK bit 0x20 is set).
    pub fn with_ats(mut self, ats: &[u8]) -> Self {
        self.ats = ats.to_vec();
        self
    }

    /// The UID, 4, 7 or 10 bytes.
    pub fn uid(&self) -> &[u8] {
        &self.uid
    }

    /// The answer to REQA/WUPA.
    pub fn atqa(&self) -> u16 {
        self.atqa
    }

    /// The SAK of the final cascade level.
    pub fn sak(&self) -> u8 {
        self.sak
    }

    /// The answer to select (ATS), empty for cards without ISO 14443-4.
    pub fn ats(&self) -> &[u8] {
        &self.ats
    }
}

/// An EPC Gen2 UHF tag: its PC word and EPC.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Gen2Tag {
    pc: u16,
    epc: Vec<u8>,
}

impl Gen2Tag {
    /// A tag with this EPC (whole 16-bit words, at most 31) and the plain PC word
    /// announcing its length (no user memory, no XPC).
    pub fn new(epc: &[u8]) -> Result<Self, TagError> {
        if !epc.len().is_multiple_of(2) || epc.len() > MAX_EPC_BYTES {
            return Err(TagError::Length {
                kind: "Gen2 EPC",
                expected: "an even number up to 62",
                found: epc.len(),
            });
        }
        let words = u16::try_from(epc.len() / 2).unwrap_or(0);
        Ok(Self {
            pc: words << 11,
            epc: epc.to_vec(),
        })
    }

    /// A tag holding the EPC binary encoding of an EPC tag URI or pure identity URI.
    pub fn from_uri(uri: &str) -> Result<Self, TagError> {
        let tag = if uri.starts_with("urn:epc:tag:") {
            Epc::from_tag_uri(uri)?
        } else {
            EpcId::parse(uri)?.to_tag(0, None)?
        };
        let mut bytes = [0u8; MAX_EPC_BYTES];
        let len = tag.encode(&mut bytes)?;
        // The EPC bank holds whole words: a 198-bit encoding is padded to 208 bits.
        let words = len.div_ceil(2);
        Self::new(bytes.get(..words * 2).unwrap_or_default())
    }

    /// The same tag with another PC word; its length field must still match the EPC.
    pub fn with_pc(mut self, pc: u16) -> Result<Self, TagError> {
        let announced = pc >> 11;
        if usize::from(announced) * 2 != self.epc.len() {
            return Err(TagError::PcLength {
                pc,
                announced,
                actual: self.epc.len() / 2,
            });
        }
        self.pc = pc;
        Ok(self)
    }

    /// The PC word.
    pub fn pc(&self) -> u16 {
        self.pc
    }

    /// The EPC bytes.
    pub fn epc(&self) -> &[u8] {
        &self.epc
    }

    /// The StoredCRC a tag backscatters after PC and EPC: CRC-16/GENIBUS over both.
    pub fn crc(&self) -> u16 {
        let crc = crc::Crc::<u16>::new(&crc::CRC_16_GENIBUS);
        let mut digest = crc.digest();
        digest.update(&self.pc.to_be_bytes());
        digest.update(&self.epc);
        digest.finalize()
    }
}

/// Any tag an emulated field can hold. A reader sees only the kind its radio speaks.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Tag {
    /// 125 kHz EM4100.
    Em4100(Em4100Tag),
    /// 13.56 MHz ISO/IEC 14443-A.
    Iso14443a(Iso14443aTag),
    /// UHF EPC Gen2.
    Gen2(Gen2Tag),
}

impl FromStr for Tag {
    type Err = TagError;

    fn from_str(text: &str) -> Result<Self, TagError> {
        if let Some(hex) = text.strip_prefix("em4100:") {
            let bytes = parse_hex(hex)?;
            let data = <[u8; 5]>::try_from(bytes.as_slice()).map_err(|_| TagError::Length {
                kind: "em4100",
                expected: "5",
                found: bytes.len(),
            })?;
            Ok(Tag::Em4100(Em4100Tag::new(data)))
        } else if let Some(hex) = text.strip_prefix("iso14443a:") {
            Ok(Tag::Iso14443a(Iso14443aTag::new(&parse_hex(hex)?)?))
        } else if let Some(hex) = text.strip_prefix("epc:") {
            Ok(Tag::Gen2(Gen2Tag::new(&parse_hex(hex)?)?))
        } else if text.starts_with("urn:epc:") {
            Ok(Tag::Gen2(Gen2Tag::from_uri(text)?))
        } else if text.starts_with(trace_proto::uid::URI_PREFIX) {
            let uid = TagUid::parse_uri(text)?;
            match uid.tech() {
                UidTech::Em4100 => format!("em4100:{}", hex(uid.bytes())).parse(),
                UidTech::Iso14443a => Ok(Tag::Iso14443a(Iso14443aTag::new(uid.bytes())?)),
            }
        } else {
            Err(TagError::UnknownKind(text.to_owned()))
        }
    }
}

impl fmt::Display for Tag {
    /// The `kind:HEX` form, which [`FromStr`] reads back (ATQA/SAK/PC overrides aside).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tag::Em4100(tag) => write!(f, "em4100:{}", hex(&tag.data)),
            Tag::Iso14443a(tag) => write!(f, "iso14443a:{}", hex(&tag.uid)),
            Tag::Gen2(tag) => write!(f, "epc:{}", hex(&tag.epc)),
        }
    }
}

/// Upper-case hex of `bytes`, no separators.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// Bytes from hex digits; spaces between byte pairs are allowed (`"FF 00"` or `"ff00"`).
pub fn parse_hex(text: &str) -> Result<Vec<u8>, TagError> {
    let mut digits = Vec::with_capacity(text.len());
    for (position, found) in text.chars().enumerate() {
        if found.is_whitespace() {
            continue;
        }
        let value = found
            .to_digit(16)
            .ok_or(TagError::BadHex { position, found })?;
        digits.push(u8::try_from(value).unwrap_or(0));
    }
    if digits.len() % 2 != 0 {
        return Err(TagError::OddHex(digits.len()));
    }
    Ok(digits
        .chunks(2)
        .map(|pair| pair.iter().fold(0, |acc, d| (acc << 4) | d))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn em4100_checksum_is_the_xor_of_readers_md() {
        let tag: Tag = "em4100:100086F444".parse().unwrap();
        let Tag::Em4100(tag) = tag else {
            panic!("not em4100")
        };
        assert_eq!(tag.checksum(), 0x26);
    }

    #[test]
    fn gen2_crc_matches_readers_md_example() {
        let tag = Gen2Tag::new(&parse_hex("30751FEB705C5904E3D50D70").unwrap())
            .unwrap()
            .with_pc(0x3400)
            .unwrap();
        assert_eq!(tag.crc(), 0x3A76);
    }

    #[test]
    fn sgtin_uri_encodes_to_the_tds_example() {
        let tag = Gen2Tag::from_uri("urn:epc:tag:sgtin-96:3.0614141.812345.6789").unwrap();
        assert_eq!(hex(tag.epc()), "3074257BF7194E4000001A85");
        assert_eq!(tag.pc(), 0x3000);
    }

    #[test]
    fn bad_text_is_a_typed_error() {
        assert!(matches!(
            "em4100:1000".parse::<Tag>(),
            Err(TagError::Length { .. })
        ));
        assert!(matches!(
            "iso14443a:12345".parse::<Tag>(),
            Err(TagError::OddHex(5))
        ));
        assert!(matches!(
            "epc:3G".parse::<Tag>(),
            Err(TagError::BadHex { position: 1, .. })
        ));
        assert!(matches!(
            "nfc:00".parse::<Tag>(),
            Err(TagError::UnknownKind(_))
        ));
        let gen2 = Gen2Tag::new(&[0; 12]).unwrap();
        assert!(matches!(
            gen2.with_pc(0x2000),
            Err(TagError::PcLength { .. })
        ));
    }

    #[test]
    fn text_form_round_trips() {
        for text in [
            "em4100:100086F444",
            "iso14443a:04A1B2C3D4E5F6",
            "epc:30751FEB705C5904E3D50D70",
        ] {
            assert_eq!(text.parse::<Tag>().unwrap().to_string(), text);
        }
    }
}
