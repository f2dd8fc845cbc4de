//! Reading: each query runs in one read transaction, a consistent snapshot of every
//! completed commit. Index rows and records carry numbers; [`Snapshot`] turns event
//! numbers into keys, identifier numbers into URIs and recall numbers into ids, once per
//! query each.

use std::cell::OnceCell;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::Arc;

use redb::{AccessGuard, Key, ReadOnlyTable, ReadTransaction, TableDefinition, Value};
use trace_proto::event::Disposition;

use super::codes::{action_of, entry, role_code};
use super::packed::read_record;
use super::records::{
    PlaceRow, RecordView, RowRef, corrupt, decode_event, ident_hash, key_of_record, uri_of_record,
};
use super::summary::summary_event;
use super::tables::{
    CLASS_RUNS, EVENT_NOS, EVENTS, IDENT_COLLISIONS, IDENTS, LOCATED, NAMING, RECALL_IDS, RECORDED,
    RECORDS,
};
use crate::store::number_map::{NumberHasher, NumberMap};
use crate::store::{
    EventKey, EventSummary, IndexEntry, Link, Place, RecordCursor, Role, Standing, StoreError,
    StoredEvent,
};

/// The bytes of an identifier record, kept alive by the snapshot's pages.
pub(super) type RecordBytes = AccessGuard<'static, &'static [u8]>;

/// Which index a query reads.
#[derive(Debug, Clone, Copy)]
pub(super) enum Index {
    /// Identifier → events.
    Naming,
    /// Location → events.
    Located,
}

/// An index table: (identifier, role code, event time ms, event number).
type IndexTable = ReadOnlyTable<(u64, u8, i64, u64), ()>;

/// One read transaction; the tables queries use again and again open on first use and
/// stay open with it (opening one looks its name up in the file's table tree, a cost of
/// the order of a key look-up, which a trace of twenty hops would otherwise pay forty times).
pub(super) struct Snapshot {
    txn: ReadTransaction,
    idents: OnceCell<ReadOnlyTable<u64, u64>>,
    records: OnceCell<ReadOnlyTable<u64, &'static [u8]>>,
    events: OnceCell<ReadOnlyTable<u64, &'static [u8]>>,
    event_nos: OnceCell<ReadOnlyTable<&'static [u8; 32], u64>>,
    naming: OnceCell<IndexTable>,
    located: OnceCell<IndexTable>,
    class_runs: OnceCell<ReadOnlyTable<(u64, u64), u64>>,
    keys: NumberMap<EventKey>,
    /// The reverse of `keys`: a trace turns the event numbers of index rows into keys,
    /// then reads those events by key; this spares it the random look-up in `event_nos`.
    numbers: HashMap<EventKey, u64, BuildHasherDefault<NumberHasher>>,
    uris: NumberMap<Arc<str>>,
    /// Disposition URIs (by number) as the terms a status shows.
    terms: NumberMap<Arc<str>>,
    recall_ids: NumberMap<String>,
}

/// The table in `cell`, opened from `txn` on first use.
fn table<'c, K: Key + 'static, V: Value + 'static>(
    cell: &'c OnceCell<ReadOnlyTable<K, V>>,
    txn: &ReadTransaction,
    definition: TableDefinition<K, V>,
) -> Result<&'c ReadOnlyTable<K, V>, StoreError> {
    if let Some(table) = cell.get() {
        return Ok(table);
    }
    let table = txn.open_table(definition)?;
    Ok(cell.get_or_init(|| table))
}

impl Snapshot {
    /// A snapshot of `txn`.
    pub fn new(txn: ReadTransaction) -> Self {
        Self {
            txn,
            idents: OnceCell::new(),
            records: OnceCell::new(),
            events: OnceCell::new(),
            event_nos: OnceCell::new(),
            naming: OnceCell::new(),
            located: OnceCell::new(),
            class_runs: OnceCell::new(),
            keys: NumberMap::default(),
            numbers: HashMap::default(),
            uris: NumberMap::default(),
            terms: NumberMap::default(),
            recall_ids: NumberMap::default(),
        }
    }

