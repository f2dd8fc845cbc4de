//! GS1 element strings (GS1 General Specifications §3.2, §7.8): parsing the bracketed human
//! readable form `(01)09506000134352(10)ABC`, raw barcode data where FNC1 is transmitted as GS
//! (0x1D), and the `^`-for-FNC1 form; writing the bracketed and FNC1 forms; and checking the
//! dictionary's associations (`ex`, `req`) across a whole string.
//!
//! Storage is `heapless`: at most [`MAX_ELEMENTS`] elements, so this works without an
//! allocator.

use core::fmt::{self, Write as _};

use super::dictionary::{self, AiEntry, matches_pattern};
use super::element::{Element, Value};
pub use super::element_error::ElementStringError;
use super::lint::{LintError, snippet};

/// Most elements an [`ElementString`] holds; real barcodes carry far fewer.
pub const MAX_ELEMENTS: usize = 20;

/// FNC1 as transmitted by barcode scanners: ASCII GS.
pub const GS: char = '\u{1d}';

/// How lenient parsing is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseOptions<'a> {
    /// Characters that stand for FNC1 in raw data besides GS (e.g. `|` from a keyboard-wedge
    /// scanner).
    pub separators: &'a [char],
    /// Apply the date and time linters (default `true`).
    pub verify_dates: bool,
    /// Check the dictionary's mandatory associations (`req`). Off by default: GS1 evaluates
    /// them over all carriers on an item, so one barcode alone may lack a partner AI.
    pub check_requisites: bool,
    /// In a Digital Link, accept key qualifiers in any order and put them in order.
    pub sort_qualifiers: bool,
}

impl Default for ParseOptions<'_> {
    fn default() -> Self {
        Self {
            separators: &[],
            verify_dates: true,
            check_requisites: false,
            sort_qualifiers: false,
        }
    }
}

/// An ordered list of validated elements.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ElementString {
    elements: heapless::Vec<Element, MAX_ELEMENTS>,
}

impl ElementString {
    /// An empty element string.
    pub fn new() -> Self {
        Self::default()
    }

