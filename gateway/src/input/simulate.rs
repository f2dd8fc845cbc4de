//! Generated reads for demos and tests: distinct SGTINs of one product, one read each,
//! at a fixed pace.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::SyncSender;
use std::time::Duration;

use trace_proto::link::ReaderState;

use super::{InputEvent, unix_ms};

/// Reads `urn:epc:id:sgtin:{product}.{n}` for n = 1, 2 … every `interval_ms`, `count`
/// times (0: until stopped). Serials start after the current Unix second times 1000,
/// so runs after a restart read new units.
pub fn run(
    reader: usize,
    interval_ms: u64,
    count: u64,
    product: &str,
    events: &SyncSender<InputEvent>,
    stop: &AtomicBool,
) {
    let base = unix_ms() / 1000 * 1000;
    if events
        .send(InputEvent::State {
            reader,
            state: ReaderState::Ready,
        })
        .is_err()
    {
        return;
    }
    let mut n = 0u64;
    while !stop.load(Ordering::SeqCst) && (count == 0 || n < count) {
        n += 1;
        let tag = format!("urn:epc:id:sgtin:{product}.{}", base + n);
        if events
            .send(InputEvent::Read {
                reader,
                antenna: 0,
                tag,
                at_ms: unix_ms(),
            })
            .is_err()
        {
            return;
        }
        super::sleep_unless_stopped(stop, Duration::from_millis(interval_ms));
    }
}
