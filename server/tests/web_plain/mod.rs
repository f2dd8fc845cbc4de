//! What a plain HTTP client sees of the web pages (no browser): JSON stays the answer at
//! the resolver paths, `Accept-Language` picks the language, pages carry their security
//! headers, and desk forms need a session and its CSRF token.

use serde_json::json;

use super::SOLD_PATH;
use super::harness::{SUPERVISOR, Server};

/// What a plain HTTP client sees: JSON stays the answer at the resolver paths, pages carry
/// their security headers, forms refuse posts without a session.
pub fn non_browser_checks(server: &Server) {
    let (status, found) = server.get(SOLD_PATH, None);
    assert_eq!(status, 200);
    assert_eq!(found["identity"], "urn:epc:id:sgtin:0614141.812345.101");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let response = agent
        .get(format!("{}/", server.http))
        .header("Accept-Language", "zh-CN,zh;q=0.9,en;q=0.5")
        .call()
        .unwrap();
    let headers = response.headers().clone();
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"));
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let page = response.into_body().read_to_string().unwrap();
    assert!(
        page.contains("lang=\"zh-CN\"") && page.contains("查询产品"),
        "{page}"
    );
    let response = agent
        .post(format!("{}/desk/recalls", server.http))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .send("codes=x&reason=y&csrf=z")
        .unwrap();
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(response.headers()["location"], "/desk/login");
    let response = agent
        .get(format!(
            "{}/desk/login?next=https://evil.example/",
            server.http
        ))
        .call()
        .unwrap();
    let page = response.into_body().read_to_string().unwrap();
    assert!(
        page.contains("name=\"next\" value=\"/desk/\""),
        "only desk pages: {page}"
    );
    csrf_is_checked(server, &agent);
    assert_eq!(
        server.get("/api/v1/recalls", Some(SUPERVISOR)).1["recalls"],
        json!([])
    );
}

/// The session cookie a response sets, as `name=value`.
fn set_cookie(response: &ureq::http::Response<ureq::Body>) -> String {
    let value = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        value.contains("HttpOnly") && value.contains("SameSite=Strict"),
        "{value}"
    );
    value.split(';').next().unwrap().to_owned()
}

/// Signs in by hand, then posts a recall with a wrong CSRF token: refused, nothing made.
fn csrf_is_checked(server: &Server, agent: &ureq::Agent) {
    let form = |cookie: &str, body: String, path: &str| {
        agent
            .post(format!("{}{path}", server.http))
            .header("Cookie", cookie)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .send(body)
            .unwrap()
    };
    let mut login = agent
        .get(format!("{}/desk/login", server.http))
        .call()
        .unwrap();
    let anonymous = set_cookie(&login);
    let page = login.body_mut().read_to_string().unwrap();
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let refused = form(
        &anonymous,
        format!("token={SUPERVISOR}&csrf=wrong"),
        "/desk/login",
    );
    assert_eq!(
        refused.status().as_u16(),
        403,
        "sign-in needs the form's token"
    );
    let signed_in = form(
        &anonymous,
        format!("token={SUPERVISOR}&csrf={csrf}"),
        "/desk/login",
    );
    assert_eq!(signed_in.status().as_u16(), 303);
    let session = set_cookie(&signed_in);
    assert_ne!(session, anonymous, "a new session id after sign-in");
    let body = "codes=%2801%2980614141123458%2810%29LOT42&reason=x&csrf=".to_owned();
    let forged = form(
        &session,
        body.clone() + "0".repeat(64).as_str(),
        "/desk/recalls",
    );
    assert_eq!(forged.status().as_u16(), 403);
    let old = form(&anonymous, body + &csrf, "/desk/recalls");
    assert_eq!(
        old.status().as_u16(),
        303,
        "the login form's session is gone"
    );
    assert_eq!(old.headers()["location"], "/desk/login");
}
