//! The pure identity: what an EPC names, independent of how a tag stores it (TDS 2.x §6,
//! `urn:epc:id:` URIs), and the choice of binary scheme for writing it to a tag (§7).

use core::fmt;
use core::str::FromStr;

use super::bits::{BitReader, BitWriter};
use super::cpi::Cpi;
use super::giai::Giai;
use super::itip::Itip;
use super::keyed::{GDTI, GRAI, GSRN, GSRNP, KeyOnly, KeySerial, SGCN, SGLN, SGTIN, SSCC};
use super::non_gs1::{Adi, Gid, Usdod};
use super::uri::{ID_PREFIX, capped, split_uri, write_whole};
use super::{Epc, EpcError, Scheme};

/// A pure identity EPC, e.g. `urn:epc:id:sgtin:0614141.812345.6789`.
///
/// Text fields hold plain values; [`Display`](fmt::Display) writes the canonical URI with
/// TDS escaping. For the variants sharing [`KeySerial`], `reference()` and `serial()` are:
///
/// | variant | reference | serial |
/// |---|---|---|
/// | `Sgtin` | indicator digit + item reference | serial |
/// | `Sgln` | location reference | extension (`0`: none) |
/// | `Grai` | asset type | serial |
/// | `Gdti` | document type | serial |
/// | `Sgcn` | coupon reference | serial (digits, leading zeros kept) |
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EpcId {
    /// Serialised Global Trade Item Number.
    Sgtin(KeySerial),
    /// Serial Shipping Container Code (reference: extension digit + serial reference).
    Sscc(KeyOnly),
    /// Global Location Number with or without extension.
    Sgln(KeySerial),
    /// Global Returnable Asset Identifier.
    Grai(KeySerial),
    /// Global Individual Asset Identifier.
    Giai(Giai),
    /// Global Service Relation Number, recipient (reference: service reference).
    Gsrn(KeyOnly),
    /// Global Service Relation Number, provider (reference: service reference).
    Gsrnp(KeyOnly),
    /// Global Document Type Identifier.
    Gdti(KeySerial),
    /// Serialised Global Coupon Number.
    Sgcn(KeySerial),
    /// Component / Part Identifier.
    Cpi(Cpi),
    /// Individual Trade Item Piece.
    Itip(Itip),
    /// General Identifier.
    Gid(Gid),
    /// US Department of Defense identifier.
    Usdod(Usdod),
    /// Aerospace and Defense Identifier.
    Adi(Adi),
}

impl EpcId {
    /// Parses a pure identity URI (`urn:epc:id:…`).
    pub fn parse(uri: &str) -> Result<EpcId, EpcError> {
        let (kind, body) = split_uri(uri, ID_PREFIX)?;
        EpcId::parse_body(kind, body)
    }

