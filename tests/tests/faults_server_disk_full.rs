//! The server's disk fills up: its data folder is on a 16 MiB tmpfs (root only; the
//! test says why it skips otherwise) that a ballast file fills while a gateway streams
//! reads. Commits fail and nothing of a failed round is acknowledged, so the gateway
//! keeps the events; once the ballast is deleted the server commits again without a
//! restart, and at the end the store holds every accepted seq exactly once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Instant;

use trace_tests::faults::disk::SmallDisk;
use trace_tests::faults::ledger::Ledger;
use trace_tests::faults::rounds::{PARTY, READ_EVERY_MS, drain, site_body};
use trace_tests::gateway::{GatewaySite, acked, signed};
use trace_tests::net::free_addr;
use trace_tests::scratch::{Scratch, unique};
use trace_tests::server::{Broker, Server};
use trace_tests::wait::{LIVENESS, wait_for};

const DISK_BYTES: u64 = 16 << 20;
const COMMIT_ERRORS: &str = "trace_store_commit_errors_total";

#[test]
fn a_full_disk_stops_acks_and_the_server_recovers_when_space_returns() {
    let scratch = Scratch::new("faults-disk").unwrap();
    let disk = match SmallDisk::mount(&scratch.join("disk"), DISK_BYTES).unwrap() {
        Ok(disk) => disk,
        Err(reason) => {
            println!("skipped: the server's disk cannot be filled here: {reason}");
            return;
        }
    };
    let broker = free_addr().unwrap();
    let data = disk.path().join("server-data");
    let mut server = Server::start(
        &data,
        &Broker::Embedded(broker),
        &scratch.join("server.log"),
    )
    .unwrap();
    let id = unique("faults-disk");
    let site =
        GatewaySite::create(scratch.path(), &id, broker, &site_body(Some(READ_EVERY_MS))).unwrap();
    server.enrol(&id, site.public_key(), PARTY).unwrap();
    let mut gateway = site.run().unwrap();
    server
        .wait_chain_head(&id, 20, LIVENESS, || {
            gateway.check_running("before the disk fills")
        })
        .unwrap();

    let ballast = disk.fill().unwrap();
    let failing = |at_least: u64| {
        wait_for(&format!("{at_least} failed commits"), LIVENESS, || {
            let errors = server.metric(COMMIT_ERRORS)?.unwrap_or(0);
            Ok(if errors >= at_least {
                Ok(errors)
            } else {
                Err(format!("{errors} failed"))
            })
        })
        .unwrap()
    };
    failing(3);
    let status = site.status().unwrap();
    assert!(
        acked(&status) < signed(&status),
        "with the disk full, reads wait in the gateway's outbox: {status:#}"
    );
    let head_full = server.chain_head(&id).unwrap();

    disk.free().unwrap();
    let freed = Instant::now();
    let target = signed(&site.status().unwrap());
    server
        .wait_chain_head(&id, target, LIVENESS, || {
            gateway.check_running("after space returns")
        })
        .unwrap();
    let recovered = freed.elapsed();
    let failed = server.metric(COMMIT_ERRORS).unwrap().unwrap_or(0);

    let (head, _) = drain(&site, &mut gateway, &server).unwrap();
    server.kill();
    gateway.kill();
    let ledger = Ledger::from_store(&data, &id, head).unwrap();
    println!(
        "faults server-disk-full: {DISK_BYTES} B tmpfs, ballast {ballast} B; {failed} commits refused \
         (head {head_full} while full, gateway had signed {}); recovered without restart in {:.1} s; \
         {ledger}",
        signed(&status),
        recovered.as_secs_f64(),
    );
    assert!(ledger.exact(), "{}", ledger.mismatch());
}
