//! `/desk/recalls/{id}/units.csv`: a recall's affected units, one row each, with where
//! they are now and who holds them, for the spreadsheet a regulator asks for.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::desk::Desk;
use super::desk_recalls::found;
use super::i18n::{self, Chosen};
use super::layout::message_page;
use crate::state::AppState;
use crate::trace::UnitStatus;

/// The CSV columns of a recall's units.
pub const CSV_COLUMNS: [&str; 7] = [
    "unit",
    "location",
    "custodian",
    "disposition",
    "container",
    "last_seen",
    "recalls",
];

/// A recall's units as CSV rows (header first).
pub fn units_csv(units: &[UnitStatus]) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(CSV_COLUMNS)?;
    for u in units {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        writer.write_record([
            u.id.clone(),
            text(&u.location),
            text(&u.custodian),
            text(&u.disposition),
            text(&u.container),
            u.last_time.map(|t| t.to_string()).unwrap_or_default(),
            u.recalls.join(" "),
        ])?;
    }
    writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
}

/// `GET /desk/recalls/{id}/units.csv`.
pub async fn csv(
    State(state): State<Arc<AppState>>,
    _signed_in: Desk,
    chosen: Chosen,
    Path(id): Path<String>,
) -> Response {
    let lang = chosen.lang;
    let (record, units) = match found(&state, id, chosen).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    match units_csv(&units) {
        Ok(body) => {
            let disposition = format!("attachment; filename=\"{}-units.csv\"", record.id);
            let mut response = body.into_response();
            let h = response.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                header::HeaderValue::from_static("text/csv; charset=utf-8"),
            );
            if let Ok(value) = header::HeaderValue::from_str(&disposition) {
                h.insert(header::CONTENT_DISPOSITION, value);
            }
            h.insert(
                header::CACHE_CONTROL,
                header::HeaderValue::from_static("no-store"),
            );
            response
        }
        Err(e) => {
            tracing::error!(error = %e, "recall CSV");
            message_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                chosen,
                lang.t(&i18n::ERROR),
                lang.t(&i18n::TRY_AGAIN),
            )
        }
    }
}

#[cfg(test)]
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_has_a_header_and_one_row_per_unit() {
        let unit = UnitStatus {
            id: "urn:epc:id:sgtin:0614141.812345.101".into(),
            last_event: None,
            last_time: None,
            location: Some("urn:epc:id:sgln:5012345.00001.0".into()),
            custodian: Some("urn:epc:id:pgln:5012345.00000".into()),
            disposition: Some("retail_sold".into()),
            container: None,
            recalls: vec!["R-1".into(), "R-2".into()],
        };
        let text = String::from_utf8(units_csv(&[unit]).unwrap()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], CSV_COLUMNS.join(","));
        assert_eq!(
            lines[1],
            "urn:epc:id:sgtin:0614141.812345.101,urn:epc:id:sgln:5012345.00001.0,\
             urn:epc:id:pgln:5012345.00000,retail_sold,,,R-1 R-2"
        );
        assert_eq!(lines.len(), 2);
    }
}
