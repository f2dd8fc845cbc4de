//! rfid-trace firmware for QEMU's `lm3s6965evb` machine (Cortex-M3), the board the
//! host tests boot. Ports (QEMU maps its N-th `-serial` option to UART N):
//!
//! | port    | peripheral     | reader at boot            |
//! |---------|----------------|---------------------------|
//! | gateway | UART0          | — (the trace-proto link)  |
//! | 0       | UART1          | EM4100 (RDM6300 class)    |
//! | 1       | UART2          | UHF M100 family           |
//! | 2       | SSI0, CS = PA3 | none; MFRC522 when asked  |
//!
//! The gateway may assign any UART reader to ports 0 and 1, so all four drivers are
//! in the image. A `Configure` leaving every port without a reader powers this board
//! off: open reads are flushed to the gateway and QEMU exits with status 0 through
//! semihosting, so a test ends the run when it chooses. A panic or a hard fault exits
//! with status 1.
#![no_std]
#![no_main]

mod clock;
mod pl011;
mod ssi;

use cortex_m_rt::{ExceptionFrame, entry, exception};
use cortex_m_semihosting::debug::{self, EXIT_FAILURE, EXIT_SUCCESS};
use embedded_io::Write;
use static_cell::StaticCell;
use trace_firmware::app::Settings;
use trace_proto::link::{Configure, PortAssignment, ReaderKind};
use trace_station::{ReaderPort, SpiPort, Station, StationError, UartPort};

use clock::Clock;
use pl011::{Instance, Pl011};
use ssi::Ssi;

/// The core clock QEMU models for the LM3S6965 out of reset.
const CLOCK_HZ: u32 = 12_000_000;
const GATEWAY_BAUD: u32 = 115_200;
const BOARD_NAME: &str = "qemu-lm3s6965";
/// Reads of one tag closer than this are one sighting until the gateway says otherwise.
const BOOT_DEBOUNCE_MS: u32 = 500;
const BOOT_UHF_TX_POWER_CDBM: i16 = 2_000;

type Ports = [&'static mut dyn ReaderPort; 3];

// In statics rather than on main's stack, so the size report counts them.
static EM4100_PORT: StaticCell<UartPort<Pl011>> = StaticCell::new();
static UHF_PORT: StaticCell<UartPort<Pl011>> = StaticCell::new();
static SPI_PORT: StaticCell<SpiPort<Ssi>> = StaticCell::new();
static PORTS: StaticCell<Ports> = StaticCell::new();
static STATION: StaticCell<Result<Station<'static>, StationError>> = StaticCell::new();

/// The reader assignment the board boots with.
fn boot_config() -> Configure {
    let assign = |port, kind| PortAssignment { port, kind };
    Configure {
        debounce_ms: BOOT_DEBOUNCE_MS,
        uhf_tx_power_cdbm: BOOT_UHF_TX_POWER_CDBM,
        ports: [
            assign(0, Some(ReaderKind::Em4100)),
            assign(1, Some(ReaderKind::UhfM100)),
            assign(2, None),
        ]
        .into_iter()
        .collect(),
    }
}

#[entry]
fn main() -> ! {
    let Some(core) = cortex_m::Peripherals::take() else {
        fail()
    };
    let mut clock = Clock::start(core.SYST, CLOCK_HZ);
    let mut gateway = Pl011::new(Instance::Uart0, CLOCK_HZ, GATEWAY_BAUD);
    let Ok(station) = boot() else { fail() };
    loop {
        let now = clock.now_ms();
        let Ok(applied) = station.step(&mut gateway, now);
        if applied.is_some_and(|config| config.ports.iter().all(|p| p.kind.is_none())) {
            power_off(station, &mut gateway, now);
        }
        // SysTick wakes the core every millisecond; QEMU's FIFOs hold what arrives.
        cortex_m::asm::wfi();
    }
}

/// Builds the ports and the station in their statics. Kept out of `main`, whose frame
/// lives as long as the firmware, and built straight into the statics: at opt-level
/// "z" every move of the 4.8 KiB station is a copy on the stack.
#[inline(never)]
fn boot() -> &'static mut Result<Station<'static>, StationError> {
    // Each UART starts at the speed of its boot reader; the station changes it with
    // the reader.
    let ports = PORTS.init([
        EM4100_PORT.init(UartPort::new(
            0,
            Pl011::new(Instance::Uart1, CLOCK_HZ, 9_600),
        )),
        UHF_PORT.init(UartPort::new(
            1,
            Pl011::new(Instance::Uart2, CLOCK_HZ, 115_200),
        )),
        SPI_PORT.init(SpiPort::new(2, Ssi::new(CLOCK_HZ))),
    ]);
    let version = env!("CARGO_PKG_VERSION");
    STATION.init_with(|| {
        Station::new(
            BOARD_NAME,
            version,
            Settings::default(),
            boot_config(),
            ports,
            0,
        )
    })
}

/// Sends the pending `ConfigAck` and every open read, then ends the QEMU run.
fn power_off(station: &mut Station<'static>, gateway: &mut Pl011, now_ms: u64) -> ! {
    station.app().flush_reads();
    let Ok(_) = station.step(gateway, now_ms);
    let Ok(()) = gateway.flush();
    debug::exit(EXIT_SUCCESS);
    halt()
}

/// Ends the QEMU run with a failure status.
fn fail() -> ! {
    debug::exit(EXIT_FAILURE);
    halt()
}

/// Where the core stays if no debugger took the exit request.
fn halt() -> ! {
    loop {
        cortex_m::asm::wfi();
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    fail()
}

#[allow(unsafe_code)]
#[exception]
unsafe fn HardFault(_frame: &ExceptionFrame) -> ! {
    fail()
}
