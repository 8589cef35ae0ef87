//! Server storage behind a trait, so that a Postgres backend can follow the embedded SQLite
//! one. Methods are blocking; the server calls them on tokio's blocking pool. Every write is
//! durable when it returns: the server acknowledges a change only after `append_chunk`.

mod sqlite;
mod sqlite_accounts;
mod sqlite_changes;
#[doc(hidden)]
pub mod suite;

use chrono::{DateTime, Utc};
use fieldbook_core::{DeviceId, RecordId, UserId};

pub use sqlite::SqliteStore;

use crate::accounts::{AccessEntry, Account, DeviceToken, Enrolment, Team};
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

/// What the sync needs from storage.
pub trait ServerStore: Send + Sync + 'static {
    /// Every chunk of a document, concatenated; `None` if it is not stored.
    fn load_doc(&self, id: RecordId) -> Result<Option<Vec<u8>>>;
    /// Appends one chunk of changes, durably, and records the document's kind and heads.
    fn append_chunk(&self, id: RecordId, kind: &str, heads_key: &str, chunk: &[u8]) -> Result<()>;
    /// Every stored document.
    fn list_docs(&self) -> Result<Vec<DocSummary>>;
    /// Replaces every chunk of a document by one (erasure rewrites history). The old bytes
    /// must not survive in the storage files.
    fn replace_doc(&self, id: RecordId, kind: &str, heads_key: &str, bytes: &[u8]) -> Result<()>;

    /// Adds or replaces a team.
    fn put_team(&self, team: &Team) -> Result<()>;
    fn teams(&self) -> Result<Vec<Team>>;
    /// Adds or replaces an account.
    fn put_account(&self, account: &Account) -> Result<()>;
    fn account(&self, user: &UserId) -> Result<Option<Account>>;
    fn accounts(&self) -> Result<Vec<Account>>;

    /// Stores a new device token (by hash); a hash already stored is an error.
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

    /// The device an Automerge actor id is bound to (see [`ServerStore::claim_actor`]).
    fn actor_device(&self, actor: &[u8]) -> Result<Option<DeviceId>>;
    /// Records who brought changes; the first receipt of a change is kept.
    fn note_changes(&self, receipts: &[ChangeReceipt]) -> Result<()>;
    /// The receipts of one record's changes, oldest first.
    fn change_receipts(&self, record: RecordId) -> Result<Vec<ChangeReceipt>>;
    /// The newest receipt of each record changed at or after `since`, newest first.
    fn latest_changes_since(&self, since: DateTime<Utc>) -> Result<Vec<ChangeReceipt>>;
}
