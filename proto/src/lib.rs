//! `trace-proto`: every identifier a user of rfid-trace can hold and every message that
//! crosses a process boundary, defined once.
//!
//! - [`check_digit`]: the GS1 modulo-10 check digit shared by every GS1 key.
//! - [`gs1`]: GS1 Application Identifiers, element strings, scanner data and GS1 Digital Link.
//!
//! The crate is `#![no_std]`. Without features it needs no allocator, so the firmware can
//! decode tags and speak the link protocol on a microcontroller. Features:
//! `alloc` (owned strings, the event model, signatures), `std` (implies `alloc`),
//! `serde` (identifiers serialize as their canonical strings). `serde` the crate is always
//! a dependency because the wire formats are postcard encodings of serde types.
#![no_std]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod check_digit;
pub mod gs1;
