//! The engine's bulk phase (`super::super::bulk`, `docs/protocol.md` "Bulk path"): once the
//! index has settled, the records that differ travel in batches instead of one sync exchange
//! each. Records the server has and this device lacks (or has older) are requested; records
//! with changes the server has not acknowledged are pushed, each as its changes after the
//! heads the index lists for it (the whole document, compacted, when the server has none).
//! Every batch that arrives is stored and acknowledged in one durable transaction, so a cut
//! loses at most the batches in flight, and the next round asks only for what is still missing.
//! What the batches leave unsettled (a record changed on both sides) goes on by the
//! per-document path afterwards.

use std::collections::{HashMap, HashSet, VecDeque};

use automerge::ChangeHash;

use super::super::bulk::{BulkDoc, MAX_BATCH_BYTES, MAX_BATCH_DOCS, WINDOW, heads_of_key};
use super::super::index_doc::{parse_entry, read_entries};
use super::super::wire::WireMessage;
use super::{Phase, SyncEngine, parse_id};
use crate::error::{Error, Result};
use crate::ids::RecordId;
use crate::model::{LeadReferral, RecordKind};
use crate::store::PeerDoc;

/// The bulk state of one round.
#[derive(Debug, Default)]
pub(super) struct BulkRound {
    /// The server announced the bulk path in its `peer` message.
    pub(super) enabled: bool,
    /// The index changed while batches were under way: rescan it once they are done.
    pub(super) index_dirty: bool,
    /// Records to request, with the heads this device holds of each.
    pulls: VecDeque<(RecordId, Vec<ChangeHash>)>,
    /// Records to push, with the heads the server is known to hold of each.
    pushes: VecDeque<(RecordId, Vec<ChangeHash>)>,
    /// Requests in flight: the ids not answered yet.
    pulling: HashMap<u64, HashSet<RecordId>>,
    /// Pushes in flight: the ids sent.
    pushing: HashMap<u64, Vec<RecordId>>,
    next_batch: u64,
}

impl SyncEngine {
    /// The index has settled for the first time in the round: works out what differs and
    /// starts the batches.
    pub(super) fn start_bulk(&mut self, out: &mut Vec<Vec<u8>>) -> Result<()> {
        self.phase = Phase::Bulk;
        let entries = match self
            .store
            .with_doc_mut(self.index, |doc| Ok(read_entries(doc.automerge())))
        {
            Ok(entries) => entries,
            Err(Error::NotFound(_)) => Default::default(),
            Err(e) => return Err(e),
        };
        self.withdraw_unlisted(&entries)?;
        let local = self.store.heads_keys()?;
        let mut server_heads: HashMap<RecordId, Vec<ChangeHash>> = HashMap::new();
        let mut pulled: HashSet<RecordId> = HashSet::new();
        for (id, entry) in &entries {
            let (generation, key) = parse_entry(entry);
            let Some(heads) = heads_of_key(key) else {
                continue;
            };
            let mut held = local.contains_key(id);
            if local.get(id).map(String::as_str) != Some(key) {
                if generation > 1 && held {
                    let json = self.store.get_json(*id)?;
                    if super::index_generation(&json) < generation {
                        tracing::info!(record = %id, "history rewritten on the server; refetching");
                        self.store.remove_record(*id, &self.peer)?;
                        self.stats.records_rewritten += 1;
                        held = false;
                    }
                }
                if !held || !self.store.holds_heads(*id, &heads)? {
                    let have = if held {
                        self.store.heads(*id)?
                    } else {
                        Vec::new()
                    };
                    self.bulk.pulls.push_back((*id, have));
                    pulled.insert(*id);
                }
            }
            server_heads.insert(*id, heads);
        }
        for id in self.store.unsynced_records(&self.peer)? {
            if id == self.index || pulled.contains(&id) || self.store.refusal_stands(id)? {
                continue;
            }
            let base = server_heads.remove(&id).unwrap_or_default();
            self.bulk.pushes.push_back((id, base));
        }
        self.stats.records_to_pull = self.bulk.pulls.len() as u64;
        self.stats.records_to_push = self.bulk.pushes.len() as u64;
        self.pump(out)
    }

    /// Sends requests and pushes up to the window; when everything is answered, ends the bulk
    /// phase.
    fn pump(&mut self, out: &mut Vec<Vec<u8>>) -> Result<()> {
        let remote = self.remote()?;
        while self.bulk.pulling.len() < WINDOW && !self.bulk.pulls.is_empty() {
            let take = self.bulk.pulls.len().min(MAX_BATCH_DOCS);
            let wants: Vec<(RecordId, Vec<ChangeHash>)> = self.bulk.pulls.drain(..take).collect();
            let batch = self.next_batch();
            let docs = wants
                .iter()
                .map(|(id, have)| BulkDoc::new(id, have, Vec::new()))
                .collect();
            self.bulk
                .pulling
                .insert(batch, wants.iter().map(|(id, _)| *id).collect());
            out.push(
                WireMessage::FieldbookBulkRequest {
                    sender_id: self.local_id.clone(),
                    target_id: remote.clone(),
                    batch,
                    docs,
                }
                .encode(),
            );
        }
        while self.bulk.pushing.len() < WINDOW && !self.bulk.pushes.is_empty() {
            let (mut docs, mut ids, mut bytes) = (Vec::new(), Vec::new(), 0usize);
            while let Some((id, base)) = self.bulk.pushes.pop_front() {
                let (heads, data) = match self.store.changes_for_push(id, &base) {
                    Ok(found) => found,
                    // Removed since the round began (left the scope): nothing to send.
                    Err(Error::NotFound(_)) => continue,
                    Err(e) => return Err(e),
                };
                bytes += data.len();
                docs.push(BulkDoc::new(id, &heads, data));
                ids.push(id);
                if docs.len() >= MAX_BATCH_DOCS || bytes >= MAX_BATCH_BYTES {
                    break;
                }
            }
            if docs.is_empty() {
                break;
            }
            let batch = self.next_batch();
            self.bulk.pushing.insert(batch, ids);
            out.push(
                WireMessage::FieldbookBulkPush {
                    sender_id: self.local_id.clone(),
                    target_id: remote.clone(),
                    batch,
                    docs,
                }
                .encode(),
            );
        }
        let idle = self.bulk.pulling.is_empty()
            && self.bulk.pushing.is_empty()
            && self.bulk.pulls.is_empty()
            && self.bulk.pushes.is_empty();
        if self.phase == Phase::Bulk && idle {
            self.finish_bulk(out)?;
        }
        Ok(())
    }

