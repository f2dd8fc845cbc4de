//! The station over in-memory UARTs and the emulated MFRC522 of `trace-emulators`:
//! boot wiring, reads from every port, and reconfiguration by the gateway.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::cell::RefCell;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::rc::Rc;

use embedded_io::{ErrorType, Read, ReadReady, Write};
use trace_emulators::mfrc522::Mfrc522 as EmulatedMfrc522;
use trace_emulators::{Scene, Tag};
use trace_firmware::app::Settings;
use trace_proto::link::{
    ConfigAck, ConfigResult, Configure, FrameDecoder, MAX_FRAME_LEN, PortAssignment, ReaderKind,
    TagId, ToFirmware, ToGateway, Uid, encode_frame,
};
use trace_station::{ReaderPort, ReaderUart, SpiPort, Station, UartPort, Uptime};

/// What a test sees of a UART: bytes for the firmware, bytes it wrote, speeds set.
#[derive(Default)]
struct Line {
    rx: VecDeque<u8>,
    tx: Vec<u8>,
    bauds: Vec<u32>,
}

/// A UART whose far end is the test.
#[derive(Clone, Default)]
struct MemoryUart(Rc<RefCell<Line>>);

impl MemoryUart {
    fn send(&self, bytes: &[u8]) {
        self.0.borrow_mut().rx.extend(bytes);
    }

    fn take_tx(&self) -> Vec<u8> {
        std::mem::take(&mut self.0.borrow_mut().tx)
    }

    fn bauds(&self) -> Vec<u32> {
        self.0.borrow().bauds.clone()
    }
}

impl ErrorType for MemoryUart {
    type Error = Infallible;
}

impl Read for MemoryUart {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        let mut line = self.0.borrow_mut();
        let n = buf.len().min(line.rx.len());
        for slot in &mut buf[..n] {
            *slot = line.rx.pop_front().unwrap();
        }
        Ok(n)
    }
}

impl ReadReady for MemoryUart {
    fn read_ready(&mut self) -> Result<bool, Infallible> {
        Ok(!self.0.borrow().rx.is_empty())
    }
}

impl Write for MemoryUart {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        self.0.borrow_mut().tx.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> Result<(), Infallible> {
        Ok(())
    }
}

impl ReaderUart for MemoryUart {
    fn set_baud_rate(&mut self, baud: u32) {
        self.0.borrow_mut().bauds.push(baud);
    }
}

const FOB: [u8; 5] = [0x10, 0x00, 0x86, 0xF4, 0x44];
const FOB_FRAME: &[u8] = b"\x02100086F44426\x03";
/// M100 set TX power to 20 dBm (readers.md).
const SET_POWER_20_DBM: [u8; 9] = [0xBB, 0x00, 0xB6, 0x00, 0x02, 0x07, 0xD0, 0x8F, 0x7E];

fn configure(ports: &[(u8, Option<ReaderKind>)]) -> Configure {
    Configure {
        debounce_ms: 500,
        uhf_tx_power_cdbm: 2_000,
        ports: ports
            .iter()
            .map(|&(port, kind)| PortAssignment { port, kind })
            .collect(),
    }
}

fn boot_config() -> Configure {
    configure(&[
        (0, Some(ReaderKind::Em4100)),
        (1, Some(ReaderKind::UhfM100)),
        (2, Some(ReaderKind::Mfrc522)),
    ])
}

/// Every message the gateway line carries, decoded.
fn messages(gateway: &MemoryUart) -> Vec<ToGateway> {
    let mut decoder = FrameDecoder::<ToGateway>::new();
    decoder
        .feed(&gateway.take_tx())
        .map(|frame| frame.unwrap().message)
        .collect()
}

fn tag_reads(messages: &[ToGateway]) -> Vec<(u8, TagId, u32)> {
    messages
        .iter()
        .filter_map(|message| match message {
            ToGateway::TagRead(read) => Some((read.port, read.tag.clone(), read.count)),
            _ => None,
        })
        .collect()
}

