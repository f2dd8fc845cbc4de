//! `trace-proto`: every identifier a user of rfid-trace can hold and every message that
//! crosses a process boundary, defined once.
//!
//! Identifiers:
//! - [`epc`]: EPC Tag Data Standard binary, tag URI and pure identity URI forms, and their GS1 AIs.
//! - [`gs1`]: GS1 Application Identifiers, element strings, scanner data and GS1 Digital Link.
//! - [`cn_drug`]: the 20-digit Chinese drug traceability code.
//! - [`uid`]: tags without an EPC (EM4100, ISO 14443-A UIDs).
//! - [`code`] (`alloc`): any of the above, detected and decoded into one canonical identity.
//! - [`company_prefix`]: GS1 Company Prefix lengths, needed to turn GS1 keys into EPC URIs.
//! - [`check_digit`]: the GS1 modulo-10 check digit shared by every GS1 key.
//!
//! Messages:
//! - [`link`]: firmware ↔ gateway serial frames (COBS, CRC-32C, postcard), no allocator.
//! - [`event`] (`alloc`): the EPCIS 2.0 event model and CBV 2.0 vocabularies.
//! - [`signed`] (`alloc`): gateway-signed events (Ed25519) and their SHA-256 hash chain.
//! - [`mqtt`] (`alloc`): MQTT topics and versioned payloads between gateways and servers.
//!
//! The crate is `#![no_std]`. Without features it needs no allocator, so the firmware can
//! decode tags and speak the link protocol on a microcontroller. Features:
//! `alloc` (owned strings, the event model, signatures), `std` (implies `alloc`),
//! `serde` (identifiers serialize as their canonical strings). `serde` the crate is always
//! a dependency because the wire formats are postcard encodings of serde types.
#![no_std]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(any(feature = "std", test))]
extern crate std;

pub mod check_digit;
pub mod cn_drug;
#[cfg(feature = "alloc")]
pub mod code;
pub mod company_prefix;
pub mod epc;
#[cfg(feature = "alloc")]
pub mod event;
pub mod gs1;
pub mod link;
#[cfg(feature = "alloc")]
pub mod mqtt;
#[cfg(feature = "serde")]
mod serde_str;
#[cfg(feature = "alloc")]
pub mod signed;
pub mod uid;
