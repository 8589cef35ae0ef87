//! The types of versioned document writes and of the change feed, and of pruning the feed
//! (issue 16).

use fieldbook_core::{DeviceId, RecordId};

use crate::error::{Result, ServerError};

/// A stored document and its version (the feed position of its latest write).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDoc {
    pub bytes: Vec<u8>,
    pub version: u64,
    /// How many stored chunks the bytes are (what compaction folds into one).
    pub chunks: u64,
}

/// One document write.
#[derive(Debug, Clone, Copy)]
pub struct DocWrite<'a> {
    pub id: RecordId,
    pub kind: &'a str,
    /// See `fieldbook_core::sync::heads_key`.
    pub heads_key: &'a str,
    pub bytes: &'a [u8],
    /// Replace every chunk (erasure) instead of appending one.
    pub replace: bool,
    /// Write only if the document is at this version (0: not stored yet); `None`: always.
    pub expected: Option<u64>,
}

impl<'a> DocWrite<'a> {
    /// Appends `chunk`, whatever the document's version.
    pub fn append(id: RecordId, kind: &'a str, heads_key: &'a str, chunk: &'a [u8]) -> Self {
        DocWrite {
            id,
            kind,
            heads_key,
            bytes: chunk,
            replace: false,
            expected: None,
        }
    }

    /// Replaces the document by `bytes`, whatever its version.
    pub fn replace(id: RecordId, kind: &'a str, heads_key: &'a str, bytes: &'a [u8]) -> Self {
        DocWrite {
            replace: true,
            ..Self::append(id, kind, heads_key, bytes)
        }
    }

    /// Replaces the document by `bytes`, the same history saved whole (compaction), only if
    /// it is still at `version`: see [`crate::store::ServerStore::compact_doc`].
    pub fn compaction(
        id: RecordId,
        kind: &'a str,
        heads_key: &'a str,
        bytes: &'a [u8],
        version: u64,
    ) -> Self {
        Self::replace(id, kind, heads_key, bytes).if_at(version)
    }

    /// The same write, only if the document is still at `version`.
    pub fn if_at(self, version: u64) -> Self {
        DocWrite {
            expected: Some(version),
            ..self
        }
    }

    /// This write as a compaction: a replacement at the version it folds, which it must name.
    pub(crate) fn checked_compaction(self) -> Result<Self> {
        match self.expected {
            Some(_) => Ok(DocWrite {
                replace: true,
                ..self
            }),
            None => Err(ServerError::Invalid(format!(
                "压缩记录 {id} 须指明版本 / compacting record {id} needs the version it folds",
                id = self.id
            ))),
        }
    }
}

/// What a conditional write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteOutcome {
    /// Written; the document's new version.
    Written(u64),
    /// Not written: someone else wrote first; the document is at this version now.
    Stale(u64),
}

/// A position in the change feed: every entry before it has been read. Opaque to the hub; each
/// backend says what its two parts mean (SQLite: 0 and the feed's `seq`; Postgres: the
/// transaction id and the `seq`, ADR 0009). Ordered: a later cursor is further on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct FeedCursor {
    pub(crate) major: u64,
    pub(crate) minor: u64,
}

/// Feed entries read after a cursor, and the cursor to read on from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedBatch {
    pub entries: Vec<FeedEntry>,
    pub next: FeedCursor,
    /// Committed entries wait behind a transaction still running (Postgres): read again soon
    /// rather than at the next notification.
    pub held_back: bool,
    /// The cursor was below the pruned floor: entries after it may have been deleted unread.
    /// The reader must reload everything it holds (the entries given are still good).
    pub missed: bool,
}

/// What pruning the feed did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedPruned {
    /// Every entry at or below it is gone; a reader whose cursor is below it has missed some.
    pub floor: FeedCursor,
    /// Entries deleted now.
    pub deleted: u64,
}

/// One entry of the change feed: what another node must learn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedEntry {
    pub seq: u64,
    pub event: FeedEvent,
}

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedEvent {
    /// A chunk was appended to a document.
    Appended(RecordId),
    /// A document's history was replaced (erasure).
    Rewritten(RecordId),
    /// A document's chunks were folded into one holding the same history (compaction):
    /// nothing changed but how it is stored, so nothing is announced.
    Compacted(RecordId),
    /// Teams or accounts changed: re-read the directory.
    Directory,
    /// A device's tokens were revoked: end its connections.
    Revoked(DeviceId),
}

impl FeedEvent {
    /// The event as stored: its name and its subject.
    pub fn to_row(self) -> (&'static str, String) {
        match self {
            FeedEvent::Appended(id) => ("append", id.to_string()),
            FeedEvent::Rewritten(id) => ("rewrite", id.to_string()),
            FeedEvent::Compacted(id) => ("compact", id.to_string()),
            FeedEvent::Directory => ("directory", String::new()),
            FeedEvent::Revoked(device) => ("revoke", device.to_string()),
        }
    }

    /// The event of a stored row.
    pub fn from_row(event: &str, subject: &str) -> Result<Self> {
        Ok(match event {
            "append" => FeedEvent::Appended(subject.parse()?),
            "rewrite" => FeedEvent::Rewritten(subject.parse()?),
            "compact" => FeedEvent::Compacted(subject.parse()?),
            "directory" => FeedEvent::Directory,
            "revoke" => FeedEvent::Revoked(subject.parse()?),
            other => {
                return Err(ServerError::Invalid(format!(
                    "变更记录类型未知 / unknown feed event `{other}`"
                )));
            }
        })
    }

    /// The event of a document write.
    pub fn of_write(w: &DocWrite<'_>) -> Self {
        if w.replace {
            FeedEvent::Rewritten(w.id)
        } else {
            FeedEvent::Appended(w.id)
        }
    }
}
