//! Record-changed observers: a screen registers one and refreshes when a record it shows changes,
//! whether the change was made on this device, imported from a file or Bluetooth hand-off, or
//! (with the sync issue) brought in by sync. Registering returns a handle; the observation lasts
//! until `cancel()` is called or the handle is released.
//!
//! Callbacks run on the thread that made the change (a background thread for every async call),
//! never while a store lock is held, so an observer may call back into the store. An observer that
//! throws is logged and skipped; it cannot fail the write that triggered it.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};

use parking_lot::Mutex;

use crate::enums::RecordKind;

/// Where a change came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ChangeOrigin {
    /// Made through this store on this device.
    Local,
    /// Merged from changes exported by another device (`importChanges`).
    Imported,
    /// Brought in by sync with the server (sent once the sync issue lands).
    Sync,
}

/// One record that changed.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RecordChange {
    pub id: String,
    /// `null` for a record of a kind this app version does not know.
    pub kind: Option<RecordKind>,
    pub origin: ChangeOrigin,
}

/// Implemented by the app to hear about changed records.
#[uniffi::export(callback_interface)]
pub trait RecordObserver: Send + Sync {
    fn on_record_changed(&self, change: RecordChange);
}

/// The registered observers of one store.
#[derive(Default)]
pub(crate) struct Observers {
    next: AtomicU64,
    all: Mutex<BTreeMap<u64, Arc<dyn RecordObserver>>>,
}

impl std::fmt::Debug for Observers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Observers")
            .field("count", &self.all.lock().len())
            .finish()
    }
}

impl Observers {
    pub(crate) fn add(self: &Arc<Self>, observer: Box<dyn RecordObserver>) -> ObservationHandle {
        let key = self.next.fetch_add(1, Ordering::Relaxed);
        self.all.lock().insert(key, Arc::from(observer));
        ObservationHandle {
            observers: Arc::downgrade(self),
            key,
        }
    }

    pub(crate) fn notify(&self, change: &RecordChange) {
        let observers: Vec<_> = self.all.lock().values().cloned().collect();
        for observer in observers {
            let call = catch_unwind(AssertUnwindSafe(|| {
                observer.on_record_changed(change.clone())
            }));
            if call.is_err() {
                tracing::warn!("a record observer failed; skipped");
            }
        }
    }

    fn remove(&self, key: u64) {
        self.all.lock().remove(&key);
    }
}

/// Keeps an observation alive; `cancel()` (or releasing the handle) ends it.
#[derive(Debug, uniffi::Object)]
pub struct ObservationHandle {
    observers: Weak<Observers>,
    key: u64,
}

#[uniffi::export]
impl ObservationHandle {
    /// Stops the observation. Safe to call more than once and from any thread.
    pub fn cancel(&self) {
        if let Some(observers) = self.observers.upgrade() {
            observers.remove(self.key);
        }
    }
}

impl Drop for ObservationHandle {
    fn drop(&mut self) {
        self.cancel();
    }
}
