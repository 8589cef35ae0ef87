//! The grants side of the SQLite store (seed 001 §3.6(4)): customer-service managers' grants
//! to read customer files. Adding or revoking one adds a directory entry to the feed in the
//! same transaction, as an account change does. Times are milliseconds since the epoch.

use chrono::{DateTime, Utc};
use fieldbook_core::UserId;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::FeedEvent;
use super::sqlite_accounts::{add_to_feed, from_ms, ms};
use crate::accounts::{Grant, GrantId};
use crate::error::Result;

/// Version 7: grants.
pub const SCHEMA_V7: &str = "
CREATE TABLE grants (
    grant_id   INTEGER PRIMARY KEY,
    grantee    TEXT NOT NULL,
    record_id  TEXT NOT NULL,
    reason     TEXT NOT NULL,
    granted_by TEXT NOT NULL,
    granted_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER,
    revoked_by TEXT
) STRICT;
CREATE INDEX grants_by_expiry ON grants (expires_at);
";

const GRANT_COLUMNS: &str = "SELECT grant_id, grantee, record_id, reason, granted_by, \
    granted_at, expires_at, revoked_at, revoked_by FROM grants";

fn grant_row(r: &Row<'_>) -> rusqlite::Result<Grant> {
    Ok(Grant {
        id: GrantId(r.get(0)?),
        grantee: r.get(1)?,
        record: r.get(2)?,
        reason: r.get(3)?,
        granted_by: r.get(4)?,
        granted_at: from_ms(r.get(5)?),
        expires_at: from_ms(r.get(6)?),
        revoked_at: r.get::<_, Option<i64>>(7)?.map(from_ms),
        revoked_by: r.get(8)?,
    })
}

pub fn add_grant(conn: &Connection, g: &Grant) -> Result<GrantId> {
    let tx = conn.unchecked_transaction()?;
    tx.execute(
        "INSERT INTO grants (grantee, record_id, reason, granted_by, granted_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            g.grantee,
            g.record,
            g.reason,
            g.granted_by,
            ms(g.granted_at),
            ms(g.expires_at)
        ],
    )?;
    let id = GrantId(tx.last_insert_rowid());
    add_to_feed(&tx, FeedEvent::Directory)?;
    tx.commit()?;
    Ok(id)
}

pub fn revoke_grant(
    conn: &Connection,
    id: GrantId,
    by: &UserId,
    at: DateTime<Utc>,
) -> Result<Option<Grant>> {
    let tx = conn.unchecked_transaction()?;
    let n = tx.execute(
        "UPDATE grants SET revoked_at = ?2, revoked_by = ?3
         WHERE grant_id = ?1 AND revoked_at IS NULL",
        params![id.0, ms(at), by],
    )?;
    if n > 0 {
        add_to_feed(&tx, FeedEvent::Directory)?;
    }
    let sql = format!("{GRANT_COLUMNS} WHERE grant_id = ?1");
    let grant = tx.query_row(&sql, [id.0], grant_row).optional()?;
    tx.commit()?;
    Ok(grant)
}

pub fn grants(conn: &Connection, ended_after: DateTime<Utc>) -> Result<Vec<Grant>> {
    let sql = format!(
        "{GRANT_COLUMNS} WHERE expires_at > ?1 AND (revoked_at IS NULL OR revoked_at > ?1)
         ORDER BY grant_id DESC"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([ms(ended_after)], grant_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
