//! # fieldbook-ffi
//!
//! The core as a Kotlin (Android) and Swift (iOS) library, through uniffi 0.32 proc-macros. This
//! is the only crate with `#[uniffi::export]`; `fieldbook-core` knows nothing of uniffi. It is a
//! thin layer: typed records mirrored from the core's models, one error enum the app can act on,
//! async methods that keep SQLite off the caller's thread, and record-changed observers.
//!
//! - [`FieldbookStore`] (`store/`): open a store; create, read, edit and list every kind of
//!   record; conflicts; export/import of a record's changes; observers.
//! - [`records`]: the six kinds of record and their parts, with `From`/`TryFrom` to the core.
//! - [`enums`]: grades, statuses, channels, each keeping unknown values.
//! - [`FieldbookError`] (`error.rs`): not found, invalid input (with the field), conflict, auth
//!   needed, storage, network; bilingual reasons.
//!   Also the rules' actions (`store/actions.rs`), the rep's day, metrics and search
//!   (`store/queries.rs`, records in `queries.rs`), and trade-show capture: `parse_card` (a QR
//!   payload → fields, duplicates on the phone, ownership) and `save_card` (`store/actions/capture.rs`).
//! - [`SyncSession`] (`sync/`): start/stop sync with the server, `syncNow()`, status observers;
//!   records it brings reach the record observers as `ChangeOrigin.SYNC`.
//! - `merge.rs`: an edited record becomes a diff of what the user changed.
//!
//! Bindings are generated from the built library by the `uniffi-bindgen` binary of this crate
//! (`scripts/test-ffi.sh` shows how); see `bindings/README.md` for Android and iOS builds.

#![forbid(unsafe_code)]

mod background;
mod convert;
pub mod enums;
mod error;
mod merge;
mod observer;
mod queries;
pub mod records;
mod store;
mod summary;
mod sync;

pub use convert::CalendarDate;
pub use error::{FieldbookError, Result};
pub use observer::{ChangeOrigin, ObservationHandle, RecordChange, RecordObserver};
pub use queries::{
    DailyReport, DueItem, InvitationMetrics, MyDay, Rate, RepMonthTally, RepWeek, SearchHit,
    TargetProgress, UnbackedEntry,
};
pub use store::{
    Appointment, CaptureDetails, CardDuplicate, CardFields, CardOwnership, CardPhone, CardPreview,
    CustomerContactNote, DuplicateCertainty, FieldbookStore, FollowUpNote, LeadOwnership,
    PhoneKind, RefusedChange, new_device_id,
};
pub use summary::{ConflictValue, FieldConflict, RecordSummary};
pub use sync::{SyncReport, SyncSession, SyncStatus, SyncStatusObserver};

uniffi::setup_scaffolding!();
