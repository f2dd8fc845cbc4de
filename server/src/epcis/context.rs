//! The JSON-LD `@context` of EPCIS 2.0 documents, as far as EPCIS needs it: which prefix
//! names which namespace IRI, so `ex:batch` can be read as `{https://ns.example.com/}batch`.
//!
//! No context is fetched. The EPCIS 2.0 context is known by its published URLs and its
//! prefixes (`epcis cbv cbvmda gs1 rdfs owl xsd dcterms`) are built in; any other remote
//! context declares nothing, so keys using its prefixes are reported as undeclared.
//! Inline objects are read in order, later entries overriding earlier ones, as JSON-LD does.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde_json::Value;

use super::problem::{JsonPath, Problems};

/// The URLs under which GS1 publishes the EPCIS 2.0 JSON-LD context.
pub const EPCIS_CONTEXT_URLS: [&str; 3] = [
    "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
    "https://ref.gs1.org/standards/epcis/epcis-context.jsonld",
    "https://gs1.github.io/EPCIS/epcis-context.jsonld",
];

/// The RDF Schema namespace (`rdfs:`), home of `rdfs:comment`.
pub const RDFS_NAMESPACE: &str = "http://www.w3.org/2000/01/rdf-schema#";

/// The prefixes the EPCIS 2.0 context declares.
pub const EPCIS_PREFIXES: [(&str, &str); 8] = [
    ("epcis", "https://ref.gs1.org/epcis/"),
    ("cbv", "https://ref.gs1.org/cbv/"),
    ("cbvmda", "urn:epcglobal:cbv:mda:"),
    ("gs1", "https://gs1.org/voc/"),
    ("rdfs", RDFS_NAMESPACE),
    ("owl", "http://www.w3.org/2002/07/owl#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
    ("dcterms", "http://purl.org/dc/terms/"),
];

/// Prefixes in force for one event: the document's `@context` plus the event's own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    prefixes: BTreeMap<String, String>,
    epcis: bool,
}

impl Context {
    /// The EPCIS 2.0 context alone.
    pub fn epcis() -> Self {
        let mut context = Self::default();
        context.add_epcis();
        context
    }

    /// This context extended by the `@context` value at `path`; problems go to `problems`.
    pub fn extended(&self, value: &Value, path: &JsonPath, problems: &mut Problems) -> Self {
        let mut context = self.clone();
        match value {
            Value::Array(entries) => {
                for (i, entry) in entries.iter().enumerate() {
                    context.add_entry(entry, &path.at(i), problems);
                }
            }
            entry => context.add_entry(entry, path, problems),
        }
        context
    }

    /// Adds a prefix (later declarations of the same prefix win).
    pub fn declare(&mut self, prefix: &str, iri: &str) {
        self.prefixes.insert(prefix.into(), iri.into());
    }

    /// Whether the EPCIS 2.0 context is referenced.
    pub fn has_epcis(&self) -> bool {
        self.epcis
    }

    /// The namespace IRI of `prefix`, if declared.
    pub fn namespace(&self, prefix: &str) -> Option<&str> {
        self.prefixes.get(prefix).map(String::as_str)
    }

