//! Password hashing with Argon2id (the `argon2` crate's defaults: 19 MiB, 2 passes), salts
//! from the caller's entropy so that tests are reproducible.

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
