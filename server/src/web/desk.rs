//! The supervisor's desk: sign-in with a token (supervisor role or higher) into a session
//! cookie, sign-out, the search page, and what every desk page shares (who is signed in,
//! the CSRF check on every POST).

use std::sync::Arc;

use axum::Extension;
use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::i18n::{self, Chosen, Lang};
use super::layout::{Shell, message_page, page, respond};
use super::session::{
    ANONYMOUS_TTL, SESSION_COOKIE, SIGNED_IN_TTL, Sessions, cookie, session_cookie,
};
use crate::auth::{Caller, Role};
use crate::state::AppState;

/// A signed-in supervisor on a desk page.
pub struct Desk {
    /// Who.
    pub caller: Caller,
    /// The session's CSRF token, for the page's forms.
    pub csrf: String,
}

impl Desk {
    /// The page shell for a desk page.
    pub fn shell<'a>(&'a self, lang: Lang, title: &'a str, path: &'a str) -> Shell<'a> {
        Shell {
            lang,
            title,
            path,
            desk: Some(&self.csrf),
            sortable: false,
        }
    }
}

/// A desk page's guard: the signed-in session, or a 303 to the sign-in form that comes
/// back to this page afterwards.
impl<S: Send + Sync> FromRequestParts<S> for Desk {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Response> {
        let sessions = parts.extensions.get::<Arc<Sessions>>();
        match sessions.and_then(|s| signed_in(s, &parts.headers)) {
            Some(desk) => Ok(desk),
            None => {
                let here = parts.uri.path_and_query().map_or("/desk/", |p| p.as_str());
                Err(see_other(&format!(
                    "/desk/login?next={}",
                    super::encode(here)
                )))
            }
        }
    }
}

/// `next` if it is a desk page of this server (never another host), else the desk's home.
fn next_or_home(next: &str) -> &str {
    let local = next.starts_with("/desk/") && !next.contains(['\\', '\r', '\n']);
    if local { next } else { "/desk/" }
}

/// The signed-in session of this request, if any.
pub fn signed_in(sessions: &Sessions, headers: &HeaderMap) -> Option<Desk> {
    let id = cookie(headers, SESSION_COOKIE)?;
    let session = sessions.get(&id)?;
    let caller = session.caller?;
    Some(Desk {
        caller,
        csrf: session.csrf,
    })
}

/// 303 to `to`.
pub fn see_other(to: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(location) = HeaderValue::from_str(to) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

/// The signed-in session of a POST whose form carries `csrf`; otherwise the answer to
/// give: the login page without a session, 403 with a bad token.
pub fn check_post(
    sessions: &Sessions,
    headers: &HeaderMap,
    chosen: Chosen,
    csrf: &str,
) -> Result<Desk, Box<Response>> {
    let desk = signed_in(sessions, headers).ok_or_else(|| Box::new(see_other("/desk/login")))?;
    let ok = super::session::same_token(&desk.csrf, csrf);
    if !ok {
        let lang = chosen.lang;
        return Err(Box::new(message_page(
            StatusCode::FORBIDDEN,
            chosen,
            lang.t(&i18n::ERROR),
            lang.t(&i18n::EXPIRED),
        )));
    }
    Ok(desk)
}

/// The fields of the sign-in form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Login {
    token: String,
    csrf: String,
    next: String,
}

/// Where the sign-in form goes afterwards (`?next=`).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Next {
    next: String,
}

/// `GET /desk/login`: the form, in an anonymous session that holds its CSRF token.
pub async fn login_form(
    Extension(sessions): Extension<Arc<Sessions>>,
    chosen: Chosen,
    headers: HeaderMap,
    next: Result<Query<Next>, QueryRejection>,
) -> Response {
    let next = next.map(|Query(n)| n.next).unwrap_or_default();
    let next = next_or_home(&next);
    if signed_in(&sessions, &headers).is_some() {
        return see_other(next);
    }
    login_page(&sessions, chosen, &headers, StatusCode::OK, None, next)
}

