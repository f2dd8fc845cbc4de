//! `trace-emulate`: runs one emulated reader module on a pseudo-terminal or a TCP port.
//!
//! The first line on standard output says where it listens, for programs that spawn it:
//! `listening pty /dev/pts/7` or `listening tcp 127.0.0.1:40123`.

use std::io::Write;
use std::path::PathBuf;
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use clap::{Parser, ValueEnum};
use trace_emulators::em4100::Em4100Reader;
use trace_emulators::llrp::{LlrpConfig, LlrpReader};
use trace_emulators::m100::M100;
use trace_emulators::pn532::Pn532;
use trace_emulators::scenario::{Action, Scenario};
use trace_emulators::transport::tcp::TcpServer;
use trace_emulators::{Emulator, Tag};

/// Run an emulated RFID reader module for tests and demos.
///
/// Serial modules (em4100, pn532, m100) default to a pseudo-terminal that programs open as
/// a serial port; the LLRP reader defaults to TCP on an ephemeral port of 127.0.0.1.
#[derive(Debug, Parser)]
#[command(name = "trace-emulate", version, after_help = AFTER_HELP)]
struct Args {
    /// Which module to emulate.
    kind: Kind,
    /// Serve on TCP at this address (e.g. 127.0.0.1:0 for an ephemeral port).
    #[arg(long, value_name = "ADDR", conflicts_with = "pty")]
    tcp: Option<String>,
    /// Serve on a pseudo-terminal (Unix).
    #[arg(long)]
    pty: bool,
    /// Scenario file: timed tag and fault steps (see the trace-emulators docs).
    #[arg(long, value_name = "FILE")]
    scenario: Option<PathBuf>,
    /// A tag in the field from the start, on antenna 1 (repeatable): em4100:HEX,
    /// iso14443a:HEX, epc:HEX or an EPC URI.
    #[arg(long = "tag", value_name = "TAG")]
    tags: Vec<Tag>,
    /// Repeat (em4100), inventory round (m100) or read (llrp) interval in milliseconds.
    #[arg(long, value_name = "MS")]
    interval_ms: Option<u64>,
    /// LLRP: number of antennas.
    #[arg(long, default_value_t = 4)]
    antennas: u16,
    /// LLRP: send KEEPALIVE this often (milliseconds) before any SET_READER_CONFIG.
    #[arg(long, value_name = "MS")]
    keepalive_ms: Option<u64>,
    /// Stop after this many seconds (default: run until killed).
    #[arg(long, value_name = "SECONDS")]
    duration: Option<f64>,
}

const AFTER_HELP: &str = "Examples:
  trace-emulate em4100 --tag em4100:100086F444
  trace-emulate m100 --scenario dock-door.txt
  trace-emulate llrp --tcp 127.0.0.1:0 --tag urn:epc:id:sgtin:0614141.812345.6789

Scenario lines: <time> <action> [args], time as 150ms, 2s, 1.5s or plain milliseconds.
Actions: enter <tag> [antenna=N] [rssi=DBM] | leave <tag> [antenna=N] | clear |
         noise <hex bytes> | corrupt [frames] | silent [duration] | resume | dribble on|off
  0      enter  epc:30751FEB705C5904E3D50D70 antenna=2 rssi=-48
  500ms  noise  FF 00 13
  1s     corrupt 2
  2s     silent 1500ms
  3s     leave  epc:30751FEB705C5904E3D50D70";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Kind {
    /// RDM6300-class EM4100 125 kHz module (UART, output only).
    Em4100,
    /// PN532 NFC controller over HSU.
    Pn532,
    /// M100-family EPC Gen2 UHF module.
    M100,
    /// Fixed UHF reader speaking LLRP 1.0.1.
    Llrp,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut scenario = match &args.scenario {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            Scenario::parse(&text).with_context(|| format!("scenario {}", path.display()))?
        }
        None => Scenario::new(),
    };
    for tag in &args.tags {
        scenario.push(
            Duration::ZERO,
            Action::Enter {
                tag: tag.clone(),
                antenna: trace_emulators::field::DEFAULT_ANTENNA,
                rssi: trace_emulators::field::DEFAULT_RSSI,
            },
        );
    }
    let emulator = build(&args)?;
    let use_tcp = args.tcp.is_some() || (args.kind == Kind::Llrp && !args.pty);
    let mut stdout = std::io::stdout().lock();
    if use_tcp {
        let address = args.tcp.as_deref().unwrap_or("127.0.0.1:0");
        let server = TcpServer::bind(address, emulator, scenario)
            .with_context(|| format!("listening on {address}"))?;
        writeln!(stdout, "listening tcp {}", server.local_addr())?;
        stdout.flush()?;
        run_for(args.duration);
        server.stop()?;
    } else {
        serve_pty(emulator, scenario, &mut stdout, args.duration)?;
    }
    Ok(())
}

fn build(args: &Args) -> anyhow::Result<Box<dyn Emulator>> {
    let interval = args.interval_ms.map(Duration::from_millis);
    Ok(match args.kind {
        Kind::Em4100 => Box::new(Em4100Reader::new(
            interval.unwrap_or(trace_emulators::em4100::REPEAT),
        )),
        Kind::Pn532 => Box::new(Pn532::new()),
        Kind::M100 => Box::new(M100::new(
            interval.unwrap_or(trace_emulators::m100::ROUND_INTERVAL),
        )),
        Kind::Llrp => {
            let defaults = LlrpConfig::default();
            let utc_at_start = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .context("the system clock is before 1970")?;
            Box::new(LlrpReader::new(LlrpConfig {
                antennas: args.antennas,
                utc_at_start,
                read_interval: interval.unwrap_or(defaults.read_interval),
                keepalive: args.keepalive_ms.map(Duration::from_millis),
            }))
        }
    })
}

#[cfg(unix)]
fn serve_pty(
    emulator: Box<dyn Emulator>,
    scenario: Scenario,
    stdout: &mut impl Write,
    duration: Option<f64>,
) -> anyhow::Result<()> {
    let server = trace_emulators::transport::pty::PtyServer::start(emulator, scenario)
        .context("opening a pseudo-terminal")?;
    writeln!(stdout, "listening pty {}", server.path().display())?;
    stdout.flush()?;
    run_for(duration);
    server.stop()?;
    Ok(())
}

#[cfg(not(unix))]
fn serve_pty(
    _: Box<dyn Emulator>,
    _: Scenario,
    _: &mut impl Write,
    _: Option<f64>,
) -> anyhow::Result<()> {
    anyhow::bail!("pseudo-terminals need a Unix system; use --tcp")
}

fn run_for(duration: Option<f64>) {
    match duration.and_then(|seconds| Duration::try_from_secs_f64(seconds).ok()) {
        Some(length) => thread::sleep(length),
        None => loop {
            thread::park();
        },
    }
}
