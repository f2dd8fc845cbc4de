//! A board running `trace-firmware`: `trace_proto::link` frames in, `Configure` out.
//! The board has already de-bounced its reads; the gateway smooths them per read point
//! like any other.
//!
//! When the reader has a `[reader.firmware]` configuration, it is sent whenever the port
//! opens (the board may have been running for long) and after every `Hello` (the board
//! booted and runs its stored configuration again). Until the matching `ConfigAck`
//! arrives it is sent again every [`RESEND_MS`]; a rejection is reported, not retried:
//! the board keeps its previous configuration and the status raises an alarm.
//!
//! A board sends a heartbeat every few seconds; one silent for [`SILENT_MS`] with its
//! port still open (hung, or its UART wire loose) is reported faulted until a frame
//! arrives again, so the status raises the reader-down alarm.

use trace_proto::link::{
    ConfigAck, ConfigResult, Configure, FrameDecoder, MAX_FRAME_LEN, ReaderState, ToFirmware,
    ToGateway, encode_frame,
};

use super::serial::LineProtocol;
use super::{InputEvent, unix_ms};
use crate::identity::tag_uri;
use crate::status::BoardConfig;

/// Pause before a `Configure` without answer is sent again.
pub const RESEND_MS: u64 = 2_000;
/// A board without a frame for this long is faulted (three of the firmware's default
/// 5 s heartbeats).
pub const SILENT_MS: u64 = 15_000;

/// The firmware link as a [`LineProtocol`].
pub struct LinkProtocol {
    reader: usize,
    decoder: FrameDecoder<ToGateway>,
    configure: Option<Configure>,
    /// Sequence number of the next frame the gateway sends.
    seq: u32,
    /// The `Configure` frame waiting for its `ConfigAck`: its seq and when it was sent.
    awaiting: Option<(u32, u64)>,
    /// Send the configuration at the next poll.
    send: bool,
    tx: Vec<u8>,
    /// When the last good frame arrived (ms since the port opened), and whether the
    /// board has been reported silent since.
    last_frame_ms: u64,
    silent: bool,
}

impl LinkProtocol {
    /// A link reported as reader `reader`, configuring its board with `configure`.
    pub fn new(reader: usize, configure: Option<Configure>) -> Self {
        Self {
            reader,
            decoder: FrameDecoder::new(),
            configure,
            seq: 0,
            awaiting: None,
            send: false,
            tx: Vec::new(),
            last_frame_ms: 0,
            silent: false,
        }
    }

    fn send_configure(&mut self, now_ms: u64) -> bool {
        let Some(configure) = &self.configure else {
            return false;
        };
        let mut frame = [0u8; MAX_FRAME_LEN];
        let message = ToFirmware::Configure(configure.clone());
        match encode_frame(self.seq, &message, &mut frame) {
            Ok(len) => {
                self.tx
                    .extend_from_slice(frame.get(..len).unwrap_or_default());
                self.awaiting = Some((self.seq, now_ms));
                self.seq = self.seq.wrapping_add(1);
                true
            }
            Err(e) => {
                tracing::error!(reader = self.reader, error = %e, "Configure does not encode");
                self.configure = None;
                false
            }
        }
    }
}

/// Takes the board's answer to the `Configure` in `awaiting`, if it is that one's.
fn config_ack(
    reader: usize,
    awaiting: &mut Option<(u32, u64)>,
    ack: ConfigAck,
    out: &mut Vec<InputEvent>,
) {
    if awaiting.map(|(seq, _)| seq) != Some(ack.configure_seq) {
        tracing::debug!(
            reader,
            seq = ack.configure_seq,
            "ConfigAck for an older Configure"
        );
        return;
    }
    *awaiting = None;
    let state = match ack.result {
        ConfigResult::Accepted => {
            tracing::info!(reader, "board accepted its configuration");
            BoardConfig::Accepted
        }
        ConfigResult::Rejected(why) => {
            tracing::error!(reader, reason = %why, "board REJECTED its configuration; it keeps the previous one");
            BoardConfig::Rejected(why.to_string())
        }
    };
    out.push(InputEvent::Configured { reader, state });
}

impl LineProtocol for LinkProtocol {
    fn reader(&self) -> usize {
        self.reader
    }

    fn reset(&mut self) {
        self.decoder.reset();
        self.tx.clear();
        self.awaiting = None;
        self.send = self.configure.is_some();
        self.last_frame_ms = 0;
        self.silent = false;
    }

