//! The EPCIS 2.0 REST binding under `/epcis`: capture (`POST /capture`, capture jobs,
//! `POST /events`), queries (`GET /events`, `GET /events/{eventID}`) and the OpenAPI
//! document. The work is in [`crate::epcis::capture`] and [`crate::epcis::query`]; this
//! module checks tokens, runs that work on the blocking pool, and answers with the
//! standard's headers and RFC 7807 problems.
//!
//! Capture checks a document before answering (a document with problems is a 400 listing
//! each with its JSON path), then answers `202` with the job's URL and commits on the
//! blocking pool; the job turns to success once the events are durable.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;
use trace_proto::event::EventTime;

mod problems;

use problems::{body_problem, problem, query_error, refusal, refused, standard_headers};

use super::{ApiError, blocking, require};
use crate::auth::{Caller, Role};
use crate::epcis::capture::{self, ErrorBehaviour, FILE_SIZE_LIMIT, Jobs};
use crate::epcis::query;
use crate::state::AppState;
use crate::store::{CommitBatch, StoreError, StoredEvent};

/// The OpenAPI 3 document of these endpoints.
const OPENAPI: &str = include_str!("../epcis/openapi.json");

/// What the handlers share: the server state, this process's capture jobs, and the lock
/// that makes choosing eventID slots and committing one step (see epcis/capture).
struct Epcis {
    app: Arc<AppState>,
    jobs: Jobs,
    capturing: Mutex<()>,
}

impl Epcis {
    /// Settles slots and commits `events` under the capture lock; (stored, duplicates).
    fn store(&self, mut events: Vec<StoredEvent>) -> Result<(usize, usize), String> {
        // A poisoned lock guards nothing but ordering, so it is still usable.
        let _guard = self.capturing.lock().unwrap_or_else(|p| p.into_inner());
        let store = self.app.store.as_ref();
        capture::settle_slots(store, &mut events)?;
        let batch = CommitBatch {
            events,
            ..CommitBatch::default()
        };
        let report = store.commit(&batch).map_err(|e| e.to_string())?;
        Ok((report.stored, report.duplicates))
    }
}

type Shared = State<Arc<Epcis>>;

/// The routes under `/epcis`, to merge into the API router.
pub fn router(app: Arc<AppState>) -> Router<Arc<AppState>> {
    let state = Arc::new(Epcis {
        app,
        jobs: Jobs::default(),
        capturing: Mutex::new(()),
    });
    Router::new()
        .route("/epcis/capture", post(capture))
        .route("/epcis/capture/{id}", get(job))
        .route("/epcis/events", get(events).post(capture_one))
        .route("/epcis/events/{*id}", get(event))
        .route("/epcis/openapi.json", get(openapi))
        .layer(DefaultBodyLimit::max(FILE_SIZE_LIMIT))
        .layer(axum::middleware::map_response(standard_headers))
        .with_state(state)
}

