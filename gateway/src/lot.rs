//! The operator's lot command: which lot (and its ILMD: production date, expiry,
//! origin) a commissioning or transformation station writes, changed while the gateway
//! runs.
//!
//! The mechanism is a small JSON file beside the outbox (`<outbox>.lots.json`), one
//! entry per station. `trace-gateway lot` checks the values and replaces the file
//! atomically (a temporary file, then a rename); the running gateway looks at the
//! file's modification time twice a second and applies the entries that changed. A file rather than a socket because it needs no listener or permissions
//! beyond the outbox directory's, it works whether or not the gateway is running (set
//! the lot before the shift starts), and it survives a restart: the gateway starts with
//! the operator's lot, not the stale one from the TOML file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use trace_proto::event::Date;

use crate::config::{Config, LotData, Profile};

/// Longest lot number (GS1 AI 10).
pub const MAX_LOT_LEN: usize = 20;

/// Why a lot command or the lot file is refused.
#[derive(Debug, thiserror::Error)]
pub enum LotError {
    /// A value is wrong.
    #[error("{field}: {message}")]
    Invalid {
        /// The field (`lot`, `production_date` …).
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// No such station, or one that writes no lot.
    #[error("station {0:?}: {1}")]
    Station(String, &'static str),
    /// The lot file cannot be read or written.
    #[error("lot file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The lot file is not what `trace-gateway lot` writes.
    #[error("lot file {path} does not parse: {source}")]
    Format {
        /// The file.
        path: PathBuf,
        /// The error.
        source: serde_json::Error,
    },
}

/// One station's lot as the file holds it (dates as `YYYY-MM-DD`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LotEntry {
    /// Lot number.
    pub lot: Option<String>,
    /// Production date.
    pub production_date: Option<String>,
    /// Expiry date.
    pub expiry_date: Option<String>,
    /// ISO 3166-1 alpha-2 country of origin.
    pub country_of_origin: Option<String>,
}

/// The whole lot file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LotFile {
    /// Lot per station name.
    pub stations: BTreeMap<String, LotEntry>,
}

impl LotEntry {
    /// Checks every value: a lot of GS1 characters (CSET 82, at most 20), real dates,
    /// a two-letter country code.
    pub fn check(&self) -> Result<LotData, LotError> {
        let date = |value: &Option<String>, field| {
            value
                .as_deref()
                .map(|d| {
                    d.parse::<Date>().map_err(|e| LotError::Invalid {
                        field,
                        message: format!("{d:?}: {e}"),
                    })
                })
                .transpose()
        };
        if let Some(lot) = &self.lot {
            check_lot(lot).map_err(|message| LotError::Invalid {
                field: "lot",
                message,
            })?;
        }
        if let Some(country) = &self.country_of_origin
            && !is_country_code(country)
        {
            return Err(LotError::Invalid {
                field: "country_of_origin",
                message: format!("{country:?}: {COUNTRY_RULE}"),
            });
        }
        Ok(LotData {
            lot: self.lot.clone(),
            production_date: date(&self.production_date, "production_date")?,
            expiry_date: date(&self.expiry_date, "expiry_date")?,
            country_of_origin: self.country_of_origin.clone(),
        })
    }
}

/// What a country of origin must look like.
pub const COUNTRY_RULE: &str = "not an ISO 3166-1 alpha-2 code (two upper-case letters)";

/// Whether `code` has the shape of an ISO 3166-1 alpha-2 code.
pub fn is_country_code(code: &str) -> bool {
    code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase())
}

/// Checks a lot number: 1 to 20 characters of GS1's CSET 82.
pub fn check_lot(lot: &str) -> Result<(), String> {
    if lot.is_empty() || lot.len() > MAX_LOT_LEN {
        return Err(format!("{lot:?}: a lot has 1 to {MAX_LOT_LEN} characters"));
    }
    match lot.chars().find(|c| !is_cset82(*c)) {
        Some(c) => Err(format!("{lot:?}: {c:?} is not a GS1 character (CSET 82)")),
        None => Ok(()),
    }
}

fn is_cset82(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!\"%&'()*+,-./:;<=>?_".contains(c)
}

/// The lot file of an outbox directory: `<outbox>.lots.json` beside it.
pub fn lot_file_path(outbox: &Path) -> PathBuf {
    crate::status::sibling(outbox, ".lots.json")
}

