//! The forward walk (recall): from a lot, its instances; from a unit, itself; then the
//! containers they went into (recursively: the case's pallet) and the outputs of the
//! transformations that consumed them. It runs in waves: each wave's new identifiers are
//! read as standings in one store call, and a lot's instances in one call, so a lot of
//! 100,000 units in 5,000 cases costs a handful of calls, not 105,000.
//!
//! Hops are the events of the start, of the transformations followed, and of the
//! containers reached while there are at most [`CONTAINER_HOPS`] of them (beyond that a
//! note says so; each unit's status still names its last event, its own or its
//! container's). A unit's own events show in its [`UnitStatus`].

use std::collections::{HashMap, HashSet};

use super::stays::{Stay, stays_into};
use super::units::{Unit, statuses};
use super::walk::Walk;
use super::{TraceError, UnitStatus, is_class};
use crate::store::{EventKey, IndexEntry, Role, Standing};

/// Most containers whose events a forward trace lists.
pub(super) const CONTAINER_HOPS: usize = 200;

/// An identifier the next wave reads.
struct Pending {
    identifier: String,
    /// Identifiers inside it along the way here (for cycle detection).
    path: Vec<String>,
    /// Whether its own events are hops (the start's are).
    own_hops: bool,
}

#[derive(Default)]
struct Recall {
    units: Vec<Unit>,
    next: Vec<Pending>,
    classes: Vec<String>,
    queued: HashSet<String>,
    /// Containers met, by number: what units' `inside` refers to.
    containers: Vec<String>,
    container_numbers: HashMap<String, usize>,
    /// Containers walked, whose events are hops.
    walked_containers: Vec<String>,
    /// The buffer stays are found in, one unit after another.
    stays: Vec<Stay>,
}

/// Walks forward from `start`; returns the status of every affected unit.
pub(super) fn walk(walk: &mut Walk<'_>, start: &str) -> Result<Vec<UnitStatus>, TraceError> {
    let mut recall = Recall::default();
    if is_class(start) {
        recall.classes.push(start.to_owned());
    } else {
        recall.queue(start, Vec::new(), true);
    }
    while !(recall.next.is_empty() && recall.classes.is_empty()) {
        for class in std::mem::take(&mut recall.classes) {
            recall.lot(walk, &class)?;
        }
        let wave = std::mem::take(&mut recall.next);
        let identifiers: Vec<&str> = wave.iter().map(|p| p.identifier.as_str()).collect();
        walk.fetch(&identifiers)?;
        for pending in &wave {
            let Some(standing) = walk.standing(&pending.identifier)? else {
                continue;
            };
            if walk.visit(&standing.identifier) {
                recall.item(walk, &standing, &pending.path, pending.own_hops)?;
            }
        }
    }
    recall.container_hops(walk)?;
    statuses(walk, recall.units, &recall.containers)
}

impl Recall {
    fn queue(&mut self, identifier: &str, path: Vec<String>, own_hops: bool) {
        if self.queued.insert(identifier.to_owned()) {
            self.next.push(Pending {
                identifier: identifier.to_owned(),
                path,
                own_hops,
            });
        }
    }

    fn lot(&mut self, walk: &mut Walk<'_>, class: &str) -> Result<(), TraceError> {
        if !walk.visit(class) {
            return Ok(());
        }
        for row in walk.store.events_naming(class)? {
            walk.hop(&row.key, class, None);
            if row.role == Role::InputQuantity {
                self.outputs(walk, &row.key)?;
            }
        }
        let instances = walk.store.class_standings(class)?;
        walk.reserve(instances.len());
        self.units.reserve(instances.len());
        for standing in instances {
            if !walk.visit(&standing.identifier) {
                continue;
            }
            if let Some(standing) = walk.complete(Some(standing))? {
                let inside = self.follow(walk, &standing, &[])?;
                if standing.is_container {
                    self.walked_containers.push(standing.identifier);
                } else {
                    self.units.push(Unit::owning(standing, inside));
                }
            }
        }
        Ok(())
    }

    /// Walks one identifier reached through a wave (already marked reached).
    fn item(
        &mut self,
        walk: &mut Walk<'_>,
        standing: &Standing,
        path: &[String],
        own_hops: bool,
    ) -> Result<(), TraceError> {
        let identifier = standing.identifier.as_str();
        if own_hops {
            for row in walk.store.events_naming(identifier)? {
                walk.hop(&row.key, identifier, None);
            }
        }
        let inside = self.follow(walk, standing, path)?;
        if standing.is_container {
            if !own_hops {
                self.walked_containers.push(identifier.to_owned());
            }
        } else {
            self.units.push(Unit::copying(standing, inside));
        }
        Ok(())
    }

    /// Queues the containers `standing` went into and the outputs of transformations that
    /// consumed it; returns the container it is still in, with the ADD.
    fn follow(
        &mut self,
        walk: &mut Walk<'_>,
        standing: &Standing,
        path: &[String],
    ) -> Result<Option<(usize, IndexEntry)>, TraceError> {
        let identifier = standing.identifier.as_str();
        let mut notes = Vec::new();
        let mut found = std::mem::take(&mut self.stays);
        stays_into(identifier, &standing.links, &mut notes, &mut found);
        walk.notes(notes);
        let mut inside = None;
        for stay in &found {
            let container = stay.container(&standing.links);
            if container == identifier || path.iter().any(|p| p == container) {
                walk.note(format!(
                    "containment cycle {} → {identifier} → {container}: the walk does not \
                     follow it further",
                    path.join(" → ")
                ));
                continue;
            }
            let (number, first_met) = self.container_number(container);
            if first_met && !walk.visited(container) {
                let mut onward = path.to_vec();
                onward.push(identifier.to_owned());
                self.queue(container, onward, false);
            }
            if stay.until.is_none() {
                inside = Some((number, stay.from));
            }
        }
        self.stays = found;
        for link in &standing.links {
            if matches!(link.entry.role, Role::Input | Role::InputQuantity) {
                walk.hop(&link.entry.key, identifier, None);
                self.outputs(walk, &link.entry.key)?;
            }
        }
        Ok(inside)
    }

    /// The number of `container` in the walk's list, and whether it is new there.
    fn container_number(&mut self, container: &str) -> (usize, bool) {
        if let Some(number) = self.container_numbers.get(container) {
            return (*number, false);
        }
        let number = self.containers.len();
        self.containers.push(container.to_owned());
        self.container_numbers.insert(container.to_owned(), number);
        (number, true)
    }

    /// Queues the outputs of the TransformationEvent `key`; a containment path starts
    /// afresh at each output.
    fn outputs(&mut self, walk: &mut Walk<'_>, key: &EventKey) -> Result<(), TraceError> {
        let Some(sides) = walk.sides(key)? else {
            return Ok(());
        };
        for output in &sides.outputs {
            if !walk.visited(output) {
                self.queue(output, Vec::new(), false);
            }
        }
        self.classes.extend(sides.output_classes);
        Ok(())
    }

    /// The events of the containers walked, unless there are too many to list.
    fn container_hops(&self, walk: &mut Walk<'_>) -> Result<(), TraceError> {
        if self.walked_containers.len() > CONTAINER_HOPS {
            walk.note(format!(
                "{} containers reached: their events are not listed (at most {CONTAINER_HOPS} \
                 are); each unit's last event, its own or its container's, is",
                self.walked_containers.len()
            ));
            return Ok(());
        }
        for container in &self.walked_containers {
            for row in walk.store.events_naming(container)? {
                walk.hop(&row.key, container, None);
            }
        }
        Ok(())
    }
}
