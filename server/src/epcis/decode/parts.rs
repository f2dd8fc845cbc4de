//! The nested objects of an event: quantity elements, locations, business transactions,
//! sources and destinations, persistent dispositions and error declarations.

use serde_json::{Map, Value};
use trace_proto::event::{
    BizTransaction, BizTransactionType, Disposition, ErrorDeclaration, ErrorReason, Extension,
    Location, PersistentDisposition, QuantityElement, SourceDest, SourceDestType,
};

use super::extension::sort_by_name;
use super::ident::IdKind;
use super::reader::Reader;
use crate::epcis::problem::JsonPath;

impl Reader<'_> {
    /// The members of `map` other than `fields`: extensions, or problems when unprefixed.
    pub(super) fn other_members(
        &mut self,
        map: &Map<String, Value>,
        fields: &[&str],
        path: &JsonPath,
    ) -> Vec<Extension> {
        let mut list: Vec<Extension> = map
            .iter()
            .filter(|(key, value)| !fields.contains(&key.as_str()) && !value.is_null())
            .filter_map(|(key, value)| self.extension(key, value, &path.key(key)))
            .collect();
        sort_by_name(&mut list);
        list
    }

    pub(super) fn quantities(&mut self, value: &Value, path: &JsonPath) -> Vec<QuantityElement> {
        let items = self.array(value, path);
        (0..items.len())
            .filter_map(|i| {
                let path = path.at(i);
                let map = self.object(items.get(i)?, &path)?;
                self.closed(map, &["epcClass", "quantity", "uom"], &path);
                let epc_class = match map.get("epcClass") {
                    Some(v) => self.id(v, &path.key("epcClass"), IdKind::Class),
                    None => {
                        self.problem(&path, "epcClass is required");
                        None
                    }
                };
                let quantity = map
                    .get("quantity")
                    .map(|v| self.decimal(v, &path.key("quantity")));
                let uom = map.get("uom").map(|v| self.uom(v, &path.key("uom")));
                Some(QuantityElement {
                    epc_class: epc_class?,
                    quantity: quantity.flatten(),
                    uom: uom.flatten(),
                })
            })
            .collect()
    }

    /// Reports members of `map` outside `fields` (objects that take no extensions).
    pub(super) fn closed(&mut self, map: &Map<String, Value>, fields: &[&str], path: &JsonPath) {
        for key in map.keys().filter(|k| !fields.contains(&k.as_str())) {
            self.problem(
                &path.key(key),
                format!("unknown field {key:?} (expected {})", fields.join(", ")),
            );
        }
    }

    pub(super) fn persistent_disposition(
        &mut self,
        value: &Value,
        path: &JsonPath,
    ) -> Option<PersistentDisposition> {
        let map = self.object(value, path)?;
        self.closed(map, &["set", "unset"], path);
        let mut terms = |key: &str| -> Vec<Disposition> {
            let Some(list) = map.get(key) else {
                return Vec::new();
            };
            let path = path.key(key);
            let items = self.array(list, &path);
            (0..items.len())
                .filter_map(|i| {
                    items
                        .get(i)
                        .and_then(|v| self.term(v, &path.at(i), Disposition::parse))
                })
                .collect()
        };
        let (set, unset) = (terms("set"), terms("unset"));
        if set.is_empty()
            && unset.is_empty()
            && !map.contains_key("set")
            && !map.contains_key("unset")
        {
            self.problem(path, "persistentDisposition needs set or unset");
        }
        Some(PersistentDisposition { set, unset })
    }

    pub(super) fn location(&mut self, value: &Value, path: &JsonPath) -> Option<Location> {
        let map = self.object(value, path)?;
        let extensions = self.other_members(map, &["id"], path);
        match map.get("id") {
            Some(id) => Some(Location {
                id: self.id(id, &path.key("id"), IdKind::Other)?,
                extensions,
            }),
            None => {
                self.problem(path, "id is required");
                None
            }
        }
    }

    pub(super) fn biz_transactions(
        &mut self,
        value: &Value,
        path: &JsonPath,
    ) -> Vec<BizTransaction> {
        let items = self.array(value, path);
        (0..items.len())
            .filter_map(|i| {
                let path = path.at(i);
                let map = self.object(items.get(i)?, &path)?;
                self.closed(map, &["type", "bizTransaction"], &path);
                let kind = map
                    .get("type")
                    .map(|t| self.term(t, &path.key("type"), BizTransactionType::parse));
                let id = self.required_id(map, "bizTransaction", &path);
                Some(BizTransaction {
                    kind: kind.flatten(),
                    id: id?,
                })
            })
            .collect()
    }

    pub(super) fn sources(
        &mut self,
        value: &Value,
        path: &JsonPath,
        id_key: &str,
    ) -> Vec<SourceDest> {
        let items = self.array(value, path);
        (0..items.len())
            .filter_map(|i| {
                let path = path.at(i);
                let map = self.object(items.get(i)?, &path)?;
                self.closed(map, &["type", id_key], &path);
                let kind = match map.get("type") {
                    Some(t) => self.term(t, &path.key("type"), SourceDestType::parse),
                    None => {
                        self.problem(&path, "type is required");
                        None
                    }
                };
                let id = self.required_id(map, id_key, &path);
                Some(SourceDest {
                    kind: kind?,
                    id: id?,
                })
            })
            .collect()
    }

    pub(super) fn required_id(
        &mut self,
        map: &Map<String, Value>,
        key: &str,
        path: &JsonPath,
    ) -> Option<String> {
        match map.get(key) {
            Some(v) => self.id(v, &path.key(key), IdKind::Other),
            None => {
                self.problem(path, format!("{key} is required"));
                None
            }
        }
    }

    pub(super) fn error_declaration(
        &mut self,
        value: &Value,
        path: &JsonPath,
    ) -> Option<ErrorDeclaration> {
        let map = self.object(value, path)?;
        let fields = ["declarationTime", "reason", "correctiveEventIDs"];
        let extensions = self.other_members(map, &fields, path);
        let reason = map
            .get("reason")
            .map(|r| self.term(r, &path.key("reason"), ErrorReason::parse));
        let corrective = map.get("correctiveEventIDs").map(|list| {
            let path = path.key("correctiveEventIDs");
            let items = self.array(list, &path);
            (0..items.len())
                .filter_map(|i| items.get(i).and_then(|v| self.uri(v, &path.at(i))))
                .collect()
        });
        let time = match map.get("declarationTime") {
            Some(t) => self.time(t, &path.key("declarationTime")),
            None => {
                self.problem(path, "declarationTime is required");
                None
            }
        };
        Some(ErrorDeclaration {
            declaration_time: time?,
            reason: reason.flatten(),
            corrective_event_ids: corrective.unwrap_or_default(),
            extensions,
        })
    }
}
