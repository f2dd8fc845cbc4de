//! GIAI, the Global Individual Asset Identifier (TDS 2.x §6.3.5; GIAI-96 and GIAI-202 §14.5.5):
//! a company prefix and an asset reference of up to 30 characters in total. GIAI-96 codes the
//! asset reference as an integer in the bits the partition leaves (82 in all), GIAI-202 as 7-bit
//! characters (188 bits in all).

use core::fmt;

use heapless::String;

use super::bits::{BitReader, BitWriter, read_int, write_int};
use super::chars::{Escaped, plain, read_7bit, unescape, write_7bit};
use super::key::{parse_gcp, read_gcp, write_gcp};
use super::uri::components;
use super::{EpcError, Scheme};

const ASSET: &str = "asset reference";

/// A GIAI: company prefix and individual asset reference.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Giai {
    gcp: String<12>,
    asset: String<24>,
}

impl Giai {
    /// The GS1 Company Prefix (6 to 12 digits).
    pub fn company_prefix(&self) -> &str {
        &self.gcp
    }

    /// The individual asset reference as a plain GS1 string (not URI-escaped).
    pub fn asset_reference(&self) -> &str {
        &self.asset
    }

    /// Builds a GIAI from a company prefix and a plain asset reference.
    pub(crate) fn new(gcp: &str, asset: &str) -> Result<Self, EpcError> {
        let gcp = parse_gcp(gcp)?;
        let asset = plain(asset, ASSET, 1, 30 - gcp.len())?;
        Ok(Giai { gcp, asset })
    }

    pub(crate) fn parse_body(body: &str) -> Result<Self, EpcError> {
        let [gcp, asset] = components::<2>(body, "giai", true)?;
        let gcp = parse_gcp(gcp)?;
        let asset = unescape(asset, ASSET, 1, 30 - gcp.len())?;
        Ok(Giai { gcp, asset })
    }

    pub(crate) fn write_body(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        write!(f, "{}.{}", self.gcp, Escaped(&self.asset))
    }

    pub(crate) fn encode(&self, scheme: Scheme, w: &mut BitWriter) -> Result<(), EpcError> {
        let gcp_bits = write_gcp(w, &self.gcp)?;
        if scheme == Scheme::Giai96 {
            // At most 82 − 20 = 62 bits.
            write_int(w, &self.asset, (82 - gcp_bits) as u8, ASSET, scheme.name())
        } else {
            write_7bit(w, &self.asset, 188 - gcp_bits)
        }
    }

    pub(crate) fn decode(scheme: Scheme, r: &mut BitReader<'_>) -> Result<Self, EpcError> {
        let (gcp, gcp_bits) = read_gcp(r, scheme.name())?;
        let asset = if scheme == Scheme::Giai96 {
            read_int(r, (82 - gcp_bits) as u8, ASSET)?
        } else {
            read_7bit(r, 188 - gcp_bits, 30 - gcp.len(), ASSET)?
        };
        Ok(Giai { gcp, asset })
    }
}
