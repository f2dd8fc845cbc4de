//! What one trace carries while it walks: the identifiers reached, the hops found, the
//! notes, and the store reads it needs more than once (decoded events, standings,
//! gateway operators), each made once.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use trace_proto::event::{Action, Event, EventKind, SourceDestType};
use trace_proto::signed::GatewayId;

use super::{Direction, Hop, Trace, TraceError, UnitStatus};
use crate::store::standing::derive;
use crate::store::{EventKey, Origin, Standing, Store, StoreError, StoredEvent};

/// The two sides of a TransformationEvent: EPCs and classes consumed, and produced.
#[derive(Debug, Default)]
pub(super) struct Sides {
    pub inputs: Vec<String>,
    pub input_classes: Vec<String>,
    pub outputs: Vec<String>,
    pub output_classes: Vec<String>,
}

/// A trace in progress.
pub(super) struct Walk<'s> {
    pub store: &'s dyn Store,
    reached: Vec<String>,
    visited: HashSet<String>,
    hops: HashMap<EventKey, Hop>,
    notes: Vec<String>,
    events: HashMap<EventKey, Rc<StoredEvent>>,
    standings: HashMap<String, Option<Rc<Standing>>>,
    operators: HashMap<String, Option<String>>,
}

impl<'s> Walk<'s> {
    pub fn new(store: &'s dyn Store) -> Self {
        Self {
            store,
            reached: Vec::new(),
            visited: HashSet::new(),
            hops: HashMap::new(),
            notes: Vec::new(),
            events: HashMap::new(),
            standings: HashMap::new(),
            operators: HashMap::new(),
        }
    }

    /// Marks `identifier` reached; `false` if it already was.
    pub fn visit(&mut self, identifier: &str) -> bool {
        if self.visited.contains(identifier) {
            return false;
        }
        self.visited.insert(identifier.to_owned());
        self.reached.push(identifier.to_owned());
        true
    }

    /// Whether `identifier` was reached.
    pub fn visited(&self, identifier: &str) -> bool {
        self.visited.contains(identifier)
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

    /// The event under `key`; an index naming a missing event is damage.
    pub fn event(&mut self, key: &EventKey) -> Result<Rc<StoredEvent>, TraceError> {
        if let Some(event) = self.events.get(key) {
            return Ok(Rc::clone(event));
        }
        let event = self.store.event(key)?.ok_or_else(|| StoreError::Corrupt {
            what: "index".into(),
            detail: format!("it names event {key}, which is not stored"),
        })?;
        let event = Rc::new(event);
        self.events.insert(*key, Rc::clone(&event));
        Ok(event)
    }

    /// Adds the hop of event `key` unless the trace has it already (its first subject wins).
    pub fn hop(
        &mut self,
        key: &EventKey,
        subject: &str,
        via: Option<&str>,
    ) -> Result<(), TraceError> {
        if self.hops.contains_key(key) {
            return Ok(());
        }
        let stored = self.event(key)?;
        let party = self.party(&stored)?;
        self.hops.insert(*key, hop(&stored, party, subject, via));
        Ok(())
    }

    /// The responsible party of an event: its possessing, else owning party among the
    /// destinations, else among the sources, else the operator of the signing gateway.
    pub fn party(&mut self, stored: &StoredEvent) -> Result<Option<String>, TraceError> {
        if let Some(party) = named_party(&stored.event) {
            return Ok(Some(party.to_owned()));
        }
        let Origin::Gateway { gateway_id, .. } = &stored.origin else {
            return Ok(None);
        };
        self.operator(gateway_id)
    }

    fn operator(&mut self, gateway: &GatewayId) -> Result<Option<String>, TraceError> {
        if let Some(party) = self.operators.get(gateway.as_str()) {
            return Ok(party.clone());
        }
        let party = self.store.gateway(gateway)?.and_then(|g| g.party);
        self.operators.insert(gateway.to_string(), party.clone());
        Ok(party)
    }

    /// Standings of `identifiers` in one store call (those not read yet), with links
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

    /// Keeps standings read elsewhere (a lot's instances), with links complete.
    pub fn keep(&mut self, standings: Vec<Standing>) -> Result<Vec<Rc<Standing>>, TraceError> {
        let mut kept = Vec::with_capacity(standings.len());
        for standing in standings {
            if let Some(standing) = self.complete(Some(standing))? {
                let standing = Rc::new(standing);
                self.standings
                    .insert(standing.identifier.clone(), Some(Rc::clone(&standing)));
                kept.push(standing);
            }
        }
        Ok(kept)
    }

    fn complete(&self, standing: Option<Standing>) -> Result<Option<Standing>, TraceError> {
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
        let stored = self.event(key)?;
        let EventKind::Transformation(t) = &stored.event.kind else {
            return Ok(None);
        };
        let classes = |list: &[trace_proto::event::QuantityElement]| {
            list.iter().map(|q| q.epc_class.clone()).collect()
        };
        Ok(Some(Sides {
            inputs: t.input_epc_list.clone(),
            input_classes: classes(&t.input_quantity_list),
            outputs: t.output_epc_list.clone(),
            output_classes: classes(&t.output_quantity_list),
        }))
    }

    /// The finished trace.
    pub fn finish(self, start: &str, direction: Direction, units: Vec<UnitStatus>) -> Trace {
        let mut events: Vec<Hop> = self.hops.into_values().collect();
        events.sort_by_key(|hop| (hop.time, hop.key));
        Trace {
            start: start.to_owned(),
            direction,
            reached: self.reached,
            events,
            units,
            notes: self.notes,
        }
    }
}

/// The possessing, else owning party of the destinations, else of the sources.
fn named_party(event: &Event) -> Option<&str> {
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

fn hop(stored: &StoredEvent, party: Option<String>, subject: &str, via: Option<&str>) -> Hop {
    let event = &stored.event;
    Hop {
        key: stored.key,
        event_id: event
            .event_id
            .clone()
            .unwrap_or_else(|| format!("urn:rfid-trace:event:{}", stored.key)),
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
        read_point: event.read_point.as_ref().map(|l| l.id.clone()),
        biz_location: event.biz_location.as_ref().map(|l| l.id.clone()),
        party,
        signed_by: match &stored.origin {
            Origin::Gateway { gateway_id, .. } => Some(gateway_id.to_string()),
            Origin::Captured { .. } => None,
        },
        subject: subject.to_owned(),
        via: via.map(str::to_owned),
    }
}
