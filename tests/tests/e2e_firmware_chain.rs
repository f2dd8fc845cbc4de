//! The whole chain as deployed, every part its own OS process: the QEMU board's
//! firmware reads the emulated EM4100 and M100 modules on its reader UARTs and sends
//! link frames over its gateway UART, a pseudo-terminal that the `trace-gateway run`
//! binary opens as its serial port (`kind = "link"`); the gateway signs the reads and
//! publishes them over MQTT, once to the system Mosquitto and once to the
//! `trace-server` binary's embedded broker; the server stores them and answers over
//! HTTP. Asserted through the API: each tag's backward trace holds one observation with
//! the station's read point and business step, signed by that gateway (the consumer
//! look-up's proof verifies under the key `trace-gateway keygen` made); a recall of the
//! UHF unit lists it, the gateway keeps the recall list, and the unit scanned again is
//! observed with disposition `recalled`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;

use serde_json::{Value, json};
use trace_emulators::em4100::Em4100Reader;
use trace_emulators::m100::M100;
use trace_tests::gateway::GatewaySite;
use trace_tests::http::{SUPERVISOR_TOKEN, encode};
use trace_tests::net::{MOSQUITTO, require_mosquitto};
use trace_tests::qemu::{GatewayUart, QemuBoard};
use trace_tests::scenes::{Module, RunTags, show_fob, show_uhf_tag, wait_for_inventory};
use trace_tests::scratch::{Scratch, unique};
use trace_tests::server::{Broker, Server};
use trace_tests::wait::{LIVENESS, wait_for};

const READ_POINT: &str = "urn:epc:id:sgln:0614141.00777.0";
const PARTY: &str = "urn:epc:id:pgln:0614141.00001";
/// The gateway's smoothing: a tag unread this long has left, and its next read is a new
/// entry.
const EXIT_MS: i64 = 1000;
/// Beyond `EXIT_MS`: the gateway checks exits on a timer tick (50 ms).
const EXIT_SLACK_MS: i64 = 500;

/// The gateway's readers and station: the board on the pty, a receiving dock.
fn site_body(pty: &str) -> String {
    format!(
        r#"[smoothing]
dwell_ms = 0
exit_ms = {EXIT_MS}

[[reader]]
name = "board"
kind = "link"
port = "{pty}"
station = "dock-in"

[[station]]
name = "dock-in"
profile = "observe"
read_point = "{READ_POINT}"
biz_location = "{READ_POINT}"
biz_step = "receiving"
disposition = "in_progress"
"#
    )
}