    /// How many numbers the snapshot's caches hold.
    pub fn cached(&self) -> usize {
        self.keys.len()
            + self.numbers.len()
            + self.uris.len()
            + self.terms.len()
            + self.recall_ids.len()
    }

    /// The transaction, for tables used by one query only.
    pub fn txn(&self) -> &ReadTransaction {
        &self.txn
    }

    fn records(&self) -> Result<&ReadOnlyTable<u64, &'static [u8]>, StoreError> {
        table(&self.records, &self.txn, RECORDS)
    }

    fn events(&self) -> Result<&ReadOnlyTable<u64, &'static [u8]>, StoreError> {
        table(&self.events, &self.txn, EVENTS)
    }

    /// The number and record bytes of an identifier, if any event, class or recall named
    /// it. The hash slot's record must carry the URI; else the URI, if known, is one whose
    /// hash another had first.
    fn lookup(&self, uri: &str) -> Result<Option<(u64, RecordBytes)>, StoreError> {
        let idents = table(&self.idents, &self.txn, IDENTS)?;
        let Some(id) = idents.get(ident_hash(uri))?.map(|id| id.value()) else {
            return Ok(None);
        };
        let bytes = self.record_bytes(id)?;
        if uri_of_record(bytes.value())? == uri {
            return Ok(Some((id, bytes)));
        }
        let collisions = self.txn.open_table(IDENT_COLLISIONS)?;
        let Some(id) = collisions.get(uri)?.map(|id| id.value()) else {
            return Ok(None);
        };
        Ok(Some((id, self.record_bytes(id)?)))
    }

    fn record_bytes(&self, id: u64) -> Result<RecordBytes, StoreError> {
        self.records()?
            .get(id)?
            .ok_or_else(|| corrupt("identifier record", &format!("{id} is missing")))
    }

    /// The number of an identifier, if the store knows it.
    pub fn ident(&self, uri: &str) -> Result<Option<u64>, StoreError> {
        Ok(self.lookup(uri)?.map(|(id, _)| id))
    }

    /// The record bytes of `uri` (read them with [`RecordView::of`]), if the store knows it.
    pub fn find(&self, uri: &str) -> Result<Option<RecordBytes>, StoreError> {
        Ok(self.lookup(uri)?.map(|(_, bytes)| bytes))
    }

    /// The URI of identifier `id`.
    pub fn uri(&mut self, id: u64) -> Result<String, StoreError> {
        self.shared_uri(id).map(|uri| uri.to_string())
    }

    /// The URI of identifier `id`, read once per snapshot.
    pub fn shared_uri(&mut self, id: u64) -> Result<Arc<str>, StoreError> {
        if let Some(uri) = self.uris.get(&id) {
            return Ok(Arc::clone(uri));
        }
        let uri: Arc<str> = match self.records()?.get(id)? {
            Some(bytes) => Arc::from(uri_of_record(bytes.value())?),
            None => return Err(corrupt("identifier record", &format!("{id} is missing"))),
        };
        self.uris.insert(id, Arc::clone(&uri));
        Ok(uri)
    }

    /// A disposition, by the number of its URI, as a bare CBV word or the custom URI.
    fn disposition(&mut self, id: u64) -> Result<Arc<str>, StoreError> {
        if let Some(term) = self.terms.get(&id) {
            return Ok(Arc::clone(term));
        }
        let uri = self.shared_uri(id)?;
        let word = Disposition::parse(&uri).ok().and_then(|d| d.word());
        let term = word.map_or(uri, Arc::from);
        self.terms.insert(id, Arc::clone(&term));
        Ok(term)
    }

    /// A place kept in a record.
    fn place(&mut self, row: PlaceRow) -> Result<Place, StoreError> {
        Ok(Place {
            location: row.location.map(|n| self.shared_uri(n)).transpose()?,
            custodian: row.custodian.map(|n| self.shared_uri(n)).transpose()?,
            disposition: row.disposition.map(|n| self.disposition(n)).transpose()?,
        })
    }

    /// The key of event number `no`.
    pub fn event_key(&mut self, no: u64) -> Result<EventKey, StoreError> {
        if let Some(key) = self.keys.get(&no) {
            return Ok(*key);
        }
        let key = match self.events()?.get(no)? {
            Some(record) => key_of_record(record.value())?,
            None => return Err(corrupt("index row", &format!("event {no} is not stored"))),
        };
        self.keys.insert(no, key);
        self.numbers.insert(key, no);
        Ok(key)
    }

    /// An index row with its event key.
    pub fn entry(&mut self, row: RowRef) -> Result<IndexEntry, StoreError> {
        let key = self.event_key(row.event)?;
        entry(row, key)
    }

    fn event_number(&self, key: &EventKey) -> Result<Option<u64>, StoreError> {
        if let Some(no) = self.numbers.get(key) {
            return Ok(Some(*no));
        }
        let numbers = table(&self.event_nos, &self.txn, EVENT_NOS)?;
        Ok(numbers.get(&key.0)?.map(|n| n.value()))
    }

    /// The event stored under `key`.
    pub fn event(&self, key: &EventKey) -> Result<Option<StoredEvent>, StoreError> {
        let Some(no) = self.event_number(key)? else {
            return Ok(None);
        };
        match self.events()?.get(no)? {
            Some(record) => decode_event(record.value()).map(Some),
            None => Err(corrupt("event number", &format!("{no} has no record"))),
        }
    }

    /// Events in record order after `after`, at most `limit`.
    pub fn recorded(
        &self,
        after: Option<&RecordCursor>,
        limit: usize,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let recorded = self.txn.open_table(RECORDED)?;
        let rows = match after {
            Some(cursor) => {
                let start = (cursor.recorded.unix_millis(), &cursor.key.0);
                recorded.range(start..)?
            }
            None => recorded.range::<(i64, &[u8; 32])>(..)?,
        };
        let mut events = Vec::with_capacity(limit.min(1024));
        for row in rows {
            if events.len() == limit {
                break;
            }
            let (order, no) = row?;
            let (time, key) = order.value();
            if after.is_some_and(|c| (c.recorded.unix_millis(), &c.key.0) == (time, key)) {
                continue;
            }
            match self.events()?.get(no.value())? {
                Some(record) => events.push(decode_event(record.value())?),
                None => {
                    return Err(corrupt(
                        "event number",
                        &format!("{} has no record", no.value()),
                    ));
                }
            }
        }
        Ok(events)
    }

    /// The summary of the event stored under `key`.
    pub fn summary(&self, key: &EventKey) -> Result<Option<EventSummary>, StoreError> {
        let Some(no) = self.event_number(key)? else {
            return Ok(None);
        };
        let Some(record) = self.events()?.get(no)? else {
            return Err(corrupt("event number", &format!("{no} has no record")));
        };
        let mut buffer = Vec::new();
        let record = read_record(record.value(), &mut buffer)?;
        let (signed_by, _, event) = record.body.event_bytes()?;
        Ok(Some(EventSummary {
            key: EventKey(record.key),
            event: summary_event(event)?,
            signed_by,
        }))
    }

    /// The rows of `uri` in `index`, in `roles` (all when `None`), ordered as the trait
    /// promises.
    pub fn rows(
        &mut self,
        index: Index,
        uri: &str,
        roles: Option<&[Role]>,
    ) -> Result<Vec<IndexEntry>, StoreError> {
        let Some(id) = self.ident(uri)? else {
            return Ok(Vec::new());
        };
        let rows_of = match index {
            Index::Naming => table(&self.naming, &self.txn, NAMING)?,
            Index::Located => table(&self.located, &self.txn, LOCATED)?,
        };
        let ranges: Vec<(u8, u8)> = match roles {
            Some(roles) => {
                let mut codes: Vec<u8> = roles.iter().map(|r| role_code(*r)).collect();
                codes.sort_unstable();
                codes.dedup();
                codes.into_iter().map(|code| (code, code)).collect()
            }
            None => vec![(0, u8::MAX)],
        };
        let mut found = Vec::new();
        for (first, last) in ranges {
            let range = (id, first, i64::MIN, 0)..=(id, last, i64::MAX, u64::MAX);
            for row in rows_of.range::<(u64, u8, i64, u64)>(range)? {
                let (_, role, time, event) = row?.0.value();
                found.push(RowRef { time, event, role });
            }
        }
        let mut rows = found
            .into_iter()
            .map(|row| self.entry(row))
            .collect::<Result<Vec<_>, _>>()?;
        rows.sort_unstable();
        Ok(rows)
    }

    /// The identifier numbers of a class's instances, in number order (the order the
    /// store first recorded them).
    pub fn members(&self, class: &str) -> Result<Vec<u64>, StoreError> {
        let Some(class) = self.ident(class)? else {
            return Ok(Vec::new());
        };
        let runs = table(&self.class_runs, &self.txn, CLASS_RUNS)?;
        let mut members = Vec::new();
        for run in runs.range((class, 0)..=(class, u64::MAX))? {
            let (first, len) = run?;
            let first = first.value().1;
            members.extend(first..first.saturating_add(len.value()));
        }
        Ok(members)
    }

    /// The standings of a class's instances, read run by run in number order.
    pub fn member_standings(&mut self, class: &str) -> Result<Vec<Standing>, StoreError> {
        let Some(class) = self.ident(class)? else {
            return Ok(Vec::new());
        };
        let mut runs = Vec::new();
        for run in
            table(&self.class_runs, &self.txn, CLASS_RUNS)?.range((class, 0)..=(class, u64::MAX))?
        {
            let (first, len) = run?;
            runs.push((first.value().1, len.value()));
        }
        let total = runs.iter().map(|(_, len)| *len).sum::<u64>();
        let mut standings = Vec::with_capacity(usize::try_from(total).unwrap_or(0));
        for (first, len) in runs {
            let last = first.saturating_add(len.saturating_sub(1));
            for record in self.records()?.range(first..=last)? {
                let bytes = record?.1;
                standings.push(self.standing(RecordView::of(bytes.value())?)?);
            }
        }
        Ok(standings)
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

    /// The latest row of a record as the trait returns it.
    pub fn latest(&mut self, latest: Option<RowRef>) -> Result<Option<IndexEntry>, StoreError> {
        latest.map(|row| self.entry(row)).transpose()
    }

    /// The [`Standing`] kept in a record.
    pub fn standing(&mut self, record: RecordView<'_>) -> Result<Standing, StoreError> {
        let rows = record.links()?;
        let mut links = Vec::with_capacity(rows.len());
        for link in rows {
            let link = link?;
            links.push(Link {
                entry: self.entry(link.row)?,
                action: link.action.map(action_of).transpose()?,
                parent: link.parent.map(|p| self.shared_uri(p)).transpose()?,
            });
        }
        links.sort_by_key(|link| link.entry);
        let recalls = record
            .recalls
            .iter()
            .map(|n| self.recall_id(*n))
            .collect::<Result<_, _>>()?;
        let latest = match (record.latest, &record.place) {
            (Some(row), Some(place)) => Some(entry(row, EventKey(place.key))?),
            (row, _) => self.latest(row)?,
        };
        Ok(Standing {
            identifier: record.uri.to_owned(),
            class: record.class.map(|c| self.uri(c)).transpose()?,
            latest,
            is_container: record.container,
            links,
            links_complete: !record.links_overflow,
            recalls,
            latest_place: match (record.latest, record.place) {
                (Some(_), Some(place)) => Some(self.place(place)?),
                _ => None,
            },
        })
    }
}
