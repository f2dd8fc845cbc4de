//! The gateway's end of the firmware link: trace-proto frames over QEMU's UART0.

use std::collections::VecDeque;
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Instant;

use trace_proto::link::{Frame, FrameDecoder, MAX_FRAME_LEN, ToFirmware, ToGateway, encode_frame};

use super::LIVENESS;

/// Decodes what the firmware sends, checking that no frame is lost or damaged.
pub struct Gateway {
    stream: TcpStream,
    decoder: FrameDecoder<ToGateway>,
    decoded: VecDeque<Frame<ToGateway>>,
    next_seq: u32,
    sent: u32,
    closed: bool,
}

impl Gateway {
    pub(super) fn new(stream: TcpStream) -> Self {
        stream.set_read_timeout(Some(LIVENESS)).unwrap();
        Self {
            stream,
            decoder: FrameDecoder::new(),
            decoded: VecDeque::new(),
            next_seq: 0,
            sent: 0,
            closed: false,
        }
    }

    /// The next frame, or `None` once the firmware has closed the line (QEMU exited).
    /// Every frame must decode and carry the next sequence number from 0 on.
    pub fn next(&mut self) -> Option<Frame<ToGateway>> {
        let start = Instant::now();
        while self.decoded.is_empty() && !self.closed {
            let mut buf = [0u8; 512];
            let read = match self.stream.read(&mut buf) {
                Ok(read) => read,
                Err(error) if error.kind() == ErrorKind::ConnectionReset => 0,
                Err(error) => panic!("no frame from the firmware within {LIVENESS:?}: {error}"),
            };
            self.closed = read == 0;
            for frame in self.decoder.feed(&buf[..read]) {
                self.decoded
                    .push_back(frame.expect("the firmware sends valid frames"));
            }
            assert!(start.elapsed() < LIVENESS, "no frame within {LIVENESS:?}");
        }
        let frame = self.decoded.pop_front()?;
        // The frame log is what a failing run prints.
        eprintln!("gateway <- {frame:?}");
        assert_eq!(
            frame.seq, self.next_seq,
            "frames lost or repeated: {frame:?}"
        );
        self.next_seq += 1;
        Some(frame)
    }

    /// Sends `message` to the firmware; returns the frame's sequence number.
    pub fn send(&mut self, message: &ToFirmware) -> u32 {
        let seq = self.sent;
        let mut frame = [0u8; MAX_FRAME_LEN];
        let len = encode_frame(seq, message, &mut frame).unwrap();
        self.stream.write_all(&frame[..len]).unwrap();
        self.sent += 1;
        seq
    }
}