    /// Builds an element string from (AI, value) pairs and checks its associations.
    pub fn from_pairs<'p>(
        pairs: impl IntoIterator<Item = (&'p str, &'p str)>,
        options: &ParseOptions<'_>,
    ) -> Result<Self, ElementStringError> {
        let mut out = Self::new();
        for (ai, value) in pairs {
            out.push(ai, value, options)?;
        }
        out.check_associations(options.check_requisites)?;
        Ok(out)
    }

    /// Parses the bracketed form, `(01)09506000134352(10)ABC`; `\(` stands for a `(` inside
    /// a value.
    pub fn parse_bracketed(
        input: &str,
        options: &ParseOptions<'_>,
    ) -> Result<Self, ElementStringError> {
        if input.is_empty() {
            return Err(ElementStringError::Empty);
        }
        let mut out = Self::new();
        let mut pos = 0;
        while let Some(rest) = input.get(pos..).filter(|r| !r.is_empty()) {
            let body = rest
                .strip_prefix('(')
                .ok_or(ElementStringError::ExpectedBracket { position: pos })?;
            let (ai, after) = body
                .split_once(')')
                .ok_or(ElementStringError::UnknownAi { ai: snippet(body) })?;
            let entry = lookup(ai)?;
            let mut value = Value::new();
            let mut end = after.len();
            let mut chars = after.char_indices().peekable();
            while let Some((i, mut c)) = chars.next() {
                if c == '(' {
                    end = i;
                    break;
                }
                if c == '\\' && chars.next_if(|&(_, n)| n == '(').is_some() {
                    c = '(';
                }
                value.push(c).map_err(|_| too_long(entry, after))?;
            }
            out.push_entry(entry, &value, options)?;
            pos += 1 + ai.len() + 1 + end;
        }
        out.check_associations(options.check_requisites)?;
        Ok(out)
    }

    /// Parses raw barcode data: AIs and values concatenated, FNC1 (GS or one of
    /// `options.separators`) after each variable-length value that is not last. Redundant
    /// separators are ignored.
    pub fn parse_raw(input: &str, options: &ParseOptions<'_>) -> Result<Self, ElementStringError> {
        let is_separator = |c: char| c == GS || options.separators.contains(&c);
        let mut out = Self::new();
        let mut pos = 0;
        while let Some(rest) = input.get(pos..) {
            let skipped = rest.len() - rest.trim_start_matches(is_separator).len();
            pos += skipped;
            let rest = rest.get(skipped..).unwrap_or("");
            if rest.is_empty() {
                break;
            }
            let entry = dictionary::ai_at_start(rest).ok_or(ElementStringError::NoAi {
                position: pos,
                rest: snippet(rest),
            })?;
            let data = rest.get(entry.ai.len()..).unwrap_or("");
            let len = if entry.fnc1_required {
                data.find(is_separator).unwrap_or(data.len())
            } else {
                entry.max_len().min(data.len())
            };
            let value = data.get(..len).ok_or(ElementStringError::NoAi {
                position: pos,
                rest: snippet(rest),
            })?;
            out.push_entry(entry, value, options)?;
            pos += entry.ai.len() + len;
        }
        if out.is_empty() {
            return Err(ElementStringError::Empty);
        }
        out.check_associations(options.check_requisites)?;
        Ok(out)
    }

    /// Parses the FNC1 form written by [`ElementString::fnc1`]: `^` first and after each
    /// variable-length value that is not last.
    pub fn parse_fnc1(input: &str, options: &ParseOptions<'_>) -> Result<Self, ElementStringError> {
        let body = input
            .strip_prefix('^')
            .ok_or(ElementStringError::MissingLeadingFnc1)?;
        Self::parse_raw(
            body,
            &ParseOptions {
                separators: &['^'],
                ..*options
            },
        )
    }

    /// Validates and appends one element. Associations are checked by
    /// [`ElementString::check_associations`].
    pub fn push(
        &mut self,
        ai: &str,
        value: &str,
        options: &ParseOptions<'_>,
    ) -> Result<(), ElementStringError> {
        self.push_entry(lookup(ai)?, value, options)
    }

    fn push_entry(
        &mut self,
        entry: &'static AiEntry,
        value: &str,
        options: &ParseOptions<'_>,
    ) -> Result<(), ElementStringError> {
        let element = Element::new(entry, value, options)?;
        self.push_element(element)
    }

    /// Appends an element that was already validated.
    pub(crate) fn push_element(&mut self, element: Element) -> Result<(), ElementStringError> {
        self.elements
            .push(element)
            .map_err(|_| ElementStringError::TooManyElements { max: MAX_ELEMENTS })
    }

    /// Checks the string as a whole: no AI twice with different values, no pair the
    /// dictionary excludes (`ex`) and, with `requisites`, every mandatory association (`req`).
    pub fn check_associations(&self, requisites: bool) -> Result<(), ElementStringError> {
        for (i, e) in self.elements.iter().enumerate() {
            let mut later = self.elements.iter().skip(i + 1);
            if let Some(d) = later.find(|o| o.ai() == e.ai() && o.value() != e.value()) {
                return Err(ElementStringError::DuplicateAi { ai: d.ai() });
            }
            for pattern in e.entry().excludes {
                if let Some(o) = self
                    .elements
                    .iter()
                    .find(|o| o.ai() != e.ai() && matches_pattern(o.ai(), pattern))
                {
                    return Err(ElementStringError::Excluded {
                        ai: e.ai(),
                        other: o.ai(),
                    });
                }
            }
            if !requisites {
                continue;
            }
            for requires in e.entry().requires {
                let present = |p: &str| self.elements.iter().any(|o| matches_pattern(o.ai(), p));
                if !requires
                    .split(',')
                    .any(|group| group.split('+').all(present))
                {
                    return Err(ElementStringError::MissingRequisite {
                        ai: e.ai(),
                        requires,
                    });
                }
            }
        }
        Ok(())
    }

    /// The elements in order.
    pub fn elements(&self) -> &[Element] {
        &self.elements
    }

    /// The AIs in order.
    pub fn ais(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.elements.iter().map(Element::ai)
    }

    /// The first element with this AI.
    pub fn get(&self, ai: &str) -> Option<&Element> {
        self.elements.iter().find(|e| e.ai() == ai)
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.elements.len()
    }

    /// Whether there are no elements.
    pub fn is_empty(&self) -> bool {
        self.elements.is_empty()
    }

    /// The bracketed form, `(01)09506000134352(10)ABC`.
    pub fn bracketed(&self) -> Bracketed<'_> {
        Bracketed(self)
    }

    /// The FNC1 form, `^010950600013435210ABC`: `^` first and after each variable-length
    /// value that is not last.
    pub fn fnc1(&self) -> Fnc1<'_> {
        Fnc1(self)
    }
}

