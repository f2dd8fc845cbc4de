//! Where each affected unit of a recall is now: its own latest event, or the latest
//! event of the container (or the container's container) it is still in, when that
//! happened after it went in — a unit on a pallet is where the pallet last was — and who
//! held it then.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use trace_proto::event::EventTime;

use super::stays::{Window, clip, stays};
use super::walk::{Walk, term};
use super::{TraceError, UnitStatus};
use crate::store::{EventKey, IndexEntry, Place, Standing};

/// An affected unit found by the walk.
pub(super) struct Unit {
    identifier: String,
    latest: Option<IndexEntry>,
    place: Option<Place>,
    recalls: Vec<String>,
    /// The container (by number in the walk's list) it was last put into and not taken
    /// out of, with that ADD.
    inside: Option<(usize, IndexEntry)>,
}

impl Unit {
    /// A unit made from a standing the walk no longer needs.
    pub fn owning(standing: Standing, inside: Option<(usize, IndexEntry)>) -> Self {
        Self {
            identifier: standing.identifier,
            latest: standing.latest,
            place: standing.latest_place,
            recalls: standing.recalls,
            inside,
        }
    }

    /// A unit made from a standing the walk keeps.
    pub fn copying(standing: &Standing, inside: Option<(usize, IndexEntry)>) -> Self {
        Self {
            identifier: standing.identifier.clone(),
            latest: standing.latest,
            place: standing.latest_place.clone(),
            recalls: standing.recalls.clone(),
            inside,
        }
    }
}

/// One level of a chain of containers: the container, when the level below entered it
/// (`None` for the first level, which the unit entered), and its standing.
struct Level {
    container: String,
    entered: Option<EventTime>,
    standing: Option<Rc<Standing>>,
}

/// The status of every unit, in the order found; `containers` names the containers
/// units' `inside` refer to.
pub(super) fn statuses(
    walk: &mut Walk<'_>,
    units: Vec<Unit>,
    containers: &[String],
) -> Result<Vec<UnitStatus>, TraceError> {
    let mut chains: Vec<Option<Rc<Vec<Level>>>> = vec![None; containers.len()];
    let mut found = Vec::with_capacity(units.len());
    for mut unit in units {
        let mut last = unit.latest;
        let mut outermost = None;
        if let Some((number, added)) = unit.inside {
            let levels = match chains.get(number).cloned().flatten() {
                Some(levels) => levels,
                None => {
                    let first = containers.get(number).map_or("", String::as_str);
                    let levels = Rc::new(chain(walk, first)?);
                    if let Some(slot) = chains.get_mut(number) {
                        *slot = Some(Rc::clone(&levels));
                    }
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
                    unit.place = level.standing.as_ref().and_then(|s| s.latest_place.clone());
                }
            }
            if !emptied {
                outermost = levels.last().map(|level| level.container.clone());
            }
        }
        found.push((unit, last, outermost));
    }
    let unplaced = found
        .iter()
        .filter(|(unit, _, _)| unit.place.is_none())
        .filter_map(|(_, last, _)| last.map(|l| l.key));
    let places = seen(walk, unplaced)?;
    Ok(found
        .into_iter()
        .map(|(unit, last, container)| {
            let place = unit
                .place
                .or_else(|| last.and_then(|l| places.get(&l.key)).cloned());
            let text = |field: fn(&Place) -> &Option<std::sync::Arc<str>>| {
                place
                    .as_ref()
                    .and_then(|p| field(p).as_deref().map(str::to_owned))
            };
            UnitStatus {
                location: text(|p| &p.location),
                custodian: text(|p| &p.custodian),
                disposition: text(|p| &p.disposition),
                id: unit.identifier,
                last_event: last.map(|e| e.key),
                last_time: last.map(|e| e.event_time),
                container,
                recalls: unit.recalls,
            }
        })
        .collect())
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
                .map(|stay| {
                    (
                        stay.container(&standing.links).to_owned(),
                        stay.from.event_time,
                    )
                });
            walk.notes(notes);
            if let Some((outer, since)) = open {
                let outer_standing = walk.standing(&outer)?;
                let window = Window {
                    from: since,
                    until: None,
                };
                let still_in =
                    outer_standing.is_none_or(|s| clip(window, &s.links).until.is_none());
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

/// Where each of the events `keys` left what it names, read in one call: for units whose
/// standing came without a place.
fn seen(
    walk: &mut Walk<'_>,
    keys: impl Iterator<Item = EventKey>,
) -> Result<HashMap<EventKey, Place>, TraceError> {
    let distinct: Vec<EventKey> = keys.collect::<HashSet<_>>().into_iter().collect();
    let mut places = HashMap::with_capacity(distinct.len());
    for summary in walk.summaries(&distinct)? {
        let custodian = walk.party(&summary)?;
        let event = summary.event;
        let place = Place {
            location: event.biz_location.or(event.read_point).map(|l| l.id.into()),
            custodian: custodian.map(Into::into),
            disposition: event
                .disposition
                .map(|d| term(d.word(), || d.to_string()).into()),
        };
        places.insert(summary.key, place);
    }
    Ok(places)
}
