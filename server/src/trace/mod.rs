//! Trace and recall: walking the store's indexes from one identifier to the chain of
//! events behind it (backward, origin) or every unit downstream of it (forward, recall).
//!
//! Rules both directions share:
//! - a unit inside a container inherits the container's events while packed (from the
//!   aggregation ADD to the matching DELETE), so a shipped pallet ships its cases and units;
//! - a lot class (`urn:epc:class:lgtin:…`) stands for its instances;
//! - transformations link inputs and outputs (EPCs and classes);
//! - every identifier is visited once; cycles and contradictory data (a child in two
//!   parents at once, a DELETE without ADD) end the walk there with a note, never a loop.
//!
//! The walks work on the [`Store`] contract only. A recall of a whole lot reads the lot's
//! instances as [`Standing`](crate::store::Standing)s in one call and the containers they
//! reach in one call per level, so its cost grows with units and containers, not with
//! their events.

mod backward;
mod forward;
mod stays;
mod units;
mod walk;

use serde::Serialize;
use trace_proto::epc::Lgtin;
use trace_proto::event::{Action, EventTime};

use crate::store::{EventKey, Store};
use walk::Walk;

/// Walks the store from `start`, a canonical URI (an EPC pure identity, a lot class
/// `urn:epc:class:lgtin:…`, or any other identifier), in `direction`.
///
/// Backward gives the origin: the start's events, its containers' events while it was
/// inside (`via` the container), its lot's lot-level events, and, through the
/// transformations that made it or its lot, its inputs' events back to their
/// commissioning. Forward gives the reach of a recall: the lot's instances (or the unit),
/// the containers they went into and the outputs of transformations that consumed them,
/// with one [`UnitStatus`] per affected unit; its hops are the start's events, the
/// transformations followed and, up to 200 containers, the containers' events (beyond
/// that a note says so: each unit's status still names its last event).
///
/// Every hop names its event once, with the first identifier the walk met it through as
/// `subject`.
pub fn trace(store: &dyn Store, start: &str, direction: Direction) -> Result<Trace, TraceError> {
    if store.latest_naming(start)?.is_none() {
        return Err(TraceError::Unknown(start.to_owned()));
    }
    let mut walk = Walk::new(store);
    let units = match direction {
        Direction::Backward => {
            backward::walk(&mut walk, start)?;
            Vec::new()
        }
        Direction::Forward => forward::walk(&mut walk, start)?,
    };
    walk.finish(start, direction, units)
}

/// Whether `identifier` is a lot class, which stands for its instances.
fn is_class(identifier: &str) -> bool {
    Lgtin::parse(identifier).is_ok()
}

/// Which way to walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Towards the origin: the unit's own events, its containers', its inputs'.
    Backward,
    /// Towards every descendant: units of a lot, containers, transformation outputs.
    Forward,
}

/// One event on a trace, as a hop a person can read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hop {
    /// The record key.
    pub key: EventKey,
    /// The event's public id: its `eventID`, or `urn:rfid-trace:event:<key hex>`.
    pub event_id: String,
    /// `ObjectEvent`, `AggregationEvent`, …
    pub event_type: &'static str,
    /// Event time.
    pub time: EventTime,
    /// Event time in its own zone (`2026-11-26T10:20:00+08:00`).
    pub local_time: String,
    /// ADD / OBSERVE / DELETE (absent for transformations).
    pub action: Option<Action>,
    /// The CBV bare word or the custom URI.
    pub biz_step: Option<String>,
    /// The CBV bare word or the custom URI.
    pub disposition: Option<String>,
    /// Read point URI.
    pub read_point: Option<String>,
    /// Business location URI.
    pub biz_location: Option<String>,
    /// The responsible party: the event's owning/possessing party source or
    /// destination, else the signing gateway's operator.
    pub party: Option<String>,
    /// The signing gateway; `None` means captured over HTTP.
    pub signed_by: Option<String>,
    /// The identifier of the trace this event concerns.
    pub subject: String,
    /// The container whose event this is, when the subject inherited it while packed.
    pub via: Option<String>,
}

/// Where an affected unit is now (forward traces).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitStatus {
    /// The unit.
    pub id: String,
    /// The latest event that moved or observed it, its own or its container's.
    pub last_event: Option<EventKey>,
    /// That event's time.
    pub last_time: Option<EventTime>,
    /// Business location (or read point) of that event.
    pub location: Option<String>,
    /// The custodian: possessing/owning party of that event, else its gateway's operator.
    pub custodian: Option<String>,
    /// The disposition after that event.
    pub disposition: Option<String>,
    /// The outermost container the unit is in now, if packed.
    pub container: Option<String>,
    /// Ids of the recalls naming this unit.
    pub recalls: Vec<String>,
}

/// A trace's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trace {
    /// The canonical identifier the walk started from.
    pub start: String,
    /// Which way it walked.
    pub direction: Direction,
    /// Every identifier visited, in visit order.
    pub reached: Vec<String>,
    /// The hops, ordered by time then key.
    pub events: Vec<Hop>,
    /// Forward only: one row per affected unit (not containers, not lots).
    pub units: Vec<UnitStatus>,
    /// Why the walk stopped early anywhere (cycles, contradictions, limits).
    pub notes: Vec<String>,
}

/// A trace failure.
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// Nothing in the store names the identifier.
    #[error("no event names {0}")]
    Unknown(String),
}
