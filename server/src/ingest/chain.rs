//! Per-gateway hash chains: which verified events extend a chain now, which wait for a
//! gap to fill, which are replays and which are forks.
//!
//! The book holds each gateway's head as last committed and the events received ahead
//! of a gap. Held events live only in memory on purpose: a gateway deletes an event
//! from its outbox only after the server acks a contiguous seq covering it, so anything
//! held here is still in the gateway's outbox and comes again if this process dies.
//! After a failed commit the caller [`reset`](ChainBook::reset)s the book and heads are
//! reloaded from the store, for the same reason.
//!
//! Several server instances may share one store (MQTT shared subscriptions hand a
//! gateway's batches to any of them), so the store, not the book, is the authority on a
//! head: when events wait behind a gap the book reloads the head, as another instance may
//! have stored the missing seqs, and after the store refuses a commit because the head
//! moved ([`StoreError::HeadMoved`](crate::store::StoreError::HeadMoved)) the caller
//! [`forget`](ChainBook::forget)s it. With one instance the reload finds the head the book
//! already holds, and nothing changes.

use std::collections::{BTreeMap, HashMap};

use trace_proto::event::EventTime;
use trace_proto::signed::{ChainHead, GatewayId, SignedEvent};

/// What to do with one gateway's events of one round.
#[derive(Debug, Default)]
pub struct Admission {
    /// Events that extend the chain, in seq order: store them.
    pub accepted: Vec<SignedEvent>,
    /// The gateway's head once `accepted` is stored (`None` when nothing was accepted).
    pub head: Option<ChainHead>,
    /// Events already stored (a redelivery): dropped and counted.
    pub replays: usize,
    /// Events that contradict the chain: quarantine them with the reason.
    pub forks: Vec<(SignedEvent, String)>,
}

/// A gap: seqs the server has not seen while later ones wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gap {
    /// First missing seq.
    pub from: u64,
    /// Last missing seq.
    pub to: u64,
    /// How many later events wait for it.
    pub waiting: usize,
    /// When the oldest waiting event arrived.
    pub since: EventTime,
}

struct Held {
    event: SignedEvent,
    arrived: EventTime,
}

/// The chain state of every gateway this process has seen.
pub struct ChainBook {
    heads: HashMap<GatewayId, Option<ChainHead>>,
    held: HashMap<GatewayId, BTreeMap<u64, Held>>,
    max_held: usize,
    overflowed: u64,
}

impl ChainBook {
    /// An empty book holding at most `max_held` out-of-order events per gateway; beyond
    /// that the newest are dropped (the gateway sends them again, they are unacked).
    pub fn new(max_held: usize) -> Self {
        Self {
            heads: HashMap::new(),
            held: HashMap::new(),
            max_held,
            overflowed: 0,
        }
    }

    /// Forgets everything; heads are reloaded from the store on next use.
    pub fn reset(&mut self) {
        self.heads.clear();
        self.held.clear();
    }

    /// Forgets one gateway's head (its held events stay): it is reloaded on next use.
    pub fn forget(&mut self, gateway: &GatewayId) {
        self.heads.remove(gateway);
    }

    /// Whether this very event (same signing bytes) waits behind a gap already.
    pub fn holds(&self, event: &SignedEvent) -> bool {
        self.held
            .get(event.gateway_id())
            .and_then(|held| held.get(&event.seq()))
            .is_some_and(|h| h.event.hash() == event.hash())
    }

    /// Gateways with events waiting behind a gap.
    pub fn waiting(&self) -> Vec<GatewayId> {
        self.held
            .iter()
            .filter(|(_, held)| !held.is_empty())
            .map(|(gateway, _)| gateway.clone())
            .collect()
    }

    /// Whether the book knows the gateway's head (else `admit` needs `stored_head`).
    pub fn knows(&self, gateway: &GatewayId) -> bool {
        self.heads.contains_key(gateway)
    }

    /// The head as last committed (or as loaded from the store).
    pub fn head(&self, gateway: &GatewayId) -> Option<ChainHead> {
        self.heads.get(gateway).copied().flatten()
    }

    /// The gateway's head, loaded with `stored_head` the first time it is asked for.
    pub fn load<E>(
        &mut self,
        gateway: &GatewayId,
        stored_head: impl FnOnce() -> Result<Option<ChainHead>, E>,
    ) -> Result<Option<ChainHead>, E> {
        if let Some(head) = self.heads.get(gateway) {
            return Ok(*head);
        }
        let head = stored_head()?;
        self.heads.insert(gateway.clone(), head);
        Ok(head)
    }

