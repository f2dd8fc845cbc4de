//! Writes. A commit is planned first, without I/O ([`Plan::of`]: records encoded, index
//! rows listed, the head each gateway's events extend), then written in one transaction:
//! heads first (each is a conditional update that takes the gateway's row lock, see the
//! module doc of [`pg_store`](super)), then events, then the index rows of the events that
//! were new. Rows go in key order so that concurrent commits lock in one order.

use std::collections::{BTreeMap, HashSet};

use deadpool_postgres::{Client, Transaction};
use trace_proto::signed::SignedEvent;

use super::backend;
use super::read::{as_i64, get};
use crate::store::redb_store::codes::role_code;
use crate::store::redb_store::records::{corrupt, encode_event};
use crate::store::rows::{class_role, event_rows};
use crate::store::{CommitBatch, CommitReport, NewQuarantine, Origin, StoreError};

/// Identifiers one commit can number in order; beyond, they share the last number.
const ORDINALS_PER_COMMIT: i64 = 1 << 24;

/// A head move: the new head, and the head the batch's first event of that gateway
/// extends (`Some(None)`: it is the gateway's first event; `None`: the batch has no event
/// of that gateway, and the head is written as given).
struct HeadMove {
    gateway: String,
    seq: i64,
    hash: Vec<u8>,
    extends: Option<Option<(i64, Vec<u8>)>>,
}

/// An event's row and index rows.
struct EventPlan {
    /// Its place in the batch: identifiers are numbered in batch order.
    position: usize,
    key: Vec<u8>,
    recorded: i64,
    time: i64,
    gateway: Option<String>,
    seq: Option<i64>,
    record: Vec<u8>,
    /// `(identifier, role code)`, identifiers in the order first named.
    named: Vec<(String, i16)>,
    located: Vec<(String, i16)>,
    /// `(class, instances)`.
    classes: Vec<(String, Vec<String>)>,
}

/// A commit batch ready to write.
pub(super) struct Plan {
    heads: Vec<HeadMove>,
    events: Vec<EventPlan>,
    duplicates: usize,
    quarantine: Vec<NewQuarantine>,
}

impl Plan {
    /// Plans `batch`; fails on an event whose signed bytes do not hold it.
    pub fn of(batch: &CommitBatch) -> Result<Self, StoreError> {
        let mut seen = HashSet::new();
        let mut events = Vec::with_capacity(batch.events.len());
        let mut duplicates = 0;
        let mut first_of: BTreeMap<&str, (u64, &[u8])> = BTreeMap::new();
        for stored in &batch.events {
            if !seen.insert(stored.key) {
                duplicates += 1;
                continue;
            }
            let (gateway, seq) = match &stored.origin {
                Origin::Gateway {
                    gateway_id,
                    seq,
                    signed,
                } => {
                    let first = first_of
                        .entry(gateway_id.as_str())
                        .or_insert((*seq, signed));
                    if *seq < first.0 {
                        *first = (*seq, signed);
                    }
                    (Some(gateway_id.as_str().to_owned()), Some(as_i64(*seq)))
                }
                Origin::Captured { .. } => (None, None),
            };
            let rows = event_rows(&stored.event);
            let class_role = i16::from(role_code(class_role(&stored.event)));
            let mut named: Vec<(String, i16)> = rows
                .named
                .iter()
                .map(|(uri, role)| ((*uri).to_owned(), i16::from(role_code(*role))))
                .collect();
            named.extend(
                rows.commissioned
                    .iter()
                    .map(|c| (c.class.clone(), class_role)),
            );
            events.push(EventPlan {
                position: events.len(),
                key: stored.key.0.to_vec(),
                recorded: stored.recorded.unix_millis(),
                time: stored.event.event_time.unix_millis(),
                gateway,
                seq,
                record: encode_event(stored)?,
                named,
                located: rows
                    .locations
                    .iter()
                    .map(|(uri, role)| ((*uri).to_owned(), i16::from(role_code(*role))))
                    .collect(),
                classes: rows
                    .commissioned
                    .iter()
                    .map(|c| {
                        (
                            c.class.clone(),
                            c.instances.iter().map(|i| (*i).to_owned()).collect(),
                        )
                    })
                    .collect(),
            });
        }
        let mut heads = Vec::with_capacity(batch.heads.len());
        for (gateway, head) in &batch.heads {
            let extends = match first_of.get(gateway.as_str()) {
                None => None,
                Some((_, signed)) => {
                    let first = SignedEvent::from_bytes(signed)
                        .map_err(|e| corrupt("signed event in the batch", &e.to_string()))?;
                    Some(match first.seq().checked_sub(1) {
                        Some(0) | None => None,
                        Some(seq) => Some((as_i64(seq), first.prev().0.to_vec())),
                    })
                }
            };
            heads.push(HeadMove {
                gateway: gateway.as_str().to_owned(),
                seq: as_i64(head.seq),
                hash: head.hash.0.to_vec(),
                extends,
            });
        }
        heads.sort_by(|a, b| a.gateway.cmp(&b.gateway));
        events.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(Self {
            heads,
            events,
            duplicates,
            quarantine: batch.quarantine.clone(),
        })
    }
}

