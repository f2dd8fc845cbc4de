//! GS1 element string forms of the pure identities (TDS 2.x §7): each GS1 identity as its
//! Application Identifiers, and back from AIs plus the GS1 Company Prefix length (which the
//! element string does not carry; the caller looks it up).
//!
//! Values here are plain GS1 strings: a serial `32a/b` is `(21) 32a/b` but
//! `urn:epc:id:sgtin:…​.32a%2Fb`. Turning values into or out of an element string (FNC1,
//! separators, AI lengths) is the element string module's job; this one works on pairs.

use heapless::{String, Vec};

use super::cpi::Cpi;
use super::giai::Giai;
use super::itip::Itip;
use super::key::{Key, ai_field, partition_of};
use super::keyed::{
    GDTI, GRAI, GSRN, GSRNP, KeyOnly, KeySerial, LGTIN, SGCN, SGLN, SGTIN, SSCC, Spec,
};
use super::lgtin::Lgtin;
use super::{EpcError, EpcId};

/// An Application Identifier with its plain value, e.g. `("01", "00614141123452")`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AiValue {
    /// The AI digits, e.g. `01`.
    pub ai: &'static str,
    /// The value, at most 30 characters (the longest of the AIs produced here).
    pub value: String<30>,
}

/// The AIs of one identity, key first: at most the key and one qualifier.
pub type AiValues = Vec<AiValue, 2>;

/// What GS1 AIs identify: one object (an EPC) or a GTIN + lot class.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Gs1Identity {
    /// A pure identity EPC.
    Epc(EpcId),
    /// A GTIN with batch/lot but no serial.
    Lgtin(Lgtin),
}

/// The key AIs an EPC can be made from.
const KEYS: [&str; 11] = [
    "00", "01", "253", "255", "414", "8003", "8004", "8006", "8010", "8017", "8018",
];
/// The AIs that complete a key: serial, lot, GLN extension, CPI serial.
const QUALIFIERS: [&str; 4] = ["21", "10", "254", "8011"];

/// The first key AI in `pairs` that an EPC can be made from, with the key's leading digits
/// from where its GS1 Company Prefix starts (after a GTIN's indicator digit, an SSCC's extension
/// digit, a GRAI's leading zero): what a company-prefix table is searched with before
/// [`Gs1Identity::from_gs1`] is called.
pub fn company_prefix_start<'p>(pairs: &[(&str, &'p str)]) -> Option<(&'static str, &'p str)> {
    pairs.iter().find_map(|&(ai, value)| {
        let key = KEYS.iter().find(|k| **k == ai)?;
        let from_prefix = match *key {
            "01" | "00" | "8006" | "8003" => value.get(1..)?,
            _ => value,
        };
        // GIAI, GDTI, CPID and GCN values continue with non-digits after the digits.
        let end = from_prefix
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(from_prefix.len());
        Some((*key, from_prefix.get(..end)?))
    })
}

fn ai_value(ai: &'static str, parts: &[&str]) -> Result<AiValue, EpcError> {
    let mut value = String::new();
    for part in parts {
        value.push_str(part).map_err(|_| EpcError::BadLength {
            field: ai_field(ai),
            min: 1,
            max: 30,
            found: parts.iter().map(|p| p.len()).sum(),
        })?;
    }
    Ok(AiValue { ai, value })
}

fn values(key: AiValue, qualifier: Option<AiValue>) -> AiValues {
    let mut out = AiValues::new();
    // Two values fit the capacity of two.
    let _ = out.push(key);
    if let Some(q) = qualifier {
        let _ = out.push(q);
    }
    out
}

