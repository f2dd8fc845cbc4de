//! The embedded [`Store`]: one redb file, `events.redb`, in the data folder.
//!
//! # Layout
//!
//! Identifier URIs are interned: each gets a number (`u64`, from 1, given on first
//! sight, so units commissioned together have neighbouring numbers), and every index key
//! is a fixed-width tuple of numbers. Events are numbered the same way.
//!
//! | table | key | value |
//! |---|---|---|
//! | `meta` | name | `u64`: `schema_version` and the next identifier, event, quarantine and recall numbers |
//! | `events` | event number | record: key, record time, and the signed bytes verbatim (gateway events, which hold the event) or the event's postcard bytes (captured events), LZ4-packed when that is smaller (schema 3) |
//! | `event_nos` | event key (32 bytes) | event number: the duplicate check |
//! | `recorded` | (record time ms, event key) | event number: record order, for EPCIS queries without an identifier (built at open for a file that predates it) |
//! | `idents` | SHA-256 of the URI, first 8 bytes | identifier number: the dictionary, 16 bytes a URI (the record holds the URI, which a lookup checks) |
//! | `ident_collisions` | URI | identifier number, for a URI whose hash another URI had first |
//! | `ident_records` | identifier number | URI, lot class, latest row, container flag, up to 64 links (aggregations as child with the parent's number, transformations as input, DELETEs emptying it), recall numbers |
//! | `naming` | (identifier, role, event time ms, event number) | — |
//! | `located` | (location, role, event time ms, event number) | — |
//! | `class_runs` | (class, first instance number) | count of consecutive instance numbers |
//! | `heads` | gateway id | chain head |
//! | `gateways` | gateway id | gateway record with its key history (schema 2; one key in schema 1) |
//! | `quarantine` | quarantine id | entry |
//! | `recalls` | recall id | (recall number, record) |
//! | `recall_ids` | recall number | recall id |
//!
//! So: an identifier's events are one range scan of `naming` per role asked for (a lot's
//! own events skip the thousands that commissioned its instances); its latest event,
//! links and recalls are one record; a lot's units are a few runs of neighbouring records
//! read by range scans, which is what a recall of 100,000 units costs. An event is
//! decoded only when asked for, and its summary without its EPC lists. Records are
//! postcard; roles and actions inside keys and records are fixed codes (see `records`),
//! so reordering the contract's enums cannot change them.
//!
//! The file is opened with redb's integrity check (every page checksum is verified, which
//! reads the whole file once), a file of schema version 1 or 2 is upgraded in place (a
//! version 1 file's gateway records get their key history), and any other `schema_version` than
//! [`SCHEMA_VERSION`] is refused, so a damaged or foreign file is an error rather than
//! wrong answers.
//!
//! redb latches an I/O error (a full disk): every later transaction fails with
//! `PreviousIo` until the file is opened again. A failed write therefore checks for the
//! latch and reopens the file, so the store works again once the disk has room.

pub(super) mod codes;
mod kept;
mod packed;
mod read;
pub(super) mod records;
mod repack;
mod summary;
mod tables;
mod upgrade;
mod write;

use std::path::{Path, PathBuf};
use std::sync::{PoisonError, RwLock};

use redb::{
    Builder, Database, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableHandle,
};
use trace_proto::signed::{ChainHead, GatewayId};

use self::kept::Kept;
use self::read::{Index, Snapshot};
use self::records::{RecordView, decode};
use self::tables::{GATEWAYS, HEADS, QUARANTINE, RECALLS};
use super::{
    CommitBatch, CommitReport, EventKey, EventSummary, GatewayRecord, IndexEntry, QuarantineEntry,
    RecallRecord, RecordCursor, Role, Standing, Store, StoreError, StoreStats, StoredEvent,
};

/// The schema version this build reads and writes.
pub const SCHEMA_VERSION: u32 = tables::SCHEMA_VERSION;

/// The file name inside the data folder.
pub const FILE_NAME: &str = "events.redb";

/// What one table of the file holds ([`RedbStore::table_sizes`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSize {
    /// The table.
    pub name: String,
    /// Bytes of its keys and values.
    pub stored: u64,
    /// Bytes of its B-tree beyond them: branch pages, page headers, unused page space.
    pub overhead: u64,
}

