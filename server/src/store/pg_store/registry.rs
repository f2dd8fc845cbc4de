//! Writes outside ingest, each in its own transaction: gateway records and recalls.

use deadpool_postgres::Client;

use super::backend;
use super::read::as_i64;
use super::write::exec;
use crate::store::{GatewayRecord, RecallRecord, StoreError};

/// Enrols or updates a gateway, its key history replaced with the record's.
pub(super) async fn put_gateway(
    client: &mut Client,
    record: &GatewayRecord,
) -> Result<(), StoreError> {
    let txn = client.transaction().await.map_err(backend)?;
    exec(
        &txn,
        "INSERT INTO gateways (id, party, site, description, enrolled_ms, revoked_ms) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO UPDATE SET \
         party = excluded.party, site = excluded.site, \
         description = excluded.description, enrolled_ms = excluded.enrolled_ms, \
         revoked_ms = excluded.revoked_ms",
        &[
            &record.id.as_str(),
            &record.party,
            &record.site,
            &record.description,
            &record.enrolled.unix_millis(),
            &record.revoked.map(|t| t.unix_millis()),
        ],
    )
    .await?;
    exec(
        &txn,
        "DELETE FROM gateway_keys WHERE gateway_id = $1",
        &[&record.id.as_str()],
    )
    .await?;
    for key in &record.keys {
        exec(
            &txn,
            "INSERT INTO gateway_keys (gateway_id, from_seq, public_key, added_ms, revoked_ms) \
             VALUES ($1, $2, $3, $4, $5)",
            &[
                &record.id.as_str(),
                &as_i64(key.from_seq),
                &key.public_key.as_slice(),
                &key.added.unix_millis(),
                &key.revoked.map(|t| t.unix_millis()),
            ],
        )
        .await?;
    }
    txn.commit().await.map_err(backend)
}

/// Stores a recall and replaces its rows in `recall_affected`.
pub(super) async fn put_recall(
    client: &mut Client,
    recall: &RecallRecord,
) -> Result<(), StoreError> {
    let txn = client.transaction().await.map_err(backend)?;
    exec(
        &txn,
        "INSERT INTO recalls (id, issued_ms, codes, reason, instructions, issued_by, affected) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO UPDATE SET \
         issued_ms = excluded.issued_ms, codes = excluded.codes, reason = excluded.reason, \
         instructions = excluded.instructions, issued_by = excluded.issued_by, \
         affected = excluded.affected",
        &[
            &recall.id,
            &recall.issued.unix_millis(),
            &recall.codes,
            &recall.reason,
            &recall.instructions,
            &recall.issued_by,
            &recall.affected,
        ],
    )
    .await?;
    exec(
        &txn,
        "DELETE FROM recall_affected WHERE recall_id = $1",
        &[&recall.id],
    )
    .await?;
    let mut affected: Vec<&str> = recall.affected.iter().map(String::as_str).collect();
    affected.sort_unstable();
    affected.dedup();
    exec(
        &txn,
        "INSERT INTO recall_affected (identifier, recall_id) \
         SELECT u, $2 FROM unnest($1::TEXT[]) AS t(u) ON CONFLICT DO NOTHING",
        &[&affected, &recall.id],
    )
    .await?;
    txn.commit().await.map_err(backend)
}
