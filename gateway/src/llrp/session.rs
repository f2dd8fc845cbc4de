//! The client side of an LLRP connection as a state machine without I/O.
//!
//! On every (re)connection it makes the reader's state its own, one request at a time,
//! each awaiting its response: SET_READER_CONFIG (keep-alive every `keepalive_ms`),
//! DELETE_ROSPEC 0 (every ROSpec, whatever an earlier client left), ADD_ROSPEC (start
//! immediately, run until stopped, all antennas, report every tag), ENABLE_ROSPEC,
//! START_ROSPEC. Any refusal or ERROR_MESSAGE asks for a reconnection, as does a reader
//! silent for three keep-alive periods (a hung reader keeps its TCP connection open).

use std::collections::VecDeque;

use super::wire::{Framer, Message, TagReport, Writer, llrp_status, msg, param, tag_reports};

/// The ROSpec this client owns.
pub const ROSPEC_ID: u32 = 1;
/// Keep-alive periods of silence after which the reader counts as hung.
const SILENT_PERIODS: u64 = 3;

/// What the session tells its owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionEvent {
    /// The ROSpec is running.
    Ready,
    /// A tag was reported.
    Tag(TagReport),
    /// Something went wrong; the connection must be reset ([`Session::wants_reset`]).
    Fault(String),
}

/// One LLRP connection's dialogue.
#[derive(Debug)]
pub struct Session {
    keepalive_ms: u32,
    framer: Framer,
    next_id: u32,
    steps: VecDeque<Message>,
    awaiting: Option<(u16, u32)>,
    tx: Vec<u8>,
    last_heard_ms: u64,
    reset: bool,
}

impl Session {
    /// A session asking for a keep-alive every `keepalive_ms` (at least 1).
    pub fn new(keepalive_ms: u32) -> Self {
        Self {
            keepalive_ms: keepalive_ms.max(1),
            framer: Framer::default(),
            next_id: 1,
            steps: VecDeque::new(),
            awaiting: None,
            tx: Vec::new(),
            last_heard_ms: 0,
            reset: false,
        }
    }

    /// A new connection is up at `now_ms`: start the dialogue from the beginning.
    pub fn connected(&mut self, now_ms: u64) {
        *self = Self::new(self.keepalive_ms);
        self.last_heard_ms = now_ms;
        let requests = [
            (msg::SET_READER_CONFIG, self.reader_config()),
            (msg::DELETE_ROSPEC, 0u32.to_be_bytes().to_vec()),
            (msg::ADD_ROSPEC, add_rospec()),
            (msg::ENABLE_ROSPEC, ROSPEC_ID.to_be_bytes().to_vec()),
            (msg::START_ROSPEC, ROSPEC_ID.to_be_bytes().to_vec()),
        ];
        for (kind, body) in requests {
            let id = self.take_id();
            self.steps.push_back(Message::new(kind, id, body));
        }
        self.send_next();
    }

    /// Whether the connection must be closed and opened again.
    pub fn wants_reset(&self) -> bool {
        self.reset
    }

    /// Bytes to write to the reader.
    pub fn pending_tx(&self) -> &[u8] {
        &self.tx
    }

    /// The first `written` bytes of [`pending_tx`](Self::pending_tx) were written.
    pub fn consume_tx(&mut self, written: usize) {
        self.tx.drain(..written.min(self.tx.len()));
    }

    /// Bytes from the reader at `now_ms`.
    pub fn received(&mut self, bytes: &[u8], now_ms: u64, out: &mut Vec<SessionEvent>) {
        self.last_heard_ms = now_ms;
        self.framer.push(bytes);
        while let Some(next) = self.framer.next_message() {
            match next {
                Ok(message) => self.handle(message, out),
                Err(e) => {
                    self.fail(e.to_string(), out);
                    return;
                }
            }
        }
    }

    /// Timers at `now_ms`: a reader silent too long is reset.
    pub fn poll(&mut self, now_ms: u64, out: &mut Vec<SessionEvent>) {
        let limit = u64::from(self.keepalive_ms) * SILENT_PERIODS;
        if !self.reset && now_ms.saturating_sub(self.last_heard_ms) > limit {
            self.fail(format!("reader silent for over {limit} ms"), out);
        }
    }

