//! # fieldbook-sync-server
//!
//! Will hold the sync server (axum + tokio): it speaks automerge-repo's network protocol to the
//! devices, checks every incoming change against who may change what before storing it, keeps
//! the merged documents (SQLite by default, Postgres behind the same storage trait), and serves
//! the back office its merged records. Built by the sync, permissions and back-office issues.

#![forbid(unsafe_code)]

pub use fieldbook_core as core;
