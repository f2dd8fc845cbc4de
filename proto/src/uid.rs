//! Tags without an EPC: EM4100 125 kHz IDs and ISO/IEC 14443-A UIDs.
//!
//! Such a tag carries only a number burnt in by its maker, so it identifies the tag, not the
//! product; a commissioning or association event binds it to a product identity. Inside
//! rfid-trace it is named `urn:rfid-trace:uid:<tech>:<HEX>` (upper-case hex, the bytes in
//! the order the reader reports them).

use core::fmt;
use core::str::FromStr;

/// URI prefix of every tag UID.
pub const URI_PREFIX: &str = "urn:rfid-trace:uid:";

/// The radio technology that produced a UID.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum UidTech {
    /// EM4100/EM4102 125 kHz: one version/customer byte and four ID bytes.
    Em4100,
    /// ISO/IEC 14443-A (MIFARE, NTAG): single, double or triple size UID.
    Iso14443a,
}

impl UidTech {
    /// The name used in the URI.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Em4100 => "em4100",
            Self::Iso14443a => "iso14443a",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        match name {
            "em4100" => Some(Self::Em4100),
            "iso14443a" => Some(Self::Iso14443a),
            _ => None,
        }
    }
}

/// Why a UID is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UidError {
    /// The URI does not start with `urn:rfid-trace:uid:`.
    #[error("not a tag UID URI: expected it to start with {URI_PREFIX}")]
    NotUidUri,
    /// The technology part is not one this system knows.
    #[error("unknown tag technology {0:?}: expected em4100 or iso14443a")]
    UnknownTech(heapless::String<16>),
    /// A character that is not a hex digit.
    #[error("character {found:?} at position {position} of the UID is not a hex digit")]
    BadHex {
        /// 0-based byte offset inside the hex part.
        position: usize,
        /// The character found.
        found: char,
    },
    /// Hex with an odd number of digits.
    #[error("the UID has an odd number of hex digits")]
    OddHex,
    /// The byte count does not exist for the technology.
    #[error("{tech} UIDs have {expected} bytes, got {got}")]
    BadLength {
        /// The technology.
        tech: &'static str,
        /// The lengths it allows.
        expected: &'static str,
        /// The length given.
        got: usize,
    },
    /// The first byte is the ISO 14443-3 cascade tag, which never starts a complete UID.
    #[error("UID byte 0 is the cascade tag 0x88: the reader returned a partial UID")]
    CascadeTag,
    /// A single-size UID starting with 0x08 is a random ID, new at every power-up.
    #[error("UID starts with 0x08: a random ID that changes at every read cannot identify a unit")]
    RandomId,
}

/// A tag UID: technology and bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TagUid {
    tech: UidTech,
    bytes: heapless::Vec<u8, 10>,
}

impl TagUid {
    /// Checks the length (EM4100: 5 bytes; ISO 14443-A: 4, 7 or 10) and rejects UIDs that
    /// cannot identify a unit: a leading cascade tag (a partial UID) and single-size random
    /// IDs.
    pub fn new(tech: UidTech, bytes: &[u8]) -> Result<Self, UidError> {
        let ok = match tech {
            UidTech::Em4100 => bytes.len() == 5,
            UidTech::Iso14443a => matches!(bytes.len(), 4 | 7 | 10),
        };
        if !ok {
            return Err(UidError::BadLength {
                tech: tech.name(),
                expected: match tech {
                    UidTech::Em4100 => "5",
                    UidTech::Iso14443a => "4, 7 or 10",
                },
                got: bytes.len(),
            });
        }
        if tech == UidTech::Iso14443a {
            match (bytes.first(), bytes.len()) {
                (Some(0x88), _) => return Err(UidError::CascadeTag),
                (Some(0x08), 4) => return Err(UidError::RandomId),
                _ => {}
            }
        }
        let mut stored = heapless::Vec::new();
        stored
            .extend_from_slice(bytes)
            .map_err(|_| UidError::BadLength {
                tech: tech.name(),
                expected: "at most 10",
                got: bytes.len(),
            })?;
        Ok(Self {
            tech,
            bytes: stored,
        })
    }

    /// Parses hex digits (either case) for `tech`.
    pub fn from_hex(tech: UidTech, hex: &str) -> Result<Self, UidError> {
        if !hex.len().is_multiple_of(2) {
            return Err(UidError::OddHex);
        }
        let mut bytes = [0u8; 10];
        let mut count = 0;
        let mut digits = hex.char_indices();
        while let (Some((hi_at, hi)), Some((lo_at, lo))) = (digits.next(), digits.next()) {
            let hi = hi.to_digit(16).ok_or(UidError::BadHex {
                position: hi_at,
                found: hi,
            })?;
            let lo = lo.to_digit(16).ok_or(UidError::BadHex {
                position: lo_at,
                found: lo,
            })?;
            let Some(slot) = bytes.get_mut(count) else {
                return Err(UidError::BadLength {
                    tech: tech.name(),
                    expected: "at most 10",
                    got: hex.len() / 2,
                });
            };
            // Two hex digits make one byte: hi and lo are below 16.
            *slot = (hi * 16 + lo) as u8;
            count += 1;
        }
        Self::new(tech, bytes.get(..count).unwrap_or_default())
    }

