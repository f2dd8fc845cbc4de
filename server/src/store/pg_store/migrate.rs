//! Versioned schema migrations, applied at start-up: each is an SQL file compiled into the
//! binary and recorded in `schema_migrations` in the same transaction that applies it, so
//! a migration is applied once and whole. Instances starting together race on the
//! version's primary key: the loser's transaction fails and it finds the migration done.

use tokio_postgres::Client;
use tokio_postgres::error::SqlState;

use super::backend;
use crate::store::StoreError;

/// `(version, name, SQL)`, in version order. A new layout is a new file here, never an edit
/// of an applied one.
const MIGRATIONS: &[(i32, &str, &str)] = &[
    (1, "layout", include_str!("migrations/0001_layout.sql")),
    (
        2,
        "gateway_keys",
        include_str!("migrations/0002_gateway_keys.sql"),
    ),
    (
        3,
        "packed_event_records",
        include_str!("migrations/0003_packed_event_records.sql"),
    ),
];

/// The newest version this build knows.
pub const SCHEMA_VERSION: u32 = 3;

const LEDGER: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version INT PRIMARY KEY,
    name TEXT NOT NULL,
    applied_ms BIGINT NOT NULL
)";

/// Brings the schema `client` connects to up to [`SCHEMA_VERSION`]; refuses a schema a
/// newer build migrated ([`StoreError::Version`]).
pub async fn migrate(client: &mut Client) -> Result<(), StoreError> {
    client.batch_execute(LEDGER).await.map_err(backend)?;
    let newest = applied(client).await?.into_iter().max().unwrap_or(0);
    if newest > i64::from(SCHEMA_VERSION) {
        return Err(StoreError::Version {
            found: u32::try_from(newest).unwrap_or(u32::MAX),
            supported: SCHEMA_VERSION,
        });
    }
    for &(version, name, sql) in MIGRATIONS {
        if i64::from(version) <= newest {
            continue;
        }
        let txn = client.transaction().await.map_err(backend)?;
        let claimed = txn
            .execute(
                "INSERT INTO schema_migrations (version, name, applied_ms) VALUES ($1, $2, $3)",
                &[&version, &name, &now_ms()],
            )
            .await;
        match claimed {
            Ok(_) => {}
            Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => continue,
            Err(e) => return Err(backend(e)),
        }
        txn.batch_execute(sql).await.map_err(backend)?;
        txn.commit().await.map_err(backend)?;
        tracing::info!(version, name, "schema migration applied");
    }
    Ok(())
}

async fn applied(client: &Client) -> Result<Vec<i64>, StoreError> {
    let rows = client
        .query("SELECT version FROM schema_migrations", &[])
        .await
        .map_err(backend)?;
    Ok(rows
        .iter()
        .map(|row| i64::from(row.get::<_, i32>(0)))
        .collect())
}

fn now_ms() -> i64 {
    trace_proto::event::EventTime::now().unix_millis()
}
