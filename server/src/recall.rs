//! Recalls: a forward trace from the codes a supervisor names, frozen into a record, and
//! the retained list every gateway holds so a checkout or pharmacy reader can flag a
//! recalled unit at scan time.

use std::collections::BTreeSet;

use sha2::{Digest, Sha256};
use trace_proto::event::EventTime;
use trace_proto::mqtt::{Recall, RecallList};

use crate::store::{RecallRecord, Store, StoreError};
use crate::trace::{self, Direction, TraceError, UnitStatus};

/// What a supervisor asks for.
#[derive(Debug, Clone)]
pub struct RecallRequest {
    /// Canonical URIs of the recalled lots, units or containers.
    pub codes: Vec<String>,
    /// Why.
    pub reason: String,
    /// What holders and consumers should do.
    pub instructions: String,
    /// Who asks (the token's name).
    pub issued_by: String,
}

/// Traces every code forward, stores the recall with everything reached, and returns it.
pub fn issue(store: &dyn Store, request: RecallRequest) -> Result<RecallRecord, TraceError> {
    let mut affected = BTreeSet::new();
    for code in &request.codes {
        let trace = trace::trace(store, code, Direction::Forward)?;
        affected.extend(trace.reached);
        affected.extend(trace.units.into_iter().map(|u| u.id));
    }
    let issued = EventTime::now();
    let record = RecallRecord {
        id: recall_id(issued, &request),
        issued,
        codes: request.codes,
        reason: request.reason,
        instructions: request.instructions,
        issued_by: request.issued_by,
        affected: affected.into_iter().collect(),
    };
    store.put_recall(&record)?;
    tracing::warn!(
        recall = record.id,
        affected = record.affected.len(),
        "recall issued"
    );
    Ok(record)
}

/// `R-<date>-<8 hex>`: readable, and unique across server instances without a counter.
fn recall_id(issued: EventTime, request: &RecallRequest) -> String {
    let mut hash = Sha256::new();
    hash.update(issued.unix_millis().to_be_bytes());
    for code in &request.codes {
        hash.update(code.as_bytes());
        hash.update([0]);
    }
    hash.update(request.reason.as_bytes());
    let digest = hash.finalize();
    let date: String = issued
        .to_string()
        .chars()
        .take(10)
        .filter(|c| *c != '-')
        .collect();
    format!(
        "R-{date}-{}",
        hex::encode(digest.get(..4).unwrap_or_default())
    )
}

/// Where every affected unit of a recall is now: the forward traces run again.
pub fn units_now(store: &dyn Store, record: &RecallRecord) -> Result<Vec<UnitStatus>, TraceError> {
    let mut seen = BTreeSet::new();
    let mut units = Vec::new();
    for code in &record.codes {
        for unit in trace::trace(store, code, Direction::Forward)?.units {
            if seen.insert(unit.id.clone()) {
                units.push(unit);
            }
        }
    }
    Ok(units)
}

/// The retained list gateways subscribe to: every recall with its affected identifiers.
pub fn list(store: &dyn Store) -> Result<RecallList, StoreError> {
    Ok(RecallList {
        as_of: EventTime::now(),
        recalls: store
            .recalls()?
            .into_iter()
            .map(|r| Recall {
                id: r.id,
                affected: r.affected,
                reason: r.reason,
                issued: r.issued,
                instructions: r.instructions,
            })
            .collect(),
    })
}
