//! A decoded tag: scheme, filter value and identity, convertible between the EPC memory bank
//! binary (TDS 2.x §14.3–14.4) and the tag URI `urn:epc:tag:<scheme>:<filter>.<body>` (§12).
//!
//! Padding policy: [`Epc::encode`] and [`Epc::hex`] give the EPC as stored in the memory
//! bank, zero-padded to a whole number of 16-bit words (a 198-bit SGTIN gives 13 words,
//! 52 hex digits). Decoding accepts input longer than the scheme and ignores the bits after
//! the EPC, whatever their padding.

use core::fmt;
use core::str::FromStr;

use super::bits::{BitReader, BitWriter, Hex, parse_hex};
use super::uri::{TAG_PREFIX, capped, integer, split_uri, write_whole};
use super::{EpcError, EpcId, Scheme};

/// A tag's EPC: binary scheme, filter value and pure identity.
///
/// Every value can be encoded: constructors check that the identity fits the scheme.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Epc {
    scheme: Scheme,
    filter: u8,
    id: EpcId,
}

impl Epc {
    /// Decodes the EPC from hex digits (either case, no separators or spaces).
    pub fn from_hex(hex: &str) -> Result<Epc, EpcError> {
        let (bytes, bits) = parse_hex(hex)?;
        Epc::from_bits(&bytes, bits)
    }

    /// Decodes the EPC from the bytes of the EPC memory bank starting at bit 20h.
    pub fn from_bytes(bytes: &[u8]) -> Result<Epc, EpcError> {
        Epc::from_bits(bytes, bytes.len().saturating_mul(8))
    }

    fn from_bits(bytes: &[u8], bits: usize) -> Result<Epc, EpcError> {
        let mut r = BitReader::new(bytes, bits);
        // An 8-bit read fits a `u8`.
        let header = r.read(8)? as u8;
        let scheme = Scheme::from_header(header).ok_or(EpcError::UnknownHeader(header))?;
        if let Some(needed) = scheme.bits().map(usize::from)
            && r.len() < needed
        {
            return Err(EpcError::Truncated {
                needed,
                given: r.len(),
            });
        }
        // At most 6 bits.
        let filter = r.read(u32::from(scheme.filter_bits()))? as u8;
        let id = EpcId::decode(scheme, &mut r)?;
        Ok(Epc { scheme, filter, id })
    }

    /// Parses a tag URI such as `urn:epc:tag:sgtin-96:3.0614141.812345.6789`.
    pub fn from_tag_uri(uri: &str) -> Result<Epc, EpcError> {
        let (name, body) = split_uri(uri, TAG_PREFIX)?;
        let scheme =
            Scheme::from_name(name).ok_or_else(|| EpcError::UnknownScheme(capped(name)))?;
        if scheme.filter_bits() == 0 {
            return Epc::checked(scheme, 0, EpcId::parse_body(scheme.kind(), body)?);
        }
        let (filter, rest) = body.split_once('.').unwrap_or((body, ""));
        let filter = filter_u8(scheme, integer(filter, "filter", scheme.name())?)?;
        let id = EpcId::parse_body(scheme.kind(), rest).map_err(|e| match e {
            // Count the filter among the components, as the URI shows them.
            EpcError::ComponentCount {
                scheme,
                expected,
                found,
            } => EpcError::ComponentCount {
                scheme,
                expected: expected + 1,
                found: if body.contains('.') { found + 1 } else { 1 },
            },
            other => other,
        })?;
        Epc::checked(scheme, filter, id)
    }

    /// A tag of `id` in `scheme` with `filter`, if the identity fits the scheme.
    pub fn new(scheme: Scheme, filter: u8, id: EpcId) -> Result<Epc, EpcError> {
        id.to_tag(filter, Some(scheme))
    }

    /// Builds the value after checking that it encodes; `scheme` is of the identity's kind.
    pub(crate) fn checked(scheme: Scheme, filter: u8, id: EpcId) -> Result<Epc, EpcError> {
        filter_u8(scheme, u64::from(filter))?;
        let epc = Epc { scheme, filter, id };
        epc.write()?;
        Ok(epc)
    }

    fn write(&self) -> Result<BitWriter, EpcError> {
        let mut w = BitWriter::new();
        w.write(u64::from(self.scheme.header()), 8)?;
        w.write(u64::from(self.filter), u32::from(self.scheme.filter_bits()))?;
        self.id.encode(self.scheme, &mut w)?;
        Ok(w)
    }

    /// The binary coding scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The filter value, or `None` for GID-96, which has none.
    pub fn filter(&self) -> Option<u8> {
        (self.scheme.filter_bits() > 0).then_some(self.filter)
    }

    /// The pure identity.
    pub fn identity(&self) -> &EpcId {
        &self.id
    }

    /// The pure identity, by value.
    pub fn into_identity(self) -> EpcId {
        self.id
    }

    /// The length of the EPC in bits, without padding (varies for `cpi-var` and `adi-var`).
    pub fn bit_len(&self) -> usize {
        self.write().map_or(0, |w| w.pos())
    }

    /// Writes the EPC bank bytes (zero-padded to whole 16-bit words) into `out` and returns
    /// how many bytes were written.
    pub fn encode(&self, out: &mut [u8]) -> Result<usize, EpcError> {
        let w = self.write()?;
        let words = w.words();
        let given = out.len();
        let dst = out.get_mut(..words.len()).ok_or(EpcError::BufferTooSmall {
            needed: words.len(),
            given,
        })?;
        dst.copy_from_slice(words);
        Ok(words.len())
    }

    /// The EPC bank content as uppercase hex, zero-padded to whole 16-bit words.
    pub fn hex(&self) -> impl fmt::Display + '_ {
        EpcHex(self)
    }

    /// The tag URI, e.g. `urn:epc:tag:sgtin-96:3.0614141.812345.6789`; the same as
    /// [`Display`](fmt::Display).
    pub fn tag_uri(&self) -> impl fmt::Display + '_ {
        self
    }
}

/// Checks a filter value against the scheme's range.
fn filter_u8(scheme: Scheme, value: u64) -> Result<u8, EpcError> {
    let max = scheme.max_filter();
    match u8::try_from(value) {
        Ok(v) if v <= max => Ok(v),
        _ => Err(EpcError::BadFilter {
            scheme: scheme.name(),
            value,
            max,
        }),
    }
}

struct EpcHex<'a>(&'a Epc);

impl fmt::Display for EpcHex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let w = self.0.write().map_err(|_| fmt::Error)?;
        Hex(w.words()).fmt(f)
    }
}

impl fmt::Display for Epc {
    /// The tag URI.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_whole(f, |w| {
            w.write_str(TAG_PREFIX)?;
            w.write_str(self.scheme.name())?;
            w.write_char(':')?;
            if let Some(filter) = self.filter() {
                write!(w, "{filter}.")?;
            }
            self.id.write_body(w)
        })
    }
}

impl FromStr for Epc {
    type Err = EpcError;

    /// Parses a tag URI.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Epc::from_tag_uri(s)
    }
}
