#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Emulators on real byte streams: a pseudo-terminal, a TCP port, and the
//! `trace-emulate` binary serving both.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags, Timespec, poll};
use trace_emulators::llrp::codes::msg;
use trace_emulators::m100::M100;
use trace_emulators::pn532::Pn532;
use trace_emulators::scenario::{Action, Scenario};
use trace_emulators::tag::parse_hex;
use trace_emulators::transport::pty::PtyServer;
use trace_emulators::transport::tcp::TcpServer;
use trace_emulators::{Scene, Tag};

fn hex(text: &str) -> Vec<u8> {
    parse_hex(text).unwrap()
}

const M100_EXAMPLE: &str = "BB 02 22 00 11 C9 30 00 30 75 1F EB 70 5C 59 04 E3 D5 0D 70";
const SINGLE: &str = "BB 00 22 00 00 22 7E";

/// Reads from `source` until `want` bytes came or `limit` passed.
fn read_for(source: &mut (impl Read + std::os::fd::AsFd), want: usize, limit: Duration) -> Vec<u8> {
    let deadline = Instant::now() + limit;
    let mut out = Vec::new();
    while out.len() < want && Instant::now() < deadline {
        let mut fds = [PollFd::new(&*source, PollFlags::IN)];
        let timeout = Timespec {
            tv_sec: 0,
            tv_nsec: 20_000_000,
        };
        if poll(&mut fds, Some(&timeout)).unwrap() > 0 {
            let mut buf = [0u8; 512];
            let n = source.read(&mut buf).unwrap();
            out.extend_from_slice(&buf[..n]);
        }
    }
    out
}

fn open_terminal(path: &Path) -> File {
    // O_NOCTTY: the test process must not adopt the terminal as its controlling one.
    let no_ctty = i32::try_from(rustix::fs::OFlags::NOCTTY.bits()).unwrap();
    OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(no_ctty)
        .open(path)
        .unwrap()
}

fn example_scenario() -> Scenario {
    let tag: Tag = "epc:30751FEB705C5904E3D50D70".parse().unwrap();
    Scenario::new().at(
        Duration::ZERO,
        Action::Enter {
            tag,
            antenna: 1,
            rssi: -55,
        },
    )
}

#[test]
fn m100_round_trip_over_a_pseudo_terminal_with_silence() {
    let server = PtyServer::start(M100::default(), example_scenario()).unwrap();
    assert!(
        server.path().starts_with("/dev/pts"),
        "{}",
        server.path().display()
    );
    let mut terminal = open_terminal(server.path());
    std::thread::sleep(Duration::from_millis(20));
    terminal.write_all(&hex(SINGLE)).unwrap();
    let answer = read_for(&mut terminal, 24, Duration::from_secs(5));
    assert_eq!(
        answer[..20],
        hex(M100_EXAMPLE)[..],
        "raw terminal: no echo, no line editing"
    );
    assert_eq!(answer.len(), 24);

    server.with(|session| session.emulator.faults().set_silent(true));
    terminal.write_all(&hex(SINGLE)).unwrap();
    assert!(
        read_for(&mut terminal, 1, Duration::from_millis(300)).is_empty(),
        "silent"
    );
    server.with(|session| session.emulator.faults().set_silent(false));
    terminal.write_all(&hex(SINGLE)).unwrap();
    assert_eq!(
        read_for(&mut terminal, 24, Duration::from_secs(5)).len(),
        24,
        "back"
    );
    server.stop().unwrap();
}

#[test]
fn pn532_over_tcp_with_dribbled_bytes() {
    let scenario = Scenario::new().at(Duration::ZERO, Action::Dribble(true));
    let server = TcpServer::start(Pn532::new(), scenario).unwrap();
    let mut stream = TcpStream::connect(server.local_addr()).unwrap();
    stream
        .write_all(&hex(
            "55 55 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 FF 03 FD D4 14 01 17 00",
        ))
        .unwrap();
    let answer = read_for(&mut stream, 15, Duration::from_secs(5));
    assert_eq!(answer, hex("00 00 FF 00 FF 00 00 00 FF 02 FE D5 15 16 00"));
    server.stop().unwrap();
}

/// A spawned `trace-emulate`, killed when dropped.
struct Spawned {
    child: Child,
    listening: String,
}

impl Spawned {
    fn start(args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_trace-emulate"))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        Self {
            child,
            listening: line.trim().to_owned(),
        }
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        drop(self.child.kill());
        drop(self.child.wait());
    }
}

#[test]
fn binary_has_real_help() {
    let output = Command::new(env!("CARGO_BIN_EXE_trace-emulate"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for expected in [
        "Usage: trace-emulate",
        "em4100",
        "llrp",
        "--scenario",
        "--tcp",
        "--pty",
        "Scenario lines",
    ] {
        assert!(help.contains(expected), "help lacks {expected:?}:\n{help}");
    }
}

#[test]
fn binary_serves_em4100_on_a_pty() {
    let spawned = Spawned::start(&["em4100", "--tag", "em4100:100086F444"]);
    let path = spawned
        .listening
        .strip_prefix("listening pty ")
        .expect(&spawned.listening);
    let mut terminal = open_terminal(Path::new(path));
    let frames = read_for(&mut terminal, 28, Duration::from_secs(5));
    let fob = b"\x02100086F44426\x03";
    assert!(frames.windows(14).any(|w| w == fob), "{frames:?}");
}

#[test]
fn binary_serves_llrp_on_tcp_from_a_scenario_file() {
    let file = std::env::temp_dir().join(format!("trace-emulate-{}.txt", std::process::id()));
    std::fs::write(
        &file,
        "0 enter urn:epc:id:sgtin:0614141.812345.6789 antenna=2\n",
    )
    .unwrap();
    let spawned = Spawned::start(&["llrp", "--scenario", file.to_str().unwrap()]);
    let address = spawned
        .listening
        .strip_prefix("listening tcp ")
        .expect(&spawned.listening);
    assert!(!address.ends_with(":5084"));
    let mut stream = TcpStream::connect(address).unwrap();
    let hello = read_for(&mut stream, 32, Duration::from_secs(5));
    assert_eq!(hello.len(), 32);
    assert_eq!(
        u16::from_be_bytes([hello[0], hello[1]]) & 0x3FF,
        msg::READER_EVENT_NOTIFICATION
    );
    std::fs::remove_file(&file).unwrap();
}

#[test]
fn binary_rejects_a_bad_scenario_naming_the_line() {
    let file = std::env::temp_dir().join(format!("trace-emulate-bad-{}.txt", std::process::id()));
    std::fs::write(&file, "0 enter em4100:100086F444\n1s explode\n").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_trace-emulate"))
        .args(["m100", "--scenario", file.to_str().unwrap()])
        .output()
        .unwrap();
    std::fs::remove_file(&file).unwrap();
    assert!(!output.status.success());
    let error = String::from_utf8(output.stderr).unwrap();
    assert!(error.contains("line 2"), "{error}");
}
