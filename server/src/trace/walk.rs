//! What one trace carries while it walks: the identifiers reached, the hops found, the
//! notes, and the store reads it needs more than once (standings, gateway operators),
//! each made once. Hops are collected as (event, subject, via) and their events read in
//! one call when the walk is done.

use std::collections::hash_map::RandomState;
use std::collections::{HashMap, HashSet};
use std::hash::BuildHasher;
use std::rc::Rc;

use trace_proto::event::{Action, EventKind, QuantityElement};
use trace_proto::signed::GatewayId;

use super::{Direction, Hop, Trace, TraceError, UnitStatus};
use crate::store::number_map::NumberMap;
use crate::store::rows::named_party;
use crate::store::views::derive;
use crate::store::{EventKey, EventSummary, Standing, Store, StoreError};

/// The two sides of a TransformationEvent: EPCs and classes consumed, and produced.
#[derive(Debug, Default)]
pub(super) struct Sides {
    pub inputs: Vec<String>,
    pub input_classes: Vec<String>,
    pub outputs: Vec<String>,
    pub output_classes: Vec<String>,
}

/// Identifiers reached, in order, found again through a hash index into the list, so a
/// unit of a 100,000-unit recall is copied once, not once more for a set.
#[derive(Default)]
struct Reached {
    order: Vec<String>,
    hasher: RandomState,
    first: NumberMap<usize>,
    /// Identifiers whose hash an earlier one already had.
    more: HashSet<String>,
}

impl Reached {
    fn contains(&self, identifier: &str) -> bool {
        match self.first.get(&self.hasher.hash_one(identifier)) {
            Some(i) => {
                self.order.get(*i).is_some_and(|r| r == identifier)
                    || self.more.contains(identifier)
            }
            None => false,
        }
    }

    fn insert(&mut self, identifier: &str) -> bool {
        let hash = self.hasher.hash_one(identifier);
        match self.first.get(&hash) {
            Some(i) if self.order.get(*i).is_some_and(|r| r == identifier) => return false,
            Some(_) => {
                if !self.more.insert(identifier.to_owned()) {
                    return false;
                }
            }
            None => {
                self.first.insert(hash, self.order.len());
            }
        }
        self.order.push(identifier.to_owned());
        true
    }
}

/// A hop found, to be read when the walk is done.
struct PendingHop {
    key: EventKey,
    subject: String,
    via: Option<String>,
}

/// A trace in progress.
pub(super) struct Walk<'s> {
    pub store: &'s dyn Store,
    reached: Reached,
    hops: Vec<PendingHop>,
    hop_keys: HashSet<EventKey>,
    notes: Vec<String>,
    standings: HashMap<String, Option<Rc<Standing>>>,
    operators: HashMap<GatewayId, Option<String>>,
}

impl<'s> Walk<'s> {
    pub fn new(store: &'s dyn Store) -> Self {
        Self {
            store,
            reached: Reached::default(),
            hops: Vec::new(),
            hop_keys: HashSet::new(),
            notes: Vec::new(),
            standings: HashMap::new(),
            operators: HashMap::new(),
        }
    }

    /// Marks `identifier` reached; `false` if it already was.
    pub fn visit(&mut self, identifier: &str) -> bool {
        self.reached.insert(identifier)
    }

    /// Makes room for `count` more identifiers reached.
    pub fn reserve(&mut self, count: usize) {
        self.reached.order.reserve(count);
        self.reached.first.reserve(count);
    }

    /// Whether `identifier` was reached.
    pub fn visited(&self, identifier: &str) -> bool {
        self.reached.contains(identifier)
    }

    /// Records why the walk stopped somewhere, once per distinct text.
    pub fn note(&mut self, text: String) {
        if !self.notes.contains(&text) {
            self.notes.push(text);
        }
    }

    /// Moves notes gathered elsewhere into the trace.
    pub fn notes(&mut self, texts: Vec<String>) {
        texts.into_iter().for_each(|text| self.note(text));
    }

    /// Adds the hop of event `key` unless the trace has it already (its first subject
    /// wins).
    pub fn hop(&mut self, key: &EventKey, subject: &str, via: Option<&str>) {
        if self.hop_keys.insert(*key) {
            self.hops.push(PendingHop {
                key: *key,
                subject: subject.to_owned(),
                via: via.map(str::to_owned),
            });
        }
    }

    /// Summaries of the events under `keys`; a key the index names but the store lacks
    /// is damage.
    pub fn summaries(&self, keys: &[EventKey]) -> Result<Vec<EventSummary>, TraceError> {
        let summaries = self.store.event_summaries(keys)?;
        keys.iter()
            .zip(summaries)
            .map(|(key, summary)| {
                summary.ok_or_else(|| {
                    TraceError::Store(StoreError::Corrupt {
                        what: "index".into(),
                        detail: format!("it names event {key}, which is not stored"),
                    })
                })
            })
            .collect()
    }

