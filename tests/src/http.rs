//! The server's HTTP API as the tests call it: JSON in and out, the status code kept
//! (a 4xx is an answer to assert on, not an error), the tokens the spawned server knows.

use serde_json::Value;

use crate::error::{E2eError, Result};

/// Admin token given to every spawned server (`TRACE_ADMIN_TOKEN`).
pub const ADMIN_TOKEN: &str = "e2e-admin-token";
/// Supervisor token given to every spawned server (`TRACE_SUPERVISOR_TOKEN`).
pub const SUPERVISOR_TOKEN: &str = "e2e-supervisor-token";

/// An HTTP client bound to one server.
#[derive(Debug, Clone)]
pub struct Api {
    base: String,
    agent: ureq::Agent,
}

/// An answer: status code and body (JSON, or the text as a JSON string).
#[derive(Debug, Clone)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// The body.
    pub body: Value,
}

impl Api {
    /// A client for the server at `base` (`http://127.0.0.1:port`).
    pub fn new(base: &str) -> Self {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(std::time::Duration::from_secs(30)))
            .build()
            .into();
        Self {
            base: base.trim_end_matches('/').to_owned(),
            agent,
        }
    }

    /// `GET path`, with `token` as bearer if given.
    pub fn get(&self, path: &str, token: Option<&str>) -> Result<Answer> {
        let url = format!("{}{path}", self.base);
        let mut request = self.agent.get(&url);
        if let Some(token) = token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        answer("GET", &url, request.call())
    }

    /// `POST path` with a JSON body, with `token` as bearer if given.
    pub fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Result<Answer> {
        let url = format!("{}{path}", self.base);
        let mut request = self.agent.post(&url);
        if let Some(token) = token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        answer("POST", &url, request.send_json(body))
    }
}

fn answer(
    method: &'static str,
    url: &str,
    response: std::result::Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> Result<Answer> {
    let failed = |message: String| E2eError::Http {
        method,
        url: url.to_owned(),
        message,
    };
    let mut response = response.map_err(|e| failed(e.to_string()))?;
    let status = response.status().as_u16();
    let text = response
        .body_mut()
        .read_to_string()
        .map_err(|e| failed(format!("reading the body: {e}")))?;
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Ok(Answer { status, body })
}

/// Percent-encodes `text` for a query string value.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
