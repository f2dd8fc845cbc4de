//! `trace-server`: the central server of rfid-trace.
//!
//! Today it carries the `code` command: decode any code a user holds into its canonical
//! identity ([`code_command`]), with GS1's company-prefix list built in ([`prefixes`]).
//! Ingest, the store, trace and recall, EPCIS 2.0 and the web pages follow (issues 5–7).

pub mod code_command;
pub mod epcis;
pub mod prefixes;
pub mod store;
pub mod trace;
