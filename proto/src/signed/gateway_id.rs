//! Gateway identities: what names a gateway in topics, chains and the registry.

use alloc::string::String;
use core::fmt;
use core::str::FromStr;

use serde::{Deserialize, Serialize};

use super::{MAX_GATEWAY_ID_LEN, SignedError};

/// A gateway's identity, also one MQTT topic level: 1 to 64 bytes of `[A-Za-z0-9._-]`
/// starting with a letter or digit (so it is never `.`, `..` or an option-like `-x`
/// when used as a file name or command argument), never `+`, `#` or `/`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct GatewayId(String);

impl GatewayId {
    /// Checks and wraps a gateway id.
    pub fn new(id: &str) -> Result<Self, SignedError> {
        if id.is_empty() || id.len() > MAX_GATEWAY_ID_LEN {
            return Err(SignedError::GatewayIdLength {
                length: id.len(),
                max: MAX_GATEWAY_ID_LEN,
            });
        }
        for (position, found) in id.char_indices() {
            let allowed =
                found.is_ascii_alphanumeric() || (position > 0 && matches!(found, '.' | '_' | '-'));
            if !allowed {
                return Err(SignedError::GatewayIdChar { position, found });
            }
        }
        Ok(Self(id.into()))
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for GatewayId {
    type Error = SignedError;

    fn try_from(id: String) -> Result<Self, SignedError> {
        Self::new(&id)
    }
}

impl From<GatewayId> for String {
    fn from(id: GatewayId) -> Self {
        id.0
    }
}

impl FromStr for GatewayId {
    type Err = SignedError;

    fn from_str(id: &str) -> Result<Self, SignedError> {
        Self::new(id)
    }
}

impl fmt::Display for GatewayId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
