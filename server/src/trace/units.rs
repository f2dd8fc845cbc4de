//! Where each affected unit of a recall is now: its own latest event, or the latest
//! event of the container (or the container's container) it is still in, when that
//! happened after it went in — a unit on a pallet is where the pallet last was — and who
//! held it then.

use std::collections::HashMap;
use std::rc::Rc;

use trace_proto::event::EventTime;

use super::stays::{Window, clip, stays};
use super::walk::{Walk, term};
use super::{TraceError, UnitStatus};
use crate::store::{EventKey, IndexEntry, Standing};

/// An affected unit found by the walk.
pub(super) struct Unit {
    pub standing: Rc<Standing>,
    /// The container it was last put into and not taken out of, with that ADD.
    pub inside: Option<(String, IndexEntry)>,
}

/// One level of a chain of containers: the container, when the level below entered it
/// (`None` for the first level, which the unit entered), and its standing.
struct Level {
    container: String,
    entered: Option<EventTime>,
    standing: Option<Rc<Standing>>,
}

/// What a unit's last event says about where it is.
#[derive(Default)]
struct Seen {
    location: Option<String>,
    custodian: Option<String>,
    disposition: Option<String>,
}

/// The status of every unit, in the order found.
pub(super) fn statuses(walk: &mut Walk<'_>, units: &[Unit]) -> Result<Vec<UnitStatus>, TraceError> {
    let mut chains: HashMap<String, Rc<Vec<Level>>> = HashMap::new();
    let mut seen: HashMap<EventKey, Rc<Seen>> = HashMap::new();
    let mut statuses = Vec::with_capacity(units.len());
    for unit in units {
        let mut last = unit.standing.latest;
        let mut outermost = None;
        if let Some((container, added)) = &unit.inside {
            let levels = match chains.get(container) {
                Some(levels) => Rc::clone(levels),
                None => {
                    let levels = Rc::new(chain(walk, container)?);
                    chains.insert(container.clone(), Rc::clone(&levels));
                    levels
                }
            };
            let mut since = added.event_time;
            let entered = Window {
                from: since,
                until: None,
            };
            let emptied = levels
                .first()
                .and_then(|l| l.standing.as_ref())
                .is_some_and(|s| clip(entered, &s.links).until.is_some());
            for level in levels.iter().take_while(|_| !emptied) {
                since = since.max(level.entered.unwrap_or(since));
                let latest = level.standing.as_ref().and_then(|s| s.latest);
                if let Some(latest) = latest.filter(|l| l.event_time >= since && Some(*l) > last) {
                    last = Some(latest);
                }
                outermost = Some(level.container.clone());
            }
        }
        let place = match last {
            Some(entry) => match seen.get(&entry.key) {
                Some(place) => Rc::clone(place),
                None => {
                    let place = Rc::new(seen_at(walk, &entry.key)?);
                    seen.insert(entry.key, Rc::clone(&place));
                    place
                }
            },
            None => Rc::new(Seen::default()),
        };
        statuses.push(UnitStatus {
            id: unit.standing.identifier.clone(),
            last_event: last.map(|e| e.key),
            last_time: last.map(|e| e.event_time),
            location: place.location.clone(),
            custodian: place.custodian.clone(),
            disposition: place.disposition.clone(),
            container: outermost,
            recalls: unit.standing.recalls.clone(),
        });
    }
    Ok(statuses)
}

/// The containers `first` is in now, from `first` outwards; a cycle ends it with a note.
fn chain(walk: &mut Walk<'_>, first: &str) -> Result<Vec<Level>, TraceError> {
    let mut levels: Vec<Level> = Vec::new();
    let mut next = Some((first.to_owned(), None));
    while let Some((container, entered)) = next.take() {
        if levels.iter().any(|l| l.container == container) {
            let chain: Vec<&str> = levels.iter().map(|l| l.container.as_str()).collect();
            walk.note(format!(
                "containment cycle {} → {container}: the walk does not follow it further",
                chain.join(" → ")
            ));
            break;
        }
        let standing = walk.standing(&container)?;
        if let Some(standing) = &standing {
            let mut notes = Vec::new();
            let open = stays(&container, &standing.links, &mut notes)
                .last()
                .filter(|stay| stay.until.is_none())
                .map(|stay| (stay.container.to_owned(), stay.from.event_time));
            walk.notes(notes);
            if let Some((outer, since)) = open {
                let outer_links = walk.standing(&outer)?;
                let window = Window {
                    from: since,
                    until: None,
                };
                let still_in = outer_links.is_none_or(|s| clip(window, &s.links).until.is_none());
                next = still_in.then_some((outer, Some(since)));
            }
        }
        levels.push(Level {
            container,
            entered,
            standing,
        });
    }
    Ok(levels)
}

/// Location, custodian and disposition after event `key`.
fn seen_at(walk: &mut Walk<'_>, key: &EventKey) -> Result<Seen, TraceError> {
    let stored = walk.event(key)?;
    let event = &stored.event;
    Ok(Seen {
        location: event
            .biz_location
            .as_ref()
            .or(event.read_point.as_ref())
            .map(|l| l.id.clone()),
        custodian: walk.party(&stored)?,
        disposition: event
            .disposition
            .as_ref()
            .map(|d| term(d.word(), || d.to_string())),
    })
}
