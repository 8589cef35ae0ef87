//! The device's sync client: automerge-repo's protocol "1" spoken to Fieldbook's sync server.
//!
//! - [`wire`]: the CBOR messages, one per WebSocket binary frame.
//! - [`index_doc`]: the per-user index document (discovery, and cheap syncs when little changed).
//! - [`SyncEngine`]: the sans-IO engine — inputs in, frames out, durable writes to the store.
//! - `DeviceSync` (feature `sync-driver`): the thin tokio WebSocket driver.
//!
//! The protocol, the extensions and how a device learns that a change is stored on the server
//! are specified in `docs/protocol.md`; the choice to implement the messages over Automerge's
//! sync API rather than on samod is ADR 0002.

pub mod bulk;
#[cfg(feature = "sync-driver")]
mod driver;
mod engine;
pub mod index_doc;
pub mod inflate;
pub mod wire;
mod wire_budget;

#[cfg(feature = "sync-driver")]
pub use driver::DeviceSync;
pub use engine::{SyncEngine, SyncInput, SyncStats};
pub use index_doc::{heads_key, index_id};
pub use wire::{PROTOCOL_VERSION, WireMessage};
