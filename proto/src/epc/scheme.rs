//! The EPC binary coding schemes of TDS 2.x §14 (Table 14-1 headers) supported here.

use core::fmt;
use core::str::FromStr;

use super::EpcError;

/// An EPC binary coding scheme: one header value, one bit layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scheme {
    /// `sgtin-96`, header 0x30.
    Sgtin96,
    /// `sgtin-198`, header 0x36.
    Sgtin198,
    /// `sscc-96`, header 0x31.
    Sscc96,
    /// `sgln-96`, header 0x32.
    Sgln96,
    /// `sgln-195`, header 0x39.
    Sgln195,
    /// `grai-96`, header 0x33.
    Grai96,
    /// `grai-170`, header 0x37.
    Grai170,
    /// `giai-96`, header 0x34.
    Giai96,
    /// `giai-202`, header 0x38.
    Giai202,
    /// `gsrn-96`, header 0x2D.
    Gsrn96,
    /// `gsrnp-96`, header 0x2E.
    Gsrnp96,
    /// `gdti-96`, header 0x2C.
    Gdti96,
    /// `gdti-174`, header 0x3E.
    Gdti174,
    /// `sgcn-96`, header 0x3F.
    Sgcn96,
    /// `cpi-96`, header 0x3C.
    Cpi96,
    /// `cpi-var`, header 0x3D (variable length).
    CpiVar,
    /// `itip-110`, header 0x40.
    Itip110,
    /// `itip-212`, header 0x41.
    Itip212,
    /// `gid-96`, header 0x35 (no filter value).
    Gid96,
    /// `usdod-96`, header 0x2F.
    Usdod96,
    /// `adi-var`, header 0x3B (variable length).
    AdiVar,
}

/// Every scheme with its header, name and fixed bit length (0: variable).
const TABLE: [(Scheme, u8, &str, u16); 21] = [
    (Scheme::Sgtin96, 0x30, "sgtin-96", 96),
    (Scheme::Sgtin198, 0x36, "sgtin-198", 198),
    (Scheme::Sscc96, 0x31, "sscc-96", 96),
    (Scheme::Sgln96, 0x32, "sgln-96", 96),
    (Scheme::Sgln195, 0x39, "sgln-195", 195),
    (Scheme::Grai96, 0x33, "grai-96", 96),
    (Scheme::Grai170, 0x37, "grai-170", 170),
    (Scheme::Giai96, 0x34, "giai-96", 96),
    (Scheme::Giai202, 0x38, "giai-202", 202),
    (Scheme::Gsrn96, 0x2D, "gsrn-96", 96),
    (Scheme::Gsrnp96, 0x2E, "gsrnp-96", 96),
    (Scheme::Gdti96, 0x2C, "gdti-96", 96),
    (Scheme::Gdti174, 0x3E, "gdti-174", 174),
    (Scheme::Sgcn96, 0x3F, "sgcn-96", 96),
    (Scheme::Cpi96, 0x3C, "cpi-96", 96),
    (Scheme::CpiVar, 0x3D, "cpi-var", 0),
    (Scheme::Itip110, 0x40, "itip-110", 110),
    (Scheme::Itip212, 0x41, "itip-212", 212),
    (Scheme::Gid96, 0x35, "gid-96", 96),
    (Scheme::Usdod96, 0x2F, "usdod-96", 96),
    (Scheme::AdiVar, 0x3B, "adi-var", 0),
];

impl Scheme {
    /// Every supported scheme.
    pub const ALL: [Scheme; 21] = {
        let mut all = [Scheme::Sgtin96; 21];
        let mut i = 0;
        while i < TABLE.len() {
            all[i] = TABLE[i].0;
            i += 1;
        }
        all
    };

    fn row(self) -> (Scheme, u8, &'static str, u16) {
        TABLE
            .iter()
            .find(|row| row.0 == self)
            .copied()
            .unwrap_or((self, 0, "", 0))
    }

    /// The 8-bit header that starts the binary encoding.
    pub fn header(self) -> u8 {
        self.row().1
    }

    /// The scheme whose header is `header`, if supported.
    pub fn from_header(header: u8) -> Option<Scheme> {
        TABLE.iter().find(|row| row.1 == header).map(|row| row.0)
    }

    /// The tag URI name, e.g. `sgtin-96`.
    pub fn name(self) -> &'static str {
        self.row().2
    }

    /// The scheme named `name` (lowercase, as in tag URIs).
    pub fn from_name(name: &str) -> Option<Scheme> {
        TABLE.iter().find(|row| row.2 == name).map(|row| row.0)
    }

    /// The fixed bit length, or `None` for the variable-length `cpi-var` and `adi-var`
    /// (see [`Epc::bit_len`](super::Epc::bit_len)).
    pub fn bits(self) -> Option<u16> {
        match self.row().3 {
            0 => None,
            bits => Some(bits),
        }
    }

    /// Bits of the filter value: 6 for ADI, 4 for USDOD, none for GID, 3 otherwise.
    pub fn filter_bits(self) -> u8 {
        match self {
            Scheme::AdiVar => 6,
            Scheme::Usdod96 => 4,
            Scheme::Gid96 => 0,
            _ => 3,
        }
    }

    /// The largest filter value (0 for GID, which has none).
    pub fn max_filter(self) -> u8 {
        ((1u16 << self.filter_bits()) - 1) as u8
    }

    /// The pure identity kind this scheme encodes, e.g. `sgtin` (as in `urn:epc:id:sgtin:`).
    pub fn kind(self) -> &'static str {
        let name = self.name();
        name.split_once('-').map_or(name, |(kind, _)| kind)
    }

    /// The schemes of one pure identity kind, in preference order (the 96-bit one first).
    pub(crate) fn of_kind(kind: &str) -> impl Iterator<Item = Scheme> + '_ {
        TABLE
            .iter()
            .map(|row| row.0)
            .filter(move |s| s.kind() == kind)
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Scheme {
    type Err = EpcError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Scheme::from_name(s).ok_or_else(|| EpcError::UnknownScheme(super::uri::capped(s)))
    }
}
