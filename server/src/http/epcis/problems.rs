//! EPCIS answers that are not results: the standard's discovery headers on every answer,
//! and refusals as RFC 7807 problems with the standard's `epcisException:…` types.

use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::epcis::capture::{CAPTURE_LIMIT, FILE_SIZE_LIMIT, Refusal, problem_details};
use crate::epcis::problem::Problem;
use crate::epcis::query::QueryError;
use crate::http::ApiError;

/// The versions and capture limits, on every answer (the standard's discovery headers).
pub(super) async fn standard_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in [
        ("gs1-epcis-version", "2.0.0".to_owned()),
        ("gs1-cbv-version", "2.0.0".to_owned()),
        ("gs1-epcis-capture-limit", CAPTURE_LIMIT.to_string()),
        (
            "gs1-epcis-capture-file-size-limit",
            FILE_SIZE_LIMIT.to_string(),
        ),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(HeaderName::from_static(name), value);
        }
    }
    response
}

/// An RFC 7807 answer, with one problem object per problem found.
pub(super) fn problem(
    status: StatusCode,
    kind: &str,
    title: &str,
    problems: &[Problem],
) -> Response {
    let mut body = json!({
        "type": format!("epcisException:{kind}"),
        "title": title,
        "status": status.as_u16(),
    });
    if !problems.is_empty() {
        let detail: Vec<String> = problems.iter().map(Problem::to_string).collect();
        body["detail"] = detail.join("\n").into();
        body["errors"] = problems.iter().map(problem_details).collect();
    }
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}

/// [`ApiError`]s (tokens, store) as EPCIS problems.
pub(super) fn refused(error: ApiError) -> Response {
    let (status, kind) = match &error {
        ApiError::Unauthorized => {
            let mut response = problem(
                StatusCode::UNAUTHORIZED,
                "SecurityException",
                &error.to_string(),
                &[],
            );
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return response;
        }
        ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "SecurityException"),
        ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "ValidationException"),
        ApiError::TooLarge => (
            StatusCode::PAYLOAD_TOO_LARGE,
            "CaptureLimitExceededException",
        ),
        ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "NoSuchResourceException"),
        ApiError::Conflict(_) => (StatusCode::CONFLICT, "ResourceAlreadyExistsException"),
        ApiError::Store(_) => (StatusCode::SERVICE_UNAVAILABLE, "ImplementationException"),
        ApiError::Internal => (StatusCode::INTERNAL_SERVER_ERROR, "ImplementationException"),
    };
    if let ApiError::Store(e) = &error {
        tracing::error!(error = %e, "store error answering an EPCIS request");
    }
    problem(status, kind, &error.to_string(), &[])
}

pub(super) fn refusal(refusal: Refusal) -> Response {
    match refusal {
        Refusal::Invalid(problems) => problem(
            StatusCode::BAD_REQUEST,
            "ValidationException",
            "not valid EPCIS 2.0: nothing was stored",
            &problems,
        ),
        Refusal::TooManyEvents(count) => problem(
            StatusCode::PAYLOAD_TOO_LARGE,
            "CaptureLimitExceededException",
            &format!("{count} events; at most {CAPTURE_LIMIT} per document"),
            &[],
        ),
    }
}

pub(super) fn body_problem(rejection: BytesRejection) -> Response {
    {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            problem(
                StatusCode::PAYLOAD_TOO_LARGE,
                "CaptureLimitExceededException",
                &format!("the body is larger than {FILE_SIZE_LIMIT} bytes"),
                &[],
            )
        } else {
            problem(
                StatusCode::BAD_REQUEST,
                "ValidationException",
                &rejection.body_text(),
                &[],
            )
        }
    }
}

pub(super) fn query_error(error: QueryError) -> Response {
    match error {
        QueryError::TooLarge(message) => problem(
            StatusCode::PAYLOAD_TOO_LARGE,
            "QueryTooLargeException",
            &message,
            &[],
        ),
        QueryError::Store(e) => refused(ApiError::Store(e)),
    }
}
