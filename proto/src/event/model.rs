//! The EPCIS 2.0 event: common fields (when, why, where, sensor data, extensions) and
//! one of the five event types with its own "what" fields.
//!
//! The type-specific fields live in [`EventKind`], so an event cannot carry a field
//! its type does not have (no `ilmd` on an AggregationEvent, no `action` on a
//! TransformationEvent). Identifiers (EPCs, classes, locations, parties, transactions)
//! are strings holding canonical URIs; turning other forms into them is the job of the
//! identifier modules.
//!
//! Field order is wire order: the postcard encoding of [`Event`] is part of the signed
//! bytes (`rfid-trace/event/v1`), so changing a field here needs a new signing domain.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::str::FromStr;

use serde::{Deserialize, Serialize};

use super::cbv::{BizStep, BizTransactionType, Disposition, ErrorReason, SourceDestType};
use super::date::Date;
use super::decimal::Decimal;
use super::extension::{Extension, wire};
use super::sensor::SensorElement;
use super::time::{EventTime, TimeZoneOffset};

/// An EPCIS 2.0 event.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Event {
    /// `eventTime`: when the event happened.
    pub event_time: EventTime,
    /// `eventTimeZoneOffset`: the local offset where it happened.
    pub event_time_zone_offset: TimeZoneOffset,
    /// `eventID`: an optional URI naming the event (e.g. its `ni:///sha-256;…` hash ID).
    pub event_id: Option<String>,
    /// `errorDeclaration`: set when this event declares itself erroneous.
    pub error_declaration: Option<ErrorDeclaration>,
    /// `certificationInfo`: URIs of certificates that apply.
    pub certification_info: Vec<String>,
    /// The event type and its "what" fields.
    pub kind: EventKind,
    /// `bizStep`.
    pub biz_step: Option<BizStep>,
    /// `disposition`.
    pub disposition: Option<Disposition>,
    /// `persistentDisposition`.
    pub persistent_disposition: Option<PersistentDisposition>,
    /// `readPoint`: where the event was observed.
    pub read_point: Option<Location>,
    /// `bizLocation`: where the objects are afterwards.
    pub biz_location: Option<Location>,
    /// `bizTransactionList`.
    pub biz_transactions: Vec<BizTransaction>,
    /// `sourceList`.
    pub sources: Vec<SourceDest>,
    /// `destinationList`.
    pub destinations: Vec<SourceDest>,
    /// `sensorElementList`.
    pub sensor_elements: Vec<SensorElement>,
    /// Event-level user extensions.
    #[serde(with = "wire")]
    pub extensions: Vec<Extension>,
}

/// The five EPCIS 2.0 event types with their type-specific fields.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventKind {
    /// ObjectEvent: something happened to objects.
    Object(ObjectEvent),
    /// AggregationEvent: objects were put into or taken out of a container.
    Aggregation(AggregationEvent),
    /// TransactionEvent: objects were tied to or released from business transactions.
    /// Rarely used since EPCIS 2.0 (transactions fit on any event), not deprecated.
    Transaction(TransactionEvent),
    /// TransformationEvent: inputs were consumed to make outputs.
    Transformation(TransformationEvent),
    /// AssociationEvent: objects were associated with a parent that is not a container.
    Association(AssociationEvent),
}

impl EventKind {
    /// The EPCIS `type` name (`ObjectEvent` …).
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Object(_) => "ObjectEvent",
            Self::Aggregation(_) => "AggregationEvent",
            Self::Transaction(_) => "TransactionEvent",
            Self::Transformation(_) => "TransformationEvent",
            Self::Association(_) => "AssociationEvent",
        }
    }
}

/// ObjectEvent fields.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ObjectEvent {
    /// `action`.
    pub action: Action,
    /// `epcList`.
    pub epc_list: Vec<String>,
    /// `quantityList`.
    pub quantity_list: Vec<QuantityElement>,
    /// `ilmd`: lot-level master data, only with [`Action::Add`].
    pub ilmd: Option<Ilmd>,
}

/// AggregationEvent fields.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AggregationEvent {
    /// `action`.
    pub action: Action,
    /// `parentID`: the container; required unless the action is OBSERVE.
    pub parent_id: Option<String>,
    /// `childEPCs`.
    pub child_epcs: Vec<String>,
    /// `childQuantityList`.
    pub child_quantity_list: Vec<QuantityElement>,
}

/// TransactionEvent fields.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TransactionEvent {
    /// `action`.
    pub action: Action,
    /// `parentID`.
    pub parent_id: Option<String>,
    /// `epcList`.
    pub epc_list: Vec<String>,
    /// `quantityList`.
    pub quantity_list: Vec<QuantityElement>,
}

/// TransformationEvent fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TransformationEvent {
    /// `transformationID`: links events that are steps of one transformation.
    pub transformation_id: Option<String>,
    /// `inputEPCList`.
    pub input_epc_list: Vec<String>,
    /// `inputQuantityList`.
    pub input_quantity_list: Vec<QuantityElement>,
    /// `outputEPCList`.
    pub output_epc_list: Vec<String>,
    /// `outputQuantityList`.
    pub output_quantity_list: Vec<QuantityElement>,
    /// `ilmd` of the outputs.
    pub ilmd: Option<Ilmd>,
}

/// AssociationEvent fields.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AssociationEvent {
    /// `action`.
    pub action: Action,
    /// `parentID`: the asset the children are associated with (required).
    pub parent_id: String,
    /// `childEPCs`.
    pub child_epcs: Vec<String>,
    /// `childQuantityList`.
    pub child_quantity_list: Vec<QuantityElement>,
}

