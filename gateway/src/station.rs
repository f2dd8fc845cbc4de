//! Business events from tag entries: what a tag arriving at a station means, by the
//! station's profile (observe, commission, pack, unpack) and business context.
//!
//! A door with a [`Direction`] reports a crossing instead of an entry: the first read
//! on one side's antenna and a later read on the other side's make one ObjectEvent with
//! the inbound or outbound business step.
//!
//! Pack and unpack stations pair items with a container (an SSCC): items whose entry
//! falls within `window_ms` before or after the container's entry become its children
//! in one AggregationEvent (ADD when packing, DELETE when unpacking), emitted once the
//! window has passed. A container with no children produces no event.
//!
//! A transform station (module `transform`) gathers a production run: the tags entering
//! within `window_ms` of the first one, inputs and outputs, make one
//! TransformationEvent with the station's current lot.

use std::collections::{HashMap, VecDeque};

use trace_proto::event::{
    Action, AggregationEvent, BizStep, BizTransaction, Disposition, Event, EventKind, EventTime,
    Ilmd, Location, ObjectEvent, SourceDest, SourceDestType, TimeError, TimeZoneOffset,
};

use crate::config::{Direction, LotData, Profile, StationConfig};

mod transform;
use transform::Run;

const SSCC_PREFIX: &str = "urn:epc:id:sscc:";

/// An open container at a pack or unpack station.
#[derive(Debug)]
struct OpenContainer {
    parent: String,
    opened_ms: u64,
    children: Vec<String>,
}

/// The side of a door an antenna watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Outside,
    Inside,
}

/// A tag at a door: the side first seen, and whether its crossing was reported.
#[derive(Debug, Clone, Copy)]
struct Crossing {
    first: Side,
    reported: bool,
}

/// A station and the pairing state of its pack profile.
#[derive(Debug)]
pub struct Station {
    config: StationConfig,
    offset: TimeZoneOffset,
    /// Tags present at a door with a direction, by URI.
    crossings: HashMap<String, Crossing>,
    /// Items entered recently without a container, oldest first.
    loose: VecDeque<(String, u64)>,
    open: Option<OpenContainer>,
    /// The production run being gathered at a transform station.
    run: Option<Run>,
}

impl Station {
    /// A station writing event times at `offset`.
    pub fn new(config: StationConfig, offset: TimeZoneOffset) -> Self {
        Self {
            config,
            offset,
            crossings: HashMap::new(),
            loose: VecDeque::new(),
            open: None,
            run: None,
        }
    }

    /// The station's configuration.
    pub fn config(&self) -> &StationConfig {
        &self.config
    }

    /// Whether the station reports crossings ([`sighting`](Self::sighting)) rather
    /// than entries.
    pub fn has_direction(&self) -> bool {
        self.config.direction.is_some()
    }

    /// A read of `tag` on `antenna` at a door with a direction; makes the crossing's
    /// event once the tag has been seen on both sides. `recalled` is asked only then.
    pub fn sighting(
        &mut self,
        tag: &str,
        antenna: u16,
        at_ms: u64,
        recalled: impl FnOnce() -> bool,
    ) -> Result<Vec<Event>, TimeError> {
        let Some(direction) = &self.config.direction else {
            return Ok(Vec::new());
        };
        let Some(side) = side_of(direction, antenna) else {
            return Ok(Vec::new());
        };
        let crossing = match self.crossings.get_mut(tag) {
            None => {
                let first = Crossing {
                    first: side,
                    reported: false,
                };
                self.crossings.insert(tag.to_owned(), first);
                return Ok(Vec::new());
            }
            Some(c) if c.reported || c.first == side => return Ok(Vec::new()),
            Some(c) => c,
        };
        crossing.reported = true;
        let (step, disposition) = match crossing.first {
            Side::Outside => direction.inbound.clone(),
            Side::Inside => direction.outbound.clone(),
        };
        let kind = EventKind::Object(ObjectEvent {
            action: Action::Observe,
            epc_list: vec![tag.to_owned()],
            quantity_list: Vec::new(),
            ilmd: None,
        });
        let disposition = if recalled() {
            Some(Disposition::Recalled)
        } else {
            disposition
        };
        Ok(vec![self.event_as(kind, at_ms, step, disposition)?])
    }

