//! Record-changed observers: a screen registers one and refreshes when a record it shows changes,
//! whether the change was made on this device, imported from a file or Bluetooth hand-off, or
//! brought in by sync (`SyncSession`). Registering returns a handle; the observation lasts
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
    /// Brought in by sync with the server (`SyncSession`).
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

/// The registered observers of one kind (record observers of a store, status observers of a
/// sync session). Generic so that one [`ObservationHandle`] type cancels any of them.
pub(crate) struct Observers<O: ?Sized> {
    next: AtomicU64,
    all: Mutex<BTreeMap<u64, Arc<O>>>,
}

impl<O: ?Sized> Default for Observers<O> {
    fn default() -> Self {
        Observers {
            next: AtomicU64::new(0),
            all: Mutex::new(BTreeMap::new()),
        }
    }
}

impl<O: ?Sized> std::fmt::Debug for Observers<O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Observers")
            .field("count", &self.all.lock().len())
            .finish()
    }
}

impl<O: ?Sized + Send + Sync + 'static> Observers<O> {
    pub(crate) fn add(self: &Arc<Self>, observer: Arc<O>) -> ObservationHandle {
        let key = self.next.fetch_add(1, Ordering::Relaxed);
        self.all.lock().insert(key, observer);
        let registry: Arc<dyn Registry> = self.clone();
        ObservationHandle {
            registry: Arc::downgrade(&registry),
            key,
        }
    }

    /// Calls `call` on every observer, outside the lock; a panicking observer is skipped.
    pub(crate) fn each(&self, call: impl Fn(&O)) {
        let observers: Vec<_> = self.all.lock().values().cloned().collect();
        for observer in observers {
            if catch_unwind(AssertUnwindSafe(|| call(&observer))).is_err() {
                tracing::warn!("an observer failed; skipped");
            }
        }
    }
}

impl Observers<dyn RecordObserver> {
    pub(crate) fn notify(&self, change: &RecordChange) {
        self.each(|o| o.on_record_changed(change.clone()));
    }
}

/// What a handle cancels.
trait Registry: Send + Sync {
    fn remove(&self, key: u64);
}

impl<O: ?Sized + Send + Sync> Registry for Observers<O> {
    fn remove(&self, key: u64) {
        self.all.lock().remove(&key);
    }
}

/// Keeps an observation alive; `cancel()` (or releasing the handle) ends it.
#[derive(uniffi::Object)]
pub struct ObservationHandle {
    registry: Weak<dyn Registry>,
    key: u64,
}

impl std::fmt::Debug for ObservationHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObservationHandle")
            .field("key", &self.key)
            .finish()
    }
}

#[uniffi::export]
impl ObservationHandle {
    /// Stops the observation. Safe to call more than once and from any thread.
    pub fn cancel(&self) {
        if let Some(registry) = self.registry.upgrade() {
            registry.remove(self.key);
        }
    }
}

impl Drop for ObservationHandle {
    fn drop(&mut self) {
        self.cancel();
    }
}
