//! Writing: a commit batch or a recall, each in one write transaction. The [`Writer`]
//! keeps the identifier records it touches in memory and writes each once at the end, so
//! a batch packing twenty units into a case rewrites each record once.

use std::collections::HashMap;

use redb::{ReadableTable, Table, WriteTransaction};

use super::records::{
    IdentRecord, LatestRow, LinkRow, action_code, corrupt, decode, encode, encode_event, role_code,
};
use super::tables::{
    EVENT_NOS, EVENTS, GATEWAYS, HEADS, IDENTS, LOCATED, MEMBERS, META, NAMING, QUARANTINE,
    RECALL_IDS, RECALLS, RECORDS, meta,
};
use crate::store::rows::{class_role, event_rows, link_of, makes_container};
use crate::store::{
    CommitBatch, CommitReport, GatewayRecord, QuarantineEntry, RecallRecord, StoreError,
    StoredEvent,
};

/// The tables a commit writes, and what it has touched so far.
pub(super) struct Writer<'t> {
    meta: Table<'t, &'static str, u64>,
    events: Table<'t, u64, &'static [u8]>,
    event_nos: Table<'t, &'static [u8; 32], u64>,
    idents: Table<'t, &'static str, u64>,
    records: Table<'t, u64, &'static [u8]>,
    naming: Table<'t, (u64, i64, u64, u8), ()>,
    located: Table<'t, (u64, i64, u64, u8), ()>,
    members: Table<'t, (u64, i64, u64, u32), u64>,
    ids: HashMap<String, u64>,
    dirty: HashMap<u64, IdentRecord>,
    next_ident: u64,
    next_event: u64,
}

fn counter(meta: &Table<'_, &'static str, u64>, key: &str) -> Result<u64, StoreError> {
    Ok(meta.get(key)?.map_or(1, |v| v.value()))
}

impl<'t> Writer<'t> {
    /// Opens the tables of `txn`.
    pub fn open(txn: &'t WriteTransaction) -> Result<Self, StoreError> {
        let meta = txn.open_table(META)?;
        let next_ident = counter(&meta, meta::NEXT_IDENT)?;
        let next_event = counter(&meta, meta::NEXT_EVENT)?;
        Ok(Self {
            meta,
            events: txn.open_table(EVENTS)?,
            event_nos: txn.open_table(EVENT_NOS)?,
            idents: txn.open_table(IDENTS)?,
            records: txn.open_table(RECORDS)?,
            naming: txn.open_table(NAMING)?,
            located: txn.open_table(LOCATED)?,
            members: txn.open_table(MEMBERS)?,
            ids: HashMap::new(),
            dirty: HashMap::new(),
            next_ident,
            next_event,
        })
    }

    /// Stores one event and its index rows; `false` if its key is already stored.
    pub fn store_event(&mut self, stored: &StoredEvent) -> Result<bool, StoreError> {
        if self.event_nos.get(&stored.key.0)?.is_some() {
            return Ok(false);
        }
        let record = encode_event(stored)?;
        let no = self.next_event;
        self.next_event += 1;
        self.events.insert(no, record.as_slice())?;
        self.event_nos.insert(&stored.key.0, no)?;
        let event = &stored.event;
        let time = event.event_time.unix_millis();
        let rows = event_rows(event);
        for &(uri, role) in &rows.named {
            let id = self.intern(uri)?;
            let code = role_code(role);
            self.naming.insert((id, time, no, code), ())?;
            let link = match link_of(event, role) {
                Some((action, parent)) => Some(LinkRow {
                    time,
                    event: no,
                    role: code,
                    action: action.map(action_code),
                    parent: parent.map(|p| self.intern(p)).transpose()?,
                }),
                None => None,
            };
            let latest = LatestRow {
                time,
                key: stored.key.0,
                role: code,
            };
            let container = makes_container(event, role);
            self.record(id)?.note_row(latest, container, link);
        }
        let class_code = role_code(class_role(event));
        for commissioned in &rows.commissioned {
            let class = self.intern(&commissioned.class)?;
            self.naming.insert((class, time, no, class_code), ())?;
            let latest = LatestRow {
                time,
                key: stored.key.0,
                role: class_code,
            };
            self.record(class)?.note_row(latest, false, None);
            for (position, instance) in commissioned.instances.iter().enumerate() {
                let id = self.intern(instance)?;
                let record = self.record(id)?;
                if record.class.is_none() {
                    record.class = Some(class);
                    let position = u32::try_from(position).unwrap_or(u32::MAX);
                    self.members.insert((class, time, no, position), id)?;
                }
            }
        }
        for &(uri, role) in &rows.locations {
            let id = self.intern(uri)?;
            self.located.insert((id, time, no, role_code(role)), ())?;
        }
        Ok(true)
    }

