//! Per-client rate limits on the public look-ups and on desk sign-in, over
//! [`crate::rate_limit`]: a refused request gets `429 Too Many Requests` with
//! `Retry-After` and is counted in `trace_http_rate_limited_total`.
//!
//! The client is the connection's peer address; `X-Forwarded-For` is believed only when
//! the peer is a listed trusted proxy (anyone else could write any address there), and
//! then the client is the rightmost address in it that is not itself a trusted proxy.
//! Requests that arrive without a peer address (the router driven in-process) are not
//! limited.

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::rate_limit::{Decision, Limiter, RateLimits};
use crate::state::AppState;

/// Which limit a request falls under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// A public look-up.
    Public,
    /// A desk sign-in attempt.
    SignIn,
}

/// The limiters of one server process.
#[derive(Debug)]
pub struct HttpLimits {
    public: Mutex<Limiter>,
    sign_in: Mutex<Limiter>,
    trusted_proxies: Vec<IpAddr>,
    start: Instant,
}

impl HttpLimits {
    /// Limiters as configured.
    pub fn new(config: &RateLimits) -> Self {
        Self {
            public: Mutex::new(Limiter::new(config.public, config.max_clients)),
            sign_in: Mutex::new(Limiter::new(config.sign_in, config.max_clients)),
            trusted_proxies: config.trusted_proxies.clone(),
            start: Instant::now(),
        }
    }

    fn check(&self, class: Class, client: IpAddr) -> Decision {
        let limiter = match class {
            Class::Public => &self.public,
            Class::SignIn => &self.sign_in,
        };
        // A poisoned lock still holds whole buckets: every update is one assignment.
        let mut limiter = limiter
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        limiter.check(client, self.start.elapsed())
    }

    /// The client a request comes from.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusted_proxies.contains(&peer) {
            return peer;
        }
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .filter_map(|hop| hop.trim().parse::<IpAddr>().ok())
            .collect::<Vec<_>>();
        forwarded
            .into_iter()
            .rev()
            .find(|hop| !self.trusted_proxies.contains(hop))
            .unwrap_or(peer)
    }
}

/// The limit a request falls under, if any.
pub fn class_of(method: &Method, path: &str) -> Option<Class> {
    const PUBLIC: [&str; 5] = ["/api/v1/codes/", "/00/", "/01/", "/414/", "/8004/"];
    if method == Method::POST && path == "/desk/login" {
        return Some(Class::SignIn);
    }
    let public = PUBLIC.iter().any(|prefix| path.starts_with(prefix))
        || matches!(path, "/" | "/unit" | "/api/v1/trace" | "/api/v1/trace.csv");
    public.then_some(Class::Public)
}

/// The middleware.
pub async fn limit(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let class = class_of(request.method(), request.uri().path());
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    let (Some(class), Some(peer)) = (class, peer) else {
        return next.run(request).await;
    };
    let client = state.limits.client(peer, request.headers());
    match state.limits.check(class, client) {
        Decision::Allow => next.run(request).await,
        Decision::Deny { retry_after_secs } => {
            state
                .metrics
                .http_rate_limited
                .fetch_add(1, Ordering::Relaxed);
            tracing::debug!(%client, ?class, "rate limited");
            (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, retry_after_secs.to_string())],
                "too many requests: try again later\n",
            )
                .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_look_ups_and_sign_in_are_limited_and_nothing_else() {
        let get = Method::GET;
        assert_eq!(class_of(&get, "/api/v1/codes/x"), Some(Class::Public));
        assert_eq!(
            class_of(&get, "/01/09506000134352/21/1"),
            Some(Class::Public)
        );
        assert_eq!(class_of(&get, "/unit"), Some(Class::Public));
        assert_eq!(class_of(&get, "/api/v1/trace"), Some(Class::Public));
        assert_eq!(class_of(&Method::POST, "/desk/login"), Some(Class::SignIn));
        assert_eq!(class_of(&get, "/desk/login"), None);
        assert_eq!(class_of(&get, "/healthz"), None);
        assert_eq!(class_of(&get, "/metrics"), None);
        assert_eq!(class_of(&Method::POST, "/api/v1/gateways"), None);
    }

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let limits = HttpLimits::new(&RateLimits {
            trusted_proxies: vec![proxy],
            ..RateLimits::default()
        });
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            "1.1.1.1, 203.0.113.9, 10.0.0.1".parse().unwrap(),
        );
        let stranger: IpAddr = "198.51.100.7".parse().unwrap();
        assert_eq!(limits.client(stranger, &headers), stranger);
        assert_eq!(
            limits.client(proxy, &headers),
            "203.0.113.9".parse::<IpAddr>().unwrap(),
            "the rightmost hop not a proxy: the leftmost is the client's own claim"
        );
        assert_eq!(limits.client(proxy, &HeaderMap::new()), proxy);
    }
}