    /// Sorts one gateway's verified events of this round. `stored_head` seeds an unknown
    /// gateway's head, and is asked again when events wait behind a gap (the store's head
    /// wins when it is further on: another instance stored the gap); `is_stored` tells
    /// whether an event at or below the head is the very event already stored (a replay)
    /// or a different one (a fork). The book's head only moves on
    /// [`committed`](Self::committed) or such a reload.
    pub fn admit<E>(
        &mut self,
        gateway: &GatewayId,
        mut events: Vec<SignedEvent>,
        now: EventTime,
        stored_head: impl Fn() -> Result<Option<ChainHead>, E>,
        is_stored: impl Fn(&SignedEvent) -> Result<bool, E>,
    ) -> Result<Admission, E> {
        let mut head = self.load(gateway, &stored_head)?;
        let mut admission = Admission::default();
        let next = head.map_or(1, |h| h.seq.saturating_add(1));
        let waiting = self.held.get(gateway).is_some_and(|held| !held.is_empty());
        if waiting || events.iter().any(|e| e.seq() > next) {
            events.extend(self.adopt(gateway, stored_head()?));
            head = self.head(gateway);
        }
        let held = self.held.entry(gateway.clone()).or_default();
        events.sort_by_key(SignedEvent::seq);
        for event in events {
            let next = head.map_or(1, |h| h.seq.saturating_add(1));
            if event.seq() < next {
                if is_stored(&event)? || admission.accepted.iter().any(|a| a.hash() == event.hash())
                {
                    admission.replays += 1;
                } else {
                    let reason = format!(
                        "fork: seq {} is already taken by a different stored event",
                        event.seq()
                    );
                    admission.forks.push((event, reason));
                }
            } else if event.seq() > next {
                match held.get(&event.seq()) {
                    Some(h) if h.event.hash() == event.hash() => admission.replays += 1,
                    Some(_) => {
                        let reason = format!(
                            "fork: two different events for seq {} arrived ahead of a gap",
                            event.seq()
                        );
                        admission.forks.push((event, reason));
                    }
                    None if held.len() >= self.max_held => self.overflowed += 1,
                    None => {
                        held.insert(
                            event.seq(),
                            Held {
                                event,
                                arrived: now,
                            },
                        );
                    }
                }
            } else {
                match event.check_link(head) {
                    Ok(new_head) => {
                        head = Some(new_head);
                        admission.accepted.push(event);
                    }
                    Err(e) => admission.forks.push((event, format!("fork: {e}"))),
                }
            }
            drain(held, &mut head, &mut admission);
        }
        // A reloaded head may have freed held events with no event of this round.
        drain(held, &mut head, &mut admission);
        if !admission.accepted.is_empty() {
            admission.head = head;
        }
        Ok(admission)
    }

    /// Takes the store's head for `gateway` when it is further on than the book's (another
    /// instance sharing the store moved it). Returns the held events it passed: replays or
    /// forks, for the caller to judge with the round's events.
    pub fn adopt(&mut self, gateway: &GatewayId, stored: Option<ChainHead>) -> Vec<SignedEvent> {
        let Some(stored) = stored else {
            return Vec::new();
        };
        if self.head(gateway).is_some_and(|h| h.seq >= stored.seq) {
            return Vec::new();
        }
        self.heads.insert(gateway.clone(), Some(stored));
        let Some(held) = self.held.get_mut(gateway) else {
            return Vec::new();
        };
        let later = held.split_off(&stored.seq.saturating_add(1));
        std::mem::replace(held, later)
            .into_values()
            .map(|h| h.event)
            .collect()
    }

    /// Records a durable commit: the gateway's head is now `head`.
    pub fn committed(&mut self, gateway: &GatewayId, head: ChainHead) {
        self.heads.insert(gateway.clone(), Some(head));
    }

    /// The gateways' open gaps, by gateway id.
    pub fn gaps(&self) -> Vec<(GatewayId, Gap)> {
        let mut gaps: Vec<_> = self
            .held
            .iter()
            .filter_map(|(gateway, held)| {
                let (&first, _) = held.first_key_value()?;
                let since = held.values().map(|h| h.arrived).min()?;
                let from = self.head(gateway).map_or(1, |h| h.seq.saturating_add(1));
                Some((
                    gateway.clone(),
                    Gap {
                        from,
                        to: first.saturating_sub(1),
                        waiting: held.len(),
                        since,
                    },
                ))
            })
            .collect();
        gaps.sort_by(|a, b| a.0.cmp(&b.0));
        gaps
    }

    /// Events dropped because a gateway's hold was full, since start.
    pub fn overflowed(&self) -> u64 {
        self.overflowed
    }
}

/// Moves the held events that now extend the chain into `admission`.
fn drain(held: &mut BTreeMap<u64, Held>, head: &mut Option<ChainHead>, admission: &mut Admission) {
    while let Some(entry) = head.and_then(|h| held.remove(&h.seq.saturating_add(1))) {
        match entry.event.check_link(*head) {
            Ok(new_head) => {
                *head = Some(new_head);
                admission.accepted.push(entry.event);
            }
            Err(e) => admission.forks.push((entry.event, format!("fork: {e}"))),
        }
    }
}

#[cfg(test)]
mod tests;