#[test]
fn boot_starts_each_reader_at_its_line_speed() {
    let (fob_line, uhf_line) = (MemoryUart::default(), MemoryUart::default());
    let mut gateway = MemoryUart::default();
    let mut fob_port = UartPort::new(0, fob_line.clone());
    let mut uhf_port = UartPort::new(1, uhf_line.clone());
    let mut chip_port = SpiPort::new(2, EmulatedMfrc522::default());
    let mut ports: [&mut dyn ReaderPort; 3] = [&mut fob_port, &mut uhf_port, &mut chip_port];
    let settings = Settings::default();
    let mut station =
        Station::<8>::new("test", "0.1.0", settings, boot_config(), &mut ports, 0).unwrap();
    assert_eq!(
        (fob_line.bauds(), uhf_line.bauds()),
        (vec![9_600], vec![115_200])
    );
    assert_eq!(station.step(&mut gateway, 0), Ok(None));
    assert_eq!(uhf_line.take_tx(), SET_POWER_20_DBM);
    assert!(matches!(messages(&gateway)[..], [ToGateway::Hello(_)]));
}

#[test]
fn reads_from_a_uart_and_an_spi_reader_reach_the_gateway() {
    let (fob_line, mut gateway) = <(MemoryUart, MemoryUart)>::default();
    let mut fob_port = UartPort::new(0, fob_line.clone());
    let mut uhf_port = UartPort::new(1, MemoryUart::default());
    let mut chip = EmulatedMfrc522::default();
    let card: Tag = "iso14443a:901F2AA4".parse().unwrap();
    chip.field().enter(card, 1, -40);
    let mut chip_port = SpiPort::new(2, chip);
    let mut ports: [&mut dyn ReaderPort; 3] = [&mut fob_port, &mut uhf_port, &mut chip_port];
    let settings = Settings::default();
    let mut station =
        Station::<8>::new("test", "0.1.0", settings, boot_config(), &mut ports, 0).unwrap();
    fob_line.send(&[FOB_FRAME, FOB_FRAME].concat());
    for now in (0..=1_000).step_by(10) {
        station.step(&mut gateway, now).unwrap();
    }
    let mut reads = tag_reads(&messages(&gateway));
    reads.sort_by_key(|read| read.0);
    let uid = TagId::Iso14443a(Uid::Single([0x90, 0x1F, 0x2A, 0xA4]));
    // The MFRC522 driver halts a card after reading it: one read per presence.
    assert_eq!(reads, [(0, TagId::Em4100(FOB), 2), (2, uid, 1)]);
}

#[test]
fn a_configuration_from_the_gateway_moves_readers_and_line_speeds() {
    let (fob_line, mut gateway) = <(MemoryUart, MemoryUart)>::default();
    let mut fob_port = UartPort::new(0, fob_line.clone());
    let mut chip_port = SpiPort::new(2, EmulatedMfrc522::default());
    let mut ports: [&mut dyn ReaderPort; 2] = [&mut fob_port, &mut chip_port];
    let boot = configure(&[(0, Some(ReaderKind::Em4100)), (2, None)]);
    let settings = Settings::default();
    let mut station = Station::<8>::new("test", "0.1.0", settings, boot, &mut ports, 0).unwrap();
    station.step(&mut gateway, 0).unwrap();
    messages(&gateway);

    let uhf = configure(&[(0, Some(ReaderKind::UhfM100))]);
    let mut frame = [0u8; MAX_FRAME_LEN];
    let len = encode_frame(7, &ToFirmware::Configure(uhf.clone()), &mut frame).unwrap();
    gateway.send(&frame[..len]);
    assert_eq!(station.step(&mut gateway, 10), Ok(Some(uhf)));
    assert_eq!(fob_line.bauds(), [9_600, 115_200]);
    station.step(&mut gateway, 20).unwrap();
    assert_eq!(fob_line.take_tx(), SET_POWER_20_DBM);
    let acked = ToGateway::ConfigAck(ConfigAck {
        configure_seq: 7,
        result: ConfigResult::Accepted,
    });
    assert_eq!(messages(&gateway), [acked]);
    // The EM4100 driver is gone: its frames are no longer reads.
    fob_line.send(FOB_FRAME);
    for now in (30..=1_000).step_by(10) {
        station.step(&mut gateway, now).unwrap();
    }
    assert_eq!(tag_reads(&messages(&gateway)), []);
}

#[test]
fn uptime_carries_over_a_counter_wrap() {
    let mut uptime = Uptime::new();
    assert_eq!(uptime.now_ms(5), 5);
    assert_eq!(uptime.now_ms(u32::MAX), u64::from(u32::MAX));
    assert_eq!(uptime.now_ms(3), (1 << 32) + 3);
    assert_eq!(uptime.now_ms(3), (1 << 32) + 3);
}