    /// Splits an extension key into (namespace IRI, local name): `pfx:local` with a declared
    /// prefix, or an absolute IRI (`https://ns.example.com/epcis/batch`, split after its last
    /// `/` or `#`). `None` for a key without a prefix; `Err` names an undeclared prefix.
    pub fn expand_key<'k>(&self, key: &'k str) -> Option<Result<(String, &'k str), String>> {
        let (prefix, local) = key.split_once(':')?;
        if local.starts_with("//") {
            let cut = key.rfind(['/', '#']).map_or(key.len(), |i| i + 1);
            let (namespace, local) = key.split_at(cut);
            return Some(if local.is_empty() {
                Err(format!("{key:?} is an IRI without a local name"))
            } else {
                Ok((namespace.into(), local))
            });
        }
        Some(match self.namespace(prefix) {
            Some(iri) if !local.is_empty() => Ok((iri.into(), local)),
            Some(_) => Err(format!("{key:?} has no local name after its prefix")),
            None => Err(format!(
                "prefix {prefix:?} of {key:?} is not declared in @context"
            )),
        })
    }

    /// A value written as a compact IRI with a declared prefix (`cbv:BizStep-shipping`),
    /// expanded; anything else unchanged.
    pub fn expand_curie<'v>(&self, value: &'v str) -> Cow<'v, str> {
        match value.split_once(':') {
            Some((prefix, rest)) if !rest.starts_with("//") => match self.namespace(prefix) {
                Some(iri) => Cow::Owned(format!("{iri}{rest}")),
                None => Cow::Borrowed(value),
            },
            _ => Cow::Borrowed(value),
        }
    }

    fn add_epcis(&mut self) {
        self.epcis = true;
        for (prefix, iri) in EPCIS_PREFIXES {
            self.declare(prefix, iri);
        }
    }

    fn add_entry(&mut self, entry: &Value, path: &JsonPath, problems: &mut Problems) {
        match entry {
            Value::String(url) if EPCIS_CONTEXT_URLS.contains(&url.as_str()) => self.add_epcis(),
            Value::String(url) if is_absolute_iri(url) => {}
            Value::Object(terms) => {
                for (term, definition) in terms {
                    self.add_term(term, definition, &path.key(term), problems);
                }
            }
            other => problems.push(
                path,
                format!(
                    "{other} is not a context: expected a context URL or an object of prefixes"
                ),
            ),
        }
    }

    fn add_term(
        &mut self,
        term: &str,
        definition: &Value,
        path: &JsonPath,
        problems: &mut Problems,
    ) {
        if term.starts_with('@') || term.contains(':') {
            // Keywords (`@version`) and definitions of compact IRIs (`ex:count` with an
            // `@type`) declare no prefix.
            return;
        }
        match definition {
            Value::String(iri) if iri.starts_with('@') => {}
            Value::String(iri) if is_absolute_iri(iri) => self.declare(term, iri),
            Value::Object(def) => match def.get("@id") {
                Some(Value::String(iri)) if is_absolute_iri(iri) => self.declare(term, iri),
                _ => {}
            },
            Value::Null => {
                self.prefixes.remove(term);
            }
            other => problems.push(
                path,
                format!("prefix {term:?} maps to {other}, which is not an absolute IRI"),
            ),
        }
    }
}

/// `scheme:rest` with an RFC 3986 scheme and no whitespace or control characters.
pub fn is_absolute_iri(text: &str) -> bool {
    let Some((scheme, rest)) = text.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !rest.is_empty()
        && !text.chars().any(|c| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn context(value: Value) -> (Context, Problems) {
        let mut problems = Problems::default();
        let context = Context::default().extended(&value, &JsonPath::root(), &mut problems);
        (context, problems)
    }

    #[test]
    fn epcis_context_and_inline_prefixes_in_order() {
        let (ctx, problems) = context(json!([
            EPCIS_CONTEXT_URLS[0],
            {"ex": "https://ns.example.com/epcis/", "ex:count": {"@type": "xsd:integer"}},
            {"cbvmda": "http://example.com/cbvmda/"}
        ]));
        assert!(problems.is_empty(), "{problems}");
        assert!(ctx.has_epcis());
        assert_eq!(ctx.namespace("cbvmda"), Some("http://example.com/cbvmda/"));
        assert_eq!(
            ctx.expand_key("ex:batch"),
            Some(Ok(("https://ns.example.com/epcis/".into(), "batch")))
        );
        assert_eq!(ctx.expand_key("batch"), None);
        assert!(ctx.expand_key("nope:batch").is_some_and(|r| r.is_err()));
        assert_eq!(
            ctx.expand_key("https://ns.example.com/x#y"),
            Some(Ok(("https://ns.example.com/x#".into(), "y")))
        );
        assert_eq!(
            ctx.expand_curie("gs1:Temperature"),
            "https://gs1.org/voc/Temperature"
        );
        assert_eq!(
            ctx.expand_curie("https://a.example/b"),
            "https://a.example/b"
        );
        assert_eq!(
            ctx.expand_curie("urn:epc:id:sgtin:1.2.3"),
            "urn:epc:id:sgtin:1.2.3"
        );
    }

    #[test]
    fn bad_entries_are_reported_with_their_path() {
        let (_, problems) = context(json!([42, {"ex": "not an iri"}]));
        let paths: Vec<_> = problems.list().iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["$[0]", "$[1].ex"]);
    }
}
