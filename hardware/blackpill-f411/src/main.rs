//! rfid-trace firmware for the WeAct Black Pill (STM32F411CEU6, 25 MHz crystal).
//! Wiring, levels and flashing: `hardware/README.md`.
//!
//! | port    | peripheral                           | reader at boot         |
//! |---------|--------------------------------------|------------------------|
//! | gateway | USART1: PA9 TX, PA10 RX              | — (the trace-proto link) |
//! | 0       | USART2: PA2 TX, PA3 RX               | EM4100 (RDM6300 class) |
//! | 1       | USART6: PA11 TX, PA12 RX             | UHF M100 family        |
//! | 2       | SPI1: PA5 SCK, PA6 MISO, PA7 MOSI, PA4 CS | MFRC522           |
//!
//! The gateway may put any UART reader on ports 0 and 1 (the USART follows the
//! module's speed) and switch the MFRC522 off. A panic resets the MCU: the gateway
//! sees a new `Hello` and frame sequence 0, and reading goes on.
#![no_std]
#![no_main]

mod serial;

use cortex_m_rt::entry;
use embedded_hal_bus::spi::ExclusiveDevice;
use static_cell::StaticCell;
use stm32f4xx_hal::gpio::{Output, Pin};
use stm32f4xx_hal::pac::{self, Interrupt, interrupt};
use stm32f4xx_hal::prelude::*;
use stm32f4xx_hal::rcc::{Config as ClockConfig, Rcc};
use stm32f4xx_hal::serial::Serial;
use stm32f4xx_hal::spi::{Mode, Phase, Polarity, Spi};
use trace_firmware::app::Settings;
use trace_proto::link::{Configure, PortAssignment, ReaderKind};
use trace_station::{ReaderPort, SpiPort, Station, StationError, UartPort, Uptime};

use serial::{BufferedSerial, RccCell, RxCell, on_interrupt, rx_cell};

const BOARD_NAME: &str = "blackpill-f411";
const GATEWAY_BAUD: u32 = 115_200;
/// Reads of one tag closer than this are one sighting until the gateway says otherwise.
const BOOT_DEBOUNCE_MS: u32 = 500;
const BOOT_UHF_TX_POWER_CDBM: i16 = 2_000;
/// The MFRC522 takes up to 10 MHz; 4 MHz leaves margin for flying leads.
const MFRC522_SPI_HZ: u32 = 4_000_000;

type Mfrc522Spi =
    ExclusiveDevice<Spi<pac::SPI1>, Pin<'A', 4, Output>, embedded_hal_bus::spi::NoDelay>;
