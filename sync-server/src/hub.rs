//! The documents the server holds in memory, and the one path by which a device's changes
//! enter: twin copy → gate → durable append → swap in → update index documents → notify the
//! other connections. Each document has its own async lock, so one document's work never
//! waits for another's; index documents are locked only after record documents.

use std::collections::HashMap;
use std::sync::Arc;

use automerge::sync::{Message, State, SyncDoc};
use fieldbook_core::model::RecordKind;
use fieldbook_core::sync::index_doc::{INDEX_KIND, interested_users, put_entry};
use fieldbook_core::sync::{heads_key, index_id};
use fieldbook_core::{RecordDoc, RecordId, UserId};
use tokio::sync::{Mutex as AsyncMutex, broadcast};

use crate::error::{Result, ServerError};
use crate::gate::{ChangeGate, GateContext};
use crate::store::{DeviceAuth, ServerStore};

/// A loaded document and the bytes its chunk log takes.
#[derive(Debug, Clone)]
struct Held {
    doc: RecordDoc,
    bytes: u64,
}

type Slot = Arc<AsyncMutex<Option<Held>>>;

/// What became of one incoming sync message.
#[derive(Debug)]
pub enum Outcome {
    /// Stored (if it carried changes); here is the reply, if any.
    Reply(Option<Message>),
    /// The server does not hold the document and the message brought nothing.
    Unavailable,
    /// The gate refused the changes; nothing was stored.
    Refused(String),
}

/// The shared document state of the server.
pub struct DocHub<S: ServerStore> {
    store: Arc<S>,
    gate: Arc<dyn ChangeGate>,
    actor: automerge::ActorId,
    slots: parking_lot::Mutex<HashMap<RecordId, Slot>>,
    changed: broadcast::Sender<RecordId>,
}

impl<S: ServerStore> std::fmt::Debug for DocHub<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DocHub").finish_non_exhaustive()
    }
}

impl<S: ServerStore> DocHub<S> {
    /// `actor` must be unique to this server process (the index documents are written with it).
    pub fn new(store: Arc<S>, gate: Arc<dyn ChangeGate>, actor: automerge::ActorId) -> Self {
        let (changed, _) = broadcast::channel(1024);
        DocHub {
            store,
            gate,
            actor,
            slots: parking_lot::Mutex::new(HashMap::new()),
            changed,
        }
    }

    /// Notifications of documents whose stored heads changed.
    pub fn subscribe(&self) -> broadcast::Receiver<RecordId> {
        self.changed.subscribe()
    }

    pub fn store(&self) -> &Arc<S> {
        &self.store
    }

    fn slot(&self, id: RecordId) -> Slot {
        self.slots.lock().entry(id).or_default().clone()
    }

    async fn load(&self, id: RecordId, held: &mut Option<Held>) -> Result<()> {
        if held.is_some() {
            return Ok(());
        }
        let store = self.store.clone();
        let bytes = blocking(move || store.load_doc(id)).await?;
        if let Some(bytes) = bytes {
            let doc = RecordDoc::load(id, &bytes, self.actor.clone())?;
            *held = Some(Held {
                doc,
                bytes: bytes.len() as u64,
            });
        }
        Ok(())
    }

    /// Applies one sync message from `device` about `id`.
    pub async fn receive(
        &self,
        device: &DeviceAuth,
        id: RecordId,
        state: &mut State,
        message: Message,
    ) -> Result<Outcome> {
        let slot = self.slot(id);
        let mut held = slot.lock().await;
        self.load(id, &mut held).await?;
        let is_index = id == index_id(&device.user);
        if !is_index && held.as_ref().is_some_and(|h| is_index_doc(&h.doc)) {
            return Ok(Outcome::Unavailable);
        }
        let mut twin = held.clone().unwrap_or_else(|| Held {
            doc: RecordDoc::empty(id, self.actor.clone()),
            bytes: 0,
        });
        let before = twin.doc.heads();
        let mut trial = state.clone();
        // A peer that holds something of the document wants to send it: answer from the
        // (empty) twin so that it does; a peer that holds nothing learns it is unavailable.
        let offers = !message.heads.is_empty();
        apply(&mut twin.doc, &mut trial, message)?;
        if twin.doc.heads() != before {
            if is_index {
                *state = State::new();
                return Ok(Outcome::Refused(
                    "索引文档只读 / index documents are read-only".into(),
                ));
            }
            let chunk = twin.doc.save_after(&before);
            twin.bytes += chunk.len() as u64;
            let ctx = GateContext {
                device: device.device,
                user: &device.user,
                record: id,
            };
            if let Err(reason) = self.gate.check(ctx, &twin.doc, twin.bytes) {
                *state = State::new();
                return Ok(Outcome::Refused(reason));
            }
            self.persist(&mut twin.doc, &chunk).await?;
            let users = interested_users(&twin.doc.to_json());
            let key = heads_key(&twin.doc.heads());
            *held = Some(twin);
            drop(held);
            self.index_records(&users, id, &key).await?;
            let _ = self.changed.send(id);
            *state = trial;
            return Ok(Outcome::Reply(self.generate(id, state).await?));
        }
        *state = trial;
        match held.as_mut() {
            Some(h) => Ok(Outcome::Reply(
                h.doc.automerge().sync().generate_sync_message(state),
            )),
            None if is_index || offers => Ok(Outcome::Reply(
                twin.doc.automerge().sync().generate_sync_message(state),
            )),
            None => Ok(Outcome::Unavailable),
        }
    }

    /// The next message for a connection about `id`, if there is anything to say.
    pub async fn generate(&self, id: RecordId, state: &mut State) -> Result<Option<Message>> {
        let slot = self.slot(id);
        let mut held = slot.lock().await;
        self.load(id, &mut held).await?;
        Ok(held
            .as_mut()
            .and_then(|h| h.doc.automerge().sync().generate_sync_message(state)))
    }

    async fn persist(&self, doc: &mut RecordDoc, chunk: &[u8]) -> Result<()> {
        let (store, id, chunk) = (self.store.clone(), doc.id(), chunk.to_vec());
        let kind = doc.kind().map(|k| k.to_string()).unwrap_or_default();
        let key = heads_key(&doc.heads());
        blocking(move || store.append_chunk(id, &kind, &key, &chunk)).await
    }

    /// Points each user's index entry for `record` at its new heads.
    async fn index_records(&self, users: &[UserId], record: RecordId, key: &str) -> Result<()> {
        for user in users {
            let id = index_id(user);
            let slot = self.slot(id);
            let mut held = slot.lock().await;
            self.load(id, &mut held).await?;
            let mut h = held.clone().unwrap_or_else(|| Held {
                doc: RecordDoc::empty(id, self.actor.clone()),
                bytes: 0,
            });
            let before = h.doc.heads();
            if !put_entry(h.doc.automerge(), user, record, key)? {
                continue;
            }
            let chunk = h.doc.save_after(&before);
            h.bytes += chunk.len() as u64;
            self.persist(&mut h.doc, &chunk).await?;
            *held = Some(h);
            let _ = self.changed.send(id);
        }
        Ok(())
    }
}

/// Whether a document is some user's index (readable by that user only).
fn is_index_doc(doc: &RecordDoc) -> bool {
    matches!(doc.kind(), Some(RecordKind::Other(k)) if k == INDEX_KIND)
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
