//! `trace-gateway`: the Linux edge gateway.
//!
//! It turns tag reads into EPCIS business events, signs and chains them with the
//! gateway's ed25519 key, keeps them in a durable outbox and forwards them over MQTT until
//! the server acknowledges them. The events and payloads it speaks are defined in
//! [`trace_proto`].
//!
//! - [`config`]: the TOML configuration, checked at start-up.
//! - [`identity`]: raw tag bytes → canonical URIs.
//! - [`smoothing`]: entry/exit per read point.
//! - [`station`]: business events by station profile (observe, commission, pack, unpack,
//!   transform).
//! - [`lot`]: the operator's lot command and the lot file the running gateway watches.
//! - [`recall`]: the active recall list.
//! - [`pipeline`]: read → event → signed → outbox.
//! - [`outbox`]: the durable outbox (sled).
//! - [`status`]: health, alarms, the status file.
//! - [`keyfile`]: the gateway's ed25519 key file.
//! - [`input`]: reader threads (firmware link, modules, LLRP, simulated reads).
//! - [`llrp`]: the LLRP client for fixed UHF readers.
//! - [`uplink`]: MQTT publishing, acks, status and recalls.
//! - [`run`]: the running gateway.
//! - [`emulated`]: `simulate`, the readers replaced by emulators acting out a scenario.

pub mod config;
pub mod emulated;
pub mod identity;
pub mod input;
pub mod keyfile;
pub mod llrp;
pub mod lot;
pub mod outbox;
pub mod pipeline;
pub mod recall;
pub mod run;
pub mod smoothing;
pub mod station;
pub mod status;
pub mod uplink;
