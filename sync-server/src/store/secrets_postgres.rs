//! The deployment's secrets in the PostgreSQL store (ADR 0007): one row per secret, created
//! once by the first node that asks (a second node's insert does nothing), read by all.

use postgres::Client;

use super::secrets_sqlite::damaged;
use crate::error::Result;

pub fn server_secret(client: &mut Client, name: &str, fresh: &[u8; 32]) -> Result<[u8; 32]> {
    client.execute(
        "INSERT INTO server_secrets (name, secret) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        &[&name, &&fresh[..]],
    )?;
    let row = client.query_one(
        "SELECT secret FROM server_secrets WHERE name = $1",
        &[&name],
    )?;
    let stored: Vec<u8> = row.get(0);
    stored.try_into().map_err(|_| damaged(name))
}
