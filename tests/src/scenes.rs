//! Emulated reader modules driven scene by scene from a test: an emulator behind a TCP
//! server (the QEMU board's reader UARTs connect to it), moved forward in emulated time
//! in one locked step per scene, so the number of frames a module sends for a tag is
//! exact however slow the machine. The tags are `docs/readers.md`'s examples.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use trace_emulators::em4100::{self, Em4100Reader};
use trace_emulators::m100::{self, M100};
use trace_emulators::scenario::Scenario;
use trace_emulators::transport::tcp::TcpServer;
use trace_emulators::{Emulator, Gen2Tag, Scene, Tag};

use trace_proto::epc::Epc;
use trace_proto::uid::{TagUid, UidTech};

use crate::error::{E2eError, Result};
use crate::wait::wait_for;

/// readers.md's EM4100 example: `02 "100086F444" "26" 03`.
pub const FOB: [u8; 5] = [0x10, 0x00, 0x86, 0xF4, 0x44];
/// readers.md's M100 example tag: PC 0x3400, this EPC (SGTIN-96).
pub const PC: u16 = 0x3400;
/// The M100 example tag's EPC bank.
pub const EPC: [u8; 12] = [
    0x30, 0x75, 0x1F, 0xEB, 0x70, 0x5C, 0x59, 0x04, 0xE3, 0xD5, 0x0D, 0x70,
];

/// A fob and a UHF tag (SGTIN-96) no other run uses: on a shared broker a retained
/// recall list from an earlier run must not name them. The fob's ID bytes and the
/// SGTIN's serial are derived from the process id and the clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunTags {
    /// The EM4100 fob's 5 data bytes.
    pub fob: [u8; 5],
    /// The UHF tag's EPC bank (after the PC word).
    pub epc: [u8; 12],
}

impl RunTags {
    /// Tags for this run: the example tags with a unique ID and serial.
    pub fn new() -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        // Two tests of one process starting in the same nanosecond still differ.
        static RUNS: AtomicU64 = AtomicU64::new(0);
        let n = (u64::from(std::process::id()) << 20)
            ^ (nanos as u64)
            ^ RUNS.fetch_add(1, Ordering::Relaxed);
        let [_, _, _, _, id @ ..] = n.to_be_bytes();
        let mut fob = FOB;
        fob[1..].copy_from_slice(&id);
        // SGTIN-96: the serial is the low 38 bits.
        let serial = n & ((1 << 38) - 1);
        let mut wide = [0u8; 16];
        wide[4..].copy_from_slice(&EPC);
        let value = (u128::from_be_bytes(wide) & !((1 << 38) - 1)) | u128::from(serial);
        let mut epc = [0; 12];
        epc.copy_from_slice(&value.to_be_bytes()[4..]);
        Self { fob, epc }
    }

    /// The fob's identity inside the system (`urn:rfid-trace:uid:em4100:…`).
    pub fn fob_uri(&self) -> Result<String> {
        TagUid::new(UidTech::Em4100, &self.fob)
            .map(|uid| uid.to_string())
            .map_err(|e| E2eError::Setup(format!("fob {:02X?}: {e}", self.fob)))
    }

    /// The UHF tag's identity inside the system (`urn:epc:id:sgtin:…`).
    pub fn epc_uri(&self) -> Result<String> {
        Epc::from_bytes(&self.epc)
            .map(|epc| epc.identity().to_string())
            .map_err(|e| E2eError::Setup(format!("EPC {:02X?}: {e}", self.epc)))
    }
}

impl Default for RunTags {
    fn default() -> Self {
        Self::new()
    }
}

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

/// The fob sending `fob` in front of the EM4100 module for exactly `frames` frames
/// (one every 50 ms of emulated time), the first `corrupt` of them with a wrong
/// checksum.
pub fn show_fob(module: &mut Module<Em4100Reader>, fob: [u8; 5], frames: u32, corrupt: u32) {
    let fob = Tag::Em4100(trace_emulators::Em4100Tag::new(fob));
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

/// The UHF tag with EPC `epc` (and PC [`PC`]) in front of the M100 for one inventory
/// round per RSSI given.
pub fn show_uhf_tag(
    module: &mut Module<M100>,
    epc: &[u8; 12],
    rssi_per_round: &[i8],
) -> Result<()> {
    let tag = Gen2Tag::new(epc)
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
