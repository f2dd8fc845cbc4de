//! Reads: one statement each (prepared once per connection), rows turned back into the
//! contract's types. A row whose columns do not decode is [`StoreError::Corrupt`].

use std::collections::HashMap;

use deadpool_postgres::Client;
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;
use trace_proto::signed::{ChainHead, EventHash, GatewayId};

use super::backend;
use crate::store::redb_store::codes::{role_code, role_of, time};
use crate::store::redb_store::records::{corrupt, decode_event};
use crate::store::{
    EventKey, GatewayKey, GatewayRecord, IndexEntry, QuarantineEntry, RecallRecord, RecordCursor,
    Role, StoreError, StoreStats, StoredEvent,
};

/// The rows of `sql` with `params`.
pub(super) async fn rows(
    client: &Client,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Vec<Row>, StoreError> {
    let statement = client.prepare_cached(sql).await.map_err(backend)?;
    client.query(&statement, params).await.map_err(backend)
}

/// Column `index` of `row`, as `T`.
pub(super) fn get<'r, T: tokio_postgres::types::FromSql<'r>>(
    row: &'r Row,
    index: usize,
) -> Result<T, StoreError> {
    row.try_get(index)
        .map_err(|e| corrupt(&format!("column {index} of a row"), &e.to_string()))
}

/// 32 bytes of a `BYTEA` column.
fn bytes32(row: &Row, index: usize) -> Result<[u8; 32], StoreError> {
    get::<&[u8]>(row, index)?
        .try_into()
        .map_err(|_| corrupt("key or hash column", "not 32 bytes"))
}

/// An index row from `(event_time_ms, key, role)` columns, the first at `at`.
pub(super) fn entry(row: &Row, at: usize) -> Result<IndexEntry, StoreError> {
    let role = u8::try_from(get::<i16>(row, at + 2)?)
        .map_err(|_| corrupt("index row", "negative role code"))?;
    Ok(IndexEntry {
        event_time: time(get(row, at)?)?,
        key: EventKey(bytes32(row, at + 1)?),
        role: role_of(role)?,
    })
}

fn entries(rows: &[Row]) -> Result<Vec<IndexEntry>, StoreError> {
    rows.iter().map(|row| entry(row, 0)).collect()
}

/// A `u64` kept bit for bit in a `BIGINT` (see the migration).
pub(super) fn as_i64(value: u64) -> i64 {
    i64::from_ne_bytes(value.to_ne_bytes())
}

fn as_u64(value: i64) -> u64 {
    u64::from_ne_bytes(value.to_ne_bytes())
}

pub(super) async fn event(
    client: &Client,
    key: &EventKey,
) -> Result<Option<StoredEvent>, StoreError> {
    let found = rows(
        client,
        "SELECT record FROM events WHERE key = $1",
        &[&key.0.as_slice()],
    )
    .await?;
    found
        .first()
        .map(|row| decode_event(get(row, 0)?))
        .transpose()
}

/// The events under `keys`, in order; `None` for a key not stored.
pub(super) async fn events(
    client: &Client,
    keys: &[EventKey],
) -> Result<Vec<Option<StoredEvent>>, StoreError> {
    let wanted: Vec<&[u8]> = keys.iter().map(|k| k.0.as_slice()).collect();
    let found = rows(
        client,
        "SELECT record FROM events WHERE key = ANY($1)",
        &[&wanted],
    )
    .await?;
    let mut by_key = std::collections::HashMap::with_capacity(found.len());
    for row in &found {
        let event = decode_event(get(row, 0)?)?;
        by_key.insert(event.key, event);
    }
    Ok(keys.iter().map(|k| by_key.get(k).cloned()).collect())
}

pub(super) async fn naming(
    client: &Client,
    identifier: &str,
    roles: Option<&[Role]>,
) -> Result<Vec<IndexEntry>, StoreError> {
    let found = match roles {
        None => {
            let sql = "SELECT event_time_ms, key, role FROM naming WHERE identifier = $1 \
                       ORDER BY event_time_ms, key, role";
            rows(client, sql, &[&identifier]).await?
        }
        Some(roles) => {
            let codes: Vec<i16> = roles.iter().map(|r| i16::from(role_code(*r))).collect();
            let sql = "SELECT event_time_ms, key, role FROM naming \
                       WHERE identifier = $1 AND role = ANY($2) \
                       ORDER BY event_time_ms, key, role";
            rows(client, sql, &[&identifier, &codes]).await?
        }
    };
    entries(&found)
}

pub(super) async fn latest(
    client: &Client,
    identifier: &str,
) -> Result<Option<IndexEntry>, StoreError> {
    let sql = "SELECT event_time_ms, key, role FROM naming WHERE identifier = $1 \
               ORDER BY event_time_ms DESC, key DESC, role DESC LIMIT 1";
    let found = rows(client, sql, &[&identifier]).await?;
    found.first().map(|row| entry(row, 0)).transpose()
}

pub(super) async fn located(
    client: &Client,
    location: &str,
) -> Result<Vec<IndexEntry>, StoreError> {
    let sql = "SELECT event_time_ms, key, role FROM located WHERE location = $1 \
               ORDER BY event_time_ms, key, role";
    entries(&rows(client, sql, &[&location]).await?)
}

pub(super) async fn recorded(
    client: &Client,
    after: Option<&RecordCursor>,
    limit: usize,
) -> Result<Vec<StoredEvent>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let found = match after {
        None => {
            let sql = "SELECT record FROM events ORDER BY recorded_ms, key LIMIT $1";
            rows(client, sql, &[&limit]).await?
        }
        Some(cursor) => {
            let sql = "SELECT record FROM events WHERE (recorded_ms, key) > ($1, $2) \
                       ORDER BY recorded_ms, key LIMIT $3";
            let recorded = cursor.recorded.unix_millis();
            rows(client, sql, &[&recorded, &cursor.key.0.as_slice(), &limit]).await?
        }
    };
    found.iter().map(|row| decode_event(get(row, 0)?)).collect()
}

