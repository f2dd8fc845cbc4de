//! The recall desk: every recall and a form to start one (`/desk/recalls`), one recall
//! with where each affected unit is now, counted by custodian and by location, in a
//! sortable table (`/desk/recalls/{id}`), and those units as CSV.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::{Extension, Form};
use maud::{Markup, html};
use serde::Deserialize;

use super::desk::{Desk, check_post, see_other};
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
pub async fn list(State(state): State<Arc<AppState>>, desk: Desk, chosen: Chosen) -> Response {
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
    let issued = blocking(move || Ok(recall::issue(&*store, request)?)).await;
    let record = match issued {
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
            if let Err(e) = publisher.publish_recalls(state.store.clone()).await {
                tracing::error!(error = %e, "recall list not published; it is sent again at start-up");
            }
        }
        None => tracing::warn!("no MQTT connection: recall list not published"),
    }
    see_other(&format!("/desk/recalls/{}", encode(&record.id)))
}

/// A recall with where its units are now, or the page saying why not (unknown id, store
/// unavailable).
pub(super) async fn found(
    state: &Arc<AppState>,
    id: String,
    chosen: Chosen,
) -> Result<(RecallRecord, Vec<UnitStatus>), Response> {
    let lang = chosen.lang;
    match load(state, id).await {
        Ok(Some(found)) => Ok(found),
        Ok(None) => Err(message_page(
            StatusCode::NOT_FOUND,
            chosen,
            lang.t(&i18n::NOT_FOUND),
            lang.t(&i18n::NOT_FOUND),
        )),
        Err(e) => Err(unavailable(chosen, &e)),
    }
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
    desk: Desk,
    chosen: Chosen,
    Path(id): Path<String>,
) -> Response {
    let lang = chosen.lang;
    let (record, units) = match found(&state, id, chosen).await {
        Ok(found) => found,
        Err(page) => return page,
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

pub(super) fn unavailable(chosen: Chosen, error: &ApiError) -> Response {
    tracing::error!(error = %error, "recall desk");
    let lang = chosen.lang;
    message_page(
        StatusCode::SERVICE_UNAVAILABLE,
        chosen,
        lang.t(&i18n::ERROR),
        lang.t(&i18n::TRY_AGAIN),
    )
}
