//! Fault injection: the system under hard kills, full disks, clock jumps and damaged
//! files, and the figures that say whether anything was lost or stored twice.
//!
//! [`rounds`] drives the kill rounds (a stream of simulated reads while the gateway,
//! the server and the broker are SIGKILLed at moments drawn from a seeded [`rng`] and
//! restarted); [`ledger`] counts, per seq, what the gateway accepted against what the
//! server's store holds; [`mosquitto`] is a broker process a test may kill; [`disk`]
//! mounts a small filesystem to fill. The suites are `tests/faults_*.rs`;
//! `scripts/faults.sh` runs many rounds and prints the figures.

pub mod disk;
pub mod ledger;
pub mod mosquitto;
pub mod rng;
pub mod rounds;
