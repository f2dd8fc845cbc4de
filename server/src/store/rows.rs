//! What one event contributes to the indexes, whatever the backend: the identifiers it
//! names with their roles, its locations, the lot classes whose instances it
//! commissions, and which of its rows are links a trace follows.

use std::collections::{HashMap, HashSet};

use trace_proto::epc::{EpcId, Gs1Identity};
use trace_proto::event::{Action, Event, EventKind, QuantityElement, SourceDestType};

use super::Role;

/// An event's index rows.
#[derive(Debug, Default)]
pub(crate) struct EventRows<'e> {
    /// Identifiers with their roles, each `(identifier, role)` pair once, in the event's
    /// order (so identifiers first seen together are numbered in that order).
    pub named: Vec<(&'e str, Role)>,
    /// Read point and business location, with [`Role::ReadPoint`] / [`Role::BizLocation`].
    pub locations: Vec<(&'e str, Role)>,
    /// Lot classes the event commissions instances into; each class is also named by the
    /// event, in the role [`class_role`] gives.
    pub commissioned: Vec<Commissioned<'e>>,
}

/// Instances an event commissions into one lot class.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Commissioned<'e> {
    /// The class URI, `urn:epc:class:lgtin:…`.
    pub class: String,
    /// The instances, in the event's order.
    pub instances: Vec<&'e str>,
}

fn push_epcs<'e>(named: &mut Vec<(&'e str, Role)>, list: &'e [String], role: Role) {
    named.extend(list.iter().map(|epc| (epc.as_str(), role)));
}

fn push_classes<'e>(named: &mut Vec<(&'e str, Role)>, list: &'e [QuantityElement], role: Role) {
    named.extend(list.iter().map(|q| (q.epc_class.as_str(), role)));
}

/// The rows of `event`.
pub(crate) fn event_rows(event: &Event) -> EventRows<'_> {
    let mut named = Vec::new();
    let (lot, lot_epcs): (Option<&str>, &[String]) = match &event.kind {
        EventKind::Object(o) => {
            push_epcs(&mut named, &o.epc_list, Role::Epc);
            push_classes(&mut named, &o.quantity_list, Role::Quantity);
            let ilmd = o.ilmd.as_ref().filter(|_| o.action == Action::Add);
            (ilmd.and_then(|i| i.lot_number.as_deref()), &o.epc_list)
        }
        EventKind::Aggregation(a) => {
            named.extend(a.parent_id.as_deref().map(|p| (p, Role::Parent)));
            push_epcs(&mut named, &a.child_epcs, Role::Child);
            push_classes(&mut named, &a.child_quantity_list, Role::Quantity);
            (None, &[])
        }
        EventKind::Transaction(t) => {
            named.extend(t.parent_id.as_deref().map(|p| (p, Role::Parent)));
            push_epcs(&mut named, &t.epc_list, Role::Epc);
            push_classes(&mut named, &t.quantity_list, Role::Quantity);
            (None, &[])
        }
        EventKind::Transformation(t) => {
            push_epcs(&mut named, &t.input_epc_list, Role::Input);
            push_classes(&mut named, &t.input_quantity_list, Role::InputQuantity);
            push_epcs(&mut named, &t.output_epc_list, Role::Output);
            push_classes(&mut named, &t.output_quantity_list, Role::OutputQuantity);
            let ilmd = t.ilmd.as_ref();
            (
                ilmd.and_then(|i| i.lot_number.as_deref()),
                &t.output_epc_list,
            )
        }
        EventKind::Association(a) => {
            named.push((a.parent_id.as_str(), Role::Parent));
            push_epcs(&mut named, &a.child_epcs, Role::Child);
            push_classes(&mut named, &a.child_quantity_list, Role::Quantity);
            (None, &[])
        }
    };
    let mut seen = HashSet::with_capacity(named.len());
    named.retain(|row| seen.insert(*row));
    let locations = [
        (&event.read_point, Role::ReadPoint),
        (&event.biz_location, Role::BizLocation),
    ]
    .into_iter()
    .filter_map(|(location, role)| location.as_ref().map(|l| (l.id.as_str(), role)))
    .collect();
    EventRows {
        named,
        locations,
        commissioned: lot
            .map(|lot| commissioned(lot, lot_epcs))
            .unwrap_or_default(),
    }
}