/// The redb event store.
pub struct RedbStore {
    /// `None` only after a reopen failed; the next write tries again.
    db: RwLock<Option<Database>>,
    path: PathBuf,
    kept: Kept,
}

impl RedbStore {
    /// Opens `dir/events.redb`, creating the folder and the file when missing.
    ///
    /// Refuses a file of another schema version ([`StoreError::Version`]) and a damaged
    /// or foreign one ([`StoreError::Corrupt`]).
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::Backend(format!("creating {}: {e}", dir.display())))?;
        let path = dir.join(FILE_NAME);
        let db = open_file(&path)?;
        tables::prepare(&db)?;
        Ok(Self {
            db: RwLock::new(Some(db)),
            path,
            kept: Kept::default(),
        })
    }

    /// Rewrites the big tables in key order, so their B-tree leaves come out full (the
    /// `repack` module), then the file without the pages earlier commits freed: after a
    /// bulk import, whose many commits each copy the pages they change, it shrinks the file
    /// to its live data. Returns whether the file shrank. Needs the store to itself.
    pub fn compact(&mut self) -> Result<bool, StoreError> {
        let path = self.path.display().to_string();
        // redb compacts only a file no read transaction holds.
        self.kept.outdate();
        let db = self.db.get_mut().unwrap_or_else(PoisonError::into_inner);
        let db = db.as_mut().ok_or_else(|| closed(&path))?;
        repack::repack_all(db)?;
        db.compact()
            .map_err(|e| StoreError::Backend(format!("compacting {path}: {e}")))
    }

    /// Bytes each table holds: its entries, and its B-tree's pages around them.
    pub fn table_sizes(&self) -> Result<Vec<TableSize>, StoreError> {
        let txn = self.with_db(|db| Ok(db.begin_read()?))?;
        let mut sizes = Vec::new();
        for handle in txn.list_tables()? {
            let name = handle.name().to_owned();
            let table = txn.open_untyped_table(handle)?;
            let stats = table.stats()?;
            sizes.push(TableSize {
                name,
                stored: stats.stored_bytes(),
                overhead: stats.metadata_bytes() + stats.fragmented_bytes(),
            });
        }
        Ok(sizes)
    }

    fn with_db<T>(
        &self,
        body: impl FnOnce(&Database) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let db = self.db.read().unwrap_or_else(PoisonError::into_inner);
        body(
            db.as_ref()
                .ok_or_else(|| closed(&self.path.display().to_string()))?,
        )
    }

    /// Runs `query` on a snapshot of every completed commit (see `kept`).
    fn read<T>(
        &self,
        query: impl FnOnce(&mut Snapshot) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.kept.read(
            || Ok(Snapshot::new(self.with_db(|db| Ok(db.begin_read()?))?)),
            query,
        )
    }

    fn write<T>(
        &self,
        body: impl FnOnce(&redb::WriteTransaction) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let result = self.with_db(|db| {
            let txn = db.begin_write()?;
            let result = body(&txn)?;
            txn.commit()?;
            Ok(result)
        });
        // Also after a failed write: a reopen needs every transaction closed.
        self.kept.outdate();
        if result.is_err() {
            self.reopen_if_latched();
        }
        result
    }

    /// Reopens the file if an I/O error latched it (see the module notes), or if an
    /// earlier reopen failed.
    fn reopen_if_latched(&self) {
        let mut db = self.db.write().unwrap_or_else(PoisonError::into_inner);
        let latched = db.as_ref().is_none_or(|db| {
            matches!(
                db.try_begin_write(),
                Err(redb::TransactionError::Storage(
                    redb::StorageError::PreviousIo
                ))
            )
        });
        if !latched {
            return;
        }
        // The old handle must be closed before the file can be opened again.
        *db = None;
        match open_file(&self.path) {
            Ok(reopened) => {
                tracing::warn!(path = %self.path.display(), "store reopened after an I/O error");
                *db = Some(reopened);
            }
            Err(e) => tracing::error!(error = %e, "store not reopened; next write tries again"),
        }
    }
}

fn open_file(path: &Path) -> Result<Database, StoreError> {
    Builder::new()
        .set_check_integrity_on_open(true)
        .create(path)
        .map_err(|e| open_error(path, e))
}

fn closed(path: &str) -> StoreError {
    StoreError::Backend(format!(
        "{path} is closed: reopening it after an I/O error failed"
    ))
}

