//! `trace-server`: the central server of rfid-trace.
//!
//! Gateways' signed events arrive over MQTT ([`mqtt`], with an [`broker`] embedded by
//! default) and are verified and chained ([`ingest`]) against the gateway [`registry`]
//! before the [`store`] makes them durable; [`trace`] walks the store backward (origin)
//! and forward (recall), and [`http`] answers supervisors ([`recall`]) and consumers
//! ([`lookup`]). [`epcis`] maps EPCIS 2.0 JSON-LD to the event model and computes CBV 2.0
//! event hashes; [`code_command`] decodes any code form; [`import`] bulk-loads the shared
//! trace workload. [`serve`] wires it all, and `demo` runs a whole supply chain on one
//! machine.

pub mod auth;
pub mod broker;
pub mod code_command;
pub mod config;
#[cfg(feature = "embedded-broker")]
pub mod demo;
pub mod epcis;
pub mod http;
pub mod import;
pub mod ingest;
pub mod lookup;
pub mod metrics;
pub mod mqtt;
pub mod prefixes;
pub mod rate_limit;
pub mod recall;
pub mod registry;
pub mod serve;
pub mod state;
pub mod store;
pub mod trace;
pub mod web;
