//! Pruning the SQLite feed (issue 16): each reader's cursor is noted, and entries every reader
//! seen recently has read are deleted. SQLite has one server node, so in practice the floor
//! follows that node's own cursor; readers left by earlier runs (a node's name is new at each
//! start) are forgotten once silent. The floor is kept so that a reader below it is told.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::sqlite_accounts::ms;
use super::{FeedCursor, FeedPruned};
use crate::error::Result;

/// Version 6: feed readers and the pruned floor.
pub const SCHEMA_V6: &str = "
CREATE TABLE feed_readers (
    reader  TEXT PRIMARY KEY NOT NULL,
    seq     INTEGER NOT NULL,
    seen_at INTEGER NOT NULL
) STRICT;
CREATE TABLE feed_floor (
    only_row INTEGER PRIMARY KEY CHECK (only_row = 1),
    seq      INTEGER NOT NULL
) STRICT;
INSERT INTO feed_floor (only_row, seq) VALUES (1, 0);
";

fn cursor(seq: i64) -> FeedCursor {
    FeedCursor {
        major: 0,
        minor: seq as u64,
    }
}

pub fn note_reader(
    conn: &Connection,
    reader: &str,
    at: FeedCursor,
    now: DateTime<Utc>,
) -> Result<()> {
    conn.execute(
        "INSERT INTO feed_readers (reader, seq, seen_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (reader) DO UPDATE SET seq = MAX(seq, excluded.seq),
            seen_at = excluded.seen_at",
        params![reader, at.minor as i64, ms(now)],
    )?;
    Ok(())
}

/// Every entry at or below the floor is gone.
pub fn floor(conn: &Connection) -> Result<FeedCursor> {
    let seq: i64 = conn.query_row("SELECT seq FROM feed_floor", [], |r| r.get(0))?;
    Ok(cursor(seq))
}

pub fn prune_feed(conn: &mut Connection, since: DateTime<Utc>) -> Result<FeedPruned> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    tx.execute("DELETE FROM feed_readers WHERE seen_at < ?1", [ms(since)])?;
    let lowest: Option<i64> = tx
        .query_row("SELECT MIN(seq) FROM feed_readers", [], |r| r.get(0))
        .optional()?
        .flatten();
    let old = floor(&tx)?.minor as i64;
    let Some(lowest) = lowest.filter(|l| *l > old) else {
        tx.commit()?;
        return Ok(FeedPruned {
            floor: cursor(old),
            deleted: 0,
        });
    };
    let deleted = tx.execute("DELETE FROM feed WHERE seq <= ?1", [lowest])?;
    tx.execute("UPDATE feed_floor SET seq = ?1", [lowest])?;
    tx.commit()?;
    Ok(FeedPruned {
        floor: cursor(lowest),
        deleted: deleted as u64,
    })
}

/// The last feed position handed out, whether or not its entry was pruned since
/// (`AUTOINCREMENT` keeps it in `sqlite_sequence`).
pub fn last_seq(conn: &Connection) -> Result<i64> {
    let seq: Option<i64> = conn
        .query_row(
            "SELECT seq FROM sqlite_sequence WHERE name = 'feed'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    Ok(seq.unwrap_or(0))
}
