//! Server storage behind a trait, with two backends: embedded SQLite (the default) and
//! PostgreSQL (several server nodes on one database, ADR 0009). Methods are blocking; the
//! server calls them on tokio's blocking pool. Every write is durable when it returns: the
//! server acknowledges a change only after it is written.
//!
//! Every document write gets a number of one change feed (`seq`), which is also the
//! document's *version*: one document's versions grow with its writes. A node writes conditionally on the version it holds (and catches up when it is
//! stale), and follows the feed to learn what other nodes wrote.

mod feed;
mod postgres;
mod postgres_accounts;
mod postgres_changes;
mod postgres_feed;
mod postgres_grants;
mod postgres_prune;
mod secrets_postgres;
mod secrets_sqlite;
mod sqlite;
mod sqlite_accounts;
mod sqlite_changes;
mod sqlite_grants;
mod sqlite_prune;
#[doc(hidden)]
pub mod suite;
#[doc(hidden)]
pub mod suite_upkeep;

use chrono::{DateTime, Utc};
use fieldbook_core::{DeviceId, RecordId, UserId};

pub use feed::{
    DocWrite, FeedBatch, FeedCursor, FeedEntry, FeedEvent, FeedPruned, StoredDoc, WriteOutcome,
};
pub use postgres::PgStore;
pub use sqlite::SqliteStore;

use crate::accounts::{AccessEntry, Account, DeviceToken, Enrolment, Grant, GrantId, Team};
use crate::error::Result;

/// An authenticated device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceAuth {
    pub device: DeviceId,
    pub user: UserId,
    /// When its token expires (the connection ends then).
    pub expires_at: Option<DateTime<Utc>>,
}

/// One stored document, for listings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocSummary {
    pub id: RecordId,
    pub kind: String,
    /// See `fieldbook_core::sync::heads_key`.
    pub heads_key: String,
    pub bytes: u64,
}

/// Who brought one Automerge change to the server, and when: a device's user over sync, or a
/// desk user through the back office (no device).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeReceipt {
    /// The change's hash.
    pub change: [u8; 32],
    pub record: RecordId,
    pub user: UserId,
    pub device: Option<DeviceId>,
    pub received_at: DateTime<Utc>,
}

/// The refusal of a token for a device id that is already another user's.
pub fn device_taken(device: DeviceId) -> crate::error::ServerError {
    crate::error::ServerError::Forbidden(format!(
        "设备 {device} 已属于另一用户 / device {device} already belongs to another user"
    ))
}