pub(super) async fn class_instances(
    client: &Client,
    class: &str,
) -> Result<Vec<String>, StoreError> {
    let sql = "SELECT uri FROM idents WHERE class = $1 ORDER BY first_seen";
    rows(client, sql, &[&class])
        .await?
        .iter()
        .map(|r| get(r, 0))
        .collect()
}

pub(super) async fn class_of(
    client: &Client,
    instance: &str,
) -> Result<Option<String>, StoreError> {
    let found = rows(
        client,
        "SELECT class FROM idents WHERE uri = $1",
        &[&instance],
    )
    .await?;
    Ok(match found.first() {
        Some(row) => get(row, 0)?,
        None => None,
    })
}

pub(super) async fn chain_head(
    client: &Client,
    gateway: &GatewayId,
) -> Result<Option<ChainHead>, StoreError> {
    let sql = "SELECT seq, hash FROM heads WHERE gateway_id = $1";
    let found = rows(client, sql, &[&gateway.as_str()]).await?;
    found
        .first()
        .map(|row| {
            Ok(ChainHead {
                seq: as_u64(get(row, 0)?),
                hash: EventHash(bytes32(row, 1)?),
            })
        })
        .transpose()
}

/// One gateway (`Some(id)`) or all, by id, each with its key history.
pub(super) async fn gateways(
    client: &Client,
    id: Option<&GatewayId>,
) -> Result<Vec<GatewayRecord>, StoreError> {
    let sql = "SELECT id, party, site, description, enrolled_ms, revoked_ms \
               FROM gateways WHERE $1::TEXT IS NULL OR id = $1 ORDER BY id";
    let id = id.map(GatewayId::as_str);
    let found = rows(client, sql, &[&id]).await?;
    let sql = "SELECT gateway_id, from_seq, public_key, added_ms, revoked_ms FROM gateway_keys \
               WHERE $1::TEXT IS NULL OR gateway_id = $1 ORDER BY gateway_id, from_seq";
    let key_rows = rows(client, sql, &[&id]).await?;
    let mut keys: HashMap<&str, Vec<GatewayKey>> = HashMap::new();
    for row in &key_rows {
        keys.entry(get(row, 0)?).or_default().push(GatewayKey {
            from_seq: as_u64(get(row, 1)?),
            public_key: bytes32(row, 2)?,
            added: time(get(row, 3)?)?,
            revoked: get::<Option<i64>>(row, 4)?.map(time).transpose()?,
        });
    }
    found
        .iter()
        .map(|row| {
            let id: &str = get(row, 0)?;
            Ok(GatewayRecord {
                id: GatewayId::new(id).map_err(|e| corrupt("gateway id", &e.to_string()))?,
                keys: keys.remove(id).unwrap_or_default(),
                party: get(row, 1)?,
                site: get(row, 2)?,
                description: get(row, 3)?,
                enrolled: time(get(row, 4)?)?,
                revoked: get::<Option<i64>>(row, 5)?.map(time).transpose()?,
            })
        })
        .collect()
}

