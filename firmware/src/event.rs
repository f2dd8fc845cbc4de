//! What a reader driver reports to the application.

use trace_proto::link::{FaultKind, TagId};

/// One thing a driver noticed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReaderEvent {
    /// The module answered its initialisation and is now reading (sent again after
    /// every recovery from a fault).
    Ready,
    /// A raw tag read, before de-bouncing.
    Tag(TagSighting),
    /// The module misbehaved; the driver is already recovering.
    Fault(FaultKind),
}

/// A raw tag read as one module delivered it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TagSighting {
    /// The tag.
    pub tag: TagId,
    /// Antenna of the module (0 for single-antenna modules).
    pub antenna: u8,
    /// Received signal strength in hundredths of a dBm, if the module reports it.
    pub rssi_cdbm: Option<i16>,
}

impl TagSighting {
    /// A read from a single-antenna module that reports no signal strength.
    pub fn new(tag: TagId) -> Self {
        Self {
            tag,
            antenna: 0,
            rssi_cdbm: None,
        }
    }
}
