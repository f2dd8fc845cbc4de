//! Consumer look-ups: `GET /api/v1/codes/{code}` for any code form, and the GS1 Digital
//! Link resolver paths (`/01/{gtin}/10/{lot}/21/{serial}`, `/00/{sscc}`, `/414/{gln}`,
//! `/8004/{giai}`) a QR code on a pack leads to. Public, read-only.

use std::sync::Arc;

use axum::Json;
use axum::extract::{OriginalUri, Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

use super::{ApiError, blocking, canonical, gs1_ais};
use crate::lookup::{self, Lookup};
use crate::state::AppState;

/// The answer for any code form (URL-encode Digital Link URIs, or give them raw).
pub async fn lookup(
    State(state): State<Arc<AppState>>,
    Path(code): Path<String>,
) -> Result<Json<Lookup>, ApiError> {
    answer(&state, &code).await
}

/// A Digital Link path on this host, as a resolver would serve it: the unit page to a
/// browser (`Accept` ranks HTML above JSON), the JSON answer otherwise.
pub async fn resolve(
    State(state): State<Arc<AppState>>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Response {
    // The path alone is a valid Digital Link on any domain; the host is irrelevant to the
    // identity, so a fixed one stands in for ours.
    let link = format!("https://id.gs1.org{}", uri.path());
    if crate::web::prefers_html(&headers) {
        return crate::web::unit_page(&state, &headers, uri.query(), &link, uri.path()).await;
    }
    answer(&state, &link).await.into_response()
}

async fn answer(state: &Arc<AppState>, code: &str) -> Result<Json<Lookup>, ApiError> {
    let identity = canonical(state, code)?;
    let ais = gs1_ais(&identity);
    let store = state.store.clone();
    let found = blocking(move || Ok(lookup::lookup(&*store, &identity, &ais)?)).await?;
    Ok(Json(found))
}
