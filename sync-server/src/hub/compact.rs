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
//!
//! A bulk push's batch is written in one transaction (`write_many`) and its documents are
//! swapped in by the bulk path, which does not count chunks: the batch's chunks are counted
//! here per document, and the periodic task next to the follower (`prune.rs`) compacts the
//! documents they took past the threshold — loaded from the store first, so the count is
//! only the trigger, never trusted for what is stored.

use std::collections::HashMap;

use fieldbook_core::{RecordDoc, RecordId};

use super::{DocHub, Held, blocking};
use crate::error::Result;
use crate::store::ServerStore;

/// A document with more chunks than this is compacted at its next write.
pub const DEFAULT_COMPACT_AFTER_CHUNKS: u64 = 64;

/// When documents are compacted.
#[derive(Debug)]
pub(super) struct Compaction {
    after: u64,
    /// Chunks appended by batched writes, not yet counted in the held copies.
    batched: parking_lot::Mutex<HashMap<RecordId, u64>>,
}

impl Default for Compaction {
    fn default() -> Self {
        Compaction {
            after: DEFAULT_COMPACT_AFTER_CHUNKS,
            batched: parking_lot::Mutex::default(),
        }
    }
}

impl<S: ServerStore> DocHub<S> {
    /// Compacts a document once it has more than `chunks` chunks (at least 2).
    pub fn with_compaction_after(mut self, chunks: u64) -> Self {
        self.compaction.after = chunks.max(2);
        self
    }

    /// A batched write appended one chunk to each of `ids`.
    pub(super) fn count_batched(&self, ids: impl IntoIterator<Item = RecordId>) {
        let mut batched = self.compaction.batched.lock();
        for id in ids {
            *batched.entry(id).or_default() += 1;
        }
    }

    /// Counts the chunks batched writes appended into the held copies and compacts those past
    /// the threshold (each loaded from the store first). A document someone is working on is
    /// left for the next round; one no longer loaded is counted afresh when it loads.
    pub async fn compact_batched(&self) {
        let batched = std::mem::take(&mut *self.compaction.batched.lock());
        for (id, chunks) in batched {
            let slot = self.slot(id);
            let Ok(mut held) = slot.try_lock() else {
                self.count_batched(std::iter::repeat_n(id, chunks as usize));
                continue;
            };
            if let Some(h) = held.as_mut() {
                h.chunks += chunks;
                self.compact_if_due(h, false).await;
            }
            drop(held);
            drop(slot);
            self.release_if_empty(id);
        }
    }

    /// After a write to `held` (its slot locked): compacts it if it has passed the threshold.
    /// `exact`: the write was checked, so `held` is what is stored at its version. A failed
    /// compaction is logged, not returned: the write it follows is durable.
    pub(super) async fn compact_if_due(&self, held: &mut Held, exact: bool) {
        if held.chunks <= self.compaction.after {
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
