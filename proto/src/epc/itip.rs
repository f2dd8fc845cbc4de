//! ITIP, the Individual Trade Item Piece (TDS 2.x §6.3.13; ITIP-110 and ITIP-212 §14.5.13): the
//! GTIN of the whole item, the piece number and total pieces (two digits each, AI 8006), and a
//! serial (AI 21). The GTIN part uses the SGTIN partition table; piece and total take 7 bits
//! each; the serial is a 38-bit integer (ITIP-110) or 20 7-bit characters (ITIP-212).

use core::fmt;

use heapless::String;

use super::bits::{BitReader, BitWriter, read_int, write_int};
use super::chars::{Escaped, plain, read_7bit, unescape, write_7bit};
use super::key::{Key, read_padded};
use super::keyed::SGTIN;
use super::uri::{components, digits};
use super::{EpcError, Scheme};

const PIECE: &str = "piece number";
const TOTAL: &str = "total pieces";
const SERIAL: &str = "serial";

/// An ITIP: GTIN parts, piece, total and serial.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Itip {
    key: Key,
    piece: String<2>,
    total: String<2>,
    serial: String<20>,
}

impl Itip {
    /// The GS1 Company Prefix (6 to 12 digits).
    pub fn company_prefix(&self) -> &str {
        self.key.gcp()
    }

    /// The item reference with the indicator digit first.
    pub fn item_reference(&self) -> &str {
        self.key.reference()
    }

    /// The piece number (two digits).
    pub fn piece(&self) -> &str {
        &self.piece
    }

    /// The total number of pieces (two digits).
    pub fn total(&self) -> &str {
        &self.total
    }

    /// The serial as a plain GS1 string (not URI-escaped).
    pub fn serial(&self) -> &str {
        &self.serial
    }

    pub(crate) fn key(&self) -> &Key {
        &self.key
    }

    /// Builds an ITIP from its key, two-digit piece and total, and plain serial.
    pub(crate) fn new(key: Key, piece: &str, total: &str, serial: &str) -> Result<Self, EpcError> {
        Ok(Itip {
            key,
            piece: digits(piece, PIECE, 2, 2)?,
            total: digits(total, TOTAL, 2, 2)?,
            serial: plain(serial, SERIAL, 1, 20)?,
        })
    }

    pub(crate) fn parse_body(body: &str) -> Result<Self, EpcError> {
        let [gcp, item, piece, total, serial] = components::<5>(body, "itip", true)?;
        Ok(Itip {
            key: Key::new(gcp, item, SGTIN.layout)?,
            piece: digits(piece, PIECE, 2, 2)?,
            total: digits(total, TOTAL, 2, 2)?,
            serial: unescape(serial, SERIAL, 1, 20)?,
        })
    }

    pub(crate) fn write_body(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        let Itip {
            key,
            piece,
            total,
            serial,
        } = self;
        write!(f, "{key}.{piece}.{total}.{}", Escaped(serial))
    }

    pub(crate) fn encode(&self, scheme: Scheme, w: &mut BitWriter) -> Result<(), EpcError> {
        self.key.write(w, SGTIN.layout)?;
        w.write(super::key::value(&self.piece), 7)?;
        w.write(super::key::value(&self.total), 7)?;
        if scheme == Scheme::Itip110 {
            write_int(w, &self.serial, 38, SERIAL, scheme.name())
        } else {
            write_7bit(w, &self.serial, 140)
        }
    }

    pub(crate) fn decode(scheme: Scheme, r: &mut BitReader<'_>) -> Result<Self, EpcError> {
        let key = Key::read(r, scheme.name(), SGTIN.layout)?;
        let piece = read_padded(r, 7, 2, PIECE)?;
        let total = read_padded(r, 7, 2, TOTAL)?;
        let serial = if scheme == Scheme::Itip110 {
            read_int(r, 38, SERIAL)?
        } else {
            read_7bit(r, 140, 20, SERIAL)?
        };
        Ok(Itip {
            key,
            piece,
            total,
            serial,
        })
    }
}