    fn next_batch(&mut self) -> u64 {
        self.bulk.next_batch += 1;
        self.bulk.next_batch
    }

    /// The batches are done: what they left goes by the per-document path.
    fn finish_bulk(&mut self, out: &mut Vec<Vec<u8>>) -> Result<()> {
        self.phase = Phase::Records;
        if std::mem::take(&mut self.bulk.index_dirty) {
            self.start_changed_in_index(out, false)?;
        }
        for id in self.store.unsynced_records(&self.peer)? {
            if id != self.index {
                self.start(id, out)?;
            }
        }
        Ok(())
    }

    /// One frame answering a request: stored and acknowledged in one transaction.
    pub(super) fn on_bulk_docs(
        &mut self,
        batch: u64,
        docs: Vec<BulkDoc>,
        missing: &[String],
        last: bool,
        out: &mut Vec<Vec<u8>>,
    ) -> Result<()> {
        let Some(outstanding) = self.bulk.pulling.get_mut(&batch) else {
            return Err(Error::Protocol(format!(
                "bulk documents for unknown batch {batch}"
            )));
        };
        let mut parsed = Vec::with_capacity(docs.len());
        for doc in &docs {
            let id = parse_id(&doc.0)?;
            let heads = doc
                .heads()
                .ok_or_else(|| Error::Protocol("invalid heads in a bulk message".into()))?;
            // Only what was asked for in this batch is taken in.
            if outstanding.remove(&id) {
                parsed.push((id, heads, doc));
            }
        }
        for id in missing {
            outstanding.remove(&parse_id(id)?);
        }
        if last {
            self.bulk.pulling.remove(&batch);
        }
        let peer_docs: Vec<PeerDoc<'_>> = parsed
            .iter()
            .map(|(id, heads, doc)| PeerDoc {
                id: *id,
                heads,
                data: &doc.2,
            })
            .collect();
        self.import(&peer_docs)?;
        self.stats.records_pulled += (parsed.len() + missing.len()) as u64;
        self.pump(out)
    }

    /// The server's answer to one push: accepted records take the server's heads (and its
    /// receipt stamps) in one transaction; refused ones are noted as on the per-document path.
    pub(super) fn on_bulk_ack(
        &mut self,
        batch: u64,
        docs: Vec<BulkDoc>,
        refused: Vec<(String, String)>,
        out: &mut Vec<Vec<u8>>,
    ) -> Result<()> {
        let Some(sent) = self.bulk.pushing.remove(&batch) else {
            return Err(Error::Protocol(format!(
                "bulk acknowledgement for unknown batch {batch}"
            )));
        };
        let sent: HashSet<RecordId> = sent.into_iter().collect();
        let mut parsed = Vec::with_capacity(docs.len());
        for doc in &docs {
            let id = parse_id(&doc.0)?;
            let heads = doc
                .heads()
                .ok_or_else(|| Error::Protocol("invalid heads in a bulk message".into()))?;
            if sent.contains(&id) {
                parsed.push((id, heads, doc));
            }
        }
        let peer_docs: Vec<PeerDoc<'_>> = parsed
            .iter()
            .map(|(id, heads, doc)| PeerDoc {
                id: *id,
                heads,
                data: &doc.2,
            })
            .collect();
        self.import(&peer_docs)?;
        self.stats.records_pushed += (parsed.len() + refused.len()) as u64;
        for (id, reason) in refused {
            let id = parse_id(&id)?;
            if !sent.contains(&id) {
                continue;
            }
            tracing::warn!(record = %id, reason = reason, "server refused a change");
            self.stats.records_refused += 1;
            self.refused.insert(id);
            if self.store.contains(id)? {
                self.store.note_refusal(id, &reason)?;
            }
            self.store.reset_sync_state(id, &self.peer)?;
        }
        self.pump(out)
    }

    /// Stores what the server sent, with its heads as acknowledged; counts what changed and
    /// learns the latest server time among the leads.
    fn import(&mut self, docs: &[PeerDoc<'_>]) -> Result<()> {
        if docs.is_empty() {
            return Ok(());
        }
        let mut latest = None;
        let imported = self.store.import_from_peer(&self.peer, docs, |doc| {
            if doc.kind() == Some(RecordKind::LeadReferral)
                && let Ok(lead) = doc.read::<LeadReferral>()
                && let Some(at) = lead.server_received_at
            {
                latest = latest.max(Some(at));
            }
        })?;
        self.stats.records_changed += imported.changed.len() as u64;
        for id in imported.changed {
            self.note_quarantine(id)?;
        }
        if let Some(at) = latest {
            self.store.note_server_time(at)?;
        }
        Ok(())
    }
}
