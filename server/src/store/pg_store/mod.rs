//! The PostgreSQL [`Store`]: several `trace-server` instances share one database (and one
//! broker), so ingest and queries scale out across machines.
//!
//! # Layout
//!
//! The tables are created by versioned migrations (module `migrate`; the first is
//! `migrations/0001_layout.sql`, which documents each table). Events keep the same record
//! the redb store keeps (the gateway's signed bytes verbatim, or the captured event), so
//! both backends return byte-identical events; the index tables hold plain URIs, times in
//! milliseconds, keys as `BYTEA` and roles as the stable codes of the redb layout.
//! Standings (what trace and recall walk) are read for many identifiers at once
//! (module `standing`), so a recall of a lot costs a handful of queries, not several per unit.
//!
//! # Calling convention
//!
//! The trait is synchronous; the store owns a small tokio runtime (two workers, its
//! connection pool's I/O) and `block_on`s it. Callers are the ingest thread and HTTP
//! handlers inside `spawn_blocking`, which are not async contexts. A call from inside an
//! async task must not `block_on` (tokio forbids nested runtimes): on a multi-threaded
//! runtime the store first moves the calling worker out of the way with `block_in_place`;
//! on a current-thread runtime it refuses with [`StoreError::Backend`] instead of panicking.
//!
//! # Several instances
//!
//! MQTT shared subscriptions hand each message to one instance of the group, so a
//! gateway's consecutive batches can land on different instances. Chain checks stay
//! correct because the head row is the arbiter: a commit that moves a gateway's head
//! updates the row *on condition* that it still holds the head the batch's first event
//! extends (`UPDATE heads … WHERE seq = $expected AND hash = $prev`, or an insert that
//! must not conflict for a first event). The update takes the row lock for the rest of the
//! transaction, so two instances committing the same gateway serialize on it and the
//! second sees the first's head; on a mismatch the whole transaction rolls back and
//! [`StoreError::HeadMoved`] tells the ingest to reload the head and admit again. Row locks
//! were chosen over advisory locks (not in CockroachDB) and over sticky routing (Mosquitto
//! has none, and EMQX's `hash_topic` moves gateways when the group changes): a lock taken
//! by the statement that checks is correct whatever the broker does; sticky routing only
//! makes conflicts rarer (see `docs/deployment.md`). Acks still follow the commit.
//!
//! # Dialect
//!
//! Only SQL that PostgreSQL, CockroachDB and YugabyteDB all run: plain tables and B-tree
//! indexes, sequences, `INSERT … ON CONFLICT`, multi-array `unnest`, row-value
//! comparisons, `TEXT[]`. No triggers, stored procedures, advisory locks or extensions.
//! For Citus, see `docs/deployment.md`: the index tables distribute by their identifier
//! column, events by key, and the small tables are reference tables.

mod migrate;
mod read;
mod registry;
mod standing;
mod write;

use std::future::Future;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio::runtime::{Handle, RuntimeFlavor};
use tokio_postgres::NoTls;
use trace_proto::signed::{ChainHead, GatewayId};

pub use migrate::SCHEMA_VERSION;

use super::{
    CommitBatch, CommitReport, EventKey, EventSummary, GatewayRecord, IndexEntry, QuarantineEntry,
    RecallRecord, RecordCursor, Role, Standing, Store, StoreError, StoreStats, StoredEvent,
};

/// Connections one process keeps at most: the ingest thread and the HTTP handlers'
/// blocking threads share them.
const POOL_SIZE: usize = 16;

/// How long a call waits for a free connection or a new one before it fails.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

/// The PostgreSQL event store.
pub struct PgStore {
    pool: Pool,
    runtime: Option<tokio::runtime::Runtime>,
}

impl PgStore {
    /// Connects to `url` (`postgres://user@host:port/db?options=-csearch_path%3Dschema`,
    /// any form `tokio_postgres::Config` parses) and applies the migrations this build
    /// has not applied yet.
    pub fn open(url: &str) -> Result<Self, StoreError> {
        let config: tokio_postgres::Config = url
            .parse()
            .map_err(|e| StoreError::Backend(format!("PostgreSQL URL: {e}")))?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(CONNECT_TIMEOUT))
            .create_timeout(Some(CONNECT_TIMEOUT))
            .build()
            .map_err(backend)?;
        // Built last: from here on the store owns it, and its drop never blocks.
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("pg-store")
            .enable_all()
            .build()
            .map_err(|e| StoreError::Backend(format!("starting the store's runtime: {e}")))?;
        let store = Self {
            pool,
            runtime: Some(runtime),
        };
        store.block(async {
            let mut client = store.pool.get().await.map_err(backend)?;
            migrate::migrate(&mut client).await
        })??;
        Ok(store)
    }

    /// Runs `work` on the store's runtime and waits for it (see the calling convention in
    /// the module doc).
    fn block<F: Future>(&self, work: F) -> Result<F::Output, StoreError> {
        let runtime = self
            .runtime
            .as_ref()
            .ok_or_else(|| StoreError::Backend("the store is shut down".into()))?;
        match Handle::try_current() {
            Err(_) => Ok(runtime.block_on(work)),
            Ok(handle) if handle.runtime_flavor() == RuntimeFlavor::MultiThread => {
                Ok(tokio::task::block_in_place(|| runtime.block_on(work)))
            }
            Ok(_) => Err(StoreError::Backend(
                "the PostgreSQL store was called on a current-thread async runtime; \
                 call it from spawn_blocking"
                    .into(),
            )),
        }
    }

    /// Runs `work` with a pooled connection.
    fn with<T, W>(&self, work: W) -> Result<T, StoreError>
    where
        W: AsyncFnOnce(&mut deadpool_postgres::Client) -> Result<T, StoreError>,
    {
        self.block(async {
            let mut client = self.pool.get().await.map_err(backend)?;
            work(&mut client).await
        })?
    }
}

