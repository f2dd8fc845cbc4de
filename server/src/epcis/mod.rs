//! EPCIS 2.0: JSON-LD documents and events to and from the event model of trace-proto, and
//! the CBV 2.0 event hash ID that names an event the same way in every EPCIS system.
//!
//! - [`decode`]: JSON-LD (`EPCISDocument`, `EPCISQueryDocument`, a single event) → checked
//!   [`Event`](trace_proto::event::Event)s, with every problem and its JSON path.
//! - [`encode`]: events → JSON-LD, for query responses.
//! - [`hash`]: the pre-hash string and `ni:///sha-256;…?ver=CBV2.0` (docs/event-hash.md).
//! - [`context`]: the prefixes of `@context`; [`problem`]: what decoding reports.
//! - [`cli`]: `trace-server epcis hash`.
//! - [`capture`] and [`query`]: the capture and query interfaces as plain logic, served over
//!   HTTP by `http/epcis.rs` (docs/server.md, section EPCIS 2.0).

pub mod capture;
pub mod cli;
pub mod context;
pub mod decode;
pub mod encode;
pub mod hash;
pub mod problem;
pub mod query;

pub use decode::{Decoded, decode_document, decode_event};
pub use encode::{encode_document, encode_event};
pub use hash::{event_hash_id, hash_id, pre_hash, pre_hash_json};
pub use problem::{DecodeError, Problem};
