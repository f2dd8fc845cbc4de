//! Decompression of compressed GS1 Digital Link URIs, as produced by GS1's
//! "GS1DigitalLinkCompressionPrototype" (shipped in gs1/digital-link.js): the path ends in one
//! base64url segment holding a bit string of AI entries, so
//! `https://dlnkd.tn.gg/HxHKVAdpQgZzjr-hCDKigI` stands for
//! `https://dlnkd.tn.gg/01/09780345418913/10/231/21/345345?15=120820`.
//!
//! Bit layout, read left to right while more than 8 bits remain:
//! - two 4-bit nibbles `h1 h2`. Both 0–9: the first digits of an AI, whose full length (2–4
//!   digits) the dictionary gives; further digits follow as nibbles; then the value.
//!   Otherwise `h1h2` names a predefined AI sequence (the optimisation table) whose values
//!   follow in order, or, with `h1 = F`, a non-GS1 `key=value` pair: 7-bit key length
//!   (starting with `h2`), 6-bit base64url key characters, then an encoded string value with a
//!   7-bit length.
//! - a value is encoded component by component: fixed-length numeric as a binary number of
//!   ⌈n·log2 10⌉ bits; variable-length numeric as a length (enough bits for the maximum) then
//!   the number; alphanumeric as a 3-bit encoding (0 digits, 1 lower hex, 2 upper hex,
//!   3 base64url, 4 7-bit ASCII), a length for variable components, then the characters.
//!
//! The component layout comes from the Syntax Dictionary, merged the way the prototype's own
//! table merges it: adjacent mandatory fixed-length numeric components form one number,
//! adjacent optional numeric components one variable number, adjacent mandatory
//! alphanumeric components one string. AIs defined differently since the prototype's table
//! (GS1 General Specifications v18; e.g. (8007) now X..34) decode with today's layout.
//! Numbers above 38 digits are refused (the prototype loses their precision anyway).
//!
//! Only decompression is provided, of fully compressed links; the prototype's partially
//! compressed form (`/01/{gtin}/{compressed rest}`) is not accepted.

use core::fmt::{self, Write as _};

use super::dictionary;
use super::digital_link::{DigitalLink, DigitalLinkError, split_uri};
use super::dl_bits::{Bits, sextet};
use super::dl_uri::{assemble, write_encoded};
use super::element_string::{ElementString, ElementStringError, ParseOptions};
use super::lint::{Snippet, snippet};

/// Predefined AI sequences of the prototype, by the hex code that replaces their AIs.
const OPTIMISATIONS: &[(u8, &[&str])] = &[
    (0x0A, &["01", "22"]),
    (0x0B, &["01", "10"]),
    (0x0C, &["01", "21"]),
    (0x0D, &["01", "17"]),
    (0x0E, &["01", "7003"]),
    (0x0F, &["01", "30"]),
    (0x1A, &["01", "10", "21", "17"]),
    (0x1B, &["01", "15"]),
    (0x1C, &["01", "11"]),
    (0x1D, &["01", "16"]),
    (0x1E, &["01", "91"]),
    (0x1F, &["01", "10", "15"]),
    (0x2A, &["01", "3100"]),
    (0x2B, &["01", "3101"]),
    (0x2C, &["01", "3102"]),
    (0x2D, &["01", "3103"]),
    (0x2E, &["01", "3104"]),
    (0x2F, &["01", "3105"]),
    (0x3A, &["01", "3200"]),
    (0x3B, &["01", "3201"]),
    (0x3C, &["01", "3202"]),
    (0x3D, &["01", "3203"]),
    (0x3E, &["01", "3204"]),
    (0x3F, &["01", "3205"]),
    (0x9A, &["8010", "8011"]),
    (0x9B, &["8017", "8019"]),
    (0x9C, &["8018", "8019"]),
    (0x9D, &["414", "254"]),
    (0xA0, &["01", "3920"]),
    (0xA1, &["01", "3921"]),
    (0xA2, &["01", "3922"]),
    (0xA3, &["01", "3923"]),
    (0xA4, &["01", "3924"]),
    (0xA5, &["01", "3925"]),
    (0xA6, &["01", "3926"]),
    (0xA7, &["01", "3927"]),
    (0xA8, &["01", "3928"]),
    (0xA9, &["01", "3929"]),
    (0xC0, &["255", "3900"]),
    (0xC1, &["255", "3901"]),
    (0xC2, &["255", "3902"]),
    (0xC3, &["255", "3903"]),
    (0xC4, &["255", "3904"]),
    (0xC5, &["255", "3905"]),
    (0xC6, &["255", "3906"]),
    (0xC7, &["255", "3907"]),
    (0xC8, &["255", "3908"]),
    (0xC9, &["255", "3909"]),
    (0xCA, &["255", "3940"]),
    (0xCB, &["255", "3941"]),
    (0xCC, &["255", "3942"]),
    (0xCD, &["255", "3943"]),
];

