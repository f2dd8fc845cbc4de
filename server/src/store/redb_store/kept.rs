//! The read snapshot queries share until the next commit.
//!
//! Beginning a read transaction and opening its tables costs a few microseconds, and a
//! single-unit origin trace makes some twenty store calls: over half of its time went there.
//! So a query's [`Snapshot`] (transaction, open tables, number caches) is kept for the next
//! query, until a commit makes it old. A generation counter, bumped after every write,
//! tells a kept snapshot from an old one: a query reads the counter before it begins a
//! transaction, so a snapshot is never labelled newer than what it sees, and one labelled
//! older than the counter is dropped, never handed out. Queries running at once each take
//! their own (only one is kept), so none waits for another.
//!
//! A kept transaction keeps the pages of its commit alive; as it is dropped after the next
//! write, that is no more than a running query does. Its caches are bounded: a snapshot
//! that has read more than [`MAX_CACHED`] numbers is not kept.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use super::read::Snapshot;
use crate::store::StoreError;

/// Most entries a kept snapshot's caches may hold (a 100,000-unit recall's would be
/// megabytes, kept for nothing).
const MAX_CACHED: usize = 1 << 14;

/// The slot of the kept snapshot and the write generation.
#[derive(Default)]
pub(super) struct Kept {
    slot: Mutex<Option<(u64, Snapshot)>>,
    generation: AtomicU64,
}

impl Kept {
    /// Runs `query` on the kept snapshot if it is current, else on a new one from `begin`,
    /// and keeps the snapshot afterwards if no write happened meanwhile.
    pub fn read<T>(
        &self,
        begin: impl FnOnce() -> Result<Snapshot, StoreError>,
        query: impl FnOnce(&mut Snapshot) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let generation = self.generation.load(Ordering::Acquire);
        let kept = self.lock().take();
        let mut snapshot = match kept {
            Some((kept_at, snapshot)) if kept_at == generation => snapshot,
            _ => begin()?,
        };
        let result = query(&mut snapshot)?;
        if snapshot.cached() <= MAX_CACHED && self.generation.load(Ordering::Acquire) == generation
        {
            let mut slot = self.lock();
            if slot.is_none() {
                *slot = Some((generation, snapshot));
            }
        }
        Ok(result)
    }

    /// After a write (committed or not): no query gets a snapshot from before it.
    pub fn outdate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        // Dropped after the lock is released: ending a transaction takes redb's own lock.
        let old = self.lock().take();
        drop(old);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<(u64, Snapshot)>> {
        self.slot.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use redb::{Builder, ReadableDatabase, backends::InMemoryBackend};

    use super::*;

    /// A database, and a `begin` for [`Kept::read`] that counts the snapshots it begins.
    struct Counted {
        db: redb::Database,
        begun: Cell<usize>,
    }

    impl Counted {
        fn new() -> Result<Self, StoreError> {
            let db = Builder::new()
                .create_with_backend(InMemoryBackend::new())
                .map_err(|e| StoreError::Backend(e.to_string()))?;
            Ok(Self {
                db,
                begun: Cell::new(0),
            })
        }

        fn begin(&self) -> Result<Snapshot, StoreError> {
            self.begun.set(self.begun.get() + 1);
            Ok(Snapshot::new(self.db.begin_read()?))
        }
    }

    #[test]
    fn a_snapshot_is_reused_until_a_write() -> Result<(), StoreError> {
        let counted = Counted::new()?;
        let kept = Kept::default();
        kept.read(|| counted.begin(), |_| Ok(()))?;
        kept.read(|| counted.begin(), |_| Ok(()))?;
        assert_eq!(
            counted.begun.get(),
            1,
            "the second query reuses the first's"
        );
        kept.outdate();
        kept.read(|| counted.begin(), |_| Ok(()))?;
        assert_eq!(counted.begun.get(), 2, "a write outdates the kept snapshot");
        Ok(())
    }

    #[test]
    fn a_snapshot_begun_before_a_write_is_not_kept() -> Result<(), StoreError> {
        let counted = Counted::new()?;
        let kept = Kept::default();
        kept.read(
            || counted.begin(),
            |_| {
                kept.outdate();
                Ok(())
            },
        )?;
        kept.read(|| counted.begin(), |_| Ok(()))?;
        assert_eq!(
            counted.begun.get(),
            2,
            "the query that overlapped a write left none"
        );
        Ok(())
    }

    #[test]
    fn a_failed_query_leaves_nothing() -> Result<(), StoreError> {
        let counted = Counted::new()?;
        let kept = Kept::default();
        let failed: Result<(), _> = kept.read(
            || counted.begin(),
            |_| Err(StoreError::Backend("test".into())),
        );
        assert!(failed.is_err());
        kept.read(|| counted.begin(), |_| Ok(()))?;
        assert_eq!(counted.begun.get(), 2);
        Ok(())
    }
}