fn login_page(
    sessions: &Sessions,
    chosen: Chosen,
    headers: &HeaderMap,
    status: StatusCode,
    problem: Option<&i18n::Text>,
    next: &str,
) -> Response {
    let lang = chosen.lang;
    let existing = cookie(headers, SESSION_COOKIE)
        .and_then(|id| sessions.get(&id).map(|s| (id, s)))
        .filter(|(_, s)| s.caller.is_none());
    let (id, csrf) = match existing {
        Some((id, session)) => (id, session.csrf),
        None => match sessions.open(None).map(|id| (sessions.get(&id), id)) {
            Ok((Some(session), id)) => (id, session.csrf),
            _ => {
                return message_page(
                    StatusCode::SERVICE_UNAVAILABLE,
                    chosen,
                    lang.t(&i18n::ERROR),
                    lang.t(&i18n::TRY_AGAIN),
                );
            }
        },
    };
    let shell = Shell {
        lang,
        title: lang.t(&i18n::LOGIN),
        path: "/desk/login",
        desk: None,
        sortable: false,
    };
    let body = html! {
        h1 { (lang.t(&i18n::DESK)) ": " (lang.t(&i18n::LOGIN)) }
        @if let Some(problem) = problem {
            p.error role="alert" id="login-error" { (lang.t(problem)) }
        }
        form.stack.card method="post" action="/desk/login" {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="next" value=(next);
            label for="token" { (lang.t(&i18n::TOKEN)) }
            input type="password" id="token" name="token" required autofocus autocomplete="off";
            button type="submit" { (lang.t(&i18n::LOGIN)) }
        }
    };
    let mut response = respond(status, chosen, page(&shell, body));
    response.headers_mut().append(
        header::SET_COOKIE,
        session_cookie(&id, ANONYMOUS_TTL, headers),
    );
    response
}

/// `POST /desk/login`: a valid supervisor (or admin) token opens a new session.
pub async fn login(
    State(state): State<Arc<AppState>>,
    Extension(sessions): Extension<Arc<Sessions>>,
    chosen: Chosen,
    headers: HeaderMap,
    form: Result<Form<Login>, FormRejection>,
) -> Response {
    let Form(form) = form.unwrap_or_default();
    let next = next_or_home(&form.next);
    let anonymous =
        cookie(&headers, SESSION_COOKIE).and_then(|id| sessions.get(&id).map(|s| (id, s)));
    let Some((old_id, _)) = anonymous.filter(|(_, s)| s.csrf_ok(&form.csrf)) else {
        return login_page(
            &sessions,
            chosen,
            &headers,
            StatusCode::FORBIDDEN,
            Some(&i18n::EXPIRED),
            next,
        );
    };
    let caller = state
        .auth
        .check(&format!("Bearer {}", form.token.trim()))
        .filter(|c| c.role >= Role::Supervisor);
    let Some(caller) = caller else {
        tracing::warn!("desk sign-in refused");
        return login_page(
            &sessions,
            chosen,
            &headers,
            StatusCode::UNAUTHORIZED,
            Some(&i18n::BAD_TOKEN),
            next,
        );
    };
    sessions.close(&old_id);
    tracing::info!(who = caller.name, "desk sign-in");
    let Ok(id) = sessions.open(Some(caller)) else {
        let lang = chosen.lang;
        return message_page(
            StatusCode::SERVICE_UNAVAILABLE,
            chosen,
            lang.t(&i18n::ERROR),
            lang.t(&i18n::TRY_AGAIN),
        );
    };
    let mut response = see_other(next);
    response.headers_mut().insert(
        header::SET_COOKIE,
        session_cookie(&id, SIGNED_IN_TTL, &headers),
    );
    response
}

/// The sign-out form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Logout {
    csrf: String,
}

/// `POST /desk/logout`.
pub async fn logout(
    Extension(sessions): Extension<Arc<Sessions>>,
    chosen: Chosen,
    headers: HeaderMap,
    form: Result<Form<Logout>, FormRejection>,
) -> Response {
    let Form(form) = form.unwrap_or_default();
    if let Err(answer) = check_post(&sessions, &headers, chosen, &form.csrf) {
        return *answer;
    }
    if let Some(id) = cookie(&headers, SESSION_COOKIE) {
        sessions.close(&id);
    }
    let mut response = see_other("/desk/login");
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("trace_desk=; Path=/desk; Max-Age=0; HttpOnly; SameSite=Strict"),
    );
    response
}

/// `GET /desk/`: search by any code.
pub async fn home(desk: Desk, chosen: Chosen) -> Response {
    let lang = chosen.lang;
    let body = html! {
        h1 { (lang.t(&i18n::DESK)) }
        (search_form(lang, "", false))
    };
    respond(
        StatusCode::OK,
        chosen,
        page(&desk.shell(lang, lang.t(&i18n::DESK), "/desk/"), body),
    )
}

/// The search form (a GET: it changes nothing, so it needs no CSRF token).
pub fn search_form(lang: Lang, code: &str, forward: bool) -> Markup {
    html! {
        form.stack.card method="get" action="/desk/trace" role="search" {
            label for="code" { (lang.t(&i18n::CODE_LABEL)) }
            input type="text" id="code" name="code" value=(code) required autocomplete="off" spellcheck="false";
            label for="direction" { (lang.t(&i18n::DIRECTION)) }
            select id="direction" name="direction" {
                option value="backward" selected[!forward] { (lang.t(&i18n::BACKWARD)) }
                option value="forward" selected[forward] { (lang.t(&i18n::FORWARD)) }
            }
            button type="submit" { (lang.t(&i18n::TRACE)) }
        }
    }
}