    /// The tag has left the station: a later sighting starts a new crossing.
    pub fn exit(&mut self, tag: &str) {
        self.crossings.remove(tag);
    }

    /// The events a tag entering at `at_ms` (Unix ms) makes; `recalled` marks a unit on
    /// the active recall list, whose event then carries disposition `recalled`. A door
    /// with a direction makes none: its events come from [`sighting`](Self::sighting).
    pub fn entry(
        &mut self,
        tag: &str,
        at_ms: u64,
        recalled: bool,
    ) -> Result<Vec<Event>, TimeError> {
        if self.has_direction() {
            return Ok(Vec::new());
        }
        let window_ms = match &self.config.profile {
            Profile::Observe => return self.object(Action::Observe, tag, at_ms, None, recalled),
            Profile::Commission(lot) => {
                let ilmd = Some(ilmd(lot));
                return self.object(Action::Add, tag, at_ms, ilmd, recalled);
            }
            Profile::Transform(_) => return self.transform_entry(tag, at_ms),
            Profile::Pack { window_ms } | Profile::Unpack { window_ms } => *window_ms,
        };
        let mut events = self.close_due(at_ms)?;
        if tag.starts_with(SSCC_PREFIX) {
            events.extend(self.close()?);
            let since = at_ms.saturating_sub(window_ms);
            let children = self
                .loose
                .drain(..)
                .filter(|(_, t)| *t >= since)
                .map(|(c, _)| c)
                .collect();
            self.open = Some(OpenContainer {
                parent: tag.to_owned(),
                opened_ms: at_ms,
                children,
            });
        } else if let Some(open) = self.open.as_mut() {
            open.children.push(tag.to_owned());
        } else {
            self.loose.push_back((tag.to_owned(), at_ms));
        }
        Ok(events)
    }

    /// Closes a pack window that has passed by `now_ms` and forgets loose items older
    /// than the window.
    pub fn tick(&mut self, now_ms: u64) -> Result<Vec<Event>, TimeError> {
        if matches!(self.config.profile, Profile::Transform(_)) {
            return self.close_run_due(now_ms);
        }
        self.close_due(now_ms)
    }

    /// The lot a commissioning or transformation station writes from now on. A run
    /// being gathered is closed first, with the lot it was gathered under, and its event
    /// returned; a run gathered while no lot was set takes this one instead. Other
    /// profiles write no lot and ignore it.
    pub fn set_lot(&mut self, lot: LotData) -> Result<Vec<Event>, TimeError> {
        let waiting = matches!(&self.config.profile, Profile::Transform(t) if t.lot.lot.is_none());
        let events = if waiting {
            Vec::new()
        } else {
            self.close_run()?
        };
        match &mut self.config.profile {
            Profile::Commission(current) => *current = lot,
            Profile::Transform(t) => t.lot = lot,
            Profile::Observe | Profile::Pack { .. } | Profile::Unpack { .. } => {}
        }
        Ok(events)
    }

    /// Closes whatever is open (a pack window, a production run) now, as at shutdown.
    pub fn flush(&mut self) -> Result<Vec<Event>, TimeError> {
        let mut events = self.close()?;
        events.extend(self.close_run()?);
        self.loose.clear();
        Ok(events)
    }

    fn window_ms(&self) -> u64 {
        match &self.config.profile {
            Profile::Pack { window_ms } | Profile::Unpack { window_ms } => *window_ms,
            Profile::Transform(t) => t.window_ms,
            Profile::Observe | Profile::Commission(_) => 0,
        }
    }

