//! What the sync engine's bulk path (`crate::sync::bulk`) needs from the store: many records
//! merged and acknowledged in one durable transaction (one disk flush per batch instead of one
//! per record), and the changes of a record the server lacks.

use automerge::ChangeHash;
use automerge::sync::State;
use rusqlite::{TransactionBehavior, params};

use super::sync_state::heads_blob;
use super::{DeviceStore, write_changes, write_chunk};
use crate::doc::RecordDoc;
use crate::error::Result;
use crate::ids::RecordId;

/// One record a peer sent: its id, the peer's heads of it, and the changes (may be empty).
#[derive(Debug, Clone, Copy)]
pub struct PeerDoc<'a> {
    pub id: RecordId,
    pub heads: &'a [ChangeHash],
    pub data: &'a [u8],
}

/// What [`DeviceStore::import_from_peer`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Imported {
    /// Records whose local document changed.
    pub changed: Vec<RecordId>,
    /// Records not merged: the data would give a held record a second root (the server
    /// rewrote its history); the next index sync refetches them.
    pub skipped: Vec<RecordId>,
}

impl DeviceStore {
    /// Merges the records `peer` sent and records the peer's heads of each as acknowledged,
    /// all in one durable transaction: after a crash either the whole batch is stored and
    /// acknowledged or none of it. `inspect` sees every changed document after the merge.
    pub fn import_from_peer(
        &self,
        peer: &str,
        docs: &[PeerDoc<'_>],
        mut inspect: impl FnMut(&RecordDoc),
    ) -> Result<Imported> {
        let mut w = self.writer.lock();
        let now = self.options.clock.now().timestamp_millis();
        let mut merged: Vec<(RecordDoc, Vec<ChangeHash>, &[u8])> = Vec::new();
        let mut acked: Vec<(RecordId, &[ChangeHash])> = Vec::with_capacity(docs.len());
        let mut imported = Imported::default();
        for d in docs {
            if d.data.is_empty() {
                acked.push((d.id, d.heads));
                continue;
            }
            let mut doc = self.cached_or_empty(&mut w, d.id)?;
            let before = doc.heads();
            doc.apply_chunk(d.data)?;
            let roots = !before.is_empty()
                && doc
                    .automerge()
                    .get_changes(&before)
                    .iter()
                    .any(|c| c.deps().is_empty());
            if roots {
                // Drop the merged copy; the stored one is untouched.
                imported.skipped.push(d.id);
                continue;
            }
            acked.push((d.id, d.heads));
            merged.push((doc, before, d.data));
        }
        merged.retain_mut(|(doc, before, _)| doc.heads() != *before);
        let tx = w
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for (doc, before, data) in &mut merged {
            if before.is_empty() {
                // A record new to this device: what came is the whole document, stored as it
                // came: saving it again rebuilt and deflated every change (automerge 0.12).
                write_chunk(&tx, doc, data, now)?;
            } else {
                write_changes(&tx, doc, before, now)?;
            }
        }
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO sync_state (record_id, peer, state, acked_heads, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (record_id, peer) DO UPDATE SET
                    acked_heads = excluded.acked_heads, updated_at = excluded.updated_at",
            )?;
            let fresh = State::new().encode();
            for (id, heads) in &acked {
                stmt.execute(params![id, peer, fresh, heads_blob(heads), now])?;
            }
        }
        tx.commit()?;
        for (doc, _, _) in merged {
            inspect(&doc);
            imported.changed.push(doc.id());
            w.cache.put(doc.id(), doc);
        }
        Ok(imported)
    }

    /// Whether the stored record holds every one of `heads` (then the peer that reported them
    /// has nothing the device lacks). `false` for a record not stored.
    pub fn holds_heads(&self, id: RecordId, heads: &[ChangeHash]) -> Result<bool> {
        match self.with_doc_mut(id, |doc| {
            Ok(heads
                .iter()
                .all(|h| doc.automerge().get_change_by_hash(h).is_some()))
        }) {
            Err(crate::error::Error::NotFound(_)) => Ok(false),
            other => other,
        }
    }

    /// A record's heads and its changes after `base` (the whole document, compacted, when
    /// `base` is empty): what a bulk push sends.
    pub fn changes_for_push(
        &self,
        id: RecordId,
        base: &[ChangeHash],
    ) -> Result<(Vec<ChangeHash>, Vec<u8>)> {
        self.with_doc_mut(id, |doc| {
            let data = if base.is_empty() {
                doc.save()
            } else {
                doc.save_after(base)
            };
            Ok((doc.heads(), data))
        })
    }
}
