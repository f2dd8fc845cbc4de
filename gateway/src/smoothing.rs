//! ALE-style entry/exit smoothing per read point: a tag in the field is read many times
//! a second, the business cares that it arrived (once) and that it left.
//!
//! A tag *enters* once it has been read over at least `dwell_ms` (with 0, on its first
//! read); it *exits* when it has not been read for `exit_ms`. Reads of a tag that has
//! entered and not exited change nothing but its last-seen time. Times are milliseconds
//! of any clock that never goes backwards.

use std::collections::HashMap;

use crate::config::SmoothingConfig;

/// A change of a tag's presence at a read point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transition {
    /// The tag arrived.
    Entered {
        /// Station (read point) index.
        station: usize,
        /// Tag URI.
        tag: String,
        /// Time of its first read.
        first_ms: u64,
    },
    /// The tag left.
    Exited {
        /// Station (read point) index.
        station: usize,
        /// Tag URI.
        tag: String,
        /// Time of its last read.
        last_ms: u64,
    },
}

#[derive(Debug, Clone, Copy)]
struct Presence {
    first_ms: u64,
    last_ms: u64,
    entered: bool,
}

/// Presence tables of every read point.
#[derive(Debug)]
pub struct Smoother {
    config: SmoothingConfig,
    stations: Vec<HashMap<String, Presence>>,
}

impl Smoother {
    /// Empty tables for `stations` read points.
    pub fn new(config: SmoothingConfig, stations: usize) -> Self {
        Self {
            config,
            stations: (0..stations).map(|_| HashMap::new()).collect(),
        }
    }

    /// Records a read; returns the entry it completes, if any. Unknown stations are
    /// ignored (the configuration decides which exist).
    pub fn read(&mut self, station: usize, tag: &str, now_ms: u64) -> Option<Transition> {
        let table = self.stations.get_mut(station)?;
        let presence = match table.get_mut(tag) {
            Some(p) if now_ms.saturating_sub(p.last_ms) < self.config.exit_ms => p,
            _ => {
                // First read, or a read after a gap the exit sweep has not seen yet: a
                // new presence either way.
                let fresh = Presence {
                    first_ms: now_ms,
                    last_ms: now_ms,
                    entered: false,
                };
                table.insert(tag.to_owned(), fresh);
                table.get_mut(tag)?
            }
        };
        presence.last_ms = presence.last_ms.max(now_ms);
        if presence.entered || now_ms.saturating_sub(presence.first_ms) < self.config.dwell_ms {
            return None;
        }
        presence.entered = true;
        Some(Transition::Entered {
            station,
            tag: tag.to_owned(),
            first_ms: presence.first_ms,
        })
    }

    /// Ends every presence not read for `exit_ms` by `now_ms`; returns the exits of
    /// tags that had entered, oldest station first.
    pub fn sweep(&mut self, now_ms: u64) -> Vec<Transition> {
        let exit_ms = self.config.exit_ms;
        let mut exits = Vec::new();
        for (station, table) in self.stations.iter_mut().enumerate() {
            table.retain(|tag, p| {
                let gone = now_ms.saturating_sub(p.last_ms) >= exit_ms;
                if gone && p.entered {
                    exits.push(Transition::Exited {
                        station,
                        tag: tag.clone(),
                        last_ms: p.last_ms,
                    });
                }
                !gone
            });
        }
        exits
    }

    /// Ends every presence now (the gateway stops): returns the exits of the tags that
    /// had entered; tags still dwelling never entered and leave without one.
    pub fn drain(&mut self) -> Vec<Transition> {
        let mut exits = Vec::new();
        for (station, table) in self.stations.iter_mut().enumerate() {
            for (tag, p) in table.drain() {
                if p.entered {
                    exits.push(Transition::Exited {
                        station,
                        tag,
                        last_ms: p.last_ms,
                    });
                }
            }
        }
        exits
    }

    /// Tags present (entered or dwelling) at all read points.
    pub fn present(&self) -> usize {
        self.stations.iter().map(HashMap::len).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn smoother(dwell_ms: u64, exit_ms: u64) -> Smoother {
        Smoother::new(SmoothingConfig { dwell_ms, exit_ms }, 2)
    }

    #[test]
    fn one_entry_per_presence_not_per_read() {
        let mut s = smoother(0, 1000);
        let entry = s.read(0, "urn:a", 10);
        assert!(matches!(
            entry,
            Some(Transition::Entered { first_ms: 10, .. })
        ));
        for t in (20..900).step_by(10) {
            assert_eq!(s.read(0, "urn:a", t), None);
        }
        assert!(
            s.sweep(1800).is_empty(),
            "last read at 890, exit after 1890"
        );
        let exits = s.sweep(1890);
        assert_eq!(
            exits,
            vec![Transition::Exited {
                station: 0,
                tag: "urn:a".into(),
                last_ms: 890
            }]
        );
        assert!(
            s.read(0, "urn:a", 2000).is_some(),
            "a new presence enters again"
        );
    }

    #[test]
    fn dwell_suppresses_a_passing_glimpse() {
        let mut s = smoother(300, 1000);
        assert_eq!(s.read(0, "urn:a", 0), None);
        assert_eq!(s.read(0, "urn:a", 200), None);
        assert!(s.read(0, "urn:a", 300).is_some());
        // A single read never dwells: it expires without an exit.
        assert_eq!(s.read(1, "urn:b", 0), None);
        assert_eq!(s.sweep(5000).len(), 1, "only urn:a had entered");
        assert_eq!(s.present(), 0);
    }

    #[test]
    fn read_points_are_independent() {
        let mut s = smoother(0, 1000);
        assert!(s.read(0, "urn:a", 0).is_some());
        assert!(s.read(1, "urn:a", 0).is_some());
        assert_eq!(s.read(7, "urn:a", 0), None);
    }

    #[test]
    fn drain_exits_entered_tags_and_forgets_dwelling_ones() {
        let mut s = smoother(300, 1000);
        s.read(0, "urn:a", 0);
        assert!(s.read(0, "urn:a", 400).is_some());
        s.read(1, "urn:b", 400);
        let exits = s.drain();
        assert_eq!(
            exits,
            vec![Transition::Exited {
                station: 0,
                tag: "urn:a".into(),
                last_ms: 400
            }]
        );
        assert_eq!(s.present(), 0);
    }

    #[test]
    fn a_gap_longer_than_exit_is_a_new_presence_even_before_the_sweep() {
        let mut s = smoother(0, 1000);
        assert!(s.read(0, "urn:a", 0).is_some());
        assert!(s.read(0, "urn:a", 5000).is_some());
    }
}