    /// The number of `uri`, assigned on first sight (so identifiers commissioned together
    /// get neighbouring numbers and their index rows neighbouring keys).
    pub fn intern(&mut self, uri: &str) -> Result<u64, StoreError> {
        if let Some(id) = self.ids.get(uri) {
            return Ok(*id);
        }
        let known = self.idents.get(uri)?.map(|id| id.value());
        let id = match known {
            Some(id) => id,
            None => {
                let id = self.next_ident;
                self.next_ident += 1;
                self.idents.insert(uri, id)?;
                self.dirty.insert(id, IdentRecord::new(uri));
                id
            }
        };
        self.ids.insert(uri.to_owned(), id);
        Ok(id)
    }

    /// The record of identifier `id`, loaded once per transaction.
    pub fn record(&mut self, id: u64) -> Result<&mut IdentRecord, StoreError> {
        if !self.dirty.contains_key(&id) {
            let record = match self.records.get(id)? {
                Some(bytes) => decode(bytes.value(), "identifier record")?,
                None => return Err(corrupt("identifier record", &format!("{id} is missing"))),
            };
            self.dirty.insert(id, record);
        }
        self.dirty
            .get_mut(&id)
            .ok_or_else(|| corrupt("identifier record", &format!("{id} vanished")))
    }

    /// Writes the touched records and the counters.
    pub fn finish(mut self) -> Result<(), StoreError> {
        for (id, record) in &self.dirty {
            self.records.insert(*id, encode(record)?.as_slice())?;
        }
        self.meta.insert(meta::NEXT_IDENT, self.next_ident)?;
        self.meta.insert(meta::NEXT_EVENT, self.next_event)?;
        Ok(())
    }
}

/// Writes `batch` into `txn` (see [`Store::commit`](crate::store::Store::commit)).
pub(super) fn commit(
    txn: &WriteTransaction,
    batch: &CommitBatch,
) -> Result<CommitReport, StoreError> {
    let mut report = CommitReport::default();
    let mut writer = Writer::open(txn)?;
    for stored in &batch.events {
        if writer.store_event(stored)? {
            report.stored += 1;
        } else {
            report.duplicates += 1;
        }
    }
    writer.finish()?;
    let mut heads = txn.open_table(HEADS)?;
    for (gateway, head) in &batch.heads {
        heads.insert(gateway.as_str(), encode(head)?.as_slice())?;
    }
    let mut meta = txn.open_table(META)?;
    let mut quarantine = txn.open_table(QUARANTINE)?;
    let mut next = counter(&meta, meta::NEXT_QUARANTINE)?;
    for entry in &batch.quarantine {
        let entry = QuarantineEntry {
            id: next,
            gateway_id: entry.gateway_id.clone(),
            seq: entry.seq,
            received: entry.received,
            reason: entry.reason.clone(),
            bytes: entry.bytes.clone(),
        };
        quarantine.insert(next, encode(&entry)?.as_slice())?;
        next += 1;
    }
    meta.insert(meta::NEXT_QUARANTINE, next)?;
    Ok(report)
}

/// Writes a gateway record.
pub(super) fn put_gateway(
    txn: &WriteTransaction,
    record: &GatewayRecord,
) -> Result<(), StoreError> {
    let mut gateways = txn.open_table(GATEWAYS)?;
    gateways.insert(record.id.as_str(), encode(record)?.as_slice())?;
    Ok(())
}

/// Writes a recall and moves its number from the records of the identifiers it no longer
/// affects to those it affects now.
pub(super) fn put_recall(txn: &WriteTransaction, recall: &RecallRecord) -> Result<(), StoreError> {
    let mut recalls = txn.open_table(RECALLS)?;
    let mut writer = Writer::open(txn)?;
    let previous: Option<(u64, RecallRecord)> = match recalls.get(recall.id.as_str())? {
        Some(bytes) => Some(decode(bytes.value(), "recall")?),
        None => None,
    };
    let number = match &previous {
        Some((number, old)) => {
            for uri in &old.affected {
                let id = writer.intern(uri)?;
                writer.record(id)?.recalls.retain(|n| n != number);
            }
            *number
        }
        None => {
            let number = counter(&writer.meta, meta::NEXT_RECALL)?;
            writer.meta.insert(meta::NEXT_RECALL, number + 1)?;
            number
        }
    };
    for uri in &recall.affected {
        let id = writer.intern(uri)?;
        let record = writer.record(id)?;
        if !record.recalls.contains(&number) {
            record.recalls.push(number);
        }
    }
    writer.finish()?;
    recalls.insert(recall.id.as_str(), encode(&(number, recall))?.as_slice())?;
    txn.open_table(RECALL_IDS)?
        .insert(number, recall.id.as_str())?;
    Ok(())
}
