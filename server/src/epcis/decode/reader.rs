//! Reading JSON values into model values, each failure recorded as a problem at its path.
//! Every reader returns `None` (or skips the item) after recording, so decoding goes on and
//! reports every problem of a document.

use serde_json::{Map, Value};
use trace_proto::company_prefix::CompanyPrefixes;
use trace_proto::event::{CbvError, Decimal, EventTime, TimeZoneOffset};

use super::ident::{IdKind, identifier};
use crate::epcis::context::{Context, is_absolute_iri};
use crate::epcis::hash::number_text;
use crate::epcis::problem::{JsonPath, Problems};

/// What the readers of one event share.
pub(super) struct Reader<'a> {
    /// Prefixes in force for the event.
    pub(super) context: Context,
    /// Company prefix lengths, to turn Digital Links into EPC URIs.
    pub(super) prefixes: &'a dyn CompanyPrefixes,
    /// Where problems go.
    pub(super) problems: &'a mut Problems,
}

impl Reader<'_> {
    pub(super) fn problem(&mut self, path: &JsonPath, message: impl std::fmt::Display) {
        self.problems.push(path, message);
    }

    pub(super) fn object<'v>(
        &mut self,
        value: &'v Value,
        path: &JsonPath,
    ) -> Option<&'v Map<String, Value>> {
        match value {
            Value::Object(map) => Some(map),
            other => {
                self.problem(path, format!("{other} is not an object"));
                None
            }
        }
    }

    /// The items of an array; a problem and no items for anything else.
    pub(super) fn array<'v>(&mut self, value: &'v Value, path: &JsonPath) -> &'v [Value] {
        match value {
            Value::Array(items) => items,
            other => {
                self.problem(path, format!("{other} is not an array"));
                &[]
            }
        }
    }

    /// A non-empty string.
    pub(super) fn string<'v>(&mut self, value: &'v Value, path: &JsonPath) -> Option<&'v str> {
        match value {
            Value::String(s) if !s.trim().is_empty() => Some(s),
            Value::String(_) => {
                self.problem(path, "empty string");
                None
            }
            other => {
                self.problem(path, format!("{other} is not a string"));
                None
            }
        }
    }

    /// An RFC 3339 timestamp with offset.
    pub(super) fn time(&mut self, value: &Value, path: &JsonPath) -> Option<EventTime> {
        let text = self.string(value, path)?;
        text.parse()
            .map_err(|e| {
                self.problem(
                    path,
                    format!("{text:?} is not a date-time with offset (2024-03-01T10:15:30.123+01:00): {e}"),
                )
            })
            .ok()
    }

    pub(super) fn offset(&mut self, value: &Value, path: &JsonPath) -> Option<TimeZoneOffset> {
        let text = self.string(value, path)?;
        text.parse()
            .map_err(|e| {
                self.problem(
                    path,
                    format!("{text:?} is not a time zone offset (+01:00): {e}"),
                )
            })
            .ok()
    }

    /// An identifier of `kind`, in its canonical form.
    pub(super) fn id(&mut self, value: &Value, path: &JsonPath, kind: IdKind) -> Option<String> {
        let text = self.string(value, path)?;
        identifier(text, kind, &self.context, self.prefixes)
            .map_err(|message| self.problem(path, message))
            .ok()
    }

    /// A list of identifiers of `kind`.
    pub(super) fn ids(&mut self, value: &Value, path: &JsonPath, kind: IdKind) -> Vec<String> {
        let items = self.array(value, path);
        (0..items.len())
            .filter_map(|i| items.get(i).and_then(|v| self.id(v, &path.at(i), kind)))
            .collect()
    }

    /// An absolute URI taken as written (a compact IRI with a declared prefix expanded).
    pub(super) fn uri(&mut self, value: &Value, path: &JsonPath) -> Option<String> {
        let text = self.string(value, path)?;
        let expanded = self.context.expand_curie(text);
        if is_absolute_iri(&expanded) {
            Some(expanded.into_owned())
        } else {
            self.problem(path, format!("{text:?} is not an absolute URI"));
            None
        }
    }

    /// A bare word or an absolute URI; a URI under `web_prefix` is written as its word.
    pub(super) fn word_or_uri(
        &mut self,
        value: &Value,
        path: &JsonPath,
        web_prefix: &str,
    ) -> Option<String> {
        let text = self.string(value, path)?;
        let expanded = self.context.expand_curie(text);
        if let Some(word) = expanded.strip_prefix(web_prefix) {
            return Some(word.to_string());
        }
        let is_word = !expanded.contains(':')
            && !expanded
                .chars()
                .any(|c| c.is_whitespace() || c.is_control());
        if is_word || is_absolute_iri(&expanded) {
            Some(expanded.into_owned())
        } else {
            self.problem(
                path,
                format!("{text:?} is neither a vocabulary word nor an absolute URI"),
            );
            None
        }
    }

    /// A CBV term (bare word, web URI, URN) or a custom URI.
    pub(super) fn term<T>(
        &mut self,
        value: &Value,
        path: &JsonPath,
        parse: fn(&str) -> Result<T, CbvError>,
    ) -> Option<T> {
        let text = self.string(value, path)?;
        parse(&self.context.expand_curie(text))
            .map_err(|e| match e {
                CbvError::UnknownWord { .. } => self.problem(
                    path,
                    format!("{e}; a term of another vocabulary must be an absolute URI"),
                ),
                e => self.problem(path, e),
            })
            .ok()
    }

    /// A number, as a JSON number or a string of decimal digits.
    pub(super) fn decimal(&mut self, value: &Value, path: &JsonPath) -> Option<Decimal> {
        let text = match value {
            Value::Number(n) => number_text(n),
            Value::String(s) => s.clone(),
            other => {
                self.problem(path, format!("{other} is not a number"));
                return None;
            }
        };
        text.parse()
            .map_err(|e| self.problem(path, format!("{value} is not a decimal number: {e}")))
            .ok()
    }

    pub(super) fn boolean(&mut self, value: &Value, path: &JsonPath) -> Option<bool> {
        match value {
            Value::Bool(b) => Some(*b),
            other => {
                self.problem(path, format!("{other} is not a boolean"));
                None
            }
        }
    }

    /// A UN/CEFACT Recommendation 20 unit code (`KGM`, `CEL`).
    pub(super) fn uom(&mut self, value: &Value, path: &JsonPath) -> Option<String> {
        let text = self.string(value, path)?;
        let valid = (2..=3).contains(&text.len())
            && text
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if valid {
            Some(text.to_string())
        } else {
            self.problem(
                path,
                format!("{text:?} is not a UN/CEFACT Rec. 20 unit code (2-3 capitals or digits)"),
            );
            None
        }
    }

    /// Reports a key that is neither a field here nor an extension.
    pub(super) fn unknown_key(&mut self, key: &str, path: &JsonPath) {
        self.problem(
            path,
            format!(
                "unknown field {key:?}: an extension needs a namespace prefix declared in @context"
            ),
        );
    }
}
