//! The recall desk: every recall and a form to start one (`/desk/recalls`), one recall
//! with where each affected unit is now, counted by custodian and by location, in a
//! sortable table (`/desk/recalls/{id}`), and those units as CSV.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use maud::{Markup, html};
use serde::Deserialize;

use super::desk::{Desk, check_post, see_other, signed_in};
use super::desk_trace::units_table;
use super::i18n::{self, Chosen, Lang};
use super::layout::{Shell, message_page, page, respond};
use super::session::Sessions;
use super::{Problem, encode, read_code, short};
use crate::http::{ApiError, blocking};
use crate::recall::{self, RecallRequest};
use crate::state::AppState;
use crate::store::RecallRecord;
use crate::trace::UnitStatus;

/// The new-recall form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewRecall {
    csrf: String,
    codes: String,
    reason: String,
    instructions: String,
}

/// `GET /desk/recalls`.
pub async fn list(
    State(state): State<Arc<AppState>>,
    Extension(sessions): Extension<Arc<Sessions>>,
    chosen: Chosen,
    headers: HeaderMap,
) -> Response {
    let Some(desk) = signed_in(&sessions, &headers) else {
        return see_other("/desk/login");
    };
    list_page(
        &state,
        &desk,
        chosen,
        StatusCode::OK,
        &NewRecall::default(),
        None,
    )
    .await
}

async fn list_page(
    state: &Arc<AppState>,
    desk: &Desk,
    chosen: Chosen,
    status: StatusCode,
    form: &NewRecall,
    problem: Option<String>,
) -> Response {
    let lang = chosen.lang;
    let store = state.store.clone();
    let recalls = match blocking(move || Ok(store.recalls()?)).await {
        Ok(recalls) => recalls,
        Err(e) => return unavailable(chosen, &e),
    };
    let instructions = if form.instructions.is_empty() {
        lang.t(&i18n::DEFAULT_INSTRUCTIONS)
    } else {
        &form.instructions
    };
    let body = html! {
        h1 { (lang.t(&i18n::RECALLS)) }
        section.card aria-labelledby="new-recall" {
            h2 id="new-recall" { (lang.t(&i18n::NEW_RECALL)) }
            @if let Some(problem) = &problem { p.error role="alert" { (problem) } }
            form.stack method="post" action="/desk/recalls" {
                input type="hidden" name="csrf" value=(desk.csrf);
                label for="codes" { (lang.t(&i18n::CODES)) }
                textarea id="codes" name="codes" rows="3" required spellcheck="false" { (form.codes) }
                label for="reason" { (lang.t(&i18n::REASON)) }
                input type="text" id="reason" name="reason" required value=(form.reason);
                label for="instructions" { (lang.t(&i18n::INSTRUCTIONS)) }
                textarea id="instructions" name="instructions" rows="2" { (instructions) }
                button.danger type="submit" { (lang.t(&i18n::ISSUE)) }
            }
        }
        @if recalls.is_empty() {
            p { (lang.t(&i18n::NO_RECALLS)) }
        } @else {
            div.table { table {
                thead { tr {
                    th scope="col" { "ID" }
                    th scope="col" { (lang.t(&i18n::RECALL_ISSUED)) }
                    th scope="col" { (lang.t(&i18n::REASON)) }
                    th scope="col" { (lang.t(&i18n::CODES)) }
                    th scope="col" { (lang.t(&i18n::COUNT)) }
                } }
                tbody {
                    @for r in recalls.iter().rev() {
                        tr {
                            td { a href={ "/desk/recalls/" (encode(&r.id)) } { (r.id) } }
                            td { (r.issued) }
                            td { (r.reason) }
                            td.id { @for code in &r.codes { (short(code)) br; } }
                            td { (r.affected.len()) }
                        }
                    }
                }
            } }
        }
    };
    let shell = desk.shell(lang, lang.t(&i18n::RECALLS), "/desk/recalls");
    respond(status, chosen, page(&shell, body))
}

/// `POST /desk/recalls`: issues the recall, publishes the retained list, and shows it.
pub async fn create(
    State(state): State<Arc<AppState>>,
    Extension(sessions): Extension<Arc<Sessions>>,
    chosen: Chosen,
    headers: HeaderMap,
    form: Result<Form<NewRecall>, FormRejection>,
) -> Response {
    let Form(form) = form.unwrap_or_default();
    let desk = match check_post(&sessions, &headers, chosen, &form.csrf) {
        Ok(desk) => desk,
        Err(answer) => return *answer,
    };
    let lang = chosen.lang;
    let lines: Vec<&str> = form
        .codes
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if lines.is_empty() || form.reason.trim().is_empty() {
        let problem = lang.t(&i18n::NEED_CODE_AND_REASON).to_owned();
        return list_page(
            &state,
            &desk,
            chosen,
            StatusCode::BAD_REQUEST,
            &form,
            Some(problem),
        )
        .await;
    }
    let mut codes = Vec::new();
    for line in &lines {
        match read_code(&state, line) {
            Ok((identity, _)) => codes.push(identity),
            Err(problem) => {
                let why = match problem {
                    Problem::Unreadable(detail) => format!("{}: {detail}", lang.t(&i18n::BAD_CODE)),
                    Problem::NotOneUnit => lang.t(&i18n::NOT_ONE_UNIT).to_owned(),
                    Problem::Unknown => lang.t(&i18n::UNKNOWN_CODE).to_owned(),
                };
                let problem = format!("{line}: {why}");
                return list_page(
                    &state,
                    &desk,
                    chosen,
                    StatusCode::BAD_REQUEST,
                    &form,
                    Some(problem),
                )
                .await;
            }
        }
    }
    let instructions = match form.instructions.trim() {
        "" => lang.t(&i18n::DEFAULT_INSTRUCTIONS).to_owned(),
        text => text.to_owned(),
    };
    let request = RecallRequest {
        codes,
        reason: form.reason.trim().to_owned(),
        instructions,
        issued_by: desk.caller.name.clone(),
    };
    let store = state.store.clone();
    let issued = blocking(move || {
        let record = recall::issue(&*store, request)?;
        Ok((record, recall::list(&*store)?))
    })
    .await;
    let (record, list) = match issued {
        Ok(done) => done,
        Err(ApiError::NotFound(message)) => {
            let problem = format!("{}: {message}", lang.t(&i18n::UNKNOWN_CODE));
            return list_page(
                &state,
                &desk,
                chosen,
                StatusCode::NOT_FOUND,
                &form,
                Some(problem),
            )
            .await;
        }
        Err(e) => return unavailable(chosen, &e),
    };
    match state.publisher.get() {
        Some(publisher) => {
            if let Err(e) = publisher.publish_recalls(&list).await {
                tracing::error!(error = %e, "recall list not published; it is sent again at start-up");
            }
        }
        None => tracing::warn!("no MQTT connection: recall list not published"),
    }
    see_other(&format!("/desk/recalls/{}", encode(&record.id)))
}

