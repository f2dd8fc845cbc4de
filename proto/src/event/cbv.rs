//! GS1 Core Business Vocabulary (CBV) 2.0 vocabularies: business steps,
//! dispositions, business transaction types, source/destination types and error
//! reasons.
//!
//! Each term has three spellings, all parsed:
//! the bare word of EPCIS 2.0 JSON-LD (`shipping`), the CBV 2.0 web URI
//! (`https://ref.gs1.org/cbv/BizStep-shipping`, also as the CURIE `cbv:BizStep-shipping`)
//! and the EPCIS 1.x URN (`urn:epcglobal:cbv:bizstep:shipping`). [`Display`](core::fmt::Display)
//! writes the web URI, the canonical form of the CBV 2.0 event hash.
//!
//! Any other absolute URI is a user vocabulary and is kept verbatim in `Custom`. A
//! value inside a CBV namespace that is not a term of this vocabulary is an error, not a
//! custom value, so a typo such as `BizStep-shiping` is caught. The term lists are those
//! of the CBV 2.0 JSON-LD contexts (gs1/EPCIS `JSON-LD-Context/cbv-context-*.jsonld`).
//!
//! `Custom` is variant 0 and new standard terms are appended, so postcard encodings of
//! stored events stay valid when a later CBV adds terms.

use alloc::borrow::ToOwned;
use alloc::string::String;
use core::fmt;
use core::str::FromStr;

use serde::{Deserialize, Serialize};

/// Why text is not a term of a CBV vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CbvError {
    /// Empty text.
    #[error("empty {vocabulary}")]
    Empty {
        /// Vocabulary name.
        vocabulary: &'static str,
    },
    /// A bare word that is not a term of the vocabulary.
    #[error("{word:?} is not a CBV 2.0 {vocabulary}")]
    UnknownWord {
        /// Vocabulary name.
        vocabulary: &'static str,
        /// The word.
        word: String,
    },
    /// A URI in a CBV namespace naming no term of this vocabulary.
    #[error("{uri:?} is in the CBV namespace but names no CBV 2.0 {vocabulary}")]
    UnknownCbvUri {
        /// Vocabulary name.
        vocabulary: &'static str,
        /// The URI.
        uri: String,
    },
    /// A custom value with whitespace or control characters, which no URI has.
    #[error("{value:?} is not a URI: it contains whitespace or control characters")]
    NotAUri {
        /// The value.
        value: String,
    },
}

/// Parses one of the spellings described in the module doc.
fn parse_term<T>(
    text: &str,
    vocabulary: &'static str,
    prefixes: [&str; 3],
    from_word: fn(&str) -> Option<T>,
    custom: fn(String) -> T,
) -> Result<T, CbvError> {
    if text.is_empty() {
        return Err(CbvError::Empty { vocabulary });
    }
    if let Some(word) = prefixes.iter().find_map(|p| text.strip_prefix(p)) {
        return from_word(word).ok_or_else(|| CbvError::UnknownCbvUri {
            vocabulary,
            uri: text.to_owned(),
        });
    }
    if !text.contains(':') {
        return from_word(text).ok_or_else(|| CbvError::UnknownWord {
            vocabulary,
            word: text.to_owned(),
        });
    }
    let cbv_namespaces = ["https://ref.gs1.org/cbv/", "urn:epcglobal:cbv:", "cbv:"];
    if cbv_namespaces.iter().any(|ns| text.starts_with(ns)) {
        return Err(CbvError::UnknownCbvUri {
            vocabulary,
            uri: text.to_owned(),
        });
    }
    if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(CbvError::NotAUri {
            value: text.to_owned(),
        });
    }
    Ok(custom(text.to_owned()))
}

macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $name:ident, $label:literal, $web:literal, $curie:literal, $urn:literal,
        [$($variant:ident = $word:literal),+ $(,)?]
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            /// A term of a user vocabulary: an absolute URI outside the CBV, verbatim.
            Custom(String),
            $(
                #[doc = concat!("CBV `", $word, "`.")]
                $variant,
            )+
        }

        impl $name {
            /// Every standard term, in declaration order.
            pub const STANDARD: &'static [Self] = &[$(Self::$variant),+];
            /// Prefix of the CBV 2.0 web URI of a term.
            pub const WEB_PREFIX: &'static str = $web;
            /// Prefix of the EPCIS 1.x URN of a term.
            pub const URN_PREFIX: &'static str = $urn;

            /// The bare word of a standard term; `None` for a custom URI.
            pub fn word(&self) -> Option<&'static str> {
                match self {
                    $(Self::$variant => Some($word),)+
                    Self::Custom(_) => None,
                }
            }

            fn from_word(word: &str) -> Option<Self> {
                match word {
                    $($word => Some(Self::$variant),)+
                    _ => None,
                }
            }

            /// Parses the bare word, web URI, CURIE, URN or a custom URI.
            pub fn parse(text: &str) -> Result<Self, CbvError> {
                parse_term(text, $label, [$web, $curie, $urn], Self::from_word, Self::Custom)
            }

            /// The EPCIS 1.x URN spelling (custom URIs verbatim).
            pub fn to_urn(&self) -> String {
                match self {
                    Self::Custom(uri) => uri.clone(),
                    term => alloc::format!("{}{}", $urn, term.word().unwrap_or_default()),
                }
            }
        }

        /// The CBV 2.0 web URI (custom URIs verbatim).
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self {
                    Self::Custom(uri) => f.write_str(uri),
                    term => write!(f, "{}{}", $web, term.word().unwrap_or_default()),
                }
            }
        }

        impl FromStr for $name {
            type Err = CbvError;

            fn from_str(text: &str) -> Result<Self, CbvError> {
                Self::parse(text)
            }
        }
    };
}

