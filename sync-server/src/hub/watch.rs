//! Telling connections which documents changed. Each connection has an [`Inbox`] and watches
//! the documents it syncs; a change wakes only the connections watching that document. (A
//! broadcast to every connection cost each change ~1,000 task wake-ups at 1,000 devices, most
//! of them to be ignored; the broadcast stays for the back office's live pages.)

use std::collections::HashSet;
use std::sync::{Arc, Weak};

use fieldbook_core::RecordId;
use tokio::sync::Notify;

use super::DocHub;
use crate::store::ServerStore;

/// The documents changed since a connection last looked. Changes coalesce: a document that
/// changed ten times while the connection was busy is in the inbox once.
#[derive(Debug, Default)]
pub struct Inbox {
    pending: parking_lot::Mutex<HashSet<RecordId>>,
    wake: Notify,
}

impl Inbox {
    /// Waits until a watched document changed; every document changed since the last call.
    /// Cancel-safe: dropped before it returns, it loses nothing (the ids stay pending).
    pub async fn changed(&self) -> Vec<RecordId> {
        loop {
            {
                let mut pending = self.pending.lock();
                if !pending.is_empty() {
                    return pending.drain().collect();
                }
            }
            self.wake.notified().await;
        }
    }

    fn put(&self, id: RecordId) {
        self.pending.lock().insert(id);
        self.wake.notify_one();
    }
}

impl<S: ServerStore> DocHub<S> {
    /// `inbox` is told when `id` changes (until [`DocHub::unwatch`] or the inbox is dropped).
    pub fn watch(&self, inbox: &Arc<Inbox>, id: RecordId) {
        let mut watchers = self.watchers.lock();
        let list = watchers.entry(id).or_default();
        if !list.iter().any(|w| w.as_ptr() == Arc::as_ptr(inbox)) {
            list.push(Arc::downgrade(inbox));
        }
    }

    /// Stops telling `inbox` about `ids` (a closing connection).
    pub fn unwatch(&self, inbox: &Arc<Inbox>, ids: impl IntoIterator<Item = RecordId>) {
        let mut watchers = self.watchers.lock();
        for id in ids {
            if let Some(list) = watchers.get_mut(&id) {
                list.retain(|w| w.as_ptr() != Arc::as_ptr(inbox) && w.strong_count() > 0);
                if list.is_empty() {
                    watchers.remove(&id);
                }
            }
        }
    }

    /// A document's stored heads changed: tell the connections watching it, and the
    /// broadcast's subscribers.
    pub(super) fn notify_changed(&self, id: RecordId) {
        let _ = self.changed.send(id);
        let mut watchers = self.watchers.lock();
        if let Some(list) = watchers.get_mut(&id) {
            list.retain(|w: &Weak<Inbox>| match w.upgrade() {
                Some(inbox) => {
                    inbox.put(id);
                    true
                }
                None => false,
            });
            if list.is_empty() {
                watchers.remove(&id);
            }
        }
    }
}