/// What the sync needs from storage.
pub trait ServerStore: Send + Sync + 'static {
    /// Every chunk of a document, concatenated, with its version; `None` if it is not stored.
    fn load_versioned(&self, id: RecordId) -> Result<Option<StoredDoc>>;
    /// Only the chunks written after version `after`, concatenated, with the document's
    /// version: a cheap catch-up for a node that holds everything up to `after`. `None` when
    /// that cannot be answered so (nothing after it, the history was replaced since, or the
    /// backend cannot tell): load it whole then. Default: always `None`.
    fn load_after(&self, id: RecordId, after: u64) -> Result<Option<StoredDoc>> {
        let _ = (id, after);
        Ok(None)
    }
    /// Writes a document durably: appends a chunk, or replaces every chunk by one (erasure
    /// rewrites history; the old bytes must not survive in the storage files, see ADR 0009 for
    /// Postgres). With `expected` set, writes only if the document is still at that version.
    fn write_doc(&self, write: DocWrite<'_>) -> Result<WriteOutcome>;
    /// Several appends in one durable transaction (a bulk push's batch): each at its own
    /// `expected` version; a stale one is left out (its outcome says so) and the others are
    /// written. One commit, so one fsync, for the whole batch. Replacing writes are not
    /// batched (erasure checkpoints after each). Default: one by one.
    fn write_docs(&self, writes: &[DocWrite<'_>]) -> Result<Vec<WriteOutcome>> {
        writes.iter().map(|w| self.write_doc(*w)).collect()
    }
    /// Folds a document's chunks into one (compaction, issue 16): `write.bytes` must hold the
    /// same history, the document saved whole. Only at `write.expected`, which is required (a
    /// write without it is refused): a node never folds away a chunk it has not seen, and a
    /// stale compaction writes nothing. Its feed event is [`FeedEvent::Compacted`], not an
    /// erasure's `Rewritten`; the old bytes need no scrubbing.
    fn compact_doc(&self, write: DocWrite<'_>) -> Result<WriteOutcome>;
    /// Every stored document.
    fn list_docs(&self) -> Result<Vec<DocSummary>>;
    /// Feed entries after `cursor`, at most `limit`, and the cursor to read on from. Document
    /// writes, team and account changes and revocations each add one, in the same transaction.
    /// No entry is ever skipped, even one committed after entries with higher `seq`s were read;
    /// an entry may be returned twice when `limit` cuts a batch (readers are idempotent). The
    /// order is that of commits, not of `seq`s, except that one document's writes are always
    /// in `seq` order.
    fn changes_since(&self, cursor: FeedCursor, limit: usize) -> Result<FeedBatch>;
    /// A cursor from which reading returns every write not committed yet (and perhaps a few
    /// committed ones).
    fn latest_change(&self) -> Result<FeedCursor>;
    /// Records that `reader` (a server node) has taken in the feed up to `cursor`, at `at`:
    /// pruning keeps what it has not read.
    fn note_reader(&self, reader: &str, cursor: FeedCursor, at: DateTime<Utc>) -> Result<()>;
    /// Deletes the feed entries that every reader seen at or after `since` has read (those at
    /// or below the lowest of their cursors) and forgets readers not seen since then; with no
    /// such reader it deletes nothing. The floor only rises. A reader that comes back from
    /// below it is told so ([`FeedBatch::missed`]).
    fn prune_feed(&self, since: DateTime<Utc>) -> Result<FeedPruned>;
    /// Blocks until another writer may have written (`true`) or `timeout` passes (`false`).
    /// Without a way to be told, it just waits: the follower then polls.
    fn wait_for_change(&self, timeout: std::time::Duration) -> Result<bool> {
        std::thread::sleep(timeout);
        Ok(false)
    }

    /// Every chunk of a document, concatenated; `None` if it is not stored.
    fn load_doc(&self, id: RecordId) -> Result<Option<Vec<u8>>> {
        Ok(self.load_versioned(id)?.map(|d| d.bytes))
    }
    /// Appends one chunk of changes, durably, and records the document's kind and heads.
    fn append_chunk(&self, id: RecordId, kind: &str, heads_key: &str, chunk: &[u8]) -> Result<()> {
        self.write_doc(DocWrite::append(id, kind, heads_key, chunk))
            .map(drop)
    }
    /// Replaces every chunk of a document by one (erasure rewrites history).
    fn replace_doc(&self, id: RecordId, kind: &str, heads_key: &str, bytes: &[u8]) -> Result<()> {
        self.write_doc(DocWrite::replace(id, kind, heads_key, bytes))
            .map(drop)
    }

    /// Adds or replaces a team.
    fn put_team(&self, team: &Team) -> Result<()>;
    fn teams(&self) -> Result<Vec<Team>>;
    /// Adds or replaces an account.
    fn put_account(&self, account: &Account) -> Result<()>;
    fn account(&self, user: &UserId) -> Result<Option<Account>>;
    fn accounts(&self) -> Result<Vec<Account>>;

    /// Stores a grant to a customer file (its `id` is ignored) and returns the id it got;
    /// adds a [`FeedEvent::Directory`] in the same transaction (other nodes reload scope).
    fn add_grant(&self, grant: &Grant) -> Result<GrantId>;
    /// Revokes a grant not yet revoked (and adds a directory entry to the feed); the grant as
    /// stored after, `None` if there is no such grant. Revoking twice keeps the first.
    fn revoke_grant(&self, id: GrantId, by: &UserId, at: DateTime<Utc>) -> Result<Option<Grant>>;
    /// The grants neither expired nor revoked at or before `ended_after`, newest first.
    fn grants(&self, ended_after: DateTime<Utc>) -> Result<Vec<Grant>>;

    /// Stores a new device token (by hash); a hash already stored is an error, and so is a
    /// device id already bound to another user ([`device_taken`]): a device belongs to one user.
    fn add_device_token(&self, token: &DeviceToken) -> Result<()>;
    /// The token with this hash, valid or not.
    fn device_token(&self, token_hash: &[u8; 32]) -> Result<Option<DeviceToken>>;
    /// Revokes every token of `device`; returns how many were live.
    fn revoke_device(&self, device: DeviceId, at: DateTime<Utc>) -> Result<usize>;
    /// Every token, newest first (for the admin).
    fn device_tokens(&self) -> Result<Vec<DeviceToken>>;

    fn add_enrolment(&self, enrolment: &Enrolment) -> Result<()>;
    /// Uses an enrolment code once: its user if it exists, is unused and unexpired at `now`.
    fn redeem_enrolment(&self, code_hash: &[u8; 32], now: DateTime<Utc>) -> Result<Option<UserId>>;

    /// Binds an Automerge actor id to the device that first wrote with it; `false` if it
    /// is already bound to another device.
    fn claim_actor(&self, actor: &[u8], device: DeviceId) -> Result<bool>;

    /// Appends to the access log.
    fn log_access(&self, entries: &[AccessEntry]) -> Result<()>;
    /// The access log, newest first, for one record or all.
    fn access_log(&self, record: Option<RecordId>, limit: usize) -> Result<Vec<AccessEntry>>;

    /// The deployment's secret `name` (32 bytes), stored as `fresh` if there is none yet: the
    /// first node to ask creates it, every node reads the same one (ADR 0007).
    fn server_secret(&self, name: &str, fresh: &[u8; 32]) -> Result<[u8; 32]>;

    /// The device an Automerge actor id is bound to (see [`ServerStore::claim_actor`]).
    fn actor_device(&self, actor: &[u8]) -> Result<Option<DeviceId>>;
    /// Records who brought changes; the first receipt of a change is kept.
    fn note_changes(&self, receipts: &[ChangeReceipt]) -> Result<()>;
    /// The receipts of one record's changes, oldest first.
    fn change_receipts(&self, record: RecordId) -> Result<Vec<ChangeReceipt>>;
    /// The newest receipt of each record changed at or after `since`, newest first.
    fn latest_changes_since(&self, since: DateTime<Utc>) -> Result<Vec<ChangeReceipt>>;
}
