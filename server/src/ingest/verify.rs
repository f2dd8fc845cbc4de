//! Signature verification for a round of events, on every core.
//!
//! The round is cut into one chunk per core; each chunk goes through trace-proto's batch
//! verification, which names the bad events itself when a batch fails.

use std::thread;

use trace_proto::signed::{SignedError, SignedEvent, VerifyingKey, verify_batch};

/// Below this many events a round is verified on the calling thread.
const PARALLEL_FROM: usize = 256;

/// The indices (into `items`) of the events whose signature does not verify.
pub fn bad_signatures(items: &[(&SignedEvent, &VerifyingKey)]) -> Vec<usize> {
    let threads = thread::available_parallelism().map_or(1, usize::from);
    if items.len() < PARALLEL_FROM || threads == 1 {
        return check_chunk(items, 0);
    }
    let chunk = items.len().div_ceil(threads);
    thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .enumerate()
            .map(|(n, part)| {
                let offset = n * chunk;
                (
                    offset..offset + part.len(),
                    scope.spawn(move || check_chunk(part, offset)),
                )
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|(range, handle)| match handle.join() {
                Ok(bad) => bad,
                // A verifier that died proves nothing: its whole chunk counts as bad.
                Err(_) => range.collect(),
            })
            .collect()
    })
}

fn check_chunk(items: &[(&SignedEvent, &VerifyingKey)], offset: usize) -> Vec<usize> {
    match verify_batch(items) {
        Ok(()) => Vec::new(),
        Err(SignedError::BadSignatures { bad }) => bad.into_iter().map(|i| offset + i).collect(),
        Err(_) => (offset..offset + items.len()).collect(),
    }
}
