//! The documents the server holds in memory, and the one path by which a device's changes
//! enter: twin copy → history and actor checks → gate and write rules → durable append → swap
//! in → update index documents → notify the other connections. Each document has its own
//! async lock, so one document's work never waits for another's; index documents are locked
//! only after record documents. Reading is scoped: a document outside the user's scope is
//! answered as unavailable, exactly as one that does not exist.
//!
//! Several nodes may share one database (ADR 0009). Each held document knows its stored
//! version; a write is conditional on it, and when another node wrote first the hub catches up
//! (reloads the document) and does the whole check again on the latest state. The follower
//! (`follow.rs`) brings other nodes' writes into memory and announces them as local ones.

mod access;
mod admit;
mod bulk;
mod compact;
mod contacts;
mod desk;
mod erase;
mod follow;
mod grants;
mod held;
mod index;
mod prune;
mod records;
mod reserved;
mod slots;
mod views;
mod watch;
mod write;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use admit::Prior;
use automerge::sync::{Message, State, SyncDoc};
use fieldbook_core::model::RecordKind;
use fieldbook_core::sync::index_doc::INDEX_KIND;
use fieldbook_core::sync::inflate::inflated_size;
use fieldbook_core::sync::{heads_key, index_id};
use fieldbook_core::{Clock, DeviceId, RecordDoc, RecordId};
use held::Held;
use tokio::sync::{Mutex as AsyncMutex, broadcast};

pub use access::AccessState;
pub use bulk::BulkOutcome;
pub use compact::DEFAULT_COMPACT_AFTER_CHUNKS;
pub use desk::EditOutcome;
pub use erase::{
    DataSubject, ERASED, ErasureKey, Person, PersonErasure, SECRET_NAME as ERASURE_SECRET,
};
pub use follow::FollowConfig;
pub use prune::PruneConfig;
pub use records::{ChangeOrigin, HeldRecord, History};
pub use slots::DEFAULT_LOADED_DOCS;
pub use watch::Inbox;

use crate::accounts::AccessEntry;
use crate::error::{Result, ServerError};
use crate::gate::ChangeGate;
use crate::store::{DeviceAuth, ServerStore};

/// How many times one write is tried again after another node wrote the document first.
const MAX_WRITE_ATTEMPTS: usize = 16;

fn too_busy(id: RecordId) -> ServerError {
    ServerError::Task(format!(
        "记录 {id} 并发写入过多 / record {id}: too many concurrent writes, try again"
    ))
}

type Slot = Arc<AsyncMutex<Option<Held>>>;

/// What became of one incoming sync message.
#[derive(Debug)]
pub enum Outcome {
    /// Stored (if it carried changes); here is the reply, if any.
    Reply(Option<Message>),
    /// The server does not hold the document (or not for this user) and the message brought
    /// nothing.
    Unavailable,
    /// The changes were refused; nothing was stored.
    Refused(String),
}

/// The device id the server's own actor is bound to.
pub const SERVER_DEVICE: DeviceId = DeviceId::NIL;

/// The shared document state of the server.
pub struct DocHub<S: ServerStore> {
    store: Arc<S>,
    gate: Arc<dyn ChangeGate>,
    actor: automerge::ActorId,
    clock: Arc<dyn Clock>,
    slots: parking_lot::Mutex<slots::Slots>,
    changed: broadcast::Sender<RecordId>,
    revoked: broadcast::Sender<DeviceId>,
    rewritten: broadcast::Sender<RecordId>,
    max_doc_bytes: u64,
    access: parking_lot::RwLock<AccessState>,
    /// Feed positions of this node's own writes, until the follower has passed them.
    own_writes: parking_lot::Mutex<HashSet<u64>>,
    /// The connections watching each document.
    watchers: parking_lot::Mutex<HashMap<RecordId, Vec<std::sync::Weak<Inbox>>>>,
    /// When each device's last completed sync opened (`contacts.rs`).
    completed_syncs: parking_lot::Mutex<HashMap<DeviceId, chrono::DateTime<chrono::Utc>>>,
    /// Reserved ids whose document was checked to be a server-made index (`reserved.rs`).
    genuine: parking_lot::Mutex<HashSet<RecordId>>,
    /// Actors already bound to a device (a binding never changes): a write by a known actor
    /// needs no store round trip (`admit.rs`).
    claimed: parking_lot::Mutex<HashSet<(Vec<u8>, DeviceId)>>,
    /// When documents are compacted, and chunks batched writes added (`compact.rs`).
    compaction: compact::Compaction,
    /// This node's part in pruning the feed (`prune.rs`).
    pruning: prune::Pruning,
}

