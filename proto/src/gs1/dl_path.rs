//! The path rules of GS1 Digital Link: locating the primary key, resolving AI short names,
//! and checking key qualifiers against the `dlpkey` sequences of the Syntax Dictionary.

use super::dictionary::{self, AiEntry};
use super::digital_link::DigitalLinkError;
use super::element_string::MAX_ELEMENTS;

/// Short names for AIs in the path (GS1 Digital Link 1.0 convenience alphas), sorted.
const SHORT_NAMES: &[(&str, &str)] = &[
    ("cpid", "8010"),
    ("cpsn", "8011"),
    ("cpv", "22"),
    ("gcn", "255"),
    ("gdti", "253"),
    ("giai", "8004"),
    ("ginc", "401"),
    ("gln", "414"),
    ("glnx", "254"),
    ("gmn", "8013"),
    ("grai", "8003"),
    ("gsin", "402"),
    ("gsrn", "8018"),
    ("gsrnp", "8017"),
    ("gtin", "01"),
    ("itip", "8006"),
    ("lot", "10"),
    ("party", "417"),
    ("refno", "8020"),
    ("ser", "21"),
    ("srin", "8019"),
    ("sscc", "00"),
];

/// The dictionary entry for a path segment in AI position: digits or a short name.
pub(crate) fn resolve(segment: &str) -> Option<&'static AiEntry> {
    if segment.bytes().all(|b| b.is_ascii_digit()) {
        return dictionary::lookup(segment);
    }
    let i = SHORT_NAMES
        .binary_search_by(|(name, _)| name.cmp(&segment))
        .ok()?;
    SHORT_NAMES
        .get(i)
        .and_then(|(_, ai)| dictionary::lookup(ai))
}

/// Byte offset in `body` (path without its leading `/`) of the primary key segment.
pub(super) fn find_key(body: &str) -> Option<usize> {
    let mut end = body.len();
    loop {
        let region = body.get(..end)?;
        let value_slash = region.rfind('/')?;
        let ai_start = region.get(..value_slash)?.rfind('/').map_or(0, |i| i + 1);
        let entry = resolve(region.get(ai_start..value_slash)?)?;
        if entry.dl_primary_key.is_some() {
            return Some(ai_start);
        }
        end = ai_start.checked_sub(1)?;
    }
}

/// The error for a path without a key: odd segments after a key, or no key at all.
pub(super) fn odd_segments(body: &str) -> DigitalLinkError {
    let count = body.split('/').count();
    body.split('/')
        .enumerate()
        .find_map(|(j, seg)| {
            resolve(seg)
                .filter(|e| e.dl_primary_key.is_some() && (count - j) % 2 == 1)
                .map(|e| DigitalLinkError::OddPathSegments { ai: e.ai })
        })
        .unwrap_or(DigitalLinkError::NoPrimaryKey)
}

/// The `|`-separated qualifier sequences a primary key allows.
pub(crate) fn alternatives(key: &AiEntry) -> impl Iterator<Item = &'static str> {
    key.dl_primary_key.unwrap_or("").split('|')
}

/// Whether `qualifiers` appear, in order, in the comma-separated `alternative`.
fn follows(alternative: &str, qualifiers: &[&str]) -> bool {
    let mut allowed = alternative.split(',');
    qualifiers.iter().all(|q| allowed.any(|a| a == *q))
}

/// An AI of the path with its still percent-encoded value.
pub(super) type PathPair<'a> = (&'static AiEntry, &'a str);

fn ais(pairs: &[PathPair<'_>]) -> heapless::Vec<&'static str, MAX_ELEMENTS> {
    pairs.iter().map(|(entry, _)| entry.ai).collect()
}

/// Checks the key qualifiers against the key's `dlpkey` sequences, optionally sorting them.
pub(super) fn check_qualifiers(
    path: &mut [PathPair<'_>],
    sort: bool,
) -> Result<(), DigitalLinkError> {
    let Some(((key, _), qualifiers)) = path.split_first_mut() else {
        return Err(DigitalLinkError::NoPrimaryKey);
    };
    let key: &AiEntry = key;
    let found = ais(qualifiers);
    if alternatives(key).any(|alt| follows(alt, &found)) {
        return Ok(());
    }
    if sort
        && let Some(alt) =
            alternatives(key).find(|alt| found.iter().all(|q| alt.split(',').any(|a| a == *q)))
    {
        qualifiers.sort_unstable_by_key(|(e, _)| alt.split(',').position(|a| a == e.ai));
        return Ok(());
    }
    let first = found.first().copied().unwrap_or("");
    if alternatives(key).all(str::is_empty) {
        return Err(DigitalLinkError::NoQualifierAllowed {
            key: key.ai,
            found: first,
        });
    }
    let bad = (1..=found.len())
        .find(|&n| !alternatives(key).any(|alt| follows(alt, found.get(..n).unwrap_or(&[]))))
        .and_then(|n| found.get(n - 1).copied())
        .unwrap_or(first);
    if alternatives(key).any(|alt| alt.split(',').any(|a| a == bad)) {
        Err(DigitalLinkError::QualifierOutOfOrder {
            key: key.ai,
            found: bad,
        })
    } else {
        Err(DigitalLinkError::QualifierNotAllowed {
            key: key.ai,
            found: bad,
        })
    }
}

/// Whether `ai` would form a valid key-qualifier sequence if put into the path.
pub(super) fn belongs_in_path(path: &[PathPair<'_>], ai: &'static str) -> bool {
    let Some(((key, _), qualifiers)) = path.split_first() else {
        return false;
    };
    let found = ais(qualifiers);
    (0..=found.len()).any(|at| {
        let mut trial: heapless::Vec<&str, { MAX_ELEMENTS + 1 }> = heapless::Vec::new();
        let (before, after) = found.split_at(at);
        let complete = trial.extend_from_slice(before).is_ok()
            && trial.push(ai).is_ok()
            && trial.extend_from_slice(after).is_ok();
        complete && alternatives(key).any(|alt| follows(alt, &trial))
    })
}
