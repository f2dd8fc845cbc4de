//! The error type of the EPC codec: every variant names the field, position or value that is
//! wrong, so a bad tag read or a mistyped URI can be diagnosed from the message alone.

use crate::check_digit::CheckDigitError;

/// The longest unknown URI scheme name an error keeps (longer names are cut).
pub const NAME_CAP: usize = 16;

/// Why an EPC could not be decoded, parsed, encoded or converted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EpcError {
    /// The first byte of the EPC is not the header of a supported scheme.
    #[error("unknown EPC header 0x{0:02X}")]
    UnknownHeader(u8),
    /// The binary is shorter than the scheme needs.
    #[error("truncated EPC: need {needed} bits, got {given}")]
    Truncated {
        /// Bits the scheme needs (for variable-length schemes: up to the field that ran out).
        needed: usize,
        /// Bits given.
        given: usize,
    },
    /// A character of a hex string that is not `0`–`9`, `a`–`f` or `A`–`F`.
    #[error("bad hex character {found:?} at position {position}")]
    BadHex {
        /// 0-based character position.
        position: usize,
        /// The character found.
        found: char,
    },
    /// The hex string is longer than any EPC memory bank.
    #[error("hex string has {given} digits; an EPC bank holds at most {max}")]
    HexTooLong {
        /// Hex digits given.
        given: usize,
        /// The most hex digits accepted.
        max: usize,
    },
    /// The 3-bit partition value is 7, which no partition table defines.
    #[error("partition {partition} is not valid for {scheme}")]
    BadPartition {
        /// Scheme name, e.g. `sgtin-96`.
        scheme: &'static str,
        /// The partition value found.
        partition: u8,
    },
    /// A decoded numeric field has more digits than the partition allows.
    #[error("{field} value {value} exceeds {digits} digits")]
    TooManyDigits {
        /// Field name, e.g. `company prefix`.
        field: &'static str,
        /// The decoded value.
        value: u64,
        /// The number of digits allowed.
        digits: u8,
    },
    /// A character not allowed in a field.
    #[error("character {found:?} at position {position} of the {field} is not allowed")]
    BadChar {
        /// Field name.
        field: &'static str,
        /// 0-based character position within the field as given (escaped form in URIs).
        position: usize,
        /// The character found.
        found: char,
    },
    /// A character that a URI must %-escape appears raw.
    #[error("character {found:?} at position {position} of the {field} must be written {escape}")]
    MustEscape {
        /// Field name.
        field: &'static str,
        /// 0-based character position within the field.
        position: usize,
        /// The character found.
        found: char,
        /// Its escape, e.g. `%2F`.
        escape: &'static str,
    },
    /// A `%` not followed by two hex digits naming a character allowed in the field.
    #[error("bad %-escape at position {position} of the {field}")]
    BadEscape {
        /// Field name.
        field: &'static str,
        /// 0-based position of the `%`.
        position: usize,
    },
    /// A field is shorter or longer than allowed.
    #[error("{field} has {found} characters; {min} to {max} allowed")]
    BadLength {
        /// Field name.
        field: &'static str,
        /// Fewest characters allowed.
        min: usize,
        /// Most characters allowed.
        max: usize,
        /// Characters found (after unescaping).
        found: usize,
    },
    /// A leading zero where the field is an integer without leading zeros.
    #[error("{field} has a leading zero, which {context} cannot represent")]
    LeadingZero {
        /// Field name.
        field: &'static str,
        /// The scheme or grammar that forbids it, e.g. `sgtin-96`.
        context: &'static str,
    },
    /// A field a binary scheme encodes as an integer is not all digits.
    #[error("{field} must be all digits for {scheme}")]
    NotNumeric {
        /// Field name.
        field: &'static str,
        /// Scheme name.
        scheme: &'static str,
    },
    /// A value too large for the bits the chosen scheme gives it.
    #[error("{field} does not fit in the {bits} bits of {scheme}")]
    DoesNotFit {
        /// Field name.
        field: &'static str,
        /// Scheme name.
        scheme: &'static str,
        /// Bits available.
        bits: u8,
    },
    /// The URI does not start with the expected `urn:epc:` prefix.
    #[error("not an EPC URI: expected it to start with {expected}")]
    BadUriPrefix {
        /// The prefix expected.
        expected: &'static str,
    },
    /// The scheme name inside the URI is unknown (cut to [`NAME_CAP`] characters).
    #[error("unknown EPC scheme {0:?} in URI")]
    UnknownScheme(heapless::String<NAME_CAP>),
    /// The URI body does not have the scheme's number of `.`-separated components.
    #[error("{scheme} URI has {found} components; expected {expected}")]
    ComponentCount {
        /// Scheme name.
        scheme: &'static str,
        /// Components expected.
        expected: usize,
        /// Components found.
        found: usize,
    },
    /// A filter value outside the scheme's range.
    #[error("filter value {value} is not valid for {scheme} (0 to {max})")]
    BadFilter {
        /// Scheme name.
        scheme: &'static str,
        /// The value given.
        value: u64,
        /// The largest filter value of the scheme.
        max: u8,
    },
    /// The reserved bits of an SSCC-96, GSRN-96 or GSRNP-96 are not zero.
    #[error("the reserved bits of {scheme} are not zero")]
    ReservedBits {
        /// Scheme name.
        scheme: &'static str,
    },
    /// Bits after the end of a character string inside its fixed field are not zero.
    #[error("bits after the end of the {field} are not zero")]
    Padding {
        /// Field name.
        field: &'static str,
    },
    /// The GS1 Company Prefix length is outside 6 to 12 digits.
    #[error("GS1 Company Prefix length {found} is not supported: EPC schemes need 6 to 12 digits")]
    CompanyPrefixLength {
        /// The length given or found.
        found: usize,
    },
    /// A scheme of one family was asked to encode an identity of another.
    #[error("{scheme} cannot encode a {identity} identity")]
    SchemeMismatch {
        /// Scheme name.
        scheme: &'static str,
        /// Pure identity kind, e.g. `sscc`.
        identity: &'static str,
    },
    /// The output buffer is too small for the encoded EPC.
    #[error("output buffer has {given} bytes; the EPC needs {needed}")]
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
        /// Bytes given.
        given: usize,
    },
    /// The identity has no GS1 element string form.
    #[error("{0} identities have no GS1 key")]
    NoGs1Key(&'static str),
    /// A GS1 key's check digit is wrong.
    #[error("AI ({ai}): {source}")]
    CheckDigit {
        /// The Application Identifier holding the key.
        ai: &'static str,
        /// The check digit failure.
        #[source]
        source: CheckDigitError,
    },
    /// None of the AI pairs is a GS1 key an EPC can be made from.
    #[error(
        "no GS1 key among the AIs: expected one of (00) (01) (253) (255) (414) (8003) (8004) (8006) (8010) (8017) (8018)"
    )]
    NoKey,
    /// Two different GS1 keys were given.
    #[error("AIs ({first}) and ({second}) are both keys; give one")]
    SeveralKeys {
        /// The first key AI.
        first: &'static str,
        /// The second key AI.
        second: &'static str,
    },
    /// The same AI was given twice.
    #[error("AI ({0}) is given twice")]
    DuplicateAi(&'static str),
    /// A key AI needs another AI to form an EPC.
    #[error("AI ({key}) needs {needed} to form an EPC")]
    MissingAi {
        /// The key AI.
        key: &'static str,
        /// What is missing, e.g. `(21) or (10)`.
        needed: &'static str,
    },
}
