//! The HTTP API (axum): consumer look-ups and Digital Link resolver paths (public),
//! trace and recall (supervisor), the gateway registry (admin), health and metrics.
//!
//! Handlers are thin: they check the token, parse the code through trace-proto, run the
//! blocking store and trace work on the blocking pool, and shape JSON. Every refusal is
//! an [`ApiError`] with a status and a plain message.

mod admin;
mod codes;
mod epcis;
pub mod limits;
mod ops;
mod recalls;
mod trace;

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;
use trace_proto::code::{self, Form};

use crate::auth::{Caller, Role};
use crate::state::AppState;
use crate::store::StoreError;
use crate::trace::TraceError;

/// Request bodies larger than this are refused with 413 before a handler runs.
pub const MAX_BODY: usize = 1024 * 1024;

/// The whole API.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/healthz", get(ops::healthz))
        .route("/metrics", get(ops::metrics))
        .route("/api/v1/codes/{*code}", get(codes::lookup))
        .route("/api/v1/trace", get(trace::json))
        .route("/api/v1/trace.csv", get(trace::csv))
        .route("/api/v1/recalls", post(recalls::create).get(recalls::list))
        .route("/api/v1/recalls/{id}", get(recalls::show))
        .route("/api/v1/gateways", get(admin::gateways).post(admin::enroll))
        .route("/api/v1/gateways/{id}/revoke", post(admin::revoke))
        .route("/api/v1/gateways/{id}/keys", post(admin::add_key))
        .route(
            "/api/v1/gateways/{id}/keys/{key}/revoke",
            post(admin::revoke_key),
        )
        .route("/api/v1/quarantine", get(admin::quarantine))
        .route("/00/{*rest}", get(codes::resolve))
        .route("/01/{*rest}", get(codes::resolve))
        .route("/414/{*rest}", get(codes::resolve))
        .route("/8004/{*rest}", get(codes::resolve))
        .merge(crate::web::router())
        .merge(epcis::router(state.clone()))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            limits::limit,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            ops::count,
        ))
        .with_state(state)
}

/// A refused or failed request.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No or an invalid token.
    #[error("a valid bearer token is required")]
    Unauthorized,
    /// A valid token without the needed role.
    #[error("this needs the {0:?} role")]
    Forbidden(Role),
    /// Malformed input, named.
    #[error("{0}")]
    BadRequest(String),
    /// The body exceeds [`MAX_BODY`].
    #[error("request body larger than {MAX_BODY} bytes")]
    TooLarge,
    /// Nothing known under this name.
    #[error("{0}")]
    NotFound(String),
    /// The request conflicts with stored state.
    #[error("{0}")]
    Conflict(String),
    /// The store failed.
    #[error("store unavailable: {0}")]
    Store(#[from] StoreError),
    /// A blocking task died.
    #[error("internal error")]
    Internal,
}

impl From<TraceError> for ApiError {
    fn from(e: TraceError) -> Self {
        match e {
            TraceError::Store(e) => Self::Store(e),
            TraceError::Unknown(id) => Self::NotFound(format!("nothing is recorded for {id}")),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = match &self {
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Store(e) => {
                tracing::error!(error = %e, "store error answering a request");
                StatusCode::SERVICE_UNAVAILABLE
            }
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let mut response = (status, Json(json!({ "error": self.to_string() }))).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

/// A JSON body that could not be read: too large, or not the expected shape.
fn body_error(rejection: axum::extract::rejection::JsonRejection) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::TooLarge
    } else {
        ApiError::BadRequest(rejection.body_text())
    }
}

/// The caller, if their token has at least `role`.
fn require(state: &AppState, headers: &HeaderMap, role: Role) -> Result<Caller, ApiError> {
    let caller = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| state.auth.check(v))
        .ok_or(ApiError::Unauthorized)?;
    if caller.role < role {
        return Err(ApiError::Forbidden(role));
    }
    Ok(caller)
}

/// Any code form a user holds → its canonical identity URI.
fn canonical(state: &AppState, code: &str) -> Result<String, ApiError> {
    let decoded = code::decode(code, Form::Auto, &state.prefixes)
        .map_err(|e| ApiError::BadRequest(format!("{code:?} is not a code we can read: {e}")))?;
    match decoded.epc_uri {
        Some(uri) if !uri.starts_with("urn:epc:idpat:") => Ok(uri),
        _ => Err(ApiError::BadRequest(format!(
            "{code:?} names a product type, not one unit, lot or asset: add its lot or serial"
        ))),
    }
}

/// The GS1 Application Identifiers of a canonical URI (`01` GTIN, `10` lot, `21`
/// serial, `00` SSCC, `8004` GIAI …); empty for URIs outside GS1.
fn gs1_ais(uri: &str) -> Vec<(String, String)> {
    code::decode(uri, Form::EpcUri, &trace_proto::company_prefix::BuiltIn)
        .map(|d| d.ais)
        .unwrap_or_default()
}

/// The value of one AI in a list from [`gs1_ais`].
fn ai<'a>(ais: &'a [(String, String)], code: &str) -> Option<&'a str> {
    ais.iter().find(|(a, _)| a == code).map(|(_, v)| v.as_str())
}

/// Runs blocking store work off the async threads.
pub(crate) async fn blocking<T, F>(work: F) -> Result<T, ApiError>
where
    F: FnOnce() -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|_| ApiError::Internal)?
}
