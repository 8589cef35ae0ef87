//! Compaction on the server (issue 16). Every write appends a chunk to a document's log, so a
//! busy document — a supervisor's index document above all, one chunk per change in their
//! scope — grows a long log that every load walks. When a write takes a document past
//! [`DEFAULT_COMPACT_AFTER_CHUNKS`] chunks (`--compact-after-chunks`), the hub rewrites it as
//! one chunk (`save()`), under the version check: if another node wrote first, nothing is
//! replaced and the next write past the threshold tries again. The same 64 the device store
//! folds at twice its 32 (`docs/storage.md`): a server document is written by many devices.
//!
//! Nothing of the history changes, only how it is stored: heads stay, so devices need nothing
//! new and are not told (an erasure's signal, the generation in index entries, is untouched).
//! Other nodes see a `Compacted` feed entry and reload the document (one chunk now) without
//! announcing it (`follow.rs`). A record's held copy after a checked write is exactly what is
//! stored; an index document's is not (its entries are appended without the version check,
//! ADR 0009), so the stored document is loaded first and compacted at its version.

use fieldbook_core::RecordDoc;

use super::{DocHub, Held, blocking};
use crate::error::Result;
use crate::store::ServerStore;

/// A document with more chunks than this is compacted at its next write.
pub const DEFAULT_COMPACT_AFTER_CHUNKS: u64 = 64;

impl<S: ServerStore> DocHub<S> {
    /// Compacts a document once it has more than `chunks` chunks (at least 2).
    pub fn with_compaction_after(mut self, chunks: u64) -> Self {
        self.compact_after = chunks.max(2);
        self
    }

    /// After a write to `held` (its slot locked): compacts it if it has passed the threshold.
    /// `exact`: the write was checked, so `held` is what is stored at its version. A failed
    /// compaction is logged, not returned: the write it follows is durable.
    pub(super) async fn compact_if_due(&self, held: &mut Held, exact: bool) {
        if held.chunks <= self.compact_after {
            return;
        }
        match self.compact(held, exact).await {
            Ok(true) => self.prune_soon(),
            Ok(false) => tracing::debug!(record = %held.doc.id(), "compaction stale; later"),
            Err(e) => tracing::warn!(error = %e, record = %held.doc.id(), "compaction failed"),
        }
    }

    /// Rewrites `held` as one chunk if the store is still at its version; whether it did.
    async fn compact(&self, held: &mut Held, exact: bool) -> Result<bool> {
        if !exact && !self.reload_held(held).await? {
            return Ok(false);
        }
        let bytes = held.doc.save();
        let Some(version) = self
            .write_compacted(&mut held.doc, &bytes, held.version)
            .await?
        else {
            return Ok(false);
        };
        held.version = version;
        held.bytes = bytes.len() as u64;
        held.chunks = 1;
        tracing::debug!(record = %held.doc.id(), version, "compacted");
        Ok(true)
    }

    /// Replaces `held` by the stored document, a superset of it (everything held was stored
    /// first); `false` if it is no longer stored.
    async fn reload_held(&self, held: &mut Held) -> Result<bool> {
        let (store, id) = (self.store.clone(), held.doc.id());
        let Some(stored) = blocking(move || store.load_versioned(id)).await? else {
            return Ok(false);
        };
        *held = Held {
            doc: RecordDoc::load(id, &stored.bytes, self.actor.clone())?,
            bytes: stored.bytes.len() as u64,
            chunks: stored.chunks,
            version: stored.version,
        };
        Ok(true)
    }
}
