//! The read views trace and recall walk: an identifier's [`Standing`] with its
//! [`Link`]s, and an [`EventSummary`]; and [`derive`], the standing read through the base
//! [`Store`] methods — the default of [`Store::standings`], and the fallback of a trace
//! when a backend keeps an identifier's links incomplete.

use std::sync::Arc;

use trace_proto::event::{Action, Event, EventKind};
use trace_proto::signed::GatewayId;

use super::rows::{link_of, makes_container};
use super::{EventKey, IndexEntry, Origin, Role, Store, StoreError, StoredEvent};

/// One event that links an identifier onward, as trace and recall follow it: an
/// AggregationEvent naming it as a child (into or out of `parent`), a TransformationEvent
/// consuming it (role [`Role::Input`] or [`Role::InputQuantity`]), or, for a container, an
/// AggregationEvent DELETE with no children, which empties it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The index row: time, event and role.
    pub entry: IndexEntry,
    /// The aggregation's action; `None` for transformations.
    pub action: Option<Action>,
    /// The aggregation's parent, for [`Role::Child`] links; shared, as the thousands of
    /// units of a recall name the same few hundred cases.
    pub parent: Option<Arc<str>>,
}

/// What the store knows about one identifier, in the form trace and recall walk it.
///
/// Equal to what [`Store::events_naming`], [`Store::class_of`] and
/// [`Store::recalls_affecting`] give, plus the event fields named in [`Link`]; a backend
/// may keep it up to date at commit so that a recall reads one record per unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    /// The identifier.
    pub identifier: String,
    /// Its lot class, as [`Store::class_of`].
    pub class: Option<String>,
    /// Its latest event, as [`Store::latest_naming`].
    pub latest: Option<IndexEntry>,
    /// Whether it is a container: the parent of at least one AggregationEvent ADD.
    pub is_container: bool,
    /// Its links, ordered by event time, then key. Complete only if `links_complete`.
    pub links: Vec<Link>,
    /// `false` when the backend keeps too many links for this identifier to list them
    /// here; the caller then derives them from [`Store::events_naming`].
    pub links_complete: bool,
    /// Ids of the recalls naming it, as [`Store::recalls_affecting`].
    pub recalls: Vec<String>,
    /// Where its latest event left it, when the backend keeps that beside the latest row;
    /// `None` otherwise, and the caller reads the event. A recall reports this for each of
    /// its 100,000 units, and reading as many events is most of what it would cost.
    pub latest_place: Option<Place>,
}

/// Where an event left the identifiers it names: what a recall reports as a unit's
/// status. Strings are shared, as thousands of units sit at the same few places.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The business location, else the read point.
    pub location: Option<Arc<str>>,
    /// The responsible party: the possessing, else owning party among the destinations,
    /// else among the sources, else the operator of the signing gateway when the event was
    /// stored.
    pub custodian: Option<Arc<str>>,
    /// The disposition, as a bare CBV word or a custom URI.
    pub disposition: Option<Arc<str>>,
}

/// An event without its EPC lists, for showing a step: what
/// [`Store::event_summaries`] returns, cheaper than the whole event when an event lists
/// thousands of EPCs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventSummary {
    /// The record key.
    pub key: EventKey,
    /// The event with its EPC lists (`epcList`, `childEPCs`, `inputEPCList`,
    /// `outputEPCList`) left empty; every other field as stored.
    pub event: Event,
    /// The signing gateway; `None` for an event captured over HTTP.
    pub signed_by: Option<GatewayId>,
}

impl EventSummary {
    /// The summary of a whole stored event.
    pub fn of(stored: StoredEvent) -> Self {
        let mut event = stored.event;
        match &mut event.kind {
            EventKind::Object(o) => o.epc_list = Vec::new(),
            EventKind::Aggregation(a) => a.child_epcs = Vec::new(),
            EventKind::Transaction(t) => t.epc_list = Vec::new(),
            EventKind::Transformation(t) => {
                t.input_epc_list = Vec::new();
                t.output_epc_list = Vec::new();
            }
            EventKind::Association(a) => a.child_epcs = Vec::new(),
        }
        let signed_by = match stored.origin {
            Origin::Gateway { gateway_id, .. } => Some(gateway_id),
            Origin::Captured { .. } => None,
        };
        Self {
            key: stored.key,
            event,
            signed_by,
        }
    }
}

/// The standing of `identifier`, read through `events_naming`, `event`, `class_of` and
/// `recalls_affecting`; `None` when none of them knows it.
pub(crate) fn derive<S: Store + ?Sized>(
    store: &S,
    identifier: &str,
) -> Result<Option<Standing>, StoreError> {
    let latest = store.latest_naming(identifier)?;
    let class = store.class_of(identifier)?;
    let recalls = store.recalls_affecting(identifier)?;
    if latest.is_none() && class.is_none() && recalls.is_empty() {
        return Ok(None);
    }
    let linking = [Role::Child, Role::Parent, Role::Input, Role::InputQuantity];
    let rows = store.events_naming_in(identifier, &linking)?;
    let mut links = Vec::new();
    let mut is_container = false;
    for row in &rows {
        let stored = store.event(&row.key)?.ok_or_else(|| StoreError::Corrupt {
            what: format!("index row of {identifier}"),
            detail: format!("it names event {} which is not stored", row.key),
        })?;
        is_container |= makes_container(&stored.event, row.role);
        if let Some((action, parent)) = link_of(&stored.event, row.role) {
            links.push(Link {
                entry: *row,
                action,
                parent: parent.map(Arc::from),
            });
        }
    }
    Ok(Some(Standing {
        identifier: identifier.to_owned(),
        class,
        latest,
        is_container,
        links,
        links_complete: true,
        recalls,
        latest_place: None,
    }))
}
