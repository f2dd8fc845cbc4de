//! Per-client token buckets: each client (an IP address) may make `burst` requests at
//! once and then one every `60 / per_minute` seconds. Pure logic: the caller passes the
//! time, so it is tested without clocks or sockets; `http::limits` applies it to requests.
//!
//! Memory is bounded: at most `max_clients` buckets are kept. When a new client arrives
//! at the bound, buckets that have refilled completely (clients idle long enough to be
//! indistinguishable from new ones) are dropped; if too few have, the least recently seen
//! sixteenth is, so a crowd of new clients costs one sweep per sixteenth of the bound. An attacker with more addresses than the bound gains fresh buckets, never
//! unbounded memory.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::Duration;

use serde::Deserialize;

/// A sustained rate and a burst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rate {
    /// Requests per minute, sustained (at least 1).
    pub per_minute: u32,
    /// Requests allowed at once after a pause (at least 1).
    pub burst: u32,
}

/// The `[rate_limits]` section of the server config.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RateLimits {
    /// Per client on the public look-ups: `/api/v1/codes`, the Digital Link resolver
    /// paths, `/api/v1/trace`, the web look-up pages.
    pub public: Rate,
    /// Per client on desk sign-in (`POST /desk/login`): slows token guessing.
    pub sign_in: Rate,
    /// Clients tracked per limit at most (memory bound).
    pub max_clients: usize,
    /// Proxies whose `X-Forwarded-For` is believed; from anyone else it is ignored.
    pub trusted_proxies: Vec<IpAddr>,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            public: Rate {
                per_minute: 120,
                burst: 60,
            },
            sign_in: Rate {
                per_minute: 10,
                burst: 5,
            },
            max_clients: 100_000,
            trusted_proxies: Vec::new(),
        }
    }
}

/// What to do with one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Serve it.
    Allow,
    /// Refuse it; the client may try again after this many whole seconds.
    Deny {
        /// Seconds until a token is back (at least 1), for `Retry-After`.
        retry_after_secs: u64,
    },
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    /// Tokens left, in units of 1/60,000 of a token: a client at `per_minute` gains exactly
    /// `per_minute` units a millisecond, so refills neither round nor drift.
    units: u64,
    /// When it was last refilled.
    at: Duration,
}

/// Token buckets by client address.
#[derive(Debug)]
pub struct Limiter {
    rate: Rate,
    max_clients: usize,
    buckets: HashMap<IpAddr, Bucket>,
}

impl Limiter {
    /// A limiter at `rate`, keeping at most `max_clients` buckets.
    pub fn new(rate: Rate, max_clients: usize) -> Self {
        let rate = Rate {
            per_minute: rate.per_minute.max(1),
            burst: rate.burst.max(1),
        };
        Self {
            rate,
            max_clients: max_clients.max(1),
            buckets: HashMap::new(),
        }
    }

    /// Clients tracked now.
    pub fn clients(&self) -> usize {
        self.buckets.len()
    }

    /// Takes a token for `client` at time `now` (any monotonic clock's reading).
    pub fn check(&mut self, client: IpAddr, now: Duration) -> Decision {
        if !self.buckets.contains_key(&client) && self.buckets.len() >= self.max_clients {
            self.evict(now);
        }
        let rate = self.rate;
        let bucket = self.buckets.entry(client).or_insert(Bucket {
            units: full(rate),
            at: now,
        });
        bucket.units = refilled(rate, bucket, now);
        bucket.at = bucket.at.max(now);
        if bucket.units >= TOKEN {
            bucket.units -= TOKEN;
            return Decision::Allow;
        }
        let wait_ms = (TOKEN - bucket.units).div_ceil(u64::from(rate.per_minute));
        Decision::Deny {
            retry_after_secs: wait_ms.div_ceil(1000).max(1),
        }
    }

