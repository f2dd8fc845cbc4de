//! Containment windows: from an identifier's aggregation links, the stretches of time it
//! spent inside each container, from the ADD to the DELETE (or still open). Data that
//! contradicts itself is resolved in one stated way and noted, never looped over.

use trace_proto::event::{Action, EventTime};

use crate::store::{IndexEntry, Link, Role};

/// A stay of an identifier inside a container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Stay {
    /// The link (index into the identifier's links) that put it in: an AggregationEvent
    /// ADD naming the container.
    pub link: usize,
    /// That ADD.
    pub from: IndexEntry,
    /// What ended the stay: the DELETE, the container being emptied, or (contradiction) an
    /// ADD into another container; `None` while it is still inside.
    pub until: Option<IndexEntry>,
}

impl Stay {
    /// The container, named in `links[self.link]`.
    pub fn container<'a>(&self, links: &'a [Link]) -> &'a str {
        links
            .get(self.link)
            .and_then(|link| link.parent.as_deref())
            .unwrap_or_default()
    }

    /// The stay as a time window, both ends included.
    pub fn window(&self) -> Window {
        Window {
            from: self.from.event_time,
            until: self.until.map(|u| u.event_time),
        }
    }
}

/// A stretch of time, both ends included; `until: None` is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Window {
    pub from: EventTime,
    pub until: Option<EventTime>,
}

impl Window {
    /// Whether `time` falls inside.
    pub fn contains(&self, time: EventTime) -> bool {
        time >= self.from && self.until.is_none_or(|until| time <= until)
    }

    /// The overlap with `other`, if any.
    pub fn intersect(&self, other: &Window) -> Option<Window> {
        let from = self.from.max(other.from);
        let until = match (self.until, other.until) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        until
            .is_none_or(|u| u >= from)
            .then_some(Window { from, until })
    }
}

/// The stays of `subject` from its links (ordered by time, then key). An ADD into another
/// container while still inside one ends the first stay there; a repeated ADD into the
/// same container is the same stay; a DELETE from a container it is not in is ignored.
/// Each contradiction adds a note.
pub(super) fn stays(subject: &str, links: &[Link], notes: &mut Vec<String>) -> Vec<Stay> {
    let mut found = Vec::new();
    stays_into(subject, links, notes, &mut found);
    found
}

/// [`stays`] into `found` (cleared first), so a walk over many units reuses one buffer.
pub(super) fn stays_into(
    subject: &str,
    links: &[Link],
    notes: &mut Vec<String>,
    found: &mut Vec<Stay>,
) {
    found.clear();
    let mut open: Option<usize> = None;
    for (index, link) in links.iter().enumerate() {
        let (Role::Child, Some(action), Some(container)) =
            (link.entry.role, link.action, link.parent.as_deref())
        else {
            continue;
        };
        let current = open.and_then(|i| found.get_mut(i));
        let in_it = current
            .as_ref()
            .map(|stay| stay.container(links) == container);
        match (action, current, in_it) {
            (Action::Add, Some(_), Some(true)) => {}
            (Action::Add, current, _) => {
                if let Some(stay) = current {
                    notes.push(format!(
                        "{subject} was put into {container} at {} while still in {}; its stay \
                         there is taken to end then",
                        link.entry.event_time,
                        stay.container(links)
                    ));
                    stay.until = Some(link.entry);
                }
                found.push(Stay {
                    link: index,
                    from: link.entry,
                    until: None,
                });
                open = Some(found.len() - 1);
            }
            (Action::Delete, Some(stay), Some(true)) => {
                stay.until = Some(link.entry);
                open = None;
            }
            (Action::Delete, _, _) => notes.push(format!(
                "{subject} was taken out of {container} at {} without having been put in; \
                 ignored",
                link.entry.event_time
            )),
            (Action::Observe, _, _) => {}
        }
    }
}

/// `window` ended at the first time its container was emptied (an AggregationEvent
/// DELETE without children, among the container's `links`) inside it.
pub(super) fn clip(window: Window, container_links: &[Link]) -> Window {
    let emptied = container_links.iter().find(|link| {
        link.entry.role == Role::Parent
            && link.action == Some(Action::Delete)
            && link.entry.event_time > window.from
            && window.contains(link.entry.event_time)
    });
    match emptied {
        Some(link) => Window {
            from: window.from,
            until: Some(link.entry.event_time),
        },
        None => window,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::EventKey;

    fn link(ms: i64, action: Action, parent: Option<&str>, role: Role) -> Link {
        Link {
            entry: IndexEntry {
                event_time: EventTime::from_unix_millis(ms).unwrap(),
                key: EventKey([u8::try_from(ms % 256).unwrap(); 32]),
                role,
            },
            action: Some(action),
            parent: parent.map(Into::into),
        }
    }

    fn child(ms: i64, action: Action, parent: &str) -> Link {
        link(ms, action, Some(parent), Role::Child)
    }

    #[test]
    fn add_then_delete_is_one_closed_stay_and_a_later_add_opens_another() {
        let links = [
            child(1, Action::Add, "case"),
            child(2, Action::Observe, "case"),
            child(3, Action::Delete, "case"),
            child(4, Action::Add, "tote"),
        ];
        let mut notes = Vec::new();
        let stays = stays("unit", &links, &mut notes);
        assert_eq!(stays.len(), 2);
        assert_eq!(
            (stays[0].container(&links), stays[0].until),
            ("case", Some(links[2].entry))
        );
        assert_eq!((stays[1].container(&links), stays[1].until), ("tote", None));
        assert!(notes.is_empty());
    }

    #[test]
    fn contradictions_are_resolved_and_noted() {
        let links = [
            child(1, Action::Delete, "case"),
            child(2, Action::Add, "case"),
            child(3, Action::Add, "case"),
            child(4, Action::Add, "pallet"),
        ];
        let mut notes = Vec::new();
        let stays = stays("unit", &links, &mut notes);
        assert_eq!(stays.len(), 2, "a repeated ADD is the same stay");
        assert_eq!(stays[0].until, Some(links[3].entry), "moved without DELETE");
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[0].contains("without having been put in"));
        assert!(notes[1].contains("while still in case"));
    }

    #[test]
    fn emptying_the_container_ends_the_stay() {
        let links = [child(1, Action::Add, "case")];
        let stays = stays("unit", &links, &mut Vec::new());
        let emptied = [
            link(0, Action::Delete, None, Role::Parent),
            link(5, Action::Delete, None, Role::Parent),
        ];
        let window = clip(stays[0].window(), &emptied);
        assert_eq!(window.until, Some(emptied[1].entry.event_time));
        assert_eq!(clip(stays[0].window(), &emptied[..1]), stays[0].window());
    }

    #[test]
    fn windows_intersect_with_both_ends_included() {
        let t = |ms| EventTime::from_unix_millis(ms).unwrap();
        let open = Window {
            from: t(5),
            until: None,
        };
        let closed = Window {
            from: t(1),
            until: Some(t(5)),
        };
        assert_eq!(
            open.intersect(&closed),
            Some(Window {
                from: t(5),
                until: Some(t(5))
            })
        );
        assert!(closed.contains(t(5)) && !closed.contains(t(6)));
        let before = Window {
            from: t(1),
            until: Some(t(4)),
        };
        assert_eq!(open.intersect(&before), None);
    }
}
