//! Web pages served by `trace-server`, rendered on the server with maud: the consumer's
//! unit page (at the Digital Link paths, for browsers) and code entry at `/`, and the
//! supervisor's desk under `/desk/` (search and trace graph, recalls, gateways).
//!
//! Pages use the same store, trace and recall code as the JSON API; they add languages
//! (`i18n`), sessions with CSRF tokens (`session`) and a server-drawn SVG of a chain
//! (`graph`). No page needs JavaScript except the optional table sorting, served as a
//! file so the Content-Security-Policy allows no inline script.

mod code_entry;
mod consumer;
mod desk;
mod desk_gateways;
mod desk_recall_csv;
mod desk_recalls;
mod desk_trace;
mod graph;
mod i18n;
mod layout;
mod session;

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};
use trace_proto::code::{self, Form};

use crate::state::AppState;

pub use consumer::unit_page;
pub use layout::prefers_html;

/// The pages (merged into the API's router; the resolver paths stay in [`crate::http`],
/// which hands browsers to [`unit_page`]).
pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/", get(code_entry::entry))
        .route("/unit", get(consumer::by_query))
        .route(
            layout::CSS_PATH,
            get(|| async { layout::asset("text/css; charset=utf-8", layout::CSS) }),
        )
        .route(
            layout::SORT_JS_PATH,
            get(|| async { layout::asset("text/javascript; charset=utf-8", layout::SORT_JS) }),
        )
        .route("/desk", get(desk::home))
        .route("/desk/", get(desk::home))
        .route("/desk/login", get(desk::login_form).post(desk::login))
        .route("/desk/logout", post(desk::logout))
        .route("/desk/trace", get(desk_trace::page_handler))
        .route(
            "/desk/recalls",
            get(desk_recalls::list).post(desk_recalls::create),
        )
        .route("/desk/recalls/{id}", get(desk_recalls::show))
        .route("/desk/recalls/{id}/units.csv", get(desk_recall_csv::csv))
        .route(
            "/desk/gateways",
            get(desk_gateways::page_handler).post(desk_gateways::enroll),
        )
        .route("/desk/gateways/{id}/revoke", post(desk_gateways::revoke))
        .layer(axum::Extension(Arc::new(session::Sessions::default())))
}

/// Why a typed code leads to no unit page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Not a code any form we read (the decoder's reason).
    Unreadable(String),
    /// A product type (GTIN alone), not one unit, lot or asset.
    NotOneUnit,
    /// Readable, but nothing is recorded for it.
    Unknown,
}

/// The canonical identity and Application Identifiers of any code form, as the JSON API
/// reads them.
fn read_code(state: &AppState, input: &str) -> Result<(String, Vec<(String, String)>), Problem> {
    let decoded = code::decode(input, Form::Auto, &state.prefixes)
        .map_err(|e| Problem::Unreadable(e.to_string()))?;
    match decoded.epc_uri {
        Some(uri) if !uri.starts_with("urn:epc:idpat:") => Ok((uri, decoded.ais)),
        _ => Err(Problem::NotOneUnit),
    }
}

/// The consumer page's path for an identity: its Digital Link path when it has one.
fn unit_path(identity: &str) -> String {
    let link = code::decode(
        identity,
        Form::EpcUri,
        &trace_proto::company_prefix::BuiltIn,
    )
    .ok()
    .and_then(|d| d.digital_link);
    match link
        .as_deref()
        .and_then(|l| l.strip_prefix("https://id.gs1.org"))
    {
        Some(path) => path.to_owned(),
        None => format!("/unit?code={}", encode(identity)),
    }
}

/// Everything but RFC 3986's unreserved characters.
const COMPONENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encoding for one query value or path segment.
fn encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, COMPONENT).to_string()
}

/// An identifier URI as a person reads it: `urn:epc:id:sgln:0614141.00001.0` →
/// `SGLN 0614141.00001.0`; other URIs unchanged.
fn short(uri: &str) -> String {
    let tail = uri
        .strip_prefix("urn:epc:id:")
        .or_else(|| uri.strip_prefix("urn:epc:class:"))
        .and_then(|rest| rest.split_once(':'));
    match tail {
        Some((scheme, value)) => format!("{} {value}", scheme.to_ascii_uppercase()),
        None => uri.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_get_their_digital_link_path_or_a_query() {
        assert_eq!(
            unit_path("urn:epc:id:sgtin:0614141.812345.101"),
            "/01/80614141123458/21/101"
        );
        assert_eq!(
            unit_path("urn:rfid-trace:cn-drug:81234560012345678901"),
            "/unit?code=urn%3Arfid-trace%3Acn-drug%3A81234560012345678901"
        );
        assert_eq!(
            short("urn:epc:id:sgln:0614141.00001.0"),
            "SGLN 0614141.00001.0"
        );
        assert_eq!(
            short("urn:epc:class:lgtin:0614141.812345.L"),
            "LGTIN 0614141.812345.L"
        );
        assert_eq!(short("urn:x"), "urn:x");
    }
}
