//! Rate limits over real HTTP: public look-ups and desk sign-in get `429` with
//! `Retry-After` past their per-client budget, other endpoints do not, `X-Forwarded-For`
//! counts only from a trusted proxy; and tokens never reach the server's log.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod harness;

use std::path::Path;

use harness::{ADMIN, Broker, SUPERVISOR, Server};
use serde_json::json;

const UNIT: &str = "/api/v1/codes/urn:epc:id:sgtin:0614141.812345.1";

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// A server whose config file holds `limits` (a `[rate_limits]` body).
fn server_with(dir: &Path, limits: &str) -> Server {
    let config = dir.join("server.toml");
    std::fs::write(&config, format!("[rate_limits]\n{limits}")).unwrap();
    Server::start_with(
        &dir.join("data"),
        Broker::Embedded(0),
        &["--config", config.to_str().unwrap()],
    )
}

/// Status and `Retry-After` of a GET, from `forwarded_for` when given.
fn get(server: &Server, path: &str, forwarded_for: Option<&str>) -> (u16, Option<u64>) {
    let mut request = agent().get(format!("{}{path}", server.http));
    if let Some(client) = forwarded_for {
        request = request.header("X-Forwarded-For", client);
    }
    let response = request.call().unwrap();
    let retry = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().parse().unwrap());
    (response.status().as_u16(), retry)
}

fn sign_in(server: &Server, token: &str) -> u16 {
    agent()
        .post(format!("{}/desk/login", server.http))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .send(format!("token={token}&csrf=none"))
        .unwrap()
        .status()
        .as_u16()
}

fn limited_total(server: &Server) -> u64 {
    let (_, metrics) = server.get("/metrics", None);
    let metrics = metrics.as_str().unwrap().to_owned();
    metrics
        .lines()
        .find_map(|line| line.strip_prefix("trace_http_rate_limited_total "))
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn public_look_ups_and_sign_in_are_limited_per_client() {
    let dir = tempfile::tempdir().unwrap();
    let server = server_with(
        dir.path(),
        "public = { per_minute = 2, burst = 3 }\nsign_in = { per_minute = 1, burst = 2 }\n",
    );
    for _ in 0..3 {
        assert_eq!(get(&server, UNIT, None), (404, None));
    }
    let (status, retry) = get(&server, UNIT, None);
    assert_eq!(status, 429);
    assert!(retry.is_some_and(|s| (1..=30).contains(&s)), "{retry:?}");
    assert_eq!(
        get(&server, "/01/09506000134352/21/1", None).0,
        429,
        "resolver paths share the budget"
    );
    assert_eq!(
        get(&server, UNIT, Some("203.0.113.5")).0,
        429,
        "a forwarded address from an untrusted peer changes nothing"
    );
    assert_eq!(get(&server, "/healthz", None).0, 200, "not limited");
    assert_eq!(
        server.get("/api/v1/gateways", Some(SUPERVISOR)).0,
        200,
        "not limited"
    );

    // Sign-in has its own, stricter budget; a refused attempt still costs a token.
    assert_eq!(sign_in(&server, "guess-1"), 403);
    assert_eq!(sign_in(&server, "guess-2"), 403);
    assert_eq!(sign_in(&server, "guess-3"), 429);
    assert_eq!(limited_total(&server), 4);
}

#[test]
fn forwarded_addresses_count_from_a_trusted_proxy() {
    let dir = tempfile::tempdir().unwrap();
    let server = server_with(
        dir.path(),
        "public = { per_minute = 1, burst = 2 }\ntrusted_proxies = [\"127.0.0.1\"]\n",
    );
    for _ in 0..2 {
        assert_eq!(get(&server, UNIT, Some("203.0.113.1")).0, 404);
    }
    assert_eq!(get(&server, UNIT, Some("203.0.113.1")).0, 429);
    assert_eq!(
        get(&server, UNIT, Some("203.0.113.2")).0,
        404,
        "another client"
    );
    assert_eq!(
        get(&server, UNIT, Some("203.0.113.1, 127.0.0.1")).0,
        429,
        "the trusted proxy's own hop is skipped"
    );
}

#[test]
fn tokens_never_reach_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(&dir.path().join("data"), Broker::Embedded(0));
    let guessed = "guessed-token-that-is-wrong-42";
    for token in [ADMIN, SUPERVISOR, guessed] {
        server.get("/api/v1/gateways", Some(token));
        server.get("/api/v1/quarantine", Some(token));
        server.get(
            "/api/v1/trace?code=urn:epc:id:sgtin:0614141.812345.1&direction=forward",
            Some(token),
        );
        server.post(
            "/api/v1/gateways",
            Some(token),
            &json!({"id": "gw-x", "public_key": "zz"}),
        );
        server.post("/api/v1/gateways/gw-none/revoke", Some(token), &json!({}));
        sign_in(&server, token);
    }
    server.kill();
    let log = std::fs::read_to_string(&server.log).unwrap();
    assert!(
        log.contains("HTTP API listening"),
        "the log was captured: {log}"
    );
    for token in [ADMIN, SUPERVISOR, guessed] {
        assert!(!log.contains(token), "{token} in the log:\n{log}");
    }
}