impl<S: ServerStore> std::fmt::Debug for DocHub<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DocHub").finish_non_exhaustive()
    }
}

impl<S: ServerStore> DocHub<S> {
    /// `actor` must be unique to this server process (its own writes use it).
    pub fn new(
        store: Arc<S>,
        gate: Arc<dyn ChangeGate>,
        actor: automerge::ActorId,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let (changed, _) = broadcast::channel(1024);
        let (revoked, _) = broadcast::channel(64);
        let (rewritten, _) = broadcast::channel(64);
        DocHub {
            store,
            gate,
            clock,
            slots: parking_lot::Mutex::default(),
            changed,
            revoked,
            rewritten,
            max_doc_bytes: 16 * 1024 * 1024,
            access: parking_lot::RwLock::new(AccessState::default()),
            own_writes: parking_lot::Mutex::new(HashSet::new()),
            watchers: parking_lot::Mutex::new(HashMap::new()),
            completed_syncs: parking_lot::Mutex::new(HashMap::new()),
            genuine: parking_lot::Mutex::new(HashSet::new()),
            claimed: parking_lot::Mutex::new(HashSet::new()),
            compaction: compact::Compaction::default(),
            pruning: prune::Pruning::new(&actor),
            actor,
        }
    }

    /// Sets the largest document, stored or inflated from an incoming message.
    pub fn with_max_doc_bytes(mut self, bytes: u64) -> Self {
        self.max_doc_bytes = bytes;
        self
    }

    /// Notifications of documents whose stored heads changed.
    pub fn subscribe(&self) -> broadcast::Receiver<RecordId> {
        self.changed.subscribe()
    }

    /// Notifications of records whose history was rewritten (erasure): connections drop their
    /// sync state for them and never push the new history onto an old one.
    pub fn subscribe_rewrites(&self) -> broadcast::Receiver<RecordId> {
        self.rewritten.subscribe()
    }

    /// Notifications of revoked devices (their connections end).
    pub fn subscribe_revocations(&self) -> broadcast::Receiver<DeviceId> {
        self.revoked.subscribe()
    }

    pub fn store(&self) -> &Arc<S> {
        &self.store
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Reads the access state (directory, lead outcomes).
    pub fn access(&self) -> parking_lot::RwLockReadGuard<'_, AccessState> {
        self.access.read()
    }

    async fn load(&self, id: RecordId, held: &mut Option<Held>) -> Result<()> {
        if held.is_some() {
            return Ok(());
        }
        let store = self.store.clone();
        let stored = blocking(move || store.load_versioned(id)).await?;
        if let Some(stored) = stored {
            let mut doc = RecordDoc::load(id, &stored.bytes, self.actor.clone())?;
            if id.is_reserved() && !self.is_genuine_index(id, &mut doc).await? {
                return Ok(());
            }
            *held = Some(Held {
                doc,
                bytes: stored.bytes.len() as u64,
                chunks: stored.chunks,
                version: stored.version,
            });
        }
        Ok(())
    }

    /// The merged JSON of a stored document (`None` if not stored).
    pub async fn json(&self, id: RecordId) -> Result<Option<serde_json::Value>> {
        let json = {
            let slot = self.slot(id);
            let mut held = slot.lock().await;
            self.load(id, &mut held).await?;
            held.as_ref().map(|h| h.doc.to_json())
        };
        self.release_if_empty(id);
        Ok(json)
    }

