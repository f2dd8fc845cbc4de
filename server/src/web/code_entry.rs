//! Code entry at `/`: a form that takes any code form a consumer holds (Digital Link URL,
//! element string, EPC hex or URI, 20-digit drug code) and sends the browser to that
//! unit's page. A code that cannot lead there is answered on this same page with what to
//! do about it, never with an error page.

use std::sync::Arc;

use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use super::i18n::{self, Chosen, Lang};
use super::layout::{Shell, page, respond};
use super::{Problem, read_code, unit_path};
use crate::http::blocking;
use crate::state::AppState;

/// `GET /` and `GET /?code=…` (the form submits here).
pub async fn entry(
    State(state): State<Arc<AppState>>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Response {
    let query = uri.query();
    let chosen = Chosen::from_request(query, &headers);
    let code = query.and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "code")
            .map(|(_, v)| v.into_owned())
    });
    let Some(code) = code else {
        return respond(StatusCode::OK, chosen, form(chosen.lang, "", None));
    };
    let identity = match read_code(&state, &code) {
        Ok((identity, _)) => identity,
        Err(problem) => return refused(chosen, &code, &problem),
    };
    let store = state.store.clone();
    let probe = identity.clone();
    let known = blocking(move || Ok(store.latest_naming(&probe)?.is_some())).await;
    match known {
        Ok(false) => refused(chosen, &code, &Problem::Unknown),
        // A store failure is the unit page's to report; the code itself is fine.
        Ok(true) | Err(_) => {
            let mut response = StatusCode::SEE_OTHER.into_response();
            if let Ok(location) = HeaderValue::from_str(&unit_path(&identity)) {
                response.headers_mut().insert(header::LOCATION, location);
            }
            response
        }
    }
}

/// The form again, with `code` in it and what is wrong with it.
pub fn refused(chosen: Chosen, code: &str, problem: &Problem) -> Response {
    let status = match problem {
        Problem::Unknown => StatusCode::NOT_FOUND,
        Problem::Unreadable(_) | Problem::NotOneUnit => StatusCode::BAD_REQUEST,
    };
    respond(status, chosen, form(chosen.lang, code, Some(problem)))
}

fn form(lang: Lang, code: &str, problem: Option<&Problem>) -> Markup {
    let shell = Shell {
        lang,
        title: lang.t(&i18n::ENTER_TITLE),
        path: "/",
        desk: None,
        sortable: false,
    };
    let body = html! {
        h1 { (lang.t(&i18n::ENTER_TITLE)) }
        p id="code-help" { (lang.t(&i18n::ENTER_HELP)) }
        @if let Some(problem) = problem {
            div.error id="code-error" role="alert" {
                p { strong { (message(lang, problem)) } }
                @if let Problem::Unreadable(detail) = problem {
                    p.muted { (lang.t(&i18n::DETAIL)) ": " (detail) }
                }
            }
        }
        form.stack.card method="get" action="/" {
            label for="code" { (lang.t(&i18n::CODE_LABEL)) }
            input type="text" id="code" name="code" value=(code) required autofocus
                autocomplete="off" autocapitalize="off" spellcheck="false" inputmode="text"
                aria-describedby=(if problem.is_some() { "code-help code-error" } else { "code-help" })
                aria-invalid=(if problem.is_some() { "true" } else { "false" });
            button type="submit" { (lang.t(&i18n::CHECK)) }
        }
    };
    page(&shell, body)
}

fn message(lang: Lang, problem: &Problem) -> &'static str {
    match problem {
        Problem::Unreadable(_) => lang.t(&i18n::BAD_CODE),
        Problem::NotOneUnit => lang.t(&i18n::NOT_ONE_UNIT),
        Problem::Unknown => lang.t(&i18n::UNKNOWN_CODE),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_code_keeps_the_form_with_a_message() {
        let chosen = Chosen {
            lang: Lang::Zh,
            from_query: false,
        };
        let problem = Problem::Unreadable("check digit".into());
        let response = refused(chosen, "(01)123", &problem);
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let text = form(Lang::Zh, "(01)123", Some(&problem)).into_string();
        assert!(text.contains(Lang::Zh.t(&i18n::BAD_CODE)), "{text}");
        assert!(text.contains("value=\"(01)123\""));
        assert!(text.contains("check digit"));
        assert!(text.contains("role=\"alert\""));
        let text = form(Lang::En, "", Some(&Problem::NotOneUnit)).into_string();
        assert!(text.contains("product type"));
        assert_eq!(
            refused(chosen, "x", &Problem::Unknown).status(),
            StatusCode::NOT_FOUND
        );
    }
}
