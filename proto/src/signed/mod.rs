//! Gateway-signed events and their per-gateway hash chain (design: "Gateway signatures
//! and hash chains"). Signatures are Ed25519 (RFC 8032), verified strictly; hashes are
//! SHA-256 (FIPS 180-4).
//!
//! # Byte layout ([`SignedEvent::to_bytes`])
//!
//! ```text
//! "rfid-trace/event/v1\0"  20 bytes   signing domain: these bytes are nothing else's
//! gateway_id               varint length, then ASCII   (postcard)
//! seq                      varint u64, 1, 2, 3 …       (postcard)
//! prev                     32 bytes, hash of the gateway's previous signed event, zeros for seq 1
//! event                    postcard encoding of the Event
//! signature                64 bytes, Ed25519 (R ‖ S) over every byte above
//! ```
//!
//! The *signing bytes* are everything but the signature, i.e. the domain followed by
//! the postcard encoding of `(gateway_id, seq, prev, event)`. The *hash* of a signed
//! event, which the next event carries as `prev`, is SHA-256 of its signing bytes; the
//! signature is left out so the chain commits to content only.
//!
//! A signed event keeps its signing bytes verbatim and every check (signature, hash)
//! runs over those carried bytes, never over a re-encoding; so a stored event can be
//! re-verified by anyone, with any Ed25519 implementation, as "the last 64 bytes sign
//! the rest". Decoding also insists that the bytes are the canonical encoding of their
//! content, so one event has exactly one byte form, one hash and one signed message.

use alloc::vec::Vec;
use core::fmt;

use ed25519_dalek::Signer;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use ed25519_dalek::{Signature, SigningKey, VerifyingKey};

use crate::event::Event;

mod gateway_id;
mod keys;

pub use gateway_id::GatewayId;
pub use keys::{enrollment_key, sign_bytes, verify_batch, verify_bytes};

/// Domain separation prefix of the signing bytes.
pub const SIGNING_DOMAIN: &[u8] = b"rfid-trace/event/v1\0";
/// Bytes of an Ed25519 signature.
pub const SIGNATURE_LEN: usize = 64;
/// Longest gateway id, in bytes.
pub const MAX_GATEWAY_ID_LEN: usize = 64;