    /// Applies one sync message from `device` about `id`.
    pub async fn receive(
        &self,
        device: &DeviceAuth,
        id: RecordId,
        state: &mut State,
        message: Message,
    ) -> Result<Outcome> {
        if let Err(reason) = inflated_size(&message, self.max_doc_bytes) {
            *state = State::new();
            return Ok(Outcome::Refused(format!(
                "记录 {id}：{reason} / record {id}"
            )));
        }
        if id.is_reserved() && id != index_id(&device.user) {
            // Another user's index, or an id no document may be created at by a device: held
            // nothing for it, answered as if it did not exist (finding 3). A view (ADR 0013)
            // is read like a record, within its scope, and never written by a device.
            let refused = !message.changes.is_empty();
            if refused || !self.is_view_id(id).await? {
                *state = State::new();
                return Ok(match refused {
                    false => Outcome::Unavailable,
                    true => Outcome::Refused(self.reserved_refusal_for(device, id).await?),
                });
            }
        }
        let mut outcome = Err(too_busy(id));
        for _ in 0..MAX_WRITE_ATTEMPTS {
            match self.try_receive(device, id, state, message.clone()).await {
                Ok(None) => continue,
                Ok(Some(done)) => outcome = Ok(done),
                Err(e) => outcome = Err(e),
            }
            break;
        }
        // Nothing is kept for an id that stayed unknown (finding 8).
        self.release_if_empty(id);
        outcome
    }

    /// One attempt at [`DocHub::receive`]; `None` if another node wrote the document first
    /// (the held copy has caught up: try again).
    async fn try_receive(
        &self,
        device: &DeviceAuth,
        id: RecordId,
        state: &mut State,
        message: Message,
    ) -> Result<Option<Outcome>> {
        let slot = self.slot(id);
        let mut held = slot.lock().await;
        self.load(id, &mut held).await?;
        let is_index = id == index_id(&device.user);
        let before_json = held.as_ref().map(|h| h.doc.to_json());
        let before_conflicts = held.as_ref().map(|h| h.doc.conflicts()).unwrap_or_default();
        if let Some(json) = &before_json
            && !is_index
            && (is_index_doc(json) || !self.access.read().may_read(&device.user, json))
        {
            *state = State::new();
            if message.changes.is_empty() {
                return Ok(Some(Outcome::Unavailable));
            }
            return Ok(Some(Outcome::Refused(format!(
                "记录 {id}：不在您的权限范围内 / record {id}: outside your scope"
            ))));
        }
        let mut twin = held.clone().unwrap_or_else(|| Held::empty(id, &self.actor));
        let before = twin.doc.heads();
        let mut trial = state.clone();
        // A peer that holds something of the document wants to send it: answer from the
        // (empty) twin so that it does; a peer that holds nothing learns it is unavailable.
        let offers = !message.heads.is_empty();
        apply(&mut twin.doc, &mut trial, message)?;
        if twin.doc.heads() != before {
            if is_index {
                // A device that synced through another node may bring index entries this node
                // has not taken in yet (the follower lags): catch up and try again.
                let brought = self.changes_since(&mut twin.doc, &before);
                self.catch_up(id, &mut held).await?;
                let known = held.as_mut().is_some_and(|h| {
                    brought
                        .iter()
                        .all(|c| h.doc.automerge().get_change_by_hash(c).is_some())
                });
                if known {
                    return Ok(None);
                }
                *state = State::new();
                return Ok(Some(Outcome::Refused(
                    "索引文档只读 / index documents are read-only".into(),
                )));
            }
            let prior = Prior {
                heads: &before,
                json: before_json,
                conflicts: before_conflicts,
            };
            // The device's own changes; the server's receipt stamp is the server's.
            let brought = match self.admit(device, &mut twin, prior).await? {
                Ok(brought) => brought,
                Err(reason) => {
                    *state = State::new();
                    self.log_refusal(device, id).await;
                    return Ok(Some(Outcome::Refused(reason)));
                }
            };
            let stamped = self.stamp_admitted(&mut twin.doc, device, &brought)?;
            if !self.persist(&mut twin, &stamped.chunk).await? {
                self.catch_up(id, &mut held).await?;
                return Ok(None);
            }
            let user = &device.user;
            self.note_receipts(id, user, Some(device.device), brought.hashes)
                .await;
            let json = twin.doc.to_json();
            let key = heads_key(&twin.doc.heads());
            *held = Some(twin);
            drop(held);
            self.after_stored(id, &json, &key).await?;
            self.withdraw_from_sender(user, id, &json).await?;
            *state = trial;
            // The sender gets its acknowledgement even if what it wrote took the record out of
            // its scope (a lead that lost to an earlier registration); the index then tells
            // its device to let the record go.
            let reply = self.reply(device, id, state, false).await?;
            return Ok(Some(Outcome::Reply(reply)));
        }
        *state = trial;
        Ok(Some(match held.as_mut() {
            Some(h) => {
                let reply = h.doc.automerge().sync().generate_sync_message(state);
                self.note_read(device, id, &h.doc, reply.as_ref()).await?;
                Outcome::Reply(reply)
            }
            None if is_index || offers => {
                Outcome::Reply(twin.doc.automerge().sync().generate_sync_message(state))
            }
            None => Outcome::Unavailable,
        }))
    }