/// Most non-GS1 `key=value` pairs kept from one compressed URI.
pub const MAX_OTHER_PAIRS: usize = 8;

/// Why a URI could not be decompressed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompressionError {
    /// The last path segment is not base64url.
    #[error("last path segment is not a compressed GS1 Digital Link")]
    NotCompressed,
    /// The bits end inside an entry.
    #[error("compressed data ends inside an entry at bit {bit}")]
    Truncated {
        /// Bit offset.
        bit: usize,
    },
    /// An AI nibble above 9, or a 2-digit prefix no AI starts with.
    #[error("no AI starts with {prefix:?} (bit {bit})")]
    UnknownAi {
        /// The digits read.
        prefix: Snippet,
        /// Bit offset.
        bit: usize,
    },
    /// A hex code that is neither an AI, an optimisation nor a non-GS1 pair.
    #[error("unknown entry code {code:#04X} at bit {bit}")]
    UnknownCode {
        /// The code `h1h2`.
        code: u8,
        /// Bit offset.
        bit: usize,
    },
    /// A string encoding other than 0–4.
    #[error("unknown string encoding {encoding} at bit {bit}")]
    UnknownEncoding {
        /// The 3-bit value.
        encoding: u8,
        /// Bit offset.
        bit: usize,
    },
    /// A number with more digits than can be decoded, or larger than its digit count allows.
    #[error("number of {digits} digits at bit {bit} cannot be decoded")]
    BadNumber {
        /// Digits expected.
        digits: usize,
        /// Bit offset.
        bit: usize,
    },
    /// A decoded value longer than its AI (or a non-GS1 value longer than 127) allows.
    #[error("decoded value at bit {bit} is too long")]
    TooLong {
        /// Bit offset.
        bit: usize,
    },
    /// More than [`MAX_OTHER_PAIRS`] non-GS1 pairs.
    #[error("more than {MAX_OTHER_PAIRS} non-GS1 key=value pairs")]
    TooManyPairs,
    /// A decoded value the dictionary rejects.
    #[error(transparent)]
    ElementString(#[from] ElementStringError),
    /// A URI problem, or decoded AIs that do not form a Digital Link.
    #[error(transparent)]
    DigitalLink(#[from] DigitalLinkError),
}

/// A decompressed link; `Display` writes the uncompressed URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decompressed<'a> {
    link: DigitalLink<'a>,
    segment: &'a str,
    pairs: heapless::Vec<usize, MAX_OTHER_PAIRS>,
}

impl<'a> Decompressed<'a> {
    /// The Digital Link the compressed URI stands for (non-GS1 pairs carried inside the
    /// compressed data appear only in the `Display` output).
    pub fn digital_link(&self) -> &DigitalLink<'a> {
        &self.link
    }

    /// The elements, primary key first.
    pub fn element_string(&self) -> &ElementString {
        self.link.element_string()
    }
}