/// Writes an [`ElementString`] in bracketed form.
#[derive(Debug, Clone, Copy)]
pub struct Bracketed<'a>(&'a ElementString);

impl fmt::Display for Bracketed<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in self.0.elements() {
            write!(f, "({})", e.ai())?;
            for c in e.value().chars() {
                if c == '(' {
                    f.write_char('\\')?;
                }
                f.write_char(c)?;
            }
        }
        Ok(())
    }
}

/// Writes an [`ElementString`] in FNC1 form.
#[derive(Debug, Clone, Copy)]
pub struct Fnc1<'a>(&'a ElementString);

impl fmt::Display for Fnc1<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_char('^')?;
        let last = self.0.len().saturating_sub(1);
        for (i, e) in self.0.elements().iter().enumerate() {
            write!(f, "{}{}", e.ai(), e.value())?;
            if e.entry().fnc1_required && i != last {
                f.write_char('^')?;
            }
        }
        Ok(())
    }
}

fn lookup(ai: &str) -> Result<&'static AiEntry, ElementStringError> {
    dictionary::lookup(ai).ok_or(ElementStringError::UnknownAi { ai: snippet(ai) })
}

fn too_long(entry: &'static AiEntry, value: &str) -> ElementStringError {
    ElementStringError::Invalid {
        ai: entry.ai,
        component: entry.components.len(),
        error: LintError::TooLong {
            max: entry.max_len(),
            found: value.chars().take_while(|&c| c != '(').count(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gs1::shown;

    #[test]
    fn forms_round_trip() {
        let opts = ParseOptions::default();
        let es =
            ElementString::parse_bracketed("(01)09506000134352(10)A\\(B(17)221231", &opts).unwrap();
        assert_eq!(es.get("10").map(Element::value), Some("A(B"));
        assert_eq!(
            shown(es.bracketed()),
            "(01)09506000134352(10)A\\(B(17)221231"
        );
        assert_eq!(shown(es.fnc1()), "^010950600013435210A(B^17221231");
        let again = ElementString::parse_fnc1(&shown(es.fnc1()), &opts).unwrap();
        assert_eq!(again, es);
    }

    #[test]
    fn associations() {
        let opts = ParseOptions::default();
        let both = ElementString::parse_bracketed("(01)09506000134352(02)09506000134352", &opts);
        assert!(matches!(both, Err(ElementStringError::Excluded { .. })));
        let strict = ParseOptions {
            check_requisites: true,
            ..opts
        };
        let lot = ElementString::parse_bracketed("(10)ABC", &strict);
        assert!(matches!(
            lot,
            Err(ElementStringError::MissingRequisite { ai: "10", .. })
        ));
        assert!(ElementString::parse_bracketed("(01)09506000134352(10)ABC", &strict).is_ok());
        let dup = ElementString::parse_raw("10A\u{1d}10B", &opts);
        assert!(matches!(
            dup,
            Err(ElementStringError::DuplicateAi { ai: "10" })
        ));
    }
}
