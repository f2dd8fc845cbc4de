//! CPI, the Component / Part Identifier (TDS 2.x §6.3.10; CPI-96 and CPI-var §14.5.11): a
//! company prefix, a component/part reference of up to 30 characters with it (digits,
//! capitals, `-`, `/`, `#`) and a numeric serial of up to 12 digits without leading zeros.
//! CPI-96 holds an all-digit reference of at most 15 − L digits as an integer; CPI-var holds
//! any reference as 0-terminated 6-bit characters and the serial in 40 bits.

use core::fmt;

use heapless::String;

use super::bits::{BitReader, BitWriter, read_int, write_int};
use super::key::{parse_gcp, read_gcp, write_gcp};
use super::sixbit::{self, Alphabet, Escaped6, read_6bit, write_6bit};
use super::uri::{components, digits};
use super::{EpcError, Scheme};

const PART: &str = "part reference";
const SERIAL: &str = "serial";

/// A CPI: company prefix, component/part reference and serial.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cpi {
    gcp: String<12>,
    part: String<24>,
    serial: String<12>,
}

impl Cpi {
    /// The GS1 Company Prefix (6 to 12 digits).
    pub fn company_prefix(&self) -> &str {
        &self.gcp
    }

    /// The component/part reference, plain (`/` and `#` unescaped).
    pub fn part_reference(&self) -> &str {
        &self.part
    }

    /// The serial (digits, no leading zero).
    pub fn serial(&self) -> &str {
        &self.serial
    }

    /// Builds a CPI from plain parts.
    pub(crate) fn new(gcp: &str, part: &str, serial: &str) -> Result<Self, EpcError> {
        let gcp = parse_gcp(gcp)?;
        let part = sixbit::plain(part, PART, Alphabet::Cpi, 1, 30 - gcp.len())?;
        Ok(Cpi {
            gcp,
            part,
            serial: parse_serial(serial)?,
        })
    }

    pub(crate) fn parse_body(body: &str) -> Result<Self, EpcError> {
        let [gcp, part, serial] = components::<3>(body, "cpi", false)?;
        let gcp = parse_gcp(gcp)?;
        let part = sixbit::unescape(part, PART, Alphabet::Cpi, 1, 30 - gcp.len())?;
        Ok(Cpi {
            gcp,
            part,
            serial: parse_serial(serial)?,
        })
    }

    pub(crate) fn write_body(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        write!(f, "{}.{}.{}", self.gcp, Escaped6(&self.part), self.serial)
    }

    pub(crate) fn encode(&self, scheme: Scheme, w: &mut BitWriter) -> Result<(), EpcError> {
        let gcp_bits = write_gcp(w, &self.gcp)?;
        if scheme == Scheme::Cpi96 {
            // At most 51 − 20 = 31 bits.
            let bits = (51 - gcp_bits) as u8;
            if self.part.len() > 15 - self.gcp.len() {
                return Err(EpcError::DoesNotFit {
                    field: PART,
                    scheme: scheme.name(),
                    bits,
                });
            }
            write_int(w, &self.part, bits, PART, scheme.name())?;
            write_int(w, &self.serial, 31, SERIAL, scheme.name())
        } else {
            write_6bit(w, &self.part)?;
            write_int(w, &self.serial, 40, SERIAL, scheme.name())
        }
    }

    pub(crate) fn decode(scheme: Scheme, r: &mut BitReader<'_>) -> Result<Self, EpcError> {
        let (gcp, gcp_bits) = read_gcp(r, scheme.name())?;
        let max = 30 - gcp.len();
        let (part, serial): (String<24>, String<12>) = if scheme == Scheme::Cpi96 {
            let part: String<24> = read_int(r, (51 - gcp_bits) as u8, PART)?;
            let digits = 15 - gcp.len();
            if part.len() > digits {
                return Err(EpcError::TooManyDigits {
                    field: PART,
                    value: super::key::value(&part),
                    digits: digits as u8,
                });
            }
            (part, read_int(r, 31, SERIAL)?)
        } else {
            let part = read_6bit(r, PART, Alphabet::Cpi, 1, max)?;
            let serial: String<20> = read_int(r, 40, SERIAL)?;
            (part, parse_serial(&serial)?)
        };
        Ok(Cpi { gcp, part, serial })
    }
}

/// A CPI serial: 1 to 12 digits without a leading zero.
fn parse_serial(s: &str) -> Result<String<12>, EpcError> {
    let serial = digits(s, SERIAL, 1, 12)?;
    if serial.len() > 1 && serial.starts_with('0') {
        return Err(EpcError::LeadingZero {
            field: SERIAL,
            context: "a CPI serial",
        });
    }
    Ok(serial)
}