impl Drop for PgStore {
    fn drop(&mut self) {
        // Shutting down without waiting: a drop may happen inside an async context, where
        // a blocking shutdown would panic.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// A [`StoreError::Backend`] from any driver or pool error.
fn backend(error: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(format!("PostgreSQL: {error}"))
}

impl Store for PgStore {
    fn commit(&self, batch: &CommitBatch) -> Result<CommitReport, StoreError> {
        let plan = write::Plan::of(batch)?;
        self.with(async |c| write::commit(c, &plan).await)
    }

    fn event(&self, key: &EventKey) -> Result<Option<StoredEvent>, StoreError> {
        self.with(async |c| read::event(c, key).await)
    }

    fn events_naming(&self, identifier: &str) -> Result<Vec<IndexEntry>, StoreError> {
        self.with(async |c| read::naming(c, identifier, None).await)
    }

    fn events_naming_in(
        &self,
        identifier: &str,
        roles: &[Role],
    ) -> Result<Vec<IndexEntry>, StoreError> {
        self.with(async |c| read::naming(c, identifier, Some(roles)).await)
    }

    fn latest_naming(&self, identifier: &str) -> Result<Option<IndexEntry>, StoreError> {
        self.with(async |c| read::latest(c, identifier).await)
    }

    fn events_at(&self, location: &str) -> Result<Vec<IndexEntry>, StoreError> {
        self.with(async |c| read::located(c, location).await)
    }

    fn events_recorded(
        &self,
        after: Option<&RecordCursor>,
        limit: usize,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        self.with(async |c| read::recorded(c, after, limit).await)
    }

    fn class_instances(&self, class: &str) -> Result<Vec<String>, StoreError> {
        self.with(async |c| read::class_instances(c, class).await)
    }

    fn class_of(&self, instance: &str) -> Result<Option<String>, StoreError> {
        self.with(async |c| read::class_of(c, instance).await)
    }

    fn chain_head(&self, gateway: &GatewayId) -> Result<Option<ChainHead>, StoreError> {
        self.with(async |c| read::chain_head(c, gateway).await)
    }

    fn put_gateway(&self, record: &GatewayRecord) -> Result<(), StoreError> {
        self.with(async |c| registry::put_gateway(c, record).await)
    }

    fn gateway(&self, id: &GatewayId) -> Result<Option<GatewayRecord>, StoreError> {
        self.with(async |c| Ok(read::gateways(c, Some(id)).await?.pop()))
    }

    fn gateways(&self) -> Result<Vec<GatewayRecord>, StoreError> {
        self.with(async |c| read::gateways(c, None).await)
    }

    fn quarantined(&self, after: u64, limit: usize) -> Result<Vec<QuarantineEntry>, StoreError> {
        self.with(async |c| read::quarantined(c, after, limit).await)
    }

    fn put_recall(&self, recall: &RecallRecord) -> Result<(), StoreError> {
        self.with(async |c| registry::put_recall(c, recall).await)
    }

    fn recall(&self, id: &str) -> Result<Option<RecallRecord>, StoreError> {
        self.with(async |c| Ok(read::recalls(c, Some(id)).await?.pop()))
    }

    fn recalls(&self) -> Result<Vec<RecallRecord>, StoreError> {
        self.with(async |c| read::recalls(c, None).await)
    }

    fn recalls_affecting(&self, identifier: &str) -> Result<Vec<String>, StoreError> {
        self.with(async |c| read::recalls_affecting(c, identifier).await)
    }

    /// One query for all keys; the events are decoded whole (their records are small
    /// next to a round trip per key).
    fn event_summaries(&self, keys: &[EventKey]) -> Result<Vec<Option<EventSummary>>, StoreError> {
        let events = self.with(async |c| read::events(c, keys).await)?;
        Ok(events
            .into_iter()
            .map(|e| e.map(EventSummary::of))
            .collect())
    }

    fn standings(&self, identifiers: &[&str]) -> Result<Vec<Option<Standing>>, StoreError> {
        self.with(async |c| standing::standings(c, identifiers).await)
    }

    fn stats(&self) -> Result<StoreStats, StoreError> {
        self.with(async |c| read::stats(c).await)
    }
}
