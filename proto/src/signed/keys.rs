//! The Ed25519 layer: raw signing and verification, enrollment's key checks, and batch
//! verification that names the bad events.

use alloc::vec::Vec;

use ed25519_dalek::Signer;

use super::{Signature, SignedError, SignedEvent, SigningKey, VerifyingKey};

/// Signs raw bytes (the Ed25519 layer under [`SignedEvent`]).
pub fn sign_bytes(key: &SigningKey, message: &[u8]) -> Signature {
    key.sign(message)
}

/// Verifies raw bytes strictly (the Ed25519 layer under [`SignedEvent`]).
pub fn verify_bytes(
    key: &VerifyingKey,
    message: &[u8],
    signature: &Signature,
) -> Result<(), SignedError> {
    key.verify_strict(message, signature)
        .map_err(|_| SignedError::Signature)
}

/// Checks a public key presented for enrollment: a valid point and not of small order.
pub fn enrollment_key(bytes: &[u8; 32]) -> Result<VerifyingKey, SignedError> {
    let key = VerifyingKey::from_bytes(bytes).map_err(|_| SignedError::InvalidKey)?;
    if key.is_weak() {
        return Err(SignedError::WeakKey);
    }
    Ok(key)
}

/// Whether a signature's R is not a point or has small order; strict verification
/// rejects both, and batch verification alone would not.
fn r_is_unacceptable(signature: &Signature) -> bool {
    VerifyingKey::from_bytes(signature.r_bytes()).map_or(true, |r| r.is_weak())
}

/// Verifies many events at once, each with its gateway's key; on failure names every
/// bad one.
///
/// Randomised batch verification (ed25519-dalek) costs about half of verifying one by
/// one. If the batch fails, each event is verified strictly to find the bad ones. An
/// accepted batch equals strict verification except for signatures whose R carries a
/// small torsion component, which only the holder of the signing key can produce; small
/// order keys and R values are rejected up front as strict verification does.
pub fn verify_batch(items: &[(&SignedEvent, &VerifyingKey)]) -> Result<(), SignedError> {
    let mut bad = Vec::new();
    let mut candidates = Vec::with_capacity(items.len());
    for (index, (event, key)) in items.iter().enumerate() {
        if key.is_weak() || r_is_unacceptable(&event.signature) {
            bad.push(index);
        } else {
            candidates.push((index, *event, *key));
        }
    }
    let messages: Vec<&[u8]> = candidates
        .iter()
        .map(|(_, e, _)| e.signing_bytes.as_slice())
        .collect();
    let signatures: Vec<Signature> = candidates.iter().map(|(_, e, _)| e.signature).collect();
    let keys: Vec<VerifyingKey> = candidates.iter().map(|(_, _, k)| **k).collect();
    if ed25519_dalek::verify_batch(&messages, &signatures, &keys).is_err() {
        bad.extend(
            candidates
                .iter()
                .filter(|(_, e, k)| e.verify(k).is_err())
                .map(|(i, _, _)| *i),
        );
        bad.sort_unstable();
    }
    if bad.is_empty() {
        Ok(())
    } else {
        Err(SignedError::BadSignatures { bad })
    }
}