impl EpcId {
    /// The GS1 AIs of this identity, or [`EpcError::NoGs1Key`] for GID, USDOD and ADI.
    pub fn to_gs1(&self) -> Result<AiValues, EpcError> {
        let key_serial = |ai, v: &KeySerial| -> Result<AiValues, EpcError> {
            let key = v.key().gs1(ai, false)?;
            Ok(values(ai_value(ai, &[&key, v.serial()])?, None))
        };
        let key_only = |ai, v: &KeyOnly, lead| -> Result<AiValues, EpcError> {
            Ok(values(ai_value(ai, &[&v.key().gs1(ai, lead)?])?, None))
        };
        match self {
            EpcId::Sgtin(v) => Ok(values(
                ai_value("01", &[&v.key().gs1("01", true)?])?,
                Some(ai_value("21", &[v.serial()])?),
            )),
            EpcId::Sscc(v) => key_only("00", v, true),
            EpcId::Sgln(v) => {
                let extension = match v.serial() {
                    "0" => None,
                    other => Some(ai_value("254", &[other])?),
                };
                Ok(values(
                    ai_value("414", &[&v.key().gs1("414", false)?])?,
                    extension,
                ))
            }
            EpcId::Grai(v) => {
                let key = v.key().gs1("8003", false)?;
                Ok(values(ai_value("8003", &["0", &key, v.serial()])?, None))
            }
            EpcId::Giai(v) => Ok(values(
                ai_value("8004", &[v.company_prefix(), v.asset_reference()])?,
                None,
            )),
            EpcId::Gsrn(v) => key_only("8018", v, false),
            EpcId::Gsrnp(v) => key_only("8017", v, false),
            EpcId::Gdti(v) => key_serial("253", v),
            EpcId::Sgcn(v) => key_serial("255", v),
            EpcId::Cpi(v) => Ok(values(
                ai_value("8010", &[v.company_prefix(), v.part_reference()])?,
                Some(ai_value("8011", &[v.serial()])?),
            )),
            EpcId::Itip(v) => {
                let gtin = v.key().gs1("8006", true)?;
                Ok(values(
                    ai_value("8006", &[&gtin, v.piece(), v.total()])?,
                    Some(ai_value("21", &[v.serial()])?),
                ))
            }
            EpcId::Gid(_) | EpcId::Usdod(_) | EpcId::Adi(_) => Err(EpcError::NoGs1Key(self.kind())),
        }
    }
}

impl Lgtin {
    /// The GS1 AIs: (01) GTIN-14 and (10) lot.
    pub fn to_gs1(&self) -> Result<AiValues, EpcError> {
        Ok(values(
            ai_value("01", &[&self.0.key().gs1("01", true)?])?,
            Some(ai_value("10", &[self.lot()])?),
        ))
    }
}

/// Splits `value` after `at` ASCII characters; too short or non-ASCII is a length error.
fn split<'a>(
    value: &'a str,
    at: usize,
    ai: &'static str,
    max: usize,
) -> Result<(&'a str, &'a str), EpcError> {
    let field = ai_field(ai);
    if let Some((position, found)) = value.char_indices().find(|(_, c)| !c.is_ascii()) {
        return Err(EpcError::BadChar {
            field,
            position,
            found,
        });
    }
    value.split_at_checked(at).ok_or(EpcError::BadLength {
        field,
        min: at,
        max,
        found: value.len(),
    })
}

/// Errors unless a key's trailing serial is present.
fn needs<'a>(
    serial: &'a str,
    key: &'static str,
    needed: &'static str,
) -> Result<&'a str, EpcError> {
    if serial.is_empty() {
        Err(EpcError::MissingAi { key, needed })
    } else {
        Ok(serial)
    }
}

