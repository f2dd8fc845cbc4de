//! The per-seq ledger: which of the seqs a gateway accepted (1 ..= its chain head) the
//! server's store holds, how many times each, and which it holds that the gateway never
//! accepted. Read from the store file itself, after the server has stopped, so what is
//! counted is what a restarted server would serve.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use trace_server::store::redb_store::RedbStore;
use trace_server::store::{Origin, RecordCursor, Store};

use crate::error::{E2eError, Result};

/// Events read from the store per call.
const PAGE: usize = 10_000;

/// Accepted seqs against stored ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ledger {
    accepted: u64,
    stored: BTreeMap<u64, u32>,
}

impl Ledger {
    /// A ledger of a gateway that accepted seqs `1..=accepted`, nothing stored yet.
    pub fn new(accepted: u64) -> Self {
        Self {
            accepted,
            stored: BTreeMap::new(),
        }
    }

    /// Counts one stored event with `seq`.
    pub fn stored(&mut self, seq: u64) {
        *self.stored.entry(seq).or_default() += 1;
    }

    /// The ledger of gateway `gateway` from the redb store in `data` (the server must
    /// have stopped: the file takes one process at a time).
    pub fn from_store(data: &Path, gateway: &str, accepted: u64) -> Result<Self> {
        let failed = |e: trace_server::store::StoreError| {
            E2eError::Setup(format!("reading the store in {}: {e}", data.display()))
        };
        let store = RedbStore::open(data).map_err(failed)?;
        let mut ledger = Self::new(accepted);
        let mut after: Option<RecordCursor> = None;
        loop {
            let page = store
                .events_recorded(after.as_ref(), PAGE)
                .map_err(failed)?;
            let Some(last) = page.last() else {
                return Ok(ledger);
            };
            after = Some(RecordCursor {
                recorded: last.recorded,
                key: last.key,
            });
            for event in &page {
                if let Origin::Gateway {
                    gateway_id, seq, ..
                } = &event.origin
                    && gateway_id.as_str() == gateway
                {
                    ledger.stored(*seq);
                }
            }
        }
    }

    /// Seqs the gateway accepted.
    pub fn accepted(&self) -> u64 {
        self.accepted
    }

    /// Accepted seqs the store does not hold.
    pub fn lost(&self) -> Vec<u64> {
        (1..=self.accepted)
            .filter(|seq| !self.stored.contains_key(seq))
            .collect()
    }

    /// Seqs the store holds more than once.
    pub fn duplicated(&self) -> Vec<u64> {
        self.stored
            .iter()
            .filter(|(_, count)| **count > 1)
            .map(|(seq, _)| *seq)
            .collect()
    }

    /// Stored seqs the gateway never accepted (beyond its head, or 0).
    pub fn unexpected(&self) -> Vec<u64> {
        self.stored
            .keys()
            .filter(|seq| **seq == 0 || **seq > self.accepted)
            .copied()
            .collect()
    }

    /// Whether every accepted seq is stored exactly once and nothing else is.
    pub fn exact(&self) -> bool {
        self.lost().is_empty() && self.duplicated().is_empty() && self.unexpected().is_empty()
    }

    /// The seqs that make it inexact, for an assertion message.
    pub fn mismatch(&self) -> String {
        format!(
            "lost {:?}, twice {:?}, unexpected {:?}",
            self.lost(),
            self.duplicated(),
            self.unexpected()
        )
    }
}

/// The counts every faults figure line ends with.
impl fmt::Display for Ledger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "events accepted={} lost={} duplicated={} unexpected={}",
            self.accepted,
            self.lost().len(),
            self.duplicated().len(),
            self.unexpected().len()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_lost_duplicated_and_unexpected_seqs() {
        let mut ledger = Ledger::new(5);
        for seq in [1, 2, 2, 4, 5, 7] {
            ledger.stored(seq);
        }
        assert_eq!(ledger.lost(), vec![3]);
        assert_eq!(ledger.duplicated(), vec![2]);
        assert_eq!(ledger.unexpected(), vec![7]);
        assert!(!ledger.exact());
    }

    #[test]
    fn every_seq_once_is_exact() {
        let mut ledger = Ledger::new(3);
        (1..=3).for_each(|seq| ledger.stored(seq));
        assert!(ledger.exact());
        assert_eq!(ledger.accepted(), 3);
    }
}
