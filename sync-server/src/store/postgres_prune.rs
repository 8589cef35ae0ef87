//! Pruning the Postgres feed (issue 16, ADR 0009). Each node notes the cursor its follower has
//! reached (`feed_readers`); pruning deletes the entries at or below the lowest cursor of the
//! nodes seen since a given time, and raises the kept floor to it. A node silent for longer
//! does not hold the feed forever: if it comes back with a cursor below the floor,
//! `changes_since` says so and it reloads what it holds. Prunes take the floor's row lock, so
//! two nodes pruning at once take turns; cursors compare as `(xid, seq)` pairs, the order
//! readers take the feed in.

use chrono::{DateTime, Utc};
use postgres::Client;

use super::{FeedCursor, FeedPruned};
use crate::error::Result;

fn cursor(xid: i64, seq: i64) -> FeedCursor {
    FeedCursor {
        major: xid as u64,
        minor: seq as u64,
    }
}

pub(super) fn note_reader(
    client: &mut Client,
    reader: &str,
    at: FeedCursor,
    now: DateTime<Utc>,
) -> Result<()> {
    client.execute(
        "INSERT INTO feed_readers (reader, xid, seq, seen_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (reader) DO UPDATE SET seen_at = excluded.seen_at,
            xid = CASE WHEN (excluded.xid, excluded.seq) > (feed_readers.xid, feed_readers.seq)
                       THEN excluded.xid ELSE feed_readers.xid END,
            seq = CASE WHEN (excluded.xid, excluded.seq) > (feed_readers.xid, feed_readers.seq)
                       THEN excluded.seq ELSE feed_readers.seq END",
        &[&reader, &(at.major as i64), &(at.minor as i64), &now],
    )?;
    Ok(())
}

/// Every entry at or below the floor is gone.
pub(super) fn floor(client: &mut Client) -> Result<FeedCursor> {
    let row = client.query_one("SELECT xid, seq FROM feed_floor", &[])?;
    Ok(cursor(row.get(0), row.get(1)))
}

pub(super) fn prune_feed(client: &mut Client, since: DateTime<Utc>) -> Result<FeedPruned> {
    let mut tx = client.transaction()?;
    let old = tx.query_one("SELECT xid, seq FROM feed_floor FOR UPDATE", &[])?;
    let old = cursor(old.get(0), old.get(1));
    tx.execute("DELETE FROM feed_readers WHERE seen_at < $1", &[&since])?;
    let lowest = tx
        .query_opt(
            "SELECT xid, seq FROM feed_readers ORDER BY xid, seq LIMIT 1",
            &[],
        )?
        .map(|r| cursor(r.get(0), r.get(1)));
    let Some(lowest) = lowest.filter(|l| *l > old) else {
        tx.commit()?;
        return Ok(FeedPruned {
            floor: old,
            deleted: 0,
        });
    };
    let (xid, seq) = (lowest.major as i64, lowest.minor as i64);
    let deleted = tx.execute(
        "DELETE FROM feed WHERE (xid, seq) <= ($1::bigint::text::xid8, $2)",
        &[&xid, &seq],
    )?;
    tx.execute("UPDATE feed_floor SET xid = $1, seq = $2", &[&xid, &seq])?;
    tx.commit()?;
    Ok(FeedPruned {
        floor: lowest,
        deleted,
    })
}