/// What is wrong with a gateway id, signed event, key or chain link.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignedError {
    /// Gateway id of zero or more than [`MAX_GATEWAY_ID_LEN`] bytes.
    #[error("gateway id of {length} bytes: 1 to {max} are allowed")]
    GatewayIdLength {
        /// Length given.
        length: usize,
        /// [`MAX_GATEWAY_ID_LEN`].
        max: usize,
    },
    /// A gateway id character outside `[A-Za-z0-9._-]`, or a first character that is
    /// not a letter or digit.
    #[error("gateway id character {found:?} at position {position} is not allowed")]
    GatewayIdChar {
        /// 0-based byte offset.
        position: usize,
        /// The character.
        found: char,
    },
    /// Sequence numbers start at 1.
    #[error("sequence number 0: a gateway's events are numbered from 1")]
    ZeroSeq,
    /// The event cannot be encoded (e.g. extensions nested too deep).
    #[error("event does not encode: {0}")]
    Encode(postcard::Error),
    /// Fewer bytes than the domain and a signature.
    #[error("signed event of {length} bytes is shorter than the minimum of {min}")]
    Truncated {
        /// Bytes given.
        length: usize,
        /// Domain plus signature.
        min: usize,
    },
    /// The bytes do not start with [`SIGNING_DOMAIN`].
    #[error("bytes do not start with the signing domain \"rfid-trace/event/v1\\0\"")]
    WrongDomain,
    /// The content between domain and signature does not decode.
    #[error("signed content does not decode: {0}")]
    Malformed(postcard::Error),
    /// Bytes left between the event and the signature.
    #[error("{count} unexpected bytes between the event and the signature")]
    TrailingBytes {
        /// Bytes left over.
        count: usize,
    },
    /// The content decodes but is not in canonical form (e.g. an over-long varint).
    #[error("signed content is not the canonical encoding of the event")]
    NonCanonical,
    /// The signature does not verify under the gateway's key.
    #[error("signature of gateway {gateway_id} on seq {seq} does not verify")]
    BadSignature {
        /// Gateway that supposedly signed.
        gateway_id: GatewayId,
        /// Its sequence number.
        seq: u64,
    },
    /// A raw Ed25519 signature does not verify.
    #[error("Ed25519 signature does not verify")]
    Signature,
    /// 32 bytes that are not an Ed25519 public key (not a curve point).
    #[error("not an Ed25519 public key: the bytes do not encode a curve point")]
    InvalidKey,
    /// A public key of small order, which "verifies" forged signatures.
    #[error("weak Ed25519 public key (small-order point): refused")]
    WeakKey,
    /// Some signatures of a batch do not verify.
    #[error("{} signatures of the batch do not verify (indices {bad:?})", bad.len())]
    BadSignatures {
        /// Indices of the failing items, ascending.
        bad: Vec<usize>,
    },
    /// Events are missing between the chain head and this event.
    #[error("chain gap: expected seq {expected}, found {found}")]
    SeqGap {
        /// Head seq + 1.
        expected: u64,
        /// Seq of the event.
        found: u64,
    },
    /// The event is not newer than the chain head: a replay or a reordering.
    #[error("seq {found} is not after the chain head {head} (replayed or reordered)")]
    NotAfterHead {
        /// Seq of the chain head.
        head: u64,
        /// Seq of the event.
        found: u64,
    },
    /// `prev` is not the hash of the previous event: a fork or an altered predecessor.
    #[error("seq {seq} has prev {found} but the previous event hashes to {expected}")]
    PrevMismatch {
        /// Seq of the event.
        seq: u64,
        /// Hash of the chain head.
        expected: EventHash,
        /// `prev` carried by the event.
        found: EventHash,
    },
}

/// SHA-256 of a signed event's signing bytes; `prev` of the next event.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EventHash(pub [u8; 32]);

impl EventHash {
    /// `prev` of a gateway's first event.
    pub const ZERO: Self = Self([0; 32]);

    /// SHA-256 of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        Self(Sha256::digest(bytes).into())
    }
}

/// Lower-case hex.
impl fmt::Display for EventHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl fmt::Debug for EventHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EventHash({self})")
    }
}

/// An event signed by a gateway, with its place in the gateway's chain. Immutable:
/// fields and carried bytes always agree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedEvent {
    gateway_id: GatewayId,
    seq: u64,
    prev: EventHash,
    event: Event,
    signature: Signature,
    signing_bytes: Vec<u8>,
    hash: EventHash,
}

fn signing_bytes(
    gateway_id: &GatewayId,
    seq: u64,
    prev: &EventHash,
    event: &Event,
) -> Result<Vec<u8>, SignedError> {
    postcard::to_extend(&(gateway_id, seq, prev, event), SIGNING_DOMAIN.to_vec())
        .map_err(SignedError::Encode)
}

impl SignedEvent {
    /// Signs `event` as number `seq` (from 1) of `gateway_id`'s chain, after `prev`.
    pub fn sign(
        key: &SigningKey,
        gateway_id: GatewayId,
        seq: u64,
        prev: EventHash,
        event: Event,
    ) -> Result<Self, SignedError> {
        if seq == 0 {
            return Err(SignedError::ZeroSeq);
        }
        let signing_bytes = signing_bytes(&gateway_id, seq, &prev, &event)?;
        let signature = key.sign(&signing_bytes);
        let hash = EventHash::of(&signing_bytes);
        Ok(Self {
            gateway_id,
            seq,
            prev,
            event,
            signature,
            signing_bytes,
            hash,
        })
    }

