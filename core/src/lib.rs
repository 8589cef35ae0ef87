//! # fieldbook-core
//!
//! The embedded core of Fieldbook, the offline-first field-sales app: customers, visit plans and
//! invitations, reception notes, return-visit reports, lead referrals and daily visit logs, each one an Automerge
//! document stored in SQLite on the device.
//!
//! - [`model`]: the typed records.
//! - [`doc`]: one record as one Automerge document; field-level merge, visible conflicts.
//! - [`store`]: the durable device store (SQLite, WAL, `synchronous=FULL`), incremental chunks,
//!   compaction, projections for local queries.
//! - [`clock`]: injected time and randomness; [`calendar`]: the company's zone and working days.
//! - [`rules`]: the field-sales rules' steps; [`lifecycle`]: the judge of every write's step,
//!   on the device and the server; [`input`]: phone and e-mail checks.
//! - [`capture`]: a card's or badge's QR payload (vCard, MECARD, text) into a lead, with the
//!   duplicate check and the ownership answer before saving, offline.
//! - [`schema`]: one schema per record kind, checked by the server and the device alike.
//! - [`clock`]: injected time and randomness.
//! - [`sync`]: the sans-IO sync engine (automerge-repo protocol "1") and, with the
//!   `sync-driver` feature, its tokio WebSocket driver.
//!
//! Later layers (the field-sales rules, local queries and search, the sync client) live here too;
//! the core knows nothing of uniffi or axum.

#![forbid(unsafe_code)]

pub mod access;
pub mod calendar;
pub mod capture;
pub mod clock;
pub mod doc;
mod error;
#[doc(hidden)]
pub mod fuzzing;
mod ids;
pub mod input;
pub mod lifecycle;
pub mod model;
pub mod queries;
pub mod rules;
pub mod schema;
pub mod search;
pub mod store;
pub mod sync;

pub use calendar::WorkCalendar;
pub use clock::{Clock, Entropy, FixedClock, OsEntropy, SeededEntropy, SystemClock};
pub use doc::{ConflictValue, FieldConflict, RecordDoc};
pub use error::{Error, Result};
pub use ids::{DeviceId, RecordId, UserId};
pub use model::{
    Customer, DailyLog, LeadReferral, ReceptionNote, Record, RecordKind, RecordMeta,
    ReturnVisitReport, VisitPlan,
};
pub use store::{DeviceStore, Quarantined, Refused, StoreKey, StoreOptions};
