//! A fixed UHF reader over LLRP: the [`Session`] on a TCP connection, reconnected with
//! back-off when the reader drops, refuses the dialogue or goes silent.

use std::net::TcpStream;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::SyncSender;
use std::time::Duration;

use trace_proto::link::{EpcBank, ReaderState, TagId};

use super::serial::{LineProtocol, run_stream};
use super::{InputEvent, unix_ms};
use crate::identity::tag_uri;
use crate::llrp::{Session, SessionEvent};

/// How long a connection attempt may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one read waits for bytes.
const READ_TIMEOUT: Duration = Duration::from_millis(10);

/// The LLRP session as a [`LineProtocol`].
struct LlrpProtocol {
    reader: usize,
    session: Session,
    events: Vec<SessionEvent>,
}

impl LlrpProtocol {
    fn report(&mut self, out: &mut Vec<InputEvent>) {
        let reader = self.reader;
        for event in self.events.drain(..) {
            out.push(match event {
                SessionEvent::Ready => InputEvent::State {
                    reader,
                    state: ReaderState::Ready,
                },
                SessionEvent::Tag(report) => match epc_uri(&report.epc) {
                    Some(tag) => InputEvent::Read {
                        reader,
                        antenna: report.antenna.unwrap_or(0),
                        tag,
                        at_ms: unix_ms(),
                    },
                    None => InputEvent::Fault { reader },
                },
                SessionEvent::Fault(reason) => {
                    tracing::warn!(reader, reason, "LLRP reader fault; reconnecting");
                    InputEvent::Fault { reader }
                }
            });
        }
    }
}

/// The canonical URI of an EPC reported without its PC word.
fn epc_uri(epc: &[u8]) -> Option<String> {
    let words = u16::try_from(epc.len() / 2).ok()?;
    let bank = EpcBank::new(words << 11, epc).ok()?;
    match tag_uri(&TagId::Gen2(bank)) {
        Ok(uri) => Some(uri),
        Err(e) => {
            tracing::warn!(error = %e, "LLRP tag names no unit");
            None
        }
    }
}

impl LineProtocol for LlrpProtocol {
    fn reader(&self) -> usize {
        self.reader
    }

    fn reset(&mut self) {
        self.session.connected(0);
    }

    fn received(&mut self, bytes: &[u8], now_ms: u64, out: &mut Vec<InputEvent>) {
        self.session.received(bytes, now_ms, &mut self.events);
        self.report(out);
    }

    fn poll(&mut self, now_ms: u64, out: &mut Vec<InputEvent>) {
        self.session.poll(now_ms, &mut self.events);
        self.report(out);
    }

    fn pending_tx(&self) -> &[u8] {
        self.session.pending_tx()
    }

    fn consume_tx(&mut self, written: usize) {
        self.session.consume_tx(written);
    }

    fn wants_reset(&self) -> bool {
        self.session.wants_reset()
    }
}

/// Runs reader `reader` at `address` until `stop` is set.
pub fn run(
    reader: usize,
    address: &str,
    keepalive_ms: u32,
    events: &SyncSender<InputEvent>,
    stop: &AtomicBool,
) {
    let open = || {
        let addr = std::net::ToSocketAddrs::to_socket_addrs(address)?
            .next()
            .ok_or_else(|| std::io::Error::other("address resolves to nothing"))?;
        let stream = TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT)?;
        stream.set_read_timeout(Some(READ_TIMEOUT))?;
        stream.set_nodelay(true)?;
        Ok(stream)
    };
    let protocol = LlrpProtocol {
        reader,
        session: Session::new(keepalive_ms),
        events: Vec::new(),
    };
    run_stream(address, open, protocol, events, stop);
}
