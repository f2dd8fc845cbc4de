//! Cost of one parsed frame in each reader driver, for regressions.
//!
//! Each driver first talks to its byte-exact emulator (`trace-emulators`) until it has
//! read [`FRAMES`] tags; that session — what the module sent and when, or for the MFRC522
//! what each SPI read returned — is recorded. The measured part replays the recording
//! into fresh drivers, so the emulator's own work is not counted and every replay is the
//! same instruction stream.
//!
//! - `cargo bench -p trace-firmware --bench frame_cost` prints ns per frame per driver;
//! - `frame_cost DRIVER REPLAYS` replays one driver's session `REPLAYS` times, the form
//!   `scripts/frame-cost.sh` runs under callgrind twice to get instructions per frame;
//! - without arguments (as `cargo test --all-targets` runs it) one replay of each, checked.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::convert::Infallible;
use std::hint::black_box;
use std::time::{Duration, Instant};

use embedded_hal::spi::{ErrorType, Operation, SpiDevice};
use trace_emulators::em4100::Em4100Reader;
use trace_emulators::m100::M100 as M100Module;
use trace_emulators::mfrc522::Mfrc522 as Mfrc522Chip;
use trace_emulators::mfrc522::spi::{SharedMfrc522, SpiFault};
use trace_emulators::pn532::Pn532 as Pn532Module;
use trace_emulators::{Em4100Tag, Emulator, Gen2Tag, Iso14443aTag, Scene, Tag};
use trace_firmware::driver::SerialDriver;
use trace_firmware::em4100::Em4100;
use trace_firmware::event::ReaderEvent;
use trace_firmware::m100::{M100, M100Config};
use trace_firmware::mfrc522::{Mfrc522, Mfrc522Config};
use trace_firmware::pn532::{Pn532, Pn532Config};

/// Tag reads in one recorded session.
const FRAMES: usize = 1000;
/// Give up recording after this much emulated time: a driver that stopped reading.
const MAX_MS: u64 = 600_000;
const DRIVERS: [&str; 4] = ["em4100", "pn532", "m100", "mfrc522"];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [flag, ..] if flag == "--bench" => {
            for name in DRIVERS {
                let session = Session::record(name);
                let replays = 20;
                let started = Instant::now();
                session.replay(replays);
                let per_frame = started.elapsed() / (replays * FRAMES) as u32;
                println!("{name:8} {:>6} ns/frame", per_frame.as_nanos());
            }
        }
        [name, replays] => {
            let replays: usize = replays.parse().expect("REPLAYS is a count");
            Session::record(name).replay(replays);
        }
        [] => {
            for name in DRIVERS {
                Session::record(name).replay(1);
            }
        }
        _ => panic!("usage: frame_cost [--bench | DRIVER REPLAYS]"),
    }
}

/// What a UART module sent, and when: (time, bytes since the previous step).
type Steps = Vec<(u64, Vec<u8>)>;
/// Replays steps into a fresh driver of one kind and counts the tags it reads.
type Replayer = Box<dyn Fn(&Steps) -> usize>;

/// One driver's recorded conversation.
enum Session {
    /// A UART module.
    Uart { replay: Replayer, steps: Steps },
    /// The MFRC522: (time of each poll, bytes each SPI read returned, in order).
    Spi { polls: Vec<u64>, reads: Vec<u8> },
}

impl Session {
    fn record(name: &str) -> Self {
        match name {
            "em4100" => {
                let mut module = Em4100Reader::new(Duration::from_millis(50));
                module.field().enter(
                    Tag::Em4100(Em4100Tag::new([0x0F, 0, 0x12, 0x34, 0x56])),
                    1,
                    -40,
                );
                record_uart(Em4100::new, module)
            }
            "pn532" => {
                let mut module = Pn532Module::new();
                let card = Iso14443aTag::new(&[0x04, 0x22, 0x71, 0x9A, 0x5B, 0x30, 0x80]);
                module.field().enter(Tag::Iso14443a(card.unwrap()), 1, -40);
                record_uart(|| Pn532::new(Pn532Config::default()), module)
            }
            "m100" => {
                let mut module = M100Module::new(Duration::from_millis(20));
                for n in 0..10u8 {
                    let epc = [0x30, 0x74, 0x25, 0x7B, 0xF7, 0x19, 0x4E, 0x40, 0, 0, 0, n];
                    let tag = Gen2Tag::new(&epc).unwrap();
                    module.field().enter(Tag::Gen2(tag), 1, -55);
                }
                record_uart(|| M100::new(M100Config::default()), module)
            }
            "mfrc522" => record_spi(),
            other => panic!("unknown driver {other:?}: {DRIVERS:?}"),
        }
    }

    /// Replays the session into `replays` fresh drivers; each must read every tag again.
    fn replay(&self, replays: usize) {
        for _ in 0..replays {
            let tags = match self {
                Self::Uart { replay, steps } => replay(steps),
                Self::Spi { polls, reads } => replay_spi(polls, reads),
            };
            assert_eq!(tags, FRAMES, "a replay read a different number of tags");
        }
    }
}

fn is_tag(event: &ReaderEvent) -> bool {
    matches!(event, ReaderEvent::Tag(_))
}

