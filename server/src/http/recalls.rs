//! `POST /api/v1/recalls`, `GET /api/v1/recalls`, `GET /api/v1/recalls/{id}`
//! (supervisor).

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{ApiError, blocking, body_error, canonical, require};
use crate::auth::Role;
use crate::recall::{self, RecallRequest};
use crate::state::AppState;
use crate::store::RecallRecord;
use crate::trace::UnitStatus;

/// The body of a new recall.
#[derive(Debug, Deserialize)]
pub struct NewRecall {
    /// Lots, units or containers, in any code form.
    codes: Vec<String>,
    /// Why.
    reason: String,
    /// What to do (a default text when absent).
    #[serde(default)]
    instructions: Option<String>,
}

/// A recall with where its units are now.
#[derive(Debug, Serialize)]
pub struct RecallView {
    /// The stored recall (without its affected list, which can be long).
    id: String,
    /// When issued.
    issued: String,
    /// The codes named.
    codes: Vec<String>,
    /// Why.
    reason: String,
    /// What to do.
    instructions: String,
    /// Who issued it.
    issued_by: String,
    /// How many identifiers the recall reached (units, containers, lots).
    affected_count: usize,
    /// Each affected unit now.
    units: Vec<UnitStatus>,
}

fn view(record: RecallRecord, units: Vec<UnitStatus>) -> RecallView {
    RecallView {
        id: record.id,
        issued: record.issued.to_string(),
        codes: record.codes,
        reason: record.reason,
        instructions: record.instructions,
        issued_by: record.issued_by,
        affected_count: record.affected.len(),
        units,
    }
}

const DEFAULT_INSTRUCTIONS: &str =
    "Stop selling and using the affected units; keep them apart and contact the supplier.";

/// Issues a recall and publishes the new retained recall list.
pub async fn create(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Json<NewRecall>, JsonRejection>,
) -> Result<(StatusCode, Json<RecallView>), ApiError> {
    let caller = require(&state, &headers, Role::Supervisor)?;
    let Json(body) = body.map_err(body_error)?;
    if body.codes.is_empty() {
        return Err(ApiError::BadRequest(
            "a recall names at least one code".into(),
        ));
    }
    if body.reason.trim().is_empty() {
        return Err(ApiError::BadRequest("a recall needs a reason".into()));
    }
    let codes = body
        .codes
        .iter()
        .map(|c| canonical(&state, c))
        .collect::<Result<Vec<_>, _>>()?;
    let request = RecallRequest {
        codes,
        reason: body.reason,
        instructions: body
            .instructions
            .unwrap_or_else(|| DEFAULT_INSTRUCTIONS.into()),
        issued_by: caller.name,
    };
    let store = state.store.clone();
    let (record, units) = blocking(move || {
        let record = recall::issue(&*store, request)?;
        let units = recall::units_now(&*store, &record)?;
        Ok((record, units))
    })
    .await?;
    match state.publisher.get() {
        Some(publisher) => {
            if let Err(e) = publisher.publish_recalls(state.store.clone()).await {
                tracing::error!(error = %e, "recall list not published; it is sent again at start-up");
            }
        }
        None => tracing::warn!("no MQTT connection: recall list not published"),
    }
    Ok((StatusCode::CREATED, Json(view(record, units))))
}

/// Every recall, newest last, without units.
pub async fn list(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    require(&state, &headers, Role::Supervisor)?;
    let store = state.store.clone();
    let recalls = blocking(move || Ok(store.recalls()?)).await?;
    let rows: Vec<Value> = recalls
        .into_iter()
        .map(|r| {
            json!({
                "id": r.id, "issued": r.issued.to_string(), "codes": r.codes,
                "reason": r.reason, "issued_by": r.issued_by, "affected_count": r.affected.len(),
            })
        })
        .collect();
    Ok(Json(json!({ "recalls": rows })))
}

/// One recall with where each affected unit is now.
pub async fn show(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<RecallView>, ApiError> {
    require(&state, &headers, Role::Supervisor)?;
    let store = state.store.clone();
    let (record, units) = blocking(move || {
        let record = store
            .recall(&id)?
            .ok_or_else(|| ApiError::NotFound(format!("no recall {id}")))?;
        let units = recall::units_now(&*store, &record)?;
        Ok((record, units))
    })
    .await?;
    Ok(Json(view(record, units)))
}
