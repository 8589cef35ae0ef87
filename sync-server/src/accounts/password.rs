//! Password hashing with Argon2id (the `argon2` crate's defaults: 19 MiB, 2 passes), salts
//! from the caller's entropy so that tests are reproducible.
//!
//! A sign-in for a user who does not exist, is disabled or has no password verifies the
//! password against a dummy hash with the same parameters ([`verify_dummy`]), so it costs what
//! a real one costs: issue 15, finding 7 measured 23 ms for a real user and 2 ms for an unknown
//! one, enough to tell which user names exist.

use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use fieldbook_core::Entropy;

use crate::error::{Result, ServerError};

/// The PHC string of `password` with a fresh salt.
pub fn hash_password(password: &str, entropy: &dyn Entropy) -> Result<String> {
    if password.chars().count() < 8 {
        return Err(ServerError::Invalid(
            "密码至少 8 个字符 / a password needs at least 8 characters".into(),
        ));
    }
    let salt = SaltString::encode_b64(&entropy.bytes16())
        .map_err(|e| ServerError::Task(format!("salt: {e}")))?;
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| ServerError::Task(format!("password hash: {e}")))?
        .to_string())
}

/// Whether `password` matches the stored PHC string (a damaged hash never matches).
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A hash of a password no one has, with the default parameters (fixed salt: it protects
/// nothing, it only costs the same to verify).
static DUMMY_HASH: LazyLock<Option<String>> = LazyLock::new(|| {
    let salt = SaltString::encode_b64(&[0x5a; 16]).ok()?;
    Argon2::default()
        .hash_password(b"fieldbook dummy password", &salt)
        .ok()
        .map(|h| h.to_string())
});

static DUMMY_VERIFICATIONS: AtomicU64 = AtomicU64::new(0);

/// Verifies `password` against the dummy hash: the work of a real check, never a match.
pub fn verify_dummy(password: &str) -> bool {
    DUMMY_VERIFICATIONS.fetch_add(1, Ordering::Relaxed);
    if let Some(phc) = DUMMY_HASH.as_deref() {
        let _ = verify_password(password, phc);
    }
    false
}

/// How many dummy verifications this process has made (for tests and metrics).
pub fn dummy_verifications() -> u64 {
    DUMMY_VERIFICATIONS.load(Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_dummy_hash_has_the_real_parameters_and_matches_nothing() {
        let dummy = PasswordHash::new(DUMMY_HASH.as_deref().unwrap()).unwrap();
        let real = hash_password("correct horse", &fieldbook_core::SeededEntropy::new(1)).unwrap();
        let real = PasswordHash::new(&real).unwrap();
        assert_eq!(dummy.algorithm, real.algorithm);
        assert_eq!(dummy.params, real.params);
        let before = dummy_verifications();
        assert!(!verify_dummy("fieldbook dummy password"));
        assert!(dummy_verifications() > before);
    }
}
