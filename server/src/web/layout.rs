//! The page shell every page shares (head, language switch, main landmark), the security
//! headers every page carries, the stylesheet and the sorting script served beside them,
//! and the `Accept` negotiation between the consumer page and its JSON.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};

use super::i18n::{self, Chosen, LANG_COOKIE, Lang};

/// The stylesheet, small enough to keep in the binary.
pub const CSS: &str = include_str!("web.css");
/// Table sorting for the desk (served as a file, so the CSP needs no inline script).
pub const SORT_JS: &str = include_str!("sort.js");

/// Where the stylesheet is served.
pub const CSS_PATH: &str = "/assets/web.css";
/// Where the sorting script is served.
pub const SORT_JS_PATH: &str = "/assets/sort.js";

/// Scripts and styles only from this server, no framing, forms only to this server.
const CSP: &str = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; \
form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// What a page needs to draw its shell.
pub struct Shell<'a> {
    /// The language.
    pub lang: Lang,
    /// The page title (also the first heading's text by convention of each page).
    pub title: &'a str,
    /// The path the language switch links back to.
    pub path: &'a str,
    /// The desk's navigation, when signed in: the CSRF token for the sign-out form.
    pub desk: Option<&'a str>,
    /// Whether the page loads the sorting script.
    pub sortable: bool,
}

/// A whole page around `body`.
pub fn page(shell: &Shell<'_>, body: Markup) -> Markup {
    let lang = shell.lang;
    let other = lang.other();
    html! {
        (DOCTYPE)
        html lang=(lang.tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (shell.title) " · " (lang.t(&i18n::SITE)) }
                link rel="stylesheet" href=(CSS_PATH);
                @if shell.sortable { script src=(SORT_JS_PATH) defer {} }
            }
            body {
                a.skip href="#main" { (lang.t(&i18n::SKIP)) }
                header.top {
                    a.brand href=(if shell.desk.is_some() { "/desk/" } else { "/" }) {
                        (lang.t(&i18n::SITE))
                    }
                    @if let Some(csrf) = shell.desk {
                        nav aria-label=(lang.t(&i18n::DESK)) {
                            a href="/desk/" { (lang.t(&i18n::SEARCH)) }
                            a href="/desk/recalls" { (lang.t(&i18n::RECALLS)) }
                            a href="/desk/gateways" { (lang.t(&i18n::GATEWAYS)) }
                            form.inline method="post" action="/desk/logout" {
                                input type="hidden" name="csrf" value=(csrf);
                                button.link type="submit" { (lang.t(&i18n::LOGOUT)) }
                            }
                        }
                    }
                    a.lang href={ (shell.path) (if shell.path.contains('?') { "&" } else { "?" }) "lang=" (other.tag()) } hreflang=(other.tag())
                        lang=(other.tag()) aria-label=(lang.t(&i18n::SWITCH_LABEL)) {
                        (other.name())
                    }
                }
                main id="main" { (body) }
            }
        }
    }
}

/// An HTML response with the security headers, and the language cookie when `?lang=`
/// chose the language.
pub fn respond(status: StatusCode, chosen: Chosen, markup: Markup) -> Response {
    let mut response = (status, markup.into_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    secure(headers);
    if chosen.from_query {
        let cookie = format!(
            "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
            chosen.lang.tag()
        );
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            headers.append(header::SET_COOKIE, value);
        }
    }
    response
}

/// The security headers of every page.
pub fn secure(headers: &mut HeaderMap) {
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

/// A page that only says what went wrong, with a way back.
pub fn message_page(status: StatusCode, chosen: Chosen, title: &str, text: &str) -> Response {
    let shell = Shell {
        lang: chosen.lang,
        title,
        path: "/",
        desk: None,
        sortable: false,
    };
    let body = html! {
        h1 { (title) }
        p { (text) }
        p { a href="/" { (chosen.lang.t(&i18n::BACK)) } }
    };
    respond(status, chosen, page(&shell, body))
}

/// A static asset with its type and a day of caching.
pub fn asset(content_type: &'static str, body: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// Whether the request's `Accept` ranks HTML above JSON (a browser); `*/*` alone or no
/// `Accept` keeps the JSON answer, so API clients see no change.
pub fn prefers_html(headers: &HeaderMap) -> bool {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let (mut html_q, mut json_q, mut any_q) = (None::<f32>, None::<f32>, 0.0_f32);
    for item in accept.split(',') {
        let mut parts = item.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .find_map(|p| p.trim().strip_prefix("q="))
            .and_then(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        match media.as_str() {
            "text/html" | "application/xhtml+xml" => html_q = Some(html_q.unwrap_or(0.0).max(q)),
            "application/json" => json_q = Some(q),
            "*/*" => any_q = q,
            _ => {}
        }
    }
    let html_q = html_q.unwrap_or(0.0);
    html_q > 0.0 && html_q > json_q.unwrap_or(any_q)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, value.parse().unwrap());
        headers
    }

    #[test]
    fn browsers_get_html_and_api_clients_json() {
        let chrome = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
        assert!(prefers_html(&accept(chrome)));
        assert!(prefers_html(&accept("text/html")));
        assert!(!prefers_html(&accept("*/*")));
        assert!(!prefers_html(&accept("application/json")));
        assert!(!prefers_html(&accept("application/json, text/html;q=0.5")));
        assert!(!prefers_html(&accept("text/html;q=0")));
        assert!(!prefers_html(&HeaderMap::new()));
    }

    #[test]
    fn pages_carry_security_headers_and_escape_text() {
        let chosen = Chosen {
            lang: Lang::Zh,
            from_query: true,
        };
        let response = message_page(StatusCode::NOT_FOUND, chosen, "<x>", "a & b");
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let headers = response.headers();
        let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"));
        assert!(!csp.contains("unsafe-inline"));
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        let cookie = headers[header::SET_COOKIE].to_str().unwrap();
        assert!(cookie.starts_with("lang=zh-CN;"), "{cookie}");
        let shell = Shell {
            lang: Lang::Zh,
            title: "<x>",
            path: "/01/1",
            desk: Some("tok"),
            sortable: true,
        };
        let text = page(&shell, html! { p { "a & b" } }).into_string();
        assert!(text.contains("<html lang=\"zh-CN\">"));
        assert!(text.contains("&lt;x&gt;") && !text.contains("<x>"));
        assert!(text.contains("href=\"/01/1?lang=en\""));
        assert!(text.contains("name=\"csrf\" value=\"tok\""));
        assert!(text.contains(SORT_JS_PATH));
    }
}
