//! The GS1 Barcode Syntax Dictionary compiled into a static table (see `build.rs`): for every
//! Application Identifier its components, linters, associations (`req`, `ex`) and GS1 Digital
//! Link role (`dlpkey`, data attribute flag).
//!
//! AIs are prefix-free (GS1 General Specifications §3.2), so the AI that begins a run of raw
//! data is found by trying its 2-, 3- and 4-digit prefixes against the sorted table.

use core::fmt;

use super::lint::{LintError, Linter};

/// Character set of a component (dictionary types `N`, `X`, `Y`, `Z`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    /// `N`: digits `0`–`9`.
    Numeric,
    /// `X`: GS1 AI encodable character set 82 (GS1 General Specifications §7.11).
    Cset82,
    /// `Y`: GS1 AI encodable character set 39.
    Cset39,
    /// `Z`: GS1 AI encodable character set 64 (file-safe, URI-safe base64).
    Cset64,
}

/// One component of an AI's value, e.g. `N13,csum` or `[X..17]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Component {
    /// Characters the component may contain.
    pub charset: Charset,
    /// Minimum length (equal to `max_len` for a fixed-length component).
    pub min_len: u8,
    /// Maximum length.
    pub max_len: u8,
    /// Whether the component may be left out once the data is exhausted.
    pub optional: bool,
    /// Content checks applied in order after the character set check.
    pub linters: &'static [Linter],
}

impl Component {
    /// Whether the component always has `max_len` characters.
    pub fn is_fixed(&self) -> bool {
        self.min_len == self.max_len
    }
}

/// One Application Identifier of the dictionary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AiEntry {
    /// The AI, 2–4 digits.
    pub ai: &'static str,
    /// `false` for the predefined-length AIs that need no FNC1 after their value.
    pub fnc1_required: bool,
    /// Permitted as a GS1 Digital Link data attribute (query parameter).
    pub dl_data_attribute: bool,
    /// The value's components, in order.
    pub components: &'static [Component],
    /// `req=` attributes as written: each must be satisfied; `,` separates alternatives,
    /// `+` joins AIs that must appear together, `n` in an AI matches any digit.
    pub requires: &'static [&'static str],
    /// `ex=` AI patterns that must not appear together with this AI.
    pub excludes: &'static [&'static str],
    /// `Some` for a Digital Link primary key: the `dlpkey=` value, i.e. `|`-separated
    /// alternatives of ordered `,`-separated qualifier AIs (empty: no qualifiers).
    pub dl_primary_key: Option<&'static str>,
    /// The dictionary's short title, e.g. `BATCH/LOT`.
    pub title: &'static str,
}

impl AiEntry {
    /// The longest value the AI allows.
    pub fn max_len(&self) -> usize {
        self.components.iter().map(|c| usize::from(c.max_len)).sum()
    }
}

impl fmt::Display for Charset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Numeric => "the digits 0-9",
            Self::Cset82 => "GS1 character set 82",
            Self::Cset39 => "GS1 character set 39",
            Self::Cset64 => "GS1 character set 64",
        })
    }
}

/// CSET 82 in the order of its check-character weights (GS1 General Specifications §7.9.5).
pub(crate) const CSET82: &str =
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

impl Charset {
    /// Whether `c` belongs to the set (padding `=` of CSET 64 is checked separately).
    pub fn contains(self, c: char) -> bool {
        match self {
            Self::Numeric => c.is_ascii_digit(),
            Self::Cset82 => CSET82.contains(c),
            Self::Cset39 => c.is_ascii_digit() || c.is_ascii_uppercase() || "#-/".contains(c),
            Self::Cset64 => c.is_ascii_alphanumeric() || c == '-' || c == '_',
        }
    }

    /// Checks every character of `data`, allowing CSET 64 padding (`=`, at most two, to a
    /// multiple of three characters).
    pub fn check(self, data: &str) -> Result<(), LintError> {
        let mut body = data;
        if self == Self::Cset64 {
            body = data.trim_end_matches('=');
            let pads = data.len() - body.len();
            if pads > 2 || (pads > 0 && !data.len().is_multiple_of(3)) {
                return Err(LintError::Malformed {
                    position: body.len(),
                    what: "bad base64 padding",
                });
            }
        }
        match body.char_indices().find(|&(_, c)| !self.contains(c)) {
            Some((position, found)) => Err(LintError::BadCharacter {
                position,
                found,
                charset: self,
            }),
            None => Ok(()),
        }
    }
}

include!(concat!(env!("OUT_DIR"), "/gs1_dictionary.rs"));

/// Every AI of the dictionary, sorted by AI.
pub fn entries() -> &'static [AiEntry] {
    &ENTRIES
}

/// The entry for exactly this AI.
pub fn lookup(ai: &str) -> Option<&'static AiEntry> {
    ENTRIES
        .binary_search_by(|e| e.ai.cmp(ai))
        .ok()
        .and_then(|i| ENTRIES.get(i))
}

/// The AI that begins `data`, if any.
pub fn ai_at_start(data: &str) -> Option<&'static AiEntry> {
    (2..=4).find_map(|n| data.get(..n).and_then(lookup))
}

/// The length of every AI that starts with the two digits `prefix`, if any AI does.
pub fn ai_len_for_prefix(prefix: &str) -> Option<usize> {
    let start = ENTRIES.partition_point(|e| e.ai < prefix);
    ENTRIES
        .get(start)
        .filter(|e| e.ai.starts_with(prefix))
        .map(|e| e.ai.len())
}

/// Whether `ai` matches an association pattern such as `310n` (`n` matches any digit).
pub fn matches_pattern(ai: &str, pattern: &str) -> bool {
    ai.len() == pattern.len()
        && ai
            .bytes()
            .zip(pattern.bytes())
            .all(|(a, p)| a == p || (p == b'n' && a.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_prefix_free() {
        assert!(ENTRIES.windows(2).all(|w| w[0].ai < w[1].ai));
        for e in &ENTRIES {
            for n in 2..e.ai.len() {
                assert!(lookup(&e.ai[..n]).is_none(), "{} has an AI prefix", e.ai);
            }
        }
        assert_eq!(MAX_VALUE_LEN, 90);
    }

    #[test]
    fn lookups() {
        assert_eq!(lookup("3103").map(|e| e.fnc1_required), Some(false));
        assert_eq!(ai_at_start("10ABC").map(|e| e.ai), Some("10"));
        assert_eq!(ai_at_start("8003000").map(|e| e.ai), Some("8003"));
        assert!(ai_at_start("5901").is_none());
        assert_eq!(ai_len_for_prefix("43"), Some(4));
        assert_eq!(ai_len_for_prefix("42"), Some(3));
        assert!(matches_pattern("3105", "310n") && !matches_pattern("3115", "310n"));
    }
}
