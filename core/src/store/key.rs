//! Encryption at rest. The device database is a SQLCipher file keyed with 32 random bytes that
//! the host app keeps in the platform keystore (Android Keystore, iOS Keychain) and hands to
//! [`crate::DeviceStore::open`]. The raw key is used directly (`PRAGMA key = "x'…'"`), skipping
//! SQLCipher's passphrase derivation: the keystore already gives full-entropy bytes, and the
//! derivation would cost every app start hundreds of milliseconds on a phone.
//!
//! A wrong key, a missing key for an encrypted file, or a key for a plain file is a clear
//! [`Error::WrongKey`] before anything is read or written, never a "corrupt database".

use rusqlite::Connection;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::error::{Error, Result};

/// The 32-byte key of an encrypted device store. Wiped from memory when dropped; never printed.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct StoreKey([u8; 32]);

impl StoreKey {
    pub fn new(bytes: [u8; 32]) -> Self {
        StoreKey(bytes)
    }

    /// A key from a slice, as a host app passes it across the FFI.
    pub fn from_slice(bytes: &[u8]) -> Result<Self> {
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| {
            Error::invalid(
                "key",
                format!(
                    "密钥须为 32 字节 / the key must be 32 bytes, got {}",
                    bytes.len()
                ),
            )
        })?;
        Ok(StoreKey(bytes))
    }

    fn pragma_value(&self) -> String {
        let hex: String = self.0.iter().map(|b| format!("{b:02x}")).collect();
        format!("x'{hex}'")
    }
}

impl std::fmt::Debug for StoreKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoreKey(…)")
    }
}

/// Keys a fresh connection (if a key is given) and proves the key opens the file. Must run
/// before any other statement on the connection.
pub(crate) fn unlock(conn: &Connection, key: Option<&StoreKey>) -> Result<()> {
    if let Some(key) = key {
        // The raw-key form must reach SQLCipher unquoted (`"x'…'"`): `pragma_update` would
        // quote it into a passphrase. The value is hex digits only, so nothing can be injected.
        let mut sql = format!("PRAGMA key = \"{}\";", key.pragma_value());
        let keyed = conn.execute_batch(&sql);
        sql.zeroize();
        keyed?;
    }
    match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    }) {
        Ok(_) => Ok(()),
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::NotADatabase =>
        {
            Err(Error::WrongKey)
        }
        Err(e) => Err(e.into()),
    }
}