/// `action`: how the event relates to the objects' lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Action {
    /// `ADD`: the objects (or the association) begin.
    Add,
    /// `OBSERVE`: the objects were seen, nothing begins or ends.
    Observe,
    /// `DELETE`: the objects (or the association) end.
    Delete,
}

/// Why text is not an `action`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an EPCIS action (ADD, OBSERVE or DELETE)")]
pub struct ActionError(pub String);

impl FromStr for Action {
    type Err = ActionError;

    fn from_str(s: &str) -> Result<Self, ActionError> {
        match s {
            "ADD" => Ok(Self::Add),
            "OBSERVE" => Ok(Self::Observe),
            "DELETE" => Ok(Self::Delete),
            other => Err(ActionError(other.into())),
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Add => "ADD",
            Self::Observe => "OBSERVE",
            Self::Delete => "DELETE",
        })
    }
}

/// A `quantityElement`: an amount of a class of objects.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct QuantityElement {
    /// `epcClass`: class URI (`urn:epc:class:lgtin:…`, `urn:epc:idpat:sgtin:…`).
    pub epc_class: String,
    /// `quantity`; absent means an unspecified amount.
    pub quantity: Option<Decimal>,
    /// `uom`: UN/CEFACT Rec. 20 unit; absent means a count of instances.
    pub uom: Option<String>,
}

/// `readPoint` or `bizLocation`: a location URI with optional extensions.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Location {
    /// Location URI (`urn:epc:id:sgln:…`).
    pub id: String,
    /// Extensions inside the location element.
    #[serde(with = "wire")]
    pub extensions: Vec<Extension>,
}

/// A `bizTransaction` entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BizTransaction {
    /// `type`, if given.
    pub kind: Option<BizTransactionType>,
    /// Transaction URI.
    pub id: String,
}

/// A `source` or `destination` entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SourceDest {
    /// `type` (required by EPCIS).
    pub kind: SourceDestType,
    /// Party or location URI.
    pub id: String,
}

/// `persistentDisposition`: dispositions that stay until unset.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PersistentDisposition {
    /// `set`.
    pub set: Vec<Disposition>,
    /// `unset`.
    pub unset: Vec<Disposition>,
}

/// `ilmd`: instance/lot master data fixed when objects are created (CBV master data
/// attributes, namespace [`CBVMDA_NAMESPACE`]), plus any other attributes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Ilmd {
    /// `cbvmda:lotNumber`.
    pub lot_number: Option<String>,
    /// `cbvmda:itemExpirationDate`.
    pub item_expiration_date: Option<Date>,
    /// `cbvmda:productionDate`.
    pub production_date: Option<Date>,
    /// `cbvmda:bestBeforeDate`.
    pub best_before_date: Option<Date>,
    /// `cbvmda:sellByDate`.
    pub sell_by_date: Option<Date>,
    /// `cbvmda:countryOfOrigin`: ISO 3166-1 alpha-2 code.
    pub country_of_origin: Option<String>,
    /// Other ILMD attributes (any namespace, including other `cbvmda:` ones).
    #[serde(with = "wire")]
    pub extensions: Vec<Extension>,
}

/// Namespace IRI of the CBV master data attributes (`cbvmda:` in EPCIS JSON-LD).
pub const CBVMDA_NAMESPACE: &str = "urn:epcglobal:cbv:mda:";

/// `errorDeclaration`: the event is declared wrong.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ErrorDeclaration {
    /// `declarationTime`.
    pub declaration_time: EventTime,
    /// `reason`.
    pub reason: Option<ErrorReason>,
    /// `correctiveEventIDs`: events that replace this one.
    pub corrective_event_ids: Vec<String>,
    /// Extensions inside the declaration.
    #[serde(with = "wire")]
    pub extensions: Vec<Extension>,
}

/// An EPCIS rule an [`Event`] breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    /// AggregationEvent with ADD or DELETE but no `parentID`.
    #[error("AggregationEvent with action {action} needs a parentID")]
    MissingParent {
        /// The action.
        action: Action,
    },
    /// TransactionEvent with an empty `bizTransactionList`.
    #[error("TransactionEvent needs at least one bizTransaction")]
    NoBizTransaction,
    /// ObjectEvent carrying `ilmd` with an action other than ADD.
    #[error("ObjectEvent with action {action} cannot carry ilmd (only ADD can)")]
    IlmdWithoutAdd {
        /// The action.
        action: Action,
    },
}

impl Event {
    /// An event of `kind` at `event_time`, every optional field empty.
    pub fn new(kind: EventKind, event_time: EventTime, offset: TimeZoneOffset) -> Self {
        Self {
            event_time,
            event_time_zone_offset: offset,
            event_id: None,
            error_declaration: None,
            certification_info: Vec::new(),
            kind,
            biz_step: None,
            disposition: None,
            persistent_disposition: None,
            read_point: None,
            biz_location: None,
            biz_transactions: Vec::new(),
            sources: Vec::new(),
            destinations: Vec::new(),
            sensor_elements: Vec::new(),
            extensions: Vec::new(),
        }
    }

    /// Checks the EPCIS 2.0 rules that the types alone do not enforce.
    pub fn validate(&self) -> Result<(), EventError> {
        match &self.kind {
            EventKind::Aggregation(a) if a.parent_id.is_none() && a.action != Action::Observe => {
                Err(EventError::MissingParent { action: a.action })
            }
            EventKind::Transaction(_) if self.biz_transactions.is_empty() => {
                Err(EventError::NoBizTransaction)
            }
            EventKind::Object(o) if o.ilmd.is_some() && o.action != Action::Add => {
                Err(EventError::IlmdWithoutAdd { action: o.action })
            }
            _ => Ok(()),
        }
    }
}
