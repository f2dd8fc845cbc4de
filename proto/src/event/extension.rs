//! User extensions (the EPCIS 2.0 extension mechanism): elements from other
//! namespaces, anywhere EPCIS allows them (event level, `readPoint`, `bizLocation`,
//! `ilmd`, sensor elements, error declarations). Each is a namespace IRI, a local name
//! and a value tree, so the CBV 2.0 event hash can render `{IRI}local=value`.
//!
//! On the wire a list of extensions is *flat*: the tree in pre-order, each node with
//! its depth. Decoding therefore never recurses on input, so a hostile event cannot
//! exhaust the stack; the tree is rebuilt with at most [`MAX_EXTENSION_DEPTH`] levels.

use alloc::string::String;
use alloc::vec::Vec;

use serde::de::Error as _;
use serde::ser::{Error as _, SerializeSeq};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::decimal::Decimal;

/// Deepest nesting of extension values accepted (top-level elements are depth 0).
pub const MAX_EXTENSION_DEPTH: u8 = 16;

/// One extension element: `{namespace}name` with a value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Extension {
    /// Namespace IRI, verbatim (`https://ns.example.com/epcis/`, trailing `/` or `#` kept).
    pub namespace: String,
    /// Local name (`batch`).
    pub name: String,
    /// The value.
    pub value: ExtensionValue,
}

impl Extension {
    /// An extension with a text value.
    pub fn text(namespace: &str, name: &str, value: &str) -> Self {
        Self {
            namespace: namespace.into(),
            name: name.into(),
            value: ExtensionValue::Text(value.into()),
        }
    }
}

/// The value of an extension element.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ExtensionValue {
    /// Text, verbatim.
    Text(String),
    /// A number (JSON number).
    Number(Decimal),
    /// A boolean.
    Bool(bool),
    /// Child elements (an XML element with children, a JSON object).
    Object(Vec<Extension>),
    /// Repeated values of one element (a JSON array).
    List(Vec<ExtensionValue>),
}

/// One node of the flat wire form. `S` is `&str` when encoding, `String` when decoding,
/// which postcard writes identically.
#[derive(Serialize, Deserialize)]
struct Node<S> {
    depth: u8,
    /// `(namespace, name)`; `None` for items of a list.
    key: Option<(S, S)>,
    value: Leaf<S>,
}

#[derive(Serialize, Deserialize)]
enum Leaf<S> {
    Text(S),
    Number(Decimal),
    Bool(bool),
    /// Children follow at `depth + 1`, all keyed.
    Object,
    /// Items follow at `depth + 1`, none keyed.
    List,
}

/// Number of wire nodes for `value` at `depth`, refusing trees deeper than decoding
/// accepts (so everything encoded decodes, and the recursion here is bounded too).
fn count(value: &ExtensionValue, depth: u8) -> Result<usize, &'static str> {
    let children: usize = match value {
        ExtensionValue::Object(_) | ExtensionValue::List(_) if depth >= MAX_EXTENSION_DEPTH => {
            return Err("extension nested deeper than MAX_EXTENSION_DEPTH");
        }
        ExtensionValue::Object(items) => items
            .iter()
            .map(|e| count(&e.value, depth + 1))
            .sum::<Result<_, _>>()?,
        ExtensionValue::List(items) => items
            .iter()
            .map(|v| count(v, depth + 1))
            .sum::<Result<_, _>>()?,
        _ => 0,
    };
    Ok(1 + children)
}

fn emit<'a, S: SerializeSeq>(
    seq: &mut S,
    depth: u8,
    key: Option<(&'a str, &'a str)>,
    value: &'a ExtensionValue,
) -> Result<(), S::Error> {
    let leaf = match value {
        ExtensionValue::Text(text) => Leaf::Text(text.as_str()),
        ExtensionValue::Number(n) => Leaf::Number(*n),
        ExtensionValue::Bool(b) => Leaf::Bool(*b),
        ExtensionValue::Object(_) => Leaf::Object,
        ExtensionValue::List(_) => Leaf::List,
    };
    seq.serialize_element(&Node {
        depth,
        key,
        value: leaf,
    })?;
    match value {
        ExtensionValue::Object(items) => items
            .iter()
            .try_for_each(|e| emit(seq, depth + 1, Some((&e.namespace, &e.name)), &e.value)),
        ExtensionValue::List(items) => items.iter().try_for_each(|v| emit(seq, depth + 1, None, v)),
        _ => Ok(()),
    }
}

/// serde `with` module for `Vec<Extension>` fields.
pub(crate) mod wire {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(list: &[Extension], s: S) -> Result<S::Ok, S::Error> {
        let len = list
            .iter()
            .map(|e| count(&e.value, 0))
            .sum::<Result<usize, _>>();
        let len = len.map_err(S::Error::custom)?;
        let mut seq = s.serialize_seq(Some(len))?;
        for e in list {
            emit(&mut seq, 0, Some((&e.namespace, &e.name)), &e.value)?;
        }
        seq.end()
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Extension>, D::Error> {
        let nodes = Vec::<Node<String>>::deserialize(d)?;
        let mut nodes = nodes.into_iter().peekable();
        let items = build(&mut nodes, 0).map_err(D::Error::custom)?;
        keyed(items).map_err(D::Error::custom)
    }
}

type Nodes = core::iter::Peekable<alloc::vec::IntoIter<Node<String>>>;
type Item = (Option<(String, String)>, ExtensionValue);

/// Rebuilds the siblings at `depth`; recursion is bounded by [`MAX_EXTENSION_DEPTH`].
fn build(nodes: &mut Nodes, depth: u8) -> Result<Vec<Item>, &'static str> {
    let mut items = Vec::new();
    while let Some(node) = nodes.next_if(|n| n.depth >= depth) {
        if node.depth != depth {
            return Err("extension node skips a nesting level");
        }
        let nested = matches!(node.value, Leaf::Object | Leaf::List);
        if nested && depth >= MAX_EXTENSION_DEPTH {
            return Err("extension nested deeper than MAX_EXTENSION_DEPTH");
        }
        let value = match node.value {
            Leaf::Text(text) => ExtensionValue::Text(text),
            Leaf::Number(n) => ExtensionValue::Number(n),
            Leaf::Bool(b) => ExtensionValue::Bool(b),
            Leaf::Object => ExtensionValue::Object(keyed(build(nodes, depth + 1)?)?),
            Leaf::List => ExtensionValue::List(unkeyed(build(nodes, depth + 1)?)?),
        };
        items.push((node.key, value));
    }
    Ok(items)
}

fn keyed(items: Vec<Item>) -> Result<Vec<Extension>, &'static str> {
    items
        .into_iter()
        .map(|(key, value)| match key {
            Some((namespace, name)) => Ok(Extension {
                namespace,
                name,
                value,
            }),
            None => Err("extension element without a name outside a list"),
        })
        .collect()
}

fn unkeyed(items: Vec<Item>) -> Result<Vec<ExtensionValue>, &'static str> {
    items
        .into_iter()
        .map(|(key, value)| match key {
            None => Ok(value),
            Some(_) => Err("named extension element inside a list"),
        })
        .collect()
}