/// Runs driver and module in lockstep, one millisecond per step, until `FRAMES` tags.
fn record_uart<D: SerialDriver + 'static>(make: fn() -> D, mut module: impl Emulator) -> Session {
    let mut driver = make();
    let mut steps = Vec::new();
    let mut tags = 0;
    for now in 0..MAX_MS {
        let polled = driver.poll(now);
        tags += usize::from(polled.as_ref().is_some_and(is_tag));
        let tx = driver.pending_tx().to_vec();
        driver.consume_tx(tx.len());
        module.feed(&tx);
        module.advance(Duration::from_millis(now));
        let mut rx = Vec::new();
        module.poll(&mut rx);
        for event in driver.feed(&rx) {
            tags += usize::from(is_tag(&event));
        }
        // Steps where nothing happened are left out, so a frame's cost is its parsing
        // and the polls that matter, not the idle milliseconds between frames.
        if polled.is_some() || !tx.is_empty() || !rx.is_empty() {
            steps.push((now, rx));
        }
        if tags >= FRAMES {
            let replay = Box::new(move |steps: &Steps| replay_uart(make(), steps));
            return Session::Uart { replay, steps };
        }
    }
    panic!("the driver read only {tags} tags in {MAX_MS} ms");
}

fn replay_uart(mut driver: impl SerialDriver, steps: &Steps) -> usize {
    let mut tags = 0;
    for (now, rx) in steps {
        tags += usize::from(driver.poll(*now).is_some_and(|e| is_tag(&e)));
        let written = black_box(driver.pending_tx()).len();
        driver.consume_tx(written);
        for event in driver.feed(rx) {
            tags += usize::from(is_tag(&black_box(event)));
        }
    }
    tags
}

/// An SPI device that passes transactions to the emulated chip and keeps what it read.
struct Recording {
    chip: SharedMfrc522,
    reads: Vec<u8>,
}

impl ErrorType for Recording {
    type Error = SpiFault;
}

impl SpiDevice for Recording {
    fn transaction(&mut self, operations: &mut [Operation<'_, u8>]) -> Result<(), SpiFault> {
        self.chip.transaction(operations)?;
        for operation in operations.iter() {
            match operation {
                Operation::Read(bytes) | Operation::TransferInPlace(bytes) => {
                    self.reads.extend_from_slice(bytes);
                }
                Operation::Transfer(read, _) => self.reads.extend_from_slice(read),
                Operation::Write(_) | Operation::DelayNs(_) => {}
            }
        }
        Ok(())
    }
}

/// An SPI device answering every read from a recording, in order.
struct Replay<'a> {
    reads: &'a [u8],
}

impl Replay<'_> {
    fn fill(&mut self, bytes: &mut [u8]) {
        let (now, rest) = self.reads.split_at(bytes.len());
        bytes.copy_from_slice(now);
        self.reads = rest;
    }
}

impl ErrorType for Replay<'_> {
    type Error = Infallible;
}

impl SpiDevice for Replay<'_> {
    fn transaction(&mut self, operations: &mut [Operation<'_, u8>]) -> Result<(), Infallible> {
        for operation in operations.iter_mut() {
            match operation {
                Operation::Read(bytes) | Operation::TransferInPlace(bytes) => self.fill(bytes),
                Operation::Transfer(read, _) => self.fill(read),
                Operation::Write(_) | Operation::DelayNs(_) => {}
            }
        }
        Ok(())
    }
}

/// Polls the driver every millisecond; after each read the card leaves and another
/// enters (the driver halts a card it has read, so one card is read once).
fn record_spi() -> Session {
    let chip = SharedMfrc522::new(Mfrc522Chip::new(0x92));
    let recording = Recording {
        chip: chip.clone(),
        reads: Vec::new(),
    };
    let mut driver = Mfrc522::new(recording, Mfrc522Config::default());
    let mut polls = Vec::new();
    let mut tags = 0u32;
    for now in 0..MAX_MS {
        polls.push(now);
        let event = driver.poll(now).unwrap();
        if event.as_ref().is_some_and(is_tag) || now == 0 {
            tags += u32::from(now != 0);
            let mut chip = chip.lock().unwrap();
            chip.field().clear();
            let [.., high, low] = tags.to_be_bytes();
            let uid = [0x04, 0x10, 0x20, high, low, 0x30, 0x80];
            let card = Iso14443aTag::new(&uid).unwrap();
            chip.field().enter(Tag::Iso14443a(card), 1, -40);
        }
        if tags as usize >= FRAMES {
            let reads = driver.release().reads;
            return Session::Spi { polls, reads };
        }
    }
    panic!("the MFRC522 driver read only {tags} cards in {MAX_MS} ms");
}

fn replay_spi(polls: &[u64], reads: &[u8]) -> usize {
    let mut driver = Mfrc522::new(Replay { reads }, Mfrc522Config::default());
    let mut tags = 0;
    for &now in polls {
        let event = driver.poll(now).unwrap_or_else(|never| match never {});
        tags += usize::from(black_box(event).as_ref().is_some_and(is_tag));
    }
    tags
}
