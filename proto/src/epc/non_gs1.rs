//! The identifiers outside the GS1 system: GID, the General Identifier (TDS 2.x §6.3.9,
//! GID-96 §14.5.6: 28-bit manager, 24-bit class, 36-bit serial, no filter); USDOD, the US
//! Department of Defense identifier (§6.3.15, USDOD-96 §14.5.14: CAGE/DoDAAC in 8-bit
//! characters, 36-bit serial); and ADI, the aerospace and defense identifier (§6.3.16,
//! ADI-var §14.5.15: CAGE/DoDAAC, original part number and serial in 6-bit characters).

use core::fmt;

use heapless::String;

use super::EpcError;
use super::bits::{BitReader, BitWriter};
use super::sixbit::{self, Alphabet, Escaped6, read_6bit, read_cage, write_6bit, write_cage};
use super::uri::{components, number};

/// A GID: general manager number, object class and serial, all integers.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Gid {
    manager: u32,
    class: u32,
    serial: u64,
}

impl Gid {
    /// The general manager number (below 2^28).
    pub fn manager(&self) -> u32 {
        self.manager
    }

    /// The object class (below 2^24).
    pub fn class(&self) -> u32 {
        self.class
    }

    /// The serial (below 2^36).
    pub fn serial(&self) -> u64 {
        self.serial
    }

    pub(crate) fn parse_body(body: &str) -> Result<Self, EpcError> {
        let [manager, class, serial] = components::<3>(body, "gid", false)?;
        Ok(Gid {
            // `number` bounds each value below 2^bits, so the casts keep every bit.
            manager: number(manager, "manager number", "gid-96", 28)? as u32,
            class: number(class, "object class", "gid-96", 24)? as u32,
            serial: number(serial, "serial", "gid-96", 36)?,
        })
    }

    pub(crate) fn write_body(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        write!(f, "{}.{}.{}", self.manager, self.class, self.serial)
    }

    pub(crate) fn encode(&self, w: &mut BitWriter) -> Result<(), EpcError> {
        w.write(u64::from(self.manager), 28)?;
        w.write(u64::from(self.class), 24)?;
        w.write(self.serial, 36)
    }

    pub(crate) fn decode(r: &mut BitReader<'_>) -> Result<Self, EpcError> {
        Ok(Gid {
            // Reads of 28 and 24 bits fit a `u32`.
            manager: r.read(28)? as u32,
            class: r.read(24)? as u32,
            serial: r.read(36)?,
        })
    }
}

/// A USDOD identifier: CAGE code or DoDAAC and an integer serial.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Usdod {
    cage: String<6>,
    serial: u64,
}

impl Usdod {
    /// The 5-character CAGE code or 6-character DoDAAC.
    pub fn cage(&self) -> &str {
        &self.cage
    }

    /// The serial (below 2^36).
    pub fn serial(&self) -> u64 {
        self.serial
    }

    pub(crate) fn parse_body(body: &str) -> Result<Self, EpcError> {
        let [cage, serial] = components::<2>(body, "usdod", false)?;
        Ok(Usdod {
            cage: sixbit::cage(cage)?,
            serial: number(serial, "serial", "usdod-96", 36)?,
        })
    }

    pub(crate) fn write_body(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        write!(f, "{}.{}", self.cage, self.serial)
    }

    pub(crate) fn encode(&self, w: &mut BitWriter) -> Result<(), EpcError> {
        write_cage(w, &self.cage, 8)?;
        w.write(self.serial, 36)
    }

    pub(crate) fn decode(r: &mut BitReader<'_>) -> Result<Self, EpcError> {
        Ok(Usdod {
            cage: read_cage(r, 8)?,
            serial: r.read(36)?,
        })
    }
}

const PART: &str = "part number";
const SERIAL: &str = "serial";

/// An ADI: CAGE code or DoDAAC, original part number (may be empty) and serial (a leading
/// `#` marks a serial unique within the CAGE/DoDAAC alone).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Adi {
    cage: String<6>,
    part: String<32>,
    serial: String<30>,
}

impl Adi {
    /// The 5-character CAGE code or 6-character DoDAAC.
    pub fn cage(&self) -> &str {
        &self.cage
    }

    /// The original part number, plain (`/` unescaped); may be empty.
    pub fn part_number(&self) -> &str {
        &self.part
    }

    /// The serial, plain (`/` and `#` unescaped).
    pub fn serial(&self) -> &str {
        &self.serial
    }

    pub(crate) fn parse_body(body: &str) -> Result<Self, EpcError> {
        let [cage, part, serial] = components::<3>(body, "adi", false)?;
        Ok(Adi {
            cage: sixbit::cage(cage)?,
            part: sixbit::unescape(part, PART, Alphabet::AdiPart, 0, 32)?,
            serial: sixbit::unescape(serial, SERIAL, Alphabet::AdiSerial, 1, 30)?,
        })
    }

    pub(crate) fn write_body(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        write!(
            f,
            "{}.{}.{}",
            self.cage,
            Escaped6(&self.part),
            Escaped6(&self.serial)
        )
    }

    pub(crate) fn encode(&self, w: &mut BitWriter) -> Result<(), EpcError> {
        write_cage(w, &self.cage, 6)?;
        write_6bit(w, &self.part)?;
        write_6bit(w, &self.serial)
    }

    pub(crate) fn decode(r: &mut BitReader<'_>) -> Result<Self, EpcError> {
        Ok(Adi {
            cage: read_cage(r, 6)?,
            part: read_6bit(r, PART, Alphabet::AdiPart, 0, 32)?,
            serial: read_6bit(r, SERIAL, Alphabet::AdiSerial, 1, 30)?,
        })
    }
}