/// Executes one prepared statement in `txn`; returns the rows it touched.
pub(super) async fn exec(
    txn: &Transaction<'_>,
    sql: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> Result<u64, StoreError> {
    let statement = txn.prepare_cached(sql).await.map_err(backend)?;
    txn.execute(&statement, params).await.map_err(backend)
}

/// Writes `plan` in one transaction.
pub(super) async fn commit(client: &mut Client, plan: &Plan) -> Result<CommitReport, StoreError> {
    let txn = client.transaction().await.map_err(backend)?;
    for head in &plan.heads {
        move_head(&txn, head).await?;
    }
    let new: HashSet<Vec<u8>> = insert_events(&txn, &plan.events).await?;
    let mut stored: Vec<&EventPlan> = plan
        .events
        .iter()
        .filter(|e| new.contains(&e.key))
        .collect();
    stored.sort_by_key(|e| e.position);
    index(&txn, &stored).await?;
    for entry in &plan.quarantine {
        exec(
            &txn,
            "INSERT INTO quarantine (id, gateway_id, seq, received_ms, reason, bytes) \
             VALUES (nextval('quarantine_ids'), $1, $2, $3, $4, $5)",
            &[
                &entry.gateway_id,
                &entry.seq.map(as_i64),
                &entry.received.unix_millis(),
                &entry.reason,
                &entry.bytes,
            ],
        )
        .await?;
    }
    txn.commit().await.map_err(backend)?;
    Ok(CommitReport {
        stored: stored.len(),
        duplicates: plan.duplicates + plan.events.len() - stored.len(),
    })
}

/// Moves one gateway's head, on condition that the store holds the head the batch extends.
async fn move_head(txn: &Transaction<'_>, head: &HeadMove) -> Result<(), StoreError> {
    let params: [&(dyn tokio_postgres::types::ToSql + Sync); 3] =
        [&head.gateway, &head.seq, &head.hash];
    let (moved, expected) = match &head.extends {
        None => {
            let sql = "INSERT INTO heads (gateway_id, seq, hash) VALUES ($1, $2, $3) \
                       ON CONFLICT (gateway_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash";
            exec(txn, sql, &params).await?;
            return Ok(());
        }
        Some(None) => {
            let sql = "INSERT INTO heads (gateway_id, seq, hash) VALUES ($1, $2, $3) \
                       ON CONFLICT (gateway_id) DO NOTHING";
            (exec(txn, sql, &params).await?, 0)
        }
        Some(Some((seq, prev))) => {
            let sql = "UPDATE heads SET seq = $2, hash = $3 \
                       WHERE gateway_id = $1 AND seq = $4 AND hash = $5";
            let moved = exec(txn, sql, &[&head.gateway, &head.seq, &head.hash, seq, prev]).await?;
            (moved, *seq)
        }
    };
    if moved == 1 {
        return Ok(());
    }
    let statement = txn
        .prepare_cached("SELECT seq FROM heads WHERE gateway_id = $1")
        .await
        .map_err(backend)?;
    let found = txn
        .query(&statement, &[&head.gateway])
        .await
        .map_err(backend)?;
    let stored = match found.first() {
        Some(row) => get::<i64>(row, 0)?,
        None => 0,
    };
    Err(StoreError::HeadMoved {
        gateway: trace_proto::signed::GatewayId::new(&head.gateway)
            .map_err(|e| corrupt("gateway id", &e.to_string()))?,
        expected: u64::from_ne_bytes(expected.to_ne_bytes()),
        stored: u64::from_ne_bytes(stored.to_ne_bytes()),
    })
}

/// Inserts the events not stored yet; returns the keys it inserted.
async fn insert_events(
    txn: &Transaction<'_>,
    events: &[EventPlan],
) -> Result<HashSet<Vec<u8>>, StoreError> {
    if events.is_empty() {
        return Ok(HashSet::new());
    }
    let keys: Vec<&[u8]> = events.iter().map(|e| e.key.as_slice()).collect();
    let recorded: Vec<i64> = events.iter().map(|e| e.recorded).collect();
    let times: Vec<i64> = events.iter().map(|e| e.time).collect();
    let gateways: Vec<Option<&str>> = events.iter().map(|e| e.gateway.as_deref()).collect();
    let seqs: Vec<Option<i64>> = events.iter().map(|e| e.seq).collect();
    let records: Vec<&[u8]> = events.iter().map(|e| e.record.as_slice()).collect();
    let sql = "INSERT INTO events (key, recorded_ms, event_time_ms, gateway_id, seq, record) \
               SELECT * FROM unnest($1::BYTEA[], $2::BIGINT[], $3::BIGINT[], $4::TEXT[], \
               $5::BIGINT[], $6::BYTEA[]) ON CONFLICT (key) DO NOTHING RETURNING key";
    let statement = txn.prepare_cached(sql).await.map_err(backend)?;
    let rows = txn
        .query(
            &statement,
            &[&keys, &recorded, &times, &gateways, &seqs, &records],
        )
        .await
        .map_err(backend)?;
    rows.iter().map(|row| get::<Vec<u8>>(row, 0)).collect()
}

/// Writes the index rows of newly stored events: identifiers (numbered in first-named
/// order within this commit), lot membership, naming and location rows.
async fn index(txn: &Transaction<'_>, events: &[&EventPlan]) -> Result<(), StoreError> {
    if events.is_empty() {
        return Ok(());
    }
    let mut order: Vec<&str> = Vec::new();
    let mut numbered = HashSet::new();
    let mut naming: Vec<(&str, i64, &[u8], i16)> = Vec::new();
    let mut located: Vec<(&str, i64, &[u8], i16)> = Vec::new();
    for event in events {
        for (uri, role) in &event.named {
            naming.push((uri, event.time, &event.key, *role));
        }
        for (uri, role) in &event.located {
            located.push((uri, event.time, &event.key, *role));
        }
        let instances = event.classes.iter().flat_map(|(_, i)| i.iter());
        for uri in event.named.iter().map(|(u, _)| u).chain(instances) {
            if numbered.insert(uri.as_str()) {
                order.push(uri);
            }
        }
    }
    let commit_no: i64 = {
        let statement = txn
            .prepare_cached("SELECT nextval('commit_numbers')")
            .await
            .map_err(backend)?;
        let rows = txn.query(&statement, &[]).await.map_err(backend)?;
        match rows.first() {
            Some(row) => get(row, 0)?,
            None => return Err(corrupt("commit number", "no row")),
        }
    };
    let mut idents: Vec<(&str, i64)> = order
        .iter()
        .enumerate()
        .map(|(n, uri)| {
            let n = i64::try_from(n)
                .unwrap_or(i64::MAX)
                .min(ORDINALS_PER_COMMIT - 1);
            (
                *uri,
                commit_no
                    .saturating_mul(ORDINALS_PER_COMMIT)
                    .saturating_add(n),
            )
        })
        .collect();
    idents.sort_unstable();
    let (uris, numbers): (Vec<&str>, Vec<i64>) = idents.into_iter().unzip();
    exec(
        txn,
        "INSERT INTO idents (uri, first_seen) SELECT * FROM unnest($1::TEXT[], $2::BIGINT[]) \
         ON CONFLICT (uri) DO NOTHING",
        &[&uris, &numbers],
    )
    .await?;
    for event in events {
        for (class, instances) in &event.classes {
            exec(
                txn,
                "UPDATE idents SET class = $1 WHERE uri = ANY($2) AND class IS NULL",
                &[class, instances],
            )
            .await?;
        }
    }
    for (table, mut rows) in [("naming", naming), ("located", located)] {
        if rows.is_empty() {
            continue;
        }
        rows.sort_unstable();
        rows.dedup();
        let names: Vec<&str> = rows.iter().map(|r| r.0).collect();
        let times: Vec<i64> = rows.iter().map(|r| r.1).collect();
        let keys: Vec<&[u8]> = rows.iter().map(|r| r.2).collect();
        let roles: Vec<i16> = rows.iter().map(|r| r.3).collect();
        let column = if table == "naming" {
            "identifier"
        } else {
            "location"
        };
        let sql = format!(
            "INSERT INTO {table} ({column}, event_time_ms, key, role) SELECT * FROM \
             unnest($1::TEXT[], $2::BIGINT[], $3::BYTEA[], $4::SMALLINT[]) ON CONFLICT DO NOTHING"
        );
        exec(txn, &sql, &[&names, &times, &keys, &roles]).await?;
    }
    Ok(())
}
