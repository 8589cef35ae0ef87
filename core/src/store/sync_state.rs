//! What the sync engine needs from the device store: applying and generating Automerge sync
//! messages on stored documents (durably, in the same way as local edits), and the persisted
//! per-document sync state and acknowledged heads of each server (table `sync_state`).
//!
//! The sync state persisted is Automerge's own encoding (its shared heads), so a reconnect
//! resumes from what both sides had in common. The acknowledged heads are the heads the server
//! reported in its latest sync message; the server sends a sync message for a document only
//! after it has stored every change it received for it, so a local change is safe on the server
//! once the acknowledged heads equal the local heads.

use std::collections::HashMap;

use automerge::ChangeHash;
use automerge::sync::{Message, State, SyncDoc};
use rusqlite::{OptionalExtension, params};

use super::{DeviceStore, chunks};
use crate::doc::RecordDoc;
use crate::error::{Error, Result};
use crate::ids::RecordId;
use crate::sync::index_doc::heads_key_of_blob;

pub(super) fn heads_blob(heads: &[ChangeHash]) -> Vec<u8> {
    let mut sorted = heads.to_vec();
    sorted.sort();
    sorted.iter().flat_map(|h| h.0).collect()
}

impl DeviceStore {
    /// Applies a sync message from `peer` to a record's document (creating it if this device
    /// has never seen the record), durably, then persists the sync state and the heads the peer
    /// reported. Returns whether the document changed.
    pub fn receive_sync_message(
        &self,
        id: RecordId,
        peer: &str,
        state: &mut State,
        message: Message,
    ) -> Result<bool> {
        let changed = {
            let mut w = self.writer.lock();
            let mut doc = match self.cached_or_loaded(&mut w, id) {
                Ok(doc) => doc,
                Err(Error::NotFound(_)) => RecordDoc::empty(id, self.actor.clone()),
                Err(e) => return Err(e),
            };
            let before = doc.heads();
            let applied = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                doc.automerge().sync().receive_sync_message(state, message)
            }));
            match applied {
                Ok(Ok(())) => {}
                Ok(Err(e)) => return Err(corrupt(id, e.to_string())),
                Err(_) => return Err(corrupt(id, "the sync decoder panicked".into())),
            }
            let changed = doc.heads() != before;
            if changed && !before.is_empty() && adds_a_root(&mut doc, &before) {
                // Another history under the same id: the server rewrote the record (erasure).
                // Merging would bring the erased values back; the next index sync refetches it.
                return Err(Error::Refused(format!(
                    "记录 {id} 的历史已被服务器改写 / the server rewrote the history of record {id}"
                )));
            }
            if changed {
                self.persist(&mut w, doc, &before)?;
            } else if !before.is_empty() {
                w.cache.put(id, doc);
            }
            changed
        };
        self.save_sync_state(id, peer, state)?;
        Ok(changed)
    }

    /// The next sync message for `peer` about a record, if there is anything to say. A record
    /// this device does not hold yields a message that asks for everything.
    pub fn generate_sync_message(
        &self,
        id: RecordId,
        state: &mut State,
    ) -> Result<Option<Message>> {
        let mut w = self.writer.lock();
        let doc = match self.cached_or_loaded(&mut w, id) {
            Ok(doc) => doc,
            Err(Error::NotFound(_)) => {
                let empty = RecordDoc::empty(id, self.actor.clone());
                return Ok(empty_sync(empty, state));
            }
            Err(e) => return Err(e),
        };
        let mut doc = doc;
        let message = doc.automerge().sync().generate_sync_message(state);
        w.cache.put(id, doc);
        Ok(message)
    }

    /// Whether the record is stored on this device.
    pub fn contains(&self, id: RecordId) -> Result<bool> {
        Ok(chunks::doc_row(&self.writer.lock().conn, id)?.is_some())
    }

    /// The persisted sync state with `peer` (a fresh one if none or if it does not decode).
    pub fn load_sync_state(&self, id: RecordId, peer: &str) -> Result<State> {
        let conn = self.reader.lock();
        let bytes: Option<Vec<u8>> = conn
            .query_row(
                "SELECT state FROM sync_state WHERE record_id = ?1 AND peer = ?2",
                params![id, peer],
                |r| r.get(0),
            )
            .optional()?;
        Ok(match bytes.map(|b| State::decode(&b)) {
            Some(Ok(state)) => state,
            Some(Err(e)) => {
                tracing::warn!(error = %e, "stored sync state does not decode; starting afresh");
                State::new()
            }
            None => State::new(),
        })
    }

    /// Persists the sync state and, if the peer has told its heads, those as acknowledged.
    pub fn save_sync_state(&self, id: RecordId, peer: &str, state: &State) -> Result<()> {
        let acked = state.their_heads.as_deref().map(heads_blob);
        let now = self.options.clock.now().timestamp_millis();
        self.writer.lock().conn.execute(
            "INSERT INTO sync_state (record_id, peer, state, acked_heads, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (record_id, peer) DO UPDATE SET state = excluded.state,
                acked_heads = COALESCE(excluded.acked_heads, acked_heads),
                updated_at = excluded.updated_at",
            params![id, peer, state.encode(), acked, now],
        )?;
        Ok(())
    }

    /// Forgets the sync progress with `peer` for one record (after a refusal or a sync that
    /// would not settle: the next sync starts from scratch rather than looping on a message
    /// the peer will not take). The acknowledged heads stay: they are still true.
    pub fn reset_sync_state(&self, id: RecordId, peer: &str) -> Result<()> {
        self.writer.lock().conn.execute(
            "UPDATE sync_state SET state = ?3 WHERE record_id = ?1 AND peer = ?2",
            params![id, peer, State::new().encode()],
        )?;
        Ok(())
    }

    /// The heads key (see [`crate::sync::heads_key`]) of every stored document.
    pub fn heads_keys(&self) -> Result<HashMap<RecordId, String>> {
        let conn = self.reader.lock();
        let mut stmt = conn.prepare_cached("SELECT record_id, heads FROM documents")?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, RecordId>(0)?, r.get::<_, Vec<u8>>(1)?))
        })?;
        let mut out = HashMap::new();
        for row in rows {
            let (id, heads) = row?;
            out.insert(id, heads_key_of_blob(&heads));
        }
        Ok(out)
    }

    /// Records whose local heads `peer` has not acknowledged: changes not yet safe on it.
    pub fn unsynced_records(&self, peer: &str) -> Result<Vec<RecordId>> {
        let conn = self.reader.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT d.record_id, d.heads, s.acked_heads FROM documents d
             LEFT JOIN sync_state s ON s.record_id = d.record_id AND s.peer = ?1",
        )?;
        let rows = stmt.query_map([peer], |r| {
            Ok((
                r.get::<_, RecordId>(0)?,
                r.get::<_, Vec<u8>>(1)?,
                r.get::<_, Option<Vec<u8>>>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, heads, acked) = row?;
            let acked = acked.map(|a| heads_key_of_blob(&a));
            if acked.as_deref() != Some(heads_key_of_blob(&heads).as_str()) {
                out.push(id);
            }
        }
        Ok(out)
    }

    /// Whether every local change of a record is acknowledged by `peer`.
    pub fn is_synced(&self, id: RecordId, peer: &str) -> Result<bool> {
        Ok(!self.unsynced_records(peer)?.contains(&id) && self.contains(id)?)
    }
}

/// Whether the changes since `before` include a change with no dependencies (a second root).
fn adds_a_root(doc: &mut RecordDoc, before: &[ChangeHash]) -> bool {
    doc.automerge()
        .get_changes(before)
        .iter()
        .any(|c| c.deps().is_empty())
}

fn empty_sync(mut doc: RecordDoc, state: &mut State) -> Option<Message> {
    doc.automerge().sync().generate_sync_message(state)
}

fn corrupt(id: RecordId, reason: String) -> Error {
    Error::CorruptRecord { id, reason }
}
