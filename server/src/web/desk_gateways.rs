//! `/desk/gateways`: every enrolled gateway with its chain health (head, open gap,
//! quarantined events, last status) and, for admins, the enrol and revoke forms.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::{Extension, Form};
use maud::html;
use serde::Deserialize;

use super::desk::{Desk, check_post};
use super::i18n::{self, Chosen};
use super::layout::{message_page, page, respond};
use super::session::Sessions;
use super::{encode, short};
use crate::auth::Role;
use crate::http::{ApiError, blocking};
use crate::registry::{self, Enrollment};
use crate::state::AppState;
use crate::store::GatewayRecord;

/// Quarantined events are counted over at most this many entries.
const QUARANTINE_SCAN: usize = 10_000;

/// `GET /desk/gateways`.
pub async fn page_handler(
    State(state): State<Arc<AppState>>,
    desk: Desk,
    chosen: Chosen,
) -> Response {
    render(&state, &desk, chosen, StatusCode::OK, None).await
}

struct Row {
    record: GatewayRecord,
    head: Option<u64>,
    quarantined: usize,
}

async fn render(
    state: &Arc<AppState>,
    desk: &Desk,
    chosen: Chosen,
    status: StatusCode,
    outcome: Option<Result<String, String>>,
) -> Response {
    let lang = chosen.lang;
    let store = state.store.clone();
    let rows = blocking(move || {
        let mut quarantined: BTreeMap<String, usize> = BTreeMap::new();
        for entry in store.quarantined(0, QUARANTINE_SCAN)? {
            *quarantined.entry(entry.gateway_id).or_default() += 1;
        }
        let mut rows = Vec::new();
        for record in store.gateways()? {
            let head = store.chain_head(&record.id)?.map(|h| h.seq);
            let quarantined = quarantined.get(record.id.as_str()).copied().unwrap_or(0);
            rows.push(Row {
                record,
                head,
                quarantined,
            });
        }
        Ok(rows)
    })
    .await;
    let rows = match rows {
        Ok(rows) => rows,
        Err(e) => {
            tracing::error!(error = %e, "gateways page");
            return message_page(
                StatusCode::SERVICE_UNAVAILABLE,
                chosen,
                lang.t(&i18n::ERROR),
                lang.t(&i18n::TRY_AGAIN),
            );
        }
    };
    let (gaps, statuses) = {
        let live = state.live();
        (live.gaps.clone(), live.statuses.clone())
    };
    let admin = desk.caller.role >= Role::Admin;
    let body = html! {
        h1 { (lang.t(&i18n::GATEWAYS)) }
        @match &outcome {
            Some(Ok(done)) => p.notice role="status" { (lang.t(&i18n::DONE)) " " (done) },
            Some(Err(problem)) => p.error role="alert" { (problem) },
            None => {},
        }
        @if rows.is_empty() {
            p { (lang.t(&i18n::NO_GATEWAYS)) }
        } @else {
            div.table { table id="gateways" {
                thead { tr {
                    th scope="col" { (lang.t(&i18n::GATEWAY)) }
                    th scope="col" { (lang.t(&i18n::PARTY)) }
                    th scope="col" { (lang.t(&i18n::CHAIN_HEAD)) }
                    th scope="col" { (lang.t(&i18n::GAP)) }
                    th scope="col" { (lang.t(&i18n::QUARANTINED)) }
                    th scope="col" { (lang.t(&i18n::LAST_SEEN)) }
                    th scope="col" { (lang.t(&i18n::ENROLLED)) }
                    @if admin { th scope="col" { (lang.t(&i18n::REVOKE)) } }
                } }
                tbody {
                    @for row in &rows {
                        @let id = row.record.id.as_str();
                        tr {
                            th scope="row" { (id) }
                            td.id { (row.record.party.as_deref().map_or_else(|| "—".to_owned(), short)) }
                            td { (row.head.map_or_else(|| "—".to_owned(), |s| s.to_string())) }
                            td { @match gaps.get(&row.record.id) {
                                Some(gap) => { (gap.from) "–" (gap.to) " (" (gap.waiting) ")" },
                                None => { (lang.t(&i18n::NO_GAP)) },
                            } }
                            td { (row.quarantined) }
                            td { @match statuses.get(&row.record.id) {
                                Some(s) => {
                                    (if s.online { lang.t(&i18n::ONLINE) } else { lang.t(&i18n::OFFLINE) })
                                    " · " (s.received)
                                },
                                None => { (lang.t(&i18n::NEVER)) },
                            } }
                            td { (row.record.enrolled) }
                            @if admin {
                                td {
                                    @match &row.record.revoked {
                                        Some(when) => { (lang.t(&i18n::REVOKED)) " " (when) },
                                        None => form.inline method="post" action={ "/desk/gateways/" (encode(id)) "/revoke" } {
                                            input type="hidden" name="csrf" value=(desk.csrf);
                                            button.danger type="submit" aria-label={ (lang.t(&i18n::REVOKE)) " " (id) } { (lang.t(&i18n::REVOKE)) }
                                        },
                                    }
                                }
                            }
                        }
                    }
                }
            } }
        }
        @if admin {
            section.card aria-labelledby="enroll" {
                h2 id="enroll" { (lang.t(&i18n::ENROLL)) }
                form.stack method="post" action="/desk/gateways" {
                    input type="hidden" name="csrf" value=(desk.csrf);
                    label for="gw-id" { (lang.t(&i18n::GATEWAY_ID)) }
                    input type="text" id="gw-id" name="id" required autocomplete="off";
                    label for="gw-key" { (lang.t(&i18n::PUBLIC_KEY)) }
                    input type="text" id="gw-key" name="public_key" required autocomplete="off" spellcheck="false";
                    label for="gw-party" { (lang.t(&i18n::PARTY_URI)) }
                    input type="text" id="gw-party" name="party" autocomplete="off";
                    label for="gw-site" { (lang.t(&i18n::SITE_URI)) }
                    input type="text" id="gw-site" name="site" autocomplete="off";
                    label for="gw-description" { (lang.t(&i18n::DESCRIPTION)) }
                    input type="text" id="gw-description" name="description" autocomplete="off";
                    button type="submit" { (lang.t(&i18n::ENROLL)) }
                }
            }
        } @else {
            p.muted { (lang.t(&i18n::ADMIN_ONLY)) }
        }
    };
    let shell = desk.shell(lang, lang.t(&i18n::GATEWAYS), "/desk/gateways");
    respond(status, chosen, page(&shell, body))
}