/// Bytes the file occupies: its allocated blocks where the system tells (redb grows the
/// file in regions it has not written yet), else its length.
fn allocated(metadata: &std::fs::Metadata) -> u64 {
    #[cfg(unix)]
    {
        std::os::unix::fs::MetadataExt::blocks(metadata).saturating_mul(512)
    }
    #[cfg(not(unix))]
    {
        metadata.len()
    }
}

fn open_error(path: &Path, error: redb::DatabaseError) -> StoreError {
    let what = path.display().to_string();
    match error {
        redb::DatabaseError::Storage(redb::StorageError::Corrupted(detail)) => {
            StoreError::Corrupt { what, detail }
        }
        // redb reports a damaged header (a wrong magic number) as invalid data.
        redb::DatabaseError::Storage(redb::StorageError::Io(e))
            if e.kind() == std::io::ErrorKind::InvalidData =>
        {
            StoreError::Corrupt {
                what,
                detail: e.to_string(),
            }
        }
        redb::DatabaseError::UpgradeRequired(format) => StoreError::Corrupt {
            what,
            detail: format!("redb file format {format} needs an upgrade"),
        },
        other => StoreError::Backend(format!("opening {what}: {other}")),
    }
}

macro_rules! backend_errors {
    ($($error:ty),+) => {$(
        impl From<$error> for StoreError {
            fn from(error: $error) -> Self {
                StoreError::Backend(error.to_string())
            }
        }
    )+};
}

backend_errors!(redb::TransactionError, redb::TableError, redb::CommitError);

impl From<redb::StorageError> for StoreError {
    fn from(error: redb::StorageError) -> Self {
        match error {
            redb::StorageError::Corrupted(detail) => StoreError::Corrupt {
                what: FILE_NAME.into(),
                detail,
            },
            other => StoreError::Backend(other.to_string()),
        }
    }
}

impl Store for RedbStore {
    fn commit(&self, batch: &CommitBatch) -> Result<CommitReport, StoreError> {
        self.write(|txn| write::commit(txn, batch))
    }

    fn event(&self, key: &EventKey) -> Result<Option<StoredEvent>, StoreError> {
        self.read(|snapshot| snapshot.event(key))
    }

    fn events_naming(&self, identifier: &str) -> Result<Vec<IndexEntry>, StoreError> {
        self.read(|snapshot| snapshot.rows(Index::Naming, identifier, None))
    }

    fn events_recorded(
        &self,
        after: Option<&RecordCursor>,
        limit: usize,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        self.read(|snapshot| snapshot.recorded(after, limit))
    }

    fn events_naming_in(
        &self,
        identifier: &str,
        roles: &[Role],
    ) -> Result<Vec<IndexEntry>, StoreError> {
        self.read(|snapshot| snapshot.rows(Index::Naming, identifier, Some(roles)))
    }

    fn latest_naming(&self, identifier: &str) -> Result<Option<IndexEntry>, StoreError> {
        self.read(|snapshot| match snapshot.find(identifier)? {
            Some(bytes) => snapshot.latest(RecordView::of(bytes.value())?.latest),
            None => Ok(None),
        })
    }

    fn events_at(&self, location: &str) -> Result<Vec<IndexEntry>, StoreError> {
        self.read(|snapshot| snapshot.rows(Index::Located, location, None))
    }

    fn class_instances(&self, class: &str) -> Result<Vec<String>, StoreError> {
        self.read(|snapshot| {
            let members = snapshot.members(class)?;
            members.into_iter().map(|id| snapshot.uri(id)).collect()
        })
    }

    fn class_of(&self, instance: &str) -> Result<Option<String>, StoreError> {
        self.read(|snapshot| {
            let class = match snapshot.find(instance)? {
                Some(bytes) => RecordView::of(bytes.value())?.class,
                None => None,
            };
            class.map(|class| snapshot.uri(class)).transpose()
        })
    }

    fn chain_head(&self, gateway: &GatewayId) -> Result<Option<ChainHead>, StoreError> {
        self.read(|snapshot| {
            let heads = snapshot.txn().open_table(HEADS)?;
            let head = heads.get(gateway.as_str())?;
            head.map(|bytes| decode(bytes.value(), "chain head"))
                .transpose()
        })
    }