    /// The identity kind as in the URI, e.g. `sgtin`.
    pub fn kind(&self) -> &'static str {
        match self {
            EpcId::Sgtin(_) => "sgtin",
            EpcId::Sscc(_) => "sscc",
            EpcId::Sgln(_) => "sgln",
            EpcId::Grai(_) => "grai",
            EpcId::Giai(_) => "giai",
            EpcId::Gsrn(_) => "gsrn",
            EpcId::Gsrnp(_) => "gsrnp",
            EpcId::Gdti(_) => "gdti",
            EpcId::Sgcn(_) => "sgcn",
            EpcId::Cpi(_) => "cpi",
            EpcId::Itip(_) => "itip",
            EpcId::Gid(_) => "gid",
            EpcId::Usdod(_) => "usdod",
            EpcId::Adi(_) => "adi",
        }
    }

    /// Makes a tag of this identity with `filter` (use 0 for GID, which has none).
    ///
    /// With `scheme: None` the 96-bit scheme is used when the value fits it (numeric serial
    /// without leading zeros and small enough, all-digit CPI reference …) and the long scheme
    /// otherwise; with `Some(scheme)` exactly that scheme, or an error naming what does not fit.
    pub fn to_tag(&self, filter: u8, scheme: Option<Scheme>) -> Result<Epc, EpcError> {
        let kind = self.kind();
        if let Some(scheme) = scheme {
            if scheme.kind() != kind {
                return Err(EpcError::SchemeMismatch {
                    scheme: scheme.name(),
                    identity: kind,
                });
            }
            return Epc::checked(scheme, filter, self.clone());
        }
        // Every kind has at least one scheme, so the initial error is never returned.
        let mut result = Err(EpcError::UnknownScheme(capped(kind)));
        for scheme in Scheme::of_kind(kind) {
            result = Epc::checked(scheme, filter, self.clone());
            if result.is_ok() {
                break;
            }
        }
        result
    }

    /// Parses the part of a URI after `urn:epc:id:<kind>:` (also the tag URI after the filter).
    pub(crate) fn parse_body(kind: &str, body: &str) -> Result<EpcId, EpcError> {
        Ok(match kind {
            "sgtin" => EpcId::Sgtin(KeySerial::parse_body(body, &SGTIN)?),
            "sscc" => EpcId::Sscc(KeyOnly::parse_body(body, &SSCC)?),
            "sgln" => EpcId::Sgln(KeySerial::parse_body(body, &SGLN)?),
            "grai" => EpcId::Grai(KeySerial::parse_body(body, &GRAI)?),
            "giai" => EpcId::Giai(Giai::parse_body(body)?),
            "gsrn" => EpcId::Gsrn(KeyOnly::parse_body(body, &GSRN)?),
            "gsrnp" => EpcId::Gsrnp(KeyOnly::parse_body(body, &GSRNP)?),
            "gdti" => EpcId::Gdti(KeySerial::parse_body(body, &GDTI)?),
            "sgcn" => EpcId::Sgcn(KeySerial::parse_body(body, &SGCN)?),
            "cpi" => EpcId::Cpi(Cpi::parse_body(body)?),
            "itip" => EpcId::Itip(Itip::parse_body(body)?),
            "gid" => EpcId::Gid(Gid::parse_body(body)?),
            "usdod" => EpcId::Usdod(Usdod::parse_body(body)?),
            "adi" => EpcId::Adi(Adi::parse_body(body)?),
            other => return Err(EpcError::UnknownScheme(capped(other))),
        })
    }

    /// Writes the URI body (after `urn:epc:id:<kind>:`).
    pub(crate) fn write_body(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        match self {
            EpcId::Sgtin(v) | EpcId::Sgln(v) | EpcId::Grai(v) | EpcId::Gdti(v) | EpcId::Sgcn(v) => {
                v.write_body(f)
            }
            EpcId::Sscc(v) | EpcId::Gsrn(v) | EpcId::Gsrnp(v) => v.write_body(f),
            EpcId::Giai(v) => v.write_body(f),
            EpcId::Cpi(v) => v.write_body(f),
            EpcId::Itip(v) => v.write_body(f),
            EpcId::Gid(v) => v.write_body(f),
            EpcId::Usdod(v) => v.write_body(f),
            EpcId::Adi(v) => v.write_body(f),
        }
    }

    /// Writes the bits after header and filter; `scheme` is of this identity's kind.
    pub(crate) fn encode(&self, scheme: Scheme, w: &mut BitWriter) -> Result<(), EpcError> {
        match self {
            EpcId::Sgtin(v) => v.encode(scheme, w, &SGTIN),
            EpcId::Sgln(v) => v.encode(scheme, w, &SGLN),
            EpcId::Grai(v) => v.encode(scheme, w, &GRAI),
            EpcId::Gdti(v) => v.encode(scheme, w, &GDTI),
            EpcId::Sgcn(v) => v.encode(scheme, w, &SGCN),
            EpcId::Sscc(v) => v.encode(w, &SSCC),
            EpcId::Gsrn(v) => v.encode(w, &GSRN),
            EpcId::Gsrnp(v) => v.encode(w, &GSRNP),
            EpcId::Giai(v) => v.encode(scheme, w),
            EpcId::Cpi(v) => v.encode(scheme, w),
            EpcId::Itip(v) => v.encode(scheme, w),
            EpcId::Gid(v) => v.encode(w),
            EpcId::Usdod(v) => v.encode(w),
            EpcId::Adi(v) => v.encode(w),
        }
    }

    /// Reads the bits after header and filter of `scheme`.
    pub(crate) fn decode(scheme: Scheme, r: &mut BitReader<'_>) -> Result<EpcId, EpcError> {
        Ok(match scheme {
            Scheme::Sgtin96 | Scheme::Sgtin198 => {
                EpcId::Sgtin(KeySerial::decode(scheme, r, &SGTIN)?)
            }
            Scheme::Sgln96 | Scheme::Sgln195 => EpcId::Sgln(KeySerial::decode(scheme, r, &SGLN)?),
            Scheme::Grai96 | Scheme::Grai170 => EpcId::Grai(KeySerial::decode(scheme, r, &GRAI)?),
            Scheme::Gdti96 | Scheme::Gdti174 => EpcId::Gdti(KeySerial::decode(scheme, r, &GDTI)?),
            Scheme::Sgcn96 => EpcId::Sgcn(KeySerial::decode(scheme, r, &SGCN)?),
            Scheme::Sscc96 => EpcId::Sscc(KeyOnly::decode(scheme, r, &SSCC)?),
            Scheme::Gsrn96 => EpcId::Gsrn(KeyOnly::decode(scheme, r, &GSRN)?),
            Scheme::Gsrnp96 => EpcId::Gsrnp(KeyOnly::decode(scheme, r, &GSRNP)?),
            Scheme::Giai96 | Scheme::Giai202 => EpcId::Giai(Giai::decode(scheme, r)?),
            Scheme::Cpi96 | Scheme::CpiVar => EpcId::Cpi(Cpi::decode(scheme, r)?),
            Scheme::Itip110 | Scheme::Itip212 => EpcId::Itip(Itip::decode(scheme, r)?),
            Scheme::Gid96 => EpcId::Gid(Gid::decode(r)?),
            Scheme::Usdod96 => EpcId::Usdod(Usdod::decode(r)?),
            Scheme::AdiVar => EpcId::Adi(Adi::decode(r)?),
        })
    }
}

impl fmt::Display for EpcId {
    /// The canonical pure identity URI.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_whole(f, |w| {
            w.write_str(ID_PREFIX)?;
            w.write_str(self.kind())?;
            w.write_char(':')?;
            self.write_body(w)
        })
    }
}

impl FromStr for EpcId {
    type Err = EpcError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EpcId::parse(s)
    }
}
