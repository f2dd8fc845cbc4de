//! The embedded-io adapters over an in-memory serial port.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::VecDeque;
use std::convert::Infallible;

use embedded_io::{ErrorType, Read, ReadReady, Write};
use trace_firmware::app::{App, Board, Bus, Port, Settings};
use trace_firmware::event::ReaderEvent;
use trace_firmware::io::{SerialReader, service_link};
use trace_firmware::m100::{M100, M100Config};
use trace_proto::link::{
    ConfigResult, Configure, FrameDecoder, MAX_FRAME_LEN, ToFirmware, ToGateway, encode_frame,
};

/// A UART whose far end is the test: `rx` is what the far end sent, `tx` what was
/// written to it. Writes take at most 5 bytes at a time, like a small FIFO.
#[derive(Default)]
struct MemoryPort {
    rx: VecDeque<u8>,
    tx: Vec<u8>,
}

impl ErrorType for MemoryPort {
    type Error = Infallible;
}

impl Read for MemoryPort {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        let n = buf.len().min(self.rx.len());
        for slot in &mut buf[..n] {
            *slot = self.rx.pop_front().unwrap();
        }
        Ok(n)
    }
}

impl ReadReady for MemoryPort {
    fn read_ready(&mut self) -> Result<bool, Infallible> {
        Ok(!self.rx.is_empty())
    }
}

impl Write for MemoryPort {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        let n = buf.len().min(5);
        self.tx.extend_from_slice(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> Result<(), Infallible> {
        Ok(())
    }
}

#[test]
fn a_serial_reader_writes_commands_and_feeds_answers() {
    let mut reader = SerialReader::new(M100::new(M100Config::default()), MemoryPort::default());
    let mut events = Vec::new();
    reader.service(0, |e| events.push(e)).unwrap();
    let (driver, mut port) = reader.release();
    assert_eq!(
        port.tx,
        [0xBB, 0x00, 0xB6, 0x00, 0x02, 0x07, 0xD0, 0x8F, 0x7E]
    );
    assert!(events.is_empty());

    port.tx.clear();
    port.rx
        .extend([0xBB, 0x01, 0xB6, 0x00, 0x01, 0x00, 0xB8, 0x7E]);
    let mut reader = SerialReader::new(driver, port);
    reader.service(1, |e| events.push(e)).unwrap();
    assert_eq!(events, [ReaderEvent::Ready]);
    // The answer was read in the same round; the inventory command goes out next round.
    reader.service(2, |e| events.push(e)).unwrap();
    let (_, port) = reader.release();
    assert_eq!(
        port.tx,
        [0xBB, 0x00, 0x27, 0x00, 0x03, 0x22, 0x27, 0x10, 0x83, 0x7E]
    );
}

#[test]
fn the_link_adapter_sends_frames_and_applies_configure() {
    let board = Board {
        name: "qemu-lm3s6965".try_into().unwrap(),
        firmware_version: "0.1.0".try_into().unwrap(),
        ports: heapless::Vec::from_slice(&[Port {
            port: 0,
            bus: Bus::Uart,
        }])
        .unwrap(),
    };
    let config = Configure {
        debounce_ms: 500,
        uhf_tx_power_cdbm: 2000,
        ports: heapless::Vec::new(),
    };
    let mut app = App::<8>::new(board, Settings::default(), config.clone(), 0).unwrap();
    let mut port = MemoryPort::default();
    let mut frame = [0u8; MAX_FRAME_LEN];
    let new = Configure {
        debounce_ms: 250,
        ..config
    };
    let len = encode_frame(3, &ToFirmware::Configure(new.clone()), &mut frame).unwrap();
    port.rx.extend(&frame[..len]);

    assert_eq!(service_link(&mut app, &mut port, 0).unwrap(), Some(new));
    assert_eq!(service_link(&mut app, &mut port, 1).unwrap(), None);
    let mut decoder = FrameDecoder::<ToGateway>::new();
    let messages: Vec<_> = decoder.feed(&port.tx).map(|f| f.unwrap().message).collect();
    assert!(matches!(messages[0], ToGateway::Hello(_)));
    assert!(
        matches!(&messages[1], ToGateway::ConfigAck(a) if a.configure_seq == 3 && a.result == ConfigResult::Accepted)
    );
    assert_eq!(messages.len(), 2);
}
