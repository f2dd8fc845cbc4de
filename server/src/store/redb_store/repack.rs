//! Rewriting the big tables in key order, so their B-tree leaves come out full.
//!
//! Ingest updates identifier records in place and inserts index keys in no particular
//! order, so leaves split in two and stay about half empty: on the S workload 40 of the
//! file's 185 MB were such slack. redb fills a leaf to the brim when keys arrive in
//! ascending order (it starts a new leaf instead of splitting the last one), so copying a
//! table in key order into a fresh one and back leaves it packed. Each table is repacked in
//! its own write transaction: a crash leaves every table either as it was or repacked.

use redb::{Database, Key, ReadableTable, TableDefinition, Value, WriteTransaction};

use super::tables::{CLASS_RUNS, EVENT_NOS, EVENTS, IDENTS, LOCATED, NAMING, RECORDED, RECORDS};
use crate::store::StoreError;

/// The table a repack copies into and back out of; empty between transactions.
const SCRATCH: &str = "repacking";

/// Repacks every table that grows with the events.
pub(super) fn repack_all(db: &Database) -> Result<(), StoreError> {
    repack(db, EVENTS)?;
    repack(db, EVENT_NOS)?;
    repack(db, IDENTS)?;
    repack(db, RECORDS)?;
    repack(db, NAMING)?;
    repack(db, LOCATED)?;
    repack(db, RECORDED)?;
    repack(db, CLASS_RUNS)
}

/// Copies `table` in key order to the scratch table and back, in one transaction.
fn repack<K: Key + 'static, V: Value + 'static>(
    db: &Database,
    table: TableDefinition<K, V>,
) -> Result<(), StoreError> {
    let scratch = TableDefinition::<K, V>::new(SCRATCH);
    let txn = db.begin_write()?;
    copy(&txn, table, scratch)?;
    txn.delete_table(table)?;
    copy(&txn, scratch, table)?;
    txn.delete_table(scratch)?;
    txn.commit()?;
    Ok(())
}

/// Inserts every entry of `from` into `to` (empty), ascending.
fn copy<K: Key + 'static, V: Value + 'static>(
    txn: &WriteTransaction,
    from: TableDefinition<K, V>,
    to: TableDefinition<K, V>,
) -> Result<(), StoreError> {
    let source = txn.open_table(from)?;
    let mut target = txn.open_table(to)?;
    for row in source.iter()? {
        let (key, value) = row?;
        target.insert(key.value(), value.value())?;
    }
    Ok(())
}
