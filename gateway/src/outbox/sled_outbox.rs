//! [`Outbox`] on sled 0.34: one tree, event records keyed `e` ‖ seq (big-endian, so
//! key order is chain order), the chain head under `h` and the ack under `a`. Every
//! change is one `apply_batch` (atomic) followed by `flush` (durable).

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use trace_proto::signed::{ChainHead, EventHash, SignedEvent};

use super::{Outbox, OutboxError, Usage};

const HEAD_KEY: &[u8] = b"h";
const ACK_KEY: &[u8] = b"a";
const EVENT_PREFIX: u8 = b'e';

fn event_key(seq: u64) -> [u8; 9] {
    let mut key = [EVENT_PREFIX; 9];
    key[1..].copy_from_slice(&seq.to_be_bytes());
    key
}

fn store(e: sled::Error) -> OutboxError {
    OutboxError::Store(e.to_string())
}

#[derive(Debug)]
struct State {
    head: Option<ChainHead>,
    acked: u64,
    events: u64,
    bytes: u64,
}

/// The sled outbox.
#[derive(Debug)]
pub struct SledOutbox {
    db: sled::Db,
    budget: u64,
    state: Mutex<State>,
}

impl SledOutbox {
    /// Opens (or creates) the outbox in directory `path`, holding at most `budget`
    /// bytes of events. Fails if another process has it open.
    pub fn open(path: &Path, budget: u64) -> Result<Self, OutboxError> {
        let db = sled::Config::new().path(path).open().map_err(store)?;
        let head = match db.get(HEAD_KEY).map_err(store)? {
            None => None,
            Some(bytes) => Some(decode_head(&bytes)?),
        };
        let acked =
            match db.get(ACK_KEY).map_err(store)? {
                None => 0,
                Some(bytes) => u64::from_be_bytes(bytes.as_ref().try_into().map_err(|_| {
                    OutboxError::Damaged {
                        key: "a".into(),
                        reason: format!("{} bytes, expected 8", bytes.len()),
                    }
                })?),
            };
        let (mut events, mut bytes) = (0, 0);
        for record in db.scan_prefix([EVENT_PREFIX]) {
            let (_, value) = record.map_err(store)?;
            events += 1;
            bytes += value.len() as u64;
        }
        Ok(Self {
            db,
            budget,
            state: Mutex::new(State {
                head,
                acked,
                events,
                bytes,
            }),
        })
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave State half-updated: every update
        // happens after the disk write succeeded, in plain assignments.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn encode_head(head: ChainHead) -> [u8; 40] {
    let mut out = [0; 40];
    out[..8].copy_from_slice(&head.seq.to_be_bytes());
    out[8..].copy_from_slice(&head.hash.0);
    out
}

fn decode_head(bytes: &[u8]) -> Result<ChainHead, OutboxError> {
    let damaged = || OutboxError::Damaged {
        key: "h".into(),
        reason: format!("{} bytes, expected 40", bytes.len()),
    };
    let (seq, hash) = bytes.split_first_chunk::<8>().ok_or_else(damaged)?;
    let hash: [u8; 32] = hash.try_into().map_err(|_| damaged())?;
    Ok(ChainHead {
        seq: u64::from_be_bytes(*seq),
        hash: EventHash(hash),
    })
}

impl Outbox for SledOutbox {
    fn append(&self, events: &[SignedEvent]) -> Result<(), OutboxError> {
        let mut state = self.state();
        let mut head = state.head;
        let mut batch = sled::Batch::default();
        let mut needed = 0u64;
        for event in events {
            head = Some(event.check_link(head)?);
            let bytes = event.to_bytes();
            needed += bytes.len() as u64;
            batch.insert(event_key(event.seq()).as_slice(), bytes);
        }
        let Some(head) = head else {
            return Ok(());
        };
        if state.bytes.saturating_add(needed) > self.budget {
            return Err(OutboxError::Full {
                used: state.bytes,
                budget: self.budget,
                needed,
            });
        }
        batch.insert(HEAD_KEY, encode_head(head).as_slice());
        self.db.apply_batch(batch).map_err(store)?;
        self.db.flush().map_err(store)?;
        state.head = Some(head);
        state.events += events.len() as u64;
        state.bytes += needed;
        Ok(())
    }

    fn head(&self) -> Option<ChainHead> {
        self.state().head
    }

    fn acked(&self) -> u64 {
        self.state().acked
    }

    fn ack(&self, seq: u64) -> Result<u64, OutboxError> {
        let mut state = self.state();
        let seq = seq.min(state.head.map_or(0, |h| h.seq));
        if seq <= state.acked {
            return Ok(0);
        }
        let mut batch = sled::Batch::default();
        let (mut removed, mut freed) = (0, 0);
        for record in self
            .db
            .range(event_key(state.acked.saturating_add(1))..=event_key(seq))
        {
            let (key, value) = record.map_err(store)?;
            batch.remove(key);
            removed += 1;
            freed += value.len() as u64;
        }
        batch.insert(ACK_KEY, seq.to_be_bytes().as_slice());
        self.db.apply_batch(batch).map_err(store)?;
        self.db.flush().map_err(store)?;
        state.acked = seq;
        state.events = state.events.saturating_sub(removed);
        state.bytes = state.bytes.saturating_sub(freed);
        Ok(removed)
    }

    fn unacked(&self, after: u64, max: usize) -> Result<Vec<SignedEvent>, OutboxError> {
        let from = after.max(self.acked()).saturating_add(1);
        let mut out = Vec::new();
        for record in self
            .db
            .range(event_key(from)..=event_key(u64::MAX))
            .take(max)
        {
            let (key, value) = record.map_err(store)?;
            let event = SignedEvent::from_bytes(&value).map_err(|e| OutboxError::Damaged {
                key: format!("{key:?}"),
                reason: e.to_string(),
            })?;
            out.push(event);
        }
        Ok(out)
    }

    fn usage(&self) -> Usage {
        let state = self.state();
        Usage {
            events: state.events,
            bytes: state.bytes,
            budget: self.budget,
        }
    }
}
