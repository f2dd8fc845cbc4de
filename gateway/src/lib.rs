//! `trace-gateway`: the Linux edge gateway.
//!
//! It will turn tag reads into EPCIS business events, sign and chain them with the
//! gateway's ed25519 key, keep them in a durable outbox and forward them over MQTT until
//! the server acknowledges them. The events and payloads it speaks are defined in
//! [`trace_proto`]. Nothing beyond this crate's place in the workspace exists yet (issue 4).