    /// Decodes the bytes of [`to_bytes`](Self::to_bytes). Does not verify the signature.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SignedError> {
        let min = SIGNING_DOMAIN.len() + SIGNATURE_LEN;
        let truncated = || SignedError::Truncated {
            length: bytes.len(),
            min,
        };
        let (signed, signature) = bytes
            .split_last_chunk::<SIGNATURE_LEN>()
            .ok_or_else(truncated)?;
        if signed.len() < SIGNING_DOMAIN.len() {
            return Err(truncated());
        }
        let body = signed
            .strip_prefix(SIGNING_DOMAIN)
            .ok_or(SignedError::WrongDomain)?;
        let ((gateway_id, seq, prev, event), rest) =
            postcard::take_from_bytes::<(GatewayId, u64, EventHash, Event)>(body)
                .map_err(SignedError::Malformed)?;
        if !rest.is_empty() {
            return Err(SignedError::TrailingBytes { count: rest.len() });
        }
        if seq == 0 {
            return Err(SignedError::ZeroSeq);
        }
        if signing_bytes(&gateway_id, seq, &prev, &event)? != signed {
            return Err(SignedError::NonCanonical);
        }
        Ok(Self {
            gateway_id,
            seq,
            prev,
            event,
            signature: Signature::from_bytes(signature),
            signing_bytes: signed.to_vec(),
            hash: EventHash::of(signed),
        })
    }

    /// The complete stored form: signing bytes, then the 64-byte signature.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(self.encoded_len());
        bytes.extend_from_slice(&self.signing_bytes);
        bytes.extend_from_slice(&self.signature.to_bytes());
        bytes
    }

    /// Length of [`to_bytes`](Self::to_bytes).
    pub fn encoded_len(&self) -> usize {
        self.signing_bytes.len() + SIGNATURE_LEN
    }

    /// Verifies the signature over the carried signing bytes (strict RFC 8032
    /// verification: canonical S, no small-order R or key).
    pub fn verify(&self, key: &VerifyingKey) -> Result<(), SignedError> {
        verify_bytes(key, &self.signing_bytes, &self.signature).map_err(|_| {
            SignedError::BadSignature {
                gateway_id: self.gateway_id.clone(),
                seq: self.seq,
            }
        })
    }

    /// Checks that this event extends the chain whose newest event is `head` (`None`:
    /// the gateway has no events yet) and returns the new head.
    pub fn check_link(&self, head: Option<ChainHead>) -> Result<ChainHead, SignedError> {
        let (expected_seq, expected_prev) =
            head.map_or((1, EventHash::ZERO), |h| (h.seq.saturating_add(1), h.hash));
        if self.seq < expected_seq {
            return Err(SignedError::NotAfterHead {
                head: expected_seq - 1,
                found: self.seq,
            });
        }
        if self.seq > expected_seq {
            return Err(SignedError::SeqGap {
                expected: expected_seq,
                found: self.seq,
            });
        }
        if self.prev != expected_prev {
            return Err(SignedError::PrevMismatch {
                seq: self.seq,
                expected: expected_prev,
                found: self.prev,
            });
        }
        Ok(self.head())
    }

    /// The signing gateway.
    pub fn gateway_id(&self) -> &GatewayId {
        &self.gateway_id
    }

    /// Position in the gateway's chain, from 1.
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// Hash of the gateway's previous signed event.
    pub fn prev(&self) -> EventHash {
        self.prev
    }

    /// The event.
    pub fn event(&self) -> &Event {
        &self.event
    }

    /// The signature.
    pub fn signature(&self) -> &Signature {
        &self.signature
    }

    /// The exact bytes signed.
    pub fn signing_bytes(&self) -> &[u8] {
        &self.signing_bytes
    }

    /// SHA-256 of the signing bytes: `prev` of the next event.
    pub fn hash(&self) -> EventHash {
        self.hash
    }

    /// This event as a chain head.
    pub fn head(&self) -> ChainHead {
        ChainHead {
            seq: self.seq,
            hash: self.hash,
        }
    }
}

/// The newest event of a gateway's chain, as the server keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ChainHead {
    /// Its seq.
    pub seq: u64,
    /// Its hash.
    pub hash: EventHash,
}
