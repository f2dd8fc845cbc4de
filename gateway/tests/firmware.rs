//! The gateway configuring a trace-firmware board over a real pseudo-terminal: the
//! board is the firmware's own application (`trace_firmware::app::App`), so the bytes
//! the gateway writes are judged by the code that runs on the MCU.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{Read, Write};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::*;
use trace_firmware::app::{App, Board, Bus, Port, Settings};
use trace_proto::link::{Configure, MAX_FRAME_LEN, ReaderKind};

fn board_app(now_ms: u64) -> App {
    let mut ports = heapless::Vec::new();
    ports
        .push(Port {
            port: 0,
            bus: Bus::Uart,
        })
        .unwrap();
    ports
        .push(Port {
            port: 1,
            bus: Bus::Uart,
        })
        .unwrap();
    let board = Board {
        name: heapless::String::try_from("pty-board").unwrap(),
        firmware_version: heapless::String::try_from("0.1.0").unwrap(),
        ports,
    };
    let stored = Configure {
        debounce_ms: 100,
        uhf_tx_power_cdbm: 2000,
        ports: heapless::Vec::new(),
    };
    App::new(board, Settings::default(), stored, now_ms).unwrap()
}

/// Runs `app` against the gateway on `master` until `done` holds for it (20 s at most).
fn serve(
    app: &mut App,
    master: &mut std::fs::File,
    from_gateway: &mpsc::Receiver<Vec<u8>>,
    started: Instant,
    done: impl Fn(&App) -> bool,
) {
    let mut frame = [0u8; MAX_FRAME_LEN];
    loop {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "board not configured"
        );
        let now = started.elapsed().as_millis() as u64;
        // Written before the check, so the ConfigAck of the last Configure goes out.
        while let Some(len) = app.next_frame(now, &mut frame) {
            master.write_all(&frame[..len]).unwrap();
        }
        if done(app) {
            return;
        }
        if let Ok(bytes) = from_gateway.recv_timeout(Duration::from_millis(20)) {
            app.receive(&bytes);
        }
    }
}

#[test]
fn the_board_is_configured_after_open_and_again_after_it_reboots() {
    let port = free_port();
    start_broker(port);
    let dir = tempfile::tempdir().unwrap();
    keygen(dir.path());
    let id = unique_id("fwconf");
    let (mut master, path) = openpty();
    let readers = format!(
        "[[reader]]\nname = \"board\"\nkind = \"link\"\nport = \"{}\"\nstation = \"dock\"\n\
         [reader.firmware]\ndebounce_ms = 750\nuhf_tx_power_dbm = 22.5\n\
         ports = [{{ port = 1, kind = \"uhf-m100\" }}, {{ port = 0, kind = \"em4100\" }}]\n",
        path.display()
    );
    let gateway = start_gateway(dir.path(), id.as_str(), port, &readers);
    let (tx, from_gateway) = mpsc::channel();
    let mut reader = master.try_clone().unwrap();
    std::thread::spawn(move || {
        let mut buf = [0u8; 512];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    // Until the gateway opens the terminal in raw mode, the line discipline would cook
    // and echo the bytes.
    wait_for(Duration::from_secs(10), || {
        local_status(dir.path()).is_some_and(|s| s.readers[0].state != "Absent")
    });
    let wanted = |app: &App| {
        let c = app.config();
        c.debounce_ms == 750
            && c.uhf_tx_power_cdbm == 2250
            && c.ports.iter().map(|p| (p.port, p.kind)).collect::<Vec<_>>()
                == [
                    (1, Some(ReaderKind::UhfM100)),
                    (0, Some(ReaderKind::Em4100)),
                ]
    };
    // The board keeps answering until the gateway reports the configuration accepted
    // (the Hello after boot makes the gateway send it a second time).
    let accepted = || {
        local_status(dir.path()).is_some_and(|s| s.readers[0].config.as_deref() == Some("accepted"))
    };
    let started = Instant::now();
    let mut app = board_app(0);
    serve(&mut app, &mut master, &from_gateway, started, |app| {
        wanted(app) && accepted()
    });

    // The board reboots into its stored configuration and says Hello: configured again.
    let mut rebooted = board_app(started.elapsed().as_millis() as u64);
    assert!(!wanted(&rebooted));
    serve(&mut rebooted, &mut master, &from_gateway, started, |app| {
        wanted(app) && accepted()
    });
    let status = local_status(dir.path()).unwrap();
    assert!(status.alarms.is_empty(), "{:?}", status.alarms);
    gateway.stop();
}
