//! Why an element string, or one of its elements, was refused.

use super::lint::{LintError, Snippet};

/// Why an element string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ElementStringError {
    /// Nothing to parse.
    #[error("empty element string")]
    Empty,
    /// Bracketed input without `(` where an AI must start.
    #[error("expected '(' at position {position}")]
    ExpectedBracket {
        /// Byte offset in the input.
        position: usize,
    },
    /// FNC1-form input that does not start with `^`.
    #[error("FNC1 form must start with '^'")]
    MissingLeadingFnc1,
    /// An AI that is not in the dictionary.
    #[error("unknown AI ({ai})")]
    UnknownAi {
        /// The digits given.
        ai: Snippet,
    },
    /// Raw data where no AI of the dictionary begins.
    #[error("no GS1 Application Identifier at position {position}: {rest:?}")]
    NoAi {
        /// Byte offset in the input.
        position: usize,
        /// The data there.
        rest: Snippet,
    },
    /// An AI with an empty value.
    #[error("AI ({ai}): empty value")]
    EmptyValue {
        /// The AI.
        ai: &'static str,
    },
    /// A value that breaks its component layout or a linter.
    #[error("AI ({ai}): {error}")]
    Invalid {
        /// The AI.
        ai: &'static str,
        /// 1-based component number.
        component: usize,
        /// What is wrong; positions count from the start of the value.
        error: LintError,
    },
    /// More elements than [`MAX_ELEMENTS`](super::element_string::MAX_ELEMENTS).
    #[error("more than {max} elements")]
    TooManyElements {
        /// The limit.
        max: usize,
    },
    /// The same AI twice with different values.
    #[error("AI ({ai}) appears twice with different values")]
    DuplicateAi {
        /// The AI.
        ai: &'static str,
    },
    /// Two AIs the dictionary forbids together (`ex`).
    #[error("AI ({ai}) must not appear together with AI ({other})")]
    Excluded {
        /// The AI whose `ex` attribute forbids the pair.
        ai: &'static str,
        /// The other AI.
        other: &'static str,
    },
    /// An AI without the partner AIs it requires (`req`).
    #[error("AI ({ai}) requires one of: {requires}")]
    MissingRequisite {
        /// The AI.
        ai: &'static str,
        /// The `req` attribute as in the dictionary.
        requires: &'static str,
    },
}
