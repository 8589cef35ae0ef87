//! Change receipts and actor lookups of the SQLite store: who brought each Automerge change to
//! the server, from which device, and when (the record's history in the back office).

use chrono::{DateTime, Utc};
use fieldbook_core::{DeviceId, RecordId};
use rusqlite::{Connection, OptionalExtension, params};

use super::ChangeReceipt;
use super::sqlite_accounts::{from_ms, ms};
use crate::error::Result;

pub const SCHEMA_V3: &str = "
CREATE TABLE change_receipts (
    change_hash BLOB PRIMARY KEY NOT NULL,
    record_id   TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    device_id   TEXT,
    received_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX change_receipts_by_record ON change_receipts (record_id);
";

pub fn note_changes(conn: &mut Connection, receipts: &[ChangeReceipt]) -> Result<()> {
    let tx = conn.transaction()?;
    {
        let mut stmt = tx.prepare_cached(
            "INSERT INTO change_receipts (change_hash, record_id, user_id, device_id, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
        )?;
        for r in receipts {
            let at = ms(r.received_at);
            stmt.execute(params![&r.change[..], r.record, r.user, r.device, at])?;
        }
    }
    tx.commit()?;
    Ok(())
}

fn receipt_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ChangeReceipt> {
    let hash: Vec<u8> = r.get(0)?;
    Ok(ChangeReceipt {
        change: hash.try_into().unwrap_or([0; 32]),
        record: r.get(1)?,
        user: r.get(2)?,
        device: r.get(3)?,
        received_at: from_ms(r.get(4)?),
    })
}

pub fn change_receipts(conn: &Connection, record: RecordId) -> Result<Vec<ChangeReceipt>> {
    let mut stmt = conn.prepare_cached(
        "SELECT change_hash, record_id, user_id, device_id, received_at FROM change_receipts
         WHERE record_id = ?1 ORDER BY received_at, change_hash",
    )?;
    let rows = stmt.query_map([record], receipt_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The newest receipt of each record changed at or after `since`, newest first. A scan of the
/// receipts (no index on the time): a day's activity reads the whole table once.
pub fn latest_changes_since(conn: &Connection, since: DateTime<Utc>) -> Result<Vec<ChangeReceipt>> {
    // SQLite takes the bare columns from the row holding the MAX.
    let mut stmt = conn.prepare_cached(
        "SELECT change_hash, record_id, user_id, device_id, MAX(received_at) FROM change_receipts
         WHERE received_at >= ?1 GROUP BY record_id ORDER BY MAX(received_at) DESC, record_id",
    )?;
    let rows = stmt.query_map([ms(since)], receipt_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn actor_device(conn: &Connection, actor: &[u8]) -> Result<Option<DeviceId>> {
    Ok(conn
        .query_row(
            "SELECT device_id FROM actors WHERE actor = ?1",
            [actor],
            |r| r.get(0),
        )
        .optional()?)
}
