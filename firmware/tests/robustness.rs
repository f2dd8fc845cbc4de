//! Property tests: arbitrary bytes never panic a driver or the application, buffers
//! stay bounded, and how bytes are chunked never changes what is decoded.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use core::convert::Infallible;

use embedded_hal::spi::{ErrorType, Operation, SpiDevice};
use proptest::prelude::*;
use trace_firmware::app::{App, Board, Bus, Port, Settings};
use trace_firmware::driver::SerialDriver;
use trace_firmware::em4100::Em4100;
use trace_firmware::event::ReaderEvent;
use trace_firmware::m100::{M100, M100Config};
use trace_firmware::mfrc522::{Mfrc522, Mfrc522Config};
use trace_firmware::pn532::{Pn532, Pn532Config};
use trace_proto::link::{Configure, FrameDecoder, MAX_FRAME_LEN, ToGateway};

/// Longest frame each driver buffers (EM4100, PN532, M100).
const LIMITS: [usize; 3] = [14, 73, 103];

/// Bytes in chunks, each chunk fed after a poll at a growing time.
fn run<D: SerialDriver>(driver: &mut D, chunks: &[Vec<u8>], limit: usize) -> Vec<ReaderEvent> {
    let mut events = Vec::new();
    for (i, chunk) in chunks.iter().enumerate() {
        events.extend(driver.poll(u64::try_from(i).unwrap() * 37));
        let pending = driver.pending_tx().len();
        driver.consume_tx(pending);
        for &byte in chunk {
            driver.push(byte);
            assert!(driver.pending_rx() <= limit);
            while let Some(event) = driver.next_event() {
                events.push(event);
            }
            assert!(driver.pending_rx() <= limit);
        }
    }
    events
}

/// Chunk boundaries over `bytes`, from a list of cut points.
fn chunked(bytes: &[u8], cuts: &[usize]) -> Vec<Vec<u8>> {
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
    cuts.sort_unstable();
    let mut chunks = Vec::new();
    let mut start = 0;
    for cut in cuts.into_iter().chain([bytes.len()]) {
        chunks.push(bytes[start..cut].to_vec());
        start = cut;
    }
    chunks
}

/// Frame-like noise: mostly start and end bytes of the three protocols.
fn noisy_bytes() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![
        any::<u8>(),
        Just(0x00),
        Just(0xFF),
        Just(0x02),
        Just(0x03),
        Just(0xBB),
        Just(0x7E),
        Just(b'A')
    ];
    proptest::collection::vec(byte, 0..600)
}

/// Feeds the same bytes whole and in chunks to fresh drivers (no polls) and compares.
fn same_whole_and_chunked<D: SerialDriver>(make: impl Fn() -> D, bytes: &[u8], cuts: &[usize]) {
    let whole: Vec<_> = make().feed(bytes).collect();
    let mut driver = make();
    let pieces: Vec<_> = chunked(bytes, cuts)
        .iter()
        .flat_map(|c| driver.feed(c).collect::<Vec<_>>())
        .collect();
    assert_eq!(whole, pieces);
}

proptest! {
    #[test]
    fn drivers_survive_any_bytes(bytes in noisy_bytes(), cuts in proptest::collection::vec(any::<usize>(), 0..20)) {
        let chunks = chunked(&bytes, &cuts);
        run(&mut Em4100::new(), &chunks, LIMITS[0]);
        run(&mut Pn532::new(Pn532Config::default()), &chunks, LIMITS[1]);
        run(&mut M100::new(M100Config::default()), &chunks, LIMITS[2]);
    }

    #[test]
    fn chunking_never_changes_the_events(bytes in noisy_bytes(), cuts in proptest::collection::vec(any::<usize>(), 0..20)) {
        same_whole_and_chunked(Em4100::new, &bytes, &cuts);
        same_whole_and_chunked(|| Pn532::new(Pn532Config::default()), &bytes, &cuts);
        same_whole_and_chunked(|| M100::new(M100Config::default()), &bytes, &cuts);
    }

    #[test]
    fn every_frame_between_garbage_without_start_bytes_is_read(
        garbage in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 1..8),
        cuts in proptest::collection::vec(any::<usize>(), 0..20),
    ) {
        let em4100 = b"\x02100086F44426\x03";
        let m100 = common::hex("BB 02 22 00 11 C9 34 00 30 75 1F EB 70 5C 59 04 E3 D5 0D 70 3A 76 EF 7E");
        for (frame, start, driver) in [(&em4100[..], 0x02, 0), (&m100[..], 0xBB, 1)] {
            let mut stream = Vec::new();
            for noise in &garbage {
                stream.extend(noise.iter().filter(|&&b| b != start));
                stream.extend_from_slice(frame);
            }
            let chunks = chunked(&stream, &cuts);
            let tags = match driver {
                0 => run(&mut Em4100::new(), &chunks, LIMITS[0]),
                _ => run(&mut M100::new(M100Config::default()), &chunks, LIMITS[2]),
            };
            let tags = tags.iter().filter(|e| matches!(e, ReaderEvent::Tag(_))).count();
            prop_assert_eq!(tags, garbage.len());
        }
    }

    #[test]
    fn the_mfrc522_driver_survives_any_register_values(values in proptest::collection::vec(any::<u8>(), 1..400)) {
        let mut driver = Mfrc522::new(RandomChip { values, next: 0 }, Mfrc522Config::default());
        for now in 0..300u64 {
            driver.poll(now * 7).unwrap();
        }
    }

    #[test]
    fn the_application_survives_any_gateway_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..1000)) {
        let board = Board {
            name: "test".try_into().unwrap(),
            firmware_version: "0".try_into().unwrap(),
            ports: heapless::Vec::from_slice(&[Port { port: 0, bus: Bus::Uart }]).unwrap(),
        };
        let config = Configure { debounce_ms: 10, uhf_tx_power_cdbm: 2000, ports: heapless::Vec::new() };
        let mut app = App::<4>::new(board, Settings::default(), config, 0).unwrap();
        app.receive(&bytes);
        let mut out = [0u8; MAX_FRAME_LEN];
        let mut decoder = FrameDecoder::<ToGateway>::new();
        while let Some(len) = app.next_frame(10_000, &mut out) {
            for frame in decoder.feed(&out[..len]) {
                frame.unwrap();
            }
        }
    }
}

/// An SPI device answering every read with the next of a fixed list of bytes.
struct RandomChip {
    values: Vec<u8>,
    next: usize,
}

impl ErrorType for RandomChip {
    type Error = Infallible;
}

impl SpiDevice for RandomChip {
    fn transaction(&mut self, operations: &mut [Operation<'_, u8>]) -> Result<(), Infallible> {
        for operation in operations {
            let buf: &mut [u8] = match operation {
                Operation::Read(buf) | Operation::TransferInPlace(buf) => buf,
                Operation::Transfer(read, _) => read,
                Operation::Write(_) | Operation::DelayNs(_) => continue,
            };
            for byte in buf.iter_mut() {
                *byte = self.values[self.next % self.values.len()];
                self.next += 1;
            }
        }
        Ok(())
    }
}
