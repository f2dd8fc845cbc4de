//! Reader inputs, one thread each, all reporting into one channel the pipeline reads:
//! the firmware link ([`link`]), reader modules driven directly ([`module`]), both over
//! serial ports ([`serial`]) that reconnect with back-off when unplugged, fixed UHF
//! readers over LLRP ([`llrp`]), and generated reads ([`simulate`]).

pub mod link;
pub mod llrp;
pub mod module;
pub mod serial;
pub mod simulate;

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::SyncSender;
use std::thread::JoinHandle;

use trace_proto::link::ReaderState;

use crate::config::{ModuleKind, ReaderConfig, ReaderSource};
use crate::status::BoardConfig;

/// What an input reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputEvent {
    /// A tag was read.
    Read {
        /// Reader index (configuration order).
        reader: usize,
        /// Antenna of the reader (0: single-antenna or not reported).
        antenna: u16,
        /// Canonical tag URI.
        tag: String,
        /// Wall-clock time of the read, Unix ms.
        at_ms: u64,
    },
    /// The reader's condition changed.
    State {
        /// Reader index.
        reader: usize,
        /// New condition.
        state: ReaderState,
    },
    /// The reader misbehaved (bad frame, module error, undecodable tag).
    Fault {
        /// Reader index.
        reader: usize,
    },
    /// The configuration of a firmware board was sent, accepted or rejected.
    Configured {
        /// Reader index.
        reader: usize,
        /// Where it stands.
        state: BoardConfig,
    },
}

/// Sleeps for `pause`, or less once `stop` is set, so a back-off never holds up a
/// graceful shutdown.
pub fn sleep_unless_stopped(stop: &AtomicBool, pause: std::time::Duration) {
    const SLICE: std::time::Duration = std::time::Duration::from_millis(50);
    let until = std::time::Instant::now() + pause;
    while !stop.load(std::sync::atomic::Ordering::SeqCst) {
        let left = until.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            return;
        }
        std::thread::sleep(left.min(SLICE));
    }
}

/// Test-only: milliseconds (may be negative) added to the wall clock the readers stamp
/// reads with, read once at start. Fault tests set it on a restarted gateway to make its
/// clock jump forward or backward without touching the machine's clock; production
/// leaves it unset.
pub const CLOCK_OFFSET_ENV: &str = "TRACE_GATEWAY_TEST_CLOCK_OFFSET_MS";

/// Wall-clock now in Unix ms (plus [`CLOCK_OFFSET_ENV`] when set).
pub fn unix_ms() -> u64 {
    static OFFSET: std::sync::OnceLock<i64> = std::sync::OnceLock::new();
    let offset = *OFFSET.get_or_init(|| {
        std::env::var(CLOCK_OFFSET_ENV)
            .ok()
            .and_then(|text| text.trim().parse().ok())
            .unwrap_or(0)
    });
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    u64::try_from(now.saturating_add(offset)).unwrap_or(0)
}

/// Starts the thread of reader `index`.
pub fn spawn(
    index: usize,
    reader: &ReaderConfig,
    events: SyncSender<InputEvent>,
    stop: Arc<AtomicBool>,
) -> std::io::Result<JoinHandle<()>> {
    let name = format!("reader-{}", reader.name);
    let source = reader.source.clone();
    std::thread::Builder::new()
        .name(name)
        .spawn(move || match source {
            ReaderSource::Simulate {
                interval_ms,
                count,
                product,
            } => simulate::run(index, interval_ms, count, &product, &events, &stop),
            ReaderSource::Llrp {
                address,
                keepalive_ms,
            } => llrp::run(index, &address, keepalive_ms, &events, &stop),
            ReaderSource::Link {
                port,
                baud,
                configure,
            } => {
                let protocol = link::LinkProtocol::new(index, configure);
                serial::run(&port, baud, protocol, &events, &stop);
            }
            ReaderSource::Module { kind, port, baud } => match kind {
                ModuleKind::Em4100 => serial::run(
                    &port,
                    baud,
                    module::ModuleProtocol::new(index, trace_firmware::em4100::Em4100::new),
                    &events,
                    &stop,
                ),
                ModuleKind::Pn532 => serial::run(
                    &port,
                    baud,
                    module::ModuleProtocol::new(index, || {
                        trace_firmware::pn532::Pn532::new(Default::default())
                    }),
                    &events,
                    &stop,
                ),
                ModuleKind::UhfM100 => serial::run(
                    &port,
                    baud,
                    module::ModuleProtocol::new(index, || {
                        trace_firmware::m100::M100::new(Default::default())
                    }),
                    &events,
                    &stop,
                ),
            },
        })
}
