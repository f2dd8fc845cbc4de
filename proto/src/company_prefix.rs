//! GS1 Company Prefix lengths.
//!
//! An element string or a Digital Link says `(01)09521141123454` but not where the GS1
//! Company Prefix ends inside the GTIN; the EPC URI (`urn:epc:id:sgtin:9521141.012345.…`)
//! needs exactly that split. GS1 publishes the split as a list of number prefixes with the
//! company-prefix length that applies below each (the "GCP length" list,
//! `gcpprefixformatlist`); the longest matching prefix wins, and a length of 0 marks ranges
//! that hold no company prefixes at all (restricted circulation, coupons).
//!
//! [`CompanyPrefixes`] looks lengths up in any sorted list of such entries: the small
//! built-in [`BUILT_IN`] set (the prefixes used in GS1's own standards' examples), or, with
//! `alloc`, a table parsed from a file ([`PrefixTable::parse`]).

/// Why no company-prefix length could be given for a key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrefixError {
    /// No entry of the table covers the key's leading digits.
    #[error("GS1 Company Prefix length unknown for {key}: no entry of the prefix table covers it")]
    Unknown {
        /// The key digits looked up (indicator/extension digit removed).
        key: KeyDigits,
    },
    /// The table says this range holds no company prefixes.
    #[error("{key} lies in the range {prefix}, which holds no GS1 Company Prefixes")]
    NotAllocated {
        /// The key digits looked up.
        key: KeyDigits,
        /// The table entry that matched.
        prefix: KeyDigits,
    },
    /// The key is not a string of digits.
    #[error("{key:?} is not a GS1 key: only digits can carry a company prefix")]
    NotDigits {
        /// The offending key.
        key: KeyDigits,
    },
    /// A line of a prefix table could not be read.
    #[error("prefix table line {line}: {reason}")]
    BadTableLine {
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        reason: &'static str,
    },
}

/// Up to 30 digits of a GS1 key, kept for error messages without an allocator.
pub type KeyDigits = heapless::String<30>;

/// One entry: keys starting with `prefix` have a company prefix of `length` digits
/// (0: none allocated under this prefix).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrefixEntry<'a> {
    /// Leading digits of the key (GTIN without indicator digit, GLN, …).
    pub prefix: &'a str,
    /// Length of the company prefix, 0 when the range holds none.
    pub length: u8,
}

/// Looks up company-prefix lengths.
pub trait CompanyPrefixes {
    /// The company-prefix length for `key`: the key's digits starting where the company
    /// prefix starts (a GTIN-14 without its indicator digit, an SSCC without its extension
    /// digit, a GLN as is). Returns the longest matching entry's length, and an error when
    /// none matches, when the matching range holds no company prefixes, or when the length
    /// would not fit inside `key`.
    fn company_prefix_len(&self, key: &str) -> Result<u8, PrefixError>;
}

/// Finds the longest prefix of `key` that `find` knows (at most 12 digits, the longest
/// company prefix) and checks its length against the key.
fn longest_match(key: &str, find: impl Fn(&str) -> Option<u8>) -> Result<u8, PrefixError> {
    let digits = truncate(key);
    if key.is_empty() || !key.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PrefixError::NotDigits { key: digits });
    }
    for end in (1..=key.len().min(12)).rev() {
        let Some(candidate) = key.get(..end) else {
            continue;
        };
        if let Some(length) = find(candidate) {
            return if length == 0 || usize::from(length) > key.len() {
                Err(PrefixError::NotAllocated {
                    key: digits,
                    prefix: truncate(candidate),
                })
            } else {
                Ok(length)
            };
        }
    }
    Err(PrefixError::Unknown { key: digits })
}

fn truncate(s: &str) -> KeyDigits {
    let mut out = KeyDigits::new();
    for c in s.chars() {
        if out.push(c).is_err() {
            break;
        }
    }
    out
}

