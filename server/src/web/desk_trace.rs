//! `/desk/trace?code=…&direction=…`: a trace either way from any code form, as a graph
//! of the chain, the hops, and (forward) where each affected unit is now.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use axum::extract::{OriginalUri, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};

use super::desk::{Desk, search_form};
use super::graph::Chain;
use super::i18n::{self, Chosen, Lang};
use super::layout::{page, respond};
use super::{Problem, encode, read_code, short};
use crate::http::{ApiError, blocking};
use crate::state::AppState;
use crate::trace::{self, Direction, Trace, TraceError, UnitStatus};

/// Lots are looked up for at most this many units (the graph shows fewer anyway).
const MAX_LOT_LOOKUPS: usize = 200;

/// `GET /desk/trace`.
pub async fn page_handler(
    State(state): State<Arc<AppState>>,
    desk: Desk,
    chosen: Chosen,
    OriginalUri(uri): OriginalUri,
) -> Response {
    let lang = chosen.lang;
    let mut code = String::new();
    let mut direction = Direction::Backward;
    for (key, value) in url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()) {
        match &*key {
            "code" => code = value.trim().to_owned(),
            "direction" if value == "forward" => direction = Direction::Forward,
            _ => {}
        }
    }
    let forward = direction == Direction::Forward;
    let path = format!(
        "/desk/trace?code={}&direction={}",
        encode(&code),
        if forward { "forward" } else { "backward" }
    );
    let title = format!("{}: {}", lang.t(&i18n::TRACE), code);
    let (status, result) = match read_code(&state, &code) {
        Err(problem) => (StatusCode::BAD_REQUEST, problem_text(lang, &problem)),
        Ok((identity, _)) => {
            let store = state.store.clone();
            let run = blocking(move || {
                let trace = match trace::trace(&*store, &identity, direction) {
                    Ok(trace) => trace,
                    Err(TraceError::Unknown(_)) => return Ok(None),
                    Err(TraceError::Store(e)) => return Err(ApiError::Store(e)),
                };
                let mut lots = BTreeMap::new();
                for unit in trace
                    .reached
                    .iter()
                    .filter(|i| i.starts_with("urn:epc:id:sgtin:"))
                    .take(MAX_LOT_LOOKUPS)
                {
                    if let Some(lot) = store.class_of(unit)? {
                        lots.insert(unit.clone(), lot);
                    }
                }
                Ok(Some((trace, lots)))
            })
            .await;
            match run {
                Ok(Some((trace, lots))) => (StatusCode::OK, result(lang, &trace, &lots)),
                Ok(None) => (StatusCode::NOT_FOUND, problem_text(lang, &Problem::Unknown)),
                Err(e) => {
                    tracing::error!(error = %e, "desk trace");
                    (
                        StatusCode::SERVICE_UNAVAILABLE,
                        html! { p.error role="alert" { (lang.t(&i18n::TRY_AGAIN)) } },
                    )
                }
            }
        }
    };
    let body = html! {
        h1 { (lang.t(&i18n::TRACE)) }
        (search_form(lang, &code, forward))
        (result)
    };
    respond(status, chosen, page(&desk.shell(lang, &title, &path), body))
}

fn problem_text(lang: Lang, problem: &Problem) -> Markup {
    let text = match problem {
        Problem::Unreadable(detail) => format!("{} ({detail})", lang.t(&i18n::BAD_CODE)),
        Problem::NotOneUnit => lang.t(&i18n::NOT_ONE_UNIT).to_owned(),
        Problem::Unknown => lang.t(&i18n::UNKNOWN_CODE).to_owned(),
    };
    html! { p.error role="alert" { (text) } }
}

fn result(lang: Lang, trace: &Trace, lots: &BTreeMap<String, String>) -> Markup {
    let recalled: BTreeSet<String> = trace
        .units
        .iter()
        .filter(|u| !u.recalls.is_empty())
        .map(|u| u.id.clone())
        .collect();
    let chain = Chain::of(trace, lots, &recalled);
    html! {
        h2 { (lang.t(&i18n::GRAPH)) }
        div.graph { (chain.svg(lang)) }
        @if !trace.notes.is_empty() {
            h2 { (lang.t(&i18n::NOTES)) }
            ul { @for note in &trace.notes { li { (note) } } }
        }
        @if !trace.units.is_empty() {
            h2 { (lang.t(&i18n::AFFECTED)) " (" (trace.units.len()) ")" }
            (units_table(lang, &trace.units))
        }
        h2 { (lang.t(&i18n::EVENTS)) " (" (trace.events.len()) ")" }
        div.table {
            table {
                thead { tr {
                    th scope="col" { (lang.t(&i18n::WHEN)) }
                    th scope="col" { (lang.t(&i18n::WHAT)) }
                    th scope="col" { (lang.t(&i18n::UNIT)) }
                    th scope="col" { (lang.t(&i18n::LOCATION)) }
                    th scope="col" { (lang.t(&i18n::PARTY)) }
                    th scope="col" { (lang.t(&i18n::GATEWAY)) }
                } }
                tbody {
                    @for hop in &trace.events {
                        tr {
                            td { (hop.local_time) }
                            td { (hop.biz_step.as_deref().map_or_else(|| hop.event_type.to_owned(), |s| i18n::step(lang, s))) }
                            td.id {
                                (short(&hop.subject))
                                @if let Some(via) = &hop.via { br; "↳ " (short(via)) }
                            }
                            td.id { (opt(lang, hop.biz_location.as_ref().or(hop.read_point.as_ref()))) }
                            td.id { (opt(lang, hop.party.as_ref())) }
                            td { (hop.signed_by.as_deref().unwrap_or("—")) }
                        }
                    }
                }
            }
        }
    }
}

/// The sortable table of affected units (the recall page shows the same).
pub fn units_table(lang: Lang, units: &[UnitStatus]) -> Markup {
    let headings = [
        &i18n::UNIT,
        &i18n::LOCATION,
        &i18n::CUSTODIAN,
        &i18n::DISPOSITION,
        &i18n::CONTAINER,
        &i18n::LAST_SEEN,
    ];
    html! {
        p.muted { (lang.t(&i18n::SORT_HINT)) }
        div.table {
            table.sortable id="units" {
                thead { tr {
                    @for heading in headings {
                        th scope="col" { button type="button" { (lang.t(heading)) } }
                    }
                } }
                tbody {
                    @for unit in units {
                        tr {
                            td.id { (unit.id) }
                            td.id { (opt(lang, unit.location.as_ref())) }
                            td.id { (opt(lang, unit.custodian.as_ref())) }
                            td { (unit.disposition.as_deref().unwrap_or("—")) }
                            td.id { (unit.container.as_deref().map_or_else(|| "—".to_owned(), short)) }
                            td { (unit.last_time.map(|t| t.to_string()).unwrap_or_default()) }
                        }
                    }
                }
            }
        }
    }
}

fn opt(lang: Lang, value: Option<&String>) -> String {
    value.map_or_else(|| lang.t(&i18n::UNKNOWN).to_owned(), |v| short(v))
}
