//! Reading: each query runs in one read transaction, a consistent snapshot of every
//! completed commit. Index rows carry event numbers; [`Snapshot`] turns them into event
//! keys, identifier numbers into URIs and recall numbers into ids, once per query each.

use std::collections::HashMap;

use redb::{ReadOnlyTable, ReadTransaction};

use super::records::{IdentRecord, action_of, corrupt, decode, decode_event, entry, key_of_record};
use super::tables::{EVENT_NOS, EVENTS, IDENTS, LOCATED, MEMBERS, NAMING, RECALL_IDS, RECORDS};
use crate::store::{EventKey, IndexEntry, Link, Standing, StoreError, StoredEvent};

/// Index key of the (identifier, time, event, role) tables.
type RowKey = (u64, i64, u64, u8);

/// One read transaction with the tables most queries use.
pub(super) struct Snapshot {
    txn: ReadTransaction,
    idents: ReadOnlyTable<&'static str, u64>,
    records: ReadOnlyTable<u64, &'static [u8]>,
    events: ReadOnlyTable<u64, &'static [u8]>,
    keys: HashMap<u64, EventKey>,
    uris: HashMap<u64, String>,
    recall_ids: HashMap<u64, String>,
}

impl Snapshot {
    /// Opens the tables of `txn`.
    pub fn new(txn: ReadTransaction) -> Result<Self, StoreError> {
        Ok(Self {
            idents: txn.open_table(IDENTS)?,
            records: txn.open_table(RECORDS)?,
            events: txn.open_table(EVENTS)?,
            txn,
            keys: HashMap::new(),
            uris: HashMap::new(),
            recall_ids: HashMap::new(),
        })
    }

    /// The transaction, for tables used by one query only.
    pub fn txn(&self) -> &ReadTransaction {
        &self.txn
    }

    /// The number of an identifier, if any event, class or recall named it.
    pub fn ident(&self, uri: &str) -> Result<Option<u64>, StoreError> {
        Ok(self.idents.get(uri)?.map(|id| id.value()))
    }

    /// The record of identifier `id`.
    pub fn record(&self, id: u64) -> Result<IdentRecord, StoreError> {
        match self.records.get(id)? {
            Some(bytes) => decode(bytes.value(), "identifier record"),
            None => Err(corrupt("identifier record", &format!("{id} is missing"))),
        }
    }

    /// The URI of identifier `id`.
    pub fn uri(&mut self, id: u64) -> Result<String, StoreError> {
        if let Some(uri) = self.uris.get(&id) {
            return Ok(uri.clone());
        }
        let uri = self.record(id)?.uri;
        self.uris.insert(id, uri.clone());
        Ok(uri)
    }

    /// The key of event number `no`.
    pub fn event_key(&mut self, no: u64) -> Result<EventKey, StoreError> {
        if let Some(key) = self.keys.get(&no) {
            return Ok(*key);
        }
        let key = match self.events.get(no)? {
            Some(record) => key_of_record(record.value())?,
            None => return Err(corrupt("index row", &format!("event {no} is not stored"))),
        };
        self.keys.insert(no, key);
        Ok(key)
    }

    /// The event stored under `key`.
    pub fn event(&self, key: &EventKey) -> Result<Option<StoredEvent>, StoreError> {
        let Some(no) = self
            .txn
            .open_table(EVENT_NOS)?
            .get(&key.0)?
            .map(|n| n.value())
        else {
            return Ok(None);
        };
        match self.events.get(no)? {
            Some(record) => decode_event(record.value()).map(Some),
            None => Err(corrupt("event number", &format!("{no} has no record"))),
        }
    }

    /// The rows of `uri` in the NAMING or LOCATED table, ordered as the trait promises.
    pub fn rows(&mut self, located: bool, uri: &str) -> Result<Vec<IndexEntry>, StoreError> {
        let Some(id) = self.ident(uri)? else {
            return Ok(Vec::new());
        };
        let table = self
            .txn
            .open_table(if located { LOCATED } else { NAMING })?;
        let range = (id, i64::MIN, 0, 0)..=(id, i64::MAX, u64::MAX, u8::MAX);
        let mut rows = Vec::new();
        for row in table.range::<RowKey>(range)? {
            let (_, time, no, role) = row?.0.value();
            rows.push(entry(time, self.event_key(no)?, role)?);
        }
        rows.sort_unstable();
        Ok(rows)
    }

    /// The identifier numbers of a class's instances, in commissioning order.
    pub fn members(&self, class: &str) -> Result<Vec<u64>, StoreError> {
        let Some(class) = self.ident(class)? else {
            return Ok(Vec::new());
        };
        let table = self.txn.open_table(MEMBERS)?;
        let range = (class, i64::MIN, 0, 0)..=(class, i64::MAX, u64::MAX, u32::MAX);
        table
            .range::<(u64, i64, u64, u32)>(range)?
            .map(|row| Ok(row?.1.value()))
            .collect()
    }

    /// The id of recall number `number`.
    pub fn recall_id(&mut self, number: u64) -> Result<String, StoreError> {
        if let Some(id) = self.recall_ids.get(&number) {
            return Ok(id.clone());
        }
        let id = match self.txn.open_table(RECALL_IDS)?.get(number)? {
            Some(id) => id.value().to_owned(),
            None => return Err(corrupt("recall number", &format!("{number} has no id"))),
        };
        self.recall_ids.insert(number, id.clone());
        Ok(id)
    }

    /// The [`Standing`] kept in `record`.
    pub fn standing(&mut self, record: IdentRecord) -> Result<Standing, StoreError> {
        let mut links = Vec::with_capacity(record.links.len());
        for link in &record.links {
            links.push(Link {
                entry: entry(link.time, self.event_key(link.event)?, link.role)?,
                action: link.action.map(action_of).transpose()?,
                parent: link.parent.map(|p| self.uri(p)).transpose()?,
            });
        }
        links.sort_by_key(|link| link.entry);
        let latest = match record.latest {
            Some(row) => Some(entry(row.time, EventKey(row.key), row.role)?),
            None => None,
        };
        Ok(Standing {
            class: record.class.map(|c| self.uri(c)).transpose()?,
            latest,
            is_container: record.container,
            links,
            links_complete: !record.links_overflow,
            recalls: record
                .recalls
                .iter()
                .map(|n| self.recall_id(*n))
                .collect::<Result<_, _>>()?,
            identifier: record.uri,
        })
    }
}
