//! The active recall list as a lookup: is this unit recalled?
//!
//! The server publishes the whole list, retained, on `rfid-trace/v1/recalls`. An entry
//! names an instance (`urn:epc:id:…`, `urn:rfid-trace:uid:…`), a GTIN pattern
//! (`urn:epc:idpat:sgtin:CP.IR.*`) or a lot (`urn:epc:class:lgtin:…`). A scanned SGTIN
//! carries no lot, so a lot entry matches only where the gateway knows the lot: at a
//! commissioning station, whose configured lot is passed in.

use std::collections::HashSet;

use std::path::Path;

use trace_proto::mqtt::{Payload, RecallList};

const SGTIN_PREFIX: &str = "urn:epc:id:sgtin:";
const IDPAT_PREFIX: &str = "urn:epc:idpat:sgtin:";
const LGTIN_PREFIX: &str = "urn:epc:class:lgtin:";

/// The recalled identifiers of the current list.
#[derive(Debug, Default, Clone)]
pub struct RecallSet {
    instances: HashSet<String>,
    /// `CP.IR` of recalled GTINs.
    gtins: HashSet<String>,
    /// `CP.IR.LOT` of recalled lots.
    lots: HashSet<String>,
}

impl RecallSet {
    /// The set of a published list.
    pub fn from_list(list: &RecallList) -> Self {
        let mut set = Self::default();
        for affected in list.recalls.iter().flat_map(|r| &r.affected) {
            if let Some(pattern) = affected.strip_prefix(IDPAT_PREFIX) {
                if let Some(gtin) = pattern.strip_suffix(".*") {
                    set.gtins.insert(gtin.to_owned());
                }
            } else if let Some(lot) = affected.strip_prefix(LGTIN_PREFIX) {
                set.lots.insert(lot.to_owned());
            } else {
                set.instances.insert(affected.clone());
            }
        }
        set
    }

    /// Whether `tag` (a canonical URI) is recalled; `lot` is the lot the station knows
    /// the unit to belong to, if any.
    pub fn is_recalled(&self, tag: &str, lot: Option<&str>) -> bool {
        if self.instances.contains(tag) {
            return true;
        }
        let Some(gtin) = tag
            .strip_prefix(SGTIN_PREFIX)
            .and_then(|rest| rest.rsplit_once('.'))
            .map(|(gtin, _serial)| gtin)
        else {
            return false;
        };
        self.gtins.contains(gtin)
            || lot.is_some_and(|lot| self.lots.contains(&format!("{gtin}.{lot}")))
    }

    /// Number of recalled identifiers.
    pub fn len(&self) -> usize {
        self.instances.len() + self.gtins.len() + self.lots.len()
    }

    /// Whether nothing is recalled.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Keeps the payload of the last recall list at `path` (written atomically).
pub fn save(path: &Path, payload: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, payload)?;
    std::fs::rename(tmp, path)
}

/// The recall set kept at `path`; empty when there is none or it does not decode
/// (the broker's retained list replaces it as soon as the gateway connects).
pub fn load(path: &Path) -> RecallSet {
    let Ok(bytes) = std::fs::read(path) else {
        return RecallSet::default();
    };
    match Payload::decode(&bytes) {
        Ok(Payload::RecallList(list)) => RecallSet::from_list(&list),
        Ok(_) | Err(_) => {
            tracing::warn!(path = %path.display(), "kept recall list does not decode; ignored");
            RecallSet::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trace_proto::event::EventTime;
    use trace_proto::mqtt::Recall;

    fn list(affected: &[&str]) -> RecallList {
        RecallList {
            as_of: EventTime::from_unix_millis(0).unwrap(),
            recalls: vec![Recall {
                id: "R-1".into(),
                affected: affected.iter().map(|s| (*s).to_owned()).collect(),
                reason: "listeria".into(),
                issued: EventTime::from_unix_millis(0).unwrap(),
                instructions: "quarantine".into(),
            }],
        }
    }

    #[test]
    fn instances_patterns_and_lots() {
        let set = RecallSet::from_list(&list(&[
            "urn:epc:id:sgtin:0614141.812345.6789",
            "urn:epc:idpat:sgtin:0614141.712345.*",
            "urn:epc:class:lgtin:0614141.999999.LOT42",
        ]));
        assert_eq!(set.len(), 3);
        assert!(set.is_recalled("urn:epc:id:sgtin:0614141.812345.6789", None));
        assert!(!set.is_recalled("urn:epc:id:sgtin:0614141.812345.6790", None));
        assert!(set.is_recalled("urn:epc:id:sgtin:0614141.712345.1", None));
        assert!(!set.is_recalled("urn:epc:id:sgtin:0614141.999999.1", None));
        assert!(set.is_recalled("urn:epc:id:sgtin:0614141.999999.1", Some("LOT42")));
        assert!(!set.is_recalled("urn:epc:id:sgtin:0614141.999999.1", Some("LOT43")));
        assert!(!set.is_recalled("urn:rfid-trace:uid:em4100:100086F444", None));
    }
}