/// Decompresses `uri` if its last path segment is compressed.
pub fn decompress<'a>(
    uri: &'a str,
    options: &ParseOptions<'_>,
) -> Result<Decompressed<'a>, CompressionError> {
    let parts = split_uri(uri)?;
    let (prefix, segment) = parts
        .path
        .rsplit_once('/')
        .ok_or(CompressionError::NotCompressed)?;
    if segment.is_empty() || !segment.bytes().all(|b| sextet(b).is_some()) {
        return Err(CompressionError::NotCompressed);
    }
    let mut bits = Bits {
        text: segment.as_bytes(),
        pos: 0,
    };
    let mut elements = ElementString::new();
    let mut pairs = heapless::Vec::new();
    while bits.remaining() > 8 {
        let at = bits.pos;
        let (h1, h2) = (bits.small(4)?, bits.small(4)?);
        if h1 <= 9 && h2 <= 9 {
            let mut ai: heapless::String<4> = heapless::String::new();
            let unknown = |ai: &str| CompressionError::UnknownAi {
                prefix: snippet(ai),
                bit: at,
            };
            for d in [h1, h2] {
                let _ = ai.push(char::from(b'0' + d as u8));
            }
            let len = dictionary::ai_len_for_prefix(&ai).ok_or_else(|| unknown(&ai))?;
            while ai.len() < len {
                let d = bits.small(4)?;
                let digit = char::from_digit(d as u32, 10).ok_or_else(|| unknown(&ai))?;
                let _ = ai.push(digit);
            }
            let entry = dictionary::lookup(&ai).ok_or_else(|| unknown(&ai))?;
            let value = bits.value(entry)?;
            elements.push(entry.ai, &value, options)?;
        } else if let Some((_, ais)) = OPTIMISATIONS
            .iter()
            .find(|(code, _)| usize::from(*code) == h1 << 4 | h2)
        {
            for ai in *ais {
                let entry = dictionary::lookup(ai).ok_or(CompressionError::UnknownAi {
                    prefix: snippet(ai),
                    bit: at,
                })?;
                let value = bits.value(entry)?;
                elements.push(ai, &value, options)?;
            }
        } else if h1 == 0xF {
            pairs.push(at).map_err(|_| CompressionError::TooManyPairs)?;
            bits.pos = at + 4;
            read_pair(&mut bits)?;
        } else {
            return Err(CompressionError::UnknownCode {
                code: (h1 << 4 | h2) as u8,
                bit: at,
            });
        }
    }
    elements.check_associations(options.check_requisites)?;
    let link = assemble(parts.stem, prefix, parts.query, &elements)?;
    Ok(Decompressed {
        link,
        segment,
        pairs,
    })
}

/// Text of a non-GS1 key or value: its length field has 7 bits.
type PairText = heapless::String<127>;

/// Reads a non-GS1 `key=value` pair starting after its `F` nibble.
fn read_pair(bits: &mut Bits<'_>) -> Result<(PairText, PairText), CompressionError> {
    let key_len = bits.small(7)?;
    let mut key = PairText::new();
    bits.string(3, key_len, &mut key)?;
    let encoding = bits.small(3)?;
    let count = bits.small(7)?;
    let mut value = PairText::new();
    bits.string(encoding, count, &mut value)?;
    Ok((key, value))
}

impl fmt::Display for Decompressed<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.link)?;
        let mut separator = if self.link.has_query() { '&' } else { '?' };
        for &at in &self.pairs {
            f.write_char(separator)?;
            separator = '&';
            let mut bits = Bits {
                text: self.segment.as_bytes(),
                pos: at + 4,
            };
            let (key, value) = read_pair(&mut bits).map_err(|_| fmt::Error)?;
            write!(f, "{key}=")?;
            write_encoded(f, &value, true)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gs1::shown;

    fn expand(uri: &str) -> heapless::String<512> {
        shown(decompress(uri, &ParseOptions::default()).unwrap())
    }

    #[test]
    fn prototype_vectors() {
        assert_eq!(
            expand("https://dlnkd.tn.gg/HxHKVAdpQgZzjr-hCDKigI"),
            "https://dlnkd.tn.gg/01/09780345418913/10/231/21/345345?15=120820"
        );
        assert_eq!(
            expand("https://dlnkd.tn.gg/DBHKVAdpQgqrCvBv0UMG21W"),
            "https://dlnkd.tn.gg/01/09780345418913/21/43786?foo=bar"
        );
        assert_eq!(
            expand("https://dlnkd.tn.gg/ARHKVAdpQkIKqwo?foo=bar"),
            "https://dlnkd.tn.gg/01/09780345418913/21/43786?foo=bar"
        );
        assert!(decompress("https://example.com/custom/path", &ParseOptions::default()).is_err());
    }
}