/// The role a lot class's row takes in an event commissioning its instances: the
/// instances' own role.
pub(crate) fn class_role(event: &Event) -> Role {
    match event.kind {
        EventKind::Transformation(_) => Role::Output,
        _ => Role::Epc,
    }
}

/// Groups the SGTINs of `epcs` by their lot class `urn:epc:class:lgtin:<prefix>.<item>.<lot>`;
/// EPCs that are not SGTINs, and lots an LGTIN cannot hold, commission nothing.
fn commissioned<'e>(lot: &str, epcs: &'e [String]) -> Vec<Commissioned<'e>> {
    let mut by_class: Vec<Commissioned<'e>> = Vec::new();
    let mut class_of_item: HashMap<(String, String), Option<usize>> = HashMap::new();
    for epc in epcs {
        let Ok(id) = EpcId::parse(epc) else {
            continue;
        };
        let EpcId::Sgtin(sgtin) = &id else {
            continue;
        };
        let item = (
            sgtin.company_prefix().to_owned(),
            sgtin.reference().to_owned(),
        );
        let slot = *class_of_item.entry(item).or_insert_with(|| {
            let class = lot_class(&id, lot)?;
            let index = by_class.iter().position(|c| c.class == class);
            Some(index.unwrap_or_else(|| {
                by_class.push(Commissioned {
                    class,
                    instances: Vec::new(),
                });
                by_class.len() - 1
            }))
        });
        if let Some(group) = slot.and_then(|i| by_class.get_mut(i)) {
            group.instances.push(epc);
        }
    }
    by_class
}

/// The LGTIN class URI of an SGTIN's GTIN with `lot`, built through the GS1 element
/// string form so that the lot is checked and escaped as TDS requires.
fn lot_class(sgtin: &EpcId, lot: &str) -> Option<String> {
    let EpcId::Sgtin(key) = sgtin else {
        return None;
    };
    let ais = sgtin.to_gs1().ok()?;
    let gtin = ais.iter().find(|v| v.ai == "01")?;
    let prefix_len = u8::try_from(key.company_prefix().len()).ok()?;
    match Gs1Identity::from_gs1(&[("01", gtin.value.as_str()), ("10", lot)], prefix_len) {
        Ok(Gs1Identity::Lgtin(class)) => Some(class.to_string()),
        _ => None,
    }
}

/// Whether the row of `role` in `event` makes the identifier a container: the parent of
/// an AggregationEvent ADD.
pub(crate) fn makes_container(event: &Event, role: Role) -> bool {
    matches!(&event.kind, EventKind::Aggregation(a) if role == Role::Parent && a.action == Action::Add)
}

/// The link the row of `role` in `event` is, if any: `(action, parent)` as in
/// [`Link`](super::Link).
pub(crate) fn link_of(event: &Event, role: Role) -> Option<(Option<Action>, Option<&str>)> {
    match (&event.kind, role) {
        (EventKind::Aggregation(a), Role::Child) => Some((Some(a.action), a.parent_id.as_deref())),
        (EventKind::Aggregation(a), Role::Parent)
            if a.action == Action::Delete
                && a.child_epcs.is_empty()
                && a.child_quantity_list.is_empty() =>
        {
            Some((Some(Action::Delete), None))
        }
        (EventKind::Transformation(_), Role::Input | Role::InputQuantity) => Some((None, None)),
        _ => None,
    }
}

/// The responsible party an event names: the possessing, else owning party of the
/// destinations, else of the sources.
pub(crate) fn named_party(event: &Event) -> Option<&str> {
    let kinds = [SourceDestType::PossessingParty, SourceDestType::OwningParty];
    [&event.destinations, &event.sources]
        .into_iter()
        .find_map(|list| {
            kinds
                .iter()
                .find_map(|kind| list.iter().find(|entry| entry.kind == *kind))
                .map(|entry| entry.id.as_str())
        })
}