    /// The responsible party of an event: its possessing, else owning party among the
    /// destinations, else among the sources, else the operator of the signing gateway.
    pub fn party(&mut self, summary: &EventSummary) -> Result<Option<String>, TraceError> {
        if let Some(party) = named_party(&summary.event) {
            return Ok(Some(party.to_owned()));
        }
        let Some(gateway) = &summary.signed_by else {
            return Ok(None);
        };
        if let Some(party) = self.operators.get(gateway) {
            return Ok(party.clone());
        }
        let party = self.store.gateway(gateway)?.and_then(|g| g.party);
        self.operators.insert(gateway.clone(), party.clone());
        Ok(party)
    }

    /// Reads the standings of `identifiers` not read yet, in one store call, with links
    /// complete: derived from the events where the backend keeps too many.
    pub fn fetch(&mut self, identifiers: &[&str]) -> Result<(), TraceError> {
        let missing: Vec<&str> = identifiers
            .iter()
            .copied()
            .filter(|id| !self.standings.contains_key(*id))
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        let standings = self.store.standings(&missing)?;
        for (identifier, standing) in missing.into_iter().zip(standings) {
            let standing = self.complete(standing)?;
            self.standings
                .insert(identifier.to_owned(), standing.map(Rc::new));
        }
        Ok(())
    }

    /// `standing` with its links complete.
    pub fn complete(&self, standing: Option<Standing>) -> Result<Option<Standing>, TraceError> {
        match standing {
            Some(standing) if !standing.links_complete => {
                Ok(derive(self.store, &standing.identifier)?)
            }
            other => Ok(other),
        }
    }

    /// The standing of `identifier`, read on first use.
    pub fn standing(&mut self, identifier: &str) -> Result<Option<Rc<Standing>>, TraceError> {
        self.fetch(&[identifier])?;
        Ok(self.standings.get(identifier).cloned().flatten())
    }

    /// The sides of the TransformationEvent `key`; `None` if it is another type.
    pub fn sides(&mut self, key: &EventKey) -> Result<Option<Sides>, TraceError> {
        let Some(stored) = self.store.event(key)? else {
            return Ok(None);
        };
        let EventKind::Transformation(t) = stored.event.kind else {
            return Ok(None);
        };
        let classes = |list: Vec<QuantityElement>| list.into_iter().map(|q| q.epc_class).collect();
        Ok(Some(Sides {
            inputs: t.input_epc_list,
            input_classes: classes(t.input_quantity_list),
            outputs: t.output_epc_list,
            output_classes: classes(t.output_quantity_list),
        }))
    }

    /// The finished trace: reads the hops' events in one call.
    pub fn finish(
        mut self,
        start: &str,
        direction: Direction,
        units: Vec<UnitStatus>,
    ) -> Result<Trace, TraceError> {
        let pending = std::mem::take(&mut self.hops);
        let keys: Vec<EventKey> = pending.iter().map(|hop| hop.key).collect();
        let mut events = Vec::with_capacity(pending.len());
        for (hop, summary) in pending.into_iter().zip(self.summaries(&keys)?) {
            let party = self.party(&summary)?;
            events.push(to_hop(summary, party, hop.subject, hop.via));
        }
        events.sort_by_key(|hop| (hop.time, hop.key));
        Ok(Trace {
            start: start.to_owned(),
            direction,
            reached: self.reached.order,
            events,
            units,
            notes: self.notes,
        })
    }
}

/// The action of an event (transformations have none).
fn action(kind: &EventKind) -> Option<Action> {
    match kind {
        EventKind::Object(o) => Some(o.action),
        EventKind::Aggregation(a) => Some(a.action),
        EventKind::Transaction(t) => Some(t.action),
        EventKind::Association(a) => Some(a.action),
        EventKind::Transformation(_) => None,
    }
}

/// A CBV term as its bare word, or the custom URI.
pub(super) fn term(word: Option<&str>, uri: impl FnOnce() -> String) -> String {
    word.map_or_else(uri, str::to_owned)
}

fn to_hop(
    summary: EventSummary,
    party: Option<String>,
    subject: String,
    via: Option<String>,
) -> Hop {
    let event = summary.event;
    Hop {
        key: summary.key,
        event_id: event
            .event_id
            .unwrap_or_else(|| format!("urn:rfid-trace:event:{}", summary.key)),
        event_type: event.kind.type_name(),
        time: event.event_time,
        local_time: event
            .event_time
            .display_at(event.event_time_zone_offset)
            .to_string(),
        action: action(&event.kind),
        biz_step: event
            .biz_step
            .as_ref()
            .map(|b| term(b.word(), || b.to_string())),
        disposition: event
            .disposition
            .as_ref()
            .map(|d| term(d.word(), || d.to_string())),
        read_point: event.read_point.map(|l| l.id),
        biz_location: event.biz_location.map(|l| l.id),
        party,
        signed_by: summary.signed_by.map(|g| g.to_string()),
        subject,
        via,
    }
}
