//! The keyed digest that replaces an erased lead's `prospect_key` (ADR 0007). The key was
//! `tel:+86…` or `org:company|name`; a bare SHA-256 of it was reversed by trying every mobile
//! number (about 10¹⁰ of them: 7.6 s on one machine, issue 15). HMAC-SHA-256 under a 32-byte
//! secret of the deployment cannot be tried without the secret, which stays on the server (in
//! its store, shared by every node: `ServerStore::server_secret`). The digest is deterministic
//! so that every erased lead of one person keeps one ownership group, and the rule's outcome
//! among them stays as it was.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::{Result, ServerError};

/// The name the secret is stored under.
pub const SECRET_NAME: &str = "erasure_digest_v1";

/// What every erased key starts with.
pub const ERASED_PREFIX: &str = "erased:";

/// Domain separation: this key signs nothing else, and a later scheme gets another label.
const LABEL: &[u8] = b"fieldbook/erased-prospect-key/v1\0";

/// The deployment's secret for erased keys.
#[derive(Clone)]
pub struct ErasureKey([u8; 32]);

impl std::fmt::Debug for ErasureKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ErasureKey(..)")
    }
}

impl ErasureKey {
    pub fn new(secret: [u8; 32]) -> Self {
        ErasureKey(secret)
    }

    /// `erased:` and the hex HMAC-SHA-256 of `prospect_key`; a key erased already stays.
    pub fn digest(&self, prospect_key: &str) -> Result<String> {
        if prospect_key.starts_with(ERASED_PREFIX) {
            return Ok(prospect_key.to_owned());
        }
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0)
            .map_err(|e| ServerError::Task(format!("HMAC key: {e}")))?;
        mac.update(LABEL);
        mac.update(prospect_key.as_bytes());
        let tag = mac.finalize().into_bytes();
        Ok(format!("{ERASED_PREFIX}{}", hex::encode(tag)))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use sha2::Digest;

    #[test]
    fn the_digest_is_keyed_stable_and_not_a_bare_hash() {
        let key = ErasureKey::new([7; 32]);
        let d = key.digest("tel:+8613987654321").unwrap();
        assert_eq!(d, key.digest("tel:+8613987654321").unwrap());
        assert_eq!(key.digest(&d).unwrap(), d, "erasing twice keeps it");
        let other = ErasureKey::new([8; 32])
            .digest("tel:+8613987654321")
            .unwrap();
        assert_ne!(d, other, "another secret, another digest");
        for bare in ["tel:+8613987654321", "+8613987654321", "13987654321"] {
            let sha = hex::encode(Sha256::digest(bare.as_bytes()));
            assert!(!d.contains(&sha), "{bare}");
        }
    }
}