    fn close_due(&mut self, now_ms: u64) -> Result<Vec<Event>, TimeError> {
        let window_ms = self.window_ms();
        while self
            .loose
            .front()
            .is_some_and(|(_, t)| now_ms.saturating_sub(*t) > window_ms)
        {
            self.loose.pop_front();
        }
        let due = self
            .open
            .as_ref()
            .is_some_and(|o| now_ms.saturating_sub(o.opened_ms) > window_ms);
        if due { self.close() } else { Ok(Vec::new()) }
    }

    fn close(&mut self) -> Result<Vec<Event>, TimeError> {
        let Some(open) = self.open.take() else {
            return Ok(Vec::new());
        };
        if open.children.is_empty() {
            tracing::info!(station = %self.config.name, parent = %open.parent, "container read without items: no aggregation");
            return Ok(Vec::new());
        }
        let action = match self.config.profile {
            Profile::Unpack { .. } => Action::Delete,
            _ => Action::Add,
        };
        let kind = EventKind::Aggregation(AggregationEvent {
            action,
            parent_id: Some(open.parent),
            child_epcs: open.children,
            child_quantity_list: Vec::new(),
        });
        Ok(vec![self.event(kind, open.opened_ms, false)?])
    }

    fn object(
        &self,
        action: Action,
        tag: &str,
        at_ms: u64,
        ilmd: Option<Ilmd>,
        recalled: bool,
    ) -> Result<Vec<Event>, TimeError> {
        let kind = EventKind::Object(ObjectEvent {
            action,
            epc_list: vec![tag.to_owned()],
            quantity_list: Vec::new(),
            ilmd,
        });
        Ok(vec![self.event(kind, at_ms, recalled)?])
    }

    /// An event of `kind` with the station's business context.
    fn event(&self, kind: EventKind, at_ms: u64, recalled: bool) -> Result<Event, TimeError> {
        let disposition = if recalled {
            Some(Disposition::Recalled)
        } else {
            self.config.disposition.clone()
        };
        self.event_as(kind, at_ms, self.config.biz_step.clone(), disposition)
    }

    /// An event of `kind` with the station's context but `biz_step` and `disposition`.
    fn event_as(
        &self,
        kind: EventKind,
        at_ms: u64,
        biz_step: BizStep,
        disposition: Option<Disposition>,
    ) -> Result<Event, TimeError> {
        let millis = i64::try_from(at_ms).unwrap_or(i64::MAX);
        let mut event = Event::new(kind, EventTime::from_unix_millis(millis)?, self.offset);
        let c = &self.config;
        event.disposition = disposition;
        event.read_point = Some(location(&c.read_point));
        event.biz_location = c.biz_location.as_deref().map(location);
        event.biz_transactions = c
            .biz_transaction
            .iter()
            .map(|(kind, id)| BizTransaction {
                kind: kind.clone(),
                id: id.clone(),
            })
            .collect();
        if let Some(party) = &c.owning_party {
            let owner = SourceDest {
                kind: SourceDestType::OwningParty,
                id: party.clone(),
            };
            // The configured party is the one this site acts for: goods arrive to it
            // and leave from it.
            if biz_step == BizStep::Receiving {
                event.destinations.push(owner);
            } else {
                event.sources.push(owner);
            }
        }
        event.biz_step = Some(biz_step);
        Ok(event)
    }
}

fn side_of(direction: &Direction, antenna: u16) -> Option<Side> {
    if antenna == direction.outside_antenna {
        Some(Side::Outside)
    } else if antenna == direction.inside_antenna {
        Some(Side::Inside)
    } else {
        None
    }
}

fn location(id: &str) -> Location {
    Location {
        id: id.to_owned(),
        extensions: Vec::new(),
    }
}

fn ilmd(lot: &LotData) -> Ilmd {
    Ilmd {
        lot_number: lot.lot.clone(),
        item_expiration_date: lot.expiry_date,
        production_date: lot.production_date,
        country_of_origin: lot.country_of_origin.clone(),
        ..Ilmd::default()
    }
}

#[cfg(test)]
mod tests;
