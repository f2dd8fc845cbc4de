//! The durable outbox: signed events wait here until the server acknowledges them.
//!
//! An event counts as accepted only once [`Outbox::append`] has returned, and by then it
//! is on disk together with the new chain head, in one atomic write (several events may
//! share one write and one flush: group commit): after a crash the
//! gateway continues the chain at head + 1 after the last accepted event, never
//! re-using a seq (a fork) and never skipping one (a gap). Events leave only through
//! [`Outbox::ack`], with the server's highest contiguous stored seq, never on a broker's
//! PUBACK (see design.md, "Transport").

mod sled_outbox;

pub use sled_outbox::SledOutbox;

use trace_proto::event::Event;
use trace_proto::signed::GatewayId;
use trace_proto::signed::{ChainHead, EventHash, SignedError, SignedEvent, SigningKey};

/// Why the outbox did not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    /// Accepting the event would exceed the disk budget; nothing was written.
    #[error("outbox full: {used} of {budget} bytes used, an event of {needed} bytes refused")]
    Full {
        /// Bytes of events held.
        used: u64,
        /// The configured budget.
        budget: u64,
        /// Bytes of the refused event.
        needed: u64,
    },
    /// The event does not extend the chain head (a fork or a gap); nothing was written.
    #[error("event does not extend the outbox chain: {0}")]
    Chain(#[from] SignedError),
    /// The store failed (disk full, I/O error, corruption).
    #[error("outbox store: {0}")]
    Store(String),
    /// A stored record does not decode: the store is damaged.
    #[error("outbox record {key} is damaged: {reason}")]
    Damaged {
        /// Which record.
        key: String,
        /// What is wrong.
        reason: String,
    },
}

/// How full the outbox is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    /// Events waiting for the server's ack.
    pub events: u64,
    /// Bytes of those events.
    pub bytes: u64,
    /// The configured budget in bytes.
    pub budget: u64,
}

/// A durable, ordered store of signed events awaiting acknowledgement. Implementations
/// are shared between the thread that appends and the one that publishes.
pub trait Outbox: Send + Sync {
    /// Stores `events` (consecutive links of the chain, oldest first) and makes the last
    /// one the chain head, durably (flushed to disk) and atomically, before returning.
    /// Refuses all of them if they do not extend the current head
    /// ([`OutboxError::Chain`]) or do not fit the budget ([`OutboxError::Full`]); refused
    /// events leave no trace.
    fn append(&self, events: &[SignedEvent]) -> Result<(), OutboxError>;

    /// The newest accepted event's seq and hash; `None` before the first. Survives
    /// acknowledgement: the head is kept when every event has been acked.
    fn head(&self) -> Option<ChainHead>;

    /// The highest seq the server has acknowledged (0: none).
    fn acked(&self) -> u64;

    /// Records the server's highest contiguous stored seq and deletes every event up to
    /// it, durably. An ack at or below the current one changes nothing; an ack beyond
    /// the head is capped at the head. Returns the number of events deleted.
    fn ack(&self, seq: u64) -> Result<u64, OutboxError>;

    /// Up to `max` unacknowledged events with seq > `after`, in chain order.
    fn unacked(&self, after: u64, max: usize) -> Result<Vec<SignedEvent>, OutboxError>;

    /// Events and bytes held, and the budget.
    fn usage(&self) -> Usage;
}

/// Signs `events` as the next links of the outbox's chain and appends them in one
/// durable write: the one way events enter an outbox.
pub fn sign_and_append(
    outbox: &dyn Outbox,
    key: &SigningKey,
    gateway_id: &GatewayId,
    events: Vec<Event>,
) -> Result<Vec<SignedEvent>, OutboxError> {
    let (mut seq, mut prev) = outbox
        .head()
        .map_or((1, EventHash::ZERO), |h| (h.seq.saturating_add(1), h.hash));
    let mut signed = Vec::with_capacity(events.len());
    for event in events {
        let link = SignedEvent::sign(key, gateway_id.clone(), seq, prev, event)?;
        (seq, prev) = (seq.saturating_add(1), link.hash());
        signed.push(link);
    }
    if !signed.is_empty() {
        outbox.append(&signed)?;
    }
    Ok(signed)
}

#[cfg(test)]
mod tests;
