//! The LGTIN class URI `urn:epc:class:lgtin:<company prefix>.<item reference>.<lot>`
//! (TDS 2.x §6.4.1): a GTIN with a batch/lot, naming a class of objects rather than one object,
//! so it has no binary encoding.

use core::fmt;
use core::str::FromStr;

use super::EpcError;
use super::keyed::{KeySerial, LGTIN};
use super::uri::{CLASS_PREFIX, capped, split_uri};

/// A GTIN plus batch/lot.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Lgtin(pub(crate) KeySerial);

impl Lgtin {
    /// Parses `urn:epc:class:lgtin:…`.
    pub fn parse(uri: &str) -> Result<Lgtin, EpcError> {
        let (kind, body) = split_uri(uri, CLASS_PREFIX)?;
        if kind != "lgtin" {
            return Err(EpcError::UnknownScheme(capped(kind)));
        }
        KeySerial::parse_body(body, &LGTIN).map(Lgtin)
    }

    /// The GS1 Company Prefix (6 to 12 digits).
    pub fn company_prefix(&self) -> &str {
        self.0.company_prefix()
    }

    /// The item reference with the indicator digit first.
    pub fn item_reference(&self) -> &str {
        self.0.reference()
    }

    /// The batch/lot as a plain GS1 string (not URI-escaped).
    pub fn lot(&self) -> &str {
        self.0.serial()
    }
}

impl fmt::Display for Lgtin {
    /// The canonical class URI.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{CLASS_PREFIX}lgtin:")?;
        self.0.write_body(f)
    }
}

impl FromStr for Lgtin {
    type Err = EpcError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Lgtin::parse(s)
    }
}
