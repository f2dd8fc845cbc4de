//! Raw tag identities (as a reader or the firmware link delivers them) turned into the
//! canonical URI the system knows a unit by: the EPC pure identity URI for Gen2 tags,
//! `urn:rfid-trace:uid:…` for tags without an EPC.

use trace_proto::epc::{Epc, EpcError};
use trace_proto::link::TagId;
use trace_proto::uid::{TagUid, UidError, UidTech};

/// Why a tag's bytes name no unit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    /// The EPC bank does not hold an EPC this system decodes.
    #[error("EPC does not decode: {0}")]
    Epc(#[from] EpcError),
    /// The UID cannot identify a unit (partial or random UID).
    #[error("UID is not a unit identity: {0}")]
    Uid(#[from] UidError),
}

/// The canonical URI of a tag.
pub fn tag_uri(tag: &TagId) -> Result<String, IdentityError> {
    Ok(match tag {
        TagId::Gen2(bank) => Epc::from_bytes(bank.epc())?.identity().to_string(),
        TagId::Em4100(bytes) => TagUid::new(UidTech::Em4100, bytes)?.to_string(),
        TagId::Iso14443a(uid) => TagUid::new(UidTech::Iso14443a, uid.as_bytes())?.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use trace_proto::link::{EpcBank, Uid};

    #[test]
    fn m100_example_epc_is_an_sgtin() {
        // The tag of the M100 notification example in readers.md.
        let epc = [
            0x30, 0x75, 0x1F, 0xEB, 0x70, 0x5C, 0x59, 0x04, 0xE3, 0xD5, 0x0D, 0x70,
        ];
        let bank = EpcBank::new(0x3400, &epc).unwrap();
        let uri = tag_uri(&TagId::Gen2(bank)).unwrap();
        assert!(uri.starts_with("urn:epc:id:sgtin:"), "{uri}");
    }

    #[test]
    fn em4100_and_14443_uids() {
        let em = TagId::Em4100([0x10, 0x00, 0x86, 0xF4, 0x44]);
        assert_eq!(
            tag_uri(&em).unwrap(),
            "urn:rfid-trace:uid:em4100:100086F444"
        );
        let uid = TagId::Iso14443a(Uid::from_slice(&[0x90, 0x1F, 0x2A, 0xA4]).unwrap());
        assert_eq!(
            tag_uri(&uid).unwrap(),
            "urn:rfid-trace:uid:iso14443a:901F2AA4"
        );
    }

    #[test]
    fn unknown_epc_header_is_an_error() {
        let bank = EpcBank::new(0x3000, &[0xFF; 12]).unwrap();
        assert!(matches!(
            tag_uri(&TagId::Gen2(bank)),
            Err(IdentityError::Epc(_))
        ));
    }
}