type Ports = [&'static mut dyn ReaderPort; 3];

static GATEWAY_RX: RxCell<pac::USART1> = rx_cell();
static PORT0_RX: RxCell<pac::USART2> = rx_cell();
static PORT1_RX: RxCell<pac::USART6> = rx_cell();
static RCC: RccCell = RccCell::new(core::cell::RefCell::new(None));
// In statics rather than on main's stack, so the size report counts them.
static PORT0: StaticCell<UartPort<BufferedSerial<pac::USART2>>> = StaticCell::new();
static PORT1: StaticCell<UartPort<BufferedSerial<pac::USART6>>> = StaticCell::new();
static PORT2: StaticCell<SpiPort<Mfrc522Spi>> = StaticCell::new();
static PORTS: StaticCell<Ports> = StaticCell::new();
static STATION: StaticCell<Result<Station<'static>, StationError>> = StaticCell::new();

#[interrupt]
fn USART1() {
    on_interrupt(&GATEWAY_RX);
}

#[interrupt]
fn USART2() {
    on_interrupt(&PORT0_RX);
}

#[interrupt]
fn USART6() {
    on_interrupt(&PORT1_RX);
}

/// The reader assignment the board boots with.
fn boot_config() -> Configure {
    let assign = |port, kind| PortAssignment { port, kind };
    Configure {
        debounce_ms: BOOT_DEBOUNCE_MS,
        uhf_tx_power_cdbm: BOOT_UHF_TX_POWER_CDBM,
        ports: [
            assign(0, Some(ReaderKind::Em4100)),
            assign(1, Some(ReaderKind::UhfM100)),
            assign(2, Some(ReaderKind::Mfrc522)),
        ]
        .into_iter()
        .collect(),
    }
}

#[entry]
fn main() -> ! {
    let Some(dp) = pac::Peripherals::take() else {
        reset()
    };
    let mut rcc = dp.RCC.freeze(ClockConfig::hse(25.MHz()).sysclk(96.MHz()));
    let gpioa = dp.GPIOA.split(&mut rcc);
    let mut clock = dp.TIM2.counter_ms(&mut rcc);
    // TIM2 counts 32 bits; Uptime extends it (it runs one tick short of 2^32 per
    // wrap, so uptime gains a millisecond every 49.7 days).
    if clock.start(u32::MAX.millis()).is_err() {
        reset()
    }

    let serial_at = |baud: u32| stm32f4xx_hal::serial::Config::default().baudrate(baud.bps());
    let (Ok(gateway), Ok(port0), Ok(port1)) = (
        Serial::new(
            dp.USART1,
            (gpioa.pa9, gpioa.pa10),
            serial_at(GATEWAY_BAUD),
            &mut rcc,
        ),
        Serial::new(
            dp.USART2,
            (gpioa.pa2, gpioa.pa3),
            serial_at(9_600),
            &mut rcc,
        ),
        Serial::new(
            dp.USART6,
            (gpioa.pa11, gpioa.pa12),
            serial_at(115_200),
            &mut rcc,
        ),
    ) else {
        reset()
    };
    let mode = Mode {
        polarity: Polarity::IdleLow,
        phase: Phase::CaptureOnFirstTransition,
    };
    let spi = Spi::new(
        dp.SPI1,
        (Some(gpioa.pa5), Some(gpioa.pa6), Some(gpioa.pa7)),
        mode,
        MFRC522_SPI_HZ.Hz(),
        &mut rcc,
    );
    let chip_select = gpioa.pa4.into_push_pull_output_in_state(true.into());
    let Ok(mfrc522) = ExclusiveDevice::new_no_delay(spi, chip_select);
    install_rcc(rcc);

    let mut gateway = BufferedSerial::new(gateway, &GATEWAY_RX, &RCC);
    let ports = PORTS.init([
        PORT0.init(UartPort::new(
            0,
            BufferedSerial::new(port0, &PORT0_RX, &RCC),
        )),
        PORT1.init(UartPort::new(
            1,
            BufferedSerial::new(port1, &PORT1_RX, &RCC),
        )),
        PORT2.init(SpiPort::new(2, mfrc522)),
    ]);
    unmask_uart_interrupts();

    let mut uptime = Uptime::new();
    let now = uptime.now_ms(clock.now().ticks());
    let Ok(station) = start_station(ports, now) else {
        reset()
    };
    loop {
        let now = uptime.now_ms(clock.now().ticks());
        let Ok(_) = station.step(&mut gateway, now);
    }
}

/// Builds the station straight into its static, outside `main`'s frame (which lives
/// as long as the firmware): at opt-level "z" every move of the 4.8 KiB station is a
/// copy on the stack.
#[inline(never)]
fn start_station(
    ports: &'static mut Ports,
    now_ms: u64,
) -> &'static mut Result<Station<'static>, StationError> {
    let version = env!("CARGO_PKG_VERSION");
    STATION.init_with(|| {
        Station::new(
            BOARD_NAME,
            version,
            Settings::default(),
            boot_config(),
            ports,
            now_ms,
        )
    })
}

fn install_rcc(rcc: Rcc) {
    critical_section::with(|cs| *RCC.borrow_ref_mut(cs) = Some(rcc));
}

#[allow(unsafe_code)]
fn unmask_uart_interrupts() {
    for interrupt in [Interrupt::USART1, Interrupt::USART2, Interrupt::USART6] {
        // SAFETY: the handlers only touch their `RxCell` inside critical sections,
        // which cortex-m implements by masking interrupts, so unmasking cannot break
        // a critical section in progress.
        unsafe { cortex_m::peripheral::NVIC::unmask(interrupt) };
    }
}

/// Starts again from scratch: the gateway sees a new `Hello`.
fn reset() -> ! {
    cortex_m::peripheral::SCB::sys_reset()
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    reset()
}
