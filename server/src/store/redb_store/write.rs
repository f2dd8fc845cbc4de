//! Writing: a commit batch or a recall, each in one write transaction. The [`Writer`]
//! keeps the identifier records it touches in memory and writes each once at the end, so
//! a batch packing twenty units into a case rewrites each record once.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use redb::{ReadableTable, Table, WriteTransaction};

use super::codes::{action_code, role_code};
use super::records::{
    IdentRecord, LinkRow, PlaceRow, RowRef, corrupt, decode, encode, encode_event, ident_hash,
    key_of_record, uri_of_record,
};
use super::tables::{
    CLASS_RUNS, EVENT_NOS, EVENTS, GATEWAYS, HEADS, IDENT_COLLISIONS, IDENTS, LOCATED, META,
    NAMING, QUARANTINE, RECALL_IDS, RECALLS, RECORDED, RECORDS, meta,
};
use crate::store::rows::{class_role, event_rows, link_of, makes_container, named_party};
use crate::store::{
    CommitBatch, CommitReport, EventKey, GatewayRecord, Origin, QuarantineEntry, RecallRecord,
    StoreError, StoredEvent,
};

/// The tables a commit writes, and what it has touched so far.
pub(super) struct Writer<'t> {
    meta: Table<'t, &'static str, u64>,
    events: Table<'t, u64, &'static [u8]>,
    event_nos: Table<'t, &'static [u8; 32], u64>,
    recorded: Table<'t, (i64, &'static [u8; 32]), u64>,
    idents: Table<'t, u64, u64>,
    collisions: Table<'t, &'static str, u64>,
    records: Table<'t, u64, &'static [u8]>,
    naming: Table<'t, (u64, u8, i64, u64), ()>,
    located: Table<'t, (u64, u8, i64, u64), ()>,
    class_runs: Table<'t, (u64, u64), u64>,
    gateways: Table<'t, &'static str, &'static [u8]>,
    ids: HashMap<String, u64>,
    /// Gateway id → the party operating it, read once per transaction.
    operators: HashMap<String, Option<String>>,
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
            recorded: txn.open_table(RECORDED)?,
            idents: txn.open_table(IDENTS)?,
            collisions: txn.open_table(IDENT_COLLISIONS)?,
            records: txn.open_table(RECORDS)?,
            naming: txn.open_table(NAMING)?,
            located: txn.open_table(LOCATED)?,
            class_runs: txn.open_table(CLASS_RUNS)?,
            gateways: txn.open_table(GATEWAYS)?,
            ids: HashMap::new(),
            operators: HashMap::new(),
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
        self.recorded
            .insert((stored.recorded.unix_millis(), &stored.key.0), no)?;
        let event = &stored.event;
        let time = event.event_time.unix_millis();
        let place = self.place(stored)?;
        let rows = event_rows(event);
        for &(uri, role) in &rows.named {
            let id = self.intern(uri)?;
            let row = RowRef {
                time,
                event: no,
                role: role_code(role),
            };
            self.naming.insert((id, row.role, time, no), ())?;
            let link = match link_of(event, role) {
                Some((action, parent)) => Some(LinkRow {
                    row,
                    action: action.map(action_code),
                    parent: parent.map(|p| self.intern(p)).transpose()?,
                }),
                None => None,
            };
            self.note_row(
                id,
                row,
                place,
                stored.key,
                makes_container(event, role),
                link,
            )?;
        }
        for commissioned in &rows.commissioned {
            let class = self.intern(&commissioned.class)?;
            let row = RowRef {
                time,
                event: no,
                role: role_code(class_role(event)),
            };
            self.naming.insert((class, row.role, time, no), ())?;
            self.note_row(class, row, place, stored.key, false, None)?;
            for instance in &commissioned.instances {
                let id = self.intern(instance)?;
                self.join_class(class, id)?;
            }
        }
        for &(uri, role) in &rows.locations {
            let id = self.intern(uri)?;
            self.located.insert((id, role_code(role), time, no), ())?;
        }
        Ok(true)
    }

    /// Where `stored` leaves what it names, kept with the records it becomes the latest
    /// event of.
    fn place(&mut self, stored: &StoredEvent) -> Result<PlaceRow, StoreError> {
        let event = &stored.event;
        let location = event.biz_location.as_ref().or(event.read_point.as_ref());
        let custodian = match (named_party(event), &stored.origin) {
            (Some(party), _) => Some(party.to_owned()),
            (None, Origin::Gateway { gateway_id, .. }) => self.operator(gateway_id.as_str())?,
            (None, Origin::Captured { .. }) => None,
        };
        Ok(PlaceRow {
            key: stored.key.0,
            location: location.map(|l| self.intern(&l.id)).transpose()?,
            custodian: custodian.map(|party| self.intern(&party)).transpose()?,
            disposition: event
                .disposition
                .as_ref()
                .map(|d| self.intern(&d.to_string()))
                .transpose()?,
        })
    }

    /// The party operating `gateway` now: the custodian of what its events name, unless an
    /// event names one. Kept with the record rather than looked up when read, so a gateway
    /// later moved to another operator does not rewrite who held what before.
    fn operator(&mut self, gateway: &str) -> Result<Option<String>, StoreError> {
        if let Some(party) = self.operators.get(gateway) {
            return Ok(party.clone());
        }
        let party = match self.gateways.get(gateway)? {
            Some(bytes) => decode::<GatewayRecord>(bytes.value(), "gateway record")?.party,
            None => None,
        };
        self.operators.insert(gateway.to_owned(), party.clone());
        Ok(party)
    }

    fn note_row(
        &mut self,
        id: u64,
        row: RowRef,
        place: PlaceRow,
        key: EventKey,
        container: bool,
        link: Option<LinkRow>,
    ) -> Result<(), StoreError> {
        let events = &self.events;
        let later_key = |other: u64| match events.get(other)? {
            Some(record) => Ok(key > key_of_record(record.value())?),
            None => Err(corrupt(
                "identifier record",
                &format!("event {other} is missing"),
            )),
        };
        let record = load(&mut self.dirty, &self.records, id)?;
        record.note_row(row, place, later_key, container, link)
    }

    /// Makes `id` an instance of `class` unless it already is one of a class: the first
    /// commissioning stands. Extends the class's run of numbers when `id` follows it.
    fn join_class(&mut self, class: u64, id: u64) -> Result<(), StoreError> {
        let record = load(&mut self.dirty, &self.records, id)?;
        if record.class.is_some() {
            return Ok(());
        }
        record.class = Some(class);
        let previous = match self.class_runs.range((class, 0)..=(class, id))?.next_back() {
            Some(run) => {
                let (first, len) = run?;
                Some((first.value().1, len.value()))
            }
            None => None,
        };
        let following = self
            .class_runs
            .remove((class, id + 1))?
            .map(|len| len.value());
        let (first, len) = match previous {
            Some((first, len)) if first.checked_add(len) == Some(id) => (first, len + 1),
            _ => (id, 1),
        };
        self.class_runs
            .insert((class, first), len + following.unwrap_or(0))?;
        Ok(())
    }

    /// The number of `uri`, assigned on first sight (so identifiers commissioned together
    /// get neighbouring numbers, and their rows and records neighbouring keys).
    pub fn intern(&mut self, uri: &str) -> Result<u64, StoreError> {
        if let Some(id) = self.ids.get(uri) {
            return Ok(*id);
        }
        let hash = ident_hash(uri);
        let holder = self.idents.get(hash)?.map(|id| id.value());
        let known = match holder {
            Some(id) if self.uri_is(id, uri)? => Some(id),
            Some(_) => self.collisions.get(uri)?.map(|id| id.value()),
            None => None,
        };
        let id = match known {
            Some(id) => id,
            None => {
                let id = self.next_ident;
                self.next_ident += 1;
                if holder.is_some() {
                    self.collisions.insert(uri, id)?;
                } else {
                    self.idents.insert(hash, id)?;
                }
                self.dirty.insert(id, IdentRecord::new(uri));
                id
            }
        };
        self.ids.insert(uri.to_owned(), id);
        Ok(id)
    }

    /// Whether identifier `id` is `uri`.
    fn uri_is(&self, id: u64, uri: &str) -> Result<bool, StoreError> {
        if let Some(record) = self.dirty.get(&id) {
            return Ok(record.uri == uri);
        }
        match self.records.get(id)? {
            Some(bytes) => Ok(uri_of_record(bytes.value())? == uri),
            None => Err(corrupt("identifier record", &format!("{id} is missing"))),
        }
    }

    /// The record of identifier `id`, loaded once per transaction.
    pub fn record(&mut self, id: u64) -> Result<&mut IdentRecord, StoreError> {
        load(&mut self.dirty, &self.records, id)
    }

    /// Writes the touched records and the counters.
    pub fn finish(mut self) -> Result<(), StoreError> {
        for (id, record) in &self.dirty {
            self.records.insert(*id, record.encode()?.as_slice())?;
        }
        self.meta.insert(meta::NEXT_IDENT, self.next_ident)?;
        self.meta.insert(meta::NEXT_EVENT, self.next_event)?;
        Ok(())
    }
}

fn load<'d>(
    dirty: &'d mut HashMap<u64, IdentRecord>,
    records: &Table<'_, u64, &'static [u8]>,
    id: u64,
) -> Result<&'d mut IdentRecord, StoreError> {
    match dirty.entry(id) {
        Entry::Occupied(entry) => Ok(entry.into_mut()),
        Entry::Vacant(entry) => {
            let record = match records.get(id)? {
                Some(bytes) => IdentRecord::decode(bytes.value())?,
                None => return Err(corrupt("identifier record", &format!("{id} is missing"))),
            };
            Ok(entry.insert(record))
        }
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
