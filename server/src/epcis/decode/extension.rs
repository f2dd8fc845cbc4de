//! User extensions and ILMD: prefixed keys anywhere EPCIS allows them, read into
//! namespace-qualified [`Extension`]s.
//!
//! JSON `null` carries nothing (the event hash skips it too) and is dropped. Compact IRIs in
//! text values are expanded when their prefix is declared, as the event hash reads them, and
//! extensions are kept sorted by namespace and name (JSON members have no order), so the model
//! is the same whatever prefixes a sender chose.

use serde_json::{Map, Value};
use trace_proto::event::{
    CBVMDA_NAMESPACE, Date, Extension, ExtensionValue, Ilmd, MAX_EXTENSION_DEPTH,
};

use super::reader::Reader;
use crate::epcis::hash::number_text;
use crate::epcis::problem::JsonPath;

impl Reader<'_> {
    /// The extension at a prefixed `key`; `None` (after a problem, unless the value is null)
    /// when it cannot be read.
    pub(super) fn extension(
        &mut self,
        key: &str,
        value: &Value,
        path: &JsonPath,
    ) -> Option<Extension> {
        self.extension_at(key, value, path, 0)
    }

    fn extension_at(
        &mut self,
        key: &str,
        value: &Value,
        path: &JsonPath,
        depth: u8,
    ) -> Option<Extension> {
        let (namespace, name) = match self.context.expand_key(key) {
            Some(Ok((namespace, name))) => (namespace, name.to_string()),
            Some(Err(message)) => {
                self.problem(path, message);
                return None;
            }
            None => {
                self.unknown_key(key, path);
                return None;
            }
        };
        let value = self.extension_value(value, path, depth)?;
        Some(Extension {
            namespace,
            name,
            value,
        })
    }

    fn extension_value(
        &mut self,
        value: &Value,
        path: &JsonPath,
        depth: u8,
    ) -> Option<ExtensionValue> {
        let nested = matches!(value, Value::Object(_) | Value::Array(_));
        if nested && depth >= MAX_EXTENSION_DEPTH {
            self.problem(
                path,
                format!("extension nested deeper than {MAX_EXTENSION_DEPTH} levels"),
            );
            return None;
        }
        Some(match value {
            Value::Null => return None,
            Value::Bool(b) => ExtensionValue::Bool(*b),
            Value::String(text) => {
                ExtensionValue::Text(self.context.expand_curie(text).into_owned())
            }
            // A number beyond what a Decimal holds is kept as its text, which the event hash
            // renders the same way.
            Value::Number(n) => {
                let text = number_text(n);
                text.parse()
                    .map_or(ExtensionValue::Text(text), ExtensionValue::Number)
            }
            Value::Object(map) => ExtensionValue::Object(self.extensions_at(map, path, depth + 1)),
            Value::Array(items) => ExtensionValue::List(
                items
                    .iter()
                    .enumerate()
                    .filter_map(|(i, item)| self.extension_value(item, &path.at(i), depth + 1))
                    .collect(),
            ),
        })
    }

    fn extensions_at(
        &mut self,
        map: &Map<String, Value>,
        path: &JsonPath,
        depth: u8,
    ) -> Vec<Extension> {
        let mut list: Vec<Extension> = map
            .iter()
            .filter_map(|(key, value)| self.extension_at(key, value, &path.key(key), depth))
            .collect();
        sort_by_name(&mut list);
        list
    }

    /// `ilmd`: the CBV master data attributes into their fields, the rest as extensions.
    pub(super) fn ilmd(&mut self, value: &Value, path: &JsonPath) -> Option<Ilmd> {
        let map = self.object(value, path)?;
        let mut ilmd = Ilmd::default();
        for (key, value) in map {
            let path = path.key(key);
            let Some(extension) = self.extension(key, value, &path) else {
                continue;
            };
            let text = match &extension.value {
                ExtensionValue::Text(text) if extension.namespace == CBVMDA_NAMESPACE => {
                    text.as_str()
                }
                _ => {
                    ilmd.extensions.push(extension);
                    continue;
                }
            };
            let date = |r: &mut Self| {
                text.parse::<Date>()
                    .map_err(|e| {
                        r.problem(&path, format!("{text:?} is not a date (YYYY-MM-DD): {e}"))
                    })
                    .ok()
            };
            match extension.name.as_str() {
                "lotNumber" => ilmd.lot_number = Some(text.to_string()),
                "itemExpirationDate" => ilmd.item_expiration_date = date(self),
                "productionDate" => ilmd.production_date = date(self),
                "bestBeforeDate" => ilmd.best_before_date = date(self),
                "sellByDate" => ilmd.sell_by_date = date(self),
                "countryOfOrigin" if is_country_code(text) => {
                    ilmd.country_of_origin = Some(text.to_string())
                }
                "countryOfOrigin" => {
                    self.problem(
                        &path,
                        format!("{text:?} is not an ISO 3166-1 alpha-2 country code"),
                    );
                }
                _ => ilmd.extensions.push(extension),
            }
        }
        sort_by_name(&mut ilmd.extensions);
        Some(ilmd)
    }
}

/// Sorts extensions by namespace, then name (stable, so repeated names keep their order).
pub(super) fn sort_by_name(list: &mut [Extension]) {
    list.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
}

fn is_country_code(text: &str) -> bool {
    text.len() == 2 && text.bytes().all(|b| b.is_ascii_uppercase())
}
