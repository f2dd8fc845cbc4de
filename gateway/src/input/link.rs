//! A board running `trace-firmware`: `trace_proto::link` frames in. The board has
//! already de-bounced its reads; the gateway smooths them per read point like any other.

use trace_proto::link::{FrameDecoder, ReaderState, ToGateway};

use super::serial::LineProtocol;
use super::{InputEvent, unix_ms};
use crate::identity::tag_uri;

/// The firmware link as a [`LineProtocol`] (receive only for now: no `Configure`).
pub struct LinkProtocol {
    reader: usize,
    decoder: FrameDecoder<ToGateway>,
}

impl LinkProtocol {
    /// A link reported as reader `reader`.
    pub fn new(reader: usize) -> Self {
        Self {
            reader,
            decoder: FrameDecoder::new(),
        }
    }
}

impl LineProtocol for LinkProtocol {
    fn reader(&self) -> usize {
        self.reader
    }

    fn reset(&mut self) {
        self.decoder.reset();
    }

    fn received(&mut self, bytes: &[u8], _now_ms: u64, out: &mut Vec<InputEvent>) {
        let reader = self.reader;
        for frame in self.decoder.feed(bytes) {
            let message = match frame {
                Ok(frame) => frame.message,
                Err(e) => {
                    tracing::warn!(reader, error = %e, "bad frame on the firmware link");
                    out.push(InputEvent::Fault { reader });
                    continue;
                }
            };
            match message {
                ToGateway::Hello(hello) => {
                    tracing::info!(reader, board = %hello.board, firmware = %hello.firmware_version, "firmware hello");
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
                ToGateway::Heartbeat(_) | ToGateway::ConfigAck(_) => {}
            }
        }
    }

    fn poll(&mut self, _now_ms: u64, _out: &mut Vec<InputEvent>) {}

    fn pending_tx(&self) -> &[u8] {
        &[]
    }

    fn consume_tx(&mut self, _written: usize) {}
}
