//! The gateway registry over HTTP (list: supervisor; enrol, rotate keys and revoke:
//! admin) and the quarantine (supervisor).

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiError, blocking, body_error, require};
use crate::auth::Role;
use crate::registry::{self, Enrollment, NewKey, RegistryError};
use crate::state::AppState;
use crate::store::GatewayRecord;

impl From<RegistryError> for ApiError {
    fn from(e: RegistryError) -> Self {
        match e {
            RegistryError::Store(e) => Self::Store(e),
            RegistryError::Unknown(_) | RegistryError::UnknownKey { .. } => {
                Self::NotFound(e.to_string())
            }
            RegistryError::Conflict { .. } => Self::Conflict(e.to_string()),
            RegistryError::Id(_) | RegistryError::KeyFormat(_) | RegistryError::Key(_) => {
                Self::BadRequest(e.to_string())
            }
        }
    }
}

fn record_json(record: &GatewayRecord) -> Value {
    json!({
        "id": record.id.as_str(),
        "public_key": record.current_key().map(|k| hex::encode(k.public_key)),
        "keys": record.keys.iter().map(|k| json!({
            "public_key": hex::encode(k.public_key),
            "from_seq": k.from_seq,
            "added": k.added.to_string(),
            "revoked": k.revoked.map(|t| t.to_string()),
        })).collect::<Vec<_>>(),
        "party": record.party,
        "site": record.site,
        "description": record.description,
        "enrolled": record.enrolled.to_string(),
        "revoked": record.revoked.map(|t| t.to_string()),
    })
}

/// Every gateway with its chain health: head, open gap, last status.
pub async fn gateways(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    require(&state, &headers, Role::Supervisor)?;
    let store = state.store.clone();
    let rows = blocking(move || {
        let mut rows = Vec::new();
        for record in store.gateways()? {
            let head = store.chain_head(&record.id)?;
            rows.push((record, head));
        }
        Ok(rows)
    })
    .await?;
    let live = state.live();
    let gateways: Vec<Value> = rows
        .iter()
        .map(|(record, head)| {
            let mut row = record_json(record);
            row["chain_head_seq"] = json!(head.map(|h| h.seq));
            row["gap"] = json!(live.gaps.get(&record.id).map(|g| json!({
                "from": g.from, "to": g.to, "waiting": g.waiting, "since": g.since.to_string(),
            })));
            row["status"] = json!(live.statuses.get(&record.id));
            row
        })
        .collect();
    Ok(Json(json!({ "gateways": gateways })))
}

/// Enrols a gateway.
pub async fn enroll(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Json<Enrollment>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    require(&state, &headers, Role::Admin)?;
    let Json(enrollment) = body.map_err(body_error)?;
    let store = state.store.clone();
    let record = blocking(move || Ok(registry::enroll(&*store, &enrollment)?)).await?;
    Ok((StatusCode::CREATED, Json(record_json(&record))))
}

/// Revokes a gateway from now on.
pub async fn revoke(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    require(&state, &headers, Role::Admin)?;
    let store = state.store.clone();
    let record = blocking(move || Ok(registry::revoke(&*store, &id)?)).await?;
    Ok(Json(record_json(&record)))
}

/// Adds a key from a seq on (a rotation).
pub async fn add_key(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Result<Json<NewKey>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    require(&state, &headers, Role::Admin)?;
    let Json(key) = body.map_err(body_error)?;
    let store = state.store.clone();
    let record = blocking(move || Ok(registry::add_key(&*store, &id, &key)?)).await?;
    Ok((StatusCode::CREATED, Json(record_json(&record))))
}

/// Revokes one key of a gateway from now on.
pub async fn revoke_key(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path((id, key)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    require(&state, &headers, Role::Admin)?;
    let store = state.store.clone();
    let record = blocking(move || Ok(registry::revoke_key(&*store, &id, &key)?)).await?;
    Ok(Json(record_json(&record)))
}

/// Paging through the quarantine.
#[derive(Debug, Deserialize)]
pub struct QuarantinePage {
    /// Entries with a greater id.
    #[serde(default)]
    after: u64,
    /// At most this many (≤ 1000).
    #[serde(default = "default_limit")]
    limit: usize,
}

fn default_limit() -> usize {
    100
}

/// Quarantined events with their reasons and bytes (hex).
pub async fn quarantine(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    page: Result<Query<QuarantinePage>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    require(&state, &headers, Role::Supervisor)?;
    let Query(page) = page.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let store = state.store.clone();
    let entries =
        blocking(move || Ok(store.quarantined(page.after, page.limit.min(1000))?)).await?;
    let rows: Vec<Value> = entries
        .iter()
        .map(|q| {
            json!({
                "id": q.id, "gateway_id": q.gateway_id, "seq": q.seq,
                "received": q.received.to_string(), "reason": q.reason, "bytes": hex::encode(&q.bytes),
            })
        })
        .collect();
    Ok(Json(json!({ "entries": rows })))
}