    fn received(&mut self, bytes: &[u8], now_ms: u64, out: &mut Vec<InputEvent>) {
        let reader = self.reader;
        for frame in self.decoder.feed(bytes) {
            let message = match frame {
                Ok(frame) => {
                    self.last_frame_ms = now_ms;
                    if std::mem::take(&mut self.silent) {
                        tracing::info!(reader, "board speaks again");
                        out.push(InputEvent::State {
                            reader,
                            state: ReaderState::Ready,
                        });
                    }
                    frame.message
                }
                Err(e) => {
                    tracing::warn!(reader, error = %e, "bad frame on the firmware link");
                    out.push(InputEvent::Fault { reader });
                    continue;
                }
            };
            match message {
                ToGateway::Hello(hello) => {
                    tracing::info!(reader, board = %hello.board, firmware = %hello.firmware_version, "firmware hello");
                    self.send = self.configure.is_some();
                    out.push(InputEvent::State {
                        reader,
                        state: ReaderState::Ready,
                    });
                }
                ToGateway::TagRead(read) => match tag_uri(&read.tag) {
                    Ok(tag) => out.push(InputEvent::Read {
                        reader,
                        antenna: u16::from(read.antenna),
                        tag,
                        at_ms: unix_ms(),
                    }),
                    Err(e) => {
                        tracing::warn!(reader, error = %e, "tag read names no unit");
                        out.push(InputEvent::Fault { reader });
                    }
                },
                ToGateway::ReaderFault(fault) => {
                    tracing::warn!(reader, port = fault.port, fault = ?fault.fault, "board reader fault");
                    out.push(InputEvent::Fault { reader });
                }
                ToGateway::ConfigAck(ack) => config_ack(reader, &mut self.awaiting, ack, out),
                ToGateway::Heartbeat(_) => {}
            }
        }
    }

    fn poll(&mut self, now_ms: u64, out: &mut Vec<InputEvent>) {
        if !self.silent && now_ms.saturating_sub(self.last_frame_ms) >= SILENT_MS {
            self.silent = true;
            tracing::warn!(
                reader = self.reader,
                silent_ms = SILENT_MS,
                "board silent: no frame, not even a heartbeat"
            );
            out.push(InputEvent::State {
                reader: self.reader,
                state: ReaderState::Faulted,
            });
        }
        let overdue = self
            .awaiting
            .is_some_and(|(_, sent)| now_ms.saturating_sub(sent) >= RESEND_MS);
        if overdue {
            tracing::debug!(
                reader = self.reader,
                "no ConfigAck yet: sending Configure again"
            );
            self.send_configure(now_ms);
        } else if std::mem::take(&mut self.send) && self.send_configure(now_ms) {
            out.push(InputEvent::Configured {
                reader: self.reader,
                state: BoardConfig::Sent,
            });
        }
    }

    fn pending_tx(&self) -> &[u8] {
        &self.tx
    }

