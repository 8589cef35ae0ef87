//! # fieldbook-ffi
//!
//! Will hold the uniffi surface of the core for Kotlin (Android) and Swift (iOS): the only crate
//! with `#[uniffi::export]`, a cdylib and staticlib. Built by the bindings issue.

#![forbid(unsafe_code)]

pub use fieldbook_core as core;
