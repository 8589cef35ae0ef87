//! `FieldbookStore`: the device store as a Kotlin / Swift object.
//!
//! One object per opened SQLite file, safe to share between threads (the core serialises writes
//! behind its own lock and never `unwrap()`s one). Everything that touches the disk is `async`
//! (a Kotlin `suspend fun`, a Swift `async` method) and runs on a pool thread.
//!
//! Beside this file: `records.rs` (create, read, edit every kind), `actions.rs` (the rules'
//! lifecycle steps), `queries.rs` (the rep's day, metrics, search). Sync is a separate object,
//! `SyncSession` (`crate::sync`), that sends `ChangeOrigin::Sync` to the record observers
//! registered here. See docs/adr/0004-ffi-surface.md.

mod actions;
mod queries;
mod records;
mod refusals;

pub use actions::{
    Appointment, CaptureDetails, CardDuplicate, CardFields, CardOwnership, CardPhone, CardPreview,
    CustomerContactNote, DuplicateCertainty, FollowUpNote, LeadOwnership, PhoneKind,
};
pub use refusals::RefusedChange;

use std::sync::Arc;

use fieldbook_core::{
    DeviceId, DeviceStore, Entropy, OsEntropy, StoreKey, StoreOptions, UserId, WorkCalendar,
};

use crate::background::{guarded, run};
use crate::convert::record_id;
use crate::enums::RecordKind;
use crate::error::{FieldbookError, Result};
use crate::observer::{ChangeOrigin, ObservationHandle, Observers, RecordChange, RecordObserver};
use crate::summary::{FieldConflict, RecordSummary};

/// A fresh random device id, to be generated once at first launch and kept (e.g. in
/// SharedPreferences / UserDefaults); a store file belongs to one device for ever.
#[uniffi::export]
pub fn new_device_id() -> String {
    DeviceId::from_random_bytes(OsEntropy.bytes16()).to_string()
}

/// The records of one device, in one SQLite file.
#[derive(Debug, uniffi::Object)]
pub struct FieldbookStore {
    store: Arc<DeviceStore>,
    observers: Arc<Observers<dyn RecordObserver>>,
    /// The company's calendar (Asia/Shanghai, China's working days) for deadlines and days.
    calendar: WorkCalendar,
}

#[uniffi::export]
impl FieldbookStore {
    /// Opens (creating if needed) the store at `path` for this device and signed-in user,
    /// upgrading its schema. `device_id` comes from `newDeviceId()`; `user_id` is the user's
    /// lower-case login name. `key`: the 32-byte database key the app keeps in Android
    /// Keystore / iOS Keychain (ADR 0005); `null` for a plain file. A wrong key (or a key for a
    /// plain file, or none for an encrypted one) is `AuthNeeded`, and nothing is read or written.
    /// `role`: the signed-in user's role as the server's account says (`field_rep`,
    /// `supervisor`, `marketing_manager`, `customer_service_manager`, `finance_manager`,
    /// `admin`), so that a step the role may not take is refused on the phone already; `null`
    /// leaves the role checks to the server (the lifecycle's other rules still run here).
    #[uniffi::constructor(default(key = None, role = None))]
    pub fn open(
        path: String,
        device_id: String,
        user_id: String,
        key: Option<Vec<u8>>,
        role: Option<String>,
    ) -> Result<Arc<Self>> {
        guarded(|| {
            let device: DeviceId = device_id.parse().map_err(|e: fieldbook_core::Error| {
                FieldbookError::invalid("device_id", e.to_string())
            })?;
            let user = UserId::new(user_id)
                .map_err(|e| FieldbookError::invalid("user_id", e.to_string()))?;
            let mut options = StoreOptions::new(device, user);
            if let Some(role) = role {
                options.role = Some(role.parse().map_err(|e: fieldbook_core::Error| {
                    FieldbookError::invalid("role", e.to_string())
                })?);
            }
            if let Some(key) = key {
                options.key = Some(
                    StoreKey::from_slice(&key)
                        .map_err(|e| FieldbookError::invalid("key", e.to_string()))?,
                );
            }
            let store = DeviceStore::open(path, options)?;
            Ok(Arc::new(FieldbookStore {
                store: Arc::new(store),
                observers: Arc::default(),
                calendar: WorkCalendar::china_default(),
            }))
        })
    }

