//! The connection loop shared by every byte-stream reader (serial ports for the firmware
//! link and directly driven modules, TCP for LLRP): open the stream, shuttle bytes
//! between it and a byte-fed protocol, and when the stream fails (unplugged adapter,
//! rebooted board, hung reader) report the reader absent and open it again with back-off.

use std::io::{ErrorKind, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::SyncSender;
use std::time::{Duration, Instant};

use trace_proto::link::ReaderState;

use super::InputEvent;

/// First pause before reopening a failed port.
const MIN_BACKOFF: Duration = Duration::from_millis(200);
/// Longest pause before reopening a failed port.
const MAX_BACKOFF: Duration = Duration::from_secs(10);
/// How long one read waits for bytes, so timers and `stop` are checked.
const READ_TIMEOUT: Duration = Duration::from_millis(10);

/// A byte-fed protocol on a serial line, without I/O.
pub trait LineProtocol {
    /// The reader index it reports as.
    fn reader(&self) -> usize;
    /// The port was (re)opened: start from a clean state.
    fn reset(&mut self);
    /// Bytes arrived at `now_ms` (a monotonic tick since the port opened).
    fn received(&mut self, bytes: &[u8], now_ms: u64, out: &mut Vec<InputEvent>);
    /// Timers advanced to `now_ms`.
    fn poll(&mut self, now_ms: u64, out: &mut Vec<InputEvent>);
    /// Bytes to write to the line.
    fn pending_tx(&self) -> &[u8];
    /// The first `written` bytes of [`pending_tx`](Self::pending_tx) were written.
    fn consume_tx(&mut self, written: usize);
    /// Whether the protocol lost the peer and the stream must be opened again.
    fn wants_reset(&self) -> bool {
        false
    }
}

/// Runs `protocol` on serial `port` until `stop` is set or the pipeline hangs up.
pub fn run<P: LineProtocol>(
    port: &str,
    baud: u32,
    protocol: P,
    events: &SyncSender<InputEvent>,
    stop: &AtomicBool,
) {
    let open = || {
        serialport::new(port, baud)
            .timeout(READ_TIMEOUT)
            .open()
            .map_err(std::io::Error::from)
    };
    run_stream(port, open, protocol, events, stop);
}

/// Runs `protocol` on the streams `open` makes, named `port` in logs, until `stop` is
/// set or the pipeline hangs up. Streams must time out reads after about
/// 10 ms, so timers and `stop` are checked.
pub fn run_stream<P, S, O>(
    port: &str,
    mut open: O,
    mut protocol: P,
    events: &SyncSender<InputEvent>,
    stop: &AtomicBool,
) where
    P: LineProtocol,
    S: Read + Write,
    O: FnMut() -> std::io::Result<S>,
{
    let reader = protocol.reader();
    let mut backoff = MIN_BACKOFF;
    let mut reported_absent = false;
    while !stop.load(Ordering::SeqCst) {
        let mut line = match open() {
            Ok(line) => line,
            Err(e) => {
                if !reported_absent {
                    tracing::warn!(port, error = %e, "reader connection unavailable; retrying with back-off");
                    reported_absent = true;
                    let absent = InputEvent::State {
                        reader,
                        state: ReaderState::Absent,
                    };
                    if events.send(absent).is_err() {
                        return;
                    }
                }
                super::sleep_unless_stopped(stop, backoff);
                backoff = (backoff * 2).min(MAX_BACKOFF);
                continue;
            }
        };
        tracing::info!(port, "reader connection open");
        backoff = MIN_BACKOFF;
        protocol.reset();
        let opened = InputEvent::State {
            reader,
            state: ReaderState::Initialising,
        };
        if events.send(opened).is_err() {
            return;
        }
        match pump(&mut line, &mut protocol, events, stop) {
            Pump::Stopped => return,
            Pump::PortFailed(e) => {
                tracing::warn!(port, error = %e, "reader connection failed; reopening");
                let absent = InputEvent::State {
                    reader,
                    state: ReaderState::Absent,
                };
                if events.send(absent).is_err() {
                    return;
                }
                reported_absent = true;
                super::sleep_unless_stopped(stop, backoff);
            }
        }
    }
}

enum Pump {
    Stopped,
    PortFailed(std::io::Error),
}

fn pump<P: LineProtocol, S: Read + Write>(
    line: &mut S,
    protocol: &mut P,
    events: &SyncSender<InputEvent>,
    stop: &AtomicBool,
) -> Pump {
    let opened = Instant::now();
    let mut buf = [0u8; 512];
    let mut out = Vec::new();
    while !stop.load(Ordering::SeqCst) {
        let now_ms = u64::try_from(opened.elapsed().as_millis()).unwrap_or(u64::MAX);
        protocol.poll(now_ms, &mut out);
        while !protocol.pending_tx().is_empty() {
            match line.write(protocol.pending_tx()) {
                Ok(written) => protocol.consume_tx(written),
                Err(e) if matches!(e.kind(), ErrorKind::TimedOut | ErrorKind::WouldBlock) => {
                    break;
                }
                Err(e) => return Pump::PortFailed(e),
            }
        }
        match line.read(&mut buf) {
            Ok(0) => {
                return Pump::PortFailed(std::io::Error::new(
                    ErrorKind::UnexpectedEof,
                    "port closed",
                ));
            }
            Ok(n) => protocol.received(buf.get(..n).unwrap_or_default(), now_ms, &mut out),
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::TimedOut | ErrorKind::WouldBlock | ErrorKind::Interrupted
                ) => {}
            Err(e) => return Pump::PortFailed(e),
        }
        for event in out.drain(..) {
            if events.send(event).is_err() {
                return Pump::Stopped;
            }
        }
        if protocol.wants_reset() {
            return Pump::PortFailed(std::io::Error::other("protocol lost the peer"));
        }
    }
    Pump::Stopped
}
