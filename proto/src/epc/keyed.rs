//! The GS1 schemes made of a company prefix, a numeric reference and a serial: SGTIN, SGLN,
//! GRAI, GDTI and SGCN (TDS 2.x §6.3.1, .3, .4, .8, .11; bit layouts §14.5.1–4, .9–10, .12),
//! plus SSCC, GSRN and GSRNP, which have no serial (§6.3.2, .6, .7; §14.5.2, .7–8).
//!
//! These differ only in their digit/bit totals and in how the serial is coded, so one type
//! per shape with a [`Spec`] per kind replaces a dozen near-identical structs.

use core::fmt;

use heapless::String;

use super::bits::{BitReader, BitWriter, read_int, write_int};
use super::chars::{plain, read_7bit, unescape, write_7bit, write_escaped};
use super::key::{Key, Layout};
use super::uri::{components, digits};
use super::{EpcError, Scheme};

/// How a kind codes its serial in binary.
#[derive(Clone, Copy)]
pub(crate) enum Coding {
    /// No serial (SSCC, GSRN, GSRNP): 24 reserved zero bits follow the key.
    None,
    /// An integer of `int_bits` in the 96-bit scheme, 7-bit characters in `string_bits`
    /// in the long scheme.
    IntOrString { int_bits: u8, string_bits: u32 },
    /// SGCN: digits with leading zeros, coded as the integer `1<digits>` in `bits`
    /// ("Numeric String" coding, TDS §14.3.6).
    NumericString { bits: u8 },
}

/// What distinguishes one kind.
pub(crate) struct Spec {
    /// URI kind, e.g. `sgtin`.
    pub(crate) kind: &'static str,
    /// Company prefix and reference.
    pub(crate) layout: Layout,
    /// Field name of the serial in errors.
    pub(crate) serial: &'static str,
    /// Most characters of the serial.
    pub(crate) serial_max: usize,
    /// Binary coding of the serial.
    pub(crate) coding: Coding,
}

const fn spec(
    kind: &'static str,
    bits: u32,
    digits: usize,
    field: &'static str,
    serial: &'static str,
    serial_max: usize,
    coding: Coding,
) -> Spec {
    Spec {
        kind,
        layout: Layout {
            bits,
            digits,
            field,
        },
        serial,
        serial_max,
        coding,
    }
}

const fn int_or_string(int_bits: u8, string_bits: u32) -> Coding {
    Coding::IntOrString {
        int_bits,
        string_bits,
    }
}

/// SGTIN: item reference includes the indicator digit first.
pub(crate) const SGTIN: Spec = spec(
    "sgtin",
    44,
    13,
    "item reference",
    "serial",
    20,
    int_or_string(38, 140),
);
/// SGLN: the serial is the GLN extension (`0` = none).
pub(crate) const SGLN: Spec = spec(
    "sgln",
    41,
    12,
    "location reference",
    "extension",
    20,
    int_or_string(41, 140),
);
/// GRAI: 44 bits like SGTIN but 12 digits.
pub(crate) const GRAI: Spec = spec(
    "grai",
    44,
    12,
    "asset type",
    "serial",
    16,
    int_or_string(38, 112),
);
/// GDTI.
pub(crate) const GDTI: Spec = spec(
    "gdti",
    41,
    12,
    "document type",
    "serial",
    17,
    int_or_string(41, 119),
);
/// SGCN.
pub(crate) const SGCN: Spec = spec(
    "sgcn",
    41,
    12,
    "coupon reference",
    "serial",
    12,
    Coding::NumericString { bits: 41 },
);
/// SSCC: serial reference includes the extension digit first.
pub(crate) const SSCC: Spec = spec("sscc", 58, 17, "serial reference", "", 0, Coding::None);
/// GSRN.
pub(crate) const GSRN: Spec = spec("gsrn", 58, 17, "service reference", "", 0, Coding::None);
/// GSRNP.
pub(crate) const GSRNP: Spec = spec("gsrnp", 58, 17, "service reference", "", 0, Coding::None);
/// LGTIN (class URI only): the serial position holds the lot.
pub(crate) const LGTIN: Spec = spec("lgtin", 44, 13, "item reference", "lot", 20, Coding::None);

/// A GS1 key with a serial: an SGTIN, SGLN, GRAI, GDTI or SGCN (see [`EpcId`](super::EpcId)
/// for which field is which), or an LGTIN class.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeySerial {
    key: Key,
    serial: String<20>,
}

impl KeySerial {
    /// The GS1 Company Prefix (6 to 12 digits).
    pub fn company_prefix(&self) -> &str {
        self.key.gcp()
    }

    /// The reference digits after the company prefix: item reference with the indicator
    /// digit first (SGTIN, LGTIN), location reference (SGLN), asset type (GRAI), document
    /// type (GDTI) or coupon reference (SGCN). May be empty.
    pub fn reference(&self) -> &str {
        self.key.reference()
    }

    /// The serial as a plain GS1 string (not URI-escaped): serial, GLN extension (SGLN;
    /// `0` means none) or lot (LGTIN).
    pub fn serial(&self) -> &str {
        &self.serial
    }

