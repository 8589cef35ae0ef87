//! Writing documents to the store: conditional on the version a node holds (records), or
//! whatever the version (the server's own index entries), ADR 0009. A write that takes a
//! document past the compaction threshold folds it into one chunk (`compact.rs`).

use fieldbook_core::RecordDoc;
use fieldbook_core::sync::heads_key;

use super::{DocHub, Held, blocking};
use crate::error::Result;
use crate::store::{DocWrite, ServerStore, WriteOutcome};

impl<S: ServerStore> DocHub<S> {
    /// Appends `chunk` (the changes of `held.doc` after its stored version) if the document is
    /// still at the version `held` knows; then `held` takes the new version. `false`: another
    /// node wrote first and nothing was written.
    pub(super) async fn persist(&self, held: &mut Held, chunk: &[u8]) -> Result<bool> {
        let written = self
            .write(&mut held.doc, chunk, false, Some(held.version))
            .await?;
        if let Some(version) = written {
            held.version = version;
            held.bytes += chunk.len() as u64;
            held.chunks += 1;
            self.compact_if_due(held, true).await;
        }
        Ok(written.is_some())
    }

    /// Appends `chunk` whatever the stored version: for the server's own conflict-free
    /// writes (index entries), which never need judging on the latest state. Other nodes'
    /// chunks, stored in between, are not in `held`: its version stays, so the follower
    /// merges them (ADR 0009).
    pub(super) async fn append_unchecked(&self, held: &mut Held, chunk: &[u8]) -> Result<()> {
        self.write(&mut held.doc, chunk, false, None).await?;
        held.bytes += chunk.len() as u64;
        held.chunks += 1;
        self.compact_if_due(held, false).await;
        Ok(())
    }

    /// Writes `bytes` of `doc` (a chunk, or with `replace` the whole document) if it is still
    /// at `expected` (`None`: whatever its version); the new version, or `None` if another
    /// node wrote first.
    pub(super) async fn write(
        &self,
        doc: &mut RecordDoc,
        bytes: &[u8],
        replace: bool,
        expected: Option<u64>,
    ) -> Result<Option<u64>> {
        self.store_write(doc, bytes, move |store, w| {
            store.write_doc(DocWrite {
                replace,
                expected,
                ..w
            })
        })
        .await
    }

    /// Replaces the stored chunks of `doc` by `bytes`, the document saved whole, if it is still
    /// at `version`; the new version, or `None` if another node wrote first.
    pub(super) async fn write_compacted(
        &self,
        doc: &mut RecordDoc,
        bytes: &[u8],
        version: u64,
    ) -> Result<Option<u64>> {
        self.store_write(doc, bytes, move |store, w| {
            store.compact_doc(DocWrite::compaction(
                w.id,
                w.kind,
                w.heads_key,
                w.bytes,
                version,
            ))
        })
        .await
    }

    /// Runs `write` on the blocking pool with `bytes` of `doc` as an append (which it may
    /// turn into another write); records the write as this node's own.
    async fn store_write(
        &self,
        doc: &mut RecordDoc,
        bytes: &[u8],
        write: impl FnOnce(&S, DocWrite<'_>) -> Result<WriteOutcome> + Send + 'static,
    ) -> Result<Option<u64>> {
        let (store, id, bytes) = (self.store.clone(), doc.id(), bytes.to_vec());
        let kind = doc.kind().map(|k| k.to_string()).unwrap_or_default();
        let key = heads_key(&doc.heads());
        let outcome =
            blocking(move || write(store.as_ref(), DocWrite::append(id, &kind, &key, &bytes)))
                .await?;
        Ok(match outcome {
            WriteOutcome::Written(version) => {
                self.own_writes.lock().insert(version);
                Some(version)
            }
            WriteOutcome::Stale(_) => None,
        })
    }

    /// Appends one chunk to each of several documents in one durable transaction (a bulk
    /// push's batch: one fsync, not one per record), each only if still at the version given;
    /// the new version of each, or `None` where another node wrote first.
    pub(super) async fn write_many(&self, writes: Vec<PendingWrite>) -> Result<Vec<Option<u64>>> {
        let store = self.store.clone();
        let ids: Vec<_> = writes.iter().map(|w| w.id).collect();
        let outcomes = blocking(move || {
            let batch: Vec<DocWrite<'_>> = writes
                .iter()
                .map(|w| DocWrite::append(w.id, &w.kind, &w.heads_key, &w.chunk).if_at(w.expected))
                .collect();
            store.write_docs(&batch)
        })
        .await?;
        let versions: Vec<Option<u64>> = {
            let mut own = self.own_writes.lock();
            outcomes
                .into_iter()
                .map(|o| match o {
                    WriteOutcome::Written(version) => {
                        own.insert(version);
                        Some(version)
                    }
                    WriteOutcome::Stale(_) => None,
                })
                .collect()
        };
        let written = ids.into_iter().zip(&versions).filter(|(_, v)| v.is_some());
        self.count_batched(written.map(|(id, _)| id));
        Ok(versions)
    }
}

/// One append of a batch ([`DocHub::write_many`]).
pub(super) struct PendingWrite {
    pub(super) id: fieldbook_core::RecordId,
    pub(super) kind: String,
    pub(super) heads_key: String,
    pub(super) chunk: Vec<u8>,
    pub(super) expected: u64,
}
