//! EPC Tag Data Standard (GS1 TDS 2.x) identifiers in their three forms and the conversions
//! between them:
//!
//! - the EPC memory bank binary, as hex or bytes ([`Epc::from_hex`], [`Epc::encode`]);
//! - the tag URI with scheme and filter value, `urn:epc:tag:sgtin-96:3.0614141.812345.6789`
//!   ([`Epc`]);
//! - the pure identity URI, `urn:epc:id:sgtin:0614141.812345.6789` ([`EpcId`]), the
//!   canonical identity inside rfid-trace;
//!
//! plus the LGTIN class URI ([`Lgtin`]) and the GS1 Application Identifier forms of each
//! ([`EpcId::to_gs1`], [`Gs1Identity::from_gs1`]).
//!
//! Supported schemes: SGTIN-96/198, SSCC-96, SGLN-96/195, GRAI-96/170, GIAI-96/202, GSRN-96,
//! GSRNP-96, GDTI-96/174, SGCN-96, CPI-96/var, ITIP-110/212, GID-96, USDOD-96, ADI-var
//! (TDS §14). Everything works without an allocator: text fields are `heapless` strings sized
//! to the standard's maxima and output goes through `core::fmt`.
//!
//! ```
//! use trace_proto::epc::{Epc, EpcId};
//!
//! let tag = Epc::from_hex("3074257BF7194E4000001A85")?;
//! assert_eq!(tag.to_string(), "urn:epc:tag:sgtin-96:3.0614141.812345.6789");
//! assert_eq!(tag.identity().to_string(), "urn:epc:id:sgtin:0614141.812345.6789");
//!
//! let id = EpcId::parse("urn:epc:id:sgtin:0614141.712345.32a%2Fb")?;
//! let tag = id.to_tag(3, None)?; // the serial is not an integer: SGTIN-198
//! assert_eq!(tag.scheme().name(), "sgtin-198");
//! # Ok::<(), trace_proto::epc::EpcError>(())
//! ```

mod bits;
mod chars;
mod cpi;
mod error;
mod giai;
mod gs1;
mod id;
mod itip;
mod key;
mod keyed;
mod lgtin;
mod non_gs1;
mod scheme;
mod sixbit;
mod tag;
mod uri;

pub use cpi::Cpi;
pub use error::{EpcError, NAME_CAP};
pub use giai::Giai;
pub use gs1::{AiValue, AiValues, Gs1Identity, company_prefix_start};
pub use id::EpcId;
pub use itip::Itip;
pub use keyed::{KeyOnly, KeySerial};
pub use lgtin::Lgtin;
pub use non_gs1::{Adi, Gid, Usdod};
pub use scheme::Scheme;
pub use tag::Epc;

#[cfg(feature = "serde")]
crate::serde_str::serde_as_str! {
    EpcId => "an EPC pure identity URI (urn:epc:id:…)",
    Epc => "an EPC tag URI (urn:epc:tag:…)",
    Lgtin => "an LGTIN class URI (urn:epc:class:lgtin:…)",
}

#[cfg(test)]
mod tests;
