//! The embedded default store: one SQLite file, WAL, `synchronous=FULL`. One connection behind
//! a lock; callers run on tokio's blocking pool. Documents are chunk logs as on the device.

use std::path::Path;

use fieldbook_core::{RecordId, UserId};
use parking_lot::Mutex;
use rusqlite::{Connection, OptionalExtension, params};

use super::{DeviceAuth, DocSummary, ServerStore};
use crate::error::Result;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS documents (
    record_id TEXT PRIMARY KEY NOT NULL,
    kind      TEXT NOT NULL,
    heads_key TEXT NOT NULL,
    bytes     INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS chunks (
    record_id TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    data      BLOB NOT NULL,
    PRIMARY KEY (record_id, seq)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS devices (
    token_hash BLOB PRIMARY KEY NOT NULL,
    device_id  TEXT NOT NULL,
    user_id    TEXT NOT NULL
) STRICT;
";

/// The SQLite server store.
#[derive(Debug)]
pub struct SqliteStore {
    conn: Mutex<Connection>,
}

impl SqliteStore {
    /// Opens (creating if needed) the store at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.execute_batch(SCHEMA)?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
        })
    }
}

impl ServerStore for SqliteStore {
    fn load_doc(&self, id: RecordId) -> Result<Option<Vec<u8>>> {
        let conn = self.conn.lock();
        let mut stmt =
            conn.prepare_cached("SELECT data FROM chunks WHERE record_id = ?1 ORDER BY seq")?;
        let mut rows = stmt.query([id])?;
        let mut out: Option<Vec<u8>> = None;
        while let Some(row) = rows.next()? {
            let chunk: Vec<u8> = row.get(0)?;
            out.get_or_insert_with(Vec::new).extend_from_slice(&chunk);
        }
        Ok(out)
    }

    fn append_chunk(&self, id: RecordId, kind: &str, heads_key: &str, chunk: &[u8]) -> Result<()> {
        let mut conn = self.conn.lock();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO chunks (record_id, seq, data) VALUES (?1,
                COALESCE((SELECT MAX(seq) + 1 FROM chunks WHERE record_id = ?1), 0), ?2)",
            params![id, chunk],
        )?;
        tx.execute(
            "INSERT INTO documents (record_id, kind, heads_key, bytes) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (record_id) DO UPDATE SET kind = excluded.kind,
                heads_key = excluded.heads_key, bytes = bytes + excluded.bytes",
            params![id, kind, heads_key, chunk.len() as i64],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn list_docs(&self) -> Result<Vec<DocSummary>> {
        let conn = self.conn.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT record_id, kind, heads_key, bytes FROM documents ORDER BY record_id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(DocSummary {
                id: r.get(0)?,
                kind: r.get(1)?,
                heads_key: r.get(2)?,
                bytes: r.get::<_, i64>(3)? as u64,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn add_device(&self, auth: &DeviceAuth, token_hash: &[u8; 32]) -> Result<()> {
        self.conn.lock().execute(
            "INSERT INTO devices (token_hash, device_id, user_id) VALUES (?1, ?2, ?3)",
            params![&token_hash[..], auth.device, auth.user],
        )?;
        Ok(())
    }

    fn device_for_token(&self, token_hash: &[u8; 32]) -> Result<Option<DeviceAuth>> {
        let conn = self.conn.lock();
        Ok(conn
            .query_row(
                "SELECT device_id, user_id FROM devices WHERE token_hash = ?1",
                [&token_hash[..]],
                |r| {
                    Ok(DeviceAuth {
                        device: r.get(0)?,
                        user: r.get::<_, UserId>(1)?,
                    })
                },
            )
            .optional()?)
    }
}