/// The built-in set: company prefixes used by the examples of GS1's standards (Tag Data
/// Standard, General Specifications, EPCIS/CBV, Digital Link) and GS1 China's documentation,
/// with the lengths GS1's own list gives them, so that those examples convert without
/// configuration. Real deployments load GS1's full list (see [`PrefixTable`]).
pub const BUILT_IN: &[PrefixEntry<'static>] = &[
    PrefixEntry {
        prefix: "0037000",
        length: 7,
    },
    PrefixEntry {
        prefix: "0614141",
        length: 7,
    },
    PrefixEntry {
        prefix: "4012345",
        length: 7,
    },
    PrefixEntry {
        prefix: "5012345",
        length: 7,
    },
    PrefixEntry {
        prefix: "6901234",
        length: 7,
    },
    PrefixEntry {
        prefix: "95060",
        length: 11,
    },
    PrefixEntry {
        prefix: "952012",
        length: 6,
    },
    PrefixEntry {
        prefix: "9521141",
        length: 7,
    },
];

/// The built-in set as a lookup.
#[derive(Debug, Clone, Copy, Default)]
pub struct BuiltIn;

impl CompanyPrefixes for BuiltIn {
    fn company_prefix_len(&self, key: &str) -> Result<u8, PrefixError> {
        longest_match(key, |candidate| {
            BUILT_IN
                .binary_search_by(|e| e.prefix.cmp(candidate))
                .ok()
                .and_then(|i| BUILT_IN.get(i))
                .map(|e| e.length)
        })
    }
}

#[cfg(feature = "alloc")]
pub use table::PrefixTable;

#[cfg(feature = "alloc")]
mod table {
    use super::{CompanyPrefixes, PrefixError, longest_match};
    use alloc::string::String;
    use alloc::vec::Vec;

    /// A company-prefix table read from text, with the built-in set underneath.
    ///
    /// Two formats are read, line by line: `PREFIX LENGTH` (whitespace-separated, `#`
    /// starts a comment), and the entry lines of GS1's `gcpprefixformatlist.xml`
    /// (`<entry prefix="0614141" gcpLength="7"/>`). A later entry for the same prefix
    /// replaces an earlier one.
    #[derive(Debug, Clone, Default)]
    pub struct PrefixTable {
        /// Sorted by prefix, one entry per prefix.
        entries: Vec<(String, u8)>,
    }

    impl PrefixTable {
        /// The built-in set alone.
        pub fn built_in() -> Self {
            let entries = super::BUILT_IN
                .iter()
                .map(|e| (String::from(e.prefix), e.length))
                .collect();
            Self { entries }
        }

        /// The built-in set plus every entry of `text`.
        pub fn parse(text: &str) -> Result<Self, PrefixError> {
            let mut table = Self::built_in();
            table.extend(text)?;
            Ok(table)
        }

        /// Adds every entry of `text` (either format) to the table; nothing is added when a
        /// line is bad.
        pub fn extend(&mut self, text: &str) -> Result<(), PrefixError> {
            let mut added = Vec::new();
            for (n, raw) in text.lines().enumerate() {
                let parsed = parse_line(raw).map_err(|reason| PrefixError::BadTableLine {
                    line: n + 1,
                    reason,
                })?;
                if let Some((prefix, length)) = parsed {
                    added.push((String::from(prefix), length));
                }
            }
            // Later entries win: a stable sort keeps file order among equal prefixes, and
            // the reversed dedup keeps the last of each run.
            self.entries.append(&mut added);
            self.entries.sort_by(|a, b| a.0.cmp(&b.0));
            self.entries.reverse();
            self.entries.dedup_by(|later, earlier| later.0 == earlier.0);
            self.entries.reverse();
            Ok(())
        }

        /// Number of entries.
        pub fn len(&self) -> usize {
            self.entries.len()
        }

        /// Whether the table has no entries.
        pub fn is_empty(&self) -> bool {
            self.entries.is_empty()
        }
    }

    impl CompanyPrefixes for PrefixTable {
        fn company_prefix_len(&self, key: &str) -> Result<u8, PrefixError> {
            longest_match(key, |candidate| {
                self.entries
                    .binary_search_by(|(p, _)| p.as_str().cmp(candidate))
                    .ok()
                    .and_then(|i| self.entries.get(i))
                    .map(|(_, length)| *length)
            })
        }
    }