    fn put_gateway(&self, record: &GatewayRecord) -> Result<(), StoreError> {
        self.write(|txn| write::put_gateway(txn, record))
    }

    fn gateway(&self, id: &GatewayId) -> Result<Option<GatewayRecord>, StoreError> {
        self.read(|snapshot| {
            let gateways = snapshot.txn().open_table(GATEWAYS)?;
            let record = gateways.get(id.as_str())?;
            record
                .map(|bytes| decode(bytes.value(), "gateway record"))
                .transpose()
        })
    }

    fn gateways(&self) -> Result<Vec<GatewayRecord>, StoreError> {
        self.read(|snapshot| {
            let gateways = snapshot.txn().open_table(GATEWAYS)?;
            gateways
                .iter()?
                .map(|row| decode(row?.1.value(), "gateway record"))
                .collect()
        })
    }

    fn quarantined(&self, after: u64, limit: usize) -> Result<Vec<QuarantineEntry>, StoreError> {
        let Some(first) = after.checked_add(1) else {
            return Ok(Vec::new());
        };
        self.read(|snapshot| {
            let quarantine = snapshot.txn().open_table(QUARANTINE)?;
            quarantine
                .range(first..)?
                .take(limit)
                .map(|row| decode(row?.1.value(), "quarantine entry"))
                .collect()
        })
    }

    fn put_recall(&self, recall: &RecallRecord) -> Result<(), StoreError> {
        self.write(|txn| write::put_recall(txn, recall))
    }

    fn recall(&self, id: &str) -> Result<Option<RecallRecord>, StoreError> {
        self.read(|snapshot| {
            let recalls = snapshot.txn().open_table(RECALLS)?;
            let record = recalls.get(id)?;
            match record {
                Some(bytes) => Ok(Some(
                    decode::<(u64, RecallRecord)>(bytes.value(), "recall")?.1,
                )),
                None => Ok(None),
            }
        })
    }

    fn recalls(&self) -> Result<Vec<RecallRecord>, StoreError> {
        let mut recalls = self.read(|snapshot| {
            let table = snapshot.txn().open_table(RECALLS)?;
            table
                .iter()?
                .map(|row| Ok(decode::<(u64, RecallRecord)>(row?.1.value(), "recall")?.1))
                .collect::<Result<Vec<_>, StoreError>>()
        })?;
        recalls.sort_by(|a, b| (a.issued, &a.id).cmp(&(b.issued, &b.id)));
        Ok(recalls)
    }

    fn recalls_affecting(&self, identifier: &str) -> Result<Vec<String>, StoreError> {
        self.read(|snapshot| {
            let numbers = match snapshot.find(identifier)? {
                Some(bytes) => RecordView::of(bytes.value())?.recalls,
                None => Vec::new(),
            };
            numbers.iter().map(|n| snapshot.recall_id(*n)).collect()
        })
    }

    fn stats(&self) -> Result<StoreStats, StoreError> {
        let bytes_on_disk = std::fs::metadata(&self.path).map_or(0, |m| allocated(&m));
        self.read(|snapshot| {
            let txn = snapshot.txn();
            Ok(StoreStats {
                events: txn.open_table(tables::EVENTS)?.len()?,
                quarantined: txn.open_table(QUARANTINE)?.len()?,
                gateways: txn.open_table(GATEWAYS)?.len()?,
                bytes_on_disk,
            })
        })
    }

    fn event_summaries(&self, keys: &[EventKey]) -> Result<Vec<Option<EventSummary>>, StoreError> {
        self.read(|snapshot| keys.iter().map(|key| snapshot.summary(key)).collect())
    }

    fn standings(&self, identifiers: &[&str]) -> Result<Vec<Option<Standing>>, StoreError> {
        self.read(|snapshot| {
            let mut standings = Vec::with_capacity(identifiers.len());
            for identifier in identifiers {
                let standing = match snapshot.find(identifier)? {
                    Some(bytes) => Some(snapshot.standing(RecordView::of(bytes.value())?)?),
                    None => None,
                };
                standings.push(standing);
            }
            Ok(standings)
        })
    }

    fn class_standings(&self, class: &str) -> Result<Vec<Standing>, StoreError> {
        self.read(|snapshot| snapshot.member_standings(class))
    }
}
