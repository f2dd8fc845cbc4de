//! The forward walk (recall): from a lot, its instances; from a unit, itself; then the
//! containers they went into (recursively: the case's pallet) and the outputs of the
//! transformations that consumed them. It runs in waves: each wave's new identifiers
//! are read as standings in one store call, so a lot of 100,000 units in 5,000 cases
//! costs a few calls, not 105,000.
//!
//! Hops are the events of the start, of every container reached and of the
//! transformations followed; a unit's own events show in its [`UnitStatus`] instead.

use std::collections::HashSet;
use std::rc::Rc;

use super::stays::stays;
use super::units::{Unit, statuses};
use super::walk::Walk;
use super::{TraceError, UnitStatus, is_class};
use crate::store::{EventKey, Role, Standing};

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
            if let Some(standing) = walk.standing(&pending.identifier)? {
                recall.item(walk, standing, &pending.path, pending.own_hops)?;
            }
        }
    }
    statuses(walk, &recall.units)
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
            walk.hop(&row.key, class, None)?;
            if row.role == Role::InputQuantity {
                self.outputs(walk, &row.key)?;
            }
        }
        let instances = walk.store.class_standings(class)?;
        for standing in walk.keep(instances)? {
            self.item(walk, standing, &[], false)?;
        }
        Ok(())
    }

    fn item(
        &mut self,
        walk: &mut Walk<'_>,
        standing: Rc<Standing>,
        path: &[String],
        own_hops: bool,
    ) -> Result<(), TraceError> {
        let identifier = standing.identifier.as_str();
        if !walk.visit(identifier) {
            return Ok(());
        }
        if own_hops || standing.is_container {
            for row in walk.store.events_naming(identifier)? {
                walk.hop(&row.key, identifier, None)?;
            }
        }
        let mut notes = Vec::new();
        let stays = stays(identifier, &standing.links, &mut notes);
        walk.notes(notes);
        let onward = || {
            let mut onward = path.to_vec();
            onward.push(identifier.to_owned());
            onward
        };
        for stay in &stays {
            if stay.container == identifier || path.iter().any(|p| p == stay.container) {
                walk.note(format!(
                    "containment cycle {} → {identifier} → {}: the walk does not follow it further",
                    path.join(" → "),
                    stay.container
                ));
            } else if !walk.visited(stay.container) {
                self.queue(stay.container, onward(), false);
            }
        }
        for link in &standing.links {
            if matches!(link.entry.role, Role::Input | Role::InputQuantity) {
                walk.hop(&link.entry.key, identifier, None)?;
                self.outputs(walk, &link.entry.key)?;
            }
        }
        if !standing.is_container {
            let inside = stays
                .last()
                .filter(|stay| stay.until.is_none())
                .map(|stay| (stay.container.to_owned(), stay.from));
            self.units.push(Unit {
                standing: Rc::clone(&standing),
                inside,
            });
        }
        Ok(())
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
}
