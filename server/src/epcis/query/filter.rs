//! Whether a stored event satisfies every parameter of a [`Query`], and the `eventID` a
//! query shows for it. Index look-ups only propose candidates; this decides.

use trace_proto::event::{Action, EventKind, QuantityElement};

use super::params::{Match, Query};
use crate::epcis::hash::event_hash_id;
use crate::store::StoredEvent;

/// The event's `eventID`: its own (captured events always have one), else its CBV 2.0 hash.
pub fn shown_id(stored: &StoredEvent) -> String {
    match &stored.event.event_id {
        Some(id) => id.clone(),
        None => event_hash_id(&stored.event),
    }
}

/// Whether `value` is `pattern` or an EPC that the EPC pattern `pattern`
/// (`urn:epc:idpat:sgtin:0614141.107346.*`) covers.
pub fn covers(pattern: &str, value: &str) -> bool {
    if pattern == value {
        return true;
    }
    let (Some(pattern), Some(value)) = (
        pattern.strip_prefix("urn:epc:idpat:"),
        value.strip_prefix("urn:epc:id:"),
    ) else {
        return false;
    };
    let (Some((p_scheme, p_fields)), Some((v_scheme, v_fields))) =
        (pattern.split_once(':'), value.split_once(':'))
    else {
        return false;
    };
    let (p_fields, v_fields): (Vec<_>, Vec<_>) =
        (p_fields.split('.').collect(), v_fields.split('.').collect());
    p_scheme == v_scheme
        && p_fields.len() == v_fields.len()
        && p_fields
            .iter()
            .zip(&v_fields)
            .all(|(p, v)| *p == "*" || p == v)
}

fn any_covered(patterns: &[String], values: &[&str]) -> bool {
    values.iter().any(|v| patterns.iter().any(|p| covers(p, v)))
}

fn classes<'a>(lists: &[&'a [QuantityElement]]) -> Vec<&'a str> {
    lists
        .iter()
        .flat_map(|list| list.iter().map(|q| q.epc_class.as_str()))
        .collect()
}

fn strs(list: &[String]) -> Vec<&str> {
    list.iter().map(String::as_str).collect()
}

/// The identifier fields of an event, empty where its type has none.
#[derive(Default)]
struct Fields<'a> {
    epcs: &'a [String],
    parent: Option<&'a str>,
    inputs: &'a [String],
    outputs: &'a [String],
    quantities: &'a [QuantityElement],
    input_quantities: &'a [QuantityElement],
    output_quantities: &'a [QuantityElement],
}

fn fields(kind: &EventKind) -> Fields<'_> {
    match kind {
        EventKind::Object(o) => Fields {
            epcs: &o.epc_list,
            quantities: &o.quantity_list,
            ..Fields::default()
        },
        EventKind::Transaction(t) => Fields {
            epcs: &t.epc_list,
            parent: t.parent_id.as_deref(),
            quantities: &t.quantity_list,
            ..Fields::default()
        },
        EventKind::Aggregation(a) => Fields {
            epcs: &a.child_epcs,
            parent: a.parent_id.as_deref(),
            quantities: &a.child_quantity_list,
            ..Fields::default()
        },
        EventKind::Association(a) => Fields {
            epcs: &a.child_epcs,
            parent: Some(a.parent_id.as_str()),
            quantities: &a.child_quantity_list,
            ..Fields::default()
        },
        EventKind::Transformation(t) => Fields {
            inputs: &t.input_epc_list,
            outputs: &t.output_epc_list,
            input_quantities: &t.input_quantity_list,
            output_quantities: &t.output_quantity_list,
            ..Fields::default()
        },
    }
}

/// The identifiers of `event` a `MATCH_…` parameter of `kind` looks at.
pub fn identifiers(kind: &EventKind, what: Match) -> Vec<&str> {
    let f = fields(kind);
    match what {
        Match::Epc => strs(f.epcs),
        Match::ParentId => f.parent.into_iter().collect(),
        Match::InputEpc => strs(f.inputs),
        Match::OutputEpc => strs(f.outputs),
        Match::AnyEpc => {
            let mut all = strs(f.epcs);
            all.extend(f.parent);
            all.extend(strs(f.inputs));
            all.extend(strs(f.outputs));
            all
        }
        Match::EpcClass => classes(&[f.quantities]),
        Match::AnyEpcClass => classes(&[f.quantities, f.input_quantities, f.output_quantities]),
    }
}

fn action(kind: &EventKind) -> Option<Action> {
    match kind {
        EventKind::Object(o) => Some(o.action),
        EventKind::Aggregation(a) => Some(a.action),
        EventKind::Transaction(t) => Some(t.action),
        EventKind::Association(a) => Some(a.action),
        EventKind::Transformation(_) => None,
    }
}

fn one_of<T: PartialEq>(wanted: &Option<Vec<T>>, value: Option<&T>) -> bool {
    match wanted {
        None => true,
        Some(list) => value.is_some_and(|v| list.contains(v)),
    }
}

/// Whether `stored` satisfies every parameter of `query` (paging aside).
pub fn matches(query: &Query, stored: &StoredEvent) -> bool {
    let event = &stored.event;
    let time = event.event_time;
    let recorded = stored.recorded;
    let type_name = event.kind.type_name().to_owned();
    one_of(&query.event_types, Some(&type_name))
        && query.ge_event_time.is_none_or(|t| time >= t)
        && query.lt_event_time.is_none_or(|t| time < t)
        && query.ge_record_time.is_none_or(|t| recorded >= t)
        && query.lt_record_time.is_none_or(|t| recorded < t)
        && one_of(&query.actions, action(&event.kind).as_ref())
        && one_of(&query.biz_steps, event.biz_step.as_ref())
        && one_of(&query.dispositions, event.disposition.as_ref())
        && one_of(&query.read_points, event.read_point.as_ref().map(|l| &l.id))
        && one_of(
            &query.biz_locations,
            event.biz_location.as_ref().map(|l| &l.id),
        )
        && query.persistent_set.as_ref().is_none_or(|wanted| {
            event
                .persistent_disposition
                .as_ref()
                .is_some_and(|p| p.set.iter().any(|d| wanted.contains(d)))
        })
        && query
            .matches
            .iter()
            .all(|(what, patterns)| any_covered(patterns, &identifiers(&event.kind, *what)))
        && query
            .event_ids
            .as_ref()
            .is_none_or(|ids| ids.contains(&shown_id(stored)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_cover_their_epcs_only() {
        let epc = "urn:epc:id:sgtin:0614141.107346.2017";
        assert!(covers(epc, epc));
        assert!(covers("urn:epc:idpat:sgtin:0614141.107346.*", epc));
        assert!(covers("urn:epc:idpat:sgtin:0614141.*.*", epc));
        assert!(!covers("urn:epc:idpat:sgtin:0614141.107347.*", epc));
        assert!(!covers("urn:epc:idpat:sscc:0614141.*", epc));
        assert!(!covers("urn:epc:id:sgtin:0614141.107346.2018", epc));
    }
}
