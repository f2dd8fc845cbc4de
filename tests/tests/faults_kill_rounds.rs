//! Kill rounds: a gateway signs a stream of simulated reads while, round after round,
//! the gateway, the server or the broker is SIGKILLed at a random moment and restarted
//! (`trace_tests::faults::rounds`). At the end every seq the gateway accepted is in the
//! server's store exactly once: lost = 0, stored twice = 0.
//!
//! Three set-ups: the server's embedded broker (killing the server kills the broker);
//! the system Mosquitto on 127.0.0.1:1883 (gateway and server killed); a Mosquitto of
//! the test's own on an ephemeral port (broker killed too). A few rounds each, one at a
//! time; `FAULTS_ROUNDS` and `FAULTS_SEED` change them, `scripts/faults.sh` runs many.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Mutex, PoisonError};

use trace_tests::faults::rng::{rounds_from_env, seed_from_env};
use trace_tests::faults::rounds::{BrokerSetup, Plan, run};
use trace_tests::scratch::Scratch;

/// Rounds per set-up in a default test run.
const ROUNDS: usize = 5;

/// The set-ups share two cores: one at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn kill_rounds(broker: BrokerSetup) {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
    let scratch = Scratch::new("faults-kill").unwrap();
    let plan = Plan {
        broker,
        rounds: rounds_from_env(ROUNDS),
        seed: seed_from_env(),
    };
    let figures = run(plan, scratch.path()).unwrap_or_else(|e| {
        panic!("seed {:#x}: {e}", plan.seed);
    });
    println!("{figures}");
    let ledger = &figures.ledger;
    assert!(ledger.accepted() > 0, "no read was accepted: {figures}");
    assert_eq!(ledger.lost(), Vec::<u64>::new(), "lost seqs; {figures}");
    assert_eq!(
        ledger.duplicated(),
        Vec::<u64>::new(),
        "seqs stored twice; {figures}"
    );
    assert_eq!(
        ledger.unexpected(),
        Vec::<u64>::new(),
        "seqs never accepted; {figures}"
    );
}

#[test]
fn embedded_broker_gateway_and_server_killed() {
    kill_rounds(BrokerSetup::Embedded);
}

#[test]
fn system_mosquitto_gateway_and_server_killed() {
    kill_rounds(BrokerSetup::System);
}

#[test]
fn own_mosquitto_gateway_server_and_broker_killed() {
    kill_rounds(BrokerSetup::Own);
}
