//! Bearer tokens with roles. Tokens are kept only as SHA-256 hashes: the config file
//! holds hashes, and a token given in the environment is hashed at start-up, so neither
//! a config dump nor a memory of the server's settings reveals a usable token.

use serde::Deserialize;
use sha2::{Digest, Sha256};

/// What a token may do. Each role includes the ones below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Captures events (EPCIS capture).
    Operator,
    /// Traces forward, issues recalls, sees the quarantine.
    Supervisor,
    /// Enrols and revokes gateways.
    Admin,
}

/// One configured token.
#[derive(Debug, Clone, Deserialize)]
pub struct TokenEntry {
    /// Who holds it (shown in records it creates, e.g. `issued_by`).
    pub name: String,
    /// Its role.
    pub role: Role,
    /// SHA-256 of the token, 64 hex digits.
    pub sha256: String,
}

/// A caller who presented a valid token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The token's name.
    pub name: String,
    /// The token's role.
    pub role: Role,
}

struct Known {
    hash: [u8; 32],
    caller: Caller,
}

/// A configured token hash that is not 64 hex digits.
#[derive(Debug, thiserror::Error)]
#[error("token {name:?}: sha256 must be 64 hex digits")]
pub struct TokenConfigError {
    /// The token's name.
    pub name: String,
}

/// The set of valid tokens.
#[derive(Default)]
pub struct Auth {
    known: Vec<Known>,
}

/// SHA-256 of a token, as stored.
pub fn token_hash(token: &str) -> [u8; 32] {
    secret_hash(token.as_bytes())
}

/// SHA-256 of a secret (a token, an MQTT password), as stored.
pub fn secret_hash(secret: &[u8]) -> [u8; 32] {
    Sha256::digest(secret).into()
}

/// A stored hash from its 64 hex digits.
pub fn parse_hash(hex_digits: &str) -> Option<[u8; 32]> {
    let mut hash = [0u8; 32];
    hex::decode_to_slice(hex_digits, &mut hash).ok()?;
    Some(hash)
}

/// Whether two hashes are equal, comparing every byte so that timing says nothing about
/// where they differ.
pub fn hashes_equal(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl Auth {
    /// Tokens from configured hashes.
    pub fn from_entries(entries: &[TokenEntry]) -> Result<Self, TokenConfigError> {
        let mut auth = Self::default();
        for entry in entries {
            let hash = parse_hash(&entry.sha256).ok_or_else(|| TokenConfigError {
                name: entry.name.clone(),
            })?;
            auth.add_hash(hash, &entry.name, entry.role);
        }
        Ok(auth)
    }

    /// Adds a token given in clear (from the environment); only its hash is kept.
    pub fn add_token(&mut self, token: &str, name: &str, role: Role) {
        self.add_hash(token_hash(token), name, role);
    }

    fn add_hash(&mut self, hash: [u8; 32], name: &str, role: Role) {
        self.known.push(Known {
            hash,
            caller: Caller {
                name: name.to_owned(),
                role,
            },
        });
    }

    /// The caller behind an `Authorization` header value (`Bearer <token>`), if valid.
    pub fn check(&self, authorization: &str) -> Option<Caller> {
        let token = authorization.strip_prefix("Bearer ")?.trim();
        let presented = token_hash(token);
        // Compare every entry, so timing says nothing about which one matched.
        let mut found = None;
        for known in &self.known {
            if hashes_equal(&known.hash, &presented) {
                found = Some(known.caller.clone());
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_match_by_hash_and_carry_their_role() {
        let entries = [TokenEntry {
            name: "sup".into(),
            role: Role::Supervisor,
            sha256: hex::encode(token_hash("s3cret")),
        }];
        let mut auth = Auth::from_entries(&entries).unwrap();
        auth.add_token("adm", "admin", Role::Admin);
        assert_eq!(auth.check("Bearer s3cret").unwrap().role, Role::Supervisor);
        assert_eq!(auth.check("Bearer adm").unwrap().name, "admin");
        assert_eq!(auth.check("Bearer wrong"), None);
        assert_eq!(auth.check("s3cret"), None);
        assert!(Role::Admin > Role::Supervisor && Role::Supervisor > Role::Operator);
    }

    #[test]
    fn a_malformed_hash_is_refused_by_name() {
        let entries = [TokenEntry {
            name: "bad".into(),
            role: Role::Operator,
            sha256: "xyz".into(),
        }];
        let err = Auth::from_entries(&entries).err().unwrap();
        assert_eq!(err.name, "bad");
    }
}
