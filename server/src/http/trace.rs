//! `GET /api/v1/trace` (JSON) and `GET /api/v1/trace.csv` (the regulator's spreadsheet).
//!
//! Backward traces are public: they show what a consumer page shows. Forward traces
//! list every holder of a lot, so they need a supervisor token.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use trace_proto::event::{EventKind, SourceDestType};

use super::{ApiError, ai, blocking, canonical, gs1_ais, require};
use crate::auth::Role;
use crate::state::AppState;
use crate::store::{Store, StoredEvent};
use crate::trace::{self, Direction, Hop, Trace};

/// The query string.
#[derive(Debug, Deserialize)]
pub struct TraceQuery {
    /// Any code form.
    code: String,
    /// backward (default) or forward.
    #[serde(default = "backward")]
    direction: Direction,
}

fn backward() -> Direction {
    Direction::Backward
}

async fn run(
    state: &Arc<AppState>,
    headers: &HeaderMap,
    query: Result<Query<TraceQuery>, QueryRejection>,
) -> Result<Trace, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    if query.direction == Direction::Forward {
        require(state, headers, Role::Supervisor)?;
    }
    let start = canonical(state, &query.code)?;
    let store = state.store.clone();
    blocking(move || Ok(trace::trace(&*store, &start, query.direction)?)).await
}

/// The trace as JSON.
pub async fn json(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    query: Result<Query<TraceQuery>, QueryRejection>,
) -> Result<Json<Trace>, ApiError> {
    Ok(Json(run(&state, &headers, query).await?))
}

/// The trace as CSV, one row per hop, with FSMA 204-style key data elements.
pub async fn csv(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    query: Result<Query<TraceQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let trace = run(&state, &headers, query).await?;
    let store = state.store.clone();
    let body = blocking(move || spreadsheet(&*store, &trace)).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"trace.csv\"",
            ),
        ],
        body,
    )
        .into_response())
}

const COLUMNS: [&str; 17] = [
    "traceability_lot_code",
    "product",
    "quantity",
    "unit_of_measure",
    "event_type",
    "biz_step",
    "action",
    "event_time",
    "location",
    "read_point",
    "previous_source",
    "next_recipient",
    "reference_documents",
    "responsible_party",
    "subject",
    "via",
    "event_id",
];

fn spreadsheet(store: &dyn Store, trace: &Trace) -> Result<Vec<u8>, ApiError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let csv_error = |e: csv::Error| ApiError::BadRequest(format!("CSV: {e}"));
    writer.write_record(COLUMNS).map_err(csv_error)?;
    for hop in &trace.events {
        let Some(stored) = store.event(&hop.key)? else {
            continue;
        };
        writer
            .write_record(row(store, hop, &stored)?)
            .map_err(csv_error)?;
    }
    writer
        .into_inner()
        .map_err(|e| ApiError::BadRequest(format!("CSV: {e}")))
}

fn row(store: &dyn Store, hop: &Hop, stored: &StoredEvent) -> Result<Vec<String>, ApiError> {
    let event = &stored.event;
    let (count, quantities, ilmd_lot) = match &event.kind {
        EventKind::Object(o) => (
            o.epc_list.len(),
            &o.quantity_list,
            o.ilmd.as_ref().and_then(|i| i.lot_number.clone()),
        ),
        EventKind::Aggregation(a) => (a.child_epcs.len(), &a.child_quantity_list, None),
        EventKind::Transaction(t) => (t.epc_list.len(), &t.quantity_list, None),
        EventKind::Transformation(t) => (
            t.output_epc_list.len(),
            &t.output_quantity_list,
            t.ilmd.as_ref().and_then(|i| i.lot_number.clone()),
        ),
        EventKind::Association(a) => (a.child_epcs.len(), &a.child_quantity_list, None),
    };
    let class = store.class_of(&hop.subject)?;
    let class_lot = class
        .as_deref()
        .and_then(|c| ai(&gs1_ais(c), "10").map(str::to_owned));
    let lot = ilmd_lot
        .or(class_lot)
        .or_else(|| quantities.first().map(|q| q.epc_class.clone()))
        .unwrap_or_default();
    let (quantity, uom) = match quantities.first() {
        Some(q) if count == 0 => (
            q.quantity.map(|d| d.to_string()).unwrap_or_default(),
            q.uom.clone().unwrap_or_default(),
        ),
        _ => (count.to_string(), "EA".to_owned()),
    };
    let parties = |list: &[trace_proto::event::SourceDest]| {
        list.iter()
            .filter(|s| s.kind != SourceDestType::Location)
            .map(|s| s.id.clone())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let references = event
        .biz_transactions
        .iter()
        .map(|t| t.id.clone())
        .collect::<Vec<_>>()
        .join(" ");
    let product = gs1_ais(class.as_deref().unwrap_or(&hop.subject));
    let product =
        ai(&product, "01").map_or_else(|| hop.subject.clone(), |gtin| format!("GTIN {gtin}"));
    Ok(vec![
        lot,
        product,
        quantity,
        uom,
        hop.event_type.to_owned(),
        hop.biz_step.clone().unwrap_or_default(),
        hop.action.map(|a| a.to_string()).unwrap_or_default(),
        hop.local_time.clone(),
        hop.biz_location.clone().unwrap_or_default(),
        hop.read_point.clone().unwrap_or_default(),
        parties(&event.sources),
        parties(&event.destinations),
        references,
        hop.party.clone().unwrap_or_default(),
        hop.subject.clone(),
        hop.via.clone().unwrap_or_default(),
        hop.event_id.clone(),
    ])
}