pub(super) async fn quarantined(
    client: &Client,
    after: u64,
    limit: usize,
) -> Result<Vec<QuarantineEntry>, StoreError> {
    let Ok(after) = i64::try_from(after) else {
        return Ok(Vec::new());
    };
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let sql = "SELECT id, gateway_id, seq, received_ms, reason, bytes FROM quarantine \
               WHERE id > $1 ORDER BY id LIMIT $2";
    let found = rows(client, sql, &[&after, &limit]).await?;
    found
        .iter()
        .map(|row| {
            Ok(QuarantineEntry {
                id: u64::try_from(get::<i64>(row, 0)?)
                    .map_err(|_| corrupt("quarantine id", "negative"))?,
                gateway_id: get(row, 1)?,
                seq: get::<Option<i64>>(row, 2)?.map(as_u64),
                received: time(get(row, 3)?)?,
                reason: get(row, 4)?,
                bytes: get(row, 5)?,
            })
        })
        .collect()
}

/// One recall (`Some(id)`) or all, oldest first.
pub(super) async fn recalls(
    client: &Client,
    id: Option<&str>,
) -> Result<Vec<RecallRecord>, StoreError> {
    let sql = "SELECT id, issued_ms, codes, reason, instructions, issued_by, affected \
               FROM recalls WHERE $1::TEXT IS NULL OR id = $1 ORDER BY issued_ms, id";
    let found = rows(client, sql, &[&id]).await?;
    found
        .iter()
        .map(|row| {
            Ok(RecallRecord {
                id: get(row, 0)?,
                issued: time(get(row, 1)?)?,
                codes: get(row, 2)?,
                reason: get(row, 3)?,
                instructions: get(row, 4)?,
                issued_by: get(row, 5)?,
                affected: get(row, 6)?,
            })
        })
        .collect()
}

pub(super) async fn recalls_affecting(
    client: &Client,
    identifier: &str,
) -> Result<Vec<String>, StoreError> {
    let sql = "SELECT recall_id FROM recall_affected WHERE identifier = $1 ORDER BY recall_id";
    rows(client, sql, &[&identifier])
        .await?
        .iter()
        .map(|r| get(r, 0))
        .collect()
}

/// Counts; `bytes_on_disk` is 0, as the size functions differ between engines.
pub(super) async fn stats(client: &Client) -> Result<StoreStats, StoreError> {
    let sql = "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM quarantine), \
               (SELECT count(*) FROM gateways)";
    let found = rows(client, sql, &[]).await?;
    let row = found.first().ok_or_else(|| corrupt("stats", "no row"))?;
    let count = |i| get::<i64>(row, i).map(|n| u64::try_from(n).unwrap_or(0));
    Ok(StoreStats {
        events: count(0)?,
        quarantined: count(1)?,
        gateways: count(2)?,
        bytes_on_disk: 0,
    })
}