/// Runs the chain against `broker` and asserts what the API answers.
fn firmware_chain(test: &str, broker: Broker) {
    let scratch = Scratch::new(test).unwrap();
    let server = Server::start(
        &scratch.join("server-data"),
        &broker,
        &scratch.join("server.log"),
    )
    .unwrap();
    let broker_addr: SocketAddr = match broker {
        Broker::External(_) => MOSQUITTO.parse().unwrap(),
        Broker::Embedded(_) => server.mqtt().unwrap(),
    };

    let tags = RunTags::new();
    let mut fob_reader = Module::start(Em4100Reader::default()).unwrap();
    let mut uhf_reader = Module::start(M100::default()).unwrap();
    let readers = [
        fob_reader.server.local_addr(),
        uhf_reader.server.local_addr(),
    ];
    let mut board = QemuBoard::boot(GatewayUart::Pty, readers).unwrap();
    let pty = board.gateway_pty(LIVENESS).unwrap();

    let id = unique("e2e-board");
    let site = GatewaySite::create(
        scratch.path(),
        &id,
        broker_addr,
        &site_body(&pty.display().to_string()),
    )
    .unwrap();
    server.enrol(&id, site.public_key(), PARTY).unwrap();
    let mut gateway = site.run().unwrap();
    // The link is open before any tag shows: QEMU drops what its UART sends while no
    // one holds the pty, as a serial line with nothing plugged in would.
    site.wait_reader_open(&mut gateway, "board", LIVENESS)
        .unwrap();
    wait_for_inventory(&uhf_reader, LIVENESS).unwrap();

    show_fob(&mut fob_reader, tags.fob, 4, 0);
    show_uhf_tag(&mut uhf_reader, &tags.epc, &[-60, -48, -55]).unwrap();

    server
        .wait_chain_head(&id, 2, LIVENESS, || {
            gateway.check_running("the reads were on their way")?;
            board.check_running()
        })
        .unwrap();

    let (fob_uri, epc_uri) = (tags.fob_uri().unwrap(), tags.epc_uri().unwrap());
    for tag in [&fob_uri, &epc_uri] {
        let hops = server.hops_signed_by(tag, &id).unwrap();
        assert_eq!(hops.len(), 1, "one observation of {tag}: {hops:#?}");
        let hop = &hops[0];
        assert_eq!(hop["read_point"], READ_POINT, "{hop:#}");
        assert_eq!(hop["biz_location"], READ_POINT, "{hop:#}");
        assert_eq!(hop["biz_step"], "receiving", "{hop:#}");
        assert_eq!(hop["disposition"], "in_progress", "{hop:#}");
        assert_eq!(hop["party"], PARTY, "the gateway's operator: {hop:#}");
        // The consumer's proof: the step verifies under the key keygen made.
        let lookup = server
            .api()
            .get(&format!("/api/v1/codes/{}", encode(tag)), None)
            .unwrap();
        assert_eq!(lookup.status, 200, "{}", lookup.body);
        assert_eq!(
            lookup.body["verification"]["all_signed"], true,
            "{:#}",
            lookup.body
        );
        assert_eq!(
            lookup.body["proof"]["gateway_keys"][id.as_str()],
            site.public_key(),
            "{:#}",
            lookup.body
        );
    }

    let answer = server
        .api()
        .post(
            "/api/v1/recalls",
            Some(SUPERVISOR_TOKEN),
            &json!({ "codes": [epc_uri], "reason": "e2e: contaminated lot" }),
        )
        .unwrap();
    assert_eq!(answer.status, 201, "{}", answer.body);
    let recall = answer.body["id"].as_str().unwrap().to_owned();
    let shown = server
        .api()
        .get(
            &format!("/api/v1/recalls/{}", encode(&recall)),
            Some(SUPERVISOR_TOKEN),
        )
        .unwrap();
    assert_eq!(shown.status, 200, "{}", shown.body);
    let units = shown.body["units"].as_array().unwrap();
    let unit = units
        .iter()
        .find(|unit| unit["id"] == epc_uri)
        .unwrap_or_else(|| panic!("the recall lists {epc_uri}: {:#}", shown.body));
    assert_eq!(unit["location"], READ_POINT, "{unit:#}");
    assert!(
        unit["recalls"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r == recall.as_str()),
        "{unit:#}"
    );
    // The server publishes the recall list; the gateway keeps it and flags a recalled
    // unit scanned again: its new observation carries disposition `recalled`.
    wait_for("the gateway to keep the new recall list", LIVENESS, || {
        gateway.check_running("the recall list was on its way")?;
        let kept = site.kept_recalls();
        Ok(if kept.contains(&epc_uri) {
            Ok(())
        } else {
            Err(format!("{kept:?}"))
        })
    })
    .unwrap();
    // The rescan must be a new entry: the gateway's exit rule runs on its wall clock
    // from the tag's last read, which is the first hop's time.
    let first_read = server.hops_signed_by(&epc_uri, &id).unwrap()[0]["time"]
        .as_i64()
        .unwrap();
    let left_at = first_read + EXIT_MS + EXIT_SLACK_MS;
    wait_for(
        "the gateway's exit time of the first scan",
        LIVENESS,
        || {
            let now = unix_ms();
            Ok(if now >= left_at {
                Ok(())
            } else {
                Err(format!("{now} < {left_at}"))
            })
        },
    )
    .unwrap();
    show_uhf_tag(&mut uhf_reader, &tags.epc, &[-50]).unwrap();
    server
        .wait_chain_head(&id, 3, LIVENESS, || {
            gateway.check_running("the second scan was on its way")?;
            board.check_running()
        })
        .unwrap();
    let hops = server.hops_signed_by(&epc_uri, &id).unwrap();
    let dispositions: Vec<&Value> = hops.iter().map(|hop| &hop["disposition"]).collect();
    assert_eq!(dispositions, ["in_progress", "recalled"], "{hops:#?}");
    let status = site
        .wait_status(
            &mut gateway,
            "the gateway to count the recalled scan",
            LIVENESS,
            |s| s["recalled_units"].as_u64().unwrap_or(0) >= 1,
        )
        .unwrap();
    assert_eq!(status["last_recalled"], epc_uri.as_str(), "{status:#}");
}

fn unix_ms() -> i64 {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    i64::try_from(since.as_millis()).unwrap()
}

#[test]
fn firmware_reads_reach_the_api_through_the_system_mosquitto() {
    require_mosquitto().unwrap();
    firmware_chain(
        "firmware-mosquitto",
        Broker::External(format!("mqtt://{MOSQUITTO}")),
    );
}

#[test]
fn firmware_reads_reach_the_api_through_the_embedded_broker() {
    firmware_chain(
        "firmware-embedded",
        Broker::Embedded("127.0.0.1:0".parse().unwrap()),
    );
}