/// Reads the lot file; a missing file is an empty one.
pub fn load(path: &Path) -> Result<LotFile, LotError> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|source| LotError::Format {
            path: path.to_path_buf(),
            source,
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(LotFile::default()),
        Err(source) => Err(LotError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Sets `station`'s lot in the lot file of `config`, after checking that the station
/// exists and writes lots and that every value is valid; returns the checked lot.
pub fn set(config: &Config, station: &str, entry: LotEntry) -> Result<LotData, LotError> {
    let known = config.stations.iter().find(|s| s.name == station);
    match known.map(|s| &s.profile) {
        None => return Err(LotError::Station(station.to_owned(), "no such station")),
        Some(Profile::Commission(_) | Profile::Transform(_)) => {}
        Some(_) => {
            return Err(LotError::Station(
                station.to_owned(),
                "writes no lot (profile is neither commission nor transform)",
            ));
        }
    }
    let lot = entry.check()?;
    let path = lot_file_path(&config.gateway.outbox);
    let mut file = load(&path)?;
    file.stations.insert(station.to_owned(), entry);
    let io = |source| LotError::Io {
        path: path.clone(),
        source,
    };
    let json = serde_json::to_vec_pretty(&file).map_err(|e| io(std::io::Error::other(e)))?;
    let tmp = path.with_extension(format!("json.{}.tmp", std::process::id()));
    std::fs::write(&tmp, json).map_err(io)?;
    std::fs::rename(&tmp, &path).map_err(io)?;
    Ok(lot)
}

/// A station's changed lot: checked, or why an entry mistyped by hand is refused.
pub type LotChange = (String, Result<LotData, LotError>);

/// Notices changes of the lot file; [`LotWatch::changed`] is cheap enough to call often.
#[derive(Debug)]
pub struct LotWatch {
    path: PathBuf,
    seen: Option<(SystemTime, u64)>,
    applied: BTreeMap<String, LotEntry>,
}

impl LotWatch {
    /// Watches `path`; nothing has been applied yet.
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            seen: None,
            applied: BTreeMap::new(),
        }
    }

    /// The entries that changed since the last call (all of them on the first call),
    /// checked: `(station, Ok(lot))`, or the error of an entry an operator mistyped
    /// by hand. A file that does not parse is reported once per change.
    pub fn changed(&mut self) -> Result<Vec<LotChange>, LotError> {
        let stamp = std::fs::metadata(&self.path)
            .ok()
            .and_then(|m| Some((m.modified().ok()?, m.len())));
        if stamp.is_none() || stamp == self.seen {
            return Ok(Vec::new());
        }
        self.seen = stamp;
        let file = load(&self.path)?;
        let mut changes = Vec::new();
        for (station, entry) in file.stations {
            if self.applied.get(&station) != Some(&entry) {
                changes.push((station.clone(), entry.check()));
                self.applied.insert(station, entry);
            }
        }
        Ok(changes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lots_dates_and_countries_are_checked() {
        let ok = LotEntry {
            lot: Some("L-42/B".into()),
            production_date: Some("2026-12-04".into()),
            expiry_date: Some("2027-06-30".into()),
            country_of_origin: Some("FR".into()),
        };
        let lot = ok.check().unwrap();
        assert_eq!(lot.expiry_date, Some(Date::new(2027, 6, 30).unwrap()));
        let bad = |entry: LotEntry| entry.check().unwrap_err().to_string();
        let e = bad(LotEntry {
            lot: Some("LOT 42".into()),
            ..ok.clone()
        });
        assert!(e.starts_with("lot: ") && e.contains("' '"), "{e}");
        let e = bad(LotEntry {
            expiry_date: Some("2027-02-30".into()),
            ..ok.clone()
        });
        assert!(e.starts_with("expiry_date: \"2027-02-30\""), "{e}");
        let e = bad(LotEntry {
            country_of_origin: Some("fra".into()),
            ..ok.clone()
        });
        assert!(e.starts_with("country_of_origin"), "{e}");
        assert!(check_lot(&"9".repeat(21)).is_err());
    }

    #[test]
    fn the_watch_reports_each_change_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lots.json");
        let mut watch = LotWatch::new(path.clone());
        assert!(watch.changed().unwrap().is_empty(), "no file yet");
        let mut file = LotFile::default();
        let entry = |lot: &str| LotEntry {
            lot: Some(lot.into()),
            ..LotEntry::default()
        };
        file.stations.insert("a".into(), entry("L1"));
        file.stations.insert("b".into(), entry("L2"));
        std::fs::write(&path, serde_json::to_vec(&file).unwrap()).unwrap();
        assert_eq!(watch.changed().unwrap().len(), 2);
        assert!(watch.changed().unwrap().is_empty(), "unchanged file");
        file.stations.insert("b".into(), entry("L3"));
        // Another length, so the change shows even within one mtime tick.
        file.stations.insert("c".into(), entry("bad lot"));
        std::fs::write(&path, serde_json::to_vec(&file).unwrap()).unwrap();
        let changes = watch.changed().unwrap();
        let names: Vec<_> = changes.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(names, ["b", "c"]);
        assert_eq!(changes[0].1.as_ref().unwrap().lot.as_deref(), Some("L3"));
        assert!(changes[1].1.is_err());
        std::fs::write(&path, b"{not json").unwrap();
        assert!(matches!(watch.changed(), Err(LotError::Format { .. })));
    }
}
