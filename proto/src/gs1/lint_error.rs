//! Errors of the GS1 linters and component checks, with positions that the element-string
//! layer shifts from the start of a component to the start of the AI's value.

use super::dictionary::Charset;
use super::lint_codes::CodeList;

/// Short copy of offending data, for error messages.
pub type Snippet = heapless::String<16>;

/// Copies the start of `s` that fits into a [`Snippet`].
pub(crate) fn snippet(s: &str) -> Snippet {
    let mut out = Snippet::new();
    for c in s.chars() {
        if out.push(c).is_err() {
            break;
        }
    }
    out
}

/// What a linter or the component layout found wrong. Positions are 0-based characters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LintError {
    /// Fewer characters than the component needs.
    #[error("too short: {found} characters, at least {min} required")]
    TooShort {
        /// Minimum length.
        min: usize,
        /// Length found.
        found: usize,
    },
    /// More characters than the component or AI allows.
    #[error("too long: {found} characters, at most {max} allowed")]
    TooLong {
        /// Maximum length.
        max: usize,
        /// Length found.
        found: usize,
    },
    /// A character outside the component's character set.
    #[error("character {found:?} at position {position} is not in {charset}")]
    BadCharacter {
        /// Position of the character.
        position: usize,
        /// The character.
        found: char,
        /// The set it had to belong to.
        charset: Charset,
    },
    /// A GS1 mod-10 check digit that does not match.
    #[error("bad check digit at position {position}: expected {expected}, found {found}")]
    BadCheckDigit {
        /// Position of the check digit.
        position: usize,
        /// The correct check digit.
        expected: char,
        /// The digit found.
        found: char,
    },
    /// A GS1 alphanumeric check character pair that does not match.
    #[error("bad check character pair at position {position}: expected {expected}, found {found}")]
    BadCheckPair {
        /// Position of the pair.
        position: usize,
        /// The correct pair.
        expected: Snippet,
        /// The pair found.
        found: Snippet,
    },
    /// A number outside its range (month, day, hour, latitude, …).
    #[error("{what} {found} at position {position} is out of range")]
    OutOfRange {
        /// Position of the number.
        position: usize,
        /// What the number is.
        what: &'static str,
        /// The number as found.
        found: Snippet,
    },
    /// A code that is not in its code list.
    #[error("{found:?} at position {position} is not {list}")]
    NotInList {
        /// Position of the code.
        position: usize,
        /// The list it had to belong to.
        list: CodeList,
        /// The code found.
        found: Snippet,
    },
    /// A structural rule broken, described by `what`.
    #[error("{what} at position {position}")]
    Malformed {
        /// Where the problem starts.
        position: usize,
        /// The rule broken.
        what: &'static str,
    },
}

impl LintError {
    /// The same error with its position moved `by` characters to the right.
    pub fn shifted(self, by: usize) -> Self {
        match self {
            Self::BadCharacter {
                position,
                found,
                charset,
            } => Self::BadCharacter {
                position: position + by,
                found,
                charset,
            },
            Self::BadCheckDigit {
                position,
                expected,
                found,
            } => Self::BadCheckDigit {
                position: position + by,
                expected,
                found,
            },
            Self::BadCheckPair {
                position,
                expected,
                found,
            } => Self::BadCheckPair {
                position: position + by,
                expected,
                found,
            },
            Self::OutOfRange {
                position,
                what,
                found,
            } => Self::OutOfRange {
                position: position + by,
                what,
                found,
            },
            Self::NotInList {
                position,
                list,
                found,
            } => Self::NotInList {
                position: position + by,
                list,
                found,
            },
            Self::Malformed { position, what } => Self::Malformed {
                position: position + by,
                what,
            },
            other => other,
        }
    }
}

pub(crate) fn malformed(position: usize, what: &'static str) -> LintError {
    LintError::Malformed { position, what }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_keep_whole_characters() {
        let s = snippet("\u{fffd}\u{fffd}\u{fffd}\u{fffd}\u{fffd}\u{fffd}x");
        assert_eq!(s, "\u{fffd}\u{fffd}\u{fffd}\u{fffd}\u{fffd}");
        assert_eq!(snippet("0123456789abcdefXYZ"), "0123456789abcdef");
    }
}
