//! What `trace-server demo --once` expects the story to have left in the store, and the
//! comparison of each expectation with a trace: plain logic over [`Trace`] values, so a
//! mismatch can be shown to be reported without running anything.

use std::collections::BTreeSet;

use crate::trace::{Direction, Trace};

/// One thing the demo's record must show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expectation {
    /// The backward trace of `unit` reaches its commissioning, signed by `gateway`.
    Origin {
        /// The unit.
        unit: String,
        /// The gateway that commissioned it.
        gateway: String,
    },
    /// The forward trace of `code` reaches every unit, each last seen at its place.
    RecallReach {
        /// The recalled code.
        code: String,
        /// Each unit and the location (SGLN URI) it must be at.
        units: Vec<(String, String)>,
    },
    /// `gateway` scanned `unit` and its event carries disposition `recalled`.
    FlaggedScan {
        /// The recalled unit.
        unit: String,
        /// The gateway that scanned it.
        gateway: String,
    },
    /// The unit's own events, in time order, have exactly these business steps.
    History {
        /// The asset.
        asset: String,
        /// CBV business steps, in order.
        biz_steps: Vec<&'static str>,
    },
}

/// An expectation the record does not meet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{expected}: {found}")]
pub struct Mismatch {
    /// What was expected.
    pub expected: String,
    /// What was found instead.
    pub found: String,
}

impl Expectation {
    /// The trace the expectation is judged on: the start and the direction.
    pub fn trace_request(&self) -> (&str, Direction) {
        match self {
            Self::Origin { unit, .. } | Self::FlaggedScan { unit, .. } => {
                (unit, Direction::Backward)
            }
            Self::RecallReach { code, .. } => (code, Direction::Forward),
            Self::History { asset, .. } => (asset, Direction::Backward),
        }
    }

    /// What the expectation says, in words.
    pub fn describe(&self) -> String {
        match self {
            Self::Origin { unit, gateway } => {
                format!("backward trace of {unit} reaches its commissioning by {gateway}")
            }
            Self::RecallReach { code, units } => {
                format!(
                    "forward trace of {code} reaches its {} units where they are",
                    units.len()
                )
            }
            Self::FlaggedScan { unit, gateway } => {
                format!("{gateway} flags its scan of recalled {unit}")
            }
            Self::History { asset, biz_steps } => {
                format!(
                    "{asset} has {} steps: {}",
                    biz_steps.len(),
                    biz_steps.join(", ")
                )
            }
        }
    }

