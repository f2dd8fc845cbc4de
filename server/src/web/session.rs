//! Supervisor sessions: an in-memory table of random session ids (kept as SHA-256 hashes,
//! like tokens) with expiry, each with its own CSRF token.
//!
//! The login form itself is protected: visiting it opens an anonymous session whose CSRF
//! token the form carries; a good token then replaces that session with a new id, so an id
//! planted before login (session fixation) is worth nothing after it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderValue, header};

use crate::auth::{Caller, token_hash};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "trace_desk";
/// How long a signed-in session lives.
pub const SIGNED_IN_TTL: Duration = Duration::from_secs(8 * 3600);
/// How long an anonymous (login form) session lives.
pub const ANONYMOUS_TTL: Duration = Duration::from_secs(30 * 60);
/// At most this many sessions; beyond it the one closest to expiry goes.
const MAX_SESSIONS: usize = 10_000;

/// One session.
#[derive(Debug, Clone)]
pub struct Session {
    /// Who signed in; `None` on the login form.
    pub caller: Option<Caller>,
    /// The token every form of this session must carry.
    pub csrf: String,
    expires: Instant,
}

/// Every live session.
#[derive(Default)]
pub struct Sessions {
    table: Mutex<HashMap<[u8; 32], Session>>,
}

/// The operating system's random source failed.
#[derive(Debug, thiserror::Error)]
#[error("no randomness for a session id: {0}")]
pub struct RandomError(getrandom::Error);

/// 32 random bytes as hex.
fn random_token() -> Result<String, RandomError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(RandomError)?;
    Ok(hex::encode(bytes))
}

impl Sessions {
    /// Opens a session for `caller` (or an anonymous one) and returns its id.
    pub fn open(&self, caller: Option<Caller>) -> Result<String, RandomError> {
        self.open_at(caller, Instant::now())
    }

    fn open_at(&self, caller: Option<Caller>, now: Instant) -> Result<String, RandomError> {
        let id = random_token()?;
        let ttl = if caller.is_some() {
            SIGNED_IN_TTL
        } else {
            ANONYMOUS_TTL
        };
        let session = Session {
            caller,
            csrf: random_token()?,
            expires: now + ttl,
        };
        let mut table = self.lock();
        table.retain(|_, s| s.expires > now);
        if table.len() >= MAX_SESSIONS
            && let Some(oldest) = table.iter().min_by_key(|(_, s)| s.expires).map(|(k, _)| *k)
        {
            table.remove(&oldest);
        }
        table.insert(token_hash(&id), session);
        Ok(id)
    }

    /// The live session behind `id`.
    pub fn get(&self, id: &str) -> Option<Session> {
        self.get_at(id, Instant::now())
    }

    fn get_at(&self, id: &str, now: Instant) -> Option<Session> {
        let key = token_hash(id);
        let mut table = self.lock();
        match table.get(&key) {
            Some(s) if s.expires > now => Some(s.clone()),
            Some(_) => {
                table.remove(&key);
                None
            }
            None => None,
        }
    }

    /// Ends a session.
    pub fn close(&self, id: &str) {
        self.lock().remove(&token_hash(id));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<[u8; 32], Session>> {
        // Every writer replaces whole entries, so a poisoned table is still consistent.
        self.table.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Session {
    /// Whether `presented` is this session's CSRF token.
    pub fn csrf_ok(&self, presented: &str) -> bool {
        same_token(&self.csrf, presented)
    }
}

/// Whether two tokens are equal, compared in time independent of where they differ.
pub fn same_token(expected: &str, presented: &str) -> bool {
    let (a, b) = (expected.as_bytes(), presented.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A cookie's value from the request's `Cookie` headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// The `Set-Cookie` value for a session id: HttpOnly, SameSite=Strict, limited to the
/// desk, Secure when the request came over https (behind a proxy that says so).
pub fn session_cookie(id: &str, max_age: Duration, request: &HeaderMap) -> HeaderValue {
    let secure = request
        .get("x-forwarded-proto")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"));
    let value = format!(
        "{SESSION_COOKIE}={id}; Path=/desk; Max-Age={}; HttpOnly; SameSite=Strict{}",
        max_age.as_secs(),
        if secure { "; Secure" } else { "" }
    );
    // Ids are hex, so the value is always a valid header.
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static(""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;

    fn supervisor() -> Option<Caller> {
        Some(Caller {
            name: "sup".into(),
            role: Role::Supervisor,
        })
    }

    #[test]
    fn sessions_expire_and_close() {
        let sessions = Sessions::default();
        let now = Instant::now();
        let id = sessions.open_at(supervisor(), now).unwrap();
        assert_eq!(id.len(), 64);
        let session = sessions.get_at(&id, now + Duration::from_secs(60)).unwrap();
        assert_eq!(session.caller, supervisor());
        assert!(sessions.get_at(&id, now + SIGNED_IN_TTL).is_none());
        assert!(
            sessions.get_at(&id, now).is_none(),
            "an expired session is gone"
        );
        let id = sessions.open_at(None, now).unwrap();
        assert!(sessions.get_at(&id, now + ANONYMOUS_TTL).is_none());
        let id = sessions.open(supervisor()).unwrap();
        sessions.close(&id);
        assert!(sessions.get(&id).is_none());
        assert!(sessions.get("not-a-session").is_none());
    }

    #[test]
    fn csrf_tokens_are_per_session() {
        let sessions = Sessions::default();
        let a = sessions.get(&sessions.open(supervisor()).unwrap()).unwrap();
        let b = sessions.get(&sessions.open(supervisor()).unwrap()).unwrap();
        assert!(a.csrf_ok(&a.csrf));
        assert!(!a.csrf_ok(&b.csrf));
        assert!(!a.csrf_ok(""));
        assert!(!a.csrf_ok(&a.csrf[..10]));
    }

    #[test]
    fn cookies_are_read_and_set_strictly() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, "lang=zh; trace_desk=abc".parse().unwrap());
        assert_eq!(cookie(&headers, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&headers, "nope"), None);
        let set = session_cookie("abc", SIGNED_IN_TTL, &headers);
        let set = set.to_str().unwrap();
        assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict"));
        assert!(!set.contains("Secure"));
        headers.insert("x-forwarded-proto", "https".parse().unwrap());
        let set = session_cookie("abc", SIGNED_IN_TTL, &headers);
        assert!(set.to_str().unwrap().ends_with("; Secure"));
    }
}