    fn consume_tx(&mut self, written: usize) {
        self.tx.drain(..written.min(self.tx.len()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trace_firmware::app::{App, Board, Bus, Port, Settings};
    use trace_proto::link::{MAX_FRAME_LEN, PortAssignment, ReaderKind};

    fn board() -> Board {
        let mut ports = heapless::Vec::new();
        ports
            .push(Port {
                port: 0,
                bus: Bus::Uart,
            })
            .unwrap();
        ports
            .push(Port {
                port: 1,
                bus: Bus::Spi,
            })
            .unwrap();
        Board {
            name: heapless::String::try_from("test-board").unwrap(),
            firmware_version: heapless::String::try_from("0.1.0").unwrap(),
            ports,
        }
    }

    fn configure(uhf_port: u8) -> Configure {
        let mut ports = heapless::Vec::new();
        ports
            .push(PortAssignment {
                port: uhf_port,
                kind: Some(ReaderKind::UhfM100),
            })
            .unwrap();
        Configure {
            debounce_ms: 750,
            uhf_tx_power_cdbm: 2200,
            ports,
        }
    }

    /// A board booted with no reader configured.
    fn boot() -> App {
        let empty = Configure {
            debounce_ms: 100,
            uhf_tx_power_cdbm: 2000,
            ports: heapless::Vec::new(),
        };
        App::new(board(), Settings::default(), empty, 0).unwrap()
    }

    /// Moves frames both ways until both sides are quiet; returns what the link reported.
    fn exchange(link: &mut LinkProtocol, app: &mut App, now_ms: u64) -> Vec<InputEvent> {
        let mut out = Vec::new();
        for _ in 0..4 {
            link.poll(now_ms, &mut out);
            let tx = link.pending_tx().to_vec();
            link.consume_tx(tx.len());
            app.receive(&tx);
            let mut frame = [0u8; MAX_FRAME_LEN];
            while let Some(len) = app.next_frame(now_ms, &mut frame) {
                link.received(&frame[..len], now_ms, &mut out);
            }
        }
        out
    }

    fn configured(out: &[InputEvent]) -> Vec<BoardConfig> {
        out.iter()
            .filter_map(|e| match e {
                InputEvent::Configured { state, .. } => Some(state.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn the_configuration_is_sent_on_open_and_after_every_hello_and_acked() {
        let mut link = LinkProtocol::new(3, Some(configure(0)));
        link.reset();
        let mut app = boot();
        let out = exchange(&mut link, &mut app, 0);
        assert_eq!(
            configured(&out),
            [
                BoardConfig::Sent,
                BoardConfig::Accepted,
                BoardConfig::Sent,
                BoardConfig::Accepted
            ],
            "on open, and again after the boot Hello"
        );
        assert_eq!(app.config(), &configure(0));
        // The board reboots with its stored (empty) configuration: Hello, and the
        // gateway configures it again.
        let mut app = boot();
        let out = exchange(&mut link, &mut app, 10);
        assert_eq!(configured(&out), [BoardConfig::Sent, BoardConfig::Accepted]);
        assert_eq!(app.config(), &configure(0));
    }

    #[test]
    fn a_silent_board_gets_the_configuration_again_and_a_rejection_is_reported() {
        let mut link = LinkProtocol::new(0, Some(configure(1)));
        link.reset();
        let mut out = Vec::new();
        link.poll(0, &mut out);
        let first = link.pending_tx().len();
        assert!(first > 0);
        link.consume_tx(first);
        link.poll(RESEND_MS - 1, &mut out);
        assert!(link.pending_tx().is_empty(), "not yet");
        link.poll(RESEND_MS, &mut out);
        assert!(!link.pending_tx().is_empty(), "sent again");
        let mut app = boot();
        let mut frame = [0u8; MAX_FRAME_LEN];
        // The boot Hello went nowhere (the gateway was not listening yet).
        while app.next_frame(0, &mut frame).is_some() {}
        let tx = link.pending_tx().to_vec();
        link.consume_tx(tx.len());
        // Port 1 is SPI: the board cannot drive a UHF module there.
        assert_eq!(app.receive(&tx), None);
        let mut out = Vec::new();
        while let Some(len) = app.next_frame(RESEND_MS, &mut frame) {
            link.received(&frame[..len], RESEND_MS, &mut out);
        }
        let states = configured(&out);
        let [BoardConfig::Rejected(why)] = states.as_slice() else {
            panic!("{states:?}");
        };
        assert!(why.contains("port 1"), "{why}");
        link.poll(10 * RESEND_MS, &mut out);
        assert!(link.pending_tx().is_empty(), "a rejection is not retried");
    }

    #[test]
    fn a_silent_board_is_faulted_until_it_speaks_again() {
        let mut link = LinkProtocol::new(2, None);
        link.reset();
        let mut out = Vec::new();
        link.poll(SILENT_MS - 1, &mut out);
        assert!(out.is_empty());
        link.poll(SILENT_MS, &mut out);
        link.poll(SILENT_MS + 1, &mut out);
        let faulted = InputEvent::State {
            reader: 2,
            state: ReaderState::Faulted,
        };
        assert_eq!(out, [faulted], "reported once");
        out.clear();
        let mut app = boot();
        let mut frame = [0u8; MAX_FRAME_LEN];
        // The heartbeat after the boot Hello.
        while let Some(len) = app.next_frame(60_000, &mut frame) {
            link.received(&frame[..len], SILENT_MS + 2, &mut out);
        }
        let ready = InputEvent::State {
            reader: 2,
            state: ReaderState::Ready,
        };
        assert_eq!(out.first(), Some(&ready));
        out.clear();
        link.poll(2 * SILENT_MS, &mut out);
        assert!(out.is_empty(), "a frame came {} ms ago", SILENT_MS - 2);
    }

    #[test]
    fn without_a_configuration_nothing_is_sent() {
        let mut link = LinkProtocol::new(0, None);
        link.reset();
        let mut app = boot();
        let out = exchange(&mut link, &mut app, 0);
        assert!(configured(&out).is_empty());
        assert!(link.pending_tx().is_empty());
    }
}