    pub(crate) fn key(&self) -> &Key {
        &self.key
    }

    /// Builds the value from its parts; `serial` is plain (unescaped).
    pub(crate) fn new(key: Key, serial: &str, spec: &Spec) -> Result<Self, EpcError> {
        let serial = match spec.coding {
            Coding::NumericString { .. } => digits(serial, spec.serial, 1, spec.serial_max)?,
            _ => plain(serial, spec.serial, 1, spec.serial_max)?,
        };
        Ok(KeySerial { key, serial })
    }

    pub(crate) fn parse_body(body: &str, spec: &Spec) -> Result<Self, EpcError> {
        let [gcp, reference, serial] = components::<3>(body, spec.kind, true)?;
        let key = Key::new(gcp, reference, spec.layout)?;
        let serial = match spec.coding {
            Coding::NumericString { .. } => digits(serial, spec.serial, 1, spec.serial_max)?,
            _ => unescape(serial, spec.serial, 1, spec.serial_max)?,
        };
        Ok(KeySerial { key, serial })
    }

    pub(crate) fn write_body(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        self.key.write_to(f)?;
        f.write_char('.')?;
        write_escaped(f, &self.serial)
    }

    pub(crate) fn encode(
        &self,
        scheme: Scheme,
        w: &mut BitWriter,
        spec: &Spec,
    ) -> Result<(), EpcError> {
        self.key.write(w, spec.layout)?;
        match spec.coding {
            Coding::IntOrString {
                int_bits,
                string_bits,
            } => {
                if scheme.bits() == Some(96) {
                    write_int(w, &self.serial, int_bits, spec.serial, scheme.name())
                } else {
                    write_7bit(w, &self.serial, string_bits)
                }
            }
            Coding::NumericString { bits } => {
                let value = self
                    .serial
                    .bytes()
                    .fold(1u64, |v, d| v * 10 + u64::from(d - b'0'));
                w.write(value, u32::from(bits))
            }
            Coding::None => Err(EpcError::SchemeMismatch {
                scheme: scheme.name(),
                identity: spec.kind,
            }),
        }
    }

    pub(crate) fn decode(
        scheme: Scheme,
        r: &mut BitReader<'_>,
        spec: &Spec,
    ) -> Result<Self, EpcError> {
        let key = Key::read(r, scheme.name(), spec.layout)?;
        let serial = match spec.coding {
            Coding::IntOrString {
                int_bits,
                string_bits,
            } => {
                if scheme.bits() == Some(96) {
                    read_int(r, int_bits, spec.serial)?
                } else {
                    read_7bit(r, string_bits, spec.serial_max, spec.serial)?
                }
            }
            Coding::NumericString { bits } => {
                let text: String<20> = read_int(r, bits, spec.serial)?;
                match text.strip_prefix('1') {
                    Some(rest) if !rest.is_empty() => {
                        digits(rest, spec.serial, 1, spec.serial_max)?
                    }
                    _ => {
                        return Err(EpcError::BadChar {
                            field: spec.serial,
                            position: 0,
                            found: text.chars().next().unwrap_or('0'),
                        });
                    }
                }
            }
            Coding::None => {
                return Err(EpcError::SchemeMismatch {
                    scheme: scheme.name(),
                    identity: spec.kind,
                });
            }
        };
        Ok(KeySerial { key, serial })
    }
}

/// A GS1 key without serial: an SSCC, GSRN or GSRNP.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyOnly {
    key: Key,
}

/// Reserved bits after the key of SSCC-96, GSRN-96 and GSRNP-96.
const RESERVED: u32 = 24;

impl KeyOnly {
    /// The GS1 Company Prefix (6 to 12 digits).
    pub fn company_prefix(&self) -> &str {
        self.key.gcp()
    }

    /// The digits after the company prefix: serial reference with the extension digit first
    /// (SSCC) or service reference (GSRN, GSRNP).
    pub fn reference(&self) -> &str {
        self.key.reference()
    }

    pub(crate) fn key(&self) -> &Key {
        &self.key
    }

    pub(crate) fn new(key: Key) -> Self {
        KeyOnly { key }
    }

    pub(crate) fn parse_body(body: &str, spec: &Spec) -> Result<Self, EpcError> {
        let [gcp, reference] = components::<2>(body, spec.kind, false)?;
        Ok(KeyOnly {
            key: Key::new(gcp, reference, spec.layout)?,
        })
    }

    pub(crate) fn write_body(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        self.key.write_to(f)
    }

    pub(crate) fn encode(&self, w: &mut BitWriter, spec: &Spec) -> Result<(), EpcError> {
        self.key.write(w, spec.layout)?;
        w.zeros(RESERVED)
    }

    pub(crate) fn decode(
        scheme: Scheme,
        r: &mut BitReader<'_>,
        spec: &Spec,
    ) -> Result<Self, EpcError> {
        let key = Key::read(r, scheme.name(), spec.layout)?;
        if r.read(RESERVED)? != 0 {
            return Err(EpcError::ReservedBits {
                scheme: scheme.name(),
            });
        }
        Ok(KeyOnly { key })
    }
}