    /// Parses `urn:rfid-trace:uid:<tech>:<hex>`.
    pub fn parse_uri(uri: &str) -> Result<Self, UidError> {
        let rest = uri.strip_prefix(URI_PREFIX).ok_or(UidError::NotUidUri)?;
        let (tech, hex) = rest.split_once(':').ok_or(UidError::NotUidUri)?;
        let tech = UidTech::from_name(tech).ok_or_else(|| {
            let mut name = heapless::String::new();
            for c in tech.chars().take(16) {
                if name.push(c).is_err() {
                    break;
                }
            }
            UidError::UnknownTech(name)
        })?;
        Self::from_hex(tech, hex)
    }

    /// The technology.
    pub fn tech(&self) -> UidTech {
        self.tech
    }

    /// The UID bytes as the reader reports them.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// For EM4100: the 32-bit number printed on most fobs and cards (the four ID bytes in
    /// decimal, conventionally shown with 10 digits).
    pub fn em4100_card_number(&self) -> Option<u32> {
        match (self.tech, self.bytes.as_slice()) {
            (UidTech::Em4100, [_, a, b, c, d]) => Some(u32::from_be_bytes([*a, *b, *c, *d])),
            _ => None,
        }
    }
}

/// The canonical URI, `urn:rfid-trace:uid:<tech>:<HEX>`.
impl fmt::Display for TagUid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{URI_PREFIX}{}:", self.tech.name())?;
        for b in &self.bytes {
            write!(f, "{b:02X}")?;
        }
        Ok(())
    }
}

impl FromStr for TagUid {
    type Err = UidError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse_uri(s)
    }
}

#[cfg(feature = "serde")]
crate::serde_str::serde_as_str! {
    TagUid => "a tag UID URI (urn:rfid-trace:uid:<tech>:<hex>)",
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;

    #[test]
    fn em4100_example_from_the_module_datasheet() {
        // RDM6300 frame "100086F444": version byte 0x10, card number 0008844356.
        let uid = TagUid::from_hex(UidTech::Em4100, "100086f444").unwrap();
        assert_eq!(uid.to_string(), "urn:rfid-trace:uid:em4100:100086F444");
        assert_eq!(uid.em4100_card_number(), Some(8_844_356));
        assert_eq!(uid, "urn:rfid-trace:uid:em4100:100086F444".parse().unwrap());
    }

    #[test]
    fn iso14443a_lengths() {
        for hex in ["901F2AA4", "04A224B2C53580", "04A224B2C53580112233"] {
            let uid = TagUid::from_hex(UidTech::Iso14443a, hex).unwrap();
            assert_eq!(uid.bytes().len() * 2, hex.len());
            assert_eq!(TagUid::parse_uri(&uid.to_string()), Ok(uid));
        }
        assert_eq!(
            TagUid::from_hex(UidTech::Iso14443a, "901F2A"),
            Err(UidError::BadLength {
                tech: "iso14443a",
                expected: "4, 7 or 10",
                got: 3
            })
        );
    }

    #[test]
    fn unusable_uids_are_refused() {
        assert_eq!(
            TagUid::from_hex(UidTech::Iso14443a, "88041F2A"),
            Err(UidError::CascadeTag)
        );
        assert_eq!(
            TagUid::from_hex(UidTech::Iso14443a, "08A1B2C3"),
            Err(UidError::RandomId)
        );
    }

    #[test]
    fn bad_text_is_named() {
        assert_eq!(
            TagUid::parse_uri("urn:rfid-trace:uid:em4100:10008GF444"),
            Err(UidError::BadHex {
                position: 5,
                found: 'G'
            })
        );
        assert_eq!(
            TagUid::parse_uri("urn:rfid-trace:uid:em4100:100"),
            Err(UidError::OddHex)
        );
        assert!(matches!(
            TagUid::parse_uri("urn:rfid-trace:uid:felica:0102"),
            Err(UidError::UnknownTech(_))
        ));
        assert_eq!(
            TagUid::parse_uri("urn:epc:id:sgtin:1.2.3"),
            Err(UidError::NotUidUri)
        );
        assert!(TagUid::from_hex(UidTech::Iso14443a, "0011223344556677889900").is_err());
    }
}