/// The caller, if it holds an operator token, and the body, if it arrived whole: what both
/// capture endpoints need before they read a byte of it.
fn operator_body(
    epcis: &Epcis,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(Caller, Bytes), Box<Response>> {
    let caller = require(&epcis.app, headers, Role::Operator).map_err(|e| Box::new(refused(e)))?;
    let body = body.map_err(|rejection| Box::new(body_problem(rejection)))?;
    Ok((caller, body))
}

/// `POST /epcis/capture`: a document in, `202` and the job's URL out.
async fn capture(
    State(epcis): Shared,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let (caller, body) = match operator_body(&epcis, &headers, body) {
        Ok(admitted) => admitted,
        Err(refusal) => return *refusal,
    };
    let header = headers
        .get("gs1-capture-error-behaviour")
        .map(|v| v.to_str().unwrap_or("(not text)"));
    let behaviour = match ErrorBehaviour::from_header(header) {
        Ok(behaviour) => behaviour,
        Err(message) => {
            return problem(
                StatusCode::BAD_REQUEST,
                "ValidationException",
                &message,
                &[],
            );
        }
    };
    let app = epcis.app.clone();
    let checked =
        blocking(move || Ok(capture::check_document(&body, &app.prefixes, behaviour))).await;
    let checked = match checked {
        Ok(Ok(checked)) => checked,
        Ok(Err(r)) => return refusal(r),
        Err(e) => return refused(e),
    };
    let id = epcis.jobs.start(behaviour, checked.refused);
    let (worker, job) = (epcis.clone(), id.clone());
    tokio::task::spawn_blocking(move || {
        let recorded = EventTime::now();
        let events = checked
            .events
            .into_iter()
            .map(|d| capture::to_stored(d, &caller.name, recorded))
            .collect();
        let outcome = worker.store(events);
        if let Err(e) = &outcome {
            tracing::error!(error = %e, job, "capture job failed to commit");
        }
        worker.jobs.finish(&job, outcome);
    });
    let location = format!("/epcis/capture/{id}");
    let mut response = (StatusCode::ACCEPTED, axum::Json(json!({"captureID": id}))).into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// `GET /epcis/capture/{id}`: the capture job.
async fn job(State(epcis): Shared, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Err(e) = require(&epcis.app, &headers, Role::Operator) {
        return refused(e);
    }
    match epcis.jobs.get(&id) {
        Some(job) => axum::Json(job.to_json()).into_response(),
        None => refused(ApiError::NotFound(format!(
            "no capture job {id:?} (jobs are kept in memory: the last {} of this process)",
            capture::MAX_JOBS
        ))),
    }
}

/// The URL path of an event.
fn event_path(id: &str) -> String {
    let encoded: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect::<String>();
    format!("/epcis/events/{}", encoded.replace('+', "%20"))
}

/// `POST /epcis/events`: one event, stored at once (`201`), `409` if already stored.
async fn capture_one(
    State(epcis): Shared,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let (caller, body) = match operator_body(&epcis, &headers, body) {
        Ok(admitted) => admitted,
        Err(refusal) => return *refusal,
    };
    let worker = epcis.clone();
    let outcome = blocking(move || {
        let decoded = match capture::check_event(&body, &worker.app.prefixes) {
            Ok(decoded) => decoded,
            Err(r) => return Ok(Err(r)),
        };
        let stored = capture::to_stored(decoded, &caller.name, EventTime::now());
        let (new, _) = worker
            .store(vec![stored.clone()])
            .map_err(|e| ApiError::Store(StoreError::Backend(e)))?;
        Ok(Ok((stored, new == 1)))
    })
    .await;
    let (stored, new) = match outcome {
        Ok(Ok(done)) => done,
        Ok(Err(r)) => return refusal(r),
        Err(e) => return refused(e),
    };
    let id = query::shown_id(&stored);
    let mut response = if new {
        (StatusCode::CREATED, axum::Json(query::single(&stored))).into_response()
    } else {
        problem(
            StatusCode::CONFLICT,
            "ResourceAlreadyExistsException",
            &format!("event {id} is already stored"),
            &[],
        )
    };
    if let Ok(value) = HeaderValue::from_str(&event_path(&id)) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// `GET /epcis/events?…`: a page of an `EPCISQueryDocument`, the next page in `Link`.
async fn events(State(epcis): Shared, headers: HeaderMap, RawQuery(raw): RawQuery) -> Response {
    if let Err(e) = require(&epcis.app, &headers, Role::Supervisor) {
        return refused(e);
    }
    let pairs: Vec<(String, String)> =
        url::form_urlencoded::parse(raw.as_deref().unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let parsed = match query::parse(&pairs, &epcis.app.prefixes) {
        Ok(parsed) => parsed,
        Err(e) => {
            return problem(
                StatusCode::BAD_REQUEST,
                "QueryParameterException",
                &e.to_string(),
                &[],
            );
        }
    };
    let app = epcis.app.clone();
    let page = blocking(move || Ok(query::run(app.store.as_ref(), &parsed))).await;
    let page = match page {
        Ok(Ok(page)) => page,
        Ok(Err(e)) => return query_error(e),
        Err(e) => return refused(e),
    };
    let document = query::document(&page.events, EventTime::now());
    let mut response = axum::Json(document).into_response();
    if let Some(next) = page.next {
        let mut url = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in pairs.iter().filter(|(name, _)| name != "nextPageToken") {
            url.append_pair(name, value);
        }
        url.append_pair("nextPageToken", &next.to_text());
        let link = format!("</epcis/events?{}>; rel=\"next\"", url.finish());
        if let Ok(value) = HeaderValue::from_str(&link) {
            response.headers_mut().insert(header::LINK, value);
        }
    }
    response
}

/// `GET /epcis/events/{eventID}`: one event.
async fn event(State(epcis): Shared, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Err(e) = require(&epcis.app, &headers, Role::Supervisor) {
        return refused(e);
    }
    let app = epcis.app.clone();
    let wanted = id.clone();
    let found = blocking(move || Ok(query::by_id(app.store.as_ref(), &wanted))).await;
    match found {
        Ok(Ok(Some(stored))) => axum::Json(query::single(&stored)).into_response(),
        Ok(Ok(None)) => refused(ApiError::NotFound(format!("no event {id:?}"))),
        Ok(Err(e)) => query_error(e),
        Err(e) => refused(e),
    }
}

/// `GET /epcis/openapi.json`: public.
async fn openapi() -> Response {
    let mut response = OPENAPI.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn the_openapi_document_is_json_naming_every_route() {
        let doc: Value = serde_json::from_str(OPENAPI).unwrap();
        for path in [
            "/epcis/capture",
            "/epcis/capture/{captureID}",
            "/epcis/events",
            "/epcis/events/{eventID}",
            "/epcis/openapi.json",
        ] {
            assert!(doc["paths"].get(path).is_some(), "{path}");
        }
    }

    #[test]
    fn event_paths_encode_the_id() {
        assert_eq!(
            event_path("ni:///sha-256;ab?ver=CBV2.0"),
            "/epcis/events/ni%3A%2F%2F%2Fsha-256%3Bab%3Fver%3DCBV2.0"
        );
    }
}
