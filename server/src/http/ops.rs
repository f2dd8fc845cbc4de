//! `/healthz`, `/metrics`, and the request counter.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::Json;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{ApiError, blocking};
use crate::state::AppState;

/// Store reachable and its sizes; 503 when the store fails.
pub async fn healthz(State(state): State<Arc<AppState>>) -> Result<Json<Value>, ApiError> {
    let store = state.store.clone();
    let stats = blocking(move || Ok(store.stats()?)).await?;
    let gaps = state.live().gaps.len();
    Ok(Json(
        json!({ "status": "ok", "store": stats, "open_gaps": gaps }),
    ))
}

/// Prometheus text.
pub async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    let store = state.store.clone();
    let stats = blocking(move || Ok(store.stats()?)).await.ok();
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(stats),
    )
        .into_response()
}

/// Counts requests.
pub async fn count(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    state.metrics.http_requests.fetch_add(1, Ordering::Relaxed);
    next.run(request).await
}
