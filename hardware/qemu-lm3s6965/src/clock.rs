//! The millisecond tick: SysTick interrupts counted in an atomic.

use core::sync::atomic::{AtomicU32, Ordering};

use cortex_m::peripheral::SYST;
use cortex_m::peripheral::syst::SystClkSource;
use cortex_m_rt::exception;
use trace_station::Uptime;

/// Milliseconds since the clock started, wrapping after 49 days.
static TICKS: AtomicU32 = AtomicU32::new(0);

#[exception]
fn SysTick() {
    TICKS.fetch_add(1, Ordering::Relaxed);
}

/// Milliseconds since boot.
pub struct Clock {
    uptime: Uptime,
}

impl Clock {
    /// Starts SysTick interrupting every millisecond of a core clocked at `clock_hz`.
    pub fn start(mut syst: SYST, clock_hz: u32) -> Self {
        syst.set_clock_source(SystClkSource::Core);
        syst.set_reload(clock_hz / 1_000 - 1);
        syst.clear_current();
        syst.enable_interrupt();
        syst.enable_counter();
        Self {
            uptime: Uptime::new(),
        }
    }

    /// Milliseconds since [`start`](Self::start).
    pub fn now_ms(&mut self) -> u64 {
        self.uptime.now_ms(TICKS.load(Ordering::Relaxed))
    }
}