    /// The next message for a connection about `id`, if there is anything to say and the
    /// user may read the document.
    pub async fn generate(
        &self,
        device: &DeviceAuth,
        id: RecordId,
        state: &mut State,
    ) -> Result<Option<Message>> {
        let message = self.reply(device, id, state, true).await;
        self.release_if_empty(id);
        message
    }

    async fn reply(
        &self,
        device: &DeviceAuth,
        id: RecordId,
        state: &mut State,
        scoped: bool,
    ) -> Result<Option<Message>> {
        let slot = self.slot(id);
        let mut held = slot.lock().await;
        self.load(id, &mut held).await?;
        let Some(h) = held.as_mut() else {
            return Ok(None);
        };
        let json = h.doc.to_json();
        let own_index = id == index_id(&device.user);
        let readable = || self.access.read().may_read(&device.user, &json);
        if scoped && !own_index && (is_index_doc(&json) || !readable()) {
            return Ok(None);
        }
        let message = h.doc.automerge().sync().generate_sync_message(state);
        self.note_read(device, id, &h.doc, message.as_ref()).await?;
        Ok(message)
    }

    /// Logs a customer's data leaving for a device (before it leaves).
    async fn note_read(
        &self,
        device: &DeviceAuth,
        id: RecordId,
        doc: &RecordDoc,
        message: Option<&Message>,
    ) -> Result<()> {
        let sends_data = message.is_some_and(|m| !m.changes.is_empty());
        if !sends_data || doc.kind() != Some(RecordKind::Customer) {
            return Ok(());
        }
        self.log(device.user.clone(), Some(device.device), id, "sync_read")
            .await
    }

    async fn log_refusal(&self, device: &DeviceAuth, id: RecordId) {
        if let Err(e) = self
            .log(
                device.user.clone(),
                Some(device.device),
                id,
                "refused_write",
            )
            .await
        {
            tracing::error!(error = %e, "access log write failed");
        }
    }

    /// Appends one line to the access log, durably.
    pub async fn log(
        &self,
        user: fieldbook_core::UserId,
        device: Option<DeviceId>,
        record: RecordId,
        action: &str,
    ) -> Result<()> {
        let entry = AccessEntry {
            at: self.clock.now(),
            user,
            device,
            record,
            action: action.to_owned(),
        };
        let store = self.store.clone();
        blocking(move || store.log_access(&[entry])).await
    }

    /// Ends the live connections of a revoked device.
    pub fn revoke(&self, device: DeviceId) {
        let _ = self.revoked.send(device);
    }
}

/// Whether a document is some user's index (readable by that user only).
fn is_index_doc(json: &serde_json::Value) -> bool {
    json.get("kind").and_then(serde_json::Value::as_str) == Some(INDEX_KIND)
}

fn apply(doc: &mut RecordDoc, state: &mut State, message: Message) -> Result<()> {
    let applied = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        doc.automerge().sync().receive_sync_message(state, message)
    }));
    match applied {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(ServerError::Protocol(format!(
            "sync message refused by automerge: {e}"
        ))),
        Err(_) => Err(ServerError::Protocol(
            "sync message crashed the decoder".into(),
        )),
    }
}

/// Runs blocking storage work on tokio's blocking pool.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ServerError::Task(e.to_string()))?
}
