//! Emulated reader modules driven scene by scene from a test: an emulator behind a TCP
//! server (the QEMU board's reader UARTs connect to it), moved forward in emulated time
//! in one locked step per scene, so the number of frames a module sends for a tag is
//! exact however slow the machine. The tags are `docs/readers.md`'s examples.

use std::time::{Duration, Instant};

use trace_emulators::em4100::{self, Em4100Reader};
use trace_emulators::m100::{self, M100};
use trace_emulators::scenario::Scenario;
use trace_emulators::transport::tcp::TcpServer;
use trace_emulators::{Emulator, Gen2Tag, Scene, Tag};

use crate::error::{E2eError, Result};
use crate::wait::wait_for;

/// readers.md's EM4100 example: `02 "100086F444" "26" 03`.
pub const FOB: [u8; 5] = [0x10, 0x00, 0x86, 0xF4, 0x44];
/// The fob's identity inside the system.
pub const FOB_URI: &str = "urn:rfid-trace:uid:em4100:100086F444";
/// readers.md's M100 example tag: PC 0x3400, this EPC (SGTIN-96).
pub const PC: u16 = 0x3400;
/// The M100 example tag's EPC bank.
pub const EPC: [u8; 12] = [
    0x30, 0x75, 0x1F, 0xEB, 0x70, 0x5C, 0x59, 0x04, 0xE3, 0xD5, 0x0D, 0x70,
];
/// The M100 example tag's identity inside the system.
pub const EPC_URI: &str = "urn:epc:id:sgtin:4717276.094564.21002259824";

/// An emulator behind a TCP server, with the emulated time its last scene ended at.
#[derive(Debug)]
pub struct Module<E> {
    /// The server (its address is what a board UART connects to).
    pub server: TcpServer<E>,
    scene_end: Duration,
}

impl<E: Emulator + 'static> Module<E> {
    /// Serves `emulator` on an ephemeral loopback port.
    pub fn start(emulator: E) -> Result<Self> {
        Ok(Self {
            server: TcpServer::start(emulator, Scenario::new())
                .map_err(E2eError::io("starting an emulator's TCP server"))?,
            scene_end: Duration::ZERO,
        })
    }

    /// Runs `scene` on the emulator, locked against its server thread, from a time
    /// after every earlier scene, once the emulator has caught up with that time (so
    /// output due before the scene is sent before it). `scene` returns its end time.
    pub fn scene(&mut self, scene: impl FnOnce(&mut E, Duration) -> Duration) {
        let floor = self.scene_end;
        self.scene_end = self.server.with(|session| {
            let start = session.now().max(floor);
            session.emulator.advance(start);
            scene(&mut session.emulator, start)
        });
    }
}

/// The fob in front of the EM4100 module for exactly `frames` frames (one every
/// 50 ms of emulated time), the first `corrupt` of them with a wrong checksum.
pub fn show_fob(module: &mut Module<Em4100Reader>, frames: u32, corrupt: u32) {
    let fob = Tag::Em4100(trace_emulators::Em4100Tag::new(FOB));
    module.scene(|reader, start| {
        reader.faults().corrupt_next(corrupt);
        reader.field().enter(fob.clone(), 1, -50);
        // The module reads the fob as it enters, then every 50 ms.
        reader.advance(start);
        let end = start + em4100::REPEAT * frames.saturating_sub(1);
        reader.advance(end);
        reader.field().clear();
        end
    });
}

/// The UHF tag in front of the M100 for one inventory round per RSSI given.
pub fn show_uhf_tag(module: &mut Module<M100>, rssi_per_round: &[i8]) -> Result<()> {
    let tag = Gen2Tag::new(&EPC)
        .and_then(|tag| tag.with_pc(PC))
        .map(Tag::Gen2)
        .map_err(|e| E2eError::Setup(format!("the example EPC: {e}")))?;
    module.scene(|reader, start| {
        let mut now = start;
        for &rssi in rssi_per_round {
            reader.field().enter(tag.clone(), m100::ANTENNA, rssi);
            now += m100::ROUND_INTERVAL;
            reader.advance(now);
        }
        reader.field().clear();
        now
    });
    Ok(())
}

/// Waits until the firmware has set the M100's power and started its inventory.
pub fn wait_for_inventory(module: &Module<M100>, timeout: Duration) -> Result<()> {
    let start = Instant::now();
    wait_for(
        "the firmware to start the M100's inventory",
        timeout,
        || {
            Ok(if module.server.with(|s| s.emulator.is_polling()) {
                Ok(())
            } else {
                Err(format!("not polling after {:?}", start.elapsed()))
            })
        },
    )
}