    /// One line of either format: `Ok(None)` for blank, comment and other XML lines.
    fn parse_line(raw: &str) -> Result<Option<(&str, u8)>, &'static str> {
        let line = raw.split('#').next().unwrap_or_default().trim();
        if line.is_empty() {
            return Ok(None);
        }
        let (prefix, length) = if line.starts_with('<') {
            match (xml_attr(line, "prefix"), xml_attr(line, "gcpLength")) {
                (Some(p), Some(l)) => (p, l),
                _ => return Ok(None),
            }
        } else {
            let mut fields = line.split_whitespace();
            match (fields.next(), fields.next(), fields.next()) {
                (Some(p), Some(l), None) => (p, l),
                _ => return Err("expected two fields: PREFIX LENGTH"),
            }
        };
        if prefix.is_empty() || prefix.len() > 12 || !prefix.bytes().all(|b| b.is_ascii_digit()) {
            return Err("the prefix must be 1 to 12 digits");
        }
        let length: u8 = length
            .parse()
            .map_err(|_| "the length must be a number from 0 to 12")?;
        if length > 12 {
            return Err("the length must be a number from 0 to 12");
        }
        Ok(Some((prefix, length)))
    }

    fn xml_attr<'a>(line: &'a str, name: &str) -> Option<&'a str> {
        let mut rest = line;
        while let Some(at) = rest.find(name) {
            let after = rest.get(at + name.len()..)?;
            if let Some(value) = after.strip_prefix("=\"") {
                return value.split('"').next();
            }
            rest = after;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;

    #[test]
    fn built_in_examples() {
        assert_eq!(BuiltIn.company_prefix_len("0614141123452"), Ok(7));
        assert_eq!(BuiltIn.company_prefix_len("95201203456789123"), Ok(6));
    }

    #[test]
    fn unknown_is_an_error_naming_the_key() {
        let err = BuiltIn.company_prefix_len("7312345000004").unwrap_err();
        assert_eq!(
            err.to_string(),
            "GS1 Company Prefix length unknown for 7312345000004: no entry of the prefix table covers it"
        );
        assert!(matches!(
            BuiltIn.company_prefix_len("12ab"),
            Err(PrefixError::NotDigits { .. })
        ));
    }

    #[cfg(feature = "alloc")]
    #[test]
    fn parsed_table_longest_prefix_wins() {
        let table = PrefixTable::parse(
            "# comment\n690 7\n6901028 10\n<entry prefix=\"02\" gcpLength=\"0\"/>\n",
        )
        .unwrap();
        assert_eq!(table.company_prefix_len("6901027000001"), Ok(7));
        assert_eq!(table.company_prefix_len("6901028000001"), Ok(10));
        assert!(matches!(
            table.company_prefix_len("0212345000000"),
            Err(PrefixError::NotAllocated { .. })
        ));
        // The built-in set stays underneath.
        assert_eq!(table.company_prefix_len("0614141000000"), Ok(7));
    }

    #[test]
    fn built_in_is_sorted() {
        assert!(BUILT_IN.windows(2).all(|w| w[0].prefix < w[1].prefix));
    }

    #[cfg(feature = "alloc")]
    #[test]
    fn later_entries_replace_earlier_ones() {
        let table = PrefixTable::parse("0614141 9\n690 7\n690 8\n").unwrap();
        assert_eq!(table.company_prefix_len("0614141123452"), Ok(9));
        assert_eq!(table.company_prefix_len("6900000000000"), Ok(8));
    }

    #[cfg(feature = "alloc")]
    #[test]
    fn bad_lines_are_named() {
        assert_eq!(
            PrefixTable::parse("690 7\n69x 7\n").unwrap_err(),
            PrefixError::BadTableLine {
                line: 2,
                reason: "the prefix must be 1 to 12 digits"
            }
        );
        assert!(PrefixTable::parse("690 13").is_err());
        assert!(PrefixTable::parse("690").is_err());
    }
}