    fn handle(&mut self, message: Message, out: &mut Vec<SessionEvent>) {
        if message.version != super::wire::VERSION {
            self.fail(
                format!("LLRP version {} in a message", message.version),
                out,
            );
            return;
        }
        match message.kind {
            msg::RO_ACCESS_REPORT => {
                out.extend(
                    tag_reports(&message.body)
                        .into_iter()
                        .map(SessionEvent::Tag),
                );
            }
            msg::KEEPALIVE => {
                self.tx
                    .extend(Message::new(msg::KEEPALIVE_ACK, message.id, Vec::new()).encode());
            }
            msg::READER_EVENT_NOTIFICATION => {}
            msg::ERROR_MESSAGE => {
                let (code, text) = llrp_status(&message.body).unwrap_or_default();
                self.fail(format!("reader ERROR_MESSAGE {code}: {text}"), out);
            }
            kind if Some((kind, message.id)) == self.awaiting => {
                self.awaiting = None;
                match llrp_status(&message.body) {
                    Some((0, _)) => {
                        if self.steps.is_empty() {
                            out.push(SessionEvent::Ready);
                        } else {
                            self.send_next();
                        }
                    }
                    Some((code, text)) => {
                        self.fail(format!("request refused with status {code}: {text}"), out);
                    }
                    None => self.fail("response without LLRPStatus".into(), out),
                }
            }
            _ => {}
        }
    }

    fn fail(&mut self, reason: String, out: &mut Vec<SessionEvent>) {
        self.reset = true;
        out.push(SessionEvent::Fault(reason));
    }

    fn send_next(&mut self) {
        if let Some(request) = self.steps.pop_front() {
            let response = if request.kind == msg::SET_READER_CONFIG {
                msg::SET_READER_CONFIG_RESPONSE
            } else {
                request.kind + msg::RESPONSE_OFFSET
            };
            self.awaiting = Some((response, request.id));
            self.tx.extend(request.encode());
        }
    }

    fn take_id(&mut self) -> u32 {
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1).max(1);
        id
    }

    fn reader_config(&self) -> Vec<u8> {
        let mut w = Writer::default();
        w.u8(0).tlv(param::KEEPALIVE_SPEC, |w| {
            w.u8(1).u32(self.keepalive_ms);
        });
        w.finish()
    }
}

/// ADD_ROSPEC body: ROSpec 1, started by START_ROSPEC (a Null start trigger: with an
/// Immediate one the reader starts it on ENABLE and refuses the START), no stop trigger,
/// every antenna (0), Gen2 inventory, a report after every tag with antenna and peak RSSI.
fn add_rospec() -> Vec<u8> {
    let mut w = Writer::default();
    w.tlv(param::ROSPEC, |w| {
        w.u32(ROSPEC_ID).u8(0).u8(0);
        w.tlv(param::RO_BOUNDARY_SPEC, |w| {
            w.tlv(param::ROSPEC_START_TRIGGER, |w| {
                w.u8(0);
            });
            w.tlv(param::ROSPEC_STOP_TRIGGER, |w| {
                w.u8(0).u32(0);
            });
        });
        w.tlv(param::AI_SPEC, |w| {
            w.u16(1).u16(0);
            w.tlv(param::AI_SPEC_STOP_TRIGGER, |w| {
                w.u8(0).u32(0);
            });
            w.tlv(param::INVENTORY_PARAMETER_SPEC, |w| {
                w.u16(1).u8(1);
            });
        });
        w.tlv(param::RO_REPORT_SPEC, |w| {
            // Upon N tags or end of AISpec, N = 1; EnableAntennaID (bit 12) and
            // EnablePeakRSSI (bit 10).
            w.u8(2).u16(1);
            w.tlv(param::TAG_REPORT_CONTENT_SELECTOR, |w| {
                w.u16(1 << 12 | 1 << 10);
            });
        });
    });
    w.finish()
}

#[cfg(test)]
mod tests;
