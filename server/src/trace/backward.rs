//! The backward walk (origin): from a unit, its own events; the containers it travelled
//! in and their events while it was inside (recursively: a case on a pallet); its lot's
//! own events; and through the transformations that made it or its lot, its inputs back
//! to their commissioning. A work stack, not recursion, so no data can overflow the stack.

use super::stays::{Window, clip, stays};
use super::walk::Walk;
use super::{TraceError, is_class};
use crate::store::{EventKey, Role};

enum Task {
    /// An EPC or other identifier: its own events and everything behind it.
    Item(String),
    /// A lot class: its lot-level events and the transformations that made it as a
    /// quantity; with `commissioning`, also the events commissioning its instances
    /// (wanted for an input lot; for the start unit's own lot, the unit's own
    /// commissioning and transformation are already on the trace).
    Class { class: String, commissioning: bool },
    /// A container's events within `window`, on behalf of `subject`; `path` is the chain
    /// of identifiers inside it, for cycle detection.
    Container {
        container: String,
        window: Window,
        subject: String,
        path: Vec<String>,
    },
}

/// Walks back from `start`.
pub(super) fn walk(walk: &mut Walk<'_>, start: &str) -> Result<(), TraceError> {
    let first = if is_class(start) {
        Task::Class {
            class: start.to_owned(),
            commissioning: true,
        }
    } else {
        Task::Item(start.to_owned())
    };
    let mut tasks = vec![first];
    while let Some(task) = tasks.pop() {
        match task {
            Task::Item(identifier) => item(walk, &identifier, &mut tasks)?,
            Task::Class {
                class,
                commissioning,
            } => lot(walk, &class, commissioning, &mut tasks)?,
            Task::Container {
                container,
                window,
                subject,
                path,
            } => inside(walk, &container, window, &subject, path, &mut tasks)?,
        }
    }
    Ok(())
}

fn item(walk: &mut Walk<'_>, identifier: &str, tasks: &mut Vec<Task>) -> Result<(), TraceError> {
    if !walk.visit(identifier) {
        return Ok(());
    }
    let rows = walk.store.events_naming(identifier)?;
    for row in &rows {
        walk.hop(&row.key, identifier, None);
        if row.role == Role::Output {
            inputs(walk, &row.key, tasks)?;
        }
    }
    let Some(standing) = walk.standing(identifier)? else {
        return Ok(());
    };
    // The stack pops last-pushed first: containers, then the lot, then the inputs.
    if let Some(class) = &standing.class {
        tasks.push(Task::Class {
            class: class.clone(),
            commissioning: false,
        });
    }
    let mut notes = Vec::new();
    for stay in stays(identifier, &standing.links, &mut notes).iter().rev() {
        tasks.push(Task::Container {
            container: stay.container(&standing.links).to_owned(),
            window: stay.window(),
            subject: identifier.to_owned(),
            path: vec![identifier.to_owned()],
        });
    }
    walk.notes(notes);
    Ok(())
}

fn lot(
    walk: &mut Walk<'_>,
    class: &str,
    commissioning: bool,
    tasks: &mut Vec<Task>,
) -> Result<(), TraceError> {
    if !walk.visit(class) {
        return Ok(());
    }
    let roles: &[Role] = if commissioning {
        &[
            Role::Epc,
            Role::Output,
            Role::Quantity,
            Role::OutputQuantity,
        ]
    } else {
        &[Role::Quantity, Role::OutputQuantity]
    };
    for row in walk.store.events_naming_in(class, roles)? {
        walk.hop(&row.key, class, None);
        if matches!(row.role, Role::Output | Role::OutputQuantity) {
            inputs(walk, &row.key, tasks)?;
        }
    }
    Ok(())
}

fn inside(
    walk: &mut Walk<'_>,
    container: &str,
    window: Window,
    subject: &str,
    mut path: Vec<String>,
    tasks: &mut Vec<Task>,
) -> Result<(), TraceError> {
    if path.iter().any(|p| p == container) {
        walk.note(format!(
            "containment cycle {} → {container}: the walk does not follow it further",
            path.join(" → ")
        ));
        return Ok(());
    }
    walk.visit(container);
    let standing = walk.standing(container)?;
    let links = standing.as_ref().map_or(&[][..], |s| s.links.as_slice());
    let window = clip(window, links);
    for row in walk.store.events_naming(container)? {
        if window.contains(row.event_time) {
            walk.hop(&row.key, subject, Some(container));
        }
    }
    let mut notes = Vec::new();
    path.push(container.to_owned());
    for stay in stays(container, links, &mut notes).iter().rev() {
        if let Some(overlap) = window.intersect(&stay.window()) {
            tasks.push(Task::Container {
                container: stay.container(links).to_owned(),
                window: overlap,
                subject: subject.to_owned(),
                path: path.clone(),
            });
        }
    }
    walk.notes(notes);
    Ok(())
}

/// Queues the inputs of the TransformationEvent `key`.
fn inputs(walk: &mut Walk<'_>, key: &EventKey, tasks: &mut Vec<Task>) -> Result<(), TraceError> {
    let Some(sides) = walk.sides(key)? else {
        return Ok(());
    };
    // Reversed, so that the first input is walked first.
    tasks.extend(
        sides
            .input_classes
            .into_iter()
            .rev()
            .map(|class| Task::Class {
                class,
                commissioning: true,
            }),
    );
    tasks.extend(sides.inputs.into_iter().rev().map(Task::Item));
    Ok(())
}
