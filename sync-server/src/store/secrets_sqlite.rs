//! The deployment's secrets in the SQLite store (one row per secret, ADR 0007): created once by
//! whoever asks first, never changed, never sent anywhere.

use rusqlite::{Connection, params};

use crate::error::{Result, ServerError};

/// Version 5: the deployment's secrets.
pub const SCHEMA_V5: &str = "
CREATE TABLE server_secrets (
    name   TEXT PRIMARY KEY NOT NULL,
    secret BLOB NOT NULL
) STRICT, WITHOUT ROWID;
";

pub fn server_secret(conn: &Connection, name: &str, fresh: &[u8; 32]) -> Result<[u8; 32]> {
    conn.execute(
        "INSERT INTO server_secrets (name, secret) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING",
        params![name, &fresh[..]],
    )?;
    let stored: Vec<u8> = conn.query_row(
        "SELECT secret FROM server_secrets WHERE name = ?1",
        [name],
        |r| r.get(0),
    )?;
    stored.try_into().map_err(|_| damaged(name))
}

pub(super) fn damaged(name: &str) -> ServerError {
    ServerError::Invalid(format!(
        "服务器密钥 {name} 已损坏 / server secret {name} is damaged (not 32 bytes)"
    ))
}
