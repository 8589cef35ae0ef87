//! The sans-IO sync engine of a device: inputs (connected, a frame received, a local change,
//! disconnected) in, frames to send out. It never touches a socket or a timer; a driver
//! (`driver.rs`, or a test) carries frames. Its storage writes go to the [`DeviceStore`], whose
//! every write is durable on return, so a frame the engine produced is only sent after what it
//! reflects is on disk.
//!
//! A round: `join` → `peer`; sync the user's index document first; then sync every record whose
//! local heads the server has not acknowledged and every record whose index entry differs from
//! the local heads — work proportional to what changed, not to what is stored. Loop guard: a
//! record that exchanges more than [`SyncEngine::MAX_ROUNDS`] messages without settling is
//! dropped from the round and its sync state reset (automerge-repo #206, #412).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use automerge::sync::{Message, State};

use super::bulk::heads_of_key;
use super::index_doc::{generation as index_generation, index_id, parse_entry, read_entries};
use super::wire::{PROTOCOL_VERSION, PeerMetadata, WireMessage};
use crate::error::{Error, Result};
use crate::ids::RecordId;
use crate::model::{LeadReferral, RecordKind};
use crate::store::DeviceStore;

#[path = "engine_bulk.rs"]
mod bulk;

/// What happens to the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncInput {
    /// The transport is up: start the handshake.
    Connected,
    /// One binary frame arrived.
    Received(Vec<u8>),
    /// A record was edited locally: push it if a round is under way.
    LocalChange(RecordId),
    /// The transport is gone; in-memory progress is dropped (persisted states remain).
    Disconnected,
}

/// Counters of one connection, for tests and diagnostics.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncStats {
    pub frames_sent: u64,
    pub frames_received: u64,
    /// Records whose local document changed by what the server sent.
    pub records_changed: u64,
    /// Records that settled (both sides at the same heads).
    pub records_settled: u64,
    /// Records the server refused a change of.
    pub records_refused: u64,
    /// Records removed because they left the user's scope.
    pub records_withdrawn: u64,
    /// Of those, records that had edits the server never acknowledged (lost with them).
    pub withdrawn_with_unsynced_edits: u64,
    /// Records whose history the server rewrote (erasure): the old copy was dropped and the
    /// new one fetched.
    pub records_rewritten: u64,
    /// Records that came in but do not match their model (stored by an older server): kept
    /// out of the tables, in quarantine until a later version matches (ADR 0011). The rest of
    /// the round goes on.
    pub records_quarantined: u64,
    /// Progress of the bulk path (`bulk.rs`): records to fetch and fetched so far, records to
    /// send and acknowledged so far. The totals are known once the index has settled.
    pub records_to_pull: u64,
    pub records_pulled: u64,
    pub records_to_push: u64,
    pub records_pushed: u64,
    /// Bytes of the frames sent and received (WebSocket payloads).
    pub bytes_sent: u64,
    pub bytes_received: u64,
}