    /// Judges `trace` (the answer to [`trace_request`](Self::trace_request)); on success,
    /// a one-line finding for the summary.
    pub fn check(&self, trace: &Trace) -> Result<String, Mismatch> {
        let mismatch = |found: String| Mismatch {
            expected: self.describe(),
            found,
        };
        match self {
            Self::Origin { unit, gateway } => {
                let origin = trace.events.iter().find(|h| {
                    h.biz_step.as_deref() == Some("commissioning")
                        && h.signed_by.as_deref() == Some(gateway.as_str())
                });
                match origin {
                    Some(hop) => Ok(format!(
                        "{unit}: {} hops back to its commissioning at {}",
                        trace.events.len(),
                        hop.read_point.as_deref().unwrap_or("?")
                    )),
                    None => Err(mismatch(format!(
                        "no commissioning signed by {gateway} among {} hops",
                        trace.events.len()
                    ))),
                }
            }
            Self::RecallReach { code, units } => {
                let mut wrong = Vec::new();
                for (unit, place) in units {
                    match trace.units.iter().find(|u| &u.id == unit) {
                        None => wrong.push(format!("{unit} not reached")),
                        Some(status) if status.location.as_deref() != Some(place.as_str()) => {
                            wrong.push(format!(
                                "{unit} at {} instead of {place}",
                                status.location.as_deref().unwrap_or("nowhere")
                            ));
                        }
                        Some(_) => {}
                    }
                }
                if !wrong.is_empty() {
                    return Err(mismatch(wrong.join("; ")));
                }
                let places: BTreeSet<&str> = units.iter().map(|(_, p)| p.as_str()).collect();
                Ok(format!(
                    "recall of {code}: {} units reached at {} sites",
                    units.len(),
                    places.len()
                ))
            }
            Self::FlaggedScan { unit, gateway } => {
                let flagged = trace.events.iter().any(|h| {
                    h.disposition.as_deref() == Some("recalled")
                        && h.signed_by.as_deref() == Some(gateway.as_str())
                });
                if flagged {
                    Ok(format!("{gateway} flagged recalled {unit}"))
                } else {
                    Err(mismatch(format!(
                        "no event of {gateway} with disposition recalled among {} hops",
                        trace.events.len()
                    )))
                }
            }
            Self::History { asset, biz_steps } => {
                let found: Vec<&str> = trace
                    .events
                    .iter()
                    .filter(|h| h.via.is_none() && &h.subject == asset)
                    .map(|h| h.biz_step.as_deref().unwrap_or("-"))
                    .collect();
                if found == *biz_steps {
                    Ok(format!("{asset}: history of {} steps", found.len()))
                } else {
                    Err(mismatch(format!("found {}", found.join(", "))))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::EventKey;
    use crate::trace::{Hop, UnitStatus};
    use trace_proto::event::EventTime;

    fn hop(subject: &str, step: &str, disposition: &str, gateway: &str) -> Hop {
        Hop {
            key: EventKey([0; 32]),
            event_id: "urn:rfid-trace:event:00".into(),
            event_type: "ObjectEvent",
            time: EventTime::from_unix_millis(0).unwrap(),
            local_time: String::new(),
            action: None,
            biz_step: Some(step.into()),
            disposition: Some(disposition.into()),
            read_point: Some("urn:epc:id:sgln:0614141.00001.0".into()),
            biz_location: None,
            party: None,
            signed_by: Some(gateway.into()),
            subject: subject.into(),
            via: None,
        }
    }

    fn trace(events: Vec<Hop>, units: Vec<(&str, &str)>) -> Trace {
        Trace {
            start: "x".into(),
            direction: Direction::Backward,
            reached: Vec::new(),
            events,
            units: units
                .into_iter()
                .map(|(id, place)| UnitStatus {
                    id: id.into(),
                    last_event: None,
                    last_time: None,
                    location: Some(place.into()),
                    custodian: None,
                    disposition: None,
                    container: None,
                    recalls: Vec::new(),
                })
                .collect(),
            notes: Vec::new(),
        }
    }

    #[test]
    fn origin_needs_the_commissioning_of_that_gateway() {
        let expect = Expectation::Origin {
            unit: "u".into(),
            gateway: "farm".into(),
        };
        let good = trace(vec![hop("u", "commissioning", "active", "farm")], vec![]);
        assert!(expect.check(&good).is_ok());
        let other = trace(vec![hop("u", "commissioning", "active", "thief")], vec![]);
        let err = expect.check(&other).unwrap_err();
        assert!(
            err.found.contains("no commissioning signed by farm"),
            "{err}"
        );
    }

    #[test]
    fn a_recall_names_every_unit_missing_or_elsewhere() {
        let expect = Expectation::RecallReach {
            code: "lot".into(),
            units: vec![
                ("a".into(), "store-1".into()),
                ("b".into(), "store-2".into()),
                ("c".into(), "store-2".into()),
            ],
        };
        let good = trace(
            vec![],
            vec![("a", "store-1"), ("b", "store-2"), ("c", "store-2")],
        );
        assert_eq!(
            expect.check(&good).unwrap(),
            "recall of lot: 3 units reached at 2 sites"
        );
        let bad = trace(vec![], vec![("a", "store-1"), ("b", "store-9")]);
        let err = expect.check(&bad).unwrap_err();
        assert_eq!(err.found, "b at store-9 instead of store-2; c not reached");
    }

    #[test]
    fn an_unflagged_scan_is_a_mismatch() {
        let expect = Expectation::FlaggedScan {
            unit: "p".into(),
            gateway: "pharmacy".into(),
        };
        let flagged = trace(vec![hop("p", "dispensing", "recalled", "pharmacy")], vec![]);
        assert!(expect.check(&flagged).is_ok());
        let missed = trace(
            vec![hop("p", "dispensing", "dispensed", "pharmacy")],
            vec![],
        );
        assert!(expect.check(&missed).is_err());
    }

    #[test]
    fn a_history_must_match_step_for_step() {
        let expect = Expectation::History {
            asset: "c".into(),
            biz_steps: vec!["commissioning", "inspecting"],
        };
        let mut events = vec![
            hop("c", "commissioning", "active", "g"),
            hop("c", "inspecting", "conformant", "g"),
        ];
        assert!(expect.check(&trace(events.clone(), vec![])).is_ok());
        events.pop();
        let err = expect.check(&trace(events, vec![])).unwrap_err();
        assert_eq!(err.found, "found commissioning");
        assert!(err.to_string().starts_with("c has 2 steps"), "{err}");
    }
}
