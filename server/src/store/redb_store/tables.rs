//! The tables of `events.redb` (see the layout in the module doc of
//! [`redb_store`](super)), the meta record, and the schema check at open.

use redb::{Database, ReadableTable, TableDefinition, TableHandle};

use super::records::{EventRecord, decode};
use crate::store::StoreError;

/// The layout version this build reads and writes.
pub(super) const SCHEMA_VERSION: u32 = 3;

/// Counters and the schema version.
pub(super) const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
/// Event number → event record.
pub(super) const EVENTS: TableDefinition<u64, &[u8]> = TableDefinition::new("events");
/// Event key → event number.
pub(super) const EVENT_NOS: TableDefinition<&[u8; 32], u64> = TableDefinition::new("event_nos");
/// First 8 bytes of SHA-256 of a URI → identifier number: the dictionary. A lookup checks
/// the URI in the record; a URI whose hash is already taken goes to [`IDENT_COLLISIONS`].
pub(super) const IDENTS: TableDefinition<u64, u64> = TableDefinition::new("idents");
/// URI → identifier number, for URIs whose hash another URI had first.
pub(super) const IDENT_COLLISIONS: TableDefinition<&str, u64> =
    TableDefinition::new("ident_collisions");
/// Identifier number → identifier record.
pub(super) const RECORDS: TableDefinition<u64, &[u8]> = TableDefinition::new("ident_records");
/// (identifier, role code, event time ms, event number): events naming an identifier.
pub(super) const NAMING: TableDefinition<(u64, u8, i64, u64), ()> = TableDefinition::new("naming");
/// (location, role code, event time ms, event number): events at a location.
pub(super) const LOCATED: TableDefinition<(u64, u8, i64, u64), ()> =
    TableDefinition::new("located");
/// (class, first instance number) → count: the instances of a class as runs of
/// consecutive identifier numbers.
pub(super) const CLASS_RUNS: TableDefinition<(u64, u64), u64> = TableDefinition::new("class_runs");
/// (record time ms, event key) → event number: events in record order, for queries
/// without an identifier.
pub(super) const RECORDED: TableDefinition<(i64, &[u8; 32]), u64> =
    TableDefinition::new("recorded");
/// Gateway id → chain head (postcard).
pub(super) const HEADS: TableDefinition<&str, &[u8]> = TableDefinition::new("heads");
/// Gateway id → gateway record (postcard).
pub(super) const GATEWAYS: TableDefinition<&str, &[u8]> = TableDefinition::new("gateways");
/// Quarantine id → entry (postcard).
pub(super) const QUARANTINE: TableDefinition<u64, &[u8]> = TableDefinition::new("quarantine");
/// Recall id → (recall number, recall record) (postcard).
pub(super) const RECALLS: TableDefinition<&str, &[u8]> = TableDefinition::new("recalls");
/// Recall number → recall id.
pub(super) const RECALL_IDS: TableDefinition<u64, &str> = TableDefinition::new("recall_ids");

/// Keys of [`META`].
pub(super) mod meta {
    /// The schema version.
    pub const SCHEMA: &str = "schema_version";
    /// The next identifier number (numbers start at 1).
    pub const NEXT_IDENT: &str = "next_ident";
    /// The next event number.
    pub const NEXT_EVENT: &str = "next_event";
    /// The next quarantine id.
    pub const NEXT_QUARANTINE: &str = "next_quarantine";
    /// The next recall number.
    pub const NEXT_RECALL: &str = "next_recall";
}

/// Builds the record-order index of a file written before it existed (empty for a new
/// file), so such a file needs no new schema version.
fn index_recorded(txn: &redb::WriteTransaction) -> Result<(), StoreError> {
    let events = txn.open_table(EVENTS)?;
    let mut recorded = txn.open_table(RECORDED)?;
    for row in events.iter()? {
        let (no, record) = row?;
        let record: EventRecord<'_> = decode(record.value(), "event record")?;
        recorded.insert((record.recorded, &record.key), no.value())?;
    }
    Ok(())
}

/// Checks the schema record of an opened file, writes it into a new one, upgrades a file
/// of version 1 or 2 ([`upgrade`](super::upgrade)), and creates the tables, so that reads never
/// meet a missing table. A file of any other version is left untouched.
pub(super) fn prepare(db: &Database) -> Result<(), StoreError> {
    let txn = db.begin_write()?;
    let existing: Vec<String> = txn
        .list_tables()?
        .map(|table| table.name().to_owned())
        .collect();
    {
        let mut meta = txn.open_table(META)?;
        let version = meta.get(meta::SCHEMA)?.map(|v| v.value());
        match version {
            Some(found) if found == u64::from(SCHEMA_VERSION) => {}
            Some(found @ (1 | 2)) => {
                super::upgrade::upgrade(&txn, found)?;
                meta.insert(meta::SCHEMA, u64::from(SCHEMA_VERSION))?;
            }
            Some(found) => {
                return Err(StoreError::Version {
                    found: u32::try_from(found).unwrap_or(u32::MAX),
                    supported: SCHEMA_VERSION,
                });
            }
            None if existing.is_empty() => {
                meta.insert(meta::SCHEMA, u64::from(SCHEMA_VERSION))?;
            }
            None => {
                return Err(StoreError::Corrupt {
                    what: "events.redb".into(),
                    detail: format!("tables {existing:?} but no schema version record"),
                });
            }
        }
    }
    txn.open_table(EVENTS)?;
    txn.open_table(EVENT_NOS)?;
    txn.open_table(IDENTS)?;
    txn.open_table(IDENT_COLLISIONS)?;
    txn.open_table(RECORDS)?;
    txn.open_table(NAMING)?;
    txn.open_table(LOCATED)?;
    txn.open_table(CLASS_RUNS)?;
    if !existing.iter().any(|name| name == "recorded") {
        index_recorded(&txn)?;
    }
    txn.open_table(HEADS)?;
    txn.open_table(GATEWAYS)?;
    txn.open_table(QUARANTINE)?;
    txn.open_table(RECALLS)?;
    txn.open_table(RECALL_IDS)?;
    txn.commit()?;
    Ok(())
}