impl Gs1Identity {
    /// The identity named by GS1 AIs `(ai, plain value)`, given the GS1 Company Prefix length.
    ///
    /// Exactly one key AI must be present; AIs that are neither a key nor its qualifier
    /// ((21), (10), (254), (8011)) are ignored, so a full element string such as
    /// `(01)…(17)…(10)…(21)…` can be passed as it is. (01) with (21) gives an SGTIN, (01) with
    /// only (10) an LGTIN. Check digits are verified and values checked against what the EPC
    /// can hold (character set 82, lengths).
    pub fn from_gs1(pairs: &[(&str, &str)], gcp_len: u8) -> Result<Gs1Identity, EpcError> {
        let mut found: [Option<&str>; 15] = [None; 15];
        let all = KEYS.iter().chain(QUALIFIERS.iter());
        for &(ai, value) in pairs {
            let slot = found.iter_mut().zip(all.clone()).find(|(_, n)| **n == ai);
            if let Some((slot, &name)) = slot
                && slot.replace(value).is_some()
            {
                return Err(EpcError::DuplicateAi(name));
            }
        }
        let qualifier = |ai: &str| {
            QUALIFIERS
                .iter()
                .position(|q| *q == ai)
                .and_then(|i| found.get(KEYS.len() + i).copied().flatten())
        };
        let mut keys = KEYS
            .iter()
            .zip(found.iter())
            .filter_map(|(k, v)| v.map(|v| (*k, v)));
        let (key, value) = keys.next().ok_or(EpcError::NoKey)?;
        if let Some((second, _)) = keys.next() {
            return Err(EpcError::SeveralKeys { first: key, second });
        }
        let gcp = usize::from(gcp_len);
        let key_only = |lead, spec: &Spec| {
            Key::from_gs1(value, key, gcp_len, lead, spec.layout).map(KeyOnly::new)
        };
        let epc = match key {
            "01" => {
                let k = Key::from_gs1(value, key, gcp_len, true, SGTIN.layout)?;
                return match (qualifier("21"), qualifier("10")) {
                    (Some(serial), _) => {
                        KeySerial::new(k, serial, &SGTIN).map(|v| Gs1Identity::Epc(EpcId::Sgtin(v)))
                    }
                    (None, Some(lot)) => {
                        KeySerial::new(k, lot, &LGTIN).map(|v| Gs1Identity::Lgtin(Lgtin(v)))
                    }
                    (None, None) => Err(EpcError::MissingAi {
                        key,
                        needed: "(21) or (10)",
                    }),
                };
            }
            "00" => EpcId::Sscc(key_only(true, &SSCC)?),
            "8018" => EpcId::Gsrn(key_only(false, &GSRN)?),
            "8017" => EpcId::Gsrnp(key_only(false, &GSRNP)?),
            "414" => {
                let k = Key::from_gs1(value, key, gcp_len, false, SGLN.layout)?;
                EpcId::Sgln(KeySerial::new(k, qualifier("254").unwrap_or("0"), &SGLN)?)
            }
            "8003" => {
                let (zero, rest) = split(value, 1, key, 30)?;
                if zero != "0" {
                    return Err(EpcError::BadChar {
                        field: ai_field(key),
                        position: 0,
                        found: zero.chars().next().unwrap_or('?'),
                    });
                }
                let (grai, serial) = split(rest, 13, key, 29)?;
                let serial = needs(serial, key, "a serial after the GRAI")?;
                let k = Key::from_gs1(grai, key, gcp_len, false, GRAI.layout)?;
                EpcId::Grai(KeySerial::new(k, serial, &GRAI)?)
            }
            "8004" => {
                partition_of(gcp)?;
                let (prefix, asset) = split(value, gcp, key, 30)?;
                EpcId::Giai(Giai::new(prefix, asset)?)
            }
            "253" | "255" => {
                let (digits, serial) = split(value, 13, key, 30)?;
                let serial = needs(serial, key, "a serial after the 13-digit key")?;
                let spec = if key == "253" { &GDTI } else { &SGCN };
                let k = Key::from_gs1(digits, key, gcp_len, false, spec.layout)?;
                let v = KeySerial::new(k, serial, spec)?;
                if key == "253" {
                    EpcId::Gdti(v)
                } else {
                    EpcId::Sgcn(v)
                }
            }
            "8010" => {
                partition_of(gcp)?;
                let (prefix, part) = split(value, gcp, key, 30)?;
                let serial = qualifier("8011").ok_or(EpcError::MissingAi {
                    key,
                    needed: "(8011)",
                })?;
                EpcId::Cpi(Cpi::new(prefix, part, serial)?)
            }
            // "8006", the last key.
            _ => {
                let (gtin, rest) = split(value, 14, key, 18)?;
                let (piece, total) = split(rest, 2, key, 18)?;
                let serial = qualifier("21").ok_or(EpcError::MissingAi {
                    key,
                    needed: "(21)",
                })?;
                let k = Key::from_gs1(gtin, key, gcp_len, true, SGTIN.layout)?;
                EpcId::Itip(Itip::new(k, piece, total, serial)?)
            }
        };
        Ok(Gs1Identity::Epc(epc))
    }
}