impl SyncStats {
    /// Records done and to do in this round's bulk transfer (both directions), for a progress
    /// bar: `(done, total)`.
    pub fn progress(&self) -> (u64, u64) {
        (
            self.records_pulled + self.records_pushed,
            self.records_to_pull + self.records_to_push,
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Disconnected,
    Joining,
    Index,
    /// Documents travel in batches (`engine_bulk.rs`).
    Bulk,
    Records,
}

#[derive(Debug)]
struct InFlight {
    state: State,
    rounds: u32,
}

/// The sync engine of one device towards one server.
#[derive(Debug)]
pub struct SyncEngine {
    store: Arc<DeviceStore>,
    peer: String,
    local_id: String,
    remote_id: Option<String>,
    index: RecordId,
    phase: Phase,
    docs: HashMap<RecordId, InFlight>,
    refused: HashSet<RecordId>,
    quarantined: HashSet<RecordId>,
    stats: SyncStats,
    bulk: bulk::BulkRound,
}

impl SyncEngine {
    /// Messages one record may exchange in a round before the loop guard drops it.
    pub const MAX_ROUNDS: u32 = 64;

    /// An engine for `store` towards the server known locally as `peer` (the key of the
    /// persisted sync states, e.g. `"server"`).
    pub fn new(store: Arc<DeviceStore>, peer: impl Into<String>) -> Self {
        let index = index_id(store.user());
        let local_id = format!("fieldbook-device-{}", store.device());
        SyncEngine {
            store,
            peer: peer.into(),
            local_id,
            remote_id: None,
            index,
            phase: Phase::Disconnected,
            docs: HashMap::new(),
            refused: HashSet::new(),
            quarantined: HashSet::new(),
            stats: SyncStats::default(),
            bulk: bulk::BulkRound::default(),
        }
    }

    /// Feeds one input; returns the frames to send, in order. An error means the connection
    /// must be closed (the peer broke the protocol or refused the device).
    pub fn handle(&mut self, input: SyncInput) -> Result<Vec<Vec<u8>>> {
        let mut out = Vec::new();
        match input {
            SyncInput::Connected => self.connected(&mut out),
            SyncInput::Received(frame) => {
                self.stats.frames_received += 1;
                self.stats.bytes_received += frame.len() as u64;
                self.received(&frame, &mut out)?;
            }
            SyncInput::LocalChange(id) if self.phase == Phase::Records => {
                self.start(id, &mut out)?;
            }
            SyncInput::LocalChange(_) => {}
            SyncInput::Disconnected => self.reset(Phase::Disconnected),
        }
        self.stats.frames_sent += out.len() as u64;
        self.stats.bytes_sent += out.iter().map(|f| f.len() as u64).sum::<u64>();
        Ok(out)
    }

    /// Whether the round is complete: index and every record settled.
    pub fn is_idle(&self) -> bool {
        self.phase == Phase::Records && self.docs.is_empty()
    }

    /// Records whose sync is under way in this round (for progress: settled of settled + this).
    pub fn in_flight(&self) -> usize {
        self.docs.len()
    }

    pub fn stats(&self) -> &SyncStats {
        &self.stats
    }

    /// The document id of this user's index.
    pub fn index_id(&self) -> RecordId {
        self.index
    }

    fn reset(&mut self, phase: Phase) {
        self.phase = phase;
        self.docs.clear();
        self.refused.clear();
        self.remote_id = None;
        self.bulk = bulk::BulkRound::default();
    }

    fn connected(&mut self, out: &mut Vec<Vec<u8>>) {
        self.reset(Phase::Joining);
        self.stats = SyncStats::default();
        self.quarantined.clear();
        out.push(
            WireMessage::Join {
                sender_id: self.local_id.clone(),
                supported_protocol_versions: vec![PROTOCOL_VERSION.into()],
                peer_metadata: Some(PeerMetadata::default()),
            }
            .encode(),
        );
    }

    fn received(&mut self, frame: &[u8], out: &mut Vec<Vec<u8>>) -> Result<()> {
        match WireMessage::decode(frame)? {
            WireMessage::Peer {
                sender_id,
                selected_protocol_version,
                peer_metadata,
                ..
            } => {
                self.bulk.enabled = peer_metadata
                    .and_then(|m| m.fieldbook_bulk)
                    .is_some_and(|v| v >= super::bulk::BULK_VERSION);
                self.on_peer(sender_id, &selected_protocol_version, out)
            }
            WireMessage::FieldbookBulkDocs {
                batch,
                docs,
                missing,
                last,
                ..
            } => self.on_bulk_docs(batch, docs, &missing, last, out),
            WireMessage::FieldbookBulkAck {
                batch,
                docs,
                refused,
                ..
            } => self.on_bulk_ack(batch, docs, refused, out),
            WireMessage::Sync {
                document_id, data, ..
            }
            | WireMessage::Request {
                document_id, data, ..
            } => self.on_sync(parse_id(&document_id)?, &data, out),
            WireMessage::DocUnavailable { document_id, .. } => {
                self.settle(parse_id(&document_id)?, out)
            }
            WireMessage::Error {
                message,
                document_id: Some(doc),
            } => self.on_refused(parse_id(&doc)?, &message, out),
            WireMessage::Error { message, .. } => Err(Error::Refused(message)),
            _ => Ok(()),
        }
    }

    fn on_peer(&mut self, remote: String, version: &str, out: &mut Vec<Vec<u8>>) -> Result<()> {
        if self.phase != Phase::Joining || version != PROTOCOL_VERSION {
            return Err(Error::Protocol(format!(
                "unexpected peer message (version {version})"
            )));
        }
        self.remote_id = Some(remote);
        self.phase = Phase::Index;
        let index = self.index;
        self.start(index, out)
    }

    fn remote(&self) -> Result<String> {
        self.remote_id
            .clone()
            .ok_or_else(|| Error::Protocol("document message before the handshake".into()))
    }

    /// Starts syncing one record, unless it is already in flight or was refused this round.
    fn start(&mut self, id: RecordId, out: &mut Vec<Vec<u8>>) -> Result<()> {
        if self.docs.contains_key(&id) || self.refused.contains(&id) {
            return Ok(());
        }
        // A refused edit is not resent until the user edits again or discards it (ADR 0006).
        if self.store.refusal_stands(id)? {
            return Ok(());
        }
        let mut state = self.store.load_sync_state(id, &self.peer)?;
        let held = self.store.contains(id)?;
        let message = self.store.generate_sync_message(id, &mut state)?;
        let Some(message) = message else {
            return Ok(());
        };
        let remote = self.remote()?;
        out.push(doc_frame(held, id, &self.local_id, remote, message));
        self.docs.insert(id, InFlight { state, rounds: 0 });
        Ok(())
    }

    fn on_sync(&mut self, id: RecordId, data: &[u8], out: &mut Vec<Vec<u8>>) -> Result<()> {
        let message =
            Message::decode(data).map_err(|e| Error::Protocol(format!("bad sync message: {e}")))?;
        let mut flight = match self.docs.remove(&id) {
            Some(f) => f,
            None => InFlight {
                state: self.store.load_sync_state(id, &self.peer)?,
                rounds: 0,
            },
        };
        let changed =
            self.store
                .receive_sync_message(id, &self.peer, &mut flight.state, message)?;
        if changed {
            self.stats.records_changed += 1;
            self.note_quarantine(id)?;
            self.learn_server_time(id)?;
        }
        flight.rounds += 1;
        if flight.rounds > Self::MAX_ROUNDS {
            tracing::warn!(record = %id, "sync of one record does not settle; dropping it");
            self.store.reset_sync_state(id, &self.peer)?;
            return self.after_settled(id, out);
        }
        self.reply(id, flight, out)
    }

    /// Counts a record that came in but does not match its model (it is kept out of the
    /// tables; the round goes on). The record id is logged, never its content.
    fn note_quarantine(&mut self, id: RecordId) -> Result<()> {
        if id != self.index && self.store.is_quarantined(id)? && self.quarantined.insert(id) {
            tracing::warn!(record = %id, "received a record that does not match its model");
            self.stats.records_quarantined = self.quarantined.len() as u64;
        }
        Ok(())
    }

    /// A lead the server stamped tells the device a time the server has reached: registrations
    /// made later on this device cannot claim to be earlier (ADR 0003).
    fn learn_server_time(&self, id: RecordId) -> Result<()> {
        if self.store.kind_of(id)? != RecordKind::LeadReferral {
            return Ok(());
        }
        let lead: LeadReferral = match self.store.get(id) {
            Ok(lead) => lead,
            // In quarantine: it tells nothing until it matches its model.
            Err(Error::Model { .. }) => return Ok(()),
            Err(e) => return Err(e),
        };
        match lead.server_received_at {
            Some(at) => self.store.note_server_time(at),
            None => Ok(()),
        }
    }

    /// Sends the next message about `id`, or marks it settled when both sides agree. A last
    /// message that asks for nothing and carries nothing may get no answer, so once both
    /// sides' heads agree the record is settled whether or not such a message goes out.
    fn reply(&mut self, id: RecordId, mut flight: InFlight, out: &mut Vec<Vec<u8>>) -> Result<()> {
        let message = self.store.generate_sync_message(id, &mut flight.state)?;
        let quiet = message
            .as_ref()
            .is_none_or(|m| m.changes.is_empty() && m.need.is_empty());
        if let Some(message) = message {
            out.push(doc_frame(true, id, &self.local_id, self.remote()?, message));
        }
        let mut ours = self.store.heads(id).unwrap_or_default();
        ours.sort();
        let mut theirs = flight.state.their_heads.clone().unwrap_or_default();
        theirs.sort();
        if quiet && theirs == ours {
            self.stats.records_settled += 1;
            return self.after_settled(id, out);
        }
        // Our last message is still in flight; its answer will come.
        tracing::debug!(record = %id, sent = !quiet, ours = ?ours, theirs = ?theirs, "waiting");
        self.docs.insert(id, flight);
        Ok(())
    }

    fn settle(&mut self, id: RecordId, out: &mut Vec<Vec<u8>>) -> Result<()> {
        self.docs.remove(&id);
        self.after_settled(id, out)
    }

    fn on_refused(&mut self, id: RecordId, message: &str, out: &mut Vec<Vec<u8>>) -> Result<()> {
        tracing::warn!(record = %id, reason = message, "server refused a change");
        self.stats.records_refused += 1;
        self.refused.insert(id);
        if self.store.contains(id)? {
            self.store.note_refusal(id, message)?;
        }
        self.store.reset_sync_state(id, &self.peer)?;
        self.settle(id, out)
    }

    /// After a record settles: when the index settles, start the records that need a sync.
    fn after_settled(&mut self, id: RecordId, out: &mut Vec<Vec<u8>>) -> Result<()> {
        self.docs.remove(&id);
        if id != self.index {
            return Ok(());
        }
        if self.phase == Phase::Bulk {
            // Rescanned once when the batches are done, not on every index update.
            self.bulk.index_dirty = true;
            return Ok(());
        }
        if self.phase != Phase::Index {
            return self.start_changed_in_index(out, false);
        }
        if self.bulk.enabled {
            return self.start_bulk(out);
        }
        self.phase = Phase::Records;
        self.start_changed_in_index(out, true)?;
        for id in self.store.unsynced_records(&self.peer)? {
            if id != self.index {
                self.start(id, out)?;
            }
        }
        Ok(())
    }

    /// Starts every record whose index entry differs from the local heads; drops the local
    /// copy of records rewritten by the server (erasure) first and, when the index first
    /// settles in a round (before this round acknowledges anything new), of records that left
    /// the user's scope.
    fn start_changed_in_index(&mut self, out: &mut Vec<Vec<u8>>, first: bool) -> Result<()> {
        let entries = match self
            .store
            .with_doc_mut(self.index, |doc| Ok(read_entries(doc.automerge())))
        {
            Ok(entries) => entries,
            Err(Error::NotFound(_)) => return Ok(()),
            Err(e) => return Err(e),
        };
        if first {
            self.withdraw_unlisted(&entries)?;
        }
        let local = self.store.heads_keys()?;
        let unsynced: HashSet<RecordId> = match first {
            true => HashSet::new(),
            false => self
                .store
                .unsynced_records(&self.peer)?
                .into_iter()
                .collect(),
        };
        for (id, entry) in entries {
            let (generation, key) = parse_entry(&entry);
            if local.get(&id).map(String::as_str) == Some(key) {
                continue;
            }
            // An entry this device's copy already contains, of a record the server has
            // acknowledged: the index is behind (its update for a change just sent is still
            // on the way), nothing to fetch.
            if !first
                && local.contains_key(&id)
                && !unsynced.contains(&id)
                && generation <= 1
                && let Some(heads) = heads_of_key(key)
                && self.store.holds_heads(id, &heads)?
            {
                continue;
            }
            if generation > 1 && local.contains_key(&id) {
                let held = self.store.get_json(id).map(|j| index_generation(&j))?;
                if held < generation {
                    tracing::info!(record = %id, "history rewritten on the server; refetching");
                    self.store.remove_record(id, &self.peer)?;
                    self.stats.records_rewritten += 1;
                }
            }
            self.start(id, out)?;
        }
        Ok(())
    }

    /// Removes the records the server once had from this user but no longer lists: they left
    /// the user's scope. (A server that lost its data has no index for the user, so nothing is
    /// removed: the device's own index copy stays as it was.)
    fn withdraw_unlisted(&mut self, entries: &BTreeMap<RecordId, String>) -> Result<()> {
        for id in self.store.acknowledged_records(&self.peer)? {
            if id == self.index || entries.contains_key(&id) || self.docs.contains_key(&id) {
                continue;
            }
            tracing::info!(record = %id, "record left the user's scope; removing the local copy");
            if self.store.remove_record(id, &self.peer)? {
                self.stats.withdrawn_with_unsynced_edits += 1;
            }
            self.stats.records_withdrawn += 1;
        }
        Ok(())
    }
}

fn parse_id(text: &str) -> Result<RecordId> {
    text.parse()
        .map_err(|_| Error::Protocol("a document id is not a Fieldbook record id".into()))
}

fn doc_frame(held: bool, id: RecordId, local: &str, remote: String, m: Message) -> Vec<u8> {
    let (document_id, sender_id, data) = (id.to_string(), local.to_owned(), m.encode());
    let message = if held {
        WireMessage::Sync {
            document_id,
            sender_id,
            target_id: remote,
            data,
        }
    } else {
        WireMessage::Request {
            document_id,
            sender_id,
            target_id: remote,
            data,
        }
    };
    message.encode()
}