/// A recall with where its units are now.
async fn load(
    state: &Arc<AppState>,
    id: String,
) -> Result<Option<(RecallRecord, Vec<UnitStatus>)>, ApiError> {
    let store = state.store.clone();
    blocking(move || {
        let Some(record) = store.recall(&id)? else {
            return Ok(None);
        };
        let units = recall::units_now(&*store, &record)?;
        Ok(Some((record, units)))
    })
    .await
}

/// `GET /desk/recalls/{id}`.
pub async fn show(
    State(state): State<Arc<AppState>>,
    Extension(sessions): Extension<Arc<Sessions>>,
    chosen: Chosen,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let Some(desk) = signed_in(&sessions, &headers) else {
        return see_other("/desk/login");
    };
    let lang = chosen.lang;
    let (record, units) = match load(&state, id).await {
        Ok(Some(found)) => found,
        Ok(None) => {
            return message_page(
                StatusCode::NOT_FOUND,
                chosen,
                lang.t(&i18n::NOT_FOUND),
                lang.t(&i18n::NOT_FOUND),
            );
        }
        Err(e) => return unavailable(chosen, &e),
    };
    let path = format!("/desk/recalls/{}", encode(&record.id));
    let title = format!("{} {}", lang.t(&i18n::RECALLS), record.id);
    let body = html! {
        h1 { (title) }
        dl.facts.card {
            dt { (lang.t(&i18n::REASON)) } dd { (record.reason) }
            dt { (lang.t(&i18n::INSTRUCTIONS)) } dd { (record.instructions) }
            dt { (lang.t(&i18n::RECALL_ISSUED)) } dd { (record.issued) }
            dt { (lang.t(&i18n::ISSUED_BY)) } dd { (record.issued_by) }
            dt { (lang.t(&i18n::CODES)) } dd.id { @for code in &record.codes {
                a href={ "/desk/trace?direction=forward&code=" (encode(code)) } { (code) } br;
            } }
        }
        div.cols {
            (counts(lang, &i18n::BY_CUSTODIAN, "by-custodian", units.iter().map(|u| u.custodian.as_ref())))
            (counts(lang, &i18n::BY_LOCATION, "by-location", units.iter().map(|u| u.location.as_ref())))
        }
        h2 { (lang.t(&i18n::AFFECTED)) " (" (units.len()) ")" }
        p { a id="csv" href={ (path) "/units.csv" } download { (lang.t(&i18n::CSV)) } }
        (units_table(lang, &units))
    };
    let shell = Shell {
        sortable: true,
        ..desk.shell(lang, &title, &path)
    };
    respond(StatusCode::OK, chosen, page(&shell, body))
}

fn counts<'a>(
    lang: Lang,
    heading: &i18n::Text,
    id: &str,
    values: impl Iterator<Item = Option<&'a String>>,
) -> Markup {
    let mut counted: BTreeMap<String, usize> = BTreeMap::new();
    for value in values {
        let key = value.map_or_else(|| lang.t(&i18n::UNKNOWN).to_owned(), |v| short(v));
        *counted.entry(key).or_default() += 1;
    }
    html! {
        section.card aria-labelledby=(id) {
            h2 id=(id) { (lang.t(heading)) }
            table id={ (id) "-table" } {
                thead { tr { th scope="col" { (lang.t(heading)) } th scope="col" { (lang.t(&i18n::COUNT)) } } }
                tbody { @for (key, n) in &counted { tr { td.id { (key) } td { (n) } } } }
            }
        }
    }
}

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
    Extension(sessions): Extension<Arc<Sessions>>,
    chosen: Chosen,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if signed_in(&sessions, &headers).is_none() {
        return see_other("/desk/login");
    }
    let lang = chosen.lang;
    let (record, units) = match load(&state, id).await {
        Ok(Some(found)) => found,
        Ok(None) => {
            return message_page(
                StatusCode::NOT_FOUND,
                chosen,
                lang.t(&i18n::NOT_FOUND),
                lang.t(&i18n::NOT_FOUND),
            );
        }
        Err(e) => return unavailable(chosen, &e),
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

fn unavailable(chosen: Chosen, error: &ApiError) -> Response {
    tracing::error!(error = %error, "recall desk");
    let lang = chosen.lang;
    message_page(
        StatusCode::SERVICE_UNAVAILABLE,
        chosen,
        lang.t(&i18n::ERROR),
        lang.t(&i18n::TRY_AGAIN),
    )
}

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
