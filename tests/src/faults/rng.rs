//! A seeded pseudo-random source for fault moments: a failing run is replayed by its
//! seed (`FAULTS_SEED`), which every run prints.

use std::time::Duration;

/// xorshift64*: small, fast, and plenty for picking kill moments.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A source starting from `seed` (0 is replaced, xorshift never leaves it).
    pub fn new(seed: u64) -> Self {
        Self(if seed == 0 {
            0x9E37_79B9_7F4A_7C15
        } else {
            seed
        })
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        // The high bits: xorshift's low bits are its weakest.
        if n == 0 {
            0
        } else {
            (self.next_u64() >> 32) % n
        }
    }

    /// A duration in `low..=high`, to the millisecond.
    pub fn between(&mut self, low: Duration, high: Duration) -> Duration {
        let (low_ms, high_ms) = (low.as_millis() as u64, high.as_millis() as u64);
        let span = high_ms.saturating_sub(low_ms);
        Duration::from_millis(low_ms + self.below(span + 1))
    }
}

/// `FAULTS_SEED` when set (decimal or 0x-hex), else one drawn from the clock.
pub fn seed_from_env() -> u64 {
    let given = std::env::var("FAULTS_SEED").ok().and_then(|text| {
        let text = text.trim();
        match text.strip_prefix("0x") {
            Some(hex) => u64::from_str_radix(hex, 16).ok(),
            None => text.parse().ok(),
        }
    });
    given.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
    })
}

/// `FAULTS_ROUNDS` when set, else `default`: the tests run a few rounds, the script many.
pub fn rounds_from_env(default: usize) -> usize {
    std::env::var("FAULTS_ROUNDS")
        .ok()
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(default)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_replays_the_same_moments() {
        let draw = |seed| {
            let mut rng = Rng::new(seed);
            (0..8)
                .map(|_| rng.between(Duration::from_millis(100), Duration::from_millis(900)))
                .collect::<Vec<_>>()
        };
        assert_eq!(draw(42), draw(42));
        assert_ne!(draw(42), draw(43));
        assert!(draw(7).iter().all(|d| (100..=900).contains(&d.as_millis())));
    }

    #[test]
    fn below_stays_below() {
        let mut rng = Rng::new(0);
        assert!((0..1000).all(|_| rng.below(3) < 3));
        assert_eq!(rng.below(0), 0);
    }
}