/// The enrol form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EnrollForm {
    csrf: String,
    id: String,
    public_key: String,
    party: String,
    site: String,
    description: String,
}

/// The CSRF token of the revoke form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RevokeForm {
    csrf: String,
}

fn optional(text: &str) -> Option<String> {
    Some(text.trim().to_owned()).filter(|t| !t.is_empty())
}

/// An admin's desk session, or the answer to give.
fn admin_post(
    sessions: &Sessions,
    headers: &HeaderMap,
    chosen: Chosen,
    csrf: &str,
) -> Result<Desk, Box<Response>> {
    let desk = check_post(sessions, headers, chosen, csrf)?;
    if desk.caller.role < Role::Admin {
        let lang = chosen.lang;
        return Err(Box::new(message_page(
            StatusCode::FORBIDDEN,
            chosen,
            lang.t(&i18n::ERROR),
            lang.t(&i18n::ADMIN_ONLY),
        )));
    }
    Ok(desk)
}

/// `POST /desk/gateways` (admin): enrols a gateway.
pub async fn enroll(
    State(state): State<Arc<AppState>>,
    Extension(sessions): Extension<Arc<Sessions>>,
    chosen: Chosen,
    headers: HeaderMap,
    form: Result<Form<EnrollForm>, FormRejection>,
) -> Response {
    let Form(form) = form.unwrap_or_default();
    let desk = match admin_post(&sessions, &headers, chosen, &form.csrf) {
        Ok(desk) => desk,
        Err(answer) => return *answer,
    };
    let enrollment = Enrollment {
        id: form.id.trim().to_owned(),
        public_key: form.public_key.trim().to_owned(),
        party: optional(&form.party),
        site: optional(&form.site),
        description: form.description.trim().to_owned(),
    };
    let store = state.store.clone();
    let done = blocking(move || Ok(registry::enroll(&*store, &enrollment)?)).await;
    finish(&state, &desk, chosen, done).await
}

/// `POST /desk/gateways/{id}/revoke` (admin).
pub async fn revoke(
    State(state): State<Arc<AppState>>,
    Extension(sessions): Extension<Arc<Sessions>>,
    chosen: Chosen,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: Result<Form<RevokeForm>, FormRejection>,
) -> Response {
    let Form(form) = form.unwrap_or_default();
    let desk = match admin_post(&sessions, &headers, chosen, &form.csrf) {
        Ok(desk) => desk,
        Err(answer) => return *answer,
    };
    let store = state.store.clone();
    let done = blocking(move || Ok(registry::revoke(&*store, &id)?)).await;
    finish(&state, &desk, chosen, done).await
}

async fn finish(
    state: &Arc<AppState>,
    desk: &Desk,
    chosen: Chosen,
    done: Result<GatewayRecord, ApiError>,
) -> Response {
    match done {
        Ok(record) => {
            render(
                state,
                desk,
                chosen,
                StatusCode::OK,
                Some(Ok(record.id.as_str().to_owned())),
            )
            .await
        }
        Err(ApiError::Store(e)) => {
            tracing::error!(error = %e, "gateway change");
            let lang = chosen.lang;
            message_page(
                StatusCode::SERVICE_UNAVAILABLE,
                chosen,
                lang.t(&i18n::ERROR),
                lang.t(&i18n::TRY_AGAIN),
            )
        }
        Err(e) => {
            let status = match e {
                ApiError::NotFound(_) => StatusCode::NOT_FOUND,
                ApiError::Conflict(_) => StatusCode::CONFLICT,
                _ => StatusCode::BAD_REQUEST,
            };
            render(state, desk, chosen, status, Some(Err(e.to_string()))).await
        }
    }
}