    fn evict(&mut self, now: Duration) {
        let rate = self.rate;
        self.buckets
            .retain(|_, bucket| refilled(rate, bucket, now) < full(rate));
        if self.buckets.len() >= self.max_clients {
            let mut seen: Vec<(Duration, IpAddr)> =
                self.buckets.iter().map(|(ip, b)| (b.at, *ip)).collect();
            let oldest = (self.max_clients / 16).clamp(1, seen.len());
            seen.select_nth_unstable(oldest - 1);
            for (_, ip) in &seen[..oldest] {
                self.buckets.remove(ip);
            }
        }
    }
}

/// One token, in bucket units (milliseconds in a minute).
const TOKEN: u64 = 60_000;

/// A full bucket, in units.
fn full(rate: Rate) -> u64 {
    u64::from(rate.burst) * TOKEN
}

/// The bucket's units at `now`.
fn refilled(rate: Rate, bucket: &Bucket, now: Duration) -> u64 {
    let elapsed = millis(now.saturating_sub(bucket.at));
    let gained = elapsed.saturating_mul(u64::from(rate.per_minute));
    bucket.units.saturating_add(gained).min(full(rate))
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: Rate = Rate {
        per_minute: 60,
        burst: 3,
    };

    fn ip(n: u8) -> IpAddr {
        IpAddr::from([10, 0, 0, n])
    }

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    #[test]
    fn a_burst_then_the_sustained_rate() {
        let mut limiter = Limiter::new(RATE, 100);
        for _ in 0..3 {
            assert_eq!(limiter.check(ip(1), secs(0.0)), Decision::Allow);
        }
        assert_eq!(
            limiter.check(ip(1), secs(0.0)),
            Decision::Deny {
                retry_after_secs: 1
            }
        );
        assert_eq!(
            limiter.check(ip(2), secs(0.0)),
            Decision::Allow,
            "per client"
        );
        assert!(matches!(
            limiter.check(ip(1), secs(0.5)),
            Decision::Deny { .. }
        ));
        assert_eq!(
            limiter.check(ip(1), secs(1.0)),
            Decision::Allow,
            "one a second"
        );
        assert!(matches!(
            limiter.check(ip(1), secs(1.0)),
            Decision::Deny { .. }
        ));
        for n in 0..3 {
            assert_eq!(limiter.check(ip(1), secs(100.0)), Decision::Allow, "{n}");
        }
        assert!(
            matches!(limiter.check(ip(1), secs(100.0)), Decision::Deny { .. }),
            "refills to the burst, no further"
        );
    }

    #[test]
    fn retry_after_says_when_a_token_is_back() {
        let mut limiter = Limiter::new(
            Rate {
                per_minute: 6,
                burst: 1,
            },
            10,
        );
        assert_eq!(limiter.check(ip(1), secs(0.0)), Decision::Allow);
        assert_eq!(
            limiter.check(ip(1), secs(0.0)),
            Decision::Deny {
                retry_after_secs: 10
            }
        );
        assert_eq!(
            limiter.check(ip(1), secs(7.5)),
            Decision::Deny {
                retry_after_secs: 3
            }
        );
        assert_eq!(limiter.check(ip(1), secs(10.0)), Decision::Allow);
    }

    #[test]
    fn memory_stays_bounded_and_refilled_buckets_go_first() {
        let mut limiter = Limiter::new(RATE, 3);
        for n in 1..=3 {
            limiter.check(ip(n), secs(0.0));
        }
        limiter.check(ip(1), secs(0.0));
        limiter.check(ip(1), secs(0.0));
        // At 1.5 s, clients 2 and 3 have refilled (one token used, one back); 1 has not.
        assert_eq!(limiter.check(ip(4), secs(1.5)), Decision::Allow);
        assert_eq!(limiter.clients(), 2);
        assert!(
            matches!(limiter.check(ip(1), secs(1.5)), Decision::Allow),
            "client 1 keeps its bucket: one token back"
        );
        assert!(matches!(
            limiter.check(ip(1), secs(1.5)),
            Decision::Deny { .. }
        ));
        for n in 5..=50 {
            limiter.check(ip(n), secs(2.0));
            assert!(limiter.clients() <= 3);
        }
    }
}