    pub fn device_id(&self) -> String {
        self.store.device().to_string()
    }

    pub fn user_id(&self) -> String {
        self.store.user().to_string()
    }

    /// Calls `observer` after every change to a record, until the handle is cancelled.
    pub fn observe_records(&self, observer: Box<dyn RecordObserver>) -> Arc<ObservationHandle> {
        Arc::new(self.observers.add(Arc::from(observer)))
    }

    /// Every record of `kind` (every kind when `null`), for list screens.
    pub async fn list_records(
        self: Arc<Self>,
        kind: Option<RecordKind>,
    ) -> Result<Vec<RecordSummary>> {
        run(move || summaries(self.store.list(kind.map(Into::into))?)).await
    }

    /// Records holding at least one field set concurrently on two devices.
    pub async fn records_with_conflicts(self: Arc<Self>) -> Result<Vec<RecordSummary>> {
        run(move || summaries(self.store.records_with_conflicts()?)).await
    }

    /// The fields of a record that hold concurrent values.
    pub async fn conflicts(self: Arc<Self>, id: String) -> Result<Vec<FieldConflict>> {
        run(move || {
            let id = record_id("id", &id)?;
            Ok(self
                .store
                .conflicts(id)?
                .into_iter()
                .map(Into::into)
                .collect())
        })
        .await
    }

    /// Settles a conflict: writes `value_json` (usually one of the conflict's `valueJson`s) at
    /// `path`. Every device shows this value once the change has travelled.
    pub async fn resolve_conflict(
        self: Arc<Self>,
        id: String,
        path: String,
        value_json: String,
    ) -> Result<()> {
        run(move || {
            let rid = record_id("id", &id)?;
            let value: serde_json::Value = serde_json::from_str(&value_json)
                .map_err(|e| FieldbookError::invalid("value_json", e.to_string()))?;
            self.store.resolve_conflict(rid, &path, &value)?;
            self.changed(id, ChangeOrigin::Local);
            Ok(())
        })
        .await
    }

    /// Every change of a record, as bytes another device's `importChanges` accepts (a file or
    /// Bluetooth hand-off between two phones without a server).
    pub async fn export_changes(self: Arc<Self>, id: String) -> Result<Vec<u8>> {
        run(move || Ok(self.store.export_changes(record_id("id", &id)?, &[])?)).await
    }

    /// Merges changes exported by another device, creating the record if this device has never
    /// seen it. Returns whether anything new arrived; observers hear `Imported`.
    pub async fn import_changes(self: Arc<Self>, id: String, changes: Vec<u8>) -> Result<bool> {
        run(move || {
            let changed = self.store.import_changes(record_id("id", &id)?, &changes)?;
            if changed {
                self.changed(id, ChangeOrigin::Imported);
            }
            Ok(changed)
        })
        .await
    }
}

impl FieldbookStore {
    pub(crate) fn device_store(&self) -> &Arc<DeviceStore> {
        &self.store
    }

    /// Registers an observer of the library's own (sync's wake-up), not exported.
    pub(crate) fn observe_internal(&self, observer: Arc<dyn RecordObserver>) -> ObservationHandle {
        self.observers.add(observer)
    }

    /// Tells the observers that record `id` changed.
    pub(crate) fn changed(&self, id: String, origin: ChangeOrigin) {
        let kind = record_id("id", &id)
            .ok()
            .and_then(|rid| self.store.kind_of(rid).ok())
            .and_then(|k| RecordKind::try_from(k).ok());
        self.observers.notify(&RecordChange { id, kind, origin });
    }
}

/// The rows the app can show; rows of kinds this version does not know are left out.
fn summaries(rows: Vec<fieldbook_core::store::RecordSummary>) -> Result<Vec<RecordSummary>> {
    Ok(rows.into_iter().filter_map(|r| r.try_into().ok()).collect())
}
