//! The Postgres feed's writer: every store write (documents, the directory, revocations) adds
//! its feed entry here, in its own transaction. Shared by `postgres.rs` and
//! `postgres_accounts.rs`, so it sits below both.

use postgres::Transaction;

use super::FeedEvent;
use crate::error::Result;

/// The channel feed writes are announced on.
pub(super) const CHANNEL: &str = "fieldbook_feed";

/// Takes the next feed position, records `event` at it (with the transaction's id) and
/// announces it (at commit). Nothing is locked but the new row: commits do not queue here.
pub(super) fn add_to_feed(tx: &mut Transaction<'_>, event: FeedEvent) -> Result<i64> {
    let (event, subject) = event.to_row();
    let seq: i64 = tx
        .query_one(
            "INSERT INTO feed (seq, event, subject) VALUES (nextval('feed_seq'), $1, $2)
             RETURNING seq",
            &[&event, &subject],
        )?
        .get(0);
    tx.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &seq.to_string()])?;
    Ok(seq)
}
