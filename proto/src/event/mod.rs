//! The event model of GS1 EPCIS 2.0 with the GS1 CBV 2.0 vocabularies: what the
//! gateways sign, the server stores and exchanges with other EPCIS repositories.
//!
//! The model can hold every field the CBV 2.0 event hash ID covers
//! (shared/EVENT-HASH.md), so the hash can be computed from it alone. Its serde form is
//! compact postcard (see [`model`] for why field order matters); EPCIS JSON-LD is a
//! separate mapping.

pub mod cbv;
pub mod date;
pub mod decimal;
pub mod extension;
pub mod model;
pub mod sensor;
pub mod time;

pub use cbv::{BizStep, BizTransactionType, CbvError, Disposition, ErrorReason, SourceDestType};
pub use date::Date;
pub use decimal::{Decimal, DecimalError};
pub use extension::{Extension, ExtensionValue, MAX_EXTENSION_DEPTH};
pub use model::{
    Action, ActionError, AggregationEvent, AssociationEvent, BizTransaction, CBVMDA_NAMESPACE,
    ErrorDeclaration, Event, EventError, EventKind, Ilmd, Location, ObjectEvent,
    PersistentDisposition, QuantityElement, SourceDest, TransactionEvent, TransformationEvent,
};
pub use sensor::{SensorElement, SensorMetadata, SensorReport};
pub use time::{EventTime, TimeError, TimeZoneOffset};
