//! Server storage behind a trait, so that a Postgres backend can follow the embedded SQLite
//! one. Methods are blocking; the server calls them on tokio's blocking pool. Every write is
//! durable when it returns: the server acknowledges a change only after `append_chunk`.

mod sqlite;
#[doc(hidden)]
pub mod suite;

use fieldbook_core::{DeviceId, RecordId, UserId};

pub use sqlite::SqliteStore;

use crate::error::Result;

/// An authenticated device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceAuth {
    pub device: DeviceId,
    pub user: UserId,
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

/// What the sync needs from storage.
pub trait ServerStore: Send + Sync + 'static {
    /// Every chunk of a document, concatenated; `None` if it is not stored.
    fn load_doc(&self, id: RecordId) -> Result<Option<Vec<u8>>>;
    /// Appends one chunk of changes, durably, and records the document's kind and heads.
    fn append_chunk(&self, id: RecordId, kind: &str, heads_key: &str, chunk: &[u8]) -> Result<()>;
    /// Every stored document.
    fn list_docs(&self) -> Result<Vec<DocSummary>>;
    /// Registers a device, identified by the SHA-256 of its token.
    fn add_device(&self, auth: &DeviceAuth, token_hash: &[u8; 32]) -> Result<()>;
    /// The device a token hash belongs to.
    fn device_for_token(&self, token_hash: &[u8; 32]) -> Result<Option<DeviceAuth>>;
}