vocabulary! {
    /// Business step (`bizStep`): what the business process was.
    BizStep, "business step",
    "https://ref.gs1.org/cbv/BizStep-", "cbv:BizStep-", "urn:epcglobal:cbv:bizstep:",
    [
        Accepting = "accepting", Arriving = "arriving", Assembling = "assembling",
        Collecting = "collecting", Commissioning = "commissioning", Consigning = "consigning",
        CreatingClassInstance = "creating_class_instance", CycleCounting = "cycle_counting",
        Decommissioning = "decommissioning", Departing = "departing", Destroying = "destroying",
        Disassembling = "disassembling", Dispensing = "dispensing", Encoding = "encoding",
        EnteringExiting = "entering_exiting", Holding = "holding", Inspecting = "inspecting",
        Installing = "installing", Killing = "killing", Loading = "loading", Other = "other",
        Packing = "packing", Picking = "picking", Receiving = "receiving", Removing = "removing",
        Repackaging = "repackaging", Repairing = "repairing", Replacing = "replacing",
        Reserving = "reserving", RetailSelling = "retail_selling", Sampling = "sampling",
        SensorReporting = "sensor_reporting", Shipping = "shipping",
        StagingOutbound = "staging_outbound", StockTaking = "stock_taking", Stocking = "stocking",
        Storing = "storing", Transporting = "transporting", Unloading = "unloading",
        Unpacking = "unpacking", VoidShipping = "void_shipping",
    ]
}

vocabulary! {
    /// Disposition (`disposition`, `persistentDisposition`): the business
    /// condition of the objects after the event.
    Disposition, "disposition",
    "https://ref.gs1.org/cbv/Disp-", "cbv:Disp-", "urn:epcglobal:cbv:disp:",
    [
        Active = "active", Available = "available",
        CompletenessInferred = "completeness_inferred",
        CompletenessVerified = "completeness_verified", Conformant = "conformant",
        ContainerClosed = "container_closed", ContainerOpen = "container_open",
        Damaged = "damaged", Destroyed = "destroyed", Dispensed = "dispensed",
        Disposed = "disposed", Encoded = "encoded", Expired = "expired",
        InProgress = "in_progress", InTransit = "in_transit", Inactive = "inactive",
        MismatchClass = "mismatch_class", MismatchInstance = "mismatch_instance",
        MismatchQuantity = "mismatch_quantity", NeedsReplacement = "needs_replacement",
        NoPedigreeMatch = "no_pedigree_match", NonConformant = "non_conformant",
        NonSellableOther = "non_sellable_other", PartiallyDispensed = "partially_dispensed",
        Recalled = "recalled", Reserved = "reserved", RetailSold = "retail_sold",
        Returned = "returned", SellableAccessible = "sellable_accessible",
        SellableNotAccessible = "sellable_not_accessible", Stolen = "stolen",
        Unavailable = "unavailable", Unknown = "unknown",
    ]
}

vocabulary! {
    /// Business transaction type (`bizTransactionList` `type`).
    BizTransactionType, "business transaction type",
    "https://ref.gs1.org/cbv/BTT-", "cbv:BTT-", "urn:epcglobal:cbv:btt:",
    [
        Bol = "bol", Cert = "cert", Desadv = "desadv", Inv = "inv", Pedigree = "pedigree",
        Po = "po", Poc = "poc", Prodorder = "prodorder", Recadv = "recadv", Rma = "rma",
        Testprd = "testprd", Testres = "testres", Upevt = "upevt",
    ]
}

vocabulary! {
    /// Source/destination type (`sourceList`/`destinationList` `type`).
    SourceDestType, "source/destination type",
    "https://ref.gs1.org/cbv/SDT-", "cbv:SDT-", "urn:epcglobal:cbv:sdt:",
    [OwningParty = "owning_party", PossessingParty = "possessing_party", Location = "location"]
}

vocabulary! {
    /// Error reason (`errorDeclaration` `reason`).
    ErrorReason, "error reason",
    "https://ref.gs1.org/cbv/ER-", "cbv:ER-", "urn:epcglobal:cbv:er:",
    [DidNotOccur = "did_not_occur", IncorrectData = "incorrect_data"]
}
